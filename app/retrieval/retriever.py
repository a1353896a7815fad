"""Hybrid retrieval over the index: weighted cosine of the dense encoders, plus
BM25 over jieba tokens with the question's words translated both ways (glossary and
CC-CEDICT, see lexicon.py and lexical.py), fused by score (not rank:
with English questions over Chinese text BM25 is mostly noise, and rank fusion lets
that noise outvote the dense side; a normalised score adds little when it finds nothing).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

import re

import numpy as np

from app.question import Question, as_question
from app.retrieval.dictionary import Dictionary, load_dictionary
from app.retrieval.glossary import Glossary, notes_glossary
from app.retrieval.lexical import LexicalScorer
from app.retrieval.lexicon import Translation, translations
from app.retrieval.rerank import answer_type_match, entity_coverage, is_reference_list
from app.retrieval.stores import make_store
from ingest.loaded import LoadedIndex, embed_text
from ingest.settings import Settings
from ingest.types import Chunk




_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass
class Hit:
    chunk: Chunk
    score: float
    parts: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict:
        c = self.chunk
        return {"text": c.text, "file": c.file, "heading": c.heading, "lines": [c.line_start, c.line_end], "score": round(float(self.score), 4)}


# Query encodings of the encoders run side by side (measured on 2 cores: use + e5 for a question and its
# translation, 98 -> 59 ms under load); shared by every retriever in the process.
_QUERY_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kbqa-query")


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
        self.bm25 = index.bm25  # built at ingest, saved with the index
        self.lexical = LexicalScorer(self.bm25)
        self.is_reference = np.array([1.0 if is_reference_list(c.heading) else 0.0 for c in self.chunks], dtype=np.float32)
        # the notes folder's own glossary is read now, so a bad line is reported when the notes are opened
        self.glossary: Glossary = notes_glossary(settings.kb) if settings.retrieval.glossary else Glossary()
        self._dictionary: Dictionary | None = None
        self.translations = lru_cache(maxsize=256)(self._translations)

    @property
    def dictionary(self) -> Dictionary | None:
        """CC-CEDICT, opened on the first question (built into the cache folder once per machine)."""
        if self._dictionary is None and self.settings.retrieval.glossary and self.settings.retrieval.dictionary:
            self._dictionary = load_dictionary()
        return self._dictionary

    def _translations(self, text: str) -> tuple[Translation, ...]:
        if not self.settings.retrieval.glossary:
            return ()
        return tuple(translations(text, self.glossary, self.dictionary))

    def translated_query(self, q: Question, found: list[Translation]) -> str:
        """The question's words in the notes' other language, for the dense encoders: its names and figures
        (words of neither language's script) and the best translation of each word, as a bag of words."""
        words = [w for w in q.words if not _HAN.search(w)] if q.language == "zh" else [w for w in q.words if re.fullmatch(r"[\d.]+", w)]
        extra = self.lexical.translated_words(found)
        return " ".join(words + extra) if extra else ""

    def encode_queries(self, texts: dict[str, list[str]]) -> dict[str, list[np.ndarray]]:
        """Each encoder's vectors of its texts, the encoders side by side (each engine runs in C with the GIL
        released; one encoder's calls stay in order, each engine takes one call at a time)."""
        if len(texts) == 1:
            (spec, items), = texts.items()
            return {spec: [self.embedders[spec].query(t) for t in items]}
        futures = {spec: _QUERY_POOL.submit(lambda e=self.embedders[spec], items=items: [e.query(t) for t in items])
                   for spec, items in texts.items()}
        return {spec: f.result() for spec, f in futures.items()}

    def question(self, question: Question | str) -> Question:
        return as_question(question, glossary=self.settings.retrieval.glossary)

    def scores(self, question: Question | str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Fused score of every chunk, and each component."""
        q = self.question(question)
        r = self.settings.retrieval
        parts: dict[str, np.ndarray] = {}
        fused = np.zeros(len(self.chunks), dtype=np.float32)
        found = list(self.translations(q.text))
        translated = self.translated_query(q, found) if r.dense_translation_weight > 0 else ""
        also = r.dense_translation_encoders
        vectors = self.encode_queries({spec: [q.text, translated] if translated and (also is None or spec in also) else [q.text]
                                       for spec in self.settings.embed.models})
        bm = self.lexical.scores(list(q.words), found, r.translation_weight)
        first = self.store.candidates(vectors, bm)  # every passage (FAISS), or the nearest ones (Milvus)
        for spec, weight in zip(self.settings.embed.models, self.settings.embed.weights):
            parts[spec] = first.dense[spec][0]
            fused += weight * parts[spec]
            if len(first.dense[spec]) > 1:
                parts[spec + " translated"] = first.dense[spec][1]
                fused += weight * r.dense_translation_weight * parts[spec + " translated"]
        top = float(bm.max()) if len(bm) else 0.0
        parts["bm25"] = bm / top if top > 0 else bm
        fused += r.bm25_weight * parts["bm25"]
        if first.mask is not None:  # a store that scored only some passages: the others are out
            fused[~first.mask] = -np.inf
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
