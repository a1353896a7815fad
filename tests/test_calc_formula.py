"""The core: units at the boundary, exact error messages, sympy vs lambdify, solving."""

import math
import random

import pytest
import sympy

from calculators.conversions import UnitMismatch, convert
from calculators.errors import InputError, UnknownCalculator
from calculators.formula import Calculation, Formula, Var
from calculators.numbers import format_number
from calculators.registry import CALCULATORS, run
from calculators.units import Quantity, parse_quantity


def message(exc_info) -> str:
    return str(exc_info.value)


# --- exact error messages ---------------------------------------------------------------

@pytest.mark.parametrize("inputs, expected", [
    ({"mfu": 46.2}, "mfu must be a fraction between 0 and 1; got 46.2 (did you mean 46.2%?)"),
    ({"mfu": 0}, "mfu must be a fraction between 0 and 1; got 0"),
    ({"params": -5e9}, "params must be positive; got -5e+09"),
    ({"params": 0}, "params must be positive; got 0"),
    ({"params": float("nan")}, "params must be a finite number; got nan"),
    ({"tokens": float("inf")}, "tokens must be a finite number; got inf"),
    ({"tokens": 1e50}, "tokens must be at most 1e40 in size (larger is surely a slip); got 1e+50"),
    ({"params": "175B"}, "params must be a number in parameter; got '175B' (parse text with calculators.units first)"),
    ({"params": True}, "params must be a number in parameter; got True (parse text with calculators.units first)"),
])
def test_training_cost_rejects_bad_inputs_with_exact_messages(inputs, expected):
    values = {"params": 175e9, "tokens": 300e9, **inputs}
    with pytest.raises(InputError) as e:
        run("training_cost", **values)
    assert message(e) == expected


def test_share_rules_messages():
    with pytest.raises(InputError) as e:
        run("cost_per_query", cache_hit_rate=30)
    assert message(e) == ("cache_hit_rate must be a fraction from 0 up to (not including) 1; "
                          "got 30 (did you mean 30%?)")


def test_counts_must_be_whole():
    with pytest.raises(InputError) as e:
        run("training_time", params=7e9, tokens=1e12, chips=10.5)
    assert message(e) == "chips must be a whole number; got 10.5"


def test_unit_mismatch_message():
    with pytest.raises(InputError) as e:
        run("training_cost", params=parse_quantity("3000亿token"), tokens=300e9)
    assert message(e) == "params must be in parameter; got '3000亿token', which is in token"
    with pytest.raises(InputError) as e:
        run("training_time", params=7e9, tokens=1e12, chips=8, peak_flops=parse_quantity("6.5kw"))
    assert message(e) == "peak_flops must be in FLOP/s; got '6.5kw', which is in kW"


def test_unknown_and_missing_parameters():
    with pytest.raises(InputError) as e:
        run("training_cost", params=1e9)
    assert message(e) == "tokens is required (training tokens (D), in token)"
    with pytest.raises(InputError) as e:
        run("rack_count", server=3)
    assert message(e) == "server is not a parameter of rack_count; parameters: servers, rack_units, server_units"
    with pytest.raises(UnknownCalculator) as e:
        run("trainng_cost")
    assert message(e).startswith("no calculator named 'trainng_cost'; known: annual_rate, chinchilla_loss")


# --- units ------------------------------------------------------------------------------

@pytest.mark.parametrize("value, given, declared, expected", [
    (2, "day", "hour", 48), (90, "minute", "hour", 1.5), (350, "ms", "second", 0.35),
    (6500, "W", "kW", 6.5), (275, "TFLOPS", "FLOP/s", 2.75e14), (1, "PF-day", "FLOP", 8.64e19),
    (3640, "PF-days", "FLOP", 3.14496e23), (80, "GB", "byte", 8e10), (1, "GiB", "byte", 2**30),
    (2.03, "USD/hour", "USD/GPU-hour", 2.03), (48.72, "USD/day", "USD/GPU-hour", 2.03),
    (2e-5, "USD/token", "USD/1K token", 0.02), (1, "kWh", "kW hour", 1), (1, "MWh", "kWh", 1000),
    (5, "", "parameter", 5),
])
def test_conversions(value, given, declared, expected):
    assert convert(value, given, declared) == pytest.approx(expected)


@pytest.mark.parametrize("given, declared", [
    ("token", "parameter"), ("hour", "FLOP/s"), ("kW", "kWh"), ("USD", "USD/hour"), ("CNY", "USD"),
    ("GPU", "server"),
])
def test_incompatible_units(given, declared):
    with pytest.raises(UnitMismatch):
        convert(1, given, declared)


def test_parsed_quantities_are_converted_at_the_boundary():
    a = run("training_time", params=70e9, tokens=1.4e12, chips=1000, peak_flops=parse_quantity("989 TFLOPS"),
            mfu=parse_quantity("40%"))
    b = run("training_time", params=parse_quantity("700亿"), tokens=parse_quantity("1.4万亿token"), chips=1000,
            peak_flops=989e12, mfu=0.4)
    assert a["days"] == pytest.approx(b["days"])
    assert run("fleet_size", daily_visitors=25e6, seconds_per_word=parse_quantity("350ms"))["servers"] == 3798


