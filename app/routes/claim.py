"""Checking a claim the user asks about ("Is it true that ChatGPT needs 30,382 A100s?",
"GPT-3训练一次真的只要140万美元吗？") against the notes, in either language.

The claimed figures are normalised by the units parser (140万美元 = 1.4e6 USD = $1.4M)
and compared with the figures of the most relevant passages; any arithmetic the notes
wrote for that figure is recomputed by the claims checker, and the claim itself is
recomputed when it is a piece of arithmetic.

A claimed figure that one of the calculators produces is recomputed with it
(`app.routes.claim_recompute.calculation_for_claim`: "GPT-3训练一次只要140万美元" -> training_cost from
GPT-3's 175B parameters and 300B tokens as the notes give them, with the registry's
TPU v4 defaults -> $1,398,072), never from the claimed figure itself, and only when the
claim gives every required input. Within 5% the recomputation is consistent.

The verdict:
- the recomputation disagrees -> contradicted (both values and how far apart), even when
  a passage mentions the claimed figure (1200万美元 for larger models is no support for
  "GPT-3 cost $12 million");
- otherwise the claim's own arithmetic, then the notes' arithmetic for the figure, decide;
- passages state the figure -> supported (the recomputation, when there is one, agrees);
- no passage states it but the recomputation agrees -> supported by recomputation;
- passages give a different figure in the same unit -> contradicted; else not_found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.answer.model import Calculation, Citation, Verdict
from app.question import Question, as_question
from app.routes.calculation import CalcRequest
from app.routes.claim_recompute import calculation_for_claim
from calculators.errors import CalculatorError
from calculators.formula import format_number as fmt
from app.answer.quotes import best_quote
from app.retrieval.rerank import entity_coverage
from app.retrieval.retriever import Hit, Retriever
from calculators.numbers import RECOMPUTE_WITH_DEFAULTS_RTOL, SAME_FIGURE_RTOL

_FRAMING = re.compile(
    r"^\s*(?:is\s+it\s+(?:true|right|correct|accurate)\s+(?:that\s+)?|is\s+(?:the\s+)?claim\s+(?:that\s+)?|"
    r"do\s+(?:my\s+)?notes\s+(?:say|claim)\s+(?:that\s+)?|check(?:\s+the\s+claim)?(?:\s+that)?[:\s]+|verify(?:\s+that)?[:\s]+|"
    r"请?(?:核实|检查|验证)一下?[:：]?|是不是|难道)",
    re.I,
)
_TRAILING = re.compile(r"(?:[,，]?\s*(?:is\s+(?:that|this|it)\s+)?(?:right|true|correct)\??|真的吗|对吗|是真的吗|是否属实|吗)?[?？!！。.\s]*$", re.I)


def claim_text(question: str) -> str:
    """The claim without its question framing.

    >>> claim_text("Is it true that ChatGPT needs 30,382 A100s?")
    'ChatGPT needs 30,382 A100s'
    >>> claim_text("GPT-3训练一次真的只要140万美元吗？")
    'GPT-3训练一次只要140万美元'
    """
    text = _FRAMING.sub("", question)
    text = _TRAILING.sub("", text)
    text = re.sub(r"真的|的确", "", text)
    return text.strip() or question.strip()


def same_figure(a_value: float, a_unit: str, b_value: float, b_unit: str) -> bool:
    if a_unit and b_unit and a_unit != b_unit:
        return False
    return abs(a_value - b_value) <= SAME_FIGURE_RTOL * max(abs(a_value), abs(b_value))


@dataclass
class ClaimCheck:
    verdict: str | None  # 'supported' | 'contradicted' | 'not_found'; None when `error` says why not
    claimed: list  # Quantities claimed
    supporting: list[Hit] = field(default_factory=list)  # passages that state a claimed figure
    contradicting: list[tuple[Hit, object]] = field(default_factory=list)  # (hit, the figure the note gives)
    arithmetic: list = field(default_factory=list)  # calculators.claims.Claim: the notes' own arithmetic for the figure
    recomputed: list[str] = field(default_factory=list)  # lines explaining recomputations
    text: str = ""
    calculation: Calculation | None = None  # the calculator run that recomputed a claimed figure
    request: CalcRequest | None = None  # ... and its request (a follow-up question can change its inputs)
    consistent: bool | None = None  # the recomputation agrees with the claimed figure (None: no recomputation)
    error: str | None = None  # the claim's own arithmetic cannot be done (1/0): a message, not a verdict

    @property
    def by_recomputation(self) -> bool:
        """Supported because the recomputation agrees, with no passage stating the figure."""
        return self.verdict == "supported" and not self.supporting and bool(self.consistent)


def _figures(text: str):
    """The quantities of a text; '1000 H100s' is 1000 of a chip, not 1000 hours (nor '44个H100' 44 hours)."""
    from app.question.quantities import _before_hardware_name
    from calculators.units import find_quantities

    return [_before_hardware_name(text, start, end, q)[2] for start, end, q in find_quantities(text)]


def _claimed_figures(text: str):
    """The figures a claim asserts (years and bare model numbers such as the 3 of GPT-3 are not claims)."""
    out = []
    for q in _figures(text):
        if not q.unit and re.fullmatch(r"(19|20)\d\d", q.text.strip()):
            continue
        out.append(q)
    return out


def _in_unit(value: float, unit: str, wanted: str) -> float | None:
    if not wanted or not unit or unit == wanted:
        return value
    from calculators.conversions import convert

    try:
        return convert(value, unit, wanted)
    except CalculatorError:  # not convertible: the recomputation says nothing about this figure
        return None


def _input_sources(request: CalcRequest, zh: bool) -> str:
    """'params, tokens from GPT-3 in the notes; defaults: mfu, ...' in a few words."""
    given, named, defaults = [], [], []
    for name, used in request.inputs.items():
        if used.source.startswith("default"):
            defaults.append(name)
        elif used.source.startswith(("note", "hardware catalog")):
            named.append(f"{name} = {fmt(used.value)} ({used.source})")
        else:
            given.append(f"{name} = {fmt(used.value)}")
    parts = []
    if given:
        parts.append(("说法中给出的 " if zh else "from the claim: ") + ", ".join(given))
    if named:
        parts.append(("按所提模型/硬件：" if zh else "for the model/hardware named: ") + ", ".join(named))
    if defaults:
        parts.append(("默认值：" if zh else "defaults: ") + ", ".join(defaults))
    return "；".join(parts) if zh else "; ".join(parts)


def recompute(text: str, claimed: list, language: str) -> tuple[CalcRequest, Calculation, object, float, bool] | None:
    """(request, calculation, the claimed figure, the recomputed value in its unit, consistent) or None.

    The first claimed figure a calculator can recompute from the claim's other inputs.
    """
    from app.routes.calculation import run_request
    from calculators.errors import CalculatorError

    for figure in claimed:
        request = calculation_for_claim(text, figure, language)
        if request is None:
            continue
        try:
            calc = run_request(request)
        except CalculatorError:
            continue
        first = calc.outputs[0]
        unit = figure.unit or first.unit
        value = _in_unit(first.value, first.unit, unit)
        if value is None:
            continue
        consistent = abs(value - figure.value) <= RECOMPUTE_WITH_DEFAULTS_RTOL * max(abs(value), abs(figure.value))
        return request, calc, figure, value, consistent
    return None


def recomputation_note(request: CalcRequest, calc: Calculation, figure, value: float, consistent: bool, zh: bool) -> str:
    """One line: the calculator, where its inputs came from, both values and how far apart they are."""
    from calculators.units import format_quantity

    unit = figure.unit or calc.outputs[0].unit
    ours = f"{calc.outputs[0].name} = {fmt(value)} {unit}".rstrip()
    theirs = f"{figure.text} (= {format_quantity(figure, 'zh' if zh else 'en')})" if figure.unit else figure.text
    diff = (figure.value - value) / value if value else float("inf")
    pct = f"{abs(diff) * 100:.1f}%"
    sources = _input_sources(request, zh)
    if zh:
        head = f"用 `{calc.calculator}` 重新计算（{sources}）得到 {ours}"
        if consistent:
            return f"{head}；与声称的 {theirs} 相差 {pct}，在 {RECOMPUTE_WITH_DEFAULTS_RTOL:.0%} 以内，一致。"
        more = "高" if diff > 0 else "低"
        return f"{head}；与声称的 {theirs} 不符：声称值比重新计算的结果{more} {pct}。"
    head = f"`{calc.calculator}` ({sources}) gives {ours}"
    if consistent:
        return f"{head}; the claim says {theirs}: {pct} apart, within {RECOMPUTE_WITH_DEFAULTS_RTOL:.0%}, consistent."
    more = "higher" if diff > 0 else "lower"
    return f"{head}, but the claim says {theirs}: the claimed figure is {pct} {more} than the recomputed one."


def _repeats(arithmetic, claimed: list) -> bool:
    """The claim states the notes' wrong figure rather than the recomputed one."""
    if arithmetic.recomputed is None:
        return True
    near = [q for q in claimed if same_figure(q.value, q.unit, arithmetic.stated, arithmetic.unit)]
    return any(abs(q.value - arithmetic.stated) <= abs(q.value - arithmetic.recomputed) for q in near)


