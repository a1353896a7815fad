"""The CLI contract of ingest/search/eval, through click's runner and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from app.cli import main

from conftest import ROOT, eval_file_params


def test_ingest_summary(small_kb, tmp_path):
    (small_kb / "empty.txt").write_text("")
    result = CliRunner().invoke(main, ["ingest", "--kb", str(small_kb), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert "files read: 3" in result.output
    assert "skipped empty.txt" in result.output
    assert "boilerplate characters removed" in result.output


def test_ingest_bad_kb_path(tmp_path):
    result = CliRunner().invoke(main, ["ingest", "--kb", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert "notes folder not found" in result.output and "--kb" in result.output


def test_ingest_empty_kb(tmp_path):
    (tmp_path / "kb").mkdir()
    result = CliRunner().invoke(main, ["ingest", "--kb", str(tmp_path / "kb")])
    assert result.exit_code == 1 and "no readable .txt or .md notes" in result.output


def test_search_json_and_jsonl(kb_index):
    settings, _ = kb_index
    args = ["--kb", str(settings.kb), "--index", str(settings.index_dir)]
    r = CliRunner().invoke(main, ["search", "DGX A100 服务器的售价", "--k", "3", "--json", *args])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert len(out["results"]) == 3
    assert set(out["results"][0]) == {"text", "file", "heading", "lines", "score"}


def test_search_jsonl_file(kb_index, tmp_path):
    settings, _ = kb_index
    qfile = tmp_path / "q.jsonl"
    qfile.write_text('{"id": "a", "question": "A100 峰值"}\n{"id": "b", "question": "rack power"}\n', encoding="utf-8")
    r = CliRunner().invoke(main, ["search", "--jsonl", str(qfile), "--k", "2", "--kb", str(settings.kb), "--index", str(settings.index_dir)])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert [x["id"] for x in lines] == ["a", "b"] and all(len(x["results"]) == 2 for x in lines)


def test_search_bad_jsonl(tmp_path, kb_index):
    settings, _ = kb_index
    qfile = tmp_path / "q.jsonl"
    qfile.write_text('{"id": "a", "question": "ok"}\nnot json\n', encoding="utf-8")
    r = CliRunner().invoke(main, ["search", "--jsonl", str(qfile), "--kb", str(settings.kb), "--index", str(settings.index_dir)])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.stdout.splitlines()]  # every line answered, the bad one by its error
    assert lines[0]["id"] == "a" and lines[0]["results"]
    assert lines[1]["error"].endswith("q.jsonl:2: not JSON (Expecting value)")


def test_search_builds_missing_index(small_kb, tmp_path):
    r = CliRunner().invoke(main, ["search", "rack power", "--json", "--kb", str(small_kb), "--index", str(tmp_path / "new")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "new" / "CURRENT").exists()


def test_search_rebuilds_stale_index(small_kb, tmp_path, monkeypatch):
    ix = str(tmp_path / "ix")
    assert CliRunner().invoke(main, ["ingest", "--kb", str(small_kb), "--index", ix]).exit_code == 0
    monkeypatch.setenv("KBQA_CHUNK__TARGET_CHARS", "120")
    r = CliRunner().invoke(main, ["search", "rack power", "--json", "--kb", str(small_kb), "--index", ix])
    assert r.exit_code == 0, r.output
    from ingest.index import read_manifest

    assert read_manifest(tmp_path / "ix")["chunker"]["target_chars"] == 120


@pytest.mark.parametrize("path,target", eval_file_params(kb_questions={"n": 25}, dev={"n": 30}))
def test_eval_command(kb_index, path, target):
    settings, _ = kb_index
    r = CliRunner().invoke(main, ["eval", str(path), "--json", "--kb", str(settings.kb), "--index", str(settings.index_dir)])
    assert r.exit_code == 0, r.output
    scores = json.loads(r.output)["lookup"]
    assert scores["n"] >= target["n"] and {"R@1", "R@3", "R@5", "MRR", "misses"} <= set(scores)


def test_eval_bad_file(tmp_path):
    bad = tmp_path / "e.jsonl"
    bad.write_text('{"kind": "lookup", "question": "x", "evidence": ["y"]}\n{oops\n')
    r = CliRunner().invoke(main, ["eval", str(bad), "--kb", str(tmp_path)])
    assert r.exit_code == 1 and "e.jsonl:2: not JSON" in r.output


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "app.cli", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0
    for name in ("ingest", "search", "eval", "bench", "calc", "claims"):
        assert name in out.stdout


def test_claims_skips_an_unreadable_note(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "a.txt").write_text("需要729,167/24=30,382片A100\n", encoding="utf-8")
    (kb / "b.txt").write_bytes(b"\xff\xfe\x00\xd8" + bytes(range(256)) * 3)
    r = CliRunner().invoke(main, ["claims", "--kb", str(kb), "--json"])
    assert r.exit_code == 0, r.output
    assert '"holds": true' in r.stdout


GLOSARY = "Error: unknown setting KBQA_RETRIEVAL__GLOSARY: did you mean KBQA_RETRIEVAL__GLOSSARY?"


@pytest.mark.parametrize("command", [["ingest"], ["search", "rack power"], ["ask", "rack power"], ["eval", "q.jsonl"], ["bench"], ["claims"]])
def test_every_command_refuses_a_misspelt_setting(command, small_kb, tmp_path, monkeypatch):
    (tmp_path / "q.jsonl").write_text('{"id": "a", "kind": "lookup", "question": "x", "evidence": ["y"]}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KBQA_RETRIEVAL__GLOSARY", "false")
    r = CliRunner().invoke(main, [*command, "--kb", str(small_kb)])
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit)
    assert r.output.strip() == GLOSARY
    assert not (small_kb / ".index").exists()  # refused before any work


def test_settings_error_without_traceback_in_a_real_process(small_kb):
    env = {**os.environ, "KBQA_RETRIEVAL__GLOSARY": "false"}
    out = subprocess.run([sys.executable, "-m", "app.cli", "search", "rack power", "--kb", str(small_kb)],
                         capture_output=True, text=True, cwd=ROOT, env=env)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.strip() == GLOSARY


def test_bad_setting_value_is_a_message(small_kb, monkeypatch):
    monkeypatch.setenv("KBQA_RETRIEVAL__K", "0")
    r = CliRunner().invoke(main, ["search", "rack power", "--kb", str(small_kb)])
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit)
    assert r.output.strip() == "Error: bad setting KBQA_RETRIEVAL__K: Input should be greater than or equal to 1 (got '0')"


def test_claims_reads_the_kb_from_the_settings(tmp_path, monkeypatch):
    kb = tmp_path / "notes"
    kb.mkdir()
    (kb / "a.txt").write_text("需要729,167/24=30,382片A100\n", encoding="utf-8")
    monkeypatch.setenv("KBQA_KB", str(kb))
    r = CliRunner().invoke(main, ["claims", "--json"])
    assert r.exit_code == 0, r.output
    assert '"file": "a.txt"' in r.stdout
