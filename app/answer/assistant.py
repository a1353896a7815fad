"""`answer(question, history, settings) -> Answer`: the one entry point the CLI and the UI call.

Routes: a claim check, a calculation, a lookup, or "not in the notes"; a question may
need several ("How much did GPT-3 cost to train, and is $1.4M right?"). Everything
here runs offline; with an LLM configured, `app.llm.client` rewrites the prose and is checked
against the same passages and calculator outputs.

A claim whose figure a calculator recomputes carries that calculation (its step table in
`calculations`, its results in `outputs`). When the question also asks to compute ("How
much did GPT-3 cost to train, and is $1.4M right?") and its own words give no runnable
calculation, the claim's recomputation answers that part too: the answer has both routes,
`routes == ['claim', 'calculate']`, `route == 'calculate'` (as for any merged answer with
a calculation), the claim's `verdict`, and the one calculation listed once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property

from app.routes.not_in_notes import not_in_notes_reason
from app.answer.model import Answer, Citation, Output
from app.routes.calculation import asks_besides_claim
from app.routes.claim import check_claim_question, claim_citations, is_claim_question
from app.retrieval.rerank import squash
from app.answer.quotes import citations_for, lookup_text, not_in_notes_text, render_citation_line
from app.retrieval.retriever import Retriever, detect_language
from calculators.errors import CalculatorError
from ingest.errors import KbqaError
from ingest.settings import Settings

MAX_QUESTION_CHARS = 4000


class QuestionError(KbqaError, ValueError):
    """A question that cannot be answered as asked (empty, too long)."""


def check_question(question: str) -> str:
    if not isinstance(question, str) or not question.strip():
        raise QuestionError("the question is empty: type a question about your notes")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}: ask about one thing at a time")
    return question.strip()


@dataclass
class Assistant:
    """Everything a question needs, loaded once: the index, the encoders, the notes' arithmetic."""

    settings: Settings
    retriever: Retriever
    embedders: dict = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings, progress=None) -> "Assistant":
        from ingest.index import ensure_index

        embedders: dict = {}
        index, _ = ensure_index(settings, progress=progress, embedders=embedders)
        return cls(settings=settings, retriever=Retriever(index, settings, embedders=embedders), embedders=embedders)

    @cached_property
    def corpus(self) -> str:
        return squash("\n".join(f"{c.heading}\n{c.text}" for c in self.retriever.chunks))

    @cached_property
    def vocabulary(self) -> set[str]:
        return set(self.retriever.index.vocabulary)

    @cached_property
    def notes_arithmetic(self) -> list:
        """Every piece of arithmetic written in the notes, checked (calculators.claims), read with ingest's
        reader: the same notes, encodings and line numbers as the passages; unreadable notes are skipped
        (ingest reports them)."""
        from calculators.claims import find_claims
        from ingest.errors import NoteError
        from ingest.index import list_notes
        from ingest.read import read_note

        kb = self.settings.kb
        claims = []
        for path in list_notes(kb):
            try:
                doc = read_note(path, kb, self.settings.max_note_bytes)
            except NoteError:
                continue
            claims.extend(find_claims(doc.text, doc.file))
        return claims

    def answer(self, question: str, history: list | None = None) -> Answer:
        question = check_question(question)
        lang = detect_language(question)
        previous = last_calculation(history)
        parts: list[Answer] = []
        claim = None
        if is_claim_question(question):
            claim = self._claim(question, lang)
            parts.append(claim)
        calc = self._calculation(question, lang, previous)
        if (calc is None or not calc.calculations) and claim is not None and claim.calculations \
                and asks_besides_claim(question):
            calc = self._claim_calculation(question, lang, claim)  # "how much ..., and is $1.4M right?"
        if calc is not None:
            parts.append(calc)
        if not parts:
            parts.append(self._lookup(question, lang))
        return merge(question, lang, parts)

    # --- routes -------------------------------------------------------------------------

    def _lookup(self, question: str, lang: str) -> Answer:
        hits = self.retriever.search(question, k=self.settings.retrieval.k)
        citations = citations_for(question, hits, n=3)
        reason = not_in_notes_reason(question, self.corpus, self.vocabulary, lang)
        if reason is not None:
            return Answer(question, lang, "not_in_notes", not_in_notes_text(citations, lang, reason), citations=citations)
        return Answer(question, lang, "lookup", lookup_text(question, citations, lang), citations=citations)

    def _calculation(self, question: str, lang: str, previous) -> Answer | None:
        from app.routes.calculation import detect_calculation, run_request
        from app.answer.calc_markdown import calculation_text

        # similarity to the calculators' descriptions: the fast multilingual encoder when loaded, else the first
        embedder = self.embedders.get("use") or self.embedders.get(self.settings.embed.models[0])
        request = detect_calculation(question, previous, embedder=embedder)
        if request is None:
            return None
        if request.missing:
            return Answer(question, lang, "calculate", missing_inputs_text(request, lang))
        try:
            calc = run_request(request)
        except CalculatorError as exc:  # an impossible value in the question: say what was expected
            text = (f"无法计算：{exc}" if lang == "zh" else f"Cannot calculate: {exc}")
            return Answer(question, lang, "calculate", text)
        answer = Answer(question, lang, "calculate", calculation_text(calc, request, lang), outputs=list(calc.outputs), calculations=[calc])
        answer.context["calc_request"] = request
        return answer

    def _claim(self, question: str, lang: str) -> Answer:
        check = check_claim_question(question, self.retriever, self.notes_arithmetic)
        citations = claim_citations(question, check)
        calcs = [check.calculation] if check.calculation is not None else []
        answer = Answer(question, lang, "claim", claim_text_for(check, citations, lang), citations=citations,
                        outputs=[o for c in calcs for o in c.outputs], calculations=calcs, verdict=check.verdict)
        if check.request is not None:
            answer.context["calc_request"] = check.request  # "what if MFU is 40%?" follows up on the recomputation
        return answer

    def _claim_calculation(self, question: str, lang: str, claim: Answer) -> Answer:
        """The calculation part of a question that also makes a claim: the claim's recomputation, step by step."""
        from app.answer.calc_markdown import calculation_text

        calc, request = claim.calculations[0], claim.context.get("calc_request")
        answer = Answer(question, lang, "calculate", calculation_text(calc, request, lang), outputs=list(calc.outputs), calculations=[calc])
        answer.context["calc_request"] = request
        return answer


