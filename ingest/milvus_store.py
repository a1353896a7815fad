"""The index's passages and vectors in Milvus: one collection per build, an alias naming the live one.

A build is published as the collection `<collection>_build_<id>` (the build folder's name), one row
per passage: `row` (its position in the build's chunks.jsonl, the primary key), one vector field per
encoder (`v0`, `v1`... in the order of embed.models, inner product like the FAISS flat indexes), the
passage text, heading path, file, line range and the file's sha256. Only when every row is in and
counted is the alias `<collection>` moved to it (and then the local CURRENT), so a reader never sees
half a build: a reader searches the collection of the build it loaded, which stays until the build
after next. Collections of builds that were interrupted before their alias swap are dropped by the
next build.

Ingest stays incremental per file: a file whose sha256 is unchanged keeps its vectors (read back
from the previous build's collection, never re-embedded); the new collection is written whole, which
is what keeps a swap atomic (upserting and deleting by file in the live collection would let a
reader see a half-updated index).

The same pymilvus client talks to milvus-lite (a path ending in .db: the engine runs inside this
process and locks its folder, so one process at a time; `milvus-lite server --data-dir <path>` serves
the same folder to several processes at http://127.0.0.1:19530) and to a Milvus server (http://host:19530).
"""

from __future__ import annotations

import logging
from functools import lru_cache

import numpy as np

from calculators.errors import KbqaError
from ingest.errors import DamagedIndex
from ingest.settings import StoreSettings

log = logging.getLogger("kbqa.ingest")

BATCH_ROWS = 2000  # rows per insert call (a 2,000 x 896-float batch is ~7 MB on the wire)
READ_ROWS = 4000  # rows per query when reading a build's vectors back
_MAX_VARCHAR = 65535


class StoreUnavailable(KbqaError):
    """Milvus cannot be used: pymilvus missing, the engine unreachable, or a call refused."""

    def __init__(self, uri: str, reason: str):
        self.uri = uri
        self.reason = reason
        super().__init__(f"the Milvus store at {uri} cannot be used ({reason}); check KBQA_STORE__URI, or unset it to keep the index in-process")


def vector_field(position: int) -> str:
    """The vector field of the encoder at `position` in embed.models.

    >>> vector_field(0), vector_field(1)
    ('v0', 'v1')
    """
    return f"v{position}"


def collection_of(store: StoreSettings, build_name: str) -> str:
    """The collection holding a build (Milvus names take letters, digits and underscores).

    >>> collection_of(StoreSettings(), "build-20250101120000-ab12cd")
    'kbqa_build_20250101120000_ab12cd'
    """
    return f"{store.collection}_{build_name.replace('-', '_')}"


def connect(store: StoreSettings):
    """A pymilvus client for the store (one per URI and process: milvus-lite locks its folder)."""
    return _client(store.uri, store.token)


@lru_cache(maxsize=8)
def _client(uri: str, token: str | None):
    try:
        from pymilvus import MilvusClient
    except ImportError:
        raise StoreUnavailable(uri, "pymilvus is not installed: pip install 'kbqa[milvus]'") from None
    try:
        return MilvusClient(uri=uri, token=token or "")
    except Exception as exc:  # grpc, a locked milvus-lite folder, a refused connection...
        if uri.endswith(".db") and _held_by_another_process(uri):
            raise StoreUnavailable(uri, "another process has this milvus-lite file open (one process at a time: is `kbqa serve` "
                                   "running on it?); to share it, serve it with `milvus-lite server --data-dir "
                                   f"{uri} --port 19530` and point every kbqa at KBQA_STORE__URI=http://127.0.0.1:19530") from None
        raise StoreUnavailable(uri, _first_line(exc)) from None


def _held_by_another_process(path: str) -> bool:
    """True when the milvus-lite folder's lock is taken (milvus-lite 3 flocks `<path>/LOCK`)."""
    import fcntl
    import os

    try:
        fd = os.open(os.path.join(path, "LOCK"), os.O_RDWR)
    except OSError:  # no lock file (never opened), or not ours to open: not known to be held
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


