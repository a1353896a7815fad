"""The optional LLM: any OpenAI-compatible endpoint writes the prose, calls the same
calculators as tools, and has its answer checked.

`llm_answer(question, history, offline, assistant)` takes the offline answer (already
computed: its route, citations, calculations and verdict stay) and asks the model,
through llama-index's `OpenAILike` function-calling API, to answer from numbered
passages: the offline answer's citations, then a few more retrieved passages, numbered
after them. The calculators are offered as tools whose schemas are the registry's own
(`calculators.registry.tool_schema`); the model's tool calls run through
`calculators.registry.run`, and a failing call goes back to the model as text
(simonw/llm style) rather than raising. After `max_tool_rounds` rounds the model must
answer without tools.

The final answer is checked by `app.llm.check`: every figure must trace to a passage
it cites or to a calculator result; untraced figures and citations whose passage lacks
the figures next to them are marked in the text and listed in `Answer.notices`. If the
endpoint fails (HTTP error, no connection, timeout, a reply that is not a chat
completion, an empty answer), the offline answer is returned with a notice saying so.

About 480 lines on purpose: the exchange with the endpoint (tools, deadline, reply cap) and the
checked answer built from it are one flow; the figure check itself lives in app/llm/check.py.
"""

from __future__ import annotations

import contextlib
import functools

import importlib.util
import json
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.llm import check as llm_check
from app.answer.model import Answer, CalculationPart, Calculation, Citation, InputUsed, Output, Prose
from app.answer.quotes import best_quote
from app.answer.render_markdown import render_markdown
from app.answer.render_text import render_text
from app.question import Question
from calculators import registry
from calculators.formula import Result
from calculators.numbers import format_number
from calculators.units import parse_quantity
from ingest.errors import KbqaError
from ingest.settings import LLMSettings


def _static_tiktoken_cache() -> None:
    """Point tiktoken at the files llama-index ships, before anything imports tiktoken
    (it would download them on first use; no network is assumed)."""
    spec = importlib.util.find_spec("llama_index.core")
    if spec is not None and spec.submodule_search_locations:
        cache = Path(list(spec.submodule_search_locations)[0]) / "_static" / "tiktoken_cache"
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache))


_static_tiktoken_cache()

from llama_index.core.base.llms.types import ChatMessage, MessageRole  # noqa: E402
from llama_index.core.tools import FunctionTool, ToolMetadata  # noqa: E402

HISTORY_TURNS = 3  # earlier question/answer pairs sent along (follow-ups need them)
MAX_REPLY_BYTES = 1_000_000  # a chat completion is kilobytes; a larger reply is refused, never passed on (20 MB once was)
PLACEHOLDER_API_KEY = "not-needed"  # local servers ignore the key; the client insists on one

SYSTEM_PROMPT = """You answer questions about the user's own notes on the economics of large language models.
Rules:
- Answer in the language of the question ({language}).
- Use only the numbered passages below and the calculator tools. Cite a passage as [n] right after the sentence or figure it supports.
- Never do arithmetic yourself: call a calculator tool for every computed number, then quote its result. Pass numbers as plain numbers in the unit the tool asks for, or as strings such as "175B", "3000亿", "$2.03/hr".
- Copy figures as written in a passage or a tool result (rounding to three significant figures is fine). Do not write any other number.
- If the passages do not hold the answer, say so plainly; do not guess.
- Do not list the sources at the end; they are added for you."""


class LLMUnavailable(KbqaError):
    """The language model did not give a usable answer; the offline answer stands."""

    REASONS = {
        "timeout": ("timeout after {timeout:g} s", "{timeout:g} 秒内没有回应"),
        "http": ("HTTP {status}", "HTTP {status}"),
        "connect": ("could not connect", "无法连接"),
        "garbage": ("its reply was not a chat completion", "回复不是有效的对话结果"),
        "empty": ("it sent an empty answer", "回复为空"),
        "tools": ("it kept calling tools instead of answering", "它一直调用工具而没有作答"),
        "too_large": ("its reply was over {limit:,} bytes", "回复超过 {limit:,} 字节"),
    }

    def __init__(self, url: str, reason: str, **details):
        self.url = url
        self.reason = reason
        self.details = details
        super().__init__(self.notice("en"))

    def notice(self, lang: str) -> str:
        zh = lang == "zh"
        why = self.REASONS[self.reason][1 if zh else 0].format(**self.details)
        if zh:
            return f"语言模型 {self.url} 没有给出回答（{why}）；以下是离线回答。"
        return f"The language model at {self.url} did not answer ({why}); this is the offline answer."


