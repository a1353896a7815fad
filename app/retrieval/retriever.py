"""Hybrid retrieval over the index: weighted cosine of the dense encoders, plus
BM25 over jieba tokens with bilingual glossary expansion, fused by score (not rank:
with English questions over Chinese text BM25 is mostly noise, and rank fusion lets
that noise outvote the dense side; a normalised score adds little when it finds nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from app.question import Question, as_question
from app.retrieval.rerank import answer_type_match, entity_coverage, is_reference_list
from app.retrieval.stores import make_store
from ingest.index import LoadedIndex, embed_text
from ingest.settings import Settings
from ingest.types import Chunk




@dataclass
class Hit:
    chunk: Chunk
    score: float
    parts: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict:
        c = self.chunk
        return {"text": c.text, "file": c.file, "heading": c.heading, "lines": [c.line_start, c.line_end], "score": round(float(self.score), 4)}


class Retriever:
    """Built once per process over a loaded index; `search` is the hot path."""

    def __init__(self, index: LoadedIndex, settings: Settings, embedders: dict | None = None):
        from ingest.embed import make_embedder

        self.index = index
        self.settings = settings
        self.chunks = index.chunks
        self.embedders = embedders if embedders is not None else {}
        for spec in settings.embed.models:
            if spec not in self.embedders:
                self.embedders[spec] = make_embedder(spec)
        self.store = make_store(index, settings, self.embedders)  # in-process FAISS, or Milvus (settings.store)
        self.texts = [embed_text(c) for c in self.chunks]
        self.is_reference = np.array([1.0 if is_reference_list(c.heading) else 0.0 for c in self.chunks], dtype=np.float32)

    def question(self, question: Question | str) -> Question:
        return as_question(question, glossary=self.settings.retrieval.glossary)

    def scores(self, question: Question | str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Fused score of every chunk, and each component."""
        q = self.question(question)
        r = self.settings.retrieval
        parts: dict[str, np.ndarray] = {}
        fused = np.zeros(len(self.chunks), dtype=np.float32)
        found = self.store.candidates({spec: self.embedders[spec].query(q.text) for spec in self.settings.embed.models}, list(q.terms))
        for spec, weight in zip(self.settings.embed.models, self.settings.embed.weights):
            parts[spec] = found.dense[spec]
            fused += weight * parts[spec]
        bm = found.bm25
        top = float(bm.max()) if len(bm) else 0.0
        parts["bm25"] = bm / top if top > 0 else bm
        fused += r.bm25_weight * parts["bm25"]
        if found.mask is not None:  # a store that scored only some passages: the others are out
            fused[~found.mask] = -np.inf
        # Second stage, on the candidates only: does the passage hold what is asked for?
        candidates = np.argsort(-fused)[: max(50, 5 * r.k)]
        types, names = list(q.asked), list(q.names)
        parts["answer_type"] = np.zeros_like(fused)
        parts["entities"] = np.zeros_like(fused)
        for i in candidates:
            parts["answer_type"][i] = answer_type_match(types, self.texts[i])
            parts["entities"][i] = entity_coverage(names, self.texts[i])
        fused += r.answer_type_weight * parts["answer_type"] + r.entity_weight * parts["entities"]
        fused -= r.reference_penalty * self.is_reference
        return fused, parts

    def search(self, question: Question | str, k: int | None = None) -> list[Hit]:
        k = k or self.settings.retrieval.k
        fused, parts = self.scores(question)
        order = np.argsort(-fused, kind="stable")[:k]
        return [Hit(self.chunks[i], float(fused[i]), {n: float(p[i]) for n, p in parts.items()}) for i in order]
