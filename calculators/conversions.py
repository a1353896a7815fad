"""Converting a calculator input to the unit the calculator declares (no text parsing here).

A unit is a name from the one unit model, `calculators.dimensions` ('hour',
'FLOP/s', 'USD/GPU-hour', 'USD/1K token', 'kWh/day', 'GiB'): a factor and a
dimension. Converting checks dimensions first (sympy's `convert_to` would return its
input unchanged); the rule here is how a value may differ from the declared unit:

- physical dimensions (time, FLOP, power, bytes, a currency) must match exactly;
- counts (GPU, token, parameter, server, ...) that a value may leave unstated:
  '$2.03/hr' is accepted where 'USD/GPU-hour' is declared, but '300B tokens' is not
  accepted where 'parameter' is, because it names the wrong count.

A value with no unit at all ('' - a plain number, as the parser returns for '175B')
is taken to be in the declared unit.

Examples
--------
>>> convert(2, "day", "hour")
48.0
>>> convert(6.5, "kW", "W")
6500.0
>>> convert(275, "TFLOPS", "FLOP/s")
275000000000000.0
>>> convert(3640, "PF-day", "FLOP")
3.14496e+23
>>> convert(2.03, "USD/hour", "USD/GPU-hour")
2.03
>>> convert(80, "GiB", "GB")
85.89934592
>>> convert(3e11, "token", "parameter")
Traceback (most recent call last):
...
calculators.dimensions.UnitMismatch: token is not convertible to parameter
"""

from __future__ import annotations

from fractions import Fraction

from calculators.dimensions import PHYSICAL, UnitMismatch, parse_unit

__all__ = ["UnitMismatch", "compatible", "convert", "json_unit", "parse_unit"]


def compatible(given: str, declared: str) -> bool:
    try:
        convert(1.0, given, declared)
    except UnitMismatch:
        return False
    return True


def convert(value: float, given: str, declared: str) -> float:
    """`value` in unit `given`, expressed in unit `declared`; UnitMismatch if impossible."""
    if given == declared or given == "":
        return float(value)
    f_given, d_given = parse_unit(given)
    f_declared, d_declared = parse_unit(declared)
    physical_given = {k: v for k, v in d_given.items() if k in PHYSICAL}
    physical_declared = {k: v for k, v in d_declared.items() if k in PHYSICAL}
    counts_fit = all(d_declared.get(k) == v for k, v in d_given.items() if k not in PHYSICAL)
    if physical_given != physical_declared or not counts_fit:
        raise UnitMismatch(f"{given} is not convertible to {declared}")
    return float(Fraction(value) * f_given / f_declared)


def json_unit(unit: str) -> str:
    """A calculator unit as the answer JSON names it: the amount, not the rate ('USD/day' -> 'USD').

    >>> json_unit("USD/1K token"), json_unit("kWh/day"), json_unit("GPU-hour/day"), json_unit("FLOP/s")
    ('USD', 'kWh', 'hour', 'FLOP/s')
    """
    if unit in ("FLOP/s", "byte/s"):
        return unit
    numerator = unit.partition("/")[0]
    return numerator.rpartition("-")[2] if "-" in numerator and numerator != "PF-day" else numerator
