"""Index build and load on real FAISS with the real encoders: manifest, staleness,
incremental ingest, atomic builds, errors."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time

import numpy as np
import pytest

from ingest.bm25 import Bm25Index
from ingest.errors import DamagedIndex, EmptyKb, IndexMissing, KbNotFound, StaleIndex
from ingest.builds import current_build  # noqa: E402
from ingest.index import BM25_DIR, build_index, load_index, read_manifest
from ingest.loaded import embed_text
from ingest.settings import Settings
from ingest.tokenize import TOKENIZER, tokenize


def settings_for(kb, tmp_path, **kw):
    return Settings(kb=kb, index=tmp_path / "index", **kw)


def vectors_by_file(index):
    out = {}
    for spec, vi in index.vectors.items():
        matrix = vi.reconstruct_n(0, vi.ntotal)
        for row, chunk in enumerate(index.chunks):
            out.setdefault((spec, chunk.file), []).append(matrix[row].tobytes())
    return out


def test_build_records_manifest(small_kb, tmp_path, embedders):
    s = settings_for(small_kb, tmp_path)
    report = build_index(s, embedders=embedders)
    assert sorted(report.files_read) == ["en.md", "gbk.txt", "zh.txt"]
    manifest = read_manifest(s.index_dir)
    assert manifest["embedders"] == ["use", "e5"]
    assert manifest["dims"] == {"use": 512, "e5": 384}
    assert manifest["chunker"]["target_chars"] == s.chunk.target_chars
    assert manifest["bm25"] == {"library": "bm25s", "tokenizer": TOKENIZER, "method": "lucene", "k1": 1.2, "b": 0.75, "delta": 0.5}
    assert manifest["files"]["gbk.txt"]["encoding"] in {"gb18030", "gbk", "gb2312"}
    assert len(manifest["files"]["en.md"]["sha256"]) == 64
    index = load_index(s)
    assert len(index.chunks) == report.chunks == manifest["chunks"]
    assert all(vi.ntotal == len(index.chunks) for vi in index.vectors.values())
    assert f"chunks: {report.chunks}" in report.summary()


def test_incremental_change_one_file(small_kb, tmp_path, embedders):
    s = settings_for(small_kb, tmp_path)
    build_index(s, embedders=embedders)
    before = vectors_by_file(load_index(s))
    (small_kb / "zh.txt").write_text("机柜与电力\n\n一个标准机柜可放下约8台服务器。\n", encoding="utf-8")
    report = build_index(s, embedders=embedders)
    assert report.files_read == ["zh.txt"]
    assert sorted(report.files_reused) == ["en.md", "gbk.txt"]
    index = load_index(s)
    after = vectors_by_file(index)
    for spec in ("use", "e5"):
        for f in ("en.md", "gbk.txt"):
            assert after[(spec, f)] == before[(spec, f)]  # byte-identical, not re-embedded
        assert after[(spec, "zh.txt")] != before[(spec, "zh.txt")]
    assert any("约8台" in c.text for c in index.chunks)
    assert not any("约7台" in c.text for c in index.chunks)


def test_nothing_changed_embeds_nothing(small_kb, tmp_path, embedders):
    s = settings_for(small_kb, tmp_path)
    build_index(s, embedders=embedders)
    report = build_index(s, embedders=embedders)
    assert report.files_read == [] and report.chunks_embedded == 0
    assert len(list(s.index_dir.glob("build-*"))) == 1


def test_deleted_file_disappears(small_kb, tmp_path, embedders):
    s = settings_for(small_kb, tmp_path)
    build_index(s, embedders=embedders)
    (small_kb / "en.md").unlink()
    report = build_index(s, embedders=embedders)
    assert report.removed == ["en.md"]
    assert {c.file for c in load_index(s).chunks} == {"zh.txt", "gbk.txt"}


def test_bad_note_reported_and_skipped(small_kb, tmp_path, embedders):
    (small_kb / "empty.txt").write_bytes(b"")
    (small_kb / "blob.md").write_bytes(b"\x00\x01\x02\xff" * 100)
    s = settings_for(small_kb, tmp_path)
    report = build_index(s, embedders=embedders)
    skipped = dict(report.skipped)
    assert set(skipped) == {"empty.txt", "blob.md"}
    assert "empty" in skipped["empty.txt"] and "binary" in skipped["blob.md"]
    assert "skipped empty.txt" in report.summary()
    assert {c.file for c in load_index(s).chunks} == {"en.md", "zh.txt", "gbk.txt"}


def test_stale_index_refused(small_kb, tmp_path, embedders):
    s = settings_for(small_kb, tmp_path)
    build_index(s, embedders=embedders)
    other = settings_for(small_kb, tmp_path, embed={"models": ["use"], "weights": [1.0]})
    with pytest.raises(StaleIndex, match=r"run `kbqa ingest` to rebuild it") as err:
        load_index(other)
    assert "embedders" in str(err.value)
    rechunked = settings_for(small_kb, tmp_path, chunk={"target_chars": 150, "max_chars": 300})
    with pytest.raises(StaleIndex, match="chunker"):
        load_index(rechunked)


def test_missing_index_and_bad_paths(tmp_path):
    with pytest.raises(IndexMissing, match="run `kbqa ingest` first"):
        load_index(Settings(kb=tmp_path, index=tmp_path / "nothing"))
    with pytest.raises(KbNotFound, match="notes folder not found"):
        build_index(Settings(kb=tmp_path / "nope"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EmptyKb, match="no readable .txt or .md notes"):
        build_index(Settings(kb=empty))


class _HangOn:
    """A real encoder that hangs (touching `marker` first) on the passages of a note containing `trigger`."""

    def __init__(self, spec, trigger, marker):
        from ingest.embed import make_embedder

        self.inner, self.trigger, self.marker = make_embedder(spec), trigger, marker
        self.name, self.dim = self.inner.name, self.inner.dim

    def passages(self, texts):
        if any(self.trigger in t for t in texts):
            self.marker.touch()
            time.sleep(60)
        return self.inner.passages(texts)


def _hanging_build(kb, index_dir, trigger, marker):
    """Child process (spawned: a forked child of a process that ran OpenMP can hang in it): an ingest
    that is killed while it embeds the note containing `trigger`."""
    from ingest.index import build_index as build
    from ingest.settings import Settings as S

    build(S(kb=kb, index=index_dir), embedders={spec: _HangOn(spec, trigger, marker) for spec in ("use", "e5")})


def _run_and_kill(small_kb, s, trigger, tmp_path):
    marker = tmp_path / "hanging"
    proc = multiprocessing.get_context("spawn").Process(target=_hanging_build, args=(small_kb, s.index_dir, trigger, marker))
    proc.start()
    deadline = time.time() + 60
    while time.time() < deadline and not marker.exists():
        time.sleep(0.05)
    assert marker.exists(), "the ingest never reached the note"
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()


def test_interrupted_ingest_keeps_previous_index(small_kb, tmp_path, embedders):
    s = settings_for(small_kb, tmp_path)
    build_index(s, embedders=embedders)
    before = current_build(s.index_dir)
    chunks_before = load_index(s).chunks
    (small_kb / "en.md").write_text("# Changed\n\nA new sentence to embed.\n", encoding="utf-8")
    _run_and_kill(small_kb, s, "A new sentence", tmp_path)
    assert current_build(s.index_dir) == before
    assert load_index(s).chunks == chunks_before
    # the next ingest finishes the job and clears what the killed one left
    report = build_index(s, embedders=embedders)
    assert report.files_read == ["en.md"]
    assert len(list(s.index_dir.glob("build-*"))) == 1
    assert not list(s.index_dir.glob(".CURRENT.*")) and not (s.index_dir / ".checkpoints").exists()


def test_killed_cold_ingest_resumes_from_its_checkpoints(small_kb, tmp_path, embedders):
    """Vectors computed before the kill are not computed again: the encoders run one after another, and the
    kill came while the first (use) was at the last note, so use's vectors of the first two are reused."""
    s = settings_for(small_kb, tmp_path)
    _run_and_kill(small_kb, s, "一个标准机柜", tmp_path)  # zh.txt, the last note in order
    assert current_build(s.index_dir) is None
    (s.index_dir / ".CURRENT.999999").write_text("build-x", encoding="utf-8")  # as a kill between write and rename leaves it
    report = build_index(s, embedders=embedders)
    manifest = read_manifest(s.index_dir)
    assert report.vectors_from_checkpoint == manifest["files"]["en.md"]["chunks"] + manifest["files"]["gbk.txt"]["chunks"]
    assert report.chunks_embedded == report.chunks and report.chunks_from_checkpoint == 0  # e5 embedded every passage now
    assert "passage vectors from an interrupted ingest" in report.summary()
    assert not list(s.index_dir.glob(".CURRENT.*")) and not (s.index_dir / ".checkpoints").exists()
    # the resumed vectors are the ones a fresh ingest computes
    fresh = settings_for(small_kb, tmp_path / "fresh")
    build_index(fresh, embedders=embedders)
    got, want = vectors_by_file(load_index(s)), vectors_by_file(load_index(fresh))
    assert got.keys() == want.keys()
    for key in want:
        assert np.allclose(np.frombuffer(b"".join(got[key]), np.float32), np.frombuffer(b"".join(want[key]), np.float32), atol=1e-5)


