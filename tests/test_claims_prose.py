"""Arithmetic written in prose, in Chinese and English, on fixture notes written for these tests
(tests/fixtures/claims_prose/): each shape is found, recomputed and judged; year ranges, list
numbering and dates are not arithmetic; a zero divisor is never a verdict; every claim says which
figures it used and where they are written."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.cli.claims import claims as claims_cmd
from app.notes_arithmetic import notes_arithmetic
from calculators.claims import arithmetic_error, check_claim, check_text
from conftest import FIXTURES
from ingest.settings import Settings

NOTES = FIXTURES / "claims_prose"
ZH, EN = "推理显存估算.md", "serving_budget.md"


@pytest.fixture(scope="module")
def found(tmp_path_factory):
    return notes_arithmetic(Settings(kb=NOTES, index=tmp_path_factory.mktemp("claims-prose-index"))).claims


def one(found, file: str, start: str):
    hits = [c for c in found if c.file == file and c.text.startswith(start)]
    assert len(hits) == 1, [(c.file, c.text) for c in found]
    return hits[0]


@pytest.mark.parametrize("file,start,kind,holds,recomputed", [
    (ZH, "13B * sizeof(FP16)", "expression", True, 26e9),  # sizeof of a number format, in bytes
    (ZH, "1 * 2048 * 2 * 40 * 5120 * 2", "expression", True, 1677721600),  # inline code, 即约
    (ZH, "640GB，也就是 5120Gb", "equivalence", True, 5.12e12 / 8),
    (ZH, "120 台，上海 80 台", "sum", True, 250),  # 合计
    (ZH, "300*10kw*24h", "expression", True, 72000),
    (ZH, "2,200 lbs CO2eq（1.0吨）", "equivalence", True, 2200 * 0.45359237 / 1000),  # mass restated
    (ZH, "3.6˚F（2.0˚C）", "equivalence", True, 2.0),  # a temperature change
    (ZH, "30,000磅二氧化碳（6辆家用汽车", "reference", True, 6.0),  # the car's figure is 1 line below
    (ZH, "0.03美元/750个单词（0.03美元/1000个token", "equivalence", True, 3e-5),
    (EN, "12 GPUs (40*16*1.2/64)", "expression", True, 12),  # the result before its expression
    (EN, "$25k each, 256 of those, which is $6.4M", "product", True, 6.4e6),
    (EN, "4.8 vs 3.35 TB/s = 1.43x", "ratio", True, 4.8 / 3.35),
    (EN, "140B, which includes 132B", "sum", True, 140e9),
    (EN, "2^15 tokens is 32,768 tokens", "expression", True, 32768),
    (EN, "2**20 bytes = 1 MiB", "expression", True, 2 ** 20),
    (EN, "3.14e23 FLOPs = 3640 PF-days", "expression", True, 3.14e23 / 8.64e19),  # right to the digits written
])
def test_each_shape_is_found_and_judged(found, file, start, kind, holds, recomputed):
    claim = one(found, file, start)
    assert (claim.kind, claim.holds) == (kind, holds), claim.note
    assert claim.recomputed == pytest.approx(recomputed, rel=1e-6)
    assert claim.formula and claim.inputs


def test_a_chain_names_the_odd_operand(found):
    claim = one(found, ZH, "288,000*0.1=7200美元/日")
    assert claim.holds is False
    assert "the odd figure is the operand 288,000" in claim.note
    assert "72,000kwh/日" in claim.note and "7,200 ≈ 7200美元/日" in claim.note


def test_the_note_s_own_words_per_token_ratio_is_used(found):
    claim = one(found, ZH, "60美元/100000字")
    assert claim.holds is False and claim.recomputed == pytest.approx(0.00045)
    assert [(i.text, i.line) for i in claim.inputs] == [("60美元/100000字", 26), ("1000token约等于750个单词", 25)]


def test_year_ranges_dates_and_numbering_are_not_arithmetic(found):
    texts = " | ".join(c.text for c in found)
    for absent in ("2015年", "2019-2023", "1. Buy", "2. Rent", "300倍"):
        assert absent not in texts, texts
    assert check_text("2010年到2018年，计算量增加了550%") == []
    assert check_text("Released 2023-10-05, version 1.2.3 = stable") == []


def test_wrong_prose_arithmetic_is_wrong_in_both_languages():
    assert check_claim("Cards are $25k each, 256 of those, which is $7.4M").holds is False
    assert check_claim("北京 120 台，上海 80 台，合计 210 台").holds is False
    assert check_claim("3.35 vs 2 TB/s = 1.9x").holds is False
    assert check_claim("2,200 lbs（2.0吨）").holds is False
    assert check_claim("The checkpoint is 140B, which includes 132B and 18B of adapters").holds is False


def test_an_incomplete_list_of_parts_is_no_claim():
    assert check_text("The model has 140B parameters, including 100B and 20B in two blocks") == []


def test_a_zero_divisor_is_a_message_never_a_verdict():
    claim = check_claim("30,382/0=3,798")
    assert claim.holds is None and claim.error == "division by zero"
    assert arithmetic_error("Is 1/0 right?") == "division by zero in 1 / 0"
    assert arithmetic_error("1/4 of 8") is None


def test_cli_json_carries_figures_kind_and_sources():
    result = CliRunner().invoke(claims_cmd, ["--kb", str(NOTES), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    chain = next(r for r in rows if r["text"].startswith("288,000*0.1"))
    assert {k: chain[k] for k in ("kind", "holds", "stated", "recomputed", "unit")} == {
        "kind": "expression", "holds": False, "stated": 7200.0, "recomputed": 28800.0, "unit": "USD/day"}
    assert chain["formula"] == "288,000 × 0.1" and [i["text"] for i in chain["inputs"]] == ["288,000", "0.1"]
    table = CliRunner().invoke(claims_cmd, ["--kb", str(NOTES)]).output
    assert "inputs: 30,000 (line 20), 5,000 lbs (line 21)" in table
