"""The quantity parser: every written form the notes use, malformed input, round trips."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from calculators.errors import UnitParseError
from calculators.units import (Quantity, find_quantities, format_quantity, parse_number,
                               parse_quantity)

FORMS = [
    ("1750亿", 1.75e11, ""),
    ("1.4万亿", 1.4e12, ""),
    ("3000亿token", 3e11, "token"),
    ("140万美元", 1.4e6, "USD"),
    ("7.59亿美元", 7.59e8, "USD"),
    ("19.9万美元/台", 1.99e5, "USD/unit"),
    ("175B", 1.75e11, ""),
    ("300 billion", 3e11, ""),
    ("1.4M", 1.4e6, ""),
    ("$2.03/hr", 2.03, "USD/hour"),
    ("2.03 美元/小时", 2.03, "USD/hour"),
    ("46.2%", 0.462, ""),
    ("6.5kw", 6.5, "kW"),
    ("45.5 kW", 45.5, "kW"),
    ("350ms", 0.35, "second"),
    ("3640 PF-days", 3640, "PF-day"),
    ("3640PF-days", 3640, "PF-day"),
    ("2,369,640", 2369640, ""),
    ("1e23", 1e23, ""),
    ("5.76e23 FLOPs", 5.76e23, "FLOP"),
    ("275 TFLOPS", 2.75e14, "FLOP/s"),
    ("5 PFLOP/s", 5e15, "FLOP/s"),
    ("5 PetaFLOP/s", 5e15, "FLOP/s"),
    ("80GB", 8e10, "byte"),
    ("192GB", 1.92e11, "byte"),
    ("1.8TB/s", 1.8e12, "byte/s"),
    ("600GB/s", 6e11, "byte/s"),
    ("$1.4 million", 1.4e6, "USD"),
    ("US$1.4 million", 1.4e6, "USD"),
    ("30,382片", 30382, "GPU"),
    ("542个机柜", 542, "rack"),
    ("3,798台服务器", 3798, "server"),
    ("4000台", 4000, "unit"),
    ("56个GPU", 56, "GPU"),
    ("0.08美元/kwh", 0.08, "USD/kWh"),
    ("591,864kwh/日", 591864, "kWh/day"),
    ("4.7万美元/日", 47000, "USD/day"),
    ("1.09美元/1000个token", 0.00109, "USD/token"),
    ("$0.02/1K tokens", 2e-5, "USD/token"),
    ("82美元/100000字", 0.00082, "USD/word"),
    ("175B parameters", 1.75e11, "parameter"),
    ("1750亿参数", 1.75e11, "parameter"),
    ("300B tokens", 3e11, "token"),
    ("24h", 24, "hour"),
    ("14.8天", 14.8, "day"),
    ("1千万", 1e7, ""),
    ("2百万", 2e6, ""),
    ("3 thousand", 3000, ""),
    ("2 trillion", 2e12, ""),
    ("10K", 1e4, ""),
]


@pytest.mark.parametrize("text,value,unit", FORMS)
def test_every_written_form(text, value, unit):
    q = parse_quantity(text)
    assert q.value == pytest.approx(value, rel=1e-12)
    assert q.unit == unit
    assert q.text == text


@pytest.mark.parametrize("text,value", [
    ("１７５０亿", 1.75e11), ("２，３６９，６４０", 2369640), ("４６．２％", 0.462), ("＄２．０３", 2.03),
])
def test_full_width_digits_and_punctuation(text, value):
    assert parse_quantity(text).value == pytest.approx(value)


@pytest.mark.parametrize("text,message", [
    ("1.2.3亿", "cannot read '1.2.3亿' as a quantity: malformed number: more than one decimal point"),
    ("abc", "cannot read 'abc' as a quantity: no number found; expected something like 1750亿, 175B, $2.03/hr or 46.2%"),
    ("", "cannot read '' as a quantity: the text is empty"),
    ("   ", "cannot read '   ' as a quantity: the text is empty"),
    ("-5B", "cannot read '-5B' as a quantity: a negative value is not allowed here; expected a magnitude"),
    ("1e400", "cannot read '1e400' as a quantity: the number is too large (it overflows a float)"),
    ("9e300亿", "cannot read '9e300亿' as a quantity: the number is too large (it overflows a float)"),
    ("5 kW extra", "cannot read '5 kW extra' as a quantity: unknown unit 'extra'"),
])
def test_malformed_input_has_a_clear_message(text, message):
    with pytest.raises(UnitParseError) as err:
        parse_quantity(text)
    assert str(err.value) == message
    assert isinstance(err.value, ValueError)


def test_negative_only_when_asked():
    assert parse_quantity("-5B", allow_negative=True).value == -5e9


def test_parse_number_rejects_units():
    assert parse_number("1.4万亿") == 1.4e12
    assert parse_number("46.2%") == 0.462
    with pytest.raises(UnitParseError, match="expected a plain number, got a quantity in kW"):
        parse_number("6.5kW")


def test_find_quantities_spans_and_skips_identifiers():
    text = "DGX A100服务器：单机搭载8片A100 GPU，售价约为19.9万美元/台，GPT-3用了3640PF-days。"
    found = find_quantities(text)
    assert [(text[s:e], q.value, q.unit) for s, e, q in found] == [
        ("8片", 8, "GPU"), ("19.9万美元/台", 199000, "USD/unit"), ("3640PF-days", 3640, "PF-day")]


def test_find_quantities_maps_full_width_spans_back():
    text = "约为４．７万美元"
    (s, e, q), = find_quantities(text)
    assert text[s:e] == "４．７万美元" and q.value == 47000 and q.text == "４．７万美元"


def test_find_quantities_skips_malformed_numbers():
    assert find_quantities("版本v0.9.0发布") == []
    assert [q.value for _, _, q in find_quantities("1.2.3亿 和 5B")] == [5e9]


@pytest.mark.parametrize("q,en,zh", [
    (Quantity(1.4e6, "USD", ""), "US$1.4 million", "140万美元"),
    (Quantity(7.59e8, "USD", ""), "US$759 million", "7.59亿美元"),
    (Quantity(2.03, "USD/hour", ""), "US$2.03/hour", "2.03美元/小时"),
    (Quantity(45.5, "kW", ""), "45.5 kW", "45.5千瓦"),
    (Quantity(1.75e11, "parameter", ""), "175 billion parameters", "1750亿参数"),
    (Quantity(30382, "GPU", ""), "30,382 GPUs", "3.0382万个GPU"),
])
def test_format_quantity(q, en, zh):
    assert format_quantity(q, "en") == en
    assert format_quantity(q, "zh") == zh


UNITS = ["", "USD", "USD/hour", "USD/kWh", "USD/token", "USD/unit", "kW", "kWh", "second",
         "hour", "day", "token", "parameter", "FLOP", "FLOP/s", "PF-day", "byte", "byte/s",
         "GPU", "server", "rack", "word", "kWh/day", "USD/day"]


@given(value=st.floats(min_value=1e-6, max_value=1e30, allow_nan=False, allow_infinity=False),
       unit=st.sampled_from(UNITS), lang=st.sampled_from(["en", "zh"]))
def test_format_then_parse_round_trips(value, unit, lang):
    text = format_quantity(Quantity(value, unit, ""), lang)
    back = parse_quantity(text)
    assert back.unit == unit, text
    assert math.isclose(back.value, value, rel_tol=1e-9), text


# ---------------------------------------------- one unit model: parser, conversions, claims

# (text, the number as written, the unit as written in the model's vocabulary)
WRITTEN_UNITS = [
    ("80GB", 80, "GB"), ("80GiB", 80, "GiB"), ("1.5 MiB", 1.5, "MiB"), ("2 TiB", 2, "TiB"),
    ("512KiB", 512, "KiB"), ("400Gb", 400, "Gbit"), ("1.8TB/s", 1.8, "TB/s"),
    ("350ms", 350, "ms"), ("2 min", 2, "minute"), ("24h", 24, "hour"), ("14.8天", 14.8, "day"),
    ("3个月", 3, "month"), ("2年", 2, "year"),
    ("6.5kW", 6.5, "kW"), ("700 W", 700, "W"), ("591,864kwh/日", 591864, "kWh/day"),
    ("275 TFLOPS", 275, "TFLOPS"), ("5 PetaFLOP/s", 5, "PFLOPS"), ("5.76e23 FLOPs", 5.76e23, "FLOP"),
    ("3640 PF-days", 3640, "PF-day"), ("$2.03/hr", 2.03, "USD/hour"), ("0.08美元/kwh", 0.08, "USD/kWh"),
    ("$0.02/1K tokens", 0.02, "USD/1K token"), ("19.9万美元/台", 199000, "USD/unit"),
    ("46.2%", 46.2, "%"), ("300B tokens", 3e11, "token"),
]


@pytest.mark.parametrize("text,number,unit", WRITTEN_UNITS)
def test_parser_and_conversions_read_units_alike(text, number, unit):
    """The parser's canonical value is the written number converted by the conversions,
    and both take the unit from the one model."""
    from calculators.conversions import convert
    from calculators.dimensions import CANONICAL_UNITS, parse_unit

    q = parse_quantity(text)
    assert q.unit.partition("/")[0] in CANONICAL_UNITS
    assert parse_unit(q.unit)[1] == parse_unit(unit)[1]
    assert q.value == pytest.approx(convert(number, unit, q.unit), rel=1e-12)


def test_binary_and_decimal_bytes_differ():
    from calculators.conversions import convert

    assert parse_quantity("80GiB").value == 80 * 2**30
    assert parse_quantity("80GB").value == 80e9
    assert convert(1, "GiB", "GB") == 1.073741824
    assert convert(1, "KiB", "byte") == 1024 and convert(1, "KB", "byte") == 1000
    assert [q.value for _, _, q in find_quantities("H100: 80GB HBM3; a 40GiB slice")] == [80e9, 40 * 2**30]


@pytest.mark.parametrize("text,holds", [
    ("80 × 1GiB = 85.9GB", True),  # 85,899,345,920 bytes
    ("80 × 1GiB = 80GB", False),
    ("2 days = 48 hours", True),
    ("1 year = 12 months", True),
    ("3.15e23 FLOPs = 3,646 PF-days", True),
    ("6 × 700 W = 4.2kW", True),
    ("6 × 700 W = 42kW", False),
])
def test_claims_use_the_same_units(text, holds):
    from calculators.claims import check_claim
    from calculators.conversions import convert

    claim = check_claim(text)
    assert claim is not None and claim.holds is holds, text
    if text.startswith("3.15e23"):
        assert claim.recomputed == pytest.approx(convert(3.15e23, "FLOP", "PF-day"))


def test_every_canonical_unit_is_in_the_model():
    from calculators.dimensions import CANONICAL_UNITS, canonical, parse_unit

    for unit in CANONICAL_UNITS:
        parse_unit(unit)
        assert canonical(unit) == (unit, 1)
    assert canonical("GiB") == ("byte", 2**30) and canonical("W") == ("kW", Fraction(1, 1000))
