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
# Questions written for the tests over the shipped notes (the eval format of `kbqa eval`); always present.
KB_QUESTIONS = ROOT / "tests" / "data" / "kb_questions.jsonl"
# The shared dev set adds checks when ../shared happens to be beside the project; the tests never need it.
SHARED = ROOT.parent / "shared"
DEV_EVAL = SHARED / "eval" / "dev.jsonl"
EVAL_FILES = [KB_QUESTIONS] + ([DEV_EVAL] if DEV_EVAL.exists() else [])
WITHOUT_SHARED = "../shared/eval/dev.jsonl not beside the project (optional: tests/data/kb_questions.jsonl covers the same kinds)"


def eval_lines(kind: str) -> list:
    """Every line of `kind` in the eval files present, as pytest params named '<file>:<id>'."""
    from app.evaluation.evaluate import load_eval

    return [pytest.param(item, id=f"{path.stem}:{item.get('id')}") for path in EVAL_FILES
            for item in load_eval(path) if item.get("kind") == kind]


def eval_files() -> list:
    """The project's questions, and the shared dev set (skipped when absent), as pytest params."""
    return [pytest.param(KB_QUESTIONS, id="kb_questions"),
            pytest.param(DEV_EVAL, id="shared-dev", marks=pytest.mark.skipif(not DEV_EVAL.exists(), reason=WITHOUT_SHARED))]


def eval_file_params(kb_questions: dict, dev: dict) -> list:
    """eval_files() paired with each file's thresholds: params of (path, thresholds)."""
    return [pytest.param(p.values[0], t, id=p.id, marks=p.marks) for p, t in zip(eval_files(), (kb_questions, dev))]


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
