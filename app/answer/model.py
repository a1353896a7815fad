"""What `answer()` returns: plain data the CLI prints as JSON and the UI renders.

Routes: 'lookup' (quotes from the notes), 'calculate' (a verified calculator),
'claim' (a claim checked against the notes and recomputed), 'not_in_notes'.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Citation:
    n: int  # the [n] used in the answer text
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


@dataclass
class Answer:
    question: str
    language: str  # 'zh' | 'en'
    route: str  # 'lookup' | 'calculate' | 'claim' | 'not_in_notes'
    answer: str  # Markdown text in the question's language, with [n] citations
    citations: list[Citation] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    calculations: list[Calculation] = field(default_factory=list)
    verdict: str | None = None  # claims: 'supported' | 'contradicted' | 'not_found'
    notices: list[str] = field(default_factory=list)  # e.g. "LLM endpoint timed out; offline answer given", flagged numbers
    routes: list[str] = field(default_factory=list)  # every route taken, for questions that need several
    context: dict = field(default_factory=dict, repr=False)  # conversation state (the last calculation request); not serialised

    def as_json(self, id=None) -> dict:
        return {
            "id": id,
            "question": self.question,
            "language": self.language,
            "route": self.route,
            "answer": self.answer,
            "citations": [
                {"n": c.n, "file": c.file, "heading": c.heading, "lines": list(c.lines), "quote": c.quote} for c in self.citations
            ],
            "outputs": [asdict(o) for o in self.outputs],
            "verdict": self.verdict,
            "calculations": [asdict(c) for c in self.calculations],
            "notices": self.notices,
        }
