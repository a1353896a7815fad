"""Where the retriever gets its first-stage scores: dense cosines per encoder and BM25, per passage.

The retriever embeds the question (and its word-by-word translation), scores BM25 itself (bm25s
over every passage, local and exact whatever the store: max-normalisation needs the true maximum,
and translated words are weighted), and asks the store for the dense scores of its query vectors;
it fuses and reranks them itself, the same way whatever the store. Two stores:

- `FaissStore` (default): every passage is a candidate; cosines are the flat matrices times the
  query, BM25 is bm25s over every passage. Exactly what the retriever always computed.
- `MilvusStore` (settings.store.uri): the `store.candidates` nearest passages per encoder from
  Milvus, plus the best `store.candidates` by BM25 (bm25s, local: it is exact over every passage
  and cheap, and max-normalisation needs the true maximum); the union of these is scored exactly as
  the flat store scores it (the union's stored vectors, read back by primary key in one call, times
  the query vectors), and passages outside the union are left out of the fusion (`mask`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingest.errors import StaleIndex
from ingest.loaded import LoadedIndex
from ingest.settings import Settings


@dataclass
class Candidates:
    """First-stage scores over every passage of the index (row i = chunks[i])."""

    dense: dict[str, list[np.ndarray]]  # encoder spec -> per query vector, the cosine (inner product) per passage
    bm25: np.ndarray  # raw BM25 per passage (the retriever normalises it by its maximum)
    mask: np.ndarray | None = None  # None = every passage was scored; else True where scored

    @property
    def rows(self) -> np.ndarray:
        """The rows that were scored.

        >>> Candidates({}, np.zeros(3), np.array([True, False, True])).rows.tolist()
        [0, 2]
        """
        return np.arange(len(self.bm25)) if self.mask is None else np.flatnonzero(self.mask)


class FaissStore:
    """Vectors held in memory from the index's flat FAISS files: scores every passage."""

    def __init__(self, index: LoadedIndex):
        # Flat indexes are small: keep the matrices for exact scoring of every passage.
        self.matrices = {spec: vi.reconstruct_n(0, vi.ntotal) for spec, vi in index.vectors.items()}
        self.bm25 = index.bm25

    def candidates(self, queries: dict[str, list[np.ndarray]], bm25: np.ndarray) -> Candidates:
        return Candidates({spec: [self.matrices[spec] @ v for v in vs] for spec, vs in queries.items()}, bm25)


class MilvusStore:
    """Vectors in the Milvus collection of the loaded build (not the alias: a newer build may already
    be live; this one stays until the build after next)."""

    def __init__(self, index: LoadedIndex, settings: Settings):
        from ingest import milvus_store

        self.store = settings.store
        self.collection = milvus_store.collection_of(settings.store, index.path.name)
        self.specs = list(settings.embed.models)
        self.bm25 = index.bm25
        self.n = len(index.chunks)
        self.limit = max(settings.store.candidates, settings.retrieval.k)  # never fewer than the hits asked for

    def candidates(self, queries: dict[str, list[np.ndarray]], bm25: np.ndarray) -> Candidates:
        from ingest import milvus_store

        limit = min(self.limit, self.n)
        union = {int(r) for r in np.argpartition(-bm25, limit - 1)[:limit] if bm25[r] > 0} if self.n else set()
        for position, spec in enumerate(self.specs):  # the nearest passages of every query vector, one search per encoder
            for rows in milvus_store.top_rows(self.store, self.collection, position, queries[spec], limit):
                union.update(rows)
        rows = np.array(sorted(union), dtype=np.int64)
        mask = np.zeros(self.n, dtype=bool)
        mask[rows] = True
        if not len(rows):  # an empty collection: nothing to score
            return Candidates({spec: [np.zeros(self.n, dtype=np.float32) for _ in queries[spec]] for spec in self.specs}, bm25, mask)
        # every union row scored exactly as the flat store scores it: its stored vectors times the query
        matrices = milvus_store.vectors_of(self.store, self.collection, rows.tolist(), len(self.specs))
        dense: dict[str, list[np.ndarray]] = {}
        for position, spec in enumerate(self.specs):
            dense[spec] = []
            for vector in queries[spec]:
                scores = np.zeros(self.n, dtype=np.float32)
                scores[rows] = matrices[position] @ np.asarray(vector, dtype=np.float32)
                dense[spec].append(scores)
        return Candidates(dense, bm25, mask)


def make_store(index: LoadedIndex, settings: Settings, embedders: dict):
    """The store the settings name, after checking each encoder gives vectors of the index's dimension."""
    dims = index.manifest.get("dims", {})
    for spec in settings.embed.models:
        have = dims.get(spec) if settings.store.milvus else (index.vectors[spec].d if spec in index.vectors else None)
        if have is not None and have != embedders[spec].dim:  # e.g. another model now sits at the same local path
            raise StaleIndex(str(index.path.parent), [f"{spec}: index vectors have {have} dimensions, the model gives {embedders[spec].dim}"])
    return MilvusStore(index, settings) if settings.store.milvus else FaissStore(index)
