"""The one unit model: what a unit name means, as an exact factor and a dimension.

Every part of the calculators that reasons about units reads this table: the text
parser (`calculators.units`, which reports quantities in `CANONICAL_UNITS`), the
conversions at a calculator's boundary (`calculators.conversions`) and the claims
checker (`calculators.claims`, which carries units through written arithmetic).

A unit name is an atom ('hour', 'GiB', 'TFLOPS', 'USD'), a product of atoms and
plain factors ('GPU-hour', '1K token') or one ratio of two products
('USD/GPU-hour', 'kWh/day', 'FLOP/s'). `parse_unit` gives its factor to the base
units of its dimension, as an exact Fraction, and the dimension as a dict of base
dimensions and exponents. The base dimensions are:

- physical: time (second), FLOP, power (watt), byte, and one per currency (USD,
  CNY: no fixed rate converts one into the other);
- counts: GPU, token, parameter, server, ... (`COUNTS`), each its own dimension, so
  that tokens never pass for parameters.

Prefixes are SI decimal (kW, GB, TFLOPS: 10^3 steps) and, for bytes, IEC binary
(KiB, MiB, GiB: 2^10 steps): `80GB` is 8e10 bytes and `80GiB` is 85,899,345,920.

Examples
--------
>>> parse_unit("USD/GPU-hour")
(Fraction(1, 3600), {'USD': 1, 'GPU': -1, 'time': -1})
>>> parse_unit("kWh/day")[1]
{'power': 1}
>>> float(parse_unit("GiB")[0] / parse_unit("GB")[0])
1.073741824
>>> canonical("ms"), canonical("TFLOPS"), canonical("GiB"), canonical("hour")
(('second', Fraction(1, 1000)), ('FLOP/s', Fraction(1000000000000, 1)), ('byte', Fraction(1073741824, 1)), ('hour', Fraction(1, 1)))
"""

from __future__ import annotations

import re
from fractions import Fraction

from calculators.errors import CalculatorError

__all__ = [
    "ATOMS", "CANONICAL_UNITS", "COUNTS", "PHYSICAL", "WHOLE_COUNTS",
    "UnitMismatch", "canonical", "is_time", "parse_unit",
]

Dims = dict[str, int]


class UnitMismatch(CalculatorError, ValueError):
    """A unit is unknown or not convertible to the one a calculator declares."""


# Physical dimensions must match exactly; every other dimension is a count.
PHYSICAL = ("time", "FLOP", "power", "byte", "USD", "CNY")
COUNTS = (
    "GPU", "server", "rack", "token", "parameter", "query", "word", "character",
    "visitor", "question", "sample", "layer", "head", "generation", "instance",
)
# Counts of whole things: a computed count of them rounds up (543 racks, not 542.57).
# 'unit' is the parser's 台 (a machine).
WHOLE_COUNTS = frozenset({"GPU", "server", "rack", "unit"})

DECIMAL_PREFIXES = {"k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
                    "P": 10**15, "E": 10**18}
BINARY_PREFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50}

_DAY = 86400
_TIME: Dims = {"time": 1}

# name -> (factor to the base units of its dimension, dimension)
ATOMS: dict[str, tuple[Fraction, Dims]] = {}


def _add(names: str, factor, dims: Dims) -> None:
    for name in names.split():
        ATOMS[name] = (Fraction(factor), dict(dims))


_add("", 1, {})
_add("%", Fraction(1, 100), {})
_add("unit", 1, {})  # the parser's 台 (a machine): a count of anything, so it fits any declared count
_add("second s sec", 1, _TIME)
_add("ms", Fraction(1, 1000), _TIME)
_add("minute min", 60, _TIME)
_add("hour h hr", 3600, _TIME)
_add("day d", _DAY, _TIME)
_add("week", 7 * _DAY, _TIME)
_add("month", Fraction(365 * _DAY, 12), _TIME)  # a twelfth of a 365-day year
_add("year yr", 365 * _DAY, _TIME)
_add("USD $ dollar", 1, {"USD": 1})
_add("CNY yuan RMB", 1, {"CNY": 1})
# bytes come before bits so that a case-insensitive 'gb' means GB
for _base, _factor, _dims in (("FLOP", 1, {"FLOP": 1}), ("FLOPs", 1, {"FLOP": 1}),
                              ("FLOPS", 1, {"FLOP": 1, "time": -1}),
                              ("B", 1, {"byte": 1}), ("bit", Fraction(1, 8), {"byte": 1}),
                              ("W", 1, {"power": 1}), ("Wh", 3600, {"power": 1, "time": 1})):
    _add(_base, _factor, _dims)
    for _p, _f in DECIMAL_PREFIXES.items():
        _add(_p + _base, _factor * _f, _dims)