# ---------------------------------------------------------------------------- tools

@dataclass
class ToolRun:
    """One calculator call the model made: what it asked for and what came back."""

    name: str
    arguments: dict
    result: Result | None = None
    error: str | None = None

    def __str__(self) -> str:
        """What the model reads back: the results and derivation as JSON, or the error."""
        if self.result is None:
            return f"Error: {self.error}"
        r = self.result
        return json.dumps({
            "calculator": r.calculator,
            "results": [{"name": a.name, "value": _sig(a.value), "unit": a.unit} for a in r.outputs],
            "inputs": [{"name": a.name, "value": _sig(a.value), "unit": a.unit, "source": a.source} for a in r.inputs],
            "derivation": list(r.steps),
            "notes": list(r.notes),
        }, ensure_ascii=False)


def _sig(x: float) -> float:
    return float(format_number(x, grouping=False))


def _argument(value):
    """A tool argument as the registry takes it: a number, or text read by the units parser."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"expected a number or a string such as '175B', got {json.dumps(value)}")
    return parse_quantity(value) if isinstance(value, str) else float(value)


def run_tool(name: str, arguments: dict) -> ToolRun:
    """Run one calculator for the model. Any failure is reported back to it as text:
    a model recovers from "tokens is required" better than from a dropped connection."""
    run = ToolRun(name, dict(arguments))
    try:
        inputs = dict(arguments)
        solve = inputs.pop("solve", None)
        values = {key: _argument(value) for key, value in inputs.items()}
        run.result = registry.run(name, solve=solve, **values)
    except Exception as exc:  # noqa: BLE001 - the model reads the error and may retry
        run.error = str(exc) or type(exc).__name__
    return run


@dataclass
class RegistryToolMetadata(ToolMetadata):
    """A tool description whose JSON schema is the calculator registry's (never rewritten)."""

    def get_parameters_dict(self) -> dict:
        return registry.tool_schema(self.name)["function"]["parameters"]


@functools.cache
def calculator_tools() -> tuple[FunctionTool, ...]:
    """Every registry calculator as a llama-index tool that runs `run_tool` (built once: the registry is fixed)."""
    tools = []
    for name in registry.CALCULATORS:
        description = registry.tool_schema(name)["function"]["description"]
        tools.append(FunctionTool(fn=_tool_function(name), metadata=RegistryToolMetadata(description=description, name=name, fn_schema=None)))
    return tuple(tools)


def _tool_function(name: str):
    def call(**arguments) -> ToolRun:
        return run_tool(name, arguments)

    call.__name__ = name
    return call


# ------------------------------------------------------------------------- the model

class ReplyGuard:
    """The whole exchange's deadline and the reply size cap, checked on every piece of a reply the
    endpoint sends. httpx's timeout is per read: an endpoint sending a byte every 2 s never trips it
    (it held an answer 136 s with a 60 s timeout); this does."""

    def __init__(self, seconds: float, max_bytes: int = MAX_REPLY_BYTES):
        self.deadline = time.monotonic() + seconds
        self.max_bytes = max_bytes
        self.too_large = False

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


def _guarded_transport(guard: ReplyGuard):
    import httpx

    class GuardedStream(httpx.SyncByteStream):
        def __init__(self, inner):
            self.inner = inner

        def __iter__(self):
            received = 0
            for piece in self.inner:
                received += len(piece)
                if received > guard.max_bytes:
                    guard.too_large = True
                    raise httpx.ReadError(f"reply over {guard.max_bytes} bytes")
                if guard.remaining() <= 0:
                    raise httpx.ReadTimeout("the answer's deadline passed")
                yield piece

        def close(self):
            self.inner.close()

    class GuardedTransport(httpx.HTTPTransport):
        def handle_request(self, request):
            response = super().handle_request(request)
            return httpx.Response(response.status_code, headers=response.headers, stream=GuardedStream(response.stream),
                                  extensions=response.extensions)

    return GuardedTransport()


