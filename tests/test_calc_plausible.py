"""Absurd magnitudes are answered and flagged (a notice on the calculation), never refused."""

import pytest

from app.routes.calculation import detect_calculation, run_request
from calculators.registry import CALCULATORS, run


def test_1e30_gpus_is_flagged_not_refused():
    r = run("training_time", params=70e9, tokens=1.4e12, chips=1e30)
    assert r["days"] > 0
    assert r.notes == ("chips = 1e30 GPU is implausible: more than 100 million accelerators (more than the world "
                       "has); check the number and its unit",)


def test_a_price_of_1e12_dollars_an_hour_is_flagged_with_the_cost_it_gives():
    r = run("gpu_hours_cost", gpu_hours=1000, price_per_gpu_hour=1e12)
    assert r["cost"] == 1e15
    assert any(n.startswith("price_per_gpu_hour = 1e12 USD/GPU-hour is implausible") for n in r.notes)
    assert any(n.startswith("cost = 1e15 USD is implausible") for n in r.notes)


RUNS_ON_DEFAULTS = sorted(n for n, c in CALCULATORS.items() if not any(p.required for p in c.parameters))


@pytest.mark.parametrize("name", RUNS_ON_DEFAULTS)
def test_the_defaults_of_every_calculator_are_plausible(name):
    """Every calculator that runs on its defaults alone raises no notice with them (the others need inputs)."""
    assert RUNS_ON_DEFAULTS and run(name).notes == ()


def test_the_published_cases_raise_no_notice():
    assert run("training_cost", params=175e9, tokens=300e9).notes == ()
    assert run("fleet_size", daily_visitors=25e6).notes == ()
    assert run("decode_tokens_per_second", params=70e9, gpus=2).notes == ()


def test_the_notice_reaches_the_answer_from_a_question():
    req = detect_calculation("How much do 1000 GPU-hours cost at $1e12 per GPU-hour?")
    calc = run_request(req)
    assert any("implausible" in n for n in calc.notes)
