"""Retrieval over the shipped notes, real FAISS, real encoders."""

from __future__ import annotations

import pytest

from app.evaluation.evaluate import first_hit_rank, load_eval, score_lookups
from app.question.language import detect_language

from conftest import eval_file_params


def test_chinese_question_finds_chinese_passage(retriever):
    hits = retriever.search("DGX A100 服务器的售价是多少？", k=5)
    assert any("19.9万美元" in h.chunk.text for h in hits)


def test_english_question_finds_chinese_passage(retriever):
    hits = retriever.search("How many server racks would the A100 fleet need?", k=5)
    assert any("机柜" in h.chunk.text for h in hits)


def test_hits_carry_locations(retriever):
    hit = retriever.search("GPT-3训练一次的成本", k=1)[0]
    data = hit.as_json()
    assert set(data) == {"text", "file", "heading", "lines", "score"}
    assert data["file"].endswith(".txt") and data["lines"][0] <= data["lines"][1]


def test_scores_sorted(retriever):
    hits = retriever.search("A100 utilization", k=10)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_language_detection():
    assert detect_language("每次查询的成本") == "zh"
    assert detect_language("What is the A100's peak FLOPS?") == "en"
    assert detect_language("A100 的峰值算力是多少") == "zh"


# kb_questions: measured R@5 0.889, MRR 0.809 (27 lookups; misses: answers split across two passages, an
# English "PhD" question over Chinese notes, a bare outline line); the dev set's targets are the README's.
@pytest.mark.parametrize("path,target", eval_file_params(kb_questions={"n": 25, "R@5": 0.85, "MRR": 0.78},
                                                         dev={"n": 30, "R@5": 0.95, "MRR": 0.85}))
def test_lookups_meet_targets(retriever, path, target):
    items = load_eval(path)
    score = score_lookups(items, lambda q: [h.chunk.text for h in retriever.search(q, k=5)])
    assert score.n >= target["n"]
    assert score.recall(5) >= target["R@5"], score.misses
    assert score.mrr >= target["MRR"], score.misses


def test_first_hit_rank_normalises():
    assert first_hit_rank(["x", "峰值 312　TFLOPS 的"], ["峰值312 TFLOPS"]) == 2
    assert first_hit_rank(["x"], ["y"]) is None
