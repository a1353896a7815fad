"""Build and load the index: chunks + one FAISS flat inner-product index per encoder + a manifest.

Layout of the index folder:

    CURRENT                 name of the live build (replaced atomically with os.replace)
    build-<id>/manifest.json
    build-<id>/chunks.jsonl one passage per line, row i of every vector index
    build-<id>/encoder-<i>.faiss  one flat inner-product index per encoder
    build-<id>/bm25/        the BM25 score matrix and vocabulary (bm25s' save format)

The manifest records what shaped each part: the encoders, the chunker and its
parameters, and BM25's formula, parameters and tokenizer. Loading refuses an index
whose manifest does not match the settings (StaleIndex: re-ingest); nothing is
rebuilt at load.

A build writes a new build-<id> folder and only then points CURRENT at it, so an
interrupted ingest leaves the previous index loadable. Ingest is incremental per
file: a file whose sha256 is unchanged keeps its chunks and vectors (copied bit for
bit from the previous build); only new or changed files are read and embedded.
BM25 is rebuilt over all passages at every build (a second for thousands of passages,
most of it jieba), so changing its parameters costs a re-ingest without re-embedding.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ingest.bm25 import Bm25Index
from ingest.errors import EmptyKb, IndexMissing, KbNotFound, NoteError, StaleIndex
from ingest.settings import Settings
from ingest.tokenize import TOKENIZER, tokenize
from ingest.types import Chunk

FORMAT_VERSION = 1
CHUNKER_NAME = "sentence-pack-v2"  # v2: Markdown read with a parser (titles, tables by rows, no front matter)
NOTE_SUFFIXES = (".txt", ".md", ".markdown")
BM25_DIR = "bm25"
BM25_LIBRARY = "bm25s"
# Manifest keys that shape the passages and their vectors: while they match, a file's vectors are reused.
VECTOR_KEYS = ("format", "embedders", "chunker")


@dataclass
class IngestReport:
    files_read: list[str] = field(default_factory=list)  # read and embedded in this build
    files_reused: list[str] = field(default_factory=list)  # unchanged since the last build
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    removed: list[str] = field(default_factory=list)  # in the old index, gone from the kb
    chunks: int = 0
    chunks_embedded: int = 0
    duplicates_removed: int = 0
    boilerplate_chars: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"files read: {len(self.files_read)} (re-embedded), unchanged: {len(self.files_reused)}, "
            f"removed: {len(self.removed)}, skipped: {len(self.skipped)}",
            f"chunks: {self.chunks} ({self.chunks_embedded} embedded now), duplicates removed: {self.duplicates_removed}, "
            f"boilerplate characters removed: {self.boilerplate_chars}",
        ]
        lines += [f"  skipped {f}: {why}" for f, why in self.skipped]
        lines.append(f"took {self.seconds:.1f} s")
        return "\n".join(lines)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def list_notes(kb: Path) -> list[Path]:
    """Every note under kb (recursively), hidden folders such as .index excluded, in a stable order."""
    if not kb.is_dir():
        raise KbNotFound(str(kb))
    notes = []
    for path in sorted(kb.rglob("*")):
        rel = path.relative_to(kb)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and path.suffix.lower() in NOTE_SUFFIXES:
            notes.append(path)
    return notes


def expected_manifest_core(settings: Settings) -> dict:
    """The part of the manifest that must match the settings for an index to be usable."""
    return {
        "format": FORMAT_VERSION,
        "embedders": list(settings.embed.models),
        "chunker": {"name": CHUNKER_NAME, **asdict(settings.chunk.params())},
        "bm25": {"library": BM25_LIBRARY, "tokenizer": TOKENIZER, **settings.bm25.model_dump()},
    }


def manifest_differences(manifest: dict, settings: Settings, keys: tuple[str, ...] | None = None) -> list[str]:
    """What differs between the manifest and the settings (all of the core, or only `keys`)."""
    want = expected_manifest_core(settings)
    return [
        f"{key}: index has {manifest.get(key)!r}, settings want {value!r}"
        for key, value in want.items()
        if (keys is None or key in keys) and manifest.get(key) != value
    ]


def current_build(index_dir: Path) -> Path | None:
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        return None
    build = index_dir / pointer.read_text(encoding="utf-8").strip()
    return build if (build / "manifest.json").is_file() else None


def read_manifest(index_dir: Path) -> dict | None:
    build = current_build(index_dir)
    if build is None:
        return None
    return json.loads((build / "manifest.json").read_text(encoding="utf-8"))


def read_jsonl(path: Path) -> list[dict]:
    """One JSON object a line. Only '\\n' ends a record: str.splitlines would also split on U+2028 and
    friends, which json.dumps(ensure_ascii=False) writes raw inside strings."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def chunk_to_record(chunk: Chunk) -> dict:
    return {
        "text": chunk.text,
        "file": chunk.file,
        "heading": chunk.heading,
        "lines": [chunk.line_start, chunk.line_end],
    }


