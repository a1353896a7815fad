"""Reading the arithmetic people write: text preparation, operands and the expression grammar.

The claims checker (`calculators.claims`) reads every claim through this module:

- `prepare_line` turns a line of a note into normalized text the parser can read while
  keeping its length (so spans map back): inline-code backticks, Markdown bold markers,
  backslash escapes and link targets become spaces; `**` between two operands stays (a power).
- `ExprParser` parses `expr := term (+|- term)*`, `term := power (*|/ power)*`,
  `power := factor ((^|**) power)?`, `factor := (expr) | sizeof(FP16) | quantity`.
  Numbers and units are read by `calculators.units` (never eval/sympify) and combined
  exactly with Fractions; units are carried as dimensions (`calculators.dimensions`).
- Each value carries the relative uncertainty its written operands allow (`7B` is 6.5B..7.5B,
  `3.14e23` is ±0.005e23, `24` or `4096` exact), so a claim is judged to the digits written.
- Calendar years (`2010年`, `2010-2018`) are never operands.
- `physical_unit_at` reads the mass and temperature units that the calculators' unit model
  does not carry (lb, 磅, kg, 吨, °F, °C): they only appear in written equivalences
  ("1984 lbs (0.9吨)", "2.14˚F（1.19˚C）").

>>> p = ExprParser(prepare_line("`1 * 4096 * 2 * 32 * 4096 * 2` 字节")[0])
>>> side = p.parse(0)
>>> side.val.raw, side.val.dims, side.nops
(Fraction(2147483648, 1), {'byte': 1}, 5)
>>> ExprParser("2^31").parse(0).val.raw, ExprParser("2 ** 10").parse(0).val.raw
(Fraction(2147483648, 1), Fraction(1024, 1))
>>> ExprParser("7B * sizeof(FP16)").parse(0).val.base
Fraction(14000000000, 1)
>>> ExprParser("2010-2018").parse(0).nops, ExprParser("2010年") .parse(0)
(0, None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from calculators.dimensions import parse_unit
from calculators.units import QuantityMatch, normalize, quantity_at

__all__ = ["Val", "Side", "ExprParser", "prepare_line", "is_calendar_year", "operand_rel",
           "physical_unit_at", "PhysicalUnit", "combine_dims", "OP_RE"]


def combine_dims(a: dict, b: dict, sign: int) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + sign * v
    return {k: v for k, v in out.items() if v}


@dataclass
class Val:
    raw: Fraction  # canonical values combined, conversions ignored
    base: Fraction  # value in base units
    dims: dict
    error: str | None = None  # e.g. division by zero: the claim cannot be checked
    rel: Fraction = Fraction(0)  # relative uncertainty allowed by the digits written


@dataclass
class Side:
    """One side of a written relation: where it ends, its value, how many operators, its text,
    its operands and, for a pure product/quotient, each operand's exponent (+1 or -1)."""

    end: int
    val: Val
    nops: int
    text: str
    items: list = field(default_factory=list)
    exps: list | None = None  # None: not a pure product (sums, powers)


# ------------------------------------------------------------------ text preparation

_LINK_RE = re.compile(r"\]\([^)\s]*\)|https?://\S+")
_ESCAPE_RE = re.compile(r"\\(?=[*_\[\]()#`~|<>-])")


def prepare_line(line: str) -> tuple[str, list[int]]:
    """Normalized text (NFKC) with markup blanked out, and the index map back to `line`.

    >>> prepare_line("**685B**, `2 GB`, a\\\\_b 2**31")[0]
    '  685B  ,  2 GB , a _b 2**31'
    """
    s, index = normalize(line)
    chars = list(s)

    def blank(a: int, b: int) -> None:
        for k in range(a, b):
            chars[k] = " "

    for m in _LINK_RE.finditer(s):
        blank(m.start() + (1 if m.group(0).startswith("]") else 0), m.end())
    for m in _ESCAPE_RE.finditer(s):
        blank(m.start(), m.end())
    for k, ch in enumerate(s):
        if ch == "`":
            chars[k] = " "
    for m in re.finditer(r"\*\*", s):
        before = s[:m.start()].rstrip()[-1:]
        after = s[m.end():].lstrip()[:1]
        if not ((before.isdigit() or before == ")") and (after.isdigit() or after == "(")):
            blank(m.start(), m.end())
    return "".join(chars), index


# ------------------------------------------------------------------------ operands

def is_calendar_year(s: str, q: QuantityMatch) -> bool:
    """`2010年`, `2018 year`: a four-digit whole number from 1800 to 2199 written with 年/year (a bare
    2048 is a number; a bare 2010-2018 is a range, see `ExprParser.expr`)."""
    text = s[q.start:q.end]
    digits = re.match(r"\d+", text)
    if not digits or len(digits.group(0)) != 4 or not 1800 <= int(digits.group(0)) <= 2199:
        return False
    return q.unit == "year" and re.fullmatch(r"\d{4}\s*(?:年|(?i:years?|yrs?))", text.strip()) is not None