def make_llm(settings: LLMSettings, guard: ReplyGuard | None = None):
    """The OpenAI-compatible client, configured explicitly (never llama-index's global Settings); with a
    guard, its HTTP client enforces the guard's deadline and size cap."""
    import httpx
    from llama_index.llms.openai_like import OpenAILike

    http_client = None
    if guard is not None:
        http_client = httpx.Client(transport=_guarded_transport(guard), timeout=settings.timeout_s)
    return OpenAILike(
        http_client=http_client,
        model=settings.model,
        api_base=settings.base_url,
        api_key=settings.api_key or PLACEHOLDER_API_KEY,
        is_chat_model=True,
        is_function_calling_model=True,
        timeout=settings.timeout_s,
        max_retries=0,  # a retry would double the wait before the offline answer
        temperature=0.0,
    )


def gather_passages(question: Question, offline: Answer, assistant) -> list[Citation]:
    """The offline answer's citations, keeping their numbers, then up to
    `extra_passages` more retrieved passages numbered after them."""
    passages = list(offline.citations)
    seen = {(c.file, tuple(c.lines)) for c in passages}
    n = max((c.n for c in passages), default=0)
    budget = assistant.settings.llm.extra_passages
    if budget:
        for hit in assistant.retriever.search(question, k=assistant.settings.retrieval.k + len(passages)):
            c = hit.chunk
            if (c.file, c.lines) in seen:
                continue
            n += 1
            seen.add((c.file, c.lines))
            passages.append(Citation(n, c.file, c.heading, c.lines, best_quote(question, c.text), c.text, round(float(hit.score), 4)))
            budget -= 1
            if budget == 0:
                break
    return passages


def _passage_block(c: Citation) -> str:
    where = c.file + (f" › {c.heading}" if c.heading else "") + f", lines {c.lines[0]}–{c.lines[1]}"
    return f"[{c.n}] ({where})\n{c.passage}"


def _calculation_block(calc: Calculation) -> str:
    lines = [f"{calc.calculator}: {calc.title}", "inputs:"]
    lines += [f"  {i.name} = {i.value:g} {i.unit} ({i.source})" for i in calc.inputs]
    lines += [f"  {s}" for s in calc.steps]
    lines += ["results:"] + [f"  {o.name} = {o.value:g} {o.unit}" for o in calc.outputs]
    lines += [f"note: {note}" for note in calc.notes]
    return "\n".join(lines)


def history_messages(history: list | None) -> list[ChatMessage]:
    """Earlier turns: Answers (the CLI, the Python API) or chat dicts (the UI)."""
    out: list[ChatMessage] = []
    for item in history or []:
        if isinstance(item, Answer):
            out += [ChatMessage(role=MessageRole.USER, content=item.question), ChatMessage(role=MessageRole.ASSISTANT, content=render_markdown(item))]
        elif isinstance(item, dict) and item.get("role") in ("user", "assistant") and isinstance(item.get("content"), str):
            out.append(ChatMessage(role=MessageRole(item["role"]), content=item["content"]))
    return out[-2 * HISTORY_TURNS:]


def build_messages(question: Question, history: list | None, offline: Answer, passages: list[Citation]) -> list[ChatMessage]:
    language = "Chinese" if offline.language == "zh" else "English"
    parts = ["Passages from the notes:", ""]
    parts += [_passage_block(c) + "\n" for c in passages] or ["(none)"]
    for calc in offline.calculations:
        parts += ["Calculation already made by the verified calculator (quote its numbers; call a tool to change an input):", _calculation_block(calc), ""]
    route = offline.route + (f", verdict: {offline.verdict}" if offline.verdict else "")
    parts += [f"The offline assistant's answer ({route}), built from the same passages and calculators:", render_markdown(offline), ""]
    parts += [f"Question: {question.text}"]
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=SYSTEM_PROMPT.format(language=language)),
        *history_messages(history),
        ChatMessage(role=MessageRole.USER, content="\n".join(parts)),
    ]


@dataclass
class Conversation:
    text: str
    runs: list[ToolRun] = field(default_factory=list)