def record_to_chunk(rec: dict) -> Chunk:
    return Chunk(text=rec["text"], file=rec["file"], heading=rec["heading"], line_start=rec["lines"][0], line_end=rec["lines"][1])


def embed_text(chunk: Chunk) -> str:
    """What the encoders see: the heading path gives a short passage its topic."""
    return f"{chunk.heading}\n{chunk.text}" if chunk.heading else chunk.text


def _old_vectors(build: Path | None, manifest: dict | None, settings: Settings) -> tuple[list[dict], dict[str, np.ndarray]]:
    """Chunks and vectors of the previous build, if it was made with the same encoders and chunker."""
    if build is None or manifest is None or manifest_differences(manifest, settings, VECTOR_KEYS):
        return [], {}
    import faiss

    records = read_jsonl(build / "chunks.jsonl")
    vectors = {}
    for i, name in enumerate(settings.embed.models):
        index = faiss.read_index(str(build / f"encoder-{i}.faiss"))
        vectors[name] = index.reconstruct_n(0, index.ntotal) if index.ntotal else np.zeros((0, index.d), np.float32)
    return records, vectors


def build_index(
    settings: Settings,
    progress: Callable[[str, int, int], None] | None = None,
    embedders: dict | None = None,
) -> IngestReport:
    """Ingest settings.kb into settings.index_dir, incrementally and atomically.

    progress(stage, done, total) is called as files are read and passages embedded.
    embedders: already loaded encoders by spec, to avoid loading them twice in one process.
    """
    kb, index_dir = Path(settings.kb), Path(settings.index_dir)
    notes = list_notes(kb)
    index_dir.mkdir(parents=True, exist_ok=True)
    with _build_lock(index_dir):
        return _build(settings, kb, index_dir, notes, progress, embedders)