def test_chunks_file_is_jsonl_with_locations(kb_index):
    s, report = kb_index
    build = current_build(s.index_dir)
    rows = [json.loads(line) for line in (build / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == report.chunks
    assert all(set(r) == {"text", "file", "heading", "lines"} for r in rows)
    assert all(1 <= r["lines"][0] <= r["lines"][1] for r in rows)
    assert np.median([len(r["text"]) for r in rows]) < 400
    assert max(len(r["text"]) for r in rows) <= 1000


def test_line_separator_characters_survive(small_kb, tmp_path, embedders):
    (small_kb / "sep.md").write_text("# Costs\u2028of training\n\nA passage with a\u2029paragraph mark and a \x85 next-line.\n", encoding="utf-8")
    s = settings_for(small_kb, tmp_path)
    build_index(s, embedders=embedders)
    assert any(c.file == "sep.md" for c in load_index(s).chunks)
    assert build_index(s, embedders=embedders).chunks_embedded == 0  # the previous build reads back too


def test_a_fixed_note_is_noticed(small_kb, tmp_path, embedders):
    from ingest.index import kb_changed

    (small_kb / "later.txt").write_bytes(b"")
    s = settings_for(small_kb, tmp_path)
    build_index(s, embedders=embedders)
    assert not kb_changed(s, read_manifest(s.index_dir))
    (small_kb / "later.txt").write_text("机柜的功率约为45.5kW。", encoding="utf-8")
    assert kb_changed(s, read_manifest(s.index_dir))


def test_one_weight_per_encoder():
    with pytest.raises(ValueError, match="one weight per model"):
        Settings(embed={"models": ["use", "e5"], "weights": [1.0]})


QUESTIONS = ["GPT-3 训练成本", "rack power 机柜", "数据中心的电费", "How many GPUs?", "nothing like this"]


def test_saved_bm25_scores_equal_a_fresh_build(kb_index):
    s, _ = kb_index
    index = load_index(s)
    fresh = Bm25Index.build([tokenize(embed_text(c)) for c in index.chunks], s.bm25)
    assert index.bm25.n_docs == len(index.chunks)
    assert index.vocabulary == fresh.vocabulary and "机柜" in index.vocabulary
    for q in QUESTIONS:
        assert np.array_equal(index.bm25.scores(tokenize(q)), fresh.scores(tokenize(q)))


def test_bm25_is_read_from_disk_not_rebuilt_at_load(small_kb, tmp_path, embedders):
    s = settings_for(small_kb, tmp_path)
    build_index(s, embedders=embedders)
    query = tokenize("机柜的功率")
    before = load_index(s).bm25.scores(query)
    data = current_build(s.index_dir) / BM25_DIR / "data.csc.index.npy"
    np.save(data, np.load(data) * 2)  # changed on disk: refused, not silently used nor rebuilt at load
    assert before.any()
    with pytest.raises(DamagedIndex, match=r"bm25/data.csc.index.npy has changed since it was built \(checksum mismatch\)"):
        load_index(s)


def test_bm25_settings_mismatch_refused_then_rebuilt_without_reembedding(small_kb, tmp_path, embedders):
    s = settings_for(small_kb, tmp_path)
    build_index(s, embedders=embedders)
    other = settings_for(small_kb, tmp_path, bm25={"k1": 1.5})
    with pytest.raises(StaleIndex, match=r"bm25: index has .*'k1': 1.2.*settings want .*'k1': 1.5.*run `kbqa ingest` to rebuild it"):
        load_index(other)
    report = build_index(other, embedders=embedders)
    assert report.chunks_embedded == 0 and sorted(report.files_reused) == ["en.md", "gbk.txt", "zh.txt"]
    assert load_index(other).bm25.params()["k1"] == 1.5
    with pytest.raises(StaleIndex, match="bm25"):
        load_index(s)


def test_other_tokenizer_in_manifest_refused(small_kb, tmp_path, embedders):
    s = settings_for(small_kb, tmp_path)
    build_index(s, embedders=embedders)
    path = current_build(s.index_dir) / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["bm25"]["tokenizer"] = "whitespace-v0"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StaleIndex, match=r"'tokenizer': 'whitespace-v0'.*run `kbqa ingest` to rebuild it"):
        load_index(s)


def test_index_without_bm25_refused(small_kb, tmp_path, embedders):
    """E.g. an index built before BM25 was saved with it: its manifest has no bm25 entry."""
    s = settings_for(small_kb, tmp_path)
    build_index(s, embedders=embedders)
    build = current_build(s.index_dir)
    path = build / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    del manifest["bm25"]
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StaleIndex, match="bm25: index has None"):
        load_index(s)
    assert build_index(s, embedders=embedders).chunks_embedded == 0  # the next ingest mends it
    (current_build(s.index_dir) / BM25_DIR / "vocab.index.json").unlink()
    with pytest.raises(DamagedIndex, match=r"damaged \(bm25/vocab.index.json is missing\); run `kbqa ingest` to rebuild it"):
        load_index(s)
