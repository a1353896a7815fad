"""The quantity parser: every written form the notes use, malformed input, round trips."""

from __future__ import annotations

import math

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