def recomputation(claim, zh: bool) -> str:
    """A written claim's recomputation: formula and result (its note) and where each input is written.

    >>> from calculators.claims import check_claim
    >>> recomputation(check_claim("729,167/24=30,382"), zh=False)
    '729,167 / 24 = 30,381.96 ≈ 30,382'
    >>> recomputation(check_claim("Renting costs 8 * 2.40 * 24 = 460.8 dollars"), zh=False)
    '8 × 2.40 × 24 = 460.8'
    """
    inputs = [i for i in claim.inputs if i.text]
    if not inputs or claim.file == "<text>":
        return claim.note
    where = ", ".join(f"{i.text} ({claim.file}:{i.line})" for i in inputs)
    return f"{claim.note} ({'输入' if zh else 'inputs'}: {where})"


def check_claim_question(question: Question | str, retriever: Retriever, notes_arithmetic: list) -> ClaimCheck:
    """Judge a claim: supported / contradicted / not_found, with passages and recomputations."""
    from calculators.claims import arithmetic_error, check_claim

    question = retriever.question(question)
    text = claim_text(question.text)
    zh = question.language == "zh"
    result = ClaimCheck(verdict="not_found", claimed=_claimed_figures(text), text=text)

    written = check_claim(text)  # the claim is itself arithmetic: recompute it
    broken = f"{written.error} in {written.formula}" if written is not None and written.error else arithmetic_error(text)
    if broken:  # "Is 30,382/0=3,798 right?": nothing to judge, whatever the passages say
        result.verdict = None
        result.error = (f"无法核对：{broken}" if zh else f"cannot check this: {broken}")
        return result
    if written is not None and written.holds is not None:
        result.recomputed.append(recomputation(written, zh))
        result.verdict = "supported" if written.holds else "contradicted"

    redone = recompute(text, [q for q in result.claimed if q.unit] + [q for q in result.claimed if not q.unit], question.language)
    recomputed_value = None
    if redone is not None:
        result.request, result.calculation, figure, recomputed_value, result.consistent = redone
        result.recomputed.append(recomputation_note(*redone, zh=zh))

    claim = Question(text, question.glossary)  # the claim without its framing ('Is it true that ...')
    hits = retriever.search(claim, k=8)
    names = list(claim.names)
    relevant = []
    for hit in hits:
        if names and entity_coverage(names, hit.chunk.heading + " " + hit.chunk.text) < 0.5:
            continue  # a passage about something else: its numbers say nothing about this claim
        relevant.append(hit)
        figures = _figures(hit.chunk.text)
        matched = [c for c in result.claimed if any(same_figure(c.value, c.unit, f.value, f.unit) for f in figures)]
        if matched:
            result.supporting.append(hit)
            continue
        rivals = [f for f in figures for c in result.claimed if c.unit and f.unit == c.unit]
        if rivals and len(result.contradicting) < 2:
            result.contradicting.append((hit, rivals[0]))

    # the notes' own arithmetic that produced a supporting figure
    for hit in result.supporting:
        c = hit.chunk
        for claim in notes_arithmetic:
            if claim.file == c.file and c.line_start <= claim.line <= c.line_end and claim.stated is not None:
                if any(same_figure(q.value, q.unit, claim.stated, claim.unit) for q in result.claimed):
                    if claim not in result.arithmetic:
                        result.arithmetic.append(claim)

    wrong = [a for a in result.arithmetic if a.holds is False]
    # a slip in the notes counts against the claim only when the claim repeats it (542 racks), not when
    # the claim has the corrected figure (543 racks: 3,798 / 7 = 542.57, rounded up)
    repeated = [a for a in wrong if _repeats(a, result.claimed)]
    if result.consistent is False:
        # the recomputation disagrees: passages that give the recomputed figure come first
        result.verdict = "contradicted"
        result.recomputed += [a.note for a in wrong]
        unit = figure.unit or result.calculation.outputs[0].unit
        giving = []
        for hit in relevant:
            same = [f for f in _claimed_figures(hit.chunk.text)
                    if (f.unit or not unit) and same_figure(recomputed_value, unit, f.value, f.unit)]
            if same:
                giving.append((hit, same[0]))
        if giving:
            result.contradicting = (giving + [(h, f) for h, f in result.contradicting if all(h is not g for g, _ in giving)])[:3]
    elif written is None or written.holds is None:
        if repeated:
            result.verdict = "contradicted"
            result.recomputed += [recomputation(a, zh) for a in wrong]
        elif result.supporting:
            result.verdict = "supported"
            result.recomputed += [recomputation(a, zh) for a in result.arithmetic if a.holds is not None]
        elif result.consistent:
            result.verdict = "supported"  # by recomputation: no passage states the figure
        elif result.contradicting and result.claimed:
            result.verdict = "contradicted"
    return result