def converse(llm, messages: list[ChatMessage], tools: list[FunctionTool], settings: LLMSettings,
             guard: ReplyGuard | None = None) -> Conversation:
    """Chat until the model answers in text: tool rounds, then (after the last round) no tools.

    Every request gets what is left of `timeout_s`, and waits at most that long in all (a worker
    thread; the guard stops the transfer), so the whole exchange is bounded. Raises LLMUnavailable.
    """
    guard = guard or ReplyGuard(settings.timeout_s)
    deadline = guard.deadline
    by_name = {t.metadata.name: t for t in tools}
    runs: list[ToolRun] = []
    for round_ in range(settings.max_tool_rounds + 1):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LLMUnavailable(settings.base_url, "timeout", timeout=settings.timeout_s)
        with_tools = round_ < settings.max_tool_rounds
        response = _ask(llm, messages, tools if with_tools else None, remaining, settings, guard)
        calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False) if with_tools else []
        if not calls:
            text = response.message.content
            if not isinstance(text, str) or not text.strip():
                raise LLMUnavailable(settings.base_url, "tools" if _has_tool_calls(response) else "empty")
            return Conversation(text.strip(), runs)
        messages.append(response.message)
        for call in calls:
            tool = by_name.get(call.tool_name)
            run = tool.call(**call.tool_kwargs).raw_output if tool else run_tool(call.tool_name, call.tool_kwargs)
            runs.append(run)
            messages.append(ChatMessage(role=MessageRole.TOOL, content=str(run), additional_kwargs={"tool_call_id": call.tool_id, "name": call.tool_name}))
    raise LLMUnavailable(settings.base_url, "tools")


def _has_tool_calls(response) -> bool:
    return bool(response.message.additional_kwargs.get("tool_calls"))


def _ask(llm, messages, tools, timeout: float, settings: LLMSettings, guard: ReplyGuard | None = None):
    """One request, waited for at most `timeout` seconds in all. Anything that goes wrong on the
    endpoint's side becomes LLMUnavailable: the optional model must never cost the user the offline answer."""
    import concurrent.futures

    import httpx
    import openai

    def request():
        if tools:
            return llm.chat_with_tools(tools, chat_history=messages, allow_parallel_tool_calls=True, timeout=timeout)
        return llm.chat(messages, timeout=timeout)

    # the reply body is watched by the guard; a worker thread bounds the wait for headers too
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="kbqa-llm")
    future = pool.submit(request)
    pool.shutdown(wait=False)
    try:
        return future.result(timeout=timeout + 0.5)
    except concurrent.futures.TimeoutError as exc:
        raise LLMUnavailable(settings.base_url, "timeout", timeout=settings.timeout_s) from exc
    except Exception as exc:  # noqa: BLE001 - sorted below; a malformed reply surfaces as any parse error
        if guard is not None and guard.too_large:
            raise LLMUnavailable(settings.base_url, "too_large", limit=guard.max_bytes) from exc
        if isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException)):
            raise LLMUnavailable(settings.base_url, "timeout", timeout=settings.timeout_s) from exc
        if isinstance(exc, openai.APIStatusError):
            raise LLMUnavailable(settings.base_url, "http", status=exc.status_code) from exc
        if isinstance(exc, (openai.APIConnectionError, httpx.HTTPError)):
            raise LLMUnavailable(settings.base_url, "connect") from exc
        raise LLMUnavailable(settings.base_url, "garbage") from exc


# ------------------------------------------------------------------------ the answer

def trace_sources(question: Question, offline: Answer, runs: list[ToolRun]) -> list[llm_check.Source]:
    """Everything but the passages a figure may come from: what each calculator call
    shows (inputs, derivation, outputs; the inputs the model chose are checked on their
    own, see `tool_input_notices`), the offline calculation, the offline answer's own
    lines (recomputations; not its quotes, which must be cited), and the question."""
    sources = [llm_check.text_source("question", question.text)]
    for run in runs:
        if run.result is not None:
            r = run.result
            amounts = [(a.name, a.value, a.unit) for a in r.outputs + r.inputs]
            sources.append(_calculation_source(f"tool {run.name}", amounts, r.steps))
    for calc in offline.calculations:
        amounts = [(o.name, o.value, o.unit) for o in calc.outputs] + [(i.name, i.value, i.unit) for i in calc.inputs]
        sources.append(_calculation_source(f"calculation {calc.calculator}", amounts, calc.steps))
    sources.append(llm_check.text_source("offline answer", render_text(offline, quotes=False)))
    return sources


