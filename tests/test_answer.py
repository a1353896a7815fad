"""answer() over the shipped notes: each route in both languages, citations that
resolve to the notes' lines, abstention, claims, follow-ups, and the dev questions."""

from __future__ import annotations

import json

import pytest

from app.answer.assistant import Assistant, respond
from app.errors import QuestionError
from app.evaluation.evaluate import calculation_is_right, find_written_claim, is_hit, load_eval
from app.retrieval.retriever import Retriever
from conftest import KB, eval_file_params
from ingest.index import load_index
from app.answer.render_markdown import render_markdown
from app.answer.render_json import render_json


@pytest.fixture(scope="module")
def assistant(kb_index, embedders):
    settings, _ = kb_index
    return Assistant(settings=settings, retriever=Retriever(load_index(settings), settings, embedders=embedders), embedders=embedders)


def lines_of(file: str, lines: tuple[int, int]) -> str:
    text = (KB / file).read_text(encoding="utf-8").splitlines()
    return "".join(text[lines[0] - 1 : lines[1]])


def squash(s: str) -> str:
    return "".join(s.split())


def test_lookup_zh_quotes_and_cites(assistant):
    ans = assistant.answer("DGX A100 服务器的售价是多少？")
    assert ans.route == "lookup" and ans.language == "zh"
    assert any("19.9万美元" in c.quote for c in ans.citations)
    assert "[1]" in render_markdown(ans) and "笔记中的相关内容" in render_markdown(ans)


def test_lookup_en_over_chinese_restates_figure(assistant):
    ans = assistant.answer("How much does it cost to train GPT-3 on a public cloud?")
    assert ans.route == "lookup" and ans.language == "en"
    assert any("140万美元" in c.quote for c in ans.citations)
    assert "US$1.4 million" in render_markdown(ans)


def test_citations_resolve_to_file_heading_lines(assistant):
    ans = assistant.answer("What cache hit rate was assumed for the LLM search cost estimate?")
    for c in ans.citations:
        assert c.quote in c.passage
        # the quoted words are in the cited lines of the original file (whitespace aside)
        assert squash(c.quote)[:12] in squash(lines_of(c.file, c.lines)) or squash(c.quote)[-12:] in squash(lines_of(c.file, c.lines))


@pytest.mark.parametrize("question", ["What is the list price of an NVIDIA H200 GPU?", "Gemini Ultra 的参数量是多少？", "How do I bake sourdough bread?", "北京今天天气怎么样？"])
def test_not_in_notes(assistant, question):
    ans = assistant.answer(question)
    assert ans.route == "not_in_notes"
    assert ("do not cover" in render_markdown(ans)) or ("没有找到" in render_markdown(ans))
    assert not ans.outputs


def test_claim_supported_en(assistant):
    ans = assistant.answer("Is it true that ChatGPT needs 30,382 A100s?")
    assert ans.route == "claim" and ans.verdict == "supported"
    assert any("30,382" in c.quote for c in ans.citations)


def test_claim_zh_normalises_figures(assistant):
    ans = assistant.answer("GPT-3训练一次真的只要140万美元吗？")
    assert ans.route == "claim" and ans.verdict == "supported"
    assert any("140万美元" in c.quote for c in ans.citations)


def test_claim_contradicted_by_the_notes_arithmetic(assistant):
    ans = assistant.answer("Is it true that ChatGPT's fleet needs 542 racks?")
    assert ans.route == "claim" and ans.verdict == "contradicted"
    assert "543" in render_markdown(ans)


def test_claim_arithmetic_in_question(assistant):
    ans = assistant.answer("Is 2,369,640*0.08=4.7万美元 right?")
    assert ans.route == "claim" and ans.verdict == "contradicted"
    assert "189,571" in render_markdown(ans)


def test_calculation_zh_with_catalog_and_followup(assistant):
    first = assistant.answer("用1000张H100训练700亿参数、1.4万亿token要多少天？")
    assert first.route == "calculate"
    days = next(o for o in first.outputs if o.unit == "day")
    # H100 dense BF16 989 TFLOPS from the catalog; MFU not given: the notes' 46.2% is assumed
    assert days.value == pytest.approx(6 * 7e10 * 1.4e12 / (1000 * 989e12 * 0.462) / 86400, rel=0.01)
    sources = {i.name: i.source for i in first.calculations[0].inputs}
    assert "catalog" in sources["peak_flops"]
    assert "default" in sources["mfu"] and "Assumed" not in render_markdown(first) and "假设" in render_markdown(first)
    follow = assistant.answer("如果利用率是20%呢？", history=[first])
    assert follow.route == "calculate"
    assert next(o for o in follow.outputs if o.unit == "day").value > days.value


def test_calculation_en_shows_formula_and_result(assistant):
    ans = assistant.answer("How many FLOPs does it take to train a 175B-parameter model on 300B tokens?")
    assert ans.route == "calculate"
    assert "6" in ans.calculations[0].formula and "3.15e+23" in render_markdown(ans).replace("3.15e23", "3.15e+23")


def test_number_alone_is_not_a_calculation(assistant):
    assert assistant.answer("GPT-3 的 1750 亿参数是怎么来的？").route in ("lookup", "not_in_notes")


def test_question_limits(assistant):
    with pytest.raises(QuestionError, match="empty"):
        assistant.answer("   ")
    with pytest.raises(QuestionError, match="limit"):
        assistant.answer("x" * 100_000)


def test_answer_json_contract(assistant):
    data = render_json(respond(assistant, "DGX A100 服务器的售价是多少？"), id="q1")
    assert set(data) >= {"id", "question", "language", "route", "answer", "citations", "outputs", "verdict"}
    assert set(data["citations"][0]) == {"n", "file", "heading", "lines", "quote"}
    json.dumps(data, ensure_ascii=False)


# kb_questions: 23 of 27 lookup answers quote a hit today (0.85); the misses are listed in test_retrieval.
@pytest.mark.parametrize("path,target", eval_file_params(kb_questions={"quoted": 0.8}, dev={"quoted": 0.9}))
def test_eval_questions(assistant, path, target):
    items = load_eval(path)
    quoted = total = 0
    for item in items:
        if item["kind"] == "lookup":
            ans = assistant.answer(item["question"])
            total += 1
            quoted += ans.route == "lookup" and any(is_hit(c.quote, item["evidence"]) for c in ans.citations)
        elif item["kind"] == "not_in_notes":
            assert assistant.answer(item["question"]).route == "not_in_notes", item
        elif item["kind"] == "calculate":
            ans = assistant.answer(item["question"])
            ok, got = calculation_is_right(item, ans.outputs)
            assert ans.route == "calculate" and ok, (item, got)
        elif item["kind"] == "arithmetic_claim":
            claim = find_written_claim(item["text"], assistant.notes_arithmetic)
            assert claim is not None and claim.holds == item["holds"], (item, claim)
    assert quoted / total >= target["quoted"]