def claim_citations(question: Question | str, check: ClaimCheck, n_start: int = 1) -> list[Citation]:
    question = as_question(question)
    if check.consistent is False:  # contradicted by recomputation: what the notes give first, then who mentions the claim
        shown = list(check.contradicting[:2])
        shown += [(h, None) for h in check.supporting if all(h is not g for g, _ in shown)]
        shown = shown[:3]
    elif check.supporting:
        shown = [(h, None) for h in check.supporting[:3]]
    else:
        shown = list(check.contradicting[:2])
    out = []
    for i, (hit, figure) in enumerate(shown, n_start):
        c = hit.chunk
        quote = (_quote_with(figure, c.text) if figure is not None and check.consistent is False else None) \
            or _quote_with_figure(check, c.text) or best_quote(question, c.text)
        out.append(Citation(n=i, file=c.file, heading=c.heading, lines=(c.line_start, c.line_end), quote=quote, passage=c.text, score=round(hit.score, 4)))
    return out


def _quote_with(figure, passage: str) -> str | None:
    """The sentence of a passage that states `figure` (a figure the notes give)."""
    from ingest.sentences import sentence_spans

    for s, e in sentence_spans(passage):
        sentence = passage[s:e]
        if any(same_figure(figure.value, figure.unit, f.value, f.unit) for f in _figures(sentence)):
            return sentence
    return None


