"""A calculator default whose figure a loaded note states is cited to that note as well.

Calculators cite where a default comes from publicly (a paper, a datasheet, a price page, an
article), since they cannot know whose notes are loaded. At answer time each default used is
looked up in the loaded notes: a k=5 search with the parameter's description and the default's
own words, then the passage must state the figure (a quantity of the same kind within
calculators.numbers.SAME_FIGURE_RTOL). The input's source becomes "default: <public source>;
also in your notes [n]" and the passage is added to the answer's citations; otherwise the
public source stands alone. Nothing here names a notes file: over another notes folder the
answer cites that folder's passages or none.

Examples
--------
>>> states_figure("假设模型的FLOPS利用率为46.2%，与PaLM一致", 0.462, "")
'46.2%'
>>> states_figure("单机最大功率约为6.5kw，售价约为19.9万美元/台。", 199000, "USD/server")
'19.9万美元/台'
>>> states_figure("每日每用户提问约10个问题", 10, "question") is None  # a bare small count proves nothing
True
>>> states_figure("the run took 350 ms", 0.35, "second/word"), states_figure("350 GPUs", 350, "word")
('350 ms', None)
"""

from __future__ import annotations

import weakref

from dataclasses import replace

from app.answer.model import Answer, CalculationPart, Citation
from calculators.dimensions import COUNTS, parse_unit
from calculators.errors import CalculatorError
from calculators.numbers import SAME_FIGURE_RTOL
from calculators.registry import CALCULATORS
from calculators.units import find_quantities
from ingest.sentences import sentence_spans

SEARCH_K = 5
DEFAULT = "default"


def _base(value: float, unit: str) -> tuple[float, dict, dict] | None:
    """(value in base units, physical dimensions, count dimensions), or None for a unit we cannot read."""
    try:
        factor, dims = parse_unit(unit)
    except CalculatorError:
        return None
    physical = {k: v for k, v in dims.items() if k not in COUNTS}
    counts = {k: v for k, v in dims.items() if k in COUNTS}
    return value * float(factor), physical, counts


def states_figure(text: str, value: float, unit: str) -> str | None:
    """The words of `text` that state `value` (in `unit`) as the same figure, or None.

    Same physical dimension, within SAME_FIGURE_RTOL; a per-item figure matches its item's figure
    (19.9万美元/台 is $199,000 a server); counts of different things do not match (350 GPUs is not 350
    words); a bare whole number under 100 matches nothing (10 of what?)."""
    wanted = _base(value, unit)
    if wanted is None or value == 0:
        return None
    for _, _, q in find_quantities(text):
        found = _base(q.value, q.unit)
        if found is None or found[1] != wanted[1]:
            continue
        if found[2] and wanted[2] and found[2] != wanted[2]:
            continue
        if not q.unit and q.value == int(q.value) and abs(q.value) < 100:
            continue
        a, b = found[0], wanted[0]
        if abs(a - b) <= SAME_FIGURE_RTOL * max(abs(a), abs(b)):
            return q.text
    return None


def _sentence(text: str, words: str) -> str:
    """The sentence of the passage holding the figure's words."""
    at = text.find(words)
    for start, end in sentence_spans(text):
        if start <= at < end:
            return text[start:end].strip()
    return text


def _query(description: str, source: str) -> str:
    """What to search for: what the parameter is, and the default's own words (before the document named)."""
    head = source.removeprefix(f"{DEFAULT}: ").split(":")[0]
    return f"{description}; {head}"


def cite_defaults(answer: Answer, retriever, k: int = SEARCH_K) -> Answer:
    """The answer with every default input whose figure a loaded passage states cited to that passage."""
    if not answer.calculations:
        return answer
    citations = list(answer.citations)
    by_place: dict[tuple, int] = {}
    changed: dict[int, object] = {}
    for i, calc in enumerate(answer.calculations):
        registered = CALCULATORS.get(calc.calculator)
        if registered is None:
            continue
        described = {p.name: p.description for p in registered.parameters}
        inputs = []
        for used in calc.inputs:
            if used.source.startswith(DEFAULT) and used.name in described and used.value \
                    and not used.source.startswith(f"{DEFAULT}: none"):  # 'none: weights only' states no figure
                n = _note_stating(used, described[used.name], retriever, k, citations, by_place)
                if n is not None:
                    used = replace(used, source=f"{used.source}; also in your notes [{n}]")
            inputs.append(used)
        if tuple(inputs) != calc.inputs:
            changed[i] = replace(calc, inputs=tuple(inputs))
    if not changed:
        return answer
    new_calcs = [changed.get(i, c) for i, c in enumerate(answer.calculations)]
    swap = {id(old): new for old, new in zip(answer.calculations, new_calcs)}
    parts = [replace(p, calculation=swap[id(p.calculation)]) if isinstance(p, CalculationPart)
             and id(p.calculation) in swap else p for p in answer.parts]
    return replace(answer, parts=parts, citations=citations, calculations=new_calcs)


def _note_stating(used, description: str, retriever, k: int, citations: list[Citation],
                  by_place: dict[tuple, int]) -> int | None:
    """The citation number of the best loaded passage stating the input's figure (added when new), or None."""
    found = _stating_passage(retriever, _query(description, used.source), used.value, used.unit, k)
    if found is not None:
        hit, words = found
        chunk = hit.chunk
        place = (chunk.file, chunk.line_start, chunk.line_end)
        if place not in by_place:
            existing = next((c.n for c in citations if (c.file, *c.lines) == place), None)
            if existing is None:
                existing = max((c.n for c in citations), default=0) + 1
                citations.append(Citation(existing, chunk.file, chunk.heading, (chunk.line_start, chunk.line_end),
                                          _sentence(chunk.text, words), chunk.text, round(hit.score, 4)))
            by_place[place] = existing
        return by_place[place]
    return None


# Per loaded index: (query, value, unit) -> the passage stating it, or None. A default's search is the same for
# every calculation that uses it (a follow-up, the next question), so it runs once per index, not per answer.
_FOUND: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _stating_passage(retriever, query: str, value: float, unit: str, k: int):
    """The best of the k passages found for `query` that states the figure, with the words that state it."""
    cache = _FOUND.setdefault(retriever, {})
    key = (query, value, unit, k)
    if key not in cache:
        cache[key] = next(((hit, words) for hit in retriever.search(query, k=k)
                           if (words := states_figure(hit.chunk.text, value, unit)) is not None), None)
    return cache[key]
