"""The cross-language bridge: CC-CEDICT both ways, the glossary files, BM25 over translations,
and eval scores by direction. Real dictionary, real BM25, real encoders where a retriever is built."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from app.cli import main
from app.evaluation.evaluate import score_lookups
from app.retrieval.dictionary import Dictionary, build, load_dictionary
from app.retrieval.glossary import GlossaryError, Glossary, notes_glossary, parse_glossary, read_glossary, shipped_glossary
from app.retrieval.lexical import LexicalScorer
from app.retrieval.lexicon import translations
from ingest.bm25 import Bm25Index
from ingest.settings import Bm25Settings, Settings
from ingest.tokenize import tokenize

# Notes in both languages, written for these tests: each question's answer is in the other language.
PASSAGES = [
    "Training the 65B model used 1,022,362 GPU hours on A100 cards; estimated carbon emissions were 173 tCO2eq.",
    "Each H100 has a thermal design power of 700 W; the cluster's electricity bill dominates operating expenses.",
    "The tokenizer splits text into subword units before the model sees it.",
    "训练一个千亿参数模型的成本约为460万美元，其中大部分花在显卡租用上。",
    "一个标准机柜可以放下7台服务器，每个机柜的功率约为45.5千瓦。",
    "这家公司的毛利率超过75%，主要收入来自订阅。",
]


@pytest.fixture(scope="module")
def scorer() -> LexicalScorer:
    return LexicalScorer(Bm25Index.build([tokenize(p) for p in PASSAGES], Bm25Settings()))


@pytest.fixture(scope="module")
def dictionary() -> Dictionary:
    return load_dictionary()


def bm25_rank(scorer, question: str, glossary: Glossary, dictionary, weight: float = 1.0) -> list[int]:
    found = translations(question, glossary, dictionary)
    scores = scorer.scores(tokenize(question), found, weight)
    return [int(i) for i in np.argsort(-scores, kind="stable") if scores[i] > 0]


def test_chinese_question_reaches_english_passage(scorer, dictionary):
    # 碳排放 -> carbon, emission(s): found in the English note through the dictionary alone
    assert bm25_rank(scorer, "训练产生了多少碳排放？", Glossary(), dictionary)[0] == 0
    assert 0 not in bm25_rank(scorer, "训练产生了多少碳排放？", Glossary(), None)  # no bridge, no match in English


def test_english_question_reaches_chinese_passage(scorer, dictionary):
    ranked = bm25_rank(scorer, "What is the gross margin of the company?", Glossary(), dictionary)
    assert ranked[0] == 5  # company -> 公司 by the dictionary
    ranked = bm25_rank(scorer, "How many servers fit in a standard rack?", Glossary(), dictionary)
    assert ranked[0] == 4  # server -> 服务器, standard -> 标准 (CC-CEDICT has no 机柜 for rack: the glossary does)
    assert bm25_rank(scorer, "How much power does each rack draw?", shipped_glossary(), dictionary)[0] == 4


def test_dictionary_lookups_both_ways(dictionary):
    assert {"carbon", "emission"} <= set(dictionary.english_for("碳排放"))
    assert "成本" in dictionary.chinese_for("costs")  # plurals and "to ..." are matched through the stem
    assert "训练" in dictionary.chinese_for("to train")
    assert dictionary.english_for("不是一个词条") == ()


def test_candidates_missing_from_the_notes_are_dropped(scorer):
    assert scorer.in_notes("emission") == [["emissions"]]  # matched through the stem
    assert scorer.in_notes("机柜") == [["机柜"]]
    assert scorer.in_notes("潜水艇") == []


def test_a_word_with_many_translations_counts_once(scorer, dictionary):
    """'power' has many Chinese candidates; together they add no more than the best one would alone."""
    found = [t for t in translations("power", Glossary(), dictionary)]
    both = scorer.scores([], found, 1.0)
    alone = np.max([scorer.scores([], [type(t)(t.source, (c,))], 1.0) for t in found for c in t.candidates], axis=0)
    assert both.max() > 0
    assert np.allclose(both, alone)


def test_translated_words_weigh_by_the_setting(scorer, dictionary):
    found = translations("训练的碳排放", Glossary(), dictionary)
    full, half = scorer.scores([], found, 1.0), scorer.scores([], found, 0.5)
    assert np.allclose(half, full / 2) and full[0] > 0


def test_build_reads_cedict_lines(tmp_path):
    text = ("# CC-CEDICT\n"
            "訓練 训练 [xun4 lian4] /to train/to drill/training/CL:個|个[ge4]/\n"
            "李 李 [Li3] /surname Li/\n"
            "成本 成本 [cheng2 ben3] /(manufacturing, production etc) costs/\n"
            "broken line without brackets\n")
    build(text, tmp_path / "d.sqlite")
    d = Dictionary(tmp_path / "d.sqlite")
    assert d.english_for("训练") == ("train", "drill", "training")
    assert d.english_for("李") == ()  # a surname is no translation
    assert d.chinese_for("cost") == ("成本",) and d.chinese_for("training") == ("训练",)


# --- the glossary files ---


def test_shipped_glossary_is_general():
    g = shipped_glossary()
    assert "卡时" in g.chinese("GPU hours") and "词元" in g.chinese("token")
    assert 50 < len(g) < 300


def test_user_glossary_extends_the_shipped_one(tmp_path):
    kb = tmp_path / "kb"
    (kb / ".kbqa").mkdir(parents=True)
    (kb / ".kbqa" / "glossary.tsv").write_text("# my words\ncompute voucher\t算力券\ntoken\t词符\n", encoding="utf-8")
    g = notes_glossary(kb)
    assert g.chinese("compute vouchers") == ("算力券",)
    assert "词元" in g.chinese("token") and "词符" in g.chinese("token")  # added to, not replaced
    assert g.english("算力券") == ("compute voucher",)
    assert notes_glossary(tmp_path / "no-such-kb") is shipped_glossary()


def test_user_glossary_term_reaches_the_notes(tmp_path):
    bm = Bm25Index.build([tokenize("每张算力券可抵扣1000元的训练费用。"), tokenize("机柜的电费很高。")], Bm25Settings())
    scorer = LexicalScorer(bm)
    mine = parse_glossary("compute voucher\t算力券\n", "g.tsv")
    with_it = scorer.scores(tokenize("What is a compute voucher worth?"), translations("What is a compute voucher worth?", mine, None), 1.0)
    without = scorer.scores(tokenize("What is a compute voucher worth?"), [], 1.0)
    assert with_it[0] > 0 and with_it[1] == 0 and without.max() == 0


@pytest.mark.parametrize("text,message", [
    ("token\t词元\nGPU hours 卡时\n", "g.tsv:2: expected an English term, a tab, then Chinese terms"),
    ("# ok\n\n卡时\tGPU hours\n", "g.tsv:3: the first column must be the English term, got '卡时'"),
    ("token\t\n", "g.tsv:1: expected an English term"),
])
def test_bad_glossary_line_names_file_and_line(text, message):
    with pytest.raises(GlossaryError) as err:
        parse_glossary(text, "g.tsv")
    assert str(err.value).startswith(message)


def test_unreadable_glossary(tmp_path):
    path = tmp_path / "glossary.tsv"
    path.write_bytes("token\t词元\n".encode("gbk"))
    with pytest.raises(GlossaryError, match="not UTF-8 text"):
        read_glossary(path)


def test_bad_user_glossary_is_reported_when_the_notes_open(small_kb, tmp_path, embedders):
    from app.retrieval.retriever import Retriever
    from ingest.index import build_index, load_index

    settings = Settings(kb=small_kb, index=tmp_path / "ix")
    build_index(settings, embedders=embedders)
    (small_kb / ".kbqa").mkdir()
    (small_kb / ".kbqa" / "glossary.tsv").write_text("rack\t机柜\nrack power\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"glossary\.tsv:2: "):
        Retriever(load_index(settings), settings, embedders=embedders)
    (small_kb / ".kbqa" / "glossary.tsv").write_text("rack\t机柜\n", encoding="utf-8")
    retriever = Retriever(load_index(settings), settings, embedders=embedders)
    assert "机柜" in retriever.search("How much power does a rack draw?", k=1)[0].chunk.text


# --- eval by direction ---


def test_lookup_scores_by_direction():
    notes = [("en.md", p) for p in PASSAGES[:3]] + [("zh.txt", p) for p in PASSAGES[3:]]
    items = [
        {"kind": "lookup", "lang": "zh", "question": "碳排放?", "evidence": ["173 tCO2eq"]},
        {"kind": "lookup", "lang": "en", "question": "rack power?", "evidence": ["45.5千瓦"]},
        {"kind": "lookup", "lang": "en", "question": "tokenizer?", "evidence": ["subword units"]},
        {"kind": "lookup", "lang": "en", "question": "margin?", "evidence": ["毛利率超过75%"]},
    ]
    answers = {"碳排放?": PASSAGES[:1], "rack power?": [PASSAGES[0], PASSAGES[4]], "tokenizer?": PASSAGES[2:3], "margin?": PASSAGES[:1]}
    score = score_lookups(items, lambda q: answers[q], notes)
    ways = score.as_json()["by_direction"]
    assert list(ways) == ["en->zh", "zh->en", "same language"]
    assert ways["en->zh"] == {"n": 2, "R@1": 0.0, "R@3": 0.5, "R@5": 0.5, "MRR": 0.25}
    assert ways["zh->en"]["R@1"] == 1.0 and ways["same language"]["n"] == 1
    assert [m["direction"] for m in score.misses] == ["en->zh", "en->zh"]


def test_eval_command_reports_directions(small_kb, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in [
        {"id": "a", "kind": "lookup", "lang": "en", "question": "How much power does a rack draw?", "evidence": ["45.5kW"]},
        {"id": "b", "kind": "lookup", "lang": "zh", "question": "训练GPT-3用了多少FLOPs？", "evidence": ["3.14e23 FLOPs"]},
        {"id": "c", "kind": "lookup", "lang": "zh", "question": "西部地区的电费怎么样？", "evidence": ["西部地区电费低"]},
    ]) + "\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["eval", str(questions), "--kb", str(small_kb), "--index", str(tmp_path / "ix")])
    assert r.exit_code == 0, r.output
    lines = r.output[r.output.index("lookup (3 questions)"):].splitlines()  # after the progress bars
    assert lines[0].startswith("lookup (3 questions): R@1 ")
    assert [line.split(" (")[0].strip() for line in lines[1:4]] == ["en->zh", "zh->en", "same language"]
    assert all(" (1): R@1 " in line for line in lines[1:4])


def test_the_translated_question_goes_only_to_the_encoders_named(tmp_path):
    """dense_translation_encoders=['use']: USE scores the question and its translation, e5 the question alone."""
    from app.retrieval.retriever import Retriever
    from ingest.index import build_index, load_index
    from ingest.settings import Settings

    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "n.md").write_text("# 成本\n\n训练一次的成本约为140万美元。\n\n推理每千个token的成本约为0.0035美元。\n", encoding="utf-8")
    settings = Settings(kb=kb, index=tmp_path / "index", retrieval={"dense_translation_encoders": ["use"]})
    build_index(settings)
    _, parts = Retriever(load_index(settings), settings).scores("How much does training cost?")
    assert "use translated" in parts and "e5 translated" not in parts and "e5" in parts
