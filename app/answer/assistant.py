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

from app.answer.model import (Answer, CalculationPart, CannotCalculate, Citation, MissingInputs, Quotes, Related,
                              renumbered)
from app.answer.headline import headline
from app.answer.quotes import citations_for, restated_figures
from app.question import Question, check_question
from app.retrieval.rerank import squash
from app.retrieval.retriever import Retriever
from app.routes.calculation import asks_besides_claim
from app.routes.claim import check_claim_question, claim_citations, verdict_part
from app.routes.default_sources import cite_defaults
from app.routes.not_in_notes import not_in_notes_reason, unanswered_reason
from calculators.errors import CalculatorError, in_language
from ingest.settings import Settings




@dataclass(frozen=True)
class Building:
    """The index is still being built: what an assistant searches with meanwhile."""

    ready: tuple[str, ...]  # encoders whose vectors of every passage are in (none: keyword search only)
    pending: tuple[str, ...]  # encoders still embedding
    passages: int  # passages the pending encoders still embed

    def notice(self, lang: str) -> str:
        """What the answer says about it, in `lang`.

        >>> Building(("use",), ("e5",), 8788).notice("en")
        'The index is still being built: this answer comes from keyword search and use; e5 is still embedding 8,788 passages, so it may improve when that is done.'
        >>> Building((), ("use", "e5"), 40).notice("zh")
        '索引仍在建立：本回答仅来自关键词检索；use、e5 还在为 40 个段落计算向量，完成后回答可能更准确。'
        """
        if lang == "zh":
            by = "关键词检索和 " + "、".join(self.ready) if self.ready else "关键词检索"
            return (f"索引仍在建立：本回答{'' if self.ready else '仅'}来自{by}；{'、'.join(self.pending)} 还在为 "
                    f"{self.passages:,} 个段落计算向量，完成后回答可能更准确。")
        by = "keyword search and " + ", ".join(self.ready) if self.ready else "keyword search alone"
        return (f"The index is still being built: this answer comes from {by}; {' and '.join(self.pending)} "
                f"{'is' if len(self.pending) == 1 else 'are'} still embedding {self.passages:,} passages, so it may "
                "improve when that is done.")