_INEXACT_RE = re.compile(r"[.eE]|万|亿|千|百|十|[KkMBT](?![A-Za-z])|(?i:thousand|million|billion|trillion|bn|mn)")


def operand_rel(s: str, q: QuantityMatch) -> Fraction:
    """Relative uncertainty of a written operand: half its last digit for a decimal, a figure in
    scientific notation or with a multiplier (`0.08`, `3.14e23`, `7B`, `4.7万`); whole numbers
    written in full (`24`, `4096`, `2,369,640`) are exact."""
    if q.exact == 0:
        return Fraction(0)
    number = re.match(r"[^\d.]*([\d.,]+(?:[eE][+-]?\d+)?\s*(?:万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千|"
                      r"(?i:thousand|million|billion|trillion|bn|mn)|[KkMBT](?![A-Za-z]))?)", s[q.start:q.end])
    if not number or not _INEXACT_RE.search(number.group(1)):
        return Fraction(0)
    return (q.resolution / 2) / abs(q.exact)


# ------------------------------------------------------------ units the model lacks

@dataclass(frozen=True)
class PhysicalUnit:
    name: str
    dims: dict
    factor: Fraction  # to the base unit (kilogram, degree Celsius)
    offset: Fraction = Fraction(0)  # absolute temperatures: base = factor * (value + offset)
    end: int = 0


_PHYSICAL = [
    (r"(?i:lbs?|pounds?)(?![A-Za-z])|磅", "lb", {"mass": 1}, Fraction(45359237, 10**8), Fraction(0)),
    (r"(?i:kg|kilograms?)(?![A-Za-z])|千克|公斤", "kg", {"mass": 1}, Fraction(1), Fraction(0)),
    (r"(?i:tonnes?|metric tons?|tons?|t)(?![A-Za-z])|吨", "t", {"mass": 1}, Fraction(1000), Fraction(0)),
    (r"\s?[°̊]\s?F|华氏度", "°F", {"temperature": 1}, Fraction(5, 9), Fraction(-32)),
    (r"\s?[°̊]\s?C|摄氏度", "°C", {"temperature": 1}, Fraction(1), Fraction(0)),
]
_PHYSICAL = [(re.compile(p), *rest) for p, *rest in _PHYSICAL]


def physical_unit_at(s: str, q: QuantityMatch) -> PhysicalUnit | None:
    """A mass or temperature unit right after a quantity the unit parser left bare ('1984 lbs', '0.9吨')."""
    if q.unit:
        return None
    pos = q.end + len(s[q.end:]) - len(s[q.end:].lstrip(" "))
    for pattern, name, dims, factor, offset in _PHYSICAL:
        m = pattern.match(s, pos) or (pattern.match(s, q.end) if name.startswith("°") else None)
        if m:
            return PhysicalUnit(name, dims, factor, offset, m.end())
    return None


# ------------------------------------------------------------------ the grammar

OP_RE = re.compile(r"\s*(?P<op>[*×·÷/+\-−]|\b[xX](?=\s*[\d$(]))\s*")
_POW_RE = re.compile(r"\s*(?:\^|\*\*)\s*")
_SIZEOF_RE = re.compile(r"sizeof\s*\(\s*(?:[A-Za-z]*?)(?P<bits>64|32|16|8|4)\s*\)", re.I)
_OPS = {"*": "*", "×": "*", "·": "*", "x": "*", "X": "*", "÷": "/", "/": "/", "+": "+", "-": "-", "−": "-"}
_MAX_POWER_DIGITS = 400