def test_deadline_in_hours_or_days_gives_the_same_chips():
    common = dict(params=70e9, tokens=1.4e12, peak_flops=989e12, mfu=0.4)
    in_days = run("chips_for_deadline", days=30, **common)["chips"]
    in_hours = run("chips_for_deadline", days=Quantity(720, "hour", "720 hours"), **common)["chips"]
    assert in_days == in_hours == math.ceil(5.88e23 / (989e12 * 0.4 * 30 * 86400))


# --- sympy expression vs lambdified function --------------------------------------------

def _sample(var: Var, rng: random.Random) -> float:
    if var.rule in ("fraction", "share"):
        return rng.uniform(0.05, 0.95)
    if var.rule == "count":
        return float(rng.randint(1, 5000))
    if var.rule == "level":
        return float(rng.randint(0, int(var.maximum)))
    if var.rule == "growth":
        return rng.uniform(-0.5, 2)
    return 10 ** rng.uniform(-1, 6)


ALL_FORMULAS = sorted({(c.calculation.name, f.output.name): f for c in CALCULATORS.values()
                       for f in c.calculation.formulas}.items())


@pytest.mark.parametrize("key, formula", ALL_FORMULAS, ids=[f"{a}.{b}" for (a, b), _ in ALL_FORMULAS])
def test_sympy_expression_and_numeric_function_agree(key, formula):
    rng = random.Random(str(key))
    for _ in range(20):
        values = {v.name: _sample(v, rng) for v in formula.inputs}
        by_sympy = float(formula.expression.subs({v.symbol: values[v.name] for v in formula.inputs}).evalf(30))
        assert formula(values) == pytest.approx(by_sympy, rel=1e-9)


def test_every_calculation_output_matches_its_composed_expression():
    rng = random.Random(7)
    for calc in CALCULATORS.values():
        c = calc.calculation
        for _ in range(50):  # a sample may be out of a calculation's range (a server taller than its rack)
            values = {v.name: _sample(v, rng) for v in c.inputs}
            try:
                result = c.evaluate(values)
                break
            except InputError:
                continue
        for out in c.outputs:
            expr = c.composed(out.name)
            by_sympy = float(expr.subs({v.symbol: values[v.name] for v in c.inputs}).evalf(30))
            assert result[out.name] == pytest.approx(by_sympy, rel=1e-9), (c.name, out.name)


def test_a_formula_must_declare_exactly_its_symbols():
    x, y = Var("x", "", "x"), Var("y", "", "y")
    with pytest.raises(Exception, match="expression uses"):
        Formula(Var("z", "", "z"), x.symbol * y.symbol, (x,))


def test_derivation_steps_and_latex():
    r = run("rack_power", racks=542)
    assert r.steps[:3] == ("rack_power = server_power × servers_per_rack",
                           "rack_power = 6.5 × 7", "rack_power = 45.5 kW/rack")
    assert "energy_per_day = 24 × facility_power" in r.steps
    assert "energy_per_day = 591,864 kWh/day" in r.steps
    assert r.latex[0].startswith(r"\mathrm{rack\_power} = ")
    assert r.formula.startswith("rack_power = server_power × servers_per_rack; facility_power = ")


def test_solving_is_cached(monkeypatch):
    """sympy.solve and lambdify run once per (output, unknown); later solves reuse the functions
    (what that saves is a figure of `kbqa bench`, not asserted here)."""
    import sympy

    c = CALCULATORS["training_cost"].calculation
    given = {"params": 175e9, "cost": 1.4e6, "peak_flops": 275e12, "mfu": 0.462, "price_per_chip_hour": 2.03}
    first = c.solution("cost", "tokens")
    tokens = c.solve("tokens", given)["tokens"]

    def no_symbolic_work(*args, **kwargs):
        raise AssertionError("sympy.solve/lambdify called again: the solution was not cached")

    monkeypatch.setattr(sympy, "solve", no_symbolic_work)
    monkeypatch.setattr(sympy, "lambdify", no_symbolic_work)
    assert c.solution("cost", "tokens") is first
    assert c.solve("tokens", given)["tokens"] == tokens


def test_format_number():
    assert [format_number(x) for x in (0, 1398071.6, 0.0105, 3.15e23, 47349.12, -0.2)] == [
        "0", "1,398,072", "0.0105", "3.15e23", "47,349.1", "-0.2"]


def test_every_input_of_every_calculation_can_be_solved():
    """A closed form for every (output, input) pair; the slowest cold solve is a figure of `kbqa bench`."""
    for calc in CALCULATORS.values():
        c = calc.calculation
        for target in c.outputs:
            expr = c.composed(target.name)
            for v in c.inputs:
                if v.symbol in expr.free_symbols and v.rule != "level":  # a setting is given, not solved for
                    try:
                        solutions, functions, _ = c.solution(target.name, v.name)
                    except InputError as e:  # e.g. GPUs in a cost per token under ideal scaling
                        assert "cancels out" in e.message and v.symbol not in sympy.cancel(
                            expr.replace(lambda x: isinstance(x, sympy.Max), lambda x: x.args[0])).free_symbols
                        continue
                    assert solutions and len(functions) == len(solutions), (c.name, target.name, v.name)


def test_an_impossible_intermediate_result_is_an_input_error():
    with pytest.raises(InputError) as e:
        run("rack_count", servers=10, rack_units=4, server_units=6)
    assert message(e) == "servers_per_rack must be positive; got 0, computed as floor(rack_units/server_units)"