def _quote_with_figure(check: ClaimCheck, passage: str) -> str | None:
    """The sentence of a passage that carries a claimed figure (or a rival one)."""
    from ingest.sentences import sentence_spans

    for s, e in sentence_spans(passage):
        sentence = passage[s:e]
        figures = _figures(sentence)
        if any(same_figure(c.value, c.unit, f.value, f.unit) for c in check.claimed for f in figures):
            return sentence
    for s, e in sentence_spans(passage):
        sentence = passage[s:e]
        if any(f.unit and f.unit == c.unit for c in check.claimed for f in _figures(sentence)):
            return sentence
    return None


def verdict_label_key(check: ClaimCheck) -> str:
    if check.by_recomputation:
        return "supported_by_recomputation"
    if check.verdict == "contradicted" and check.consistent is False:
        return "contradicted_by_recomputation"
    return check.verdict


def _citation_n(hit: Hit, citations: list[Citation]) -> int | None:
    c = hit.chunk
    return next((x.n for x in citations if x.file == c.file and x.lines == (c.line_start, c.line_end)), None)


def verdict_part(check: ClaimCheck, citations: list[Citation], lang: str):
    """The claim's verdict as an answer part: claimed figures, passages, recomputations, what the notes give;
    `CannotCalculate` with the reason when the claim's arithmetic cannot be done (a zero divisor)."""
    from calculators.units import format_quantity

    if check.error:
        from app.answer.model import CannotCalculate

        return CannotCalculate(check.error)
    claimed = tuple(f"{q.text} (= {format_quantity(q, lang)})" if q.unit else q.text for q in check.claimed)
    notes_give: list[tuple[str, int | None]] = []
    also: tuple[int, ...] = ()
    if check.consistent is False:
        notes_give = [(figure.text, _citation_n(hit, citations)) for hit, figure in check.contradicting[:1]]
        also = tuple(n for n in (_citation_n(h, citations) for h in check.supporting) if n)
    elif check.contradicting and check.verdict == "contradicted" and not check.supporting:
        notes_give = [(figure.text, None) for _, figure in check.contradicting[:1]]
    return Verdict(check.verdict, verdict_label_key(check), claimed, tuple(c.n for c in citations),
                   tuple(check.recomputed), tuple(notes_give), also)
