"""BM25 (bm25s) against a reference implementation of the formula, and its edge cases."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from ingest.bm25 import Bm25Index
from ingest.settings import Bm25Settings
from ingest.tokenize import tokenize


def lucene_bm25(docs: list[list[str]], query: list[str], k1: float, b: float) -> list[float]:
    """Kamphuis et al. (ECIR 2020), 'Lucene (accurate)': the reference, term by term, in plain Python."""
    n = len(docs)
    avg = sum(map(len, docs)) / n
    df = Counter(t for d in docs for t in set(d))
    out = []
    for d in docs:
        tf = Counter(d)
        score = 0.0
        for t in set(query):
            if tf[t]:
                idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                score += idf * tf[t] / (tf[t] + k1 * (1 - b + b * len(d) / avg))
        out.append(score)
    return out


NOTES = [
    "GPT-3训练一次的成本约为140万美元。",
    "Training GPT-3 took 3.14e23 FLOPs on thousands of GPUs.",
    "一个标准机柜可放下约7台服务器，每个机柜的功率约为45.5kW。",
    "The cost of serving depends on the hourly price of a GPU and its utilization; GPU GPU.",
    "机柜 机柜 电力",
]


@pytest.mark.parametrize("k1,b", [(1.2, 0.75), (1.5, 0.3), (0.9, 1.0)])
def test_scores_match_the_reference_formula(k1, b):
    docs = [tokenize(t) for t in NOTES]
    bm = Bm25Index.build(docs, Bm25Settings(k1=k1, b=b))
    for question in ["GPT-3 训练成本", "GPU price", "机柜的功率", "nothing matches this"]:
        query = tokenize(question)
        assert np.allclose(bm.scores(query), lucene_bm25(docs, query, k1, b), rtol=1e-5, atol=1e-7)


def test_saved_and_loaded_scores_are_identical(tmp_path):
    docs = [tokenize(t) for t in NOTES]
    built = Bm25Index.build(docs, Bm25Settings(method="bm25+", k1=1.3))
    built.save(tmp_path / "bm25")
    loaded = Bm25Index.load(tmp_path / "bm25")
    assert loaded.params() == built.params() == {"method": "bm25+", "k1": 1.3, "b": 0.75, "delta": 0.5}
    assert loaded.vocabulary == built.vocabulary and loaded.n_docs == len(NOTES)
    for question in ["GPT-3 训练成本", "GPU price", "机柜"]:
        assert np.array_equal(loaded.scores(tokenize(question)), built.scores(tokenize(question)))


def test_a_repeated_query_term_counts_once():
    bm = Bm25Index.build([tokenize(t) for t in NOTES], Bm25Settings())
    assert np.array_equal(bm.scores(["机柜", "机柜", "gpu"]), bm.scores(["gpu", "机柜"]))


def test_unknown_and_empty_queries_score_zero():
    bm = Bm25Index.build([tokenize(t) for t in NOTES], Bm25Settings())
    for query in [[], ["zzz-unknown"], [""]]:
        scores = bm.scores(query)
        assert scores.shape == (len(NOTES),) and not scores.any()


def test_passages_without_terms():
    """A passage of stop words or symbols has no terms; a corpus of only such passages still indexes."""
    bm = Bm25Index.build([[], ["rack"], []], Bm25Settings())
    assert bm.scores(["rack"]).tolist()[0] == 0 and bm.scores(["rack"])[1] > 0
    empty = Bm25Index.build([[], []], Bm25Settings())
    assert empty.vocabulary == frozenset() and empty.scores(["rack"]).tolist() == [0.0, 0.0]
