"""The optional LLM path, against a scripted OpenAI-compatible server on 127.0.0.1:
the real client (llama-index OpenAILike -> openai -> httpx) and a real Assistant over a
small notes folder. The server is the only stand-in (tests/scripted_llm.py)."""

from __future__ import annotations

import json

import pytest

from app.answer.assistant import Assistant, respond
from app.llm.client import gather_passages, llm_answer, run_tool
from app.llm.check import Figure, check_answer, figures_in, mark, notices, same_figure
from app.retrieval.retriever import Retriever
from calculators import registry
from ingest.index import build_index, load_index
from ingest.settings import Settings
from conftest import eval_files, write_small_kb
from scripted_llm import Drip, Huge, Raw, ScriptedLLM, Slow, Status, text_reply, tool_call_reply
from app.answer.render_markdown import render_markdown

COST_QUESTION = "How much did it cost to train GPT-3 with 175B parameters on 300B tokens?"
RACK_QUESTION = "How many servers fit in a standard rack, and how much power does a rack draw?"


@pytest.fixture(scope="module")
def notes_index(tmp_path_factory, embedders):
    """The `small_kb` notes (tests/conftest.py), indexed once for this module."""
    kb = write_small_kb(tmp_path_factory.mktemp("llm") / "kb", gbk=False)
    settings = Settings(kb=kb)
    build_index(settings, embedders=embedders)
    return settings, Retriever(load_index(settings), settings, embedders=embedders)


@pytest.fixture
def assistant(notes_index, embedders):
    """A real Assistant over the notes; its own settings, so a test's LLM settings stay its own."""
    settings, retriever = notes_index
    return Assistant(settings=settings.model_copy(deep=True), retriever=retriever, embedders=embedders)


_OFFLINE: dict[str, object] = {}


def offline_answer(assistant: Assistant, question: str):
    """The offline answer (deterministic; computed once per question)."""
    if question not in _OFFLINE:
        _OFFLINE[question] = assistant.answer(question)
    return _OFFLINE[question]


def ask(assistant: Assistant, question: str, history=None):
    """What respond() does with an LLM configured, reusing the offline answer."""
    return llm_answer(question, history, offline_answer(assistant, question), assistant)


def configure(assistant: Assistant, server: ScriptedLLM, **llm) -> Assistant:
    assistant.settings.llm.base_url = server.url
    assistant.settings.llm.timeout_s = llm.pop("timeout_s", 10.0)
    for key, value in llm.items():
        setattr(assistant.settings.llm, key, value)
    return assistant


def passage_number(assistant: Assistant, question: str, needle: str) -> int:
    """The [n] the model is given for the passage containing `needle` (the numbering is deterministic)."""
    passages = gather_passages(question, offline_answer(assistant, question), assistant)
    return next(c.n for c in passages if needle in c.passage)


def tool_messages(request: dict) -> list[dict]:
    return [m for m in request["messages"] if m["role"] == "tool"]


# ------------------------------------------------------------------ a well-behaved run

def test_well_behaved_run_calls_the_calculator_and_cites_a_passage(assistant):
    n = passage_number(assistant, COST_QUESTION, "3.14e23")
    final = (f"Training GPT-3 took 3.14e23 FLOPs [{n}]. With the training_cost calculator (TPU v4 at 46.2% MFU and "
             f"$2.03 per chip-hour), 175B parameters on 300B tokens cost about $1.40 million (688,705 chip-hours).")
    script = [tool_call_reply("training_cost", arguments={"params": "175B", "tokens": 3e11}), text_reply(final)]
    with ScriptedLLM(script) as server:
        answer = respond(configure(assistant, server), COST_QUESTION)  # the entry point the CLI and UI call

    assert answer.notices == []
    assert render_markdown(answer).startswith(final)
    assert "⚠" not in render_markdown(answer)
    assert render_markdown(answer).startswith(f"{final}\n\nSources:\n[{n}] en.md › Training, lines 3–3\n\n---\n\n")
    assert render_markdown(answer).endswith("- **cost = 1,398,072 USD**")  # the verified step table follows the prose
    assert [c.n for c in answer.citations if c.n == n] == [n]
    assert answer.route == "calculate"  # the offline route stays
    cost = [o for o in answer.outputs if o.name == "cost"]
    assert cost and all(o.value == pytest.approx(1_398_072, rel=1e-6) and o.unit == "USD" for o in cost)
    assert answer.calculations[-1].calculator == "training_cost"
    assert answer.calculations[-1].inputs[0].source == "language model"


