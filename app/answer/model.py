"""What `answer()` returns: structured data, rendered only at the edge.

An `Answer` has a headline (one sentence with the figure or fact asked for; filled by the
headline writer when there is one), `parts` (what the answer rests on: quotes with their
citations, a calculation with its steps, a claim's verdict, the nearest passages when the
notes do not hold the answer, an LLM's prose), the `citations` the parts refer to by
number, and notices. Renderers (`app.answer.render_markdown`, `render_html`,
`render_text`) are pure functions of it; nothing parses rendered text back.

Routes: 'lookup' (quotes from the notes), 'calculate' (a verified calculator),
'claim' (a claim checked against the notes and recomputed), 'not_in_notes'.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace


@dataclass(frozen=True)
class Citation:
    n: int  # the [n] the parts refer to
    file: str
    heading: str
    lines: tuple[int, int]
    quote: str  # the sentence(s) quoted: a substring of `passage`
    passage: str  # the whole passage, for the UI to show with `quote` highlighted
    score: float = 0.0


@dataclass(frozen=True)
class Output:
    name: str
    value: float
    unit: str  # FLOP, PF-day, USD, day, hour, GPU, server, rack, byte, kWh, kW, token, parameter, '' ...


@dataclass(frozen=True)
class InputUsed:
    """One calculator input and where it came from."""

    name: str
    value: float
    unit: str
    source: str  # 'question' | 'note [n]' | 'hardware catalog: <spec source>' | 'default: <citation>' | 'previous question'
    text: str = ""  # the words it was read from, when from the question


@dataclass(frozen=True)
class Calculation:
    calculator: str
    title: str
    inputs: tuple[InputUsed, ...]
    formula: str
    steps: tuple[str, ...]  # formula, substitution, result
    outputs: tuple[Output, ...]
    notes: tuple[str, ...] = ()
    latex: tuple[str, ...] = ()
    unused: tuple[str, ...] = ()  # each quantity of the question not used, with the reason ('3.1: ...')


# ------------------------------------------------------------------ parts


@dataclass(frozen=True)
class Quotes:
    """A lookup's evidence: the quoted sentences of citations `refs`, in order, with the figures
    of each restated in the question's language (140万美元 = US$1.4 million)."""

    refs: tuple[int, ...]
    restated: tuple[tuple[str, ...], ...] = ()  # one tuple per ref
    kind: str = "quotes"


@dataclass(frozen=True)
class Related:
    """The notes do not answer the question (`reason`); the nearest passages, shown as related only."""

    reason: str
    refs: tuple[int, ...] = ()
    kind: str = "related"


@dataclass(frozen=True)
class CalculationPart:
    """A calculation with its steps; `assumed` inputs were not in the question, `missing` ones nobody gave."""

    calculation: Calculation
    assumed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    kind: str = "calculation"


@dataclass(frozen=True)
class MissingInputs:
    """A calculation that cannot run yet: the inputs the question must give (name, description, unit)."""

    calculator: str
    wanted: tuple[tuple[str, str, str], ...]
    kind: str = "missing_inputs"


@dataclass(frozen=True)
class CannotCalculate:
    """The question's values cannot go into the calculator (the calculator's own message)."""

    message: str
    kind: str = "cannot_calculate"


@dataclass(frozen=True)
class Verdict:
    """A claim checked: the verdict label, the figures claimed, the passages (refs), the
    recomputations, and what the notes give instead (figure text, ref or None)."""

    verdict: str  # 'supported' | 'contradicted' | 'not_found'
    label: str  # key of the verdict labels: the verdict, 'supported_by_recomputation' or 'contradicted_by_recomputation'
    claimed: tuple[str, ...] = ()  # '140万美元 (= US$1.4 million)'
    refs: tuple[int, ...] = ()
    recomputed: tuple[str, ...] = ()
    notes_give: tuple[tuple[str, int | None], ...] = ()
    also_mentioned: tuple[int, ...] = ()  # refs that mention the claimed figure although recomputation disagrees
    kind: str = "verdict"


@dataclass(frozen=True)
class Prose:
    """Text written by a language model, with [n] citation marks (checked; see app.llm.check),
    followed by the list of the citations it cites (`refs`)."""

    text: str
    refs: tuple[int, ...] = ()
    kind: str = "prose"


Part = Quotes | Related | CalculationPart | MissingInputs | CannotCalculate | Verdict | Prose


def renumbered(part: Part, mapping: dict[int, int]) -> Part:
    """The part with its citation numbers mapped (when answers of several routes are merged)."""
    changes = {}
    for name in ("refs", "also_mentioned"):
        if hasattr(part, name):
            changes[name] = tuple(mapping.get(n, n) for n in getattr(part, name))
    if isinstance(part, Verdict):
        changes["notes_give"] = tuple((text, mapping.get(n, n) if n else n) for text, n in part.notes_give)
    return replace(part, **changes) if changes else part


# ------------------------------------------------------------------ the answer


@dataclass
class Answer:
    question: str
    language: str  # 'zh' | 'en'
    route: str  # 'lookup' | 'calculate' | 'claim' | 'not_in_notes'
    parts: list = field(default_factory=list)  # Part values, in reading order
    citations: list[Citation] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    calculations: list[Calculation] = field(default_factory=list)
    verdict: str | None = None  # claims: 'supported' | 'contradicted' | 'not_found'
    notices: list[str] = field(default_factory=list)  # e.g. "LLM endpoint timed out; offline answer given", flagged numbers
    routes: list[str] = field(default_factory=list)  # every route taken, for questions that need several
    headline: str = ""  # one sentence, in the question's language, with the figure or fact asked for
    context: dict = field(default_factory=dict, repr=False)  # conversation state (the last calculation request); not serialised

    def citation(self, n: int) -> Citation | None:
        return next((c for c in self.citations if c.n == n), None)


def part_json(part: Part) -> dict:
    """A part as JSON: its kind and fields (a calculation part names its calculator, not the whole table,
    which is in the answer's `calculations`)."""
    data = asdict(part)
    if isinstance(part, CalculationPart):
        data["calculation"] = part.calculation.calculator
    return data
