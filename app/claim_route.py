"""Checking a claim the user asks about ("Is it true that ChatGPT needs 30,382 A100s?",
"GPT-3训练一次真的只要140万美元吗？") against the notes, in either language.

The claimed figures are normalised by the units parser (140万美元 = 1.4e6 USD = $1.4M)
and compared with the figures of the most relevant passages; any arithmetic the notes
wrote for that figure is recomputed by the claims checker, and the claim itself is
recomputed when it is a piece of arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.answer_data import Citation
from app.calc_intent import is_claim_question  # noqa: F401  (one definition of what a claim question is)
from app.compose import best_quote
from app.rerank import entities, entity_coverage
from app.retrieve import Hit, Retriever

_FRAMING = re.compile(
    r"^\s*(?:is\s+it\s+(?:true|right|correct|accurate)\s+(?:that\s+)?|is\s+(?:the\s+)?claim\s+(?:that\s+)?|"
    r"do\s+(?:my\s+)?notes\s+(?:say|claim)\s+(?:that\s+)?|check(?:\s+the\s+claim)?(?:\s+that)?[:\s]+|verify(?:\s+that)?[:\s]+|"
    r"请?(?:核实|检查|验证)一下?[:：]?|是不是|难道)",
    re.I,
)
_TRAILING = re.compile(r"(?:[,，]?\s*(?:is\s+(?:that|this|it)\s+)?(?:right|true|correct)\??|真的吗|对吗|是真的吗|是否属实|吗)?[?？!！。.\s]*$", re.I)
TOLERANCE = 0.02  # figures within 2% are the same figure (140万 vs 1.398M)


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
    return abs(a_value - b_value) <= TOLERANCE * max(abs(a_value), abs(b_value))


@dataclass
class ClaimCheck:
    verdict: str  # 'supported' | 'contradicted' | 'not_found'
    claimed: list  # Quantities claimed
    supporting: list[Hit] = field(default_factory=list)
    contradicting: list[tuple[Hit, object]] = field(default_factory=list)  # (hit, the figure the note gives)
    arithmetic: list = field(default_factory=list)  # calculators.claims.Claim: the notes' own arithmetic for the figure
    recomputed: list[str] = field(default_factory=list)  # lines explaining recomputations
    text: str = ""


def _figures(text: str):
    from calculators.units import find_quantities

    return [q for _, _, q in find_quantities(text)]


def _claimed_figures(text: str):
    """The figures a claim asserts (years and bare model numbers such as the 3 of GPT-3 are not claims)."""
    out = []
    for q in _figures(text):
        if not q.unit and re.fullmatch(r"(19|20)\d\d", q.text.strip()):
            continue
        out.append(q)
    return out


def check_claim_question(question: str, retriever: Retriever, notes_arithmetic: list) -> ClaimCheck:
    """Judge a claim: supported / contradicted / not_found, with passages and recomputations."""
    from calculators.claims import check_claim

    text = claim_text(question)
    result = ClaimCheck(verdict="not_found", claimed=_claimed_figures(text), text=text)

    written = check_claim(text)  # the claim is itself arithmetic: recompute it
    if written is not None and written.holds is not None:
        result.recomputed.append(written.note)
        result.verdict = "supported" if written.holds else "contradicted"

    hits = retriever.search(text, k=8)
    names = entities(text)
    for hit in hits:
        if names and entity_coverage(names, hit.chunk.heading + " " + hit.chunk.text) < 0.5:
            continue  # a passage about something else: its numbers say nothing about this claim
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

    if written is None or written.holds is None:
        wrong = [a for a in result.arithmetic if a.holds is False]
        if wrong:
            result.verdict = "contradicted"
            result.recomputed += [a.note for a in wrong]
        elif result.supporting:
            result.verdict = "supported"
            result.recomputed += [a.note for a in result.arithmetic if a.holds]
        elif result.contradicting and result.claimed:
            result.verdict = "contradicted"
    return result


def claim_citations(question: str, check: ClaimCheck, n_start: int = 1) -> list[Citation]:
    hits = check.supporting[:3] or [h for h, _ in check.contradicting[:2]]
    out = []
    for i, hit in enumerate(hits, n_start):
        c = hit.chunk
        quote = _quote_with_figure(check, c.text) or best_quote(question, c.text)
        out.append(Citation(n=i, file=c.file, heading=c.heading, lines=(c.line_start, c.line_end), quote=quote, passage=c.text, score=round(hit.score, 4)))
    return out


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