def missing_inputs_text(request, lang: str) -> str:
    from calculators.registry import get

    params = {p.name: p for p in get(request.calculator).parameters}
    wanted = [f"{n} ({params[n].description}{', ' + params[n].unit if params[n].unit else ''})" for n in request.missing if n in params]
    if lang == "zh":
        return f"要用 `{request.calculator}` 计算，还需要：" + "；".join(wanted) + "。请在问题中给出这些数值。"
    return f"To compute this with `{request.calculator}` I also need: " + "; ".join(wanted) + ". Please give them in the question."


VERDICT_LABELS = {
    "supported": ("✅ Supported by your notes", "✅ 笔记支持这一说法"),
    "contradicted": ("❌ Contradicted", "❌ 与笔记或重新计算的结果不符"),
    "not_found": ("❔ Not found in your notes", "❔ 笔记中找不到依据"),
    "supported_by_recomputation": ("✅ Supported by recomputation (no passage found that states this figure)",
                                   "✅ 重新计算支持这一说法（没有找到直接写出这个数字的段落）"),
    "contradicted_by_recomputation": ("❌ Contradicted by recomputation", "❌ 与重新计算的结果不符"),
}


def verdict_label(check, lang: str) -> str:
    key = check.verdict
    if check.by_recomputation:
        key = "supported_by_recomputation"
    elif check.verdict == "contradicted" and check.consistent is False:
        key = "contradicted_by_recomputation"
    return VERDICT_LABELS[key][1 if lang == "zh" else 0]