def test_the_tools_sent_are_the_registry_schemas(assistant):
    with ScriptedLLM([text_reply("The notes do not say.")]) as server:
        ask(configure(assistant, server), COST_QUESTION)
    sent = server.requests[0]["tools"]
    for tool in sent:  # what llama-index adds for function-calling models
        assert tool["function"].pop("strict") is False
        assert tool["function"]["parameters"].pop("additionalProperties") is False
    assert sent == registry.tool_schemas()


def test_tool_results_go_back_to_the_model(assistant):
    script = [tool_call_reply("training_cost", arguments={"params": 175e9, "tokens": "3000亿token"}), text_reply("About $1.40 million.")]
    with ScriptedLLM(script) as server:
        ask(configure(assistant, server), COST_QUESTION)
    second = server.requests[1]
    assistant_turn = [m for m in second["messages"] if m["role"] == "assistant"][-1]
    assert assistant_turn["tool_calls"][0]["function"]["name"] == "training_cost"
    [tool] = tool_messages(second)
    assert tool["tool_call_id"] == "call_0"
    result = json.loads(tool["content"])
    assert {r["name"]: r["value"] for r in result["results"]}["cost"] == pytest.approx(1_398_072, rel=1e-5)
    assert result["derivation"][0] == "flops = 6 × params × tokens"


def test_a_tool_error_goes_back_to_the_model_as_text(assistant):
    script = [tool_call_reply("training_cost", arguments={"params": "lots", "tokens": 3e11}),
              tool_call_reply("no_such_calculator", arguments={}),
              text_reply("The notes do not say.")]
    with ScriptedLLM(script) as server:
        answer = ask(configure(assistant, server), COST_QUESTION)
    assert tool_messages(server.requests[1])[0]["content"] == (
        "Error: cannot read 'lots' as a quantity: no number found; expected something like 1750亿, 175B, $2.03/hr or 46.2%")
    assert tool_messages(server.requests[2])[-1]["content"].startswith("Error: ")
    assert "no_such_calculator" in tool_messages(server.requests[2])[-1]["content"]
    assert render_markdown(answer).startswith("The notes do not say.")
    assert answer.notices == []


def test_run_tool_reads_strings_with_the_units_parser():
    run = run_tool("training_compute", {"params": "1750亿", "tokens": "300B"})
    assert run.error is None and run.result["flops"] == pytest.approx(3.15e23)
    assert run_tool("training_compute", {"params": True, "tokens": 1}).error.startswith("expected a number")


def test_after_the_last_tool_round_the_model_must_answer_without_tools(assistant):
    script = [tool_call_reply("training_compute", arguments={"params": 1.75e11, "tokens": 3e11}), text_reply("3.15e23 FLOPs.")]
    with ScriptedLLM(script) as server:
        answer = ask(configure(assistant, server, max_tool_rounds=1), COST_QUESTION)
    assert "tools" in server.requests[0] and "tools" not in server.requests[1]
    assert render_markdown(answer).startswith("3.15e23 FLOPs.")
    assert answer.notices == []


def test_the_api_key_is_sent_and_a_placeholder_when_none(assistant):
    with ScriptedLLM([text_reply("No."), text_reply("No.")]) as server:
        ask(configure(assistant, server), COST_QUESTION)
        ask(configure(assistant, server, api_key="sk-test"), COST_QUESTION)
    assert [h["authorization"] for h in server.headers] == ["Bearer not-needed", "Bearer sk-test"]


# ------------------------------------------------------------------ checked answers

def test_an_invented_number_is_flagged(assistant):
    n = passage_number(assistant, COST_QUESTION, "3.14e23")
    final = f"Training GPT-3 took 3.14e23 FLOPs [{n}] and cost $3.2M."
    with ScriptedLLM([text_reply(final)]) as server:
        answer = ask(configure(assistant, server), COST_QUESTION)
    assert answer.notices == ["⚠ untraced: $3.2M is in no cited passage and no calculator result"]
    assert render_markdown(answer).startswith(f"Training GPT-3 took 3.14e23 FLOPs [{n}] and cost $3.2M (⚠ untraced).")


