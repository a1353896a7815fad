"""Hypothesis properties: positivity, monotonicity, unit invariance, solve-then-evaluate."""

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calculators import racks, serving, training
from calculators.errors import InputError
from calculators.registry import CALCULATORS, run
from calculators.units import Quantity

params = st.floats(1e6, 1e13)
tokens = st.floats(1e8, 1e14)
peak = st.floats(1e12, 1e16)
mfu = st.floats(0.01, 1.0)
price = st.floats(0.01, 100)
chips = st.integers(1, 100_000)
share = st.floats(0, 0.99)


@given(params, tokens, peak, mfu, price)
def test_training_outputs_are_positive(n, d, p, u, c):
    r = run("training_cost", params=n, tokens=d, peak_flops=p, mfu=u, price_per_chip_hour=c)
    assert all(o.value > 0 for o in r.outputs)


@given(params, tokens, chips, chips, peak, mfu)
def test_more_chips_never_slower(n, d, a, b, p, u):
    lo, hi = sorted((a, b))
    assert training.training_time(n, d, hi, p, u) <= training.training_time(n, d, lo, p, u)


@given(params, tokens, price, price)
def test_higher_price_never_cheaper(n, d, a, b):
    lo, hi = sorted((a, b))
    assert training.training_cost(n, d, price_per_chip_hour=hi) >= training.training_cost(n, d, price_per_chip_hour=lo)


@given(share, share)
def test_more_cache_hits_never_cost_more(a, b):
    lo, hi = sorted((a, b))
    assert serving.cost_per_query(cache_hit_rate=hi) <= serving.cost_per_query(cache_hit_rate=lo)


@given(st.floats(1, 1e9), st.floats(1, 1e9))
def test_more_visitors_never_fewer_servers(a, b):
    lo, hi = sorted((a, b))
    assert serving.fleet_size(hi) >= serving.fleet_size(lo)


@given(st.integers(1, 10**6))
def test_racks_hold_every_server(servers):
    r = run("rack_count", servers=servers)
    assert r["racks"] * r["servers_per_rack"] >= servers > (r["racks"] - 1) * r["servers_per_rack"]


@given(params, tokens, st.floats(0.5, 1000), peak, mfu)
def test_deadline_in_hours_equals_deadline_in_days(n, d, days, p, u):
    common = dict(params=n, tokens=d, peak_flops=p, mfu=u)
    assume(6 * n * d / (p * u * days * 86400) < 1e9)
    a = run("chips_for_deadline", days=days, **common)["chips"]
    b = run("chips_for_deadline", days=Quantity(days * 24, "hour", ""), **common)["chips"]
    c = run("chips_for_deadline", days=Quantity(days * 86400, "second", ""), **common)["chips"]
    assert a == b == c or math.isclose(a, b, abs_tol=1) and math.isclose(a, c, abs_tol=1)


@given(st.floats(0.01, 100), st.floats(0.1, 1000))
def test_power_in_watts_or_kilowatts(kw, racks_):
    racks_ = math.ceil(racks_)
    a = racks.rack_power(racks_, server_power=kw)
    b = run("rack_power", racks=racks_, server_power=Quantity(kw * 1000, "W/server", ""))["energy_per_day"]
    assert math.isclose(a, b, rel_tol=1e-12)


@given(params, tokens, peak, mfu, price)
def test_solve_then_evaluate_returns_the_input(n, d, p, u, c):
    cost = training.training_cost(n, d, p, u, c)
    back = run("training_cost", solve="tokens", params=n, cost=cost, peak_flops=p, mfu=u, price_per_chip_hour=c)
    assert math.isclose(back["tokens"], d, rel_tol=1e-9)
    back = run("training_cost", solve="mfu", params=n, tokens=d, cost=cost, peak_flops=p, price_per_chip_hour=c)
    assert math.isclose(back["mfu"], u, rel_tol=1e-9)


@settings(max_examples=50, deadline=None)  # the first solve of a pair runs sympy (then cached)
@given(st.data())
def test_solve_for_every_continuous_input_of_every_calculator(data):
    calc = data.draw(st.sampled_from([c for c in CALCULATORS.values() if not c.solves]))
    c = calc.calculation
    values = {}
    for v in c.inputs:
        if v.rule in ("fraction", "share"):
            values[v.name] = data.draw(st.floats(0.05, 0.95))
        elif v.rule == "count":
            values[v.name] = data.draw(st.integers(1, 64))
        elif v.rule == "growth":
            values[v.name] = data.draw(st.floats(-0.5, 2))
        elif v.rule == "level":
            values[v.name] = data.draw(st.integers(0, int(v.maximum)))
        elif v.rule == "nonnegative":
            values[v.name] = data.draw(st.floats(1, 1e6))
        else:
            values[v.name] = data.draw(st.floats(1, 1e6))
    try:
        forward = c.evaluate(values)
    except InputError:  # e.g. a 2U server in a 1U rack: checked in test_calc_formula
        assume(False)
    target = c.outputs[-1]
    expr = c.composed(target.name)
    unknowns = [v for v in c.inputs if v.rule not in ("count", "level") and v.symbol in expr.free_symbols
                and not expr.atoms(__import__("sympy").ceiling, __import__("sympy").floor)]
    y = forward[target.name]
    assume(unknowns and abs(y) > 1e-6 and abs(1 - y) > 1e-6)  # ill-conditioned near 0 and 1: 1 - 1e-13
    unknown = data.draw(st.sampled_from(unknowns))
    given_ = {k: val for k, val in values.items() if k != unknown.name}
    given_[target.name] = forward[target.name]
    solved = c.solve(unknown.name, given_)
    # Evaluating with the solved value gives the target back (well-conditioned), and the solved value is the
    # input up to the cancellation an inverse by subtraction suffers (a - b with b >> a loses digits of a).
    again = c.evaluate({**values, unknown.name: solved[unknown.name]})
    assert math.isclose(again[target.name], y, rel_tol=1e-9, abs_tol=1e-12)
    if expr.atoms(__import__("sympy").Max, __import__("sympy").Min):
        return  # on a roofline's flat side (memory-bound: more FLOP/s change nothing) many inputs give the target
    # how much the target moves with the unknown: a term that adds little to a sum is recovered to fewer digits
    x = values[unknown.name]
    nudged = c.evaluate({**values, unknown.name: x * (1 + 1e-6)})[target.name]
    sensitivity = abs(nudged - y) / (abs(y) * 1e-6) or 1e-300
    assert math.isclose(solved[unknown.name], x, rel_tol=max(1e-4, 1e-9 / sensitivity), abs_tol=1e-9)
