"""The headline: every answer has one, in the question's language, first in every rendering.

Over the project's own questions (tests/data/kb_questions.jsonl) through `kbqa ask --jsonl`
(the real CLI, real index), and over the other-styles notes through `Assistant.open`.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from click.testing import CliRunner

from app.answer.assistant import Assistant
from app.answer.headline import figure, result_digits, rounded
from app.answer.render_html import answer_html
from app.answer.render_markdown import render_markdown
from app.answer.render_text import render_text
from app.evaluation.evaluate import squash
from conftest import FIXTURES, KB_QUESTIONS
from app.answer.render_json import render_json

_CJK = re.compile(r"[\u4e00-\u9fff]")


def kb_questions() -> list[dict]:
    items = [json.loads(line) for line in KB_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"id": i["id"], "question": i["question"], "kind": i["kind"]} for i in items if "question" in i]


@pytest.fixture(scope="module")
def cli_answers(kb_index, tmp_path_factory):
    """`kbqa ask --jsonl` over the project's questions: {id: JSON answer}."""
    from app.cli import main as cli

    settings, _ = kb_index
    path = tmp_path_factory.mktemp("q") / "questions.jsonl"
    items = kb_questions()
    path.write_text("\n".join(json.dumps({"id": i["id"], "question": i["question"]}, ensure_ascii=False) for i in items), encoding="utf-8")
    result = CliRunner().invoke(cli, ["ask", "--jsonl", str(path), "--kb", str(settings.kb), "--index", str(settings.index)])
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(answers) == len(items)
    return {a["id"]: a for a in answers}


def assert_headline_in_language(data: dict) -> None:
    head = data["headline"]
    assert head.strip(), data["question"]
    if data["language"] == "zh":  # a Chinese question gets Chinese words (or a Chinese quote) first
        assert _CJK.search(head), head
    else:  # an English question: the headline's own words are English, a Chinese quote sits in quotation marks
        outside = re.sub(r"“[^”]*”", "", head)
        assert not _CJK.search(outside), head


@pytest.mark.parametrize("item", kb_questions(), ids=lambda i: i["id"])
def test_every_cli_answer_has_a_headline_in_the_questions_language(cli_answers, item):
    data = cli_answers[item["id"]]
    assert_headline_in_language(data)
    assert data["answer"].startswith(data["headline"])  # printed first
    if data["route"] == "lookup":
        cited = re.findall(r"\[(\d+)\]", data["headline"])
        assert cited and all(int(n) in {c["n"] for c in data["citations"]} for n in cited), data["headline"]
    if data["route"] == "not_in_notes":
        assert "do not say" in data["headline"] or "没有写到" in data["headline"]


def test_a_calculations_headline_holds_its_rounded_result(cli_answers):
    calcs = [a for a in cli_answers.values() if a["route"] == "calculate" and a["calculations"]]
    assert len(calcs) >= 6
    for data in calcs:
        calc = data["calculations"][0]
        shown = [figure(rounded(o["value"], 4, o["unit"]), o["unit"], data["language"]) for o in calc["outputs"]]
        shown += [figure(rounded(o["value"], 3, o["unit"]), o["unit"], data["language"]) for o in calc["outputs"]]
        assert any(squash(s) in squash(data["headline"]) for s in shown), (data["headline"], shown)
        assert "e+" not in data["headline"] and not re.search(r"\d\.\d{5,}", data["headline"])  # rounded, no e+23, no 54.5317


def test_the_training_time_example(assistant_kb):
    """The issue's example: a Chinese calculation gets Chinese units and a rounded figure."""
    ans = assistant_kb.answer("用512张A100（峰值312 TFLOPS，利用率50%）训练130亿参数、1万亿token的模型要多少天？")
    assert ans.route == "calculate"
    assert "约 11.3天" in ans.headline, ans.headline


def test_english_lookup_over_a_chinese_note_leads_with_the_figure_in_english(assistant_kb):
    ans = assistant_kb.answer("How much does it cost to train GPT-3 once?")
    assert ans.headline.startswith("About US$1.4 million ["), ans.headline
    n = int(re.search(r"\[(\d+)\]", ans.headline).group(1))
    assert "140万美元" in ans.citation(n).quote


def test_claim_headline_gives_the_verdict_and_recomputed_figure(assistant_kb):
    ans = assistant_kb.answer("Is 2,369,640*0.08=4.7万美元 right?")
    assert ans.headline.startswith("Not right") and "189,571" in ans.headline, ans.headline
    zh = assistant_kb.answer("GPT-3训练一次真的只要140万美元吗？")
    assert zh.headline.startswith("说法成立") and "140万美元" in zh.headline, zh.headline


def test_headline_first_in_every_rendering(assistant_kb):
    ans = assistant_kb.answer("DGX A100 服务器的售价是多少？")
    assert "19.9万美元" in ans.headline
    assert render_markdown(ans).startswith(ans.headline) and render_text(ans).startswith(ans.headline)
    html_ = answer_html(ans)
    assert html_.index("kbqa-headline") < html_.index("kbqa-details")


@pytest.fixture(scope="module")
def assistant_kb(kb_index, embedders):
    from app.retrieval.retriever import Retriever
    from ingest.index import load_index

    settings, _ = kb_index
    return Assistant(settings=settings, retriever=Retriever(load_index(settings), settings, embedders=embedders), embedders=embedders)


# ------------------------------------------------------------------ other people's notes

OTHER_STYLE_QUESTIONS = [
    "What does inference cost per million output tokens on an A10, according to the interview?",
    "Kestrel-7B 预训练用了多少 GPU 小时？",
    "What is the monthly serving budget?",
    "How many FLOPs does it take to train a 7.2B-parameter model on 3.1 trillion tokens?",
    "用1024张H100（峰值989 TFLOPS，利用率40%）训练一个72亿参数、3.1万亿token的模型需要多少天？",
    "70亿参数的模型用FP16推理，权重要多少显存？",
    "What is the list price of an NVIDIA B200 GPU?",
    "Gemini Ultra 的参数量是多少？",
    "Is it true that serving Kestrel-7B costs 38,000 USD a month?",
]


@pytest.fixture(scope="module")
def other_styles(tmp_path_factory):
    from ingest.settings import Settings

    root = tmp_path_factory.mktemp("other-styles-headline")
    kb = shutil.copytree(FIXTURES / "other_styles", root / "notes")
    return Assistant.open(Settings(kb=kb, index=root / "index"))


@pytest.mark.parametrize("question", OTHER_STYLE_QUESTIONS)
def test_other_styles_answers_have_headlines(other_styles, question):
    data = render_json(other_styles.answer(question))
    assert_headline_in_language(data)


def test_other_styles_days_rounded(other_styles):
    ans = other_styles.answer(OTHER_STYLE_QUESTIONS[4])
    assert "约 3.83天" in ans.headline, ans.headline


def test_result_digits_follow_the_least_precise_measured_input():
    from app.answer.model import Calculation, InputUsed

    def calc(*texts):
        return Calculation("x", "x", tuple(InputUsed(f"i{k}", 1.0, "", "question", t) for k, t in enumerate(texts)), "", (), ())

    assert result_digits(calc("1000 GPUs", "70B")) == 3  # round numbers are exact counts
    assert result_digits(calc("19.22美元", "2,369,640")) == 4  # capped at 4
    assert result_digits(calc("19.22美元", "0.0035")) == 3  # at least 3
    assert result_digits(calc("312 TFLOPS", "46.2%", "$2.03")) == 3