def test_a_citation_of_the_wrong_passage_is_flagged(assistant):
    right = passage_number(assistant, RACK_QUESTION, "45.5kW")
    wrong = passage_number(assistant, RACK_QUESTION, "3.14e23")
    final = f"A standard rack holds about 7 servers and draws 45.5 kW [{wrong}]."
    with ScriptedLLM([text_reply(final)]) as server:
        answer = ask(configure(assistant, server), RACK_QUESTION)
    assert answer.notices == [
        f"⚠ wrong citation: [{wrong}] is cited for 7 servers, 45.5 kW, but passage [{wrong}] does not contain them (found in [{right}])"]
    assert render_markdown(answer).startswith(final[:-1] + f" (⚠ passage {wrong} does not contain 7 servers, 45.5 kW).")


def test_a_figure_from_a_passage_the_answer_does_not_cite_is_untraced(assistant):
    where = passage_number(assistant, RACK_QUESTION, "45.5kW")
    with ScriptedLLM([text_reply("A rack draws 45.5 kW.")]) as server:
        answer = ask(configure(assistant, server), RACK_QUESTION)
    assert answer.notices == [
        f"⚠ untraced: 45.5 kW is in no cited passage and no calculator result (it is in passage [{where}], which the answer does not cite)"]


def test_a_chinese_answer_is_checked_in_chinese(assistant):
    question = "一个标准机柜能放几台服务器？每个机柜的功率是多少？"
    n = passage_number(assistant, question, "45.5kW")
    final = f"一个标准机柜可放下约7台服务器，每个机柜的功率约为45.5kW。[{n}] 电费约为每天4.7万美元。"
    with ScriptedLLM([text_reply(final)]) as server:
        answer = ask(configure(assistant, server), question)
    assert answer.notices == ["⚠ 无出处：4.7万美元 既不在所引段落中，也不是计算器的结果"]
    assert "电费约为每天4.7万美元（⚠ 无出处）。" in render_markdown(answer)
    assert f"\n\n来源：\n[{n}] zh.txt" in render_markdown(answer)


def test_a_citation_with_no_such_passage_is_flagged(assistant):
    with ScriptedLLM([text_reply("Training took 3.14e23 FLOPs [42].")]) as server:
        answer = ask(configure(assistant, server), COST_QUESTION)
    assert "⚠ wrong citation: [42] is cited, but there is no passage [42]" in answer.notices
    assert "[42] (⚠ there is no passage 42)" in render_markdown(answer)


def test_an_input_the_model_made_up_is_flagged(assistant):
    script = [tool_call_reply("training_compute", arguments={"params": 2e12, "tokens": 3e11}), text_reply("That is 3.6e24 FLOPs.")]
    with ScriptedLLM(script) as server:
        answer = ask(configure(assistant, server), COST_QUESTION)
    assert answer.notices == ["⚠ training_compute was called with params = 2000000000000.0, which is in neither the question nor the passages"]


# ------------------------------------------------------------------ failing endpoints

def test_a_timeout_gives_the_offline_answer_with_a_notice(assistant):
    offline = offline_answer(assistant, COST_QUESTION)
    with ScriptedLLM([Slow(30.0, text_reply("too late"))]) as server:
        answer = ask(configure(assistant, server, timeout_s=0.5), COST_QUESTION)
    # the client gave up on its own: the server's only reply ("too late") comes 30 s after the request,
    # so an answer without it and with the timeout notice is one the client stopped waiting for
    assert answer.notices == [f"The language model at {server.url} did not answer (timeout after 0.5 s); this is the offline answer."]
    assert "too late" not in render_markdown(answer)
    assert render_markdown(answer) == render_markdown(offline) and answer.outputs == offline.outputs and answer.route == offline.route
    assert len(server.requests) == 1  # max_retries=0: no second attempt


def test_an_http_500_gives_the_offline_answer_with_a_notice(assistant):
    offline = offline_answer(assistant, COST_QUESTION)
    with ScriptedLLM([Status(500)]) as server:
        answer = respond(configure(assistant, server), COST_QUESTION)
    assert answer.notices == [f"The language model at {server.url} did not answer (HTTP 500); this is the offline answer."]
    assert render_markdown(answer) == render_markdown(offline)
    assert len(server.requests) == 1


