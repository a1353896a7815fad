"""Judging one written claim: the recomputed value against the figure as written.

- True: the stated figure equals the recomputed one to the precision it is written with
  (`4.7万` has 2 significant figures, so ±500), widened by the uncertainty of the written
  operands (`3.14e23 FLOPs = 3640 PF-days`: 3.14e23 is 3.135e23..3.145e23, so 3,628..3,640
  PF-days); `约`/`≈`/`about` widens it to 5% of the stated figure when that is larger;
  a count of whole things (racks, servers, GPUs) must equal the result rounded up.
- False: it does not; the note gives the right value and the relative error.

A stated figure off by exactly a Chinese or English magnitude (10^3, 10^4, 10^6, 10^8)
holds with a note: `542*140=7.59亿美元` leaves the 万 of 140万美元 out.

>>> from calculators.units import scan_quantity
>>> judge(Fraction(3798, 7), scan_quantity("543个机柜"), False, "3,798 / 7", "543个机柜")[0]
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from calculators.claim_parse import Val
from calculators.dimensions import WHOLE_COUNTS, is_time, parse_unit
from calculators.numbers import ABOUT_RTOL, format_number
from calculators.units import QuantityMatch

__all__ = ["Found", "judge", "judge_val", "candidates", "fmt", "pct", "within"]

_APPROX_REL = Fraction(str(ABOUT_RTOL))  # 约/≈/about: within 5% also holds
_SCALES = [(Fraction(10**4), "万 (×10^4)"), (Fraction(10**8), "亿 (×10^8)"),
           (Fraction(10**3), "thousand (×10^3)"), (Fraction(10**6), "million (×10^6)")]



@dataclass(frozen=True)
class ClaimInput:
    """A figure the recomputation used, as written, and the line it comes from."""

    text: str
    value: float | None  # in its canonical unit
    unit: str
    line: int  # 1-based line of the note it is written on

@dataclass
class Found:
    """A claim found in a line: its span in the prepared text, verdict, values and recomputation."""

    start: int
    end: int
    holds: bool | None
    recomputed: Fraction | None
    stated: QuantityMatch | None
    note: str
    kind: str
    formula: str = ""  # the recomputation as written: '542 × 45.5kw × 24h'
    inputs: tuple = ()  # QuantityMatch of this line, or ClaimInput from another line
    error: str = ""  # the arithmetic cannot be done (division by zero)


def fmt(x: Fraction | float) -> str:
    """A recomputed figure to two decimals (4 to 8 significant digits): 30,381.96 shows why
    30,382 GPUs are needed, where 30,382 would hide it."""
    f = float(x)
    whole_digits = math.floor(math.log10(abs(f))) + 1 if f and math.isfinite(f) else 1
    return format_number(f, digits=min(8, max(4, whole_digits + 2)))


def pct(x: Fraction | float) -> str:
    return format_number(float(x) * 100, digits=3) + "%"


def within(recomputed: Fraction, stated: QuantityMatch, approx: bool, rel: Fraction = Fraction(0)) -> bool:
    tol = max(stated.resolution / 2, abs(stated.exact) * Fraction(1, 10**9))
    if approx:  # 约 / ≈ / about: the written figure may be rounded further than it shows
        tol = max(tol, abs(stated.exact) * _APPROX_REL)
    return abs(recomputed - stated.exact) <= tol + abs(recomputed) * rel


def judge(recomputed: Fraction, stated: QuantityMatch, approx: bool, shown: str, stated_text: str,
          rel: Fraction = Fraction(0)) -> tuple[bool, str, Fraction]:
    """Verdict, explanation and the value compared, for `shown = recomputed` against the stated figure."""
    percent = stated_text.rstrip().endswith("%")
    show = pct if percent else fmt
    head = f"{shown} = {show(recomputed)}"
    count = stated.unit in WHOLE_COUNTS and stated.resolution <= 1 and stated.exact.denominator == 1
    if count and recomputed.denominator != 1 and rel == 0:
        need = math.ceil(recomputed)
        noun = {"GPU": "GPUs", "server": "servers", "rack": "racks", "unit": "machines"}[stated.unit]
        if stated.exact == need:
            return True, f"{head}; {noun} cannot be fractional: {fmt(need)} needed, as stated", recomputed
        if stated.exact == math.floor(recomputed):
            return False, (f"{head}; {noun} cannot be fractional: {fmt(need)} needed, "
                           f"the note rounds down to {fmt(stated.exact)}"), recomputed
        return False, f"{head}, not {stated_text}; {noun} cannot be fractional: {fmt(need)} needed", recomputed
    if within(recomputed, stated, approx):
        return True, head + ("" if recomputed == stated.exact else f" ≈ {stated_text}"), recomputed
    if rel and within(recomputed, stated, approx, rel):
        return True, (f"{head} ≈ {stated_text}, within the precision of the figures written "
                      f"(±{pct(rel)})"), recomputed
    for scale, name in _SCALES:
        for r, how in ((recomputed * scale, "in"), (recomputed / scale, "not in")):
            if within(r, stated, approx, rel):
                hint = ("the operands are in units of" if how == "in"
                        else "the result is written without its") + f" {name}"
                return True, f"{head}; holds if {hint}: {fmt(r)} ≈ {stated_text}", r
    if recomputed == 0:
        return False, f"{head}, not {stated_text}", recomputed
    if percent:
        gap = abs(stated.exact - recomputed) * 100
        return False, f"{head}, not {stated_text}: off by {format_number(gap, digits=3)} percentage points", recomputed
    err = (stated.exact - recomputed) / abs(recomputed)
    direction = "too high" if err > 0 else "too low"
    return False, f"{head}, not {stated_text} ({fmt(stated.exact)}): the stated value is {pct(abs(err))} {direction}", recomputed


def candidates(val: Val, stated: QuantityMatch) -> list[Fraction]:
    """The recomputed value in the stated figure's canonical unit: converted when the
    dimensions match (or match up to a per-time rate label such as 591,864kwh/日), and
    always also the plain value with conversions ignored (`… * 350ms / 3600 = … hours`
    converts by hand), so unit handling never fails a correct claim."""
    out = []
    factor, dims = parse_unit(stated.unit)
    num, _, den = stated.unit.partition("/")
    if dims == val.dims and dims:
        out.append(val.base / factor)
    elif is_time(den) and num and parse_unit(num)[1] == val.dims:
        out.append(val.base / parse_unit(num)[0])
    if val.raw not in out:
        out.append(val.raw)
    return out


def judge_val(val: Val, stated: QuantityMatch, approx: bool, shown: str, stated_text: str):
    results = [judge(r, stated, approx, shown, stated_text, val.rel) for r in candidates(val, stated)]
    return next((r for r in results if r[0]), results[0])
