"""A build searchable before it ends: what `build_index(..., early=)` hands out on a first build (BM25
over every passage once the notes are read, then each encoder's vectors as it finishes), and the same
narrowing of a whole index, to measure what such a build answers (`kbqa eval --while-building`).
Held in memory only (FAISS, whatever the store): nothing of it is on disk until the build is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.bm25 import Bm25Index
from ingest.loaded import LoadedIndex, record_to_chunk
from ingest.settings import Settings


def searching_with(settings: Settings, specs: list[str]) -> Settings:
    """The settings searching with only `specs` of the encoders (their weights as set; none = keyword search
    alone) and the in-process store: how a build in progress is searched."""
    from ingest.settings import StoreSettings

    embed = settings.embed
    weights = [w for spec, w in zip(embed.models, embed.weights) if spec in specs]
    models = [spec for spec in embed.models if spec in specs]
    # model_copy does not validate: an empty list of encoders is allowed here (keyword search only)
    return settings.model_copy(update={"embed": embed.model_copy(update={"models": models, "weights": weights}),
                                       "store": StoreSettings()})


def narrowed(index: LoadedIndex, specs: list[str]) -> LoadedIndex:
    """The loaded index with only the vectors of `specs`: what a build in progress searches, for measuring it."""
    dims = {spec: d for spec, d in index.manifest.get("dims", {}).items() if spec in specs}
    return LoadedIndex(manifest={**index.manifest, "dims": dims}, chunks=index.chunks,
                       vectors={spec: v for spec, v in index.vectors.items() if spec in specs}, path=index.path, bm25=index.bm25)


@dataclass
class EarlyIndex:
    """A build's passages, searchable before the build ends: BM25 over every passage and the vectors of
    the encoders that have finished (`ready`); `pending` encoders are still embedding `passages_pending`
    passages. Held in memory only (FAISS, whatever the store): nothing of it is on disk until the build
    is published."""

    settings: Settings
    records: list[dict]
    bm25: Bm25Index
    files: dict[str, dict]
    vectors: dict[str, np.ndarray]  # ready encoder spec -> one row per passage
    pending: list[str]
    passages_pending: int

    @property
    def ready(self) -> list[str]:
        return [spec for spec in self.settings.embed.models if spec in self.vectors]

    def search_settings(self) -> Settings:
        return searching_with(self.settings, self.ready)

    def loaded(self) -> LoadedIndex:
        import faiss

        indexes = {}
        for spec, matrix in self.vectors.items():
            indexes[spec] = faiss.IndexFlatIP(matrix.shape[1])
            indexes[spec].add(matrix)
        manifest = {"chunks": len(self.records), "files": self.files, "early": True,
                    "dims": {spec: int(m.shape[1]) for spec, m in self.vectors.items()}}
        return LoadedIndex(manifest=manifest, chunks=[record_to_chunk(r) for r in self.records], vectors=indexes,
                           path=Path(self.settings.index_dir), bm25=self.bm25)