@pytest.mark.parametrize("reply, reason", [
    (Raw("this is not json"), "its reply was not a chat completion"),
    (Raw('{"choices": "nope"}'), "its reply was not a chat completion"),
    (text_reply("   "), "it sent an empty answer"),
])
def test_garbage_gives_the_offline_answer_with_a_notice(assistant, reply, reason):
    with ScriptedLLM([reply]) as server:
        answer = ask(configure(assistant, server), COST_QUESTION)
    assert answer.notices == [f"The language model at {server.url} did not answer ({reason}); this is the offline answer."]


def test_no_server_gives_the_offline_answer_with_a_notice(assistant):
    with ScriptedLLM([]) as server:
        url = server.url
    assistant.settings.llm.base_url = url
    answer = ask(assistant, COST_QUESTION)
    assert answer.notices == [f"The language model at {url} did not answer (could not connect); this is the offline answer."]


def test_a_chinese_question_gets_the_notice_in_chinese(assistant):
    with ScriptedLLM([Status(503)]) as server:
        answer = ask(configure(assistant, server), "一个标准机柜能放几台服务器？")
    assert answer.notices == [f"语言模型 {server.url} 没有给出回答（HTTP 503）；以下是离线回答。"]


# ------------------------------------------------------------------ passages

def test_passages_keep_the_offline_numbers_and_extras_follow(assistant):
    question = "How much power does a rack draw?"
    offline = offline_answer(assistant, question)
    passages = gather_passages(question, offline, assistant)
    assert passages[: len(offline.citations)] == offline.citations
    assert [c.n for c in passages] == list(range(1, len(passages) + 1))
    assert len({(c.file, c.lines) for c in passages}) == len(passages)
    assert len(passages) - len(offline.citations) <= assistant.settings.llm.extra_passages