for _p, _f in BINARY_PREFIXES.items():
    _add(_p + "B", _f, {"byte": 1})
_add("byte", 1, {"byte": 1})
# 1 PF-day = 1e15 FLOP/s for one day (the unit of Brown et al. 2020, the GPT-3 paper)
_add("PF-day petaflop/s-day", 10**15 * _DAY, {"FLOP": 1})
for _name in COUNTS:
    _add(_name, 1, {_name: 1})
_add("chip", 1, {"GPU": 1})  # an accelerator: a GPU or a TPU chip
_add("search", 1, {"query": 1})

_LOWER: dict[str, str] = {}
for _name in ATOMS:
    _LOWER.setdefault(_name.lower(), _name)
_SCALE = {"": 1, "k": 10**3, "K": 10**3, "M": 10**6, "B": 10**9}
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)([kKMB]?)$")

# The units `calculators.units` reports quantities in: a unit read from text is
# reported in itself when it is listed here, else in the first listed unit of its
# dimension (ms -> second, W -> kW, GiB -> byte, TFLOPS -> FLOP/s, % -> '').
CANONICAL_UNITS = (
    "", "USD", "CNY", "kW", "kWh", "second", "hour", "day", "month", "year",
    "token", "parameter", "FLOP", "PF-day", "FLOP/s", "byte", "GPU", "server",
    "rack", "word", "unit", "query",
)


def _atom(piece: str) -> tuple[Fraction, Dims]:
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


def _combine(a: Dims, b: Dims, sign: int = 1) -> Dims:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + sign * v
    return {k: v for k, v in out.items() if v}


def _product(text: str) -> tuple[Fraction, Dims]:
    factor, dims = Fraction(1), {}
    for piece in re.split(r"[*·×\s]+", text.strip()):
        if not piece:
            continue
        number = _NUMBER.match(piece)
        if number:  # '1K token': a unit of a thousand tokens
            factor *= Fraction(number.group(1)) * _SCALE[number.group(2)]
            continue
        f, d = _atom(piece)
        factor *= f
        dims = _combine(dims, d)
    return factor, dims


def parse_unit(unit: str) -> tuple[Fraction, Dims]:
    """Exact factor to base units and the dimension of a unit name like 'USD/GPU-hour'.

    >>> parse_unit("TFLOPS")
    (Fraction(1000000000000, 1), {'FLOP': 1, 'time': -1})
    >>> parse_unit("USD/1K tokens")
    (Fraction(1, 1000), {'USD': 1, 'token': -1})
    >>> parse_unit("furlong")
    Traceback (most recent call last):
    ...
    calculators.dimensions.UnitMismatch: unknown unit 'furlong'
    """
    if unit in ATOMS:  # 'petaflop/s-day' contains a slash but is one name
        f, d = ATOMS[unit]
        return f, dict(d)
    numerator, slash, denominator = unit.partition("/")
    if "/" in denominator:
        raise UnitMismatch(f"unit {unit!r} has more than one '/'")
    factor, dims = _product(numerator)
    if slash:
        f2, d2 = _product(denominator)
        factor /= f2
        dims = _combine(dims, d2, -1)
    return factor, dims


def is_time(unit: str) -> bool:
    """Whether `unit` is a unit of time (a per-time rate label such as /日 names one)."""
    try:
        return parse_unit(unit)[1] == _TIME
    except UnitMismatch:
        return False


def canonical(unit: str) -> tuple[str, Fraction]:
    """The canonical unit the parser reports `unit` in, and the factor into it."""
    if unit in CANONICAL_UNITS:
        return unit, Fraction(1)
    factor, dims = parse_unit(unit)
    for name in CANONICAL_UNITS:
        f, d = parse_unit(name)
        if d == dims:
            return name, factor / f
    raise UnitMismatch(f"no canonical unit for {unit!r}")
