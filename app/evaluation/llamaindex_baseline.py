"""llama-index's default pipeline, for comparison in the benchmark: SimpleDirectoryReader
over the raw notes, the default SentenceSplitter, VectorStoreIndex, top-k 5, with our
embedder wrapped as a llama-index embedding (passed explicitly: never the global
Settings, which silently defaults to OpenAI).
"""

from __future__ import annotations

import os
from pathlib import Path


def _static_tiktoken_cache() -> None:
    # tiktoken downloads its files on first use; llama-index ships them.
    import llama_index.core

    cache = Path(llama_index.core.__file__).parent / "_static" / "tiktoken_cache"
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache))


def make_embedding(spec: str = "use"):
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    from ingest.embed import make_embedder

    class KbqaEmbedding(BaseEmbedding):
        """One of kbqa's encoders behind llama-index's embedding interface."""

        _encoder: object = PrivateAttr()

        def __init__(self, encoder, **kwargs):
            super().__init__(model_name=encoder.name, embed_batch_size=32, **kwargs)
            self._encoder = encoder

        def _get_query_embedding(self, query: str):
            return self._encoder.query(query).tolist()

        async def _aget_query_embedding(self, query: str):
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str):
            return self._encoder.passages([text])[0].tolist()

        def _get_text_embeddings(self, texts):
            return self._encoder.passages(list(texts)).tolist()

    return KbqaEmbedding(make_embedder(spec))


def build_default_index(kb: Path, spec: str = "use"):
    _static_tiktoken_cache()
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex

    docs = SimpleDirectoryReader(str(kb), required_exts=[".txt", ".md"], recursive=True).load_data()
    return VectorStoreIndex.from_documents(docs, embed_model=make_embedding(spec))


def retriever(index, k: int = 5):
    return index.as_retriever(similarity_top_k=k)
