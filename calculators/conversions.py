"""Unit names and conversions for calculator inputs (no text parsing of numbers here).

A unit is a name from a small vocabulary ('hour', 'FLOP/s', 'USD/GPU-hour',
'USD/1K token', 'kWh/day') with an optional numeric factor ('1K'). Each name maps to
a factor and a dimension. Dimensions are of two kinds:

- physical ones (time, FLOP, money, power, bytes) that must match exactly;
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
>>> convert(3e11, "token", "parameter")
Traceback (most recent call last):
...
calculators.conversions.UnitMismatch: token is not convertible to parameter
"""

from __future__ import annotations

import re

from calculators.errors import CalculatorError

# Physical dimensions must match; every other dimension is a count.
PHYSICAL = ("time", "flop", "money", "power", "byte")

_T = {"time": 1}
_F = {"flop": 1}
_FPS = {"flop": 1, "time": -1}
_E = {"power": 1, "time": 1}
_DAY = 86400.0

# name -> (factor to the base unit of its dimension, dimension)
ATOMS: dict[str, tuple[float, dict[str, int]]] = {
    "": (1.0, {}),
    "%": (0.01, {}),
    "second": (1.0, _T), "s": (1.0, _T), "sec": (1.0, _T), "ms": (1e-3, _T),
    "minute": (60.0, _T), "min": (60.0, _T),
    "hour": (3600.0, _T), "h": (3600.0, _T), "hr": (3600.0, _T),
    "day": (_DAY, _T), "d": (_DAY, _T), "week": (7 * _DAY, _T),
    "month": (365 * _DAY / 12, _T), "year": (365 * _DAY, _T), "yr": (365 * _DAY, _T),
    "FLOP": (1.0, _F), "FLOPs": (1.0, _F), "GFLOP": (1e9, _F), "TFLOP": (1e12, _F),
    "PFLOP": (1e15, _F), "EFLOP": (1e18, _F),
    # 1 PF-day = 1e15 FLOP/s for one day (the unit of Brown et al. 2020, GPT-3 paper)
    "PF-day": (1e15 * _DAY, _F), "petaflop/s-day": (1e15 * _DAY, _F),
    "FLOPS": (1.0, _FPS), "GFLOPS": (1e9, _FPS), "TFLOPS": (1e12, _FPS),
    "PFLOPS": (1e15, _FPS), "EFLOPS": (1e18, _FPS),
    "USD": (1.0, {"money": 1}), "$": (1.0, {"money": 1}), "dollar": (1.0, {"money": 1}),
    "W": (1.0, {"power": 1}), "kW": (1e3, {"power": 1}), "MW": (1e6, {"power": 1}),
    "Wh": (3600.0, _E), "kWh": (3.6e6, _E), "MWh": (3.6e9, _E),
    "byte": (1.0, {"byte": 1}), "B": (1.0, {"byte": 1}),
    "KB": (1e3, {"byte": 1}), "MB": (1e6, {"byte": 1}), "GB": (1e9, {"byte": 1}),
    "TB": (1e12, {"byte": 1}), "PB": (1e15, {"byte": 1}),
    "KiB": (2.0**10, {"byte": 1}), "MiB": (2.0**20, {"byte": 1}),
    "GiB": (2.0**30, {"byte": 1}), "TiB": (2.0**40, {"byte": 1}),
}
COUNTS = (
    "GPU", "server", "rack", "token", "parameter", "query", "word", "character",
    "visitor", "question", "sample", "layer", "head", "generation", "instance",
)
for _name in COUNTS:
    ATOMS[_name] = (1.0, {_name: 1})
ATOMS["chip"] = (1.0, {"GPU": 1})  # an accelerator: a GPU or a TPU chip
ATOMS["search"] = (1.0, {"query": 1})
ATOMS["unit"] = (1.0, {})  # the parser's '台' (a machine): a count of anything

_LOWER = {}
for _name in ATOMS:
    _LOWER.setdefault(_name.lower(), _name)
_SCALE = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9}
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)([kKMB]?)$")


class UnitMismatch(CalculatorError, ValueError):
    """A unit is unknown or not convertible to the one a calculator declares."""


def _atom(piece: str) -> tuple[float, dict[str, int]]:
    for name in (piece, _LOWER.get(piece.lower())):
        if name in ATOMS:
            return ATOMS[name]
    if piece.endswith("s") and len(piece) > 1:  # plurals: hours, tokens, GPUs, PF-days
        try:
            return _atom(piece[:-1])
        except UnitMismatch:
            pass
    if "-" in piece.strip("-"):  # 'GPU-hour', 'chip-hours'
        return _product(piece.replace("-", " "))
    raise UnitMismatch(f"unknown unit {piece!r}")


def _product(text: str) -> tuple[float, dict[str, int]]:
    factor, dims = 1.0, {}
    for piece in re.split(r"[*·×\s]+", text.strip()):
        if not piece:
            continue
        number = _NUMBER.match(piece)
        if number:
            factor *= float(number.group(1)) * _SCALE[number.group(2)]
            continue
        f, d = _atom(piece)
        factor *= f
        for k, v in d.items():
            dims[k] = dims.get(k, 0) + v
    return factor, {k: v for k, v in dims.items() if v}


def parse_unit(unit: str) -> tuple[float, dict[str, int]]:
    """Factor to base units and dimension of a unit name like 'USD/GPU-hour'."""
    if unit in ATOMS:  # 'petaflop/s-day' contains a slash but is one name
        return ATOMS[unit]
    numerator, slash, denominator = unit.partition("/")
    if "/" in denominator:
        raise UnitMismatch(f"unit {unit!r} has more than one '/'")
    factor, dims = _product(numerator)
    if slash:
        f2, d2 = _product(denominator)
        factor /= f2
        for k, v in d2.items():
            dims[k] = dims.get(k, 0) - v
    return factor, {k: v for k, v in dims.items() if v}


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
    return float(value) * f_given / f_declared


def json_unit(unit: str) -> str:
    """A calculator unit as the answer JSON names it: the amount, not the rate ('USD/day' -> 'USD').

    >>> json_unit("USD/1K token"), json_unit("kWh/day"), json_unit("GPU-hour/day"), json_unit("FLOP/s")
    ('USD', 'kWh', 'hour', 'FLOP/s')
    """
    if unit in ("FLOP/s", "byte/s"):
        return unit
    numerator = unit.partition("/")[0]
    return numerator.rpartition("-")[2] if "-" in numerator and numerator != "PF-day" else numerator
