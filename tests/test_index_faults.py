"""Fault injection on a real index (real FAISS, real encoders): every damage is named in one
sentence, and repaired by the next ingest (or search/ask/serve) without trusting a vector of
the damaged build; readers never see a half-swapped build; links and oversized notes are
skipped with a reason."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading

import numpy as np
import pytest

from ingest.errors import DamagedIndex
from ingest.builds import current_build  # noqa: E402
from ingest.index import (build_index, ensure_index, integrity_of, load_index, read_manifest,
                          reading_build, scan_notes)
from ingest.settings import Settings


@pytest.fixture
def built(small_kb, tmp_path, embedders):
    s = Settings(kb=small_kb, index=tmp_path / "index")
    build_index(s, embedders=embedders)
    return s


def _vectors(index):
    return {spec: vi.reconstruct_n(0, vi.ntotal) for spec, vi in index.vectors.items()}


def _truncate(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _drop_a_line(path):
    lines = path.read_text(encoding="utf-8").split("\n")
    del lines[1]
    path.write_text("\n".join(lines), encoding="utf-8")


FAULTS = {
    "truncated faiss": (lambda b: _truncate(b / "encoder-0.faiss"), r"encoder-0.faiss has \d+ bytes, \d+ when it was built"),
    "missing faiss": (lambda b: (b / "encoder-1.faiss").unlink(), r"encoder-1.faiss is missing"),
    "garbled manifest": (lambda b: (b / "manifest.json").write_bytes(b'{"format": 2, "files": {\x00\x01'), r"manifest.json is not valid JSON"),
    "truncated chunks": (lambda b: _truncate(b / "chunks.jsonl", 0.7), r"chunks.jsonl has \d+ bytes"),
    "a line missing from chunks": (lambda b: _drop_a_line(b / "chunks.jsonl"), r"chunks.jsonl has"),
    "binary CURRENT": (lambda b: (b.parent / "CURRENT").write_bytes(b"\xff\xfe\x00build\x01"), r"the file CURRENT does not name a build"),
    "CURRENT names a removed build": (lambda b: (b.parent / "CURRENT").write_text("build-gone", encoding="utf-8"), r"CURRENT names build-gone, which is missing"),
    "bm25 file missing": (lambda b: next((b / "bm25").glob("*.npy")).unlink(), r"bm25/.* is missing"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_damage_is_named_then_repaired_by_ingest_without_reusing_vectors(fault, built, embedders, caplog):
    good = load_index(built)
    damage, reason = FAULTS[fault]
    damage(current_build(built.index_dir) if "CURRENT" not in fault else good.path)
    with pytest.raises(DamagedIndex, match=rf"the index at .* is damaged \((build-\S+/)?{reason}.*\); run `kbqa ingest` to rebuild it"):
        load_index(built)
    with caplog.at_level(logging.WARNING, logger="kbqa.ingest"):
        report = build_index(built, embedders=embedders)
    assert report.repaired and "rebuilt from the notes" in report.summary()
    assert "is damaged" in caplog.text and "re-embedding every note" in caplog.text
    assert report.chunks_embedded == report.chunks  # nothing of the damaged build was trusted
    fixed = load_index(built)
    assert [c.text for c in fixed.chunks] == [c.text for c in good.chunks]
    for spec, matrix in _vectors(good).items():
        assert np.allclose(_vectors(fixed)[spec], matrix, atol=1e-5)


@pytest.mark.parametrize("fault", ["truncated faiss", "garbled manifest", "binary CURRENT", "a line missing from chunks"])
def test_ensure_index_repairs_and_says_so(fault, built, embedders, caplog):
    """The path of `kbqa search`, `kbqa ask` and `kbqa serve`."""
    damage, _ = FAULTS[fault]
    damage(current_build(built.index_dir) if "CURRENT" not in fault else load_index(built).path)
    with caplog.at_level(logging.WARNING, logger="kbqa.ingest"):
        index, report = ensure_index(built, embedders=embedders)
    assert report is not None and report.repaired
    assert "damaged" in caplog.text
    assert len(index.chunks) == read_manifest(built.index_dir)["chunks"]


def test_a_missing_line_is_caught_even_with_rewritten_checksums(built, embedders):
    """The silent corruption once seen: one line gone from chunks.jsonl shifted every later passage
    onto another passage's vectors. Even with the checksums recomputed, the counts catch it."""
    build = current_build(built.index_dir)
    _drop_a_line(build / "chunks.jsonl")
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    manifest["integrity"] = integrity_of(build)
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(DamagedIndex, match=r"chunks.jsonl holds \d+ passages, the manifest \d+"):
        load_index(built)
    report = build_index(built, embedders=embedders)
    assert report.repaired and report.chunks_embedded == report.chunks


