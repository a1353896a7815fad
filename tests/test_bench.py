"""The benchmark runs end to end and reports every figure (on a small notes folder)."""

from __future__ import annotations

import json

from app.evaluation.bench import ROWS, format_table, run_bench
from ingest.settings import Settings


def test_bench_reports_every_figure(small_kb, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"id": "a", "kind": "lookup", "question": "How much power does a rack draw?", "evidence": ["45.5kW"]}) + "\n"
        + json.dumps({"id": "b", "kind": "lookup", "question": "西部地区电费", "evidence": ["西部地区电费低"]}) + "\n",
        encoding="utf-8",
    )
    figures = run_bench(Settings(kb=small_kb), eval_file=questions, llamaindex=False)
    ours = figures["kbqa"]
    for _, key in ROWS:
        assert key in ours, key
    assert ours["chunks"] >= 3 and ours["cold_ingest_s"] > 0 and ours["index_bytes"] > 0
    assert ours["R@5"] == 1.0
    table = format_table(figures)
    assert "| cold ingest (s) |" in table and "kbqa" in table
