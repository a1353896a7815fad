"""The Milvus store against the real engine: milvus-lite, started by pymilvus in a temp folder (no mocks).

The same retrieval as the in-process FAISS store (same hits, same eval figures), incremental ingest by
file, the alias moved only when a build is whole, interrupted builds, a lost collection repaired.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from app.evaluation.evaluate import load_eval, score_lookups  # noqa: E402
from app.retrieval.retriever import Retriever  # noqa: E402
from app.retrieval.stores import FaissStore, MilvusStore  # noqa: E402
from ingest import milvus_store  # noqa: E402
from ingest.errors import DamagedIndex, SettingsError  # noqa: E402
from ingest.builds import current_build  # noqa: E402
from ingest.index import build_index, ensure_index, load_index, read_manifest  # noqa: E402
from ingest.settings import Settings, load_settings  # noqa: E402

from conftest import DEV_EVAL, KB_QUESTIONS  # noqa: E402


def milvus_settings(kb, index, uri, **store):
    return Settings(kb=kb, index=index, store={"uri": str(uri), **store})


def rows_of(settings, build_name) -> list[dict]:
    client = milvus_store.connect(settings.store)
    name = milvus_store.collection_of(settings.store, build_name)
    got = client.query(name, filter="row >= 0", output_fields=["row", "file", "text", "file_sha256", "v0", "v1"], limit=16384)
    return sorted(got, key=lambda r: r["row"])


def build_collections(settings) -> list[str]:
    prefix = f"{settings.store.collection}_build_"
    return sorted(n for n in milvus_store.connect(settings.store).list_collections() if n.startswith(prefix))


@pytest.fixture(scope="module")
def kb_milvus(kb_index, tmp_path_factory, embedders):
    """The shipped notes in Milvus, made from a copy of the session's FAISS index: switching the store
    re-uses every vector (nothing is embedded again)."""
    faiss_settings, _ = kb_index
    root = tmp_path_factory.mktemp("kb-milvus")
    shutil.copytree(faiss_settings.index_dir, root / "index")
    settings = milvus_settings(faiss_settings.kb, root / "index", root / "milvus.db")
    index, report = ensure_index(settings, embedders=embedders)
    return settings, index, report


def test_switching_to_milvus_reuses_every_vector(kb_milvus, kb_index):
    settings, index, report = kb_milvus
    assert report is not None and report.chunks_embedded == 0 and report.files_read == []
    manifest = read_manifest(settings.index_dir)
    assert manifest["store"] == {"engine": "milvus", "collection": "kbqa"}
    assert not list(current_build(settings.index_dir).glob("encoder-*.faiss"))  # the vectors are in Milvus only
    assert index.vectors == {}
    # bit for bit the FAISS vectors, row for row
    faiss_index = load_index(kb_index[0])
    rows = rows_of(settings, index.path.name)
    assert [r["text"] for r in rows] == [c.text for c in faiss_index.chunks]
    for position, spec in enumerate(settings.embed.models):
        stored = np.array([r[f"v{position}"] for r in rows], dtype=np.float32)
        assert np.array_equal(stored, faiss_index.vectors[spec].reconstruct_n(0, len(rows)))
    alias = milvus_store.connect(settings.store).describe_alias("kbqa")["collection_name"]
    assert alias == milvus_store.collection_of(settings.store, index.path.name)


def test_same_hits_as_faiss(kb_milvus, retriever, embedders):
    settings, index, _ = kb_milvus
    milvus = Retriever(index, settings, embedders=embedders)
    assert isinstance(milvus.store, MilvusStore) and isinstance(retriever.store, FaissStore)
    for item in load_eval(KB_QUESTIONS)[:12]:
        want = retriever.search(item["question"], k=5)
        got = milvus.search(item["question"], k=5)
        assert [(h.chunk.file, h.chunk.line_start) for h in got] == [(h.chunk.file, h.chunk.line_start) for h in want], item["question"]
        assert [h.score for h in got] == pytest.approx([h.score for h in want], abs=1e-5)


def test_a_released_collection_is_loaded_again(kb_milvus, embedders):
    """Milvus releases collections when it restarts (milvus-lite whenever a new process opens it)."""
    settings, index, _ = kb_milvus
    milvus_store.connect(settings.store).release_collection(milvus_store.collection_of(settings.store, index.path.name))
    hits = Retriever(load_index(settings), settings, embedders=embedders).search("DGX A100 服务器的售价是多少？", k=5)
    assert any("19.9万美元" in h.chunk.text for h in hits)


@pytest.mark.parametrize("path", [KB_QUESTIONS, pytest.param(DEV_EVAL, marks=pytest.mark.skipif(not DEV_EVAL.exists(), reason="no ../shared"))])
@pytest.mark.parametrize("candidates", [100, 20])
def test_eval_figures_match_faiss(kb_milvus, retriever, embedders, path, candidates):
    """R@5 and MRR within one question of the in-process store, also when Milvus returns only 20
    passages per encoder (a union of well under the 123 passages)."""
    settings, index, _ = kb_milvus
    narrow = settings.model_copy(update={"store": settings.store.model_copy(update={"candidates": candidates})})
    milvus = Retriever(index, narrow, embedders=embedders)
    items = load_eval(path)
    want = score_lookups(items, lambda q: [h.chunk.text for h in retriever.search(q, k=5)])
    got = score_lookups(items, lambda q: [h.chunk.text for h in milvus.search(q, k=5)])
    one = 1 / want.n
    assert abs(got.recall(5) - want.recall(5)) <= one + 1e-9
    assert abs(got.mrr - want.mrr) <= one + 1e-9
    if candidates == 100:
        assert got.ranks == want.ranks


def test_ingest_reingest_change_remove(small_kb, tmp_path, embedders):
    s = milvus_settings(small_kb, tmp_path / "index", tmp_path / "m.db")
    first = build_index(s, embedders=embedders)
    assert sorted(first.files_read) == ["en.md", "gbk.txt", "zh.txt"]
    b1 = current_build(s.index_dir).name
    rows1 = rows_of(s, b1)
    assert len(rows1) == first.chunks
    shas = read_manifest(s.index_dir)["files"]
    assert all(r["file_sha256"] == shas[r["file"]]["sha256"] for r in rows1)

    again = build_index(s, embedders=embedders)  # nothing changed: every vector read back, none embedded
    assert again.chunks_embedded == 0 and sorted(again.files_reused) == ["en.md", "gbk.txt", "zh.txt"]
    b2 = current_build(s.index_dir).name
    assert [(r["row"], r["text"], r["v0"], r["v1"]) for r in rows_of(s, b2)] == [(r["row"], r["text"], r["v0"], r["v1"]) for r in rows1]

    (small_kb / "zh.txt").write_text("机柜与电力\n\n一个标准机柜可放下约8台服务器。\n", encoding="utf-8")
    changed = build_index(s, embedders=embedders)
    assert changed.files_read == ["zh.txt"] and sorted(changed.files_reused) == ["en.md", "gbk.txt"]
    b3 = current_build(s.index_dir).name
    rows3 = rows_of(s, b3)
    assert any("8台" in r["text"] for r in rows3) and not any("7台" in r["text"] for r in rows3)
    kept = {r["text"]: (r["v0"], r["v1"]) for r in rows1 if r["file"] != "zh.txt"}
    assert {r["text"]: (r["v0"], r["v1"]) for r in rows3 if r["file"] != "zh.txt"} == kept
    # the live build and the one before stay (a reader may still be searching it); older ones go
    assert build_collections(s) == sorted(milvus_store.collection_of(s.store, b) for b in (b2, b3))

    (small_kb / "gbk.txt").unlink()
    removed = build_index(s, embedders=embedders)
    assert removed.removed == ["gbk.txt"]
    rows4 = rows_of(s, current_build(s.index_dir).name)
    assert {r["file"] for r in rows4} == {"en.md", "zh.txt"}
    hits = Retriever(load_index(s), s, embedders=embedders).search("How many servers fit in a rack?", k=2)
    assert hits and all(h.chunk.file != "gbk.txt" for h in hits)


def test_interrupted_build_leaves_the_live_one(small_kb, tmp_path, embedders):
    s = milvus_settings(small_kb, tmp_path / "index", tmp_path / "m.db")
    build_index(s, embedders=embedders)
    live = current_build(s.index_dir).name
    (small_kb / "new.md").write_text("# Power\n\nA rack draws 45.5 kW at full load.\n", encoding="utf-8")

    def stop_while_publishing(stage, done, total):
        if stage == "publish":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_index(s, progress=stop_while_publishing, embedders=embedders)
    assert current_build(s.index_dir).name == live
    assert milvus_store.live_collection(s.store) == milvus_store.collection_of(s.store, live)
    assert build_collections(s) == [milvus_store.collection_of(s.store, live)]  # the half-written one was dropped
    index = load_index(s)
    assert all(c.file != "new.md" for c in index.chunks)
    assert Retriever(index, s, embedders=embedders).search("rack power", k=1)

    # a build killed outright leaves its collection behind: the next build drops it
    orphan = milvus_store.collection_of(s.store, "build-19990101000000-dead00")
    client = milvus_store.connect(s.store)
    client.create_collection(orphan, schema=milvus_store._schema([512, 384]),
                             index_params=milvus_store._index_params(client, s.store, 2))
    report = build_index(s, embedders=embedders)
    assert report.files_read == ["new.md"]
    assert orphan not in build_collections(s)
    assert any(c.file == "new.md" for c in load_index(s).chunks)


def test_lost_collection_is_rebuilt(small_kb, tmp_path, embedders):
    s = milvus_settings(small_kb, tmp_path / "index", tmp_path / "m.db")
    build_index(s, embedders=embedders)
    build = current_build(s.index_dir).name
    milvus_store.connect(s.store).drop_alias("kbqa")
    milvus_store.connect(s.store).drop_collection(milvus_store.collection_of(s.store, build))
    with pytest.raises(DamagedIndex, match="Milvus collection kbqa_build_.* is missing"):
        load_index(s)
    index, report = ensure_index(s, embedders=embedders)
    assert report.repaired and "missing" in report.repaired
    assert len(index.chunks) == report.chunks and milvus_store.live_collection(s.store)


def test_store_settings_are_checked(monkeypatch):
    monkeypatch.setenv("KBQA_STORE__URI", "/tmp/notes-index")
    with pytest.raises(SettingsError, match="KBQA_STORE__URI: give a milvus-lite file ending in .db"):
        load_settings()
    monkeypatch.setenv("KBQA_STORE__URI", "http://127.0.0.1:19530")
    assert load_settings().store.milvus
    with pytest.raises(SettingsError, match="KBQA_STORE__COLLECTION"):
        load_settings(store={"collection": "kb-qa"})


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_file_another_process_has_open_is_named_with_the_way_to_share_it(tmp_path):
    """milvus-lite is one process at a time: a second process is told so, and how to share the file."""
    import subprocess
    import sys

    db = tmp_path / "busy.db"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom pymilvus import MilvusClient\n"
                               f"MilvusClient({str(db)!r}); print('open', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        settings = milvus_settings(tmp_path / "kb", tmp_path / "index", db)
        with pytest.raises(milvus_store.StoreUnavailable) as refused:
            milvus_store.connect(settings.store)
        message = str(refused.value)
        assert "another process has this milvus-lite file open" in message and f"milvus-lite server --data-dir {db}" in message
    finally:
        holder.stdin.close()
        holder.wait(30)


def test_ingest_and_search_in_two_processes_share_one_store_through_a_milvus_lite_server(small_kb, tmp_path, embedders):
    """`milvus-lite server` serves one folder to several processes: this process ingests, another searches
    the same store by its http URI, and a later ingest here is seen there."""
    import json
    import os
    import subprocess
    import sys
    import time

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(tmp_path / "shared.db"),
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        uri = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                milvus_store._client.cache_clear()
                milvus_store.connect(milvus_settings(small_kb, tmp_path / "index", uri).store).list_collections()
                break
            except milvus_store.StoreUnavailable:
                assert time.monotonic() < deadline and server.poll() is None, server.stderr.read().decode()[-2000:]
                time.sleep(0.5)
        settings = milvus_settings(small_kb, tmp_path / "index", uri)
        build_index(settings, embedders=embedders)
        env = {**os.environ, "KBQA_STORE__URI": uri}

        def search_elsewhere(question: str) -> list[dict]:
            out = subprocess.run([sys.executable, "-m", "app.cli", "search", question, "--kb", str(small_kb),
                                  "--index", str(tmp_path / "index"), "--json", "--k", "3"],
                                 capture_output=True, text=True, env=env, timeout=300)
            assert out.returncode == 0, out.stderr[-2000:]
            return json.loads(out.stdout)["results"]

        assert "45.5kW" in search_elsewhere("How much power does a rack draw?")[0]["text"]
        (small_kb / "cooling.md").write_text("# Cooling\n\nLiquid cooling removes 80 kW from one rack of B200s.\n", encoding="utf-8")
        build_index(settings, embedders=embedders)
        assert search_elsewhere("How much heat does liquid cooling remove from a B200 rack?")[0]["file"] == "cooling.md"
    finally:
        server.terminate()
        server.wait(30)
