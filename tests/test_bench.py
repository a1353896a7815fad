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


def test_first_build_bench_times_each_stage(small_kb):
    """`kbqa bench --first-build`: a cold build as the server runs it, answerable by keywords, then with the
    fast encoder, then whole, each with its answer times; the folder's own index is left alone."""
    from click.testing import CliRunner

    from app.cli import main

    r = CliRunner().invoke(main, ["bench", "--first-build", str(small_kb), "--json"], env={"KBQA_STORE__URI": str(small_kb.parent / "team.db")})
    assert r.exit_code == 0, r.output
    figures = json.loads(r.output)
    assert figures["notes"] == 3 and figures["passages"] >= 3 and figures["peak_rss_mb"] > 0
    stages = figures["stages"]
    assert [s["encoders"] for s in stages] == [[], ["use"], ["use", "e5"]]
    afters = [s["after_s"] for s in stages]
    assert afters == sorted(afters) and stages[-1]["questions"] >= 1 and stages[-1]["answer_p50_ms"] > 0
    # an early stage is timed when a question could be asked in it (on 3 notes one may be over at once)
    assert all(s["answer_p50_ms"] > 0 for s in stages if s["questions"]) and any(s["questions"] for s in stages[:-1])
    assert not (small_kb / ".index").exists() and not (small_kb.parent / "team.db").exists()  # never a store of the user's
    table = CliRunner().invoke(main, ["bench", "--first-build", str(small_kb)])
    assert "| keyword search + use |" in table.output and "first build of 3 notes" in table.output


def test_eval_while_building_scores_each_stage(small_kb, tmp_path):
    from click.testing import CliRunner

    from app.cli import main

    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "a", "kind": "lookup", "question": "How much power does a rack draw?",
                                     "evidence": ["45.5kW"]}) + "\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["eval", str(questions), "--kb", str(small_kb), "--index", str(tmp_path / "ix"),
                                  "--while-building", "--json"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.output[r.output.index("{"):])
    assert [s["encoders"] for s in result["while_building"]] == [[], ["use"]]
    assert all(s["result"]["lookup"]["n"] == 1 for s in result["while_building"]) and result["lookup"]["n"] == 1
    text = CliRunner().invoke(main, ["eval", str(questions), "--kb", str(small_kb), "--index", str(tmp_path / "ix"), "--while-building"])
    assert "while building, keyword search alone:" in text.output and "built, keyword search and use + e5:" in text.output
