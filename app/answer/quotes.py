"""Quoting passages: pick the sentences that answer, number the citations, restate figures
in the question's language. Pure functions over a `Question`, hits and text."""

from __future__ import annotations

import re

from app.answer.model import Citation
from app.question import Question, as_question
from app.retrieval.rerank import answer_type_match, entity_coverage
from app.retrieval.retriever import Hit
from calculators.errors import CalculatorError
from ingest.sentences import sentence_spans
from ingest.tokenize import tokenize

SHORT_PASSAGE = 100  # a passage this short is quoted whole
SECOND_SENTENCE_RATIO = 0.3  # quote a second sentence scoring at least this share of the best (dev+proxy: 69/73 quotes hold the evidence)


def sentence_score(q: Question, sentence: str) -> float:
    """How well one sentence answers: shared terms, the asked-for kind of value, the named things."""
    words = set(tokenize(sentence))
    overlap = len(q.term_set & words) / (len(q.term_set) or 1)
    return overlap + 0.5 * answer_type_match(list(q.asked), sentence) + 0.5 * entity_coverage(list(q.names), sentence)


def best_quote(question: Question | str, passage: str, max_sentences: int = 2) -> str:
    """The sentence(s) of a passage that answer the question, in passage order.

    >>> best_quote("DGX A100 的售价是多少？", "机房建设需要考虑电力、散热和网络等多方面的因素，投资周期较长，前期规划非常重要，选址也要考虑气候与电价。"
    ...            "DGX A100售价约为19.9万美元。每台服务器的最大功率约为6.5kW，散热要求较高，需要专门的制冷设备与机柜布局。")
    'DGX A100售价约为19.9万美元。'
    """
    if len(passage) <= SHORT_PASSAGE:
        return passage
    spans = sentence_spans(passage)
    if len(spans) <= 1:
        return passage
    q = as_question(question)
    scored = sorted(((sentence_score(q, passage[s:e]), i) for i, (s, e) in enumerate(spans)), reverse=True)
    best_score, best = scored[0]
    chosen = {best}
    # a second sentence when it is nearly as good (an answer split over two sentences)
    if max_sentences > 1 and len(scored) > 1 and scored[1][0] >= SECOND_SENTENCE_RATIO * best_score > 0:
        chosen.add(scored[1][1])
    start = min(spans[i][0] for i in chosen)
    end = max(spans[i][1] for i in chosen)
    if len(chosen) == 2 and abs(max(chosen) - min(chosen)) > 1:
        return " … ".join(passage[spans[i][0] : spans[i][1]] for i in sorted(chosen))
    return passage[start:end]


def citations_for(question: Question, hits: list[Hit], n: int = 3) -> list[Citation]:
    out = []
    for i, hit in enumerate(hits[:n], 1):
        c = hit.chunk
        out.append(
            Citation(n=i, file=c.file, heading=c.heading, lines=(c.line_start, c.line_end), quote=best_quote(question, c.text), passage=c.text, score=round(hit.score, 4))
        )
    return out


def restated_figures(quote: str, lang: str) -> list[str]:
    """Figures of a quote restated in the question's language: ['140万美元 = US$1.4 million'].

    >>> restated_figures("训练成本约为140万美元", "en")
    ['140万美元 = US$1.4 million']
    >>> restated_figures("cost $0.066 per query", "zh")
    ['$0.066 per query = 0.066美元/次']
    """
    from calculators.units import find_quantities, format_quantity

    out = []
    for _, _, q in find_quantities(quote):
        if re.search(r"/\s*\d", q.text):
            continue  # rates per 1000 read fine as written (0.02美元/1000词); restating them adds noise
        if not q.unit and not re.search(r"[万亿千百]|billion|million|trillion", q.text, re.I):
            continue  # a plain number reads the same in both languages
        if q.unit.split("/")[0] not in ("", "USD", "parameter", "token", "FLOP", "GPU", "server", "rack", "kWh", "byte"):
            continue
        if lang == "en" and not re.search(r"[万亿]|美元|元", q.text):
            continue  # "1000个token": the number already reads the same
        try:
            shown = format_quantity(q, lang)
        except CalculatorError:  # a unit the formatter has no words for: leave it as written
            continue
        foreign = re.search(r"[\u4e00-\u9fff]", q.text) if lang == "en" else re.search(r"[A-Za-z$]", q.text)
        if foreign and re.sub(r"\s", "", shown) != re.sub(r"\s", "", q.text):
            item = f"{q.text} = {shown}"
            if item not in out:
                out.append(item)
    return out