@contextlib.contextmanager
def _build_lock(index_dir: Path):
    """One build at a time per index folder (the app's upload and a `kbqa ingest` may overlap)."""
    import fcntl

    with open(index_dir / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _build(settings: Settings, kb: Path, index_dir: Path, notes: list[Path], progress, embedders) -> IngestReport:
    import faiss

    from ingest.chunk import chunk_document
    from ingest.embed import make_embedder
    from ingest.read import read_note

    started = time.perf_counter()
    report = IngestReport()
    old_build = current_build(index_dir)
    old_manifest = read_manifest(index_dir)
    old_records, old_vecs = _old_vectors(old_build, old_manifest, settings)
    old_files = (old_manifest or {}).get("files", {}) if old_records else {}
    old_rows_by_file: dict[str, list[int]] = {}
    for row, rec in enumerate(old_records):
        old_rows_by_file.setdefault(rec["file"], []).append(row)

    records: list[dict] = []
    sources: list[tuple[str, int]] = []  # ("old", row) or ("new", position in to_embed)
    to_embed: list[Chunk] = []
    files_meta: dict[str, dict] = {}
    skipped_sha: dict[str, str] = {}
    for n, path in enumerate(notes):
        rel = path.relative_to(kb).as_posix()
        if progress:
            progress("read", n, len(notes))
        try:
            digest = sha256_file(path)
        except OSError as exc:
            report.skipped.append((rel, f"cannot read: {exc.strerror or exc}"))
            continue
        prev = old_files.get(rel)
        if prev and prev["sha256"] == digest:
            rows = old_rows_by_file.get(rel, [])
            records.extend(old_records[r] for r in rows)
            sources.extend(("old", r) for r in rows)
            files_meta[rel] = prev
            report.files_reused.append(rel)
            continue
        try:
            doc = read_note(path, kb, settings.max_note_bytes)
            chunks, cleaned = chunk_document(doc, settings.chunk.params())
        except NoteError as exc:
            report.skipped.append((rel, exc.reason))
            skipped_sha[rel] = digest
            continue
        except Exception as exc:  # one odd note must not stop the whole ingest: report it and go on
            report.skipped.append((rel, f"could not be processed ({type(exc).__name__}: {exc})"))
            skipped_sha[rel] = digest
            continue
        if not chunks:
            report.skipped.append((rel, "no text left after cleaning"))
            skipped_sha[rel] = digest
            continue
        for chunk in chunks:
            records.append(chunk_to_record(chunk))
            sources.append(("new", len(to_embed)))
            to_embed.append(chunk)
        report.files_read.append(rel)
        report.duplicates_removed += cleaned.duplicates_removed
        report.boilerplate_chars += cleaned.boilerplate_chars
        files_meta[rel] = {
            "sha256": digest,
            "chunks": len(chunks),
            "encoding": doc.encoding,
            "format": doc.format,
            "duplicates_removed": cleaned.duplicates_removed,
            "boilerplate_chars": cleaned.boilerplate_chars,
        }
    report.removed = sorted(set(old_files) - set(files_meta) - {f for f, _ in report.skipped})
    if not records:
        raise EmptyKb(str(kb))

    embedders = embedders if embedders is not None else {}
    new_build = index_dir / f"build-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    new_build.mkdir(parents=True)
    try:
        dims = {}
        texts = [embed_text(c) for c in to_embed]
        for i, spec in enumerate(settings.embed.models):
            new_vecs = None
            if texts:
                enc = embedders.get(spec) or embedders.setdefault(spec, make_embedder(spec))
                parts = []
                bs = settings.embed.batch_size
                for start in range(0, len(texts), bs):
                    if progress:
                        progress(f"embed {spec}", start, len(texts))
                    parts.append(enc.passages(texts[start : start + bs]))
                new_vecs = np.vstack(parts)
            dim = new_vecs.shape[1] if new_vecs is not None else old_vecs[spec].shape[1]
            matrix = np.zeros((len(records), dim), dtype=np.float32)
            for row, (kind, j) in enumerate(sources):
                matrix[row] = old_vecs[spec][j] if kind == "old" else new_vecs[j]
            index = faiss.IndexFlatIP(dim)
            index.add(matrix)
            faiss.write_index(index, str(new_build / f"encoder-{i}.faiss"))
            dims[spec] = dim
        with open(new_build / "chunks.jsonl", "w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        _build_bm25(records, settings, progress).save(new_build / BM25_DIR)
        manifest = {
            **expected_manifest_core(settings),
            "bm25_library_version": _library_version(BM25_LIBRARY),
            "dims": dims,
            "files": files_meta,
            "skipped": [{"file": f, "reason": r, "sha256": skipped_sha.get(f)} for f, r in report.skipped],
            "chunks": len(records),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        (new_build / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        _point_current_at(index_dir, new_build.name)
    except BaseException:
        shutil.rmtree(new_build, ignore_errors=True)
        raise
    _remove_old_builds(index_dir, keep=new_build.name)
    report.chunks = len(records)
    report.chunks_embedded = len(to_embed)
    report.seconds = time.perf_counter() - started
    return report


def _build_bm25(records: list[dict], settings: Settings, progress) -> Bm25Index:
    """BM25 over every passage as the encoders see it (heading path + text)."""
    docs = []
    for n, rec in enumerate(records):
        if progress and n % 256 == 0:
            progress("bm25", n, len(records))
        docs.append(tokenize(embed_text(record_to_chunk(rec))))
    return Bm25Index.build(docs, settings.bm25)


def _library_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _point_current_at(index_dir: Path, build_name: str) -> None:
    tmp = index_dir / f".CURRENT.{os.getpid()}"
    tmp.write_text(build_name, encoding="utf-8")
    os.replace(tmp, index_dir / "CURRENT")


def _remove_old_builds(index_dir: Path, keep: str) -> None:
    for path in index_dir.glob("build-*"):
        if path.name != keep:
            shutil.rmtree(path, ignore_errors=True)


def kb_changed(settings: Settings, manifest: dict) -> bool:
    """True when a note was added, changed or deleted since the index was built."""
    files = manifest.get("files", {})
    skipped = {s["file"]: s.get("sha256") for s in manifest.get("skipped", [])}
    seen = set()
    for path in list_notes(Path(settings.kb)):
        rel = path.relative_to(settings.kb).as_posix()
        seen.add(rel)
        try:
            digest = sha256_file(path)
        except OSError:
            if rel in skipped:
                continue  # still unreadable, as at the last build
            return True
        if rel in skipped:
            if skipped[rel] != digest:
                return True  # a skipped note changed (fixed?): read it again
            continue
        meta = files.get(rel)
        if meta is None or meta["sha256"] != digest:
            return True
    return bool(set(files) - seen)


@dataclass
class LoadedIndex:
    manifest: dict
    chunks: list[Chunk]
    vectors: dict[str, object]  # encoder spec -> faiss index
    path: Path
    bm25: Bm25Index  # row i scores chunks[i]

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every BM25 term of the passages (tokenize's words: lower-cased, jieba-segmented)."""
        return self.bm25.vocabulary


def load_index(settings: Settings) -> LoadedIndex:
    """Load the live build; refuse one built with other settings."""
    import faiss

    index_dir = Path(settings.index_dir)
    build = current_build(index_dir)
    if build is None:
        raise IndexMissing(str(index_dir))
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    diffs = manifest_differences(manifest, settings)
    if diffs:
        raise StaleIndex(str(index_dir), diffs)
    chunks = [record_to_chunk(rec) for rec in read_jsonl(build / "chunks.jsonl")]
    vectors = {spec: faiss.read_index(str(build / f"encoder-{i}.faiss")) for i, spec in enumerate(settings.embed.models)}
    bm25 = _load_bm25(build, settings, len(chunks))
    return LoadedIndex(manifest=manifest, chunks=chunks, vectors=vectors, path=build, bm25=bm25)


def _load_bm25(build: Path, settings: Settings, n_chunks: int) -> Bm25Index:
    """The saved BM25, checked against the settings and the passages; never rebuilt here."""
    index_dir = str(build.parent)
    try:
        bm25 = Bm25Index.load(build / BM25_DIR)
    except (OSError, ValueError, KeyError) as exc:
        raise StaleIndex(index_dir, [f"bm25: the saved BM25 index cannot be read ({type(exc).__name__}: {exc})"]) from None
    want = settings.bm25.model_dump()
    have = bm25.params()
    problems = [f"bm25 {key}: saved index has {have[key]!r}, settings want {want[key]!r}" for key in want if have[key] != want[key]]
    if bm25.n_docs != n_chunks:
        problems.append(f"bm25: saved index scores {bm25.n_docs} passages, the index has {n_chunks}")
    if problems:
        raise StaleIndex(index_dir, problems)
    return bm25


def ensure_index(settings: Settings, progress=None, embedders: dict | None = None) -> tuple[LoadedIndex, IngestReport | None]:
    """Load the index, building it first when it is missing, stale, or the notes changed."""
    manifest = read_manifest(Path(settings.index_dir))
    report = None
    if manifest is None or manifest_differences(manifest, settings) or kb_changed(settings, manifest):
        report = build_index(settings, progress=progress, embedders=embedders)
    return load_index(settings), report
