"""The calculators' error vocabulary (no project imports: calculators stand alone).

Each error subclasses CalculatorError and the matching built-in, carries structured
fields, and its message says what was expected, what was got, and where.
"""

from __future__ import annotations


class KbqaError(Exception):
    """The root of every error kbqa raises on purpose (ingest, the app and the calculators).

    It lives here, in the package that imports nothing of the project's, so every package
    can derive from it; `ingest.errors` and `app.errors` re-export it."""


class Said(str):
    """A message the calculators write for people: the English text (the str itself) with its Chinese
    beside it, so an edge shows the reader's language without translating text back.

    >>> note = Said("rounded up", "已向上取整")
    >>> note == "rounded up", in_language(note, "zh"), in_language("plain text", "zh")
    (True, '已向上取整', 'plain text')
    >>> import copy, pickle
    >>> copy.deepcopy(note).zh, pickle.loads(pickle.dumps(ResultStep("d = 1 day", "d"))).output
    ('已向上取整', 'd')
    """

    zh: str

    def __new__(cls, en: str, zh: str | None = None):
        said = super().__new__(cls, en)
        said.zh = zh if zh is not None else en
        return said

    def __getnewargs__(self):  # copied and pickled whole (dataclasses.asdict deep-copies)
        return str(self), self.zh


class ResultStep(str):
    """A derivation's result line ('days = 26.1553 day') that knows which output it states, so a reader in
    another language gets it written from the output itself.

    >>> step = ResultStep("days = 26.1553 day", "days")
    >>> step, step.output
    ('days = 26.1553 day', 'days')
    """

    output: str

    def __new__(cls, text: str, output: str):
        step = super().__new__(cls, text)
        step.output = output
        return step

    def __getnewargs__(self):
        return str(self), self.output


def in_language(message, lang: str) -> str:
    """A message (a Said, an error of ours, or plain text) in `lang`: its Chinese when it has one."""
    if lang == "zh" and isinstance(message, (Said, KbqaError)):
        zh = getattr(message, "zh", None)  # an error of ours with its message in Chinese too
        if isinstance(zh, str) and zh:
            return zh
    return str(message)


class CalculatorError(KbqaError):
    """Base class of every error the calculators raise on purpose."""

    @property
    def zh(self) -> str:
        """The message in Chinese where the error has one (else the English)."""
        return str(self)


class UnitParseError(CalculatorError, ValueError):
    """A piece of text is not a number or quantity the parser understands."""

    def __init__(self, text: str, reason: str, reason_zh: str | None = None):
        self.text = text
        self.reason = reason
        self.reason_zh = reason_zh
        super().__init__(f"cannot read {text!r} as a quantity: {reason}")

    @property
    def zh(self) -> str:
        return f"无法把“{self.text}”读成数量：{self.reason_zh or self.reason}"


class InputError(CalculatorError, ValueError):
    """A calculator input is missing, of the wrong dimension, or out of range (`message_zh`: the same in Chinese)."""

    def __init__(self, name: str, message: str, message_zh: str | None = None):
        self.name = name
        self.message = message
        self.message_zh = message_zh
        super().__init__(f"{name} {message}")

    @property
    def zh(self) -> str:
        return f"{self.name} {self.message_zh}" if self.message_zh else str(self)


class UnknownCalculator(CalculatorError, KeyError):
    def __init__(self, name: str, known: list[str]):
        self.name = name
        self.known = known
        super().__init__(f"no calculator named {name!r}; known: {', '.join(sorted(known))}")

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.args[0]


class UnknownHardware(CalculatorError, KeyError):
    def __init__(self, name: str, suggestions: list[str], known: list[str]):
        self.name = name
        self.suggestions = suggestions
        self.known = known
        hint = f"did you mean {' or '.join(suggestions)}? " if suggestions else ""
        super().__init__(f"no hardware named {name!r}; {hint}known: {', '.join(known)}")

    def __str__(self) -> str:
        return self.args[0]
