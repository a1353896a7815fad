"""The claims checker: the notes' arithmetic against a hand-reviewed golden file, the
eval set's verdicts, English claims, other folders and encodings, the CLI and the
assistant reading the same notes the same way."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from click.testing import CliRunner

from app.answer.assistant import Assistant
from app.cli import main as kbqa
from app.cli.claims import claims as claims_cmd
from app.notes_arithmetic import notes_arithmetic
from calculators.claims import check_claim, check_text, find_claims
from conftest import eval_lines
from ingest.errors import KbNotFound
from ingest.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / "kb"
GOLDEN = Path(__file__).parent / "golden" / "claims_kb.jsonl"
FIXTURES = Path(__file__).parent / "fixtures"
FIELDS = ("text", "file", "line", "holds", "recomputed", "stated", "unit", "kind", "note")


def _rows(claims):
    return [{k: getattr(c, k) for k in FIELDS} for c in claims]


def test_notes_against_golden_file(tmp_path):
    """Regenerate with KBQA_REGEN_GOLDEN=1, then review every verdict in the diff by hand."""
    rows = _rows(notes_arithmetic(Settings(kb=KB, index=tmp_path / "index")).claims)
    if os.environ.get("KBQA_REGEN_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    golden = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(golden)
    for got, want in zip(rows, golden):
        for key in FIELDS:
            if isinstance(want[key], float):
                assert got[key] == pytest.approx(want[key], rel=1e-12), (key, want["text"])
            else:
                assert got[key] == want[key], (key, want["text"])


@pytest.mark.parametrize("row", eval_lines("arithmetic_claim"))
def test_eval_arithmetic_claims(row):
    found = check_text(row["text"])
    assert found, row["text"]
    assert all(c.holds is row["holds"] for c in found) if row["holds"] else \
        any(c.holds is False for c in found)


@pytest.mark.parametrize("text,holds,recomputed", [
    ("729,167/24=30,382", True, 729167 / 24),
    ("30,382/8=3,798台服务器", True, 3797.75),
    ("3,798/7=542个机柜", False, 3798 / 7),
    ("3,798/7=543个机柜", True, 3798 / 7),
    ("542*45.5kw*24h=591,864kwh/日", True, 591864),
    ("每日电费约为2,369,640*0.08=4.7万美元/日", False, 189571.2),
    ("每日电费约为591,864*0.08=4.7万美元/日", True, 47349.12),
    ("542*140=7.59亿美元", True, 7.588e8),
    ("单机 19.9万美元 × 7 ≈ 140万美元", True, 1.393e6),
    ("8片 × 2.03 美元/小时 ＊ 24小时 ＝ 389.76美元", True, 389.76),
    ("3798 ÷ 7 ≈ 543 racks", True, 3798 / 7),
])
def test_verdicts(text, holds, recomputed):
    claim, = check_text(text)
    assert claim.holds is holds
    assert claim.recomputed == pytest.approx(recomputed)


def test_rounding_down_a_count_is_explained():
    assert check_claim("3,798/7=542个机柜").note == (
        "3,798 / 7 = 542.57; racks cannot be fractional: 543 needed, the note rounds down to 542")


def test_wrong_claim_gives_right_value_and_error_size():
    claim = check_claim("每日电费约为2,369,640*0.08=4.7万美元/日")
    assert claim.text == "2,369,640*0.08=4.7万美元/日"
    assert claim.stated == 47000 and claim.unit == "USD/day"
    assert claim.note == ("2,369,640 × 0.08 = 189,571.2, not 4.7万美元/日 (47,000): "
                          "the stated value is 75.2% too low")


def test_percent_stated_after_the_result():
    claim = check_claim("成本最低可降至 0.066 美元/次 * 1/4 * 1/2, 约定于0.008美元,因此大约占每次查询收入 0.048 美元的 15%")
    assert claim.holds is False
    assert claim.recomputed == pytest.approx(0.171875)
    assert "17.2%, not 15%" in claim.note and "with the rounded 0.008: 16.7%" in claim.note
    assert check_claim("0.066 * 1/4 * 1/2 = 0.00825, 占 0.048 的 17%").holds is True


def test_ratio_and_change_between_written_figures():
    assert check_claim("查询成本为0.066美元/次,约为每次查询收入0.048美元的1.4倍").holds is True
    assert check_claim("查询成本为0.066美元/次,约为每次查询收入0.048美元的2倍").holds is False
    assert check_claim("降低58%(即训练成本由74.4万美元降低到31.2万美元)").holds is True
    assert check_claim("降低30%(即训练成本由74.4万美元降低到31.2万美元)").holds is False


def test_words_to_tokens_cannot_be_checked_without_a_ratio():
    claim = check_claim("Jasper.ai收费为82美元/100000字(相当于1.09美元/1000个token)")
    assert claim.holds is None and claim.recomputed is None
    assert "words-per-token ratio" in claim.note and "0.615 per 1,000" in claim.note


def test_equivalence_in_convertible_units():
    assert check_claim("3.15e23 FLOPs = 3,646 PF-days").holds is True
    assert check_claim("175B × 300B × 6 = 3.15e23 FLOPs = 3,646 PF-days").holds is True
    assert check_claim("3.15e23 FLOPs = 4,646 PF-days").holds is False


@pytest.mark.parametrize("text,holds", [
    ("Renting 8 GPUs for a day: 8 * 2.40 * 24 = 460.8 dollars.", True),
    ("Renting 8 GPUs for a day: 8 x 2.40 x 24 = 470 dollars.", False),
    ("(25M * 10 * 30) * 350ms / 3600 = 729,167 hours", True),
    ("The cost fell 58%, from $744k to $312k.", True),
    ("0.066 dollars per query, which is about 15% of $0.048", False),
    ("0.066 dollars per query is 1.4 times $0.048", True),
    ("1 + 2 * 3 = 7", True),
    ("(1 + 2) * 3 = 9", True),
])
def test_english_claims(text, holds):
    claim, = check_text(text)
    assert claim.holds is holds


def test_cannot_check_division_by_zero():
    claim = check_claim("100/0 = 5")
    assert claim.holds is None and claim.note == "cannot check: division by zero in 100 / 0"


@pytest.mark.parametrize("text", [
    "400Gb - 800Gb", "2023/1/27-2023/2/3", "10-500开源", "GPT-3 用了 3640PF-days",
    "1000token约等于750个单词", "A100 有 80GB", "训练成本介于200万美元至1200万美元之间",
])
def test_no_false_claims(text):
    assert find_claims(text) == []


def test_line_numbers_and_file():
    claims = find_claims("第一行\n\n总计 2*3=6 台\n", "n.md")
    assert [(c.file, c.line, c.text) for c in claims] == [("n.md", 3, "2*3=6 台")]


def test_folder_with_gbk_utf16_and_markdown(tmp_path):
    (tmp_path / "a.txt").write_bytes("机柜：3,798/7=542个机柜\n".encode("gbk"))
    (tmp_path / "b.md").write_text("# cost\n\n8 * 2.40 * 24 = 460.8 dollars\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("729,167/24=30,382片\n", encoding="utf-16")
    (tmp_path / "skip.pdf").write_bytes(b"1+1=3")
    (tmp_path / ".index").mkdir()
    (tmp_path / ".index" / "x.txt").write_text("1+1=3", encoding="utf-8")
    got = [(c.file, c.line, c.holds) for c in notes_arithmetic(Settings(kb=tmp_path)).claims]
    assert got == [("a.txt", 1, False), ("b.md", 3, True), ("c.txt", 1, True)]


def test_folder_must_exist(tmp_path):
    with pytest.raises(KbNotFound, match="notes folder not found: .*missing"):
        notes_arithmetic(Settings(kb=tmp_path / "missing"))


def _mixed_encodings_kb(kb: Path) -> Path:
    """The UTF-16LE-without-BOM fixture, a UTF-16LE-without-BOM note with arithmetic, a GBK
    note, a UTF-8 note (with a CRLF line), and an empty note that cannot be read."""
    kb.mkdir()
    (kb / "utf16le_nobom_note.txt").write_bytes((FIXTURES / "utf16le_nobom_note.txt").read_bytes())
    # English text in UTF-16LE without a BOM is also valid UTF-8 (with a NUL after every
    # character): a reader that tries UTF-8 first finds no arithmetic in it
    (kb / "racks_utf16le.txt").write_bytes("Racks\n\nServers: 30,382/8=3,798 servers, 3,798/7 = 542 racks\n"
                                           .encode("utf-16-le"))
    (kb / "power_gbk.txt").write_bytes("电力\n每日电费约为2,369,640*0.08=4.7万美元/日\n".encode("gbk"))
    (kb / "cost.md").write_bytes("# Cost\r\n\r\nRenting 8 GPUs for a day: 8 * 2.40 * 24 = 460.8 dollars.\r\n".encode("utf-8"))
    (kb / "empty.txt").write_bytes(b"")
    return kb


def test_cli_and_assistant_read_every_note_alike(tmp_path):
    """`kbqa claims --json` and the assistant's notes_arithmetic (the UI's Claims tab) agree on every
    note, whatever its encoding: a UTF-16LE note without a byte-order mark is read as text, not as
    NUL-laced bytes that hide its arithmetic."""
    kb = _mixed_encodings_kb(tmp_path / "kb")
    result = CliRunner().invoke(kbqa, ["claims", "--kb", str(kb), "--json"])
    assert result.exit_code == 0, result.output
    cli_rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert "skipped empty.txt: empty file (0 bytes)" in result.stderr

    settings = Settings(kb=kb, index=tmp_path / "index")
    assistant = Assistant(settings=settings, retriever=None)  # notes_arithmetic needs no index
    app_rows = [{"text": c.text, "file": c.file, "line": c.line, "kind": c.kind, "holds": c.holds,
                 "stated": c.stated, "recomputed": c.recomputed, "unit": c.unit, "note": c.note}
                for c in assistant.notes_arithmetic]
    assert [{k: r[k] for k in app_rows[0]} for r in cli_rows] == app_rows
    assert [(r["file"], r["line"], r["text"], r["holds"]) for r in cli_rows] == [
        ("cost.md", 3, "8 * 2.40 * 24 = 460.8 dollars", True),
        ("power_gbk.txt", 2, "2,369,640*0.08=4.7万美元/日", False),
        ("racks_utf16le.txt", 3, "30,382/8=3,798 servers", True),
        ("racks_utf16le.txt", 3, "3,798/7 = 542 racks", False),
    ]


def test_cli_json_and_table(tmp_path):
    (tmp_path / "n.txt").write_text("3,798/7=542个机柜\n8 * 2.40 * 24 = 460.8 dollars\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(claims_cmd, ["--kb", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [set(r) for r in rows] == [{"text", "file", "line", "kind", "holds", "stated", "recomputed", "unit",
                                       "formula", "inputs", "note", "error"}] * 2
    assert (rows[0]["stated"], rows[0]["unit"], rows[0]["kind"], rows[0]["formula"]) == (542.0, "rack", "expression", "3,798 / 7")
    assert [(i["text"], i["line"]) for i in rows[0]["inputs"]] == [("3,798", 1), ("7", 1)]
    assert [r["holds"] for r in rows] == [False, True]
    table = runner.invoke(claims_cmd, ["--kb", str(tmp_path)])
    assert "[WRONG]  3,798/7=542个机柜" in table.output
    assert "2 claims: 1 hold, 1 wrong, 0 cannot be checked" in table.output


def test_cli_bad_kb_and_env(tmp_path, monkeypatch):
    runner = CliRunner()
    result = runner.invoke(claims_cmd, ["--kb", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert f"notes folder not found: {tmp_path / 'nope'} (pass --kb DIR or set KBQA_KB)" in result.output
    (tmp_path / "n.txt").write_text("2*3=6\n", encoding="utf-8")
    monkeypatch.setenv("KBQA_KB", str(tmp_path))
    result = runner.invoke(claims_cmd, ["--json"])
    assert json.loads(result.output)["holds"] is True


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,=*/×÷+-()%约万亿美元台片个kwhB $≈~ 的占倍相当于由到降低", max_size=40))
def test_never_crashes_on_arbitrary_text(text):
    for claim in find_claims(text):
        assert claim.holds in (True, False, None)
        assert claim.text and claim.text in text


def test_a_claim_survives_the_ingest_cache_with_its_inputs(tmp_path):
    """Claims are cached at ingest as JSON: a claim read back keeps its inputs as ClaimInput (a claim question reads them)."""
    from ingest.claims_cache import ClaimsCache

    text = "每天用电 591,864 kWh。\n电费：591,864*0.08=47,349美元/日"
    first = ClaimsCache(tmp_path).claims("e" * 64, text, "a.txt")
    again = ClaimsCache(tmp_path).claims("e" * 64, None, "a.txt")
    assert again == first and [i.text for i in again[0].inputs] == ["591,864", "0.08"]
    assert all(type(i).__name__ == "ClaimInput" for c in again for i in c.inputs)
