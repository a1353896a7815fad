"""Saying "not in the notes" by what is asked, in both languages, on fixture notes written for these
tests (tests/fixtures/abstain/: a Chinese note on renting H20s and training Orca-13B, an English note
on an L40S fleet). Each reason has a test in Chinese and in English, and so do the questions the notes
do answer (no false abstention). Real index in a temp dir, real encoders."""

from __future__ import annotations

import shutil

import pytest

from app.answer.assistant import Assistant
from app.question import Question
from app.question.asked import states_value, value_kinds
from app.routes.not_in_notes import answers, constraints, topic_words
from conftest import FIXTURES
from ingest.settings import Settings

NOTES = FIXTURES / "abstain"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    root = tmp_path_factory.mktemp("abstain")
    kb = shutil.copytree(NOTES, root / "notes")
    return Assistant.open(Settings(kb=kb, index=root / "index"))


# ------------------------------------------------------------------ the pieces, without an index

@pytest.mark.parametrize("question,kinds", [
    ("比特币挖矿的耗电量是多少？", ["energy"]),
    ("How much electricity does bitcoin mining use?", ["energy"]),
    ("L40S 的功耗是多少？", ["power"]),
    ("What power does an L40S draw?", ["power"]),
    ("H20 的显存带宽是多少？", ["rate"]),
    ("How many parameters does Orca-13B have?", ["parameters"]),
    ("Orca-13B 的参数量是多少？", ["parameters"]),
    ("训练 Orca-13B 的计算量是多少 FLOPs？", ["flops"]),
    ("How much CO2 did the training emit?", ["emissions"]),
    ("How many servers are in the fleet?", ["count"]),
    ("Why is decoding bound by memory?", []),
    ("为什么推理受限于显存？", []),
])
def test_the_kind_of_value_asked_for(question, kinds):
    assert value_kinds(question) == kinds


def test_a_passage_states_a_value_with_its_unit_or_in_its_table_header():
    assert states_value("energy", "全年用电约 1,200 万千瓦时") and not states_value("energy", "用电很多")
    assert states_value("money", "An L40S rents for $1.10 per hour") and not states_value("money", "512 张 H20")
    assert states_value("power", "| GPU | Power (W) |\n| L40S | 350 |")


def test_constraints_are_names_versions_and_years_not_generic_words():
    assert constraints(Question("How many GPUs per-GPU did the A100 use in 2020?")) == ["a100", "2020"]
    assert constraints(Question("How much CO2 did GPT-3 emit?")) == ["gpt-3"]  # CO2 is the kind asked for


def test_a_passage_answers_when_it_names_the_thing_and_states_the_value():
    q = Question("How much does an L40S rent for per hour?")
    assert answers(q, "Costs", "An L40S rents for $1.10 per hour from our provider.")
    assert not answers(q, "Costs", "某云厂商的 H20 整机按月租赁，8 卡整机每月约 9 万元。")
    assert answers(q, "Costs", "rents for $1.10 per hour", around="The fleet runs on L40S cards")


def test_topic_words_leave_out_the_words_that_ask():
    assert topic_words(Question("量子计算机的工作原理是什么？"))[0] == "量子"
    assert "耗电量" not in topic_words(Question("比特币挖矿的耗电量是多少？"))


# ------------------------------------------------------------------ over the fixture notes

@pytest.mark.parametrize("question,reason", [
    ("What is the memory bandwidth of an H20?", "the notes give no throughput or bandwidth for h20"),
    ("H20 的显存带宽是多少？", "笔记中没有给出关于 h20 的吞吐量或带宽"),
    ("How much power does an L40S draw?", "the notes give no power figure for l40s"),
    ("L40S 的功耗是多少？", "笔记中没有给出关于 l40s 的功率"),
    ("How many days did the Orca-13B training take in 2021?", "the notes give no duration for orca-13b, 2021"),
    ("2021 年 Orca-13B 训练用了多少天？", "笔记中没有给出关于 orca-13b、2021 的时长"),
    ("How do quantum computers work?", ("the notes do not discuss this topic", "the notes never mention quantum, computers")),
    ("量子计算机的工作原理是什么？", ("笔记中没有与问题相关的内容", "笔记中没有出现 量子")),
    ("What does a B200 cost?", "the notes never mention B200"),
    ("B200 的售价是多少？", "笔记中没有出现 B200"),
])
def test_not_in_the_notes_says_why_and_lists_related_passages(assistant, question, reason):
    ans = assistant.answer(question)
    assert ans.route == "not_in_notes"
    related = ans.parts[0]
    assert related.kind == "related" and related.reason in ((reason,) if isinstance(reason, str) else reason)
    assert related.refs == tuple(c.n for c in ans.citations)


@pytest.mark.parametrize("question,figure", [
    ("How many days did the Orca-13B training take?", "21 天"),
    ("Orca-13B 训练用了多少天？", "21 天"),
    ("How much memory does an L40S have?", "48 GB"),
    ("L40S 每小时的租金是多少钱？", "$1.10"),
    ("H20 整机每月租金多少钱？", "9 万元"),
    ("机房全年用电多少千瓦时？", "1,200 万千瓦时"),
])
def test_questions_the_notes_answer_are_answered_in_both_languages(assistant, question, figure):
    ans = assistant.answer(question)
    assert ans.route == "lookup", [p for p in ans.parts]
    assert any(figure in c.passage for c in ans.citations)


def test_a_why_question_is_left_to_retrieval(assistant):
    assert assistant.answer("Why did we choose the L40S?").route == "lookup"
