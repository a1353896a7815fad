"""The index as it is held in memory: the passages, their records on disk, what the encoders see, and a
loaded build (written and read by ingest/index.py; searched by app/retrieval)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.bm25 import Bm25Index
from ingest.types import Chunk


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
