"""Hostile input and a damaged index at the command line: a message, never a traceback;
--jsonl answers every line, an error as a JSON line."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from app.cli import main
from ingest.builds import current_build  # noqa: E402
from ingest.index import build_index
from ingest.settings import Settings

from conftest import ROOT


def _args(s: Settings) -> list[str]:
    return ["--kb", str(s.kb), "--index", str(s.index_dir)]


def test_search_repairs_a_damaged_index_and_says_so(small_kb, tmp_path, embedders):
    s = Settings(kb=small_kb, index=tmp_path / "index")
    build_index(s, embedders=embedders)
    faiss_file = current_build(s.index_dir) / "encoder-0.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])
    r = CliRunner().invoke(main, ["search", "机柜的功率", "--json", *_args(s)])
    assert r.exit_code == 0, r.output
    assert "the previous index was damaged (encoder-0.faiss has 100 bytes" in r.stderr
    assert json.loads(r.stdout)["results"]


def test_ask_repairs_a_binary_current_and_says_so(small_kb, tmp_path, embedders):
    s = Settings(kb=small_kb, index=tmp_path / "index")
    build_index(s, embedders=embedders)
    (s.index_dir / "CURRENT").write_bytes(b"\x00\xff" * 20)
    r = CliRunner().invoke(main, ["ask", "每个机柜的功率是多少？", *_args(s)])
    assert r.exit_code == 0, r.output
    assert "was damaged (the file CURRENT does not name a build); it was rebuilt from the notes" in r.stderr
    assert "45.5" in r.stdout


def test_search_refuses_a_question_over_the_limit(kb_index):
    s, _ = kb_index
    r = CliRunner().invoke(main, ["search", "GPU " * 100_000, *_args(s)])
    assert r.exit_code == 1
    assert r.output.strip() == "Error: the question is 400,000 characters long; the limit is 4,000: ask about one thing at a time"


def test_jsonl_answers_every_line_errors_included(kb_index, tmp_path):
    s, _ = kb_index
    qfile = tmp_path / "q.jsonl"
    qfile.write_text("\n".join([
        json.dumps({"id": "ok", "question": "rack power 机柜"}),
        json.dumps({"id": "long", "question": "x" * 5000}),
        json.dumps({"id": "empty", "question": "   "}),
        "{not json",
        json.dumps({"id": "noq", "text": "a"}),
    ]) + "\n", encoding="utf-8")
    for command in ("search", "ask"):
        r = CliRunner().invoke(main, [command, "--jsonl", str(qfile), *_args(s)])
        assert r.exit_code == 0, r.output
        lines = [json.loads(x) for x in r.stdout.splitlines()]
        assert len(lines) == 5, (command, lines)
        assert "error" not in lines[0]
        assert lines[1]["id"] == "long" and "the limit is 4,000" in lines[1]["error"] and len(lines[1]["question"]) == 200
        assert lines[2]["id"] == "empty" and lines[2]["error"].startswith("the question is empty")
        assert lines[3]["error"].endswith("q.jsonl:4: not JSON (Expecting property name enclosed in double quotes)")
        assert lines[4]["id"] == "noq" and "expected an object with 'id' and 'question'" in lines[4]["error"]


def test_an_os_error_is_a_message(small_kb, tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    r = CliRunner().invoke(main, ["ingest", "--kb", str(small_kb), "--index", str(not_a_folder)])
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit)
    assert r.output.startswith("Error: File exists")


def test_no_traceback_in_a_real_process_over_a_damaged_index(small_kb, tmp_path, embedders):
    s = Settings(kb=small_kb, index=tmp_path / "index")
    build_index(s, embedders=embedders)
    (current_build(s.index_dir) / "manifest.json").write_text("{garbled", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "app.cli", "search", "rack power", *_args(s)],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert "manifest.json is not valid JSON" in out.stderr and "[1]" in out.stdout
