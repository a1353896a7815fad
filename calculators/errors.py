"""The calculators' error vocabulary (no project imports: calculators stand alone).

Each error subclasses CalculatorError and the matching built-in, carries structured
fields, and its message says what was expected, what was got, and where.
"""

from __future__ import annotations


class KbqaError(Exception):
    """The root of every error kbqa raises on purpose (ingest, the app and the calculators).

    It lives here, in the package that imports nothing of the project's, so every package
    can derive from it; `ingest.errors` and `app.errors` re-export it."""


class CalculatorError(KbqaError):
    """Base class of every error the calculators raise on purpose."""


class UnitParseError(CalculatorError, ValueError):
    """A piece of text is not a number or quantity the parser understands."""

    def __init__(self, text: str, reason: str):
        self.text = text
        self.reason = reason
        super().__init__(f"cannot read {text!r} as a quantity: {reason}")


class InputError(CalculatorError, ValueError):
    """A calculator input is missing, of the wrong dimension, or out of range."""

    def __init__(self, name: str, message: str):
        self.name = name
        self.message = message
        super().__init__(f"{name} {message}")


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
