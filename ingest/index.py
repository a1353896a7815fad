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

With a Milvus store (settings.store.uri) the encoder-<i>.faiss files are not written: the
vectors go to the build's Milvus collection (ingest/milvus_store.py), published before CURRENT
moves; the folder keeps the manifest, the passages and BM25.

Beside it: ingest/notes_folder.py (which files are notes, their fingerprints), ingest/builds.py
(CURRENT, reader and build locks, integrity checks, removing old builds), ingest/claims_cache.py
(the notes' arithmetic found at ingest), ingest/early.py (a build searchable before it ends),
ingest/loaded.py (the index in memory, and a passage's record). About 620 lines remain here on purpose: building a new build from the previous one (reuse, checkpointed embedding
encoder by encoder, publish) is one transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ingest.bm25 import Bm25Index
from ingest.builds import (CHECKPOINTS, READERS_LOCK, _build_lock, _manifest_of, _point_current_at,
                           _remove_old_builds,
                           _remove_temp_files, integrity_of, read_manifest, reading_build,
                           verify_build)
from ingest.notes_folder import NoteScan, list_notes, note_signature, scan_notes
from ingest.errors import DamagedIndex, EmptyKb, IndexMissing, NoteError, StaleIndex
from ingest.settings import Settings
from ingest.loaded import LoadedIndex, chunk_to_record, embed_text, record_to_chunk
from ingest.types import Chunk
from ingest.tokenize import TOKENIZER, tokenize

if TYPE_CHECKING:
    from ingest.early import EarlyIndex

log = logging.getLogger("kbqa.ingest")

FORMAT_VERSION = 2  # 2: checksums and counts of every index file in the manifest, verified at load
CHUNKER_NAME = "sentence-pack-v2"  # v2: Markdown read with a parser (titles, tables by rows, no front matter)
PROGRESS_STEP = 16  # passages an encoder is given at a time while progress is reported (e5: 8 a call ran ~10% slower than 32; 16 reports every ~2 s)
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
    chunks_from_checkpoint: int = 0  # every vector of the passage embedded by an interrupted ingest, reused
    vectors_from_checkpoint: int = 0  # passage vectors (one per passage and encoder) reused from an interrupted ingest
    duplicates_removed: int = 0
    boilerplate_chars: int = 0
    seconds: float = 0.0
    repaired: str | None = None  # why the previous build could not be trusted (it was rebuilt from the notes)

    def summary(self) -> str:
        lines = []
        if self.repaired:
            lines.append(f"the previous index was damaged ({self.repaired}): rebuilt from the notes")
        lines += [
            f"files read: {len(self.files_read)} (re-embedded), unchanged: {len(self.files_reused)}, "
            f"removed: {len(self.removed)}, skipped: {len(self.skipped)}",
            f"chunks: {self.chunks} ({self.chunks_embedded} embedded now"
            + (f", {self.vectors_from_checkpoint} passage vectors from an interrupted ingest" if self.vectors_from_checkpoint else "")
            + f"), duplicates removed: {self.duplicates_removed}, boilerplate characters removed: {self.boilerplate_chars}",
        ]
        lines += [f"  skipped {f}: {why}" for f, why in self.skipped]
        lines.append(f"took {self.seconds:.1f} s")
        return "\n".join(lines)


def expected_manifest_core(settings: Settings) -> dict:
    """The part of the manifest that must match the settings for an index to be usable."""
    return {
        "format": FORMAT_VERSION,
        "embedders": list(settings.embed.models),
        "chunker": {"name": CHUNKER_NAME, **asdict(settings.chunk.params())},
        "bm25": {"library": BM25_LIBRARY, "tokenizer": TOKENIZER, **settings.bm25.model_dump()},
        "store": store_of(settings),
    }


IN_PROCESS_STORE = {"engine": "faiss"}  # what a manifest without "store" (built before Milvus) means


def store_of(settings: Settings) -> dict:
    """Where a build's vectors live, as its manifest records it (the URI and token are not recorded)."""
    return {"engine": "milvus", "collection": settings.store.collection} if settings.store.milvus else IN_PROCESS_STORE


def _vectors_in_folder(manifest: dict) -> bool:
    return manifest.get("store", IN_PROCESS_STORE) == IN_PROCESS_STORE


def manifest_differences(manifest: dict, settings: Settings, keys: tuple[str, ...] | None = None) -> list[str]:
    """What differs between the manifest and the settings (all of the core, or only `keys`)."""
    want = expected_manifest_core(settings)
    return [
        f"{key}: index has {manifest.get(key)!r}, settings want {value!r}"
        for key, value in want.items()
        if (keys is None or key in keys) and manifest.get(key, IN_PROCESS_STORE if key == "store" else None) != value
    ]




def _check_loaded(where: str, manifest: dict, records: list[dict], vectors: dict, dims: dict | None = None) -> None:
    """The loaded parts agree with the manifest: one row per passage in every vector index, rows grouped by note."""
    n = manifest.get("chunks")
    if len(records) != n:
        raise DamagedIndex(where, f"chunks.jsonl holds {len(records)} passages, the manifest {n}")
    for spec, index in vectors.items():
        if index.ntotal != n:
            raise DamagedIndex(where, f"the {spec} vectors hold {index.ntotal} rows for {n} passages")
        if dims and dims.get(spec) not in (None, index.d):
            raise DamagedIndex(where, f"the {spec} vectors have {index.d} dimensions, the manifest {dims.get(spec)}")
    counts: dict[str, int] = {}
    for rec in records:
        counts[rec["file"]] = counts.get(rec["file"], 0) + 1
    for name, meta in manifest.get("files", {}).items():
        if counts.get(name, 0) != meta.get("chunks"):
            raise DamagedIndex(where, f"chunks.jsonl holds {counts.get(name, 0)} passages of {name}, the manifest {meta.get('chunks')}")


def _read_parts(build: Path, manifest: dict, specs: list[str]) -> tuple[list[dict], dict]:
    """chunks.jsonl and the vector indexes of a verified build, checked against the manifest."""
    import faiss

    where = str(build.parent)
    try:
        records = read_jsonl(build / "chunks.jsonl")
        for rec in records:
            record_to_chunk(rec)
        in_folder = specs if _vectors_in_folder(manifest) else []  # else in Milvus, read there
        vectors = {spec: faiss.read_index(str(build / f"encoder-{i}.faiss")) for i, spec in enumerate(in_folder)}
    except (OSError, ValueError, KeyError, TypeError, IndexError, RuntimeError) as exc:
        raise DamagedIndex(where, f"a file cannot be read ({type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''})") from None
    _check_loaded(where, manifest, records, vectors, manifest.get("dims"))
    return records, vectors


def read_jsonl(path: Path) -> list[dict]:
    """One JSON object a line. Only '\\n' ends a record: str.splitlines would also split on U+2028 and
    friends, which json.dumps(ensure_ascii=False) writes raw inside strings."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


@dataclass
class _Previous:
    """What a new build may take from the live one: its passages and vectors, only when verified."""

    records: list[dict] = field(default_factory=list)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    files: dict[str, dict] = field(default_factory=dict)


def _trusted_previous(index_dir: Path, settings: Settings, report: IngestReport) -> _Previous:
    """The live build's passages and vectors if it was made with the same encoders and chunker and passes
    every check; a damaged one is reported and nothing of it is reused (its notes are embedded again)."""
    try:
        with reading_build(index_dir) as build:
            if build is None:
                return _Previous()
            manifest = _manifest_of(build)
            if manifest_differences(manifest, settings, VECTOR_KEYS):
                return _Previous()
            verify_build(build, manifest)
            records, indexes = _read_parts(build, manifest, list(settings.embed.models))
    except DamagedIndex as exc:
        report.repaired = exc.reason
        log.warning("the index at %s is damaged (%s): rebuilding it from the notes, re-embedding every note", index_dir, exc.reason)
        return _Previous()
    vectors = {spec: ix.reconstruct_n(0, ix.ntotal) if ix.ntotal else np.zeros((0, ix.d), np.float32) for spec, ix in indexes.items()}
    if not _vectors_in_folder(manifest):
        from ingest import milvus_store

        if not settings.store.milvus:  # built into Milvus, now wanted in-process: no URI to read them from
            return _Previous()

        specs = list(settings.embed.models)
        try:
            matrices = milvus_store.read_vectors(settings.store, build.name, len(records), [manifest["dims"][s] for s in specs])
        except (DamagedIndex, KeyError) as exc:
            report.repaired = getattr(exc, "reason", f"its manifest lacks {exc}")
            log.warning("the Milvus copy of %s cannot be reused (%s): re-embedding every note", build.name, report.repaired)
            return _Previous()
        vectors = dict(zip(specs, matrices))
    return _Previous(records, vectors, manifest.get("files", {}))


def build_index(
    settings: Settings,
    progress: Callable[[str, int, int], None] | None = None,
    embedders: dict | None = None,
    early: Callable[["EarlyIndex"], None] | None = None,
) -> IngestReport:
    """Ingest settings.kb into settings.index_dir, incrementally and atomically.

    progress(stage, done, total) is called as files are read and passages embedded.
    embedders: already loaded encoders by spec, to avoid loading them twice in one process.
    early(EarlyIndex): on a first build (no trusted previous build), called with the build's passages
    searchable before the build ends: once the notes are read (BM25 only), then as each encoder but the
    last finishes (encoders embed one after another, in the settings' order: the fast one first answers sooner).
    """
    kb, index_dir = Path(settings.kb), Path(settings.index_dir)
    scan = scan_notes(kb)
    index_dir.mkdir(parents=True, exist_ok=True)
    with _build_lock(index_dir):
        return _build(settings, kb, index_dir, scan, progress, embedders, early)


@dataclass
class _NoteToEmbed:
    name: str
    digest: str
    chunks: list[Chunk]


def _build(settings: Settings, kb: Path, index_dir: Path, scan: NoteScan, progress, embedders, early=None) -> IngestReport:
    from ingest.chunk import chunk_document
    from ingest.claims_cache import ClaimsCache
    from ingest.read import read_note

    started = time.perf_counter()
    report = IngestReport(skipped=list(scan.skipped))
    _remove_temp_files(index_dir)
    old = _trusted_previous(index_dir, settings, report)
    old_rows_by_file: dict[str, list[int]] = {}
    for row, rec in enumerate(old.records):
        old_rows_by_file.setdefault(rec["file"], []).append(row)
    claims = ClaimsCache(index_dir)

    plan: list[tuple[str, object]] = []  # per note, in order: ("old", rows) or ("new", _NoteToEmbed)
    files_meta: dict[str, dict] = {}
    skipped_sha: dict[str, str] = {}
    notes = scan.notes
    for n, path in enumerate(notes):
        rel = path.relative_to(kb).as_posix()
        if progress:
            progress("read", n, len(notes))
        try:
            digest = note_signature(path, settings.max_note_bytes)
        except OSError as exc:
            report.skipped.append((rel, f"cannot read: {exc.strerror or exc}"))
            continue
        prev = old.files.get(rel)
        if prev and prev["sha256"] == digest:
            plan.append(("old", old_rows_by_file.get(rel, [])))
            files_meta[rel] = prev
            report.files_reused.append(rel)
            if not claims.has(digest):  # e.g. an index built before the cache: read the note once more
                with contextlib.suppress(NoteError):
                    claims.compute(digest, read_note(path, kb, settings.max_note_bytes).text, rel)
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
        if doc.sha256 != digest:  # changed between hashing and reading: what was read is what is recorded
            digest = doc.sha256
        claims.compute(digest, doc.text, rel)  # the notes' arithmetic, at ingest, never on the chat path
        plan.append(("new", _NoteToEmbed(rel, digest, chunks)))
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
    report.removed = sorted(set(old.files) - set(files_meta) - {f for f, _ in report.skipped})
    if not plan:
        raise EmptyKb(str(kb))

    embedders = embedders if embedders is not None else {}
    specs = list(settings.embed.models)
    todo = [item for kind, item in plan if kind == "new"]
    records = [rec for kind, item in plan
               for rec in ([old.records[r] for r in item] if kind == "old" else [chunk_to_record(c) for c in item.chunks])]
    if not records:
        raise EmptyKb(str(kb))
    bm25 = None
    after_encoder = None
    if early is not None and todo and not old.records:  # a first build (or a repair): searchable now by keywords,
        # then by each encoder as it finishes. A rebuild of changed notes is not announced: its unchanged notes'
        # vectors are in hand, but a partial index would answer worse than waiting the few seconds it takes
        from ingest.early import EarlyIndex

        bm25 = _build_bm25(records, settings, progress)

        def announce(ready: list[str], new_vecs: dict) -> None:
            vectors = {spec: _matrix(plan, old, new_vecs, spec) for spec in ready}
            early(EarlyIndex(settings, records, bm25, files_meta, vectors, pending=[s for s in specs if s not in ready],
                             passages_pending=sum(len(item.chunks) for item in todo)))

        announce([], {})
        after_encoder = announce
    new_vecs = _embed_notes(todo, settings, index_dir, embedders, progress, report, after_encoder=after_encoder)
    matrices = {spec: _matrix(plan, old, new_vecs, spec) for spec in specs}  # row i = records[i]
    new_build = index_dir / f"build-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    new_build.mkdir(parents=True)
    try:
        manifest = _write_build(new_build, settings, records, matrices, files_meta, report, skipped_sha, progress, bm25)
        previous = _publish(settings, new_build.name, records, matrices, files_meta, progress)
        _point_current_at(index_dir, new_build.name)
    except BaseException:
        shutil.rmtree(new_build, ignore_errors=True)
        if settings.store.milvus:
            from ingest import milvus_store

            milvus_store.drop_collection(settings.store, new_build.name)
        raise
    _remove_old_builds(index_dir, keep=new_build.name)
    if settings.store.milvus:  # keep the build before: a reader that loaded it may still be searching it
        from ingest import milvus_store

        milvus_store.drop_unused(settings.store, keep={milvus_store.collection_of(settings.store, new_build.name), previous})
    shutil.rmtree(index_dir / CHECKPOINTS, ignore_errors=True)  # the build holds them now
    claims.keep_only({meta["sha256"] for meta in manifest["files"].values()})
    report.chunks = len(records)
    report.seconds = time.perf_counter() - started
    return report


def _publish(settings: Settings, build_name: str, records: list[dict], matrices: dict[str, np.ndarray], files_meta: dict,
             progress) -> str | None:
    """With a Milvus store: write the build to its collection and move the alias to it. Returns the
    collection the alias named before (kept for readers still searching it)."""
    if not settings.store.milvus:
        return None
    from ingest import milvus_store

    previous = milvus_store.live_collection(settings.store)
    shas = {name: meta["sha256"] for name, meta in files_meta.items()}
    milvus_store.publish(settings.store, build_name, records, [matrices[spec] for spec in settings.embed.models], shas, progress)
    return previous


def _write_build(build: Path, settings: Settings, records: list[dict], matrices: dict[str, np.ndarray], files_meta: dict,
                 report: IngestReport, skipped_sha: dict, progress, bm25: Bm25Index | None = None) -> dict:
    """Every file of a build, then the manifest with their checksums and counts. With a Milvus store the
    vectors are not written here (they go to Milvus, see _publish)."""
    import faiss

    dims = {}
    for i, spec in enumerate(settings.embed.models):
        matrix = matrices[spec]
        dims[spec] = int(matrix.shape[1])
        if settings.store.milvus:
            continue
        index = faiss.IndexFlatIP(matrix.shape[1])
        index.add(matrix)
        faiss.write_index(index, str(build / f"encoder-{i}.faiss"))
    with open(build / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    (bm25 or _build_bm25(records, settings, progress)).save(build / BM25_DIR)
    (build / READERS_LOCK).touch()
    manifest = {
        **expected_manifest_core(settings),
        "bm25_library_version": _library_version(BM25_LIBRARY),
        "dims": dims,
        "files": files_meta,
        "skipped": [{"file": f, "reason": r, "sha256": skipped_sha.get(f)} for f, r in report.skipped],
        "chunks": len(records),
        "integrity": integrity_of(build),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    (build / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


# --- embedding, checkpointed per note ----------------------------------------------------------


def _vector_fingerprint(settings: Settings, spec: str) -> str:
    """What a note's vectors by encoder `spec` depend on besides its bytes: that encoder and the chunker (so
    adding or reordering encoders keeps the checkpoints of the others)."""
    core = expected_manifest_core(settings)
    key = json.dumps({"format": core["format"], "chunker": core["chunker"], "embedder": spec}, sort_keys=True)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _texts_digest(texts: list[str]) -> str:
    return hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()


def _embed_notes(todo: list[_NoteToEmbed], settings: Settings, index_dir: Path, embedders: dict, progress,
                 report: IngestReport, after_encoder=None) -> dict[str, dict[str, np.ndarray]]:
    """Vectors of each new or changed note, by encoder. The encoders run one after another (every note
    with the first, then every note with the next), so the passages are searchable by the first encoder
    long before the last is done: `after_encoder(ready_specs, vectors so far)` is called as each encoder
    but the last finishes. Each note's vectors of each encoder are saved in <index>/.checkpoints/ as
    soon as they are computed, so an ingest killed half-way resumes where it stopped; the checkpoints
    are removed once a build holds them."""
    from ingest.embed import make_embedder

    specs = list(settings.embed.models)
    folder = index_dir / CHECKPOINTS
    # progress counts passage encodings (each passage once per encoder), reported every few passages so
    # that it moves even with a slow encoder (e5: about 10 passages a second on 2 cores)
    total = sum(len(item.chunks) for item in todo) * len(specs)
    done = 0
    out: dict[str, dict[str, np.ndarray]] = {item.name: {} for item in todo}
    texts_of = {item.name: [embed_text(c) for c in item.chunks] for item in todo}
    reused: dict[str, int] = {item.name: 0 for item in todo}  # encoders whose vectors of the note came from a checkpoint
    if progress and total:
        progress("embed", 0, total)
    bs = min(settings.embed.batch_size, PROGRESS_STEP)
    for n, spec in enumerate(specs):
        for item in todo:
            texts = texts_of[item.name]
            path = folder / f"{item.digest}-{_vector_fingerprint(settings, spec)}.npz"
            vecs = _read_checkpoint(path, texts)
            if vecs is not None:
                reused[item.name] += 1
                report.vectors_from_checkpoint += len(texts)
                done += len(texts)
            else:
                enc = embedders.get(spec) or embedders.setdefault(spec, make_embedder(spec))
                parts = []
                for start in range(0, len(texts), bs):
                    parts.append(np.asarray(enc.passages(texts[start : start + bs]), dtype=np.float32))
                    done += len(texts[start : start + bs])
                    if progress:
                        progress("embed", done, total)
                vecs = np.vstack(parts)
                _write_checkpoint(path, texts, vecs)
            out[item.name][spec] = vecs
            if progress:
                progress("embed", done, total)
        if after_encoder is not None and n < len(specs) - 1:
            after_encoder(specs[: n + 1], out)
    for item in todo:
        if reused[item.name] == len(specs):
            report.chunks_from_checkpoint += len(item.chunks)
        else:
            report.chunks_embedded += len(item.chunks)
    return out


def _matrix(plan: list, old: "_Previous", new_vecs: dict, spec: str) -> np.ndarray:
    """One encoder's vectors of every passage of the build, in the build's row order."""
    blocks = [old.vectors[spec][item] if kind == "old" else new_vecs[item.name][spec] for kind, item in plan]
    return np.ascontiguousarray(np.vstack(blocks), dtype=np.float32)


def _read_checkpoint(path: Path, texts: list[str]) -> np.ndarray | None:
    """A note's saved vectors of one encoder, if they are for exactly these passages; anything unreadable is ignored."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["texts"]) != _texts_digest(texts):
                return None
            vecs = np.array(data["vectors"], dtype=np.float32)
    except (OSError, ValueError, KeyError, EOFError):
        return None
    return vecs if vecs.ndim == 2 and vecs.shape[0] == len(texts) else None


def _write_checkpoint(path: Path, texts: list[str], vecs: np.ndarray) -> None:
    try:
        path.parent.mkdir(exist_ok=True)
        tmp = path.parent / f".{path.stem}.{os.getpid()}.tmp.npz"
        np.savez(tmp, texts=np.array(_texts_digest(texts)), vectors=vecs)
        os.replace(tmp, path)
    except OSError as exc:  # a checkpoint only saves time later; the build goes on without it
        log.warning("could not save an embedding checkpoint in %s: %s", path.parent, exc)


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


def kb_changed(settings: Settings, manifest: dict) -> bool:
    """True when a note was added, changed or deleted since the index was built (notes over the size
    limit are compared by size and time, never read)."""
    files = manifest.get("files", {})
    skipped = {s["file"]: s.get("sha256") for s in manifest.get("skipped", [])}
    seen = set()
    for path in list_notes(Path(settings.kb)):
        rel = path.relative_to(settings.kb).as_posix()
        seen.add(rel)
        try:
            digest = note_signature(path, settings.max_note_bytes)
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


def load_index(settings: Settings) -> LoadedIndex:
    """Load the live build, whole, under a reader lock; refuse one built with other settings (StaleIndex)
    or one whose files do not match their checksums and counts (DamagedIndex)."""
    index_dir = Path(settings.index_dir)
    with reading_build(index_dir) as build:
        if build is None:
            raise IndexMissing(str(index_dir))
        manifest = _manifest_of(build)
        diffs = manifest_differences(manifest, settings)
        if diffs:
            raise StaleIndex(str(index_dir), diffs)
        verify_build(build, manifest)
        records, vectors = _read_parts(build, manifest, list(settings.embed.models))
        bm25 = _load_bm25(build, settings, len(records))
        if settings.store.milvus:  # the vectors are in Milvus: the build's collection must be there, whole
            from ingest import milvus_store

            milvus_store.check_published(settings.store, build.name, len(records), str(index_dir))
    chunks = [record_to_chunk(rec) for rec in records]
    return LoadedIndex(manifest=manifest, chunks=chunks, vectors=vectors, path=build, bm25=bm25)


def _load_bm25(build: Path, settings: Settings, n_chunks: int) -> Bm25Index:
    """The saved BM25, checked against the settings and the passages; never rebuilt here."""
    index_dir = str(build.parent)
    try:
        bm25 = Bm25Index.load(build / BM25_DIR)
    except (OSError, ValueError, KeyError) as exc:
        raise DamagedIndex(index_dir, f"the saved BM25 index cannot be read ({type(exc).__name__}: {exc})") from None
    want = settings.bm25.model_dump()
    have = bm25.params()
    problems = [f"bm25 {key}: saved index has {have[key]!r}, settings want {want[key]!r}" for key in want if have[key] != want[key]]
    if problems:
        raise StaleIndex(index_dir, problems)
    if bm25.n_docs != n_chunks:
        raise DamagedIndex(index_dir, f"the saved BM25 index scores {bm25.n_docs} passages, the index has {n_chunks}")
    return bm25


def ensure_index(settings: Settings, progress=None, embedders: dict | None = None,
                 early: Callable[["EarlyIndex"], None] | None = None) -> tuple[LoadedIndex, IngestReport | None]:
    """Load the index, building it first when it is missing, stale, damaged, or the notes changed.
    A damaged index is rebuilt from the notes (the rebuild says so: a warning on the "kbqa.ingest"
    logger and `IngestReport.repaired`). `early`: see build_index."""
    index_dir = Path(settings.index_dir)
    try:
        manifest = read_manifest(index_dir)
    except DamagedIndex:
        manifest = None  # build_index reports it and trusts nothing of it
    report = None
    if manifest is None or manifest_differences(manifest, settings) or kb_changed(settings, manifest):
        report = build_index(settings, progress=progress, embedders=embedders, early=early)
    try:
        return load_index(settings), report
    except DamagedIndex:
        if report is not None:
            raise  # damaged right after a build: the disk, not the index, needs looking at
    report = build_index(settings, progress=progress, embedders=embedders, early=early)
    return load_index(settings), report