def _calculation_source(label: str, amounts: list[tuple[str, float, str]], steps) -> llm_check.Source:
    """A calculator's figures: its amounts, and the constants of its derivation (the 3600 in
    flops/(3600 × mfu × peak_flops)), which a model may quote."""
    figures = [f for a in amounts for f in llm_check.amount_figures(*a)]
    figures += llm_check.figures_in("\n".join(steps), keep_all=True)
    return llm_check.Source(label, tuple(figures))


def tool_input_notices(question: Question, offline: Answer, runs: list[ToolRun], passages: list[Citation], lang: str) -> list[str]:
    """Inputs the model chose for a calculator that are in no passage it was given, not in
    the question or the offline answer, and not the result of an earlier call."""
    known = llm_check.passage_sources({c.n: c.passage for c in passages}) + trace_sources(question, offline, [])
    out = []
    for run in runs:
        if run.result is None:
            continue
        for name, value in run.arguments.items():
            if name == "solve":
                continue
            q = _argument(value)  # it ran, so it parses
            figure = llm_check.Figure(0, 0, q, "", str(value)) if isinstance(q, float) else llm_check.Figure(0, 0, q.value, q.unit, str(value))
            if not any(llm_check.same_figure(figure, g) for s in known for g in s.figures):
                out.append(f"⚠ 计算器 {run.name} 的输入 {name} = {value} 在问题和段落中都找不到" if lang == "zh"
                           else f"⚠ {run.name} was called with {name} = {value}, which is in neither the question nor the passages")
        known.append(_calculation_source(f"tool {run.name}", [(a.name, a.value, a.unit) for a in run.result.outputs], ()))
    return out


def tool_calculation(run: ToolRun, lang: str) -> Calculation:
    from app.routes.calculation import json_unit

    calc, r = registry.get(run.name), run.result
    inputs = tuple(InputUsed(a.name, a.value, a.unit, "language model" if a.source == "given" else a.source) for a in r.inputs if a.source != "solved")
    outputs = tuple(Output(a.name, a.value, json_unit(a.unit)) for a in r.outputs)
    return Calculation(calc.name, calc.title_zh if lang == "zh" else calc.summary, inputs, r.formula, r.steps, outputs, r.notes, r.latex)


def with_notice(offline: Answer, notice: str) -> Answer:
    return replace(offline, notices=[*offline.notices, notice])


def llm_answer(question: Question | str, history: list | None, offline: Answer, assistant) -> Answer:
    """The LLM's answer, checked; the offline answer with a notice when the model fails."""
    if not isinstance(question, Question):
        question = assistant.question(question)
    settings = assistant.settings.llm
    lang = offline.language
    passages = gather_passages(question, offline, assistant)
    guard = ReplyGuard(settings.timeout_s)
    llm = make_llm(settings, guard)
    try:
        conversation = converse(llm, build_messages(question, history, offline, passages), list(calculator_tools()), settings, guard)
    except LLMUnavailable as exc:
        return with_notice(offline, exc.notice(lang))
    finally:
        with contextlib.suppress(Exception):
            llm._http_client.close()  # ours (make_llm); closing it ends a transfer the deadline gave up on

    sources = trace_sources(question, offline, conversation.runs)
    check = llm_check.check_answer(conversation.text, {c.n: c.passage for c in passages}, sources)
    offline_ns = {c.n for c in offline.citations}
    citations = list(offline.citations) + [c for c in passages if c.n in check.cited and c.n not in offline_ns]
    cited = [c for c in citations if c.n in check.cited]
    text = llm_check.mark(conversation.text, check, lang)

    done = [run for run in conversation.runs if run.result is not None]
    calculations = list(offline.calculations) + [tool_calculation(run, lang) for run in done]
    outputs = list(offline.outputs)
    for calc in calculations[len(offline.calculations):]:
        outputs += [o for o in calc.outputs if o not in outputs]
    notices = [*offline.notices, *llm_check.notices(check, lang), *tool_input_notices(question, offline, done, passages, lang)]
    context = {**offline.context, "llm_tool_runs": conversation.runs}
    parts = [Prose(text, tuple(c.n for c in cited))] + [CalculationPart(c) for c in calculations]
    from app.answer.headline import headline  # the checked prose's first sentence (a flagged figure stays flagged)

    written = replace(offline, parts=parts, citations=citations, outputs=outputs, calculations=calculations, notices=notices, context=context)
    written.headline = headline(written, question)
    return written