def _schema(dims: list[int]):
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    for i, dim in enumerate(dims):
        schema.add_field(vector_field(i), DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("text", DataType.VARCHAR, max_length=_MAX_VARCHAR)
    schema.add_field("heading", DataType.VARCHAR, max_length=_MAX_VARCHAR)
    schema.add_field("file", DataType.VARCHAR, max_length=4096)
    schema.add_field("line_start", DataType.INT64)
    schema.add_field("line_end", DataType.INT64)
    schema.add_field("file_sha256", DataType.VARCHAR, max_length=128)
    return schema


def _index_params(client, store: StoreSettings, n_fields: int):
    params = client.prepare_index_params()
    extra = {"HNSW": {"M": 16, "efConstruction": 200}, "IVF_FLAT": {"nlist": 1024}}.get(store.index_type, {})
    for i in range(n_fields):
        params.add_index(field_name=vector_field(i), index_type=store.index_type, metric_type="IP", params=extra)
    return params


def search_params(store: StoreSettings) -> dict:
    """Per-query parameters of the vector index (how hard an approximate index looks)."""
    return {"metric_type": "IP", "params": {"HNSW": {"ef": max(64, store.candidates)}, "IVF_FLAT": {"nprobe": 32}}.get(store.index_type, {})}


def live_collection(store: StoreSettings) -> str | None:
    """The collection the alias names, None when there is no alias yet."""
    client = connect(store)
    try:
        if store.collection not in client.list_aliases().get("aliases", []):
            return None
        return client.describe_alias(store.collection)["collection_name"]
    except Exception as exc:
        raise StoreUnavailable(store.uri, _first_line(exc)) from None


def publish(store: StoreSettings, build_name: str, records: list[dict], vectors: list[np.ndarray],
            shas: dict[str, str], progress=None) -> str:
    """Write a build's passages and vectors (one matrix per encoder, rows in record order) to a new
    collection, check every row is there, then move the alias to it. Returns the collection's name."""
    client = connect(store)
    name = collection_of(store, build_name)
    n = len(records)
    try:
        if client.has_collection(name):  # a leftover of an interrupted build with the same name
            client.drop_collection(name)
        client.create_collection(name, schema=_schema([int(m.shape[1]) for m in vectors]),
                                 index_params=_index_params(client, store, len(vectors)))
        for start in range(0, n, BATCH_ROWS):
            if progress:
                progress("publish", start, n)
            stop = min(n, start + BATCH_ROWS)
            rows = []
            for row in range(start, stop):
                rec = records[row]
                item = {"row": row, "text": rec["text"], "heading": rec["heading"], "file": rec["file"],
                        "line_start": int(rec["lines"][0]), "line_end": int(rec["lines"][1]), "file_sha256": shas[rec["file"]]}
                for i, matrix in enumerate(vectors):
                    item[vector_field(i)] = matrix[row]
                rows.append(item)
            client.insert(name, rows)
        if progress:
            progress("publish", n, n)
        client.flush(name)
        count = _row_count(client, name)
        if count != n:
            raise StoreUnavailable(store.uri, f"collection {name} holds {count} rows after writing {n}")
        swap_alias(store, name)
    except StoreUnavailable:
        raise
    except Exception as exc:
        raise StoreUnavailable(store.uri, _first_line(exc)) from None
    return name


def swap_alias(store: StoreSettings, name: str) -> None:
    client = connect(store)
    if store.collection in client.list_aliases().get("aliases", []):
        client.alter_alias(name, store.collection)
    else:
        client.create_alias(name, store.collection)


def _row_count(client, name: str) -> int:
    return int(client.get_collection_stats(name)["row_count"])


def drop_collection(store: StoreSettings, build_name: str) -> None:
    """Drop a build's collection if it exists (an abandoned build); errors are only logged."""
    try:
        client = connect(store)
        name = collection_of(store, build_name)
        if client.has_collection(name):
            client.drop_collection(name)
    except Exception as exc:
        log.warning("could not drop the Milvus collection of %s: %s", build_name, _first_line(exc))


def drop_unused(store: StoreSettings, keep: set[str]) -> list[str]:
    """Drop this alias' build collections not in `keep` (older builds, interrupted ones); the names dropped."""
    client = connect(store)
    prefix = f"{store.collection}_build_"
    dropped = []
    for name in client.list_collections():
        if name.startswith(prefix) and name not in keep:
            client.drop_collection(name)
            dropped.append(name)
    return dropped


def check_published(store: StoreSettings, build_name: str, n_rows: int, where: str) -> None:
    """DamagedIndex unless the build's collection exists and holds one row per passage."""
    client = connect(store)
    name = collection_of(store, build_name)
    try:
        present = client.has_collection(name)
        count = _row_count(client, name) if present else 0
    except Exception as exc:
        raise StoreUnavailable(store.uri, _first_line(exc)) from None
    if not present:
        raise DamagedIndex(where, f"the Milvus collection {name} is missing from {store.uri}")
    if count != n_rows:
        raise DamagedIndex(where, f"the Milvus collection {name} holds {count} rows for {n_rows} passages")
    ensure_loaded(store, name)


def ensure_loaded(store: StoreSettings, name: str) -> None:
    """Load a collection into memory for search unless it is (Milvus releases collections on restart,
    and milvus-lite every time it is opened by a new process)."""
    client = connect(store)
    try:
        if str(client.get_load_state(name).get("state")) != str(_loaded()):
            client.load_collection(name)
    except Exception as exc:
        raise StoreUnavailable(store.uri, _first_line(exc)) from None


def _loaded():
    from pymilvus.client.types import LoadState

    return LoadState.Loaded


def read_vectors(store: StoreSettings, build_name: str, n_rows: int, dims: list[int]) -> list[np.ndarray]:
    """Every vector of a build, one matrix per encoder in row order (for re-use by the next build);
    DamagedIndex when the collection is missing or incomplete."""
    name = collection_of(store, build_name)
    check_published(store, build_name, n_rows, store.uri)
    out = [np.zeros((n_rows, d), dtype=np.float32) for d in dims]
    for start in range(0, n_rows, READ_ROWS):
        stop = min(n_rows, start + READ_ROWS)
        for matrix, part in zip(out, vectors_of(store, name, list(range(start, stop)), len(dims))):
            matrix[start:stop] = part
    return out


def vectors_of(store: StoreSettings, collection: str, rows: list[int], n_fields: int) -> list[np.ndarray]:
    """The stored vectors of some rows, one matrix per encoder position, in the order of `rows` (one read by
    primary key: ~14 ms for 150 rows of a 100k collection, where a search restricted to them took ~50 ms
    per query vector; measured on the scale benchmark's 100k collection)."""
    fields = [vector_field(i) for i in range(n_fields)]
    got = connect(store).get(collection, ids=[int(r) for r in rows], output_fields=["row", *fields])
    by_row = {int(item["row"]): item for item in got}
    missing = [r for r in rows if int(r) not in by_row]
    if missing:
        raise DamagedIndex(store.uri, f"the Milvus collection {collection} lacks rows {missing[:5]}")
    return [np.asarray([by_row[int(r)][f] for r in rows], dtype=np.float32) for f in fields]


def top_rows(store: StoreSettings, collection: str, position: int, queries: list[np.ndarray], limit: int) -> list[list[int]]:
    """For each query vector, the rows of the `limit` nearest passages by the encoder at `position`
    (one search for all of them: two query vectors cost ~1.2x one on a flat index)."""
    res = connect(store).search(collection, data=[np.asarray(q, dtype=np.float32).tolist() for q in queries],
                                anns_field=vector_field(position), limit=limit, search_params=search_params(store),
                                output_fields=["row"])
    return [[int(hit["row"]) for hit in hits] for hits in res]
