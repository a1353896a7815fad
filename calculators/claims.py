"""Find the arithmetic written in notes and check it.

Four shapes of claim are recognised, in Chinese and English:

- an expression and its stated result: `542*45.5kw*24h=591,864kwh/日`,
  `3,798/7=542个机柜`, `8 * 2.40 * 24 = 460.8 dollars`, chains `a = b ≈ c`, with
  `× x ＊ · ÷ / + -` and `= ≈ ~ 约 约为 约等于 等于 about` as the relation;
- a ratio stated after a result or a figure: `…, 约定于0.008美元,因此大约占每次查询收入
  0.048 美元的 15%`, `0.066美元/次,约为每次查询收入0.048美元的1.4倍`, `…, which is 15% of $0.048`;
- a change between two figures: `降低58%(即训练成本由74.4万美元降低到31.2万美元)`,
  `a 58% cut, from $744k to $312k`;
- an equivalence between two figures in convertible units: `A(相当于B)`, `A (equivalent to B)`.

Each number is read by `calculators.units` (never eval/sympify) and the arithmetic is
redone exactly with Fractions by a small precedence parser.

The verdict (`Claim.holds`):

- True: the stated figure equals the recomputed one to the precision it is written
  with (`4.7万` has 2 significant figures, so ±500; `约`/`≈`/`about` widens that to
  5% of the stated figure when that is larger: `约3640` for 3,645.8 holds);
  a count that is written out in full must equal the exact result, rounded up if
  that is fractional.
- False: it does not; the note gives the right value and the relative error.
  Counts of things that cannot be fractional (racks, servers, GPUs, machines: 机柜,
  台, 片, 张) round UP: `3,798/7=542个机柜` is False because 542 racks hold only 3,794
  servers (543 are needed); the note says the claim rounds down.
- None: the claim cannot be checked, and the note says why (division by zero, a
  conversion that needs an assumption the text does not give, units that do not compare).

A stated figure that is off by exactly a Chinese or English magnitude (10^3, 10^4,
10^6, 10^8) holds with a note: `542*140=7.59亿美元` leaves the 万 of 140万美元 out.
Units in the expression are carried along (kW × h = kWh, FLOP <-> PF-day) and used to
convert when the two sides have the same dimensions; otherwise they are ignored, so
unit handling never makes a correct claim fail.

Examples
--------
>>> [c.holds for c in check_text("需要729,167/24=30,382片A100; 3,798/7=542个机柜")]
[True, False]
>>> c = check_text("每日电费约为2,369,640*0.08=4.7万美元/日")[0]
>>> c.text, c.holds, c.recomputed
('2,369,640*0.08=4.7万美元/日', False, 189571.2)
>>> check_text("8 * 2.40 * 24 = 460.8 dollars")[0].holds
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, asdict
from fractions import Fraction

from calculators.dimensions import WHOLE_COUNTS, is_time, parse_unit
from calculators.numbers import ABOUT_RTOL, format_number
from calculators.units import QuantityMatch, normalize, number_starts_at as _number_start, quantity_at as _quantity_at, scan_quantities

__all__ = ["Claim", "find_claims", "check_text", "check_claim"]


@dataclass(frozen=True)
class Claim:
    text: str  # the arithmetic as written, trimmed to the claim
    file: str
    line: int  # 1-based
    holds: bool | None  # None: cannot be checked (the note says why)
    recomputed: float | None  # in the canonical unit of the stated figure
    stated: float | None  # the stated figure, in its canonical unit
    unit: str  # canonical unit of the stated figure ('' for plain numbers)
    note: str  # human explanation of the verdict
    kind: str = "expression"  # expression | ratio | change | equivalence

    def to_dict(self) -> dict:
        return asdict(self)


# ------------------------------------------------------------------ units as dimensions
# A unit's factor and dimension come from the one unit model (`dimensions.parse_unit`).

def _combine(a: dict, b: dict, sign: int) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + sign * v
    return {k: v for k, v in out.items() if v}


@dataclass
class _Val:
    raw: Fraction  # canonical values combined, conversions ignored
    base: Fraction  # value in base units
    dims: dict
    error: str | None = None  # e.g. division by zero: the claim cannot be checked


# ------------------------------------------------------------------------ tokenizing

_REL_RE = re.compile(
    r"\s*(?:(?P<eq>=|等于|equals?(?![A-Za-z])|is(?=\s+\d))"
    r"|(?P<approx>≈|≒|≃|~|约[等定]于|约合|约为|约是|大约|大概|约|(?i:approximately|approx\.?|about|roughly)(?![A-Za-z])))"
)
_OP_RE = re.compile(r"\s*(?P<op>[*×·÷/+\-−]|\b[xX](?=\s*[\d$(]))\s*")
_OPS = {"*": "*", "×": "*", "·": "*", "x": "*", "X": "*", "÷": "/", "/": "/",
        "+": "+", "-": "-", "−": "-"}
_APPROX_BEFORE_RE = re.compile(r"(?:约|大约|大概|约为|约合|≈|~|(?i:about|approximately|roughly))\s*$")


class _ExprParser:
    """Precedence parser over normalized text: expr := term (+|- term)*, term := factor (*|/ factor)*."""

    def __init__(self, s: str):
        self.s = s

    def skip_space(self, i: int) -> int:
        while i < len(self.s) and self.s[i] in " \t":
            i += 1
        return i

    def parse(self, i: int):
        """(end, value, n_ops, rendered text, operand matches) or None."""
        return self.expr(i)

    def expr(self, i):
        left = self.term(i)
        if left is None:
            return None
        end, val, nops, text, items = left
        while True:
            m = _OP_RE.match(self.s, end)
            if not m or _OPS[m.group("op")] not in "+-":
                return end, val, nops, text, items
            right = self.term(m.end())
            if right is None:
                return end, val, nops, text, items
            op = _OPS[m.group("op")]
            r_end, rval, rn, rtext, ritems = right
            if rval.dims != val.dims and rval.dims and val.dims:
                return end, val, nops, text, items  # e.g. 400Gb - 800Gb is a range
            sign = 1 if op == "+" else -1
            val = _Val(val.raw + sign * rval.raw, val.base + sign * rval.base, val.dims or rval.dims,
                       val.error or rval.error)
            end, nops, text, items = r_end, nops + rn + 1, f"{text} {op} {rtext}", items + ritems

    def term(self, i):
        left = self.factor(i)
        if left is None:
            return None
        end, val, nops, text, items = left
        while True:
            m = _OP_RE.match(self.s, end)
            if not m or _OPS[m.group("op")] not in "*/":
                return end, val, nops, text, items
            right = self.factor(m.end())
            if right is None:
                return end, val, nops, text, items
            op = _OPS[m.group("op")]
            r_end, rval, rn, rtext, ritems = right
            if op == "*":
                val = _Val(val.raw * rval.raw, val.base * rval.base, _combine(val.dims, rval.dims, 1),
                       val.error or rval.error)
            else:
                if rval.raw == 0 or rval.base == 0:
                    val = _Val(Fraction(0), Fraction(0), {}, "division by zero")
                else:
                    val = _Val(val.raw / rval.raw, val.base / rval.base,
                               _combine(val.dims, rval.dims, -1), val.error or rval.error)
            sym = "×" if op == "*" else "/"
            end, nops, text, items = r_end, nops + rn + 1, f"{text} {sym} {rtext}", items + ritems

    def factor(self, i):
        i = self.skip_space(i)
        if i < len(self.s) and self.s[i] == "(":
            inner = self.expr(i + 1)
            if inner is None:
                return None
            end, val, nops, text, items = inner
            end = self.skip_space(end)
            if end >= len(self.s) or self.s[end] != ")":
                return None
            return end + 1, val, nops, f"({text})", items
        qm = _quantity_at(self.s, i)
        if qm is None:
            return None
        factor, dims = parse_unit(qm.unit)
        val = _Val(qm.exact, qm.exact * factor, dims)
        return qm.end, val, 0, self.s[qm.start:qm.end].strip(), [qm]


# -------------------------------------------------------------------------- judging

_APPROX_REL = Fraction(str(ABOUT_RTOL))  # 约/≈/about: within 5% also holds
_SCALES = [(Fraction(10**4), "万 (×10^4)"), (Fraction(10**8), "亿 (×10^8)"),
           (Fraction(10**3), "thousand (×10^3)"), (Fraction(10**6), "million (×10^6)")]


def _fmt(x: Fraction | float) -> str:
    """A recomputed figure to two decimals (4 to 8 significant digits): 30,381.96 shows why
    30,382 GPUs are needed, where 30,382 would hide it."""
    f = float(x)
    whole_digits = math.floor(math.log10(abs(f))) + 1 if f and math.isfinite(f) else 1
    return format_number(f, digits=min(8, max(4, whole_digits + 2)))


def _pct(x: Fraction | float) -> str:
    return format_number(float(x) * 100, digits=3) + "%"


def _within(recomputed: Fraction, stated: QuantityMatch, approx: bool) -> bool:
    tol = max(stated.resolution / 2, abs(stated.exact) * Fraction(1, 10**9))
    if approx:  # 约 / ≈ / about: the written figure may be rounded further than it shows
        tol = max(tol, abs(stated.exact) * _APPROX_REL)
    return abs(recomputed - stated.exact) <= tol


def _judge(recomputed: Fraction, stated: QuantityMatch, approx: bool, shown: str,
           stated_text: str) -> tuple[bool, str, Fraction]:
    """Verdict, explanation and the value compared, for `shown = recomputed` against the stated figure."""
    percent = stated_text.rstrip().endswith("%")
    show = _pct if percent else _fmt
    head = f"{shown} = {show(recomputed)}"
    count = stated.unit in WHOLE_COUNTS and stated.resolution <= 1 and stated.exact.denominator == 1
    if count and recomputed.denominator != 1:
        need = math.ceil(recomputed)
        noun = {"GPU": "GPUs", "server": "servers", "rack": "racks", "unit": "machines"}[stated.unit]
        if stated.exact == need:
            return True, f"{head}; {noun} cannot be fractional: {_fmt(need)} needed, as stated", recomputed
        if stated.exact == math.floor(recomputed):
            return False, (f"{head}; {noun} cannot be fractional: {_fmt(need)} needed, "
                           f"the note rounds down to {_fmt(stated.exact)}"), recomputed
        return False, f"{head}, not {stated_text}; {noun} cannot be fractional: {_fmt(need)} needed", recomputed
    if _within(recomputed, stated, approx):
        return True, head + ("" if recomputed == stated.exact else f" ≈ {stated_text}"), recomputed
    for scale, name in _SCALES:
        for r, how in ((recomputed * scale, "in"), (recomputed / scale, "not in")):
            if _within(r, stated, approx):
                hint = ("the operands are in units of" if how == "in"
                        else "the result is written without its") + f" {name}"
                return True, f"{head}; holds if {hint}: {_fmt(r)} ≈ {stated_text}", r
    if recomputed == 0:
        return False, f"{head}, not {stated_text}", recomputed
    if percent:
        gap = abs(stated.exact - recomputed) * 100
        return False, f"{head}, not {stated_text}: off by {format_number(gap, digits=3)} percentage points", recomputed
    err = (stated.exact - recomputed) / abs(recomputed)
    direction = "too high" if err > 0 else "too low"
    return False, f"{head}, not {stated_text} ({_fmt(stated.exact)}): the stated value is {_pct(abs(err))} {direction}", recomputed


def _candidates(val: _Val, stated: QuantityMatch) -> list[Fraction]:
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


def _judge_val(val: _Val, stated: QuantityMatch, approx: bool, shown: str, stated_text: str):
    results = [_judge(r, stated, approx, shown, stated_text) for r in _candidates(val, stated)]
    return next((r for r in results if r[0]), results[0])


# ------------------------------------------------------------------------- finding

@dataclass
class _Found:
    start: int
    end: int
    holds: bool | None
    recomputed: Fraction | None
    stated: QuantityMatch | None
    note: str
    kind: str


_RATIO_AFTER_ZH = re.compile(
    r"[ \t]*,?[ \t]*(?:因此|所以|即|则|也就是说)?[ \t]*(?:大约|大概|约)?[ \t]*(?:占|是|为|相当于)"
    r"(?P<mid>[^。;!?]{0,40}?)的[ \t]*(?:约[ \t]*)?(?=\d)")
_RATIO_AFTER_EN = re.compile(
    r"[ \t]*,?[ \t]*(?:which is|that is|i\.e\.,?|or)[ \t]*(?:about|roughly|~)?[ \t]*(?=\d)")
_RATIO_STANDALONE = re.compile(
    r"(?P<verb>约为|约是|约占|大约占|大约是|占|是|为)(?P<mid>[^。;!?,]{0,40}?)的[ \t]*(?:约[ \t]*)?(?=\d)")
_RATIO_STANDALONE_EN = re.compile(
    r"(?:which is|that is|i\.e\.,?|or|is)\s+(?:about\s+|roughly\s+|~)?(?=\d[\d.]*\s*(?:%|times))", re.I)
_CHANGE_WORD = r"降低|下降|减少|降至|降到|降|提高|提升|增长|增加|上升"
_CHANGE_PCT = re.compile(rf"(?P<verb>{_CHANGE_WORD})了?[ \t]*(?:约|大约)?[ \t]*(?=\d)")
_CHANGE_FROM_TO = re.compile(r"(?:由|从)[ \t]*(?=[\d$¥])")
_EN_CHANGE_PCT = re.compile(r"(?P<verb>reduc\w*|cut\w*|drop\w*|fall\w*|fell|decreas\w*|lower\w*|"
                            r"ris\w*|increas\w*|grow\w*|grew)\s+(?:by\s+)?(?:about\s+)?(?=\d)", re.I)
_EN_PCT_CHANGE = re.compile(r"(?=\d[\d.]*\s*%\s*(?P<verb>reduction|cut|drop|decrease|lower|less|cheaper|"
                            r"increase|rise|more|higher|growth))", re.I)
_EQUIV = re.compile(r"[ \t]*[(,]?[ \t]*(?:相当于|等价于|(?i:equivalent to|equal to|i\.e\.))[ \t]*")


def _ratio_clause(s: str, pos: int, numerator: Fraction, shown: str):
    """A ratio or percentage stated right after `pos`: (end, found fields) or None."""
    for pattern in (_RATIO_AFTER_ZH, _RATIO_AFTER_EN):
        m = pattern.match(s, pos)
        if not m:
            continue
        k = _quantity_at(s, m.end())
        if k is None or k.unit != "":
            continue
        if pattern is _RATIO_AFTER_ZH:
            mid = m.group("mid")
            bases = [q for q in (_quantity_at(mid, j) for j in range(len(mid))) if q]
            base, end = (bases[-1] if bases else None), k.end
        else:
            of = re.match(r"\s*of\s*", s[k.end:])
            base = _quantity_at(s, k.end + of.end()) if of else None
            end = base.end if base else k.end
        if base is None or base.exact == 0:
            continue
        base_text = (mid[base.start:base.end] if pattern is _RATIO_AFTER_ZH
                     else s[base.start:base.end]).strip()
        return end, numerator / base.exact, k, f"{shown} / {base_text}", s[m.end():k.end].strip()
    return None


def _approx_before(s: str, i: int) -> bool:
    return bool(_APPROX_BEFORE_RE.search(s[max(0, i - 6):i]))


def _expression_claims(s: str) -> list[_Found]:
    parser = _ExprParser(s)
    found: list[_Found] = []
    i = 0
    while i < len(s):
        if not (_number_start(s, i) or s[i] == "("):
            i += 1
            continue
        first = parser.parse(i)
        if first is None:
            i += 1
            continue
        sides = [first]
        rels = []
        end = first[0]
        while True:
            m = re.match(r"[ \t]*,?", s[end:])
            rm = _REL_RE.match(s, end + (m.end() if m else 0))
            if not rm:
                rm = _REL_RE.match(s, end)
            if not rm:
                break
            # "= 约 0.008": merge a run of relation words
            approx = bool(rm.group("approx"))
            j = rm.end()
            while (more := _REL_RE.match(s, j)) and more.end() > j:
                approx = approx or bool(more.group("approx"))
                j = more.end()
            nxt = parser.parse(j)
            if nxt is None:
                break
            sides.append(nxt)
            rels.append(approx)
            end = nxt[0]
        if len(sides) < 2 or not (any(side[2] for side in sides) or _is_conversion(sides)):
            if len(sides) < 2:
                i = first[0] if first[0] > i else i + 1
            else:
                i = end
            continue
        found.append(_judge_chain(s, i, end, sides, rels))
        i = found[-1].end
    return found


def _is_conversion(sides) -> bool:
    """`3.15e23 FLOPs = 3,646 PF-days`: two figures in different units of one dimension."""
    if len(sides) != 2:
        return False
    (a,), (b,) = sides[0][4], sides[1][4]
    return bool(a.unit and b.unit and a.unit != b.unit and parse_unit(a.unit)[1] == parse_unit(b.unit)[1])


def _judge_chain(s: str, start: int, end: int, sides, rels) -> _Found:
    approx_all = _approx_before(s, start)
    ref = next((side for side in sides if side[2]), sides[0])
    broken = next((side[1].error for side in sides if side[1].error), None)
    if broken:
        return _Found(start, end, None, None, None, f"cannot check: {broken} in {ref[3]}", "expression")
    notes, verdicts = [], []
    last_val, last_shown, last_stated, last_recomputed = ref[1], ref[3], None, None
    for k, side in enumerate(sides):
        if side is ref:
            continue
        s_end, val, nops, text, items = side
        approx = approx_all or any(rels)
        if nops:  # another computed side: compare the two computations
            last_val, last_shown = val, text
            continue
        stated = items[0]
        holds, note, compared = _judge_val(last_val, stated, approx, last_shown, text)
        verdicts.append(holds)
        notes.append(note)
        last_stated, last_recomputed = stated, compared
        # the next step of a chain (= 3.15e23 FLOPs = 3,646 PF-days) starts from this figure
        factor, dims = parse_unit(stated.unit)
        last_val, last_shown = _Val(compared, compared * factor, dims), text
    kind = "expression"
    tail = _ratio_clause(s, end, last_recomputed if last_recomputed is not None else ref[1].raw,
                         _fmt(last_recomputed if last_recomputed is not None else ref[1].raw))
    if tail:
        t_end, ratio, k, shown, k_text = tail
        holds, note, ratio = _judge(ratio, k, True, shown, k_text)
        if last_stated is not None and last_recomputed != last_stated.exact and not holds:
            note += f" (with the rounded {_fmt(last_stated.exact)}: {_pct(last_stated.exact * ratio / last_recomputed)})"
        verdicts.append(holds)
        notes.append(note)
        last_stated, last_recomputed, end, kind = k, ratio, t_end, "ratio"
    if last_stated is None:  # "a*b = c*d": two computations
        a, b = ref[1], last_val
        same = a.raw == b.raw or (a.dims == b.dims and a.base == b.base)
        return _Found(start, end, same, b.raw, None,
                      f"{ref[3]} = {_fmt(a.raw)}; {last_shown} = {_fmt(b.raw)}", kind)
    holds = all(verdicts)
    return _Found(start, end, holds, last_recomputed, last_stated, "; ".join(notes), kind)


def _numerator(unit: str) -> str:
    return unit.partition("/")[0]


def _standalone_claims(s: str, taken: list[tuple[int, int]]) -> list[_Found]:
    """Ratios (A 约为 B 的 1.4倍 / 占 B 的 15%), changes and equivalences between written figures."""
    found: list[_Found] = []
    quantities = scan_quantities(s)

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken + [(f.start, f.end) for f in found])

    def sentence_start(i: int) -> int:
        cut = max(s.rfind(ch, 0, i) for ch in "。;!?")
        return cut + 1

    # A ... 约为 ... B 的 k倍 / A 占 B 的 p%
    for m in _RATIO_STANDALONE.finditer(s):
        k = _quantity_at(s, m.end())
        if k is None or k.unit != "" or not free(m.start(), k.end):
            continue
        bases = [q for q in quantities if m.start("mid") <= q.start and q.end <= m.end("mid")]
        before = [q for q in quantities if sentence_start(m.start()) <= q.start and q.end <= m.start()]
        if not bases or not before:
            continue
        a, b = before[-1], bases[-1]
        if not _numerator(a.unit) or _numerator(a.unit) != _numerator(b.unit) or b.exact == 0:
            continue
        if not free(a.start, k.end):
            continue
        shown = f"{s[a.start:a.end].strip()} / {s[b.start:b.end].strip()}"
        holds, note, ratio = _judge(a.exact / b.exact, k, True, shown, s[m.end():k.end].strip())
        found.append(_Found(a.start, k.end, holds, ratio, k, note, "ratio"))

    # A, which is about 15% of B / A is 1.4 times B
    for m in _RATIO_STANDALONE_EN.finditer(s):
        k = _quantity_at(s, m.end())
        if k is None or k.unit != "":
            continue
        rest = re.match(r"\s*(?:times\s+)?(?:of|as much as|that of)?\s*", s[k.end:])
        b = _quantity_at(s, k.end + rest.end())
        before = [q for q in quantities if sentence_start(m.start()) <= q.start and q.end <= m.start()]
        if b is None or not before or b.exact == 0:
            continue
        a = before[-1]
        if not _numerator(a.unit) or _numerator(a.unit) != _numerator(b.unit) or not free(a.start, b.end):
            continue
        shown = f"{s[a.start:a.end].strip()} / {s[b.start:b.end].strip()}"
        holds, note, ratio = _judge(a.exact / b.exact, k, True, shown, s[k.start:k.end].strip())
        found.append(_Found(a.start, b.end, holds, ratio, k, note, "ratio"))

    # 降低58%(即由74.4万美元降低到31.2万美元) / a 58% cut, from $744k to $312k
    for m in list(_CHANGE_PCT.finditer(s)) + list(_EN_CHANGE_PCT.finditer(s)) + list(_EN_PCT_CHANGE.finditer(s)):
        p = _quantity_at(s, m.end() if m.group(0) else m.start())
        if p is None or p.exact == 0 or not s[p.start:p.end].rstrip().endswith("%"):
            continue
        lo, hi = sentence_start(m.start()), len(s)
        nxt = min([s.find(ch, p.end) for ch in "。;!?" if s.find(ch, p.end) >= 0] or [hi])
        window = s[lo:nxt + 1] if nxt < hi else s[lo:]
        ft = re.search(r"(?:由|从|(?i:from))\s*(?=[\d$¥])", window)
        if not ft:
            continue
        a = _quantity_at(s, lo + ft.end())
        if a is None:
            continue
        to = re.match(rf"\s*(?:{_CHANGE_WORD})?\s*(?:到|至|(?i:to))\s*", s[a.end:])
        b = _quantity_at(s, a.end + to.end()) if to else None
        if b is None or a.exact == 0 or not free(min(m.start(), a.start), max(p.end, b.end)):
            continue
        down = re.match(r"降|下|减|reduc|cut|drop|fall|fell|decreas|lower|less|cheaper", m.group("verb"), re.I)
        change = (1 - b.exact / a.exact) if down else (b.exact / a.exact - 1)
        word = "1 - b/a" if down else "b/a - 1"
        shown = f"{word} with a = {s[a.start:a.end].strip()}, b = {s[b.start:b.end].strip()}"
        holds, note, change = _judge(change, p, True, shown, s[p.start:p.end].strip())
        start, stop = min(m.start(), a.start), max(p.end, b.end)
        found.append(_Found(start, stop, holds, change, p, note, "change"))

    # A(相当于B)
    for q in quantities:
        m = _EQUIV.match(s, q.end)
        if not m or not m.group(0).strip(" ,(\t"):
            continue
        b = _quantity_at(s, m.end())
        if b is None or not q.unit or not free(q.start, b.end):
            continue
        found.append(_equivalence(s, q, b))
    return found


def _equivalence(s: str, a: QuantityMatch, b: QuantityMatch) -> _Found:
    a_text, b_text = s[a.start:a.end].strip(), s[b.start:b.end].strip()
    fa, da = parse_unit(a.unit)
    fb, db = parse_unit(b.unit)
    if da == db:
        recomputed = a.exact * fa / fb
        holds, note, recomputed = _judge(recomputed, b, True, f"{a_text} in {b.unit}", b_text)
        return _Found(a.start, b.end, holds, recomputed, b, note, "equivalence")
    swap = {"word": "token", "token": "word"}
    da_swapped = {swap.get(k, k): v for k, v in da.items()}
    if da_swapped == db and any(k in swap for k in da):
        # words <-> tokens needs a ratio the text does not give; show the usual one
        sign = da.get("word", 0) or -da.get("token", 0)  # +1: a counts words, b tokens
        per = Fraction(3, 4)  # 750 words per 1,000 tokens (OpenAI's rule of thumb)
        conv = a.exact * fa / fb * (per ** (-sign) if sign else 1)
        implied = (b.exact * fb) / (a.exact * fa)
        implied_words = implied ** (-sign) if sign else implied
        note = (f"cannot check: converting words to tokens needs a words-per-token ratio the claim "
                f"does not give; at 750 words per 1,000 tokens, {a_text} is {_fmt(conv)} {b.unit} "
                f"({_fmt(conv * 1000)} per 1,000), while {b_text} implies "
                f"{_fmt(implied_words * 1000)} words per 1,000 tokens")
        return _Found(a.start, b.end, None, None, b, note, "equivalence")
    return _Found(a.start, b.end, None, None, b,
                  f"cannot check: {a.unit} and {b.unit} do not convert into each other", "equivalence")


# ---------------------------------------------------------------------------- public

def _claims_in_line(line: str, file: str, lineno: int) -> list[Claim]:
    s, index = normalize(line)
    found = _expression_claims(s)
    found += _standalone_claims(s, [(f.start, f.end) for f in found])
    found.sort(key=lambda f: f.start)
    claims = []
    for f in found:
        end = f.end
        if s[f.start:end].count("(") > s[f.start:end].count(")") and s[end:end + 1] == ")":
            end += 1  # 降低58%(即…由A降低到B) keeps its closing parenthesis
        a, b = index[f.start], index[end]
        text = line[a:b].strip()
        claims.append(Claim(
            text=text, file=file, line=lineno, holds=f.holds,
            recomputed=None if f.recomputed is None else float(f.recomputed),
            stated=None if f.stated is None else float(f.stated.exact),
            unit=f.stated.unit if f.stated else "", note=f.note, kind=f.kind))
    return claims


_NEWLINE_RE = re.compile(r"\r\n|\r|\n")


def find_claims(text: str, file: str = "<text>") -> list[Claim]:
    """Every arithmetic claim written in `text`, each judged. Pure: no I/O (`app.notes_arithmetic`
    reads the notes). Lines are counted in newlines (`\\n`, `\\r\\n`, `\\r`), as ingest counts them."""
    claims: list[Claim] = []
    for lineno, line in enumerate(_NEWLINE_RE.split(text), start=1):
        if re.search(r"\d", line):
            claims.extend(_claims_in_line(line, file, lineno))
    return claims


def check_text(text: str, file: str = "<text>") -> list[Claim]:
    """Same as `find_claims`, for a piece of text rather than a file's contents."""
    return find_claims(text, file)


def check_claim(text: str) -> Claim | None:
    """Check one piece of arithmetic (e.g. a claim a user asks about); None if none is found.

    >>> check_claim("30,382/8=3,798台服务器").note
    '30,382 / 8 = 3,797.75; servers cannot be fractional: 3,798 needed, as stated'
    """
    claims = find_claims(text)
    return claims[0] if claims else None