def test_history_is_sent_along(assistant):
    first = offline_answer(assistant, COST_QUESTION)
    with ScriptedLLM([text_reply("No.")]) as server:
        ask(configure(assistant, server), "And with 70B parameters?", history=[first])
    roles = [m["role"] for m in server.requests[0]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert server.requests[0]["messages"][1]["content"] == COST_QUESTION


# ------------------------------------------------------------------ the number check

def fig(text: str) -> Figure:
    [f] = figures_in(text, keep_all=True)
    return f


@pytest.mark.parametrize("a, b", [
    ("140万美元", "$1.4 million"), ("140万美元", "1,400,000"), ("$1.4M", "US$1.4 million"), ("$1.40 million", "1398072"),
    ("46.2%", "0.462"), ("46.2%", "46.2"), ("1750亿参数", "175B"), ("350ms", "0.35 s"), ("3.5 TB", "3.5e12"),
    ("$0.0035 per 1000 tokens", "0.0035美元/1000个token"), ("3.15e23 FLOPs", "315,000,000,000,000,000,000,000"),
])
def test_figures_match_after_normalisation(a, b):
    assert same_figure(fig(a), fig(b))


@pytest.mark.parametrize("a, b", [("$1.4M", "140万元"), ("$1.4M", "$1.5M"), ("$1.4M", "1.4"), ("7 racks", "7台服务器")])
def test_different_figures_do_not_match(a, b):
    assert not same_figure(fig(a), fig(b))


def test_what_is_not_a_figure():
    text = "1. In 2020年 GPT-3 ran on A100s and TPU v4 [3].\n2) Llama 2 has 3 sizes; 2023 saw 7台服务器 and 11 racks."
    assert [f.text for f in figures_in(text)] == ["7台服务器", "11 racks"]


def test_markers_that_open_a_sentence_belong_to_the_one_before():
    check = check_answer("每个机柜的功率约为45.5kW。[2]训练用了3.14e23 FLOPs。[1]", {1: "GPT-3 took 3.14e23 FLOPs.", 2: "功率约为45.5kW。"}, [])
    assert check.ok


def test_marks_do_not_shift_each_other():
    text = "It cost $3.2M and $4.1M [1]."
    check = check_answer(text, {1: "nothing here"}, [])
    assert mark(text, check, "en") == "It cost $3.2M (⚠ untraced) and $4.1M (⚠ untraced) [1]."
    assert len(notices(check, "en")) == 2


def test_a_result_passed_on_to_another_calculator_is_not_an_invention(assistant):
    script = [
        tool_call_reply("training_compute", arguments={"params": 1.75e11, "tokens": 3e11}),
        tool_call_reply("tokens_for_budget", arguments={"params": 1.75e11, "flops": 3.15e23}),
        text_reply("3.15e23 FLOPs is 3,646 PF-days (the derivation multiplies by 1.15741e-20) and buys 300B tokens."),
    ]
    with ScriptedLLM(script) as server:
        answer = ask(configure(assistant, server), COST_QUESTION)
    assert tool_messages(server.requests[2])[-1]["content"].startswith('{"calculator": "tokens_for_budget"')
    assert answer.notices == []  # 3.15e23 came from the first call; 1.15741e-20 is in the derivation


def test_footnote_marks_copied_from_a_note_are_not_citations():
    passages = {1: "拥有8个A100的AWS P4实例的有效时薪将达19.22美元。[15]每个A100提供峰值312 TFLOPS混合精度吞吐量[16]。"}
    check = check_answer("[15]每个A100提供峰值312 TFLOPS混合精度吞吐量[16]。[1]", passages, [])
    assert check.ok and check.cited == {1}


@pytest.mark.parametrize("path", eval_files())
def test_restating_the_offline_answer_raises_no_flags(kb_index, retriever, embedders, path):
    """No false alarms on the shipped notes: an 'LLM' that restates each eval question's
    offline answer (its quotes, cited as they are) traces every figure."""
    import re

    from app.llm.client import trace_sources

    settings, _ = kb_index
    assistant = Assistant(settings=settings, retriever=retriever, embedders=embedders)
    flagged = {}
    for line in path.read_text(encoding="utf-8").splitlines()[::2]:  # half of them: every kind, half the time
        question = json.loads(line).get("question")
        if not question:
            continue
        offline = assistant.answer(question)
        text = "\n".join(l.removeprefix("> ") for l in render_markdown(offline).splitlines() if not re.match(r"\[\d+\] ", l))
        check = check_answer(text, {c.n: c.passage for c in offline.citations}, trace_sources(assistant.question(question), offline, []))
        if not check.ok:
            flagged[question] = notices(check, offline.language)
    assert flagged == {}


# ------------------------------------------------------------------ hostile endpoints

def test_a_byte_every_few_tenths_of_a_second_still_meets_the_deadline(assistant):
    """httpx's timeout is per read; the deadline is for the whole answer (a reply that would take a minute)."""
    reply = text_reply("It cost about $1.4M [1]. " * 10)
    with ScriptedLLM([Drip(0.2, reply)]) as server:
        answer = ask(configure(assistant, server, timeout_s=1.0), COST_QUESTION)
    assert answer.notices == [f"The language model at {server.url} did not answer (timeout after 1 s); this is the offline answer."]
    assert "It cost about" not in render_markdown(answer)


def test_an_oversized_reply_is_refused(assistant):
    with ScriptedLLM([Huge(3_000_000)]) as server:
        answer = ask(configure(assistant, server), COST_QUESTION)
    assert answer.notices == [f"The language model at {server.url} did not answer (its reply was over 1,000,000 bytes); this is the offline answer."]
    assert "xxxx" not in render_markdown(answer)


@pytest.mark.parametrize("text, untraced", [
    ("训练成本约五百万美元[1]。", ["五百万美元"]),
    ("预算是一千万。", ["一千万"]),
    ("It cost twelve million dollars [1].", ["twelve million dollars"]),
    ("It took 1e400 FLOPs [1].", ["1e400"]),
])
def test_numbers_in_words_and_overflowing_numbers_are_checked(text, untraced):
    check = check_answer(text, {1: "训练成本约为140万美元"}, [])
    assert [f.text for f in check.untraced] == untraced


def test_numbers_in_words_trace_to_digits_and_back():
    assert check_answer("训练成本约一百四十万美元[1]。", {1: "GPT-3 cost about $1.4M"}, []).untraced == []
    assert check_answer("It cost fourteen hundred thousand dollars [1].", {1: "训练成本约为140万美元"}, []).untraced == []