@dataclass
class Assistant:
    """Everything a question needs, loaded once: the index, the encoders, the notes' arithmetic."""

    settings: Settings
    retriever: Retriever
    embedders: dict = field(default_factory=dict)
    building: Building | None = None  # searching a build in progress (see ingest.early.EarlyIndex)

    @classmethod
    def open(cls, settings: Settings, progress=None) -> "Assistant":
        from ingest.index import ensure_index

        embedders: dict = {}
        index, _ = ensure_index(settings, progress=progress, embedders=embedders)
        return cls.over(index, settings, embedders)

    @classmethod
    def over(cls, index, settings: Settings, embedders: dict, building: Building | None = None) -> "Assistant":
        """The assistant over a loaded index (ingest.loaded.LoadedIndex), sharing the encoders in `embedders`."""
        return cls(settings=settings, retriever=Retriever(index, settings, embedders=embedders), embedders=embedders,
                   building=building)

    @cached_property
    def corpus(self) -> str:
        return squash("\n".join(f"{c.heading}\n{c.text}" for c in self.retriever.chunks))

    @cached_property
    def vocabulary(self) -> set[str]:
        return set(self.retriever.index.vocabulary)

    @cached_property
    def notes_arithmetic(self) -> list:
        """Every piece of arithmetic written in the notes, checked; read as `kbqa claims` reads them
        (app.notes_arithmetic): the same notes, encodings and line numbers as the passages; unreadable
        notes are skipped (ingest reports them). Found at ingest and cached per note hash in the index
        folder: here the notes are only hashed, never searched for arithmetic again."""
        from app.notes_arithmetic import notes_arithmetic

        return notes_arithmetic(self.settings).claims

    def question(self, text: str) -> Question:
        """The question, checked and analysed once (every route reads this value)."""
        return Question(check_question(text), glossary=self.settings.retrieval.glossary)

    def answer(self, question: Question | str, history: list | None = None) -> Answer:
        q = question if isinstance(question, Question) else self.question(question)
        previous = last_calculation(history)
        parts: list[Answer] = []
        claim = None
        if q.is_claim:
            claim = self._claim(q)
            parts.append(claim)
        calc = self._calculation(q, previous)
        if (calc is None or not calc.calculations) and claim is not None and claim.calculations \
                and asks_besides_claim(q):
            calc = self._claim_calculation(q, claim)  # "how much ..., and is $1.4M right?"
        if calc is not None:
            parts.append(calc)
        if not parts:
            parts.append(self._lookup(q))
        merged = cite_defaults(merge(q, parts), self.retriever)  # a default the loaded notes state is cited to them
        merged.headline = headline(merged, q)
        if self.building is not None:
            merged.notices.append(self.building.notice(q.language))
        return merged

    # --- routes -------------------------------------------------------------------------

    def _lookup(self, q: Question) -> Answer:
        hits = self.retriever.search(q, k=self.settings.retrieval.k)
        citations = citations_for(q, hits, n=3)
        refs = tuple(c.n for c in citations)
        reason = (not_in_notes_reason(q, self.corpus, self.vocabulary, self.retriever.glossary)
                  or unanswered_reason(q, hits, self.retriever.chunks))
        if reason is not None:
            return Answer(q.text, q.language, "not_in_notes", [Related(reason, refs)], citations=citations)
        restated = tuple(tuple(restated_figures(c.quote, q.language)) for c in citations)
        return Answer(q.text, q.language, "lookup", [Quotes(refs, restated)], citations=citations)

    def _calculation(self, q: Question, previous) -> Answer | None:
        from app.routes.calculation import detect_calculation, run_request
        from calculators.registry import get

        # similarity to the calculators' descriptions: the fast multilingual encoder when loaded, else the first
        embedder = self.embedders.get("use") or next((self.embedders[s] for s in self.settings.embed.models if s in self.embedders), None)
        request = detect_calculation(q, previous, embedder=embedder)
        if request is None:
            return None
        if request.missing:
            params = {p.name: p for p in get(request.calculator).parameters}
            wanted = tuple((n, params[n].description, params[n].unit or "") for n in request.missing if n in params)
            return Answer(q.text, q.language, "calculate", [MissingInputs(request.calculator, wanted)])
        try:
            calc = run_request(request)
        except CalculatorError as exc:  # an impossible value in the question: say what was expected
            return Answer(q.text, q.language, "calculate", [CannotCalculate(in_language(exc, q.language))])
        return self._calculation_answer(q, calc, request)

    @staticmethod
    def _calculation_answer(q: Question, calc, request) -> Answer:
        part = CalculationPart(calc, tuple(request.assumed or ()), tuple(request.missing or ()))
        answer = Answer(q.text, q.language, "calculate", [part], outputs=list(calc.outputs), calculations=[calc])
        answer.context["calc_request"] = request
        return answer

    def _claim(self, q: Question) -> Answer:
        check = check_claim_question(q, self.retriever, self.notes_arithmetic)
        citations = claim_citations(q, check)
        calcs = [check.calculation] if check.calculation is not None else []
        answer = Answer(q.text, q.language, "claim", [verdict_part(check, citations, q.language)], citations=citations,
                        outputs=[o for c in calcs for o in c.outputs], calculations=calcs, verdict=check.verdict)
        if check.request is not None:
            answer.context["calc_request"] = check.request  # "what if MFU is 40%?" follows up on the recomputation
        return answer

    def _claim_calculation(self, q: Question, claim: Answer) -> Answer:
        """The calculation part of a question that also makes a claim: the claim's recomputation, step by step."""
        return self._calculation_answer(q, claim.calculations[0], claim.context.get("calc_request"))


def merge(q: Question, parts: list[Answer]) -> Answer:
    """One answer from several routes; citations renumbered in order (in the citations and the parts that cite them)."""
    if len(parts) == 1:
        parts[0].routes = [parts[0].route]
        return parts[0]
    n = 0
    blocks, citations, outputs, calcs, context = [], [], [], [], {}
    verdict = None
    for part in parts:
        mapping = {}
        for c in part.citations:
            n += 1
            mapping[c.n] = n
            citations.append(Citation(n, c.file, c.heading, c.lines, c.quote, c.passage, c.score))
        blocks += [renumbered(p, mapping) for p in part.parts]
        for calc in part.calculations:  # the claim's recomputation and the calculation part may be one run
            if calc not in calcs:
                calcs.append(calc)
                outputs += [o for o in calc.outputs if o not in outputs]
        outputs += [o for o in part.outputs if o not in outputs]
        verdict = verdict or part.verdict
        context.update(part.context)
    primary = next((p.route for p in parts if p.route == "calculate"), parts[0].route)
    answer = Answer(q.text, q.language, primary, blocks, citations=citations, outputs=outputs, calculations=calcs, verdict=verdict)
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
    q = assistant.question(question)
    offline = assistant.answer(q, history)
    if assistant.settings.llm.base_url:
        from app.llm.client import llm_answer

        return llm_answer(q, history, offline, assistant)
    return offline


def answer(question: str, history: list | None = None, settings: Settings | None = None) -> Answer:
    """Answer a question about the notes (offline unless settings.llm.base_url is set)."""
    return respond(get_assistant(settings or Settings()), question, history)