def claim_text_for(check, citations: list[Citation], lang: str) -> str:
    zh = lang == "zh"
    lines = [f"**{verdict_label(check, lang)}**", ""]
    if check.claimed:
        from calculators.units import format_quantity

        shown = ", ".join(f"{q.text} (= {format_quantity(q, lang)})" if q.unit else q.text for q in check.claimed)
        lines.append(("声称的数字：" if zh else "Claimed figure: ") + shown)
    for c in citations:
        lines.append(f"> {c.quote} [{c.n}]")
    for note in check.recomputed:
        lines.append(("重新计算：" if zh else "Recomputed: ") + note)
    if check.consistent is False:
        for hit, figure in check.contradicting[:1]:
            n = _citation_n(hit, citations)
            lines.append(("笔记给出的是 " if zh else "The notes give ") + figure.text + (f" [{n}]" if n else ""))
        mentioned = [n for n in (_citation_n(h, citations) for h in check.supporting) if n]
        if mentioned:
            refs = "".join(f"[{n}]" for n in mentioned)
            lines.append(f"笔记中也出现了声称的数字 {refs}，但按说法中的对象重新计算得不到它。" if zh else
                         f"The claimed figure also appears in the notes {refs}, but recomputing it for what the claim is about does not give it.")
    elif check.contradicting and check.verdict == "contradicted" and not check.supporting:
        for hit, figure in check.contradicting[:1]:
            lines.append(("笔记给出的是 " if zh else "The notes give ") + figure.text)
    if citations:
        lines.append("")
        lines += [render_citation_line(c, lang) for c in citations]
    return "\n".join(lines)


def _citation_n(hit, citations: list[Citation]) -> int | None:
    c = hit.chunk
    return next((x.n for x in citations if x.file == c.file and x.lines == (c.line_start, c.line_end)), None)


def merge(question: str, lang: str, parts: list[Answer]) -> Answer:
    """One answer from several routes; citations renumbered in order."""
    if len(parts) == 1:
        parts[0].routes = [parts[0].route]
        return parts[0]
    n = 0
    texts, citations, outputs, calcs, context = [], [], [], [], {}
    verdict = None
    for part in parts:
        mapping = {}
        for c in part.citations:
            n += 1
            mapping[c.n] = n
            citations.append(Citation(n, c.file, c.heading, c.lines, c.quote, c.passage, c.score))
        text = part.answer
        for old, new in sorted(mapping.items(), reverse=True):
            text = text.replace(f"[{old}]", f"[§{new}]")
        texts.append(text.replace("[§", "["))
        for calc in part.calculations:  # the claim's recomputation and the calculation part may be one run
            if calc not in calcs:
                calcs.append(calc)
                outputs += [o for o in calc.outputs if o not in outputs]
        outputs += [o for o in part.outputs if o not in outputs]
        verdict = verdict or part.verdict
        context.update(part.context)
    primary = next((p.route for p in parts if p.route == "calculate"), parts[0].route)
    answer = Answer(question, lang, primary, "\n\n---\n\n".join(texts), citations=citations, outputs=outputs, calculations=calcs, verdict=verdict)
    answer.routes = [p.route for p in parts]
    answer.context = context
    return answer


def last_calculation(history: list | None):
    """The calculation request of the latest answer in the conversation that had one."""
    for item in reversed(history or []):
        if isinstance(item, Answer) and item.context.get("calc_request") is not None:
            return item.context["calc_request"]
    return None


_ASSISTANTS: dict[str, Assistant] = {}


def get_assistant(settings: Settings) -> Assistant:
    """One Assistant per distinct settings in a process (the UI and the CLI reuse it)."""
    key = json.dumps(settings.model_dump(mode="json"), sort_keys=True)
    if key not in _ASSISTANTS:
        _ASSISTANTS[key] = Assistant.open(settings)
    return _ASSISTANTS[key]


def respond(assistant: Assistant, question: str, history: list | None = None) -> Answer:
    """The offline answer, rewritten by the LLM when one is configured (and checked; see app.llm.client)."""
    offline = assistant.answer(question, history)
    if assistant.settings.llm.base_url:
        from app.llm.client import llm_answer

        return llm_answer(question, history, offline, assistant)
    return offline


def answer(question: str, history: list | None = None, settings: Settings | None = None) -> Answer:
    """Answer a question about the notes (offline unless settings.llm.base_url is set)."""
    return respond(get_assistant(settings or Settings()), question, history)
