"""Shared fixtures: real encoders loaded once per session, real indexes in tmp dirs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / "kb"
SHARED = ROOT.parent / "shared"
DEV_EVAL = SHARED / "eval" / "dev.jsonl"


@pytest.fixture(scope="session")
def embedders():
    """The default encoders, loaded once and shared (they are stateless)."""
    from ingest.embed import make_embedder

    return {spec: make_embedder(spec) for spec in ("use", "e5")}


@pytest.fixture(scope="session")
def kb_index(tmp_path_factory, embedders):
    """The shipped notes, indexed once per test session into a temp dir."""
    from ingest.index import build_index
    from ingest.settings import Settings

    root = tmp_path_factory.mktemp("kb-index")
    settings = Settings(kb=KB, index=root / "index")
    report = build_index(settings, embedders=embedders)
    return settings, report


@pytest.fixture(scope="session")
def retriever(kb_index, embedders):
    from app.retrieval.retriever import Retriever
    from ingest.index import load_index

    settings, _ = kb_index
    return Retriever(load_index(settings), settings, embedders=embedders)


FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = ROOT / "tests" / "golden" / "ingest"
REGEN = os.environ.get("KBQA_REGEN_GOLDEN") == "1"  # goldens are rewritten only on request, then reviewed in the diff


def write_small_kb(kb: Path, gbk: bool = True) -> Path:
    """An English note, a Chinese note and (unless gbk=False) a GBK-encoded note in `kb`."""
    kb.mkdir(parents=True, exist_ok=True)
    (kb / "en.md").write_text(
        "# Training\n\nTraining GPT-3 took 3.14e23 FLOPs. It ran for weeks on thousands of GPUs.\n\n"
        "# Serving\n\nServing costs depend on utilization and the hourly price of a GPU.\n",
        encoding="utf-8",
    )
    (kb / "zh.txt").write_text("机柜与电力\n\n一个标准机柜可放下约7台服务器。每个机柜的功率约为45.5kW。\n", encoding="utf-8")
    if gbk:
        (kb / "gbk.txt").write_bytes("数据中心的电费\n\n东部地区电费高，西部地区电费低，适合训练大模型。\n".encode("gbk"))
    return kb


@pytest.fixture
def small_kb(tmp_path):
    """A small notes folder: an English note, a Chinese note, a GBK-encoded note."""
    return write_small_kb(tmp_path / "kb")


def copy_kb(dst: Path) -> Path:
    shutil.copytree(KB, dst, ignore=shutil.ignore_patterns(".index"))
    return dst