def test_readers_never_see_a_half_swapped_build(built, embedders):
    """Loads while builds are swapped and removed: every load succeeds with a whole build."""
    n = read_manifest(built.index_dir)["chunks"]
    failures, loads, stop = [], [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                loads.append(len(load_index(built).chunks))
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                failures.append(repr(exc))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for _ in range(12):
            build_index(built, embedders=embedders)  # nothing changed: a new build swapped in, the old one removed
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert failures == [] and loads and set(loads) == {n}


def test_a_build_being_read_is_kept_until_its_reader_is_done(built, embedders):
    with reading_build(built.index_dir) as held:
        build_index(built, embedders=embedders)
        assert held.is_dir() and current_build(built.index_dir) != held  # swapped, not removed under the reader
    build_index(built, embedders=embedders)
    assert not held.exists() and len(list(built.index_dir.glob("build-*"))) == 1


def test_waiting_for_another_ingest_is_said(built, embedders, caplog):
    with open(built.index_dir / ".lock", "w") as other:
        fcntl.flock(other, fcntl.LOCK_EX)  # another ingest holds the index
        with caplog.at_level(logging.WARNING, logger="kbqa.ingest"):
            waiting = threading.Thread(target=build_index, args=(built,), kwargs={"embedders": embedders})
            waiting.start()
            waiting.join(timeout=3)
            assert waiting.is_alive()  # it waits ...
            assert f"waiting for another ingest of {built.index_dir}" in caplog.text  # ... and says so
        fcntl.flock(other, fcntl.LOCK_UN)
    waiting.join()


def test_links_out_of_the_notes_and_loops_are_skipped_with_a_reason(small_kb, tmp_path, embedders):
    secret = tmp_path / "outside.txt"
    secret.write_text("SECRET-LINE outside the notes folder", encoding="utf-8")
    (small_kb / "leak.txt").symlink_to(secret)
    (small_kb / "loop-a.md").symlink_to(small_kb / "loop-b.md")
    (small_kb / "loop-b.md").symlink_to(small_kb / "loop-a.md")
    (small_kb / "gone.md").symlink_to(tmp_path / "nothing-here.md")
    (small_kb / "again.md").symlink_to(small_kb / "en.md")  # inside the notes: read
    (small_kb / "sub").mkdir()
    (small_kb / "sub" / "up").symlink_to(small_kb)  # a folder loop
    skipped = dict(scan_notes(small_kb).skipped)
    assert skipped["leak.txt"] == f"a link to {secret.resolve()}, outside the notes folder"
    assert skipped["loop-a.md"] == skipped["loop-b.md"] == "a link loop"
    assert skipped["gone.md"].startswith("a broken link")
    assert skipped["sub/up"].startswith("a link to a folder")
    s = Settings(kb=small_kb, index=tmp_path / "index")
    report = build_index(s, embedders=embedders)
    assert set(dict(report.skipped)) == {"leak.txt", "loop-a.md", "loop-b.md", "gone.md", "sub/up"}
    assert "again.md" in report.files_read
    assert not any("SECRET-LINE" in c.text for c in load_index(s).chunks)


def test_a_note_over_the_limit_is_never_read(small_kb, tmp_path, embedders):
    """Skipped by its size alone: recorded by size and time, not by a hash of its content."""
    (small_kb / "huge.txt").write_text("GPU " * 600, encoding="utf-8")
    s = Settings(kb=small_kb, index=tmp_path / "index", max_note_bytes=1000)
    report = build_index(s, embedders=embedders)
    assert dict(report.skipped)["huge.txt"].startswith("over the 1000 bytes size limit")
    (entry,) = [e for e in read_manifest(s.index_dir)["skipped"] if e["file"] == "huge.txt"]
    assert entry["sha256"].startswith("over-limit:2400:")
    index, again = ensure_index(s, embedders=embedders)
    assert again is None  # unchanged: not rebuilt, not hashed
    os.utime(small_kb / "huge.txt", ns=(1, 1))
    _, rebuilt = ensure_index(s, embedders=embedders)
    assert rebuilt is not None and "huge.txt" in dict(rebuilt.skipped)


def test_the_notes_arithmetic_is_found_at_ingest_and_read_from_its_cache(small_kb, tmp_path, embedders):
    from app.notes_arithmetic import notes_arithmetic
    from ingest.claims_cache import FOLDER

    (small_kb / "sums.txt").write_text("机柜\n\n7 * 6 = 43 台\n", encoding="utf-8")
    s = Settings(kb=small_kb, index=tmp_path / "index")
    build_index(s, embedders=embedders)
    digest = read_manifest(s.index_dir)["files"]["sums.txt"]["sha256"]
    (entry,) = (s.index_dir / FOLDER).glob(f"{digest}-*.json")
    rows = json.loads(entry.read_text(encoding="utf-8"))
    assert [(r["line"], r["holds"]) for r in rows] == [(3, False)]
    rows[0]["note"] = "FROM-THE-INGEST-CACHE"  # what the chat path reads is what ingest wrote
    entry.write_text(json.dumps(rows), encoding="utf-8")
    found = notes_arithmetic(s)
    assert [(c.file, c.note) for c in found.claims if c.file == "sums.txt"] == [("sums.txt", "FROM-THE-INGEST-CACHE")]


def test_claims_refuses_an_oversized_note_by_its_size(small_kb, tmp_path):
    from click.testing import CliRunner

    from app.cli import main

    (small_kb / "huge.txt").write_text("1 + 1 = 2\n" * 300, encoding="utf-8")
    r = CliRunner().invoke(main, ["claims", "--kb", str(small_kb)], env={"KBQA_MAX_NOTE_BYTES": "1000"})
    assert r.exit_code == 0, r.output
    assert "skipped huge.txt: over the 1000 bytes size limit (2.9 KB)" in r.stderr