class ExprParser:
    """Precedence parser over prepared text; `parse(i)` gives a `Side` or None."""

    def __init__(self, s: str):
        self.s = s

    def parse(self, i: int) -> Side | None:
        return self.expr(i)

    def expr(self, i: int) -> Side | None:
        left = self.term(i)
        if left is None:
            return None
        while True:
            m = OP_RE.match(self.s, left.end)
            if not m or _OPS[m.group("op")] not in "+-":
                return left
            right = self.term(m.end())
            if right is None:
                return left
            op = _OPS[m.group("op")]
            a, b = left.val, right.val
            if b.dims != a.dims and a.dims and b.dims:
                return left  # e.g. 400Gb - 800Gb is a range
            if op == "-" and left.nops == 0 and right.nops == 0 and _years(self.s, left, right):
                return left  # 2010-2018 is a range of years
            sign = 1 if op == "+" else -1
            raw = a.raw + sign * b.raw
            spread = abs(a.raw) * a.rel + abs(b.raw) * b.rel
            val = Val(raw, a.base + sign * b.base, a.dims or b.dims, a.error or b.error,
                      spread / abs(raw) if raw else Fraction(0))
            left = Side(right.end, val, left.nops + right.nops + 1, f"{left.text} {op} {right.text}",
                        left.items + right.items, None)

    def term(self, i: int) -> Side | None:
        left = self.power(i)
        if left is None:
            return None
        while True:
            if _POW_RE.match(self.s, left.end) and self.s[left.end:left.end + 3].strip().startswith("**"):
                return left  # a '**' that did not read as a power (markup)
            m = OP_RE.match(self.s, left.end)
            if not m or _OPS[m.group("op")] not in "*/":
                return left
            right = self.power(m.end())
            if right is None:
                return left
            op = _OPS[m.group("op")]
            a, b = left.val, right.val
            if op == "*":
                val = Val(a.raw * b.raw, a.base * b.base, combine_dims(a.dims, b.dims, 1), a.error or b.error, a.rel + b.rel)
            elif b.raw == 0 or b.base == 0:
                val = Val(Fraction(0), Fraction(0), {}, "division by zero")
            else:
                val = Val(a.raw / b.raw, a.base / b.base, combine_dims(a.dims, b.dims, -1), a.error or b.error, a.rel + b.rel)
            sign = 1 if op == "*" else -1
            exps = None if left.exps is None or right.exps is None else left.exps + [sign * e for e in right.exps]
            sym = "×" if op == "*" else "/"
            left = Side(right.end, val, left.nops + right.nops + 1, f"{left.text} {sym} {right.text}",
                        left.items + right.items, exps)

    def power(self, i: int) -> Side | None:
        base = self.factor(i)
        if base is None:
            return None
        m = _POW_RE.match(self.s, base.end)
        if not m:
            return base
        exponent = self.power(m.end())
        if exponent is None:
            return base
        unit = Val(Fraction(1), Fraction(1), {})
        if exponent.val.dims and exponent.nops == 0 and exponent.items:
            # '2^15 tokens', '2**20 bytes': the unit belongs to the power, not to the exponent
            q = exponent.items[0]
            written = re.match(r"\d+", self.s[q.start:q.end])
            if not written or int(written.group(0)) == 0:
                return base
            n_written = int(written.group(0))
            per = q.exact / n_written
            factor, dims = parse_unit(q.unit)
            unit = Val(per, per * factor, dims)
            exponent = Side(exponent.end, Val(Fraction(n_written), Fraction(n_written), {}), 0, exponent.text, [], None)
        if exponent.val.dims or exponent.val.raw.denominator != 1:
            return base
        n = int(exponent.val.raw)
        b = base.val
        if b.raw == 0 and n < 0:
            val = Val(Fraction(0), Fraction(0), {}, "division by zero")
        elif abs(n) * max(len(str(abs(b.raw.numerator))), len(str(b.raw.denominator)), 1) > _MAX_POWER_DIGITS:
            return base  # absurd: not a claim anyone wrote
        else:
            val = Val(b.raw ** n * unit.raw, b.base ** n * unit.base,
                      combine_dims({k: v * n for k, v in b.dims.items()}, unit.dims, 1), b.error, abs(n) * b.rel)
        return Side(exponent.end, val, base.nops + exponent.nops + 1, f"{base.text}^{exponent.text}",
                    base.items + exponent.items, None)

    def factor(self, i: int) -> Side | None:
        s = self.s
        while i < len(s) and s[i] in " \t":
            i += 1
        if i < len(s) and s[i] == "(":
            inner = self.expr(i + 1)
            if inner is None:
                return None
            end = inner.end
            while end < len(s) and s[end] in " \t":
                end += 1
            if end >= len(s) or s[end] != ")":
                return None
            return Side(end + 1, inner.val, inner.nops, f"({inner.text})", inner.items, inner.exps)
        size = _SIZEOF_RE.match(s, i)
        if size:  # sizeof(FP16): the width of a number format, in bytes
            nbytes = Fraction(int(size.group("bits")), 8)
            return Side(size.end(), Val(nbytes, nbytes, {"byte": 1}), 0, s[i:size.end()], [], [])
        qm = quantity_at(s, i)
        if qm is None or is_calendar_year(s, qm):
            return None
        factor, dims = parse_unit(qm.unit)
        val = Val(qm.exact, qm.exact * factor, dims, None, operand_rel(s, qm))
        return Side(qm.end, val, 0, s[qm.start:qm.end].strip(), [qm], [1])


def _years(s: str, left: Side, right: Side) -> bool:
    return all(len(x.items) == 1 and re.fullmatch(r"(?:18|19|20|21)\d\d", s[x.items[0].start:x.items[0].end].strip())
               for x in (left, right))
