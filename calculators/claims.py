"""Find the arithmetic written in notes and check it.

Shapes of claim recognised, in Chinese and English (`Claim.kind`):

- `expression`: an expression and its stated result: `542*45.5kw*24h=591,864kwh/日`,
  `3,798/7=542个机柜`, `7B * sizeof(FP16) ~= 14 GB`, `2^31`, `2**10`, chains `a = b ≈ c`,
  the result first (`at least 12 GPUs (40*16*1.2/64)`), a result after `即/也就是/相当于/
  合计/共/约合/i.e./that is/which is` (`` `1 * 4096 * 2` 字节，即约 `2 GB` ``);
- `ratio`: a ratio stated after a result or between two figures: `…约为B的1.4倍`,
  `…占 0.048 美元的 15%`, `which is 15% of $0.048`, `3.35 vs 2 TB/s = 1.68x`;
- `change`: `降低58%(即训练成本由74.4万美元降低到31.2万美元)`, `a 58% cut, from $744k to $312k`;
- `equivalence`: one figure restated in other units: `A(相当于B)`, `96GB，也就是 768Gb`,
  `1984 lbs CO2eq（0.9吨）`, `2.14˚F（1.19˚C）` (a temperature change), words <-> tokens with
  the ratio the same note states;
- `product` and `sum` in prose: `$25k each, 256 of those, which is $6.4M`,
  `685B, which includes 671B … and 14B …`, `A 10台，B 20台，合计30台`;
- `reference`: a figure restated as a count of something the note quantifies elsewhere:
  `626,000磅二氧化碳（5辆汽车终生的排放量）` with `汽车生命周期：126,000 lbs` further down.

Each number is read by `calculators.units` (never eval/sympify) and the arithmetic is redone
exactly with Fractions (`calculators.claim_parse`); the verdict is `calculators.claim_judge`'s:

- True: right to the digits written (the stated figure's and the operands'); `约/≈/about`
  allows 5%; counts of whole things round up.
- False: it does not; the note gives the right value and the relative error. When an operand
  is the odd figure (the paragraph states or computes a figure just before that makes the
  result right), the note names it: on `2,369,640*0.08=4.7万美元/日` the note states
  591,864 kWh a day one clause before, and 591,864 × 0.08 = 47,349.
- None: cannot be checked, and the note says why (a zero divisor, a conversion that needs
  a ratio the note does not state, units that do not compare).

Year ranges (2010年到2018年, 2010-2018), dates, version numbers and list numbering are not
arithmetic. Every claim carries its recomputation: `formula` and `inputs` (each written
figure with the line it comes from).

Examples
--------
>>> [c.holds for c in check_text("需要729,167/24=30,382片A100; 3,798/7=542个机柜")]
[True, False]
>>> c = check_text("每日电费约为2,369,640*0.08=4.7万美元/日")[0]
>>> c.text, c.holds, c.recomputed
('2,369,640*0.08=4.7万美元/日', False, 189571.2)
>>> check_text("8 * 2.40 * 24 = 460.8 dollars")[0].holds
True
>>> [(c.kind, c.holds) for c in check_text("$25k each, 256 of those, which is $6.4M")]
[('product', True)]

About 650 lines on purpose: the note's lines, the finder of each claim shape and the verdict are
one pass over a note; parsing and judging helpers live in claim_parse.py, claim_judge.py, claim_prose.py.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from fractions import Fraction

from calculators.claim_judge import ClaimInput, Found as _Found, fmt as _fmt, judge as _judge, judge_val as _judge_val, pct as _pct
from calculators.claim_parse import ExprParser, Side, Val, is_calendar_year, prepare_line
from calculators.dimensions import UnitMismatch, parse_unit
from calculators.units import QuantityMatch, number_starts_at as _number_start, quantity_at as _quantity_at, scan_quantities

__all__ = ["Claim", "ClaimInput", "find_claims", "check_text", "check_claim", "arithmetic_error"]


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
    kind: str = "expression"  # expression | ratio | change | equivalence | product | sum | reference
    formula: str = ""  # the recomputation: '542 × 45.5kw × 24h'
    inputs: tuple[ClaimInput, ...] = ()  # the figures it used and where each is written
    error: str = ""  # why it cannot be computed at all ('division by zero'): a message, never a verdict

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict) -> "Claim":
        """The inverse of `to_dict` (a cached claim: its inputs back as ClaimInput)."""
        return cls(**{**row, "inputs": tuple(ClaimInput(**i) for i in row.get("inputs", ()))})


# ------------------------------------------------------------------------ the note

@dataclass
class NoteText:
    """A note's lines prepared for the finder, with what a claim may lean on beyond its line."""

    file: str
    lines: list[str]  # prepared (normalized, markup blanked) lines, index 0 = line 1
    ratios: dict  # (count dimension, count dimension) -> (Fraction per unit, line, text): 1000 token ≈ 750 word

    @classmethod
    def read(cls, text: str, file: str) -> "NoteText":
        lines = [prepare_line(line)[0] for line in _NEWLINE_RE.split(text)]
        return cls(file, lines, _stated_ratios(lines))

    def paragraph_figures(self, lineno: int, before: int) -> list[tuple[QuantityMatch, str, int]]:
        """The figures written in the paragraph up to position `before` of line `lineno`, nearest last."""
        first = lineno
        while first > 1 and self.lines[first - 2].strip():
            first -= 1
        out = []
        for n in range(first, lineno + 1):
            s = self.lines[n - 1]
            for q in scan_quantities(s):
                if (n < lineno or q.end <= before) and not is_calendar_year(s, q):
                    out.append((q, s, n))
        return out


_NEWLINE_RE = re.compile(r"\r\n|\r|\n")
_STATED_RATIO_RE = re.compile(r"\s*(?:=|≈|~|约等于|约合|等于|相当于|大约是|约为|约|(?i:equals?|is about|is roughly|is|≈|per|for every))\s*")


def _stated_ratios(lines: list[str]) -> dict:
    """Exchange rates between two counts that a note states: '1000token约等于750个单词', '1 token ≈ 0.75 words'."""
    ratios: dict = {}
    for n, s in enumerate(lines, start=1):
        qs = scan_quantities(s)
        for a, b in zip(qs, qs[1:]):
            if not _STATED_RATIO_RE.fullmatch(s[a.end:b.start]) or a.exact == 0 or b.exact == 0:
                continue
            try:
                (fa, da), (fb, db) = parse_unit(a.unit), parse_unit(b.unit)
            except UnitMismatch:
                continue
            if len(da) == 1 and len(db) == 1 and da != db and set(da.values()) == {1} == set(db.values()):
                ka, kb = next(iter(da)), next(iter(db))
                text = s[a.start:b.end].strip()
                ratios.setdefault((ka, kb), ((b.exact * fb) / (a.exact * fa), n, text))
                ratios.setdefault((kb, ka), ((a.exact * fa) / (b.exact * fb), n, text))
    return ratios


# ------------------------------------------------------------------------ tokenizing

_REL_RE = re.compile(
    r"\s*(?:(?P<eq>=|等于|equals?(?![A-Za-z])|is(?=\s+\d))"
    r"|(?P<approx>≈|≒|≃|~|约[等定]于|约合|约为|约是|大约|大概|约|(?i:approximately|approx\.?|about|roughly)(?![A-Za-z])))"
)
# words that give a result after an expression: "… 字节，即约 2 GB", "…, which is $6.4M", "合计 30 台"
_RESULT_RE = re.compile(
    r"[ \t]*[,;:，；：]?[ \t]*(?:即|也就是说?|也即|相当于|合计|共计|总计|一共|共(?=[ \t]*[约\d$¥])|总共|折合"
    r"|(?i:i\.e\.,?|that is,?|which is|which comes to|which totals|for a total of|in total|totall?ing|a total of))"
)
_APPROX_BEFORE_RE = re.compile(r"(?:约|大约|大概|约为|约合|≈|~|(?i:about|approximately|roughly))\s*$")
_RATIO_NEXT_RE = re.compile(r"\s*(?:of\b|的\s*(?:约\s*)?\d)")  # "which is 15% of $0.048": a ratio, not a result

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


def _relation(s: str, end: int):
    """(end, approx) of the relation words after position `end`, or None."""
    m = re.match(r"[ \t]*,?", s[end:])
    rm = _REL_RE.match(s, end + (m.end() if m else 0)) or _REL_RE.match(s, end) or _RESULT_RE.match(s, end)
    if not rm or rm.end() == end:
        return None
    approx = bool(rm.groupdict().get("approx"))
    j = rm.end()
    while (more := _REL_RE.match(s, j)) and more.end() > j:  # "= 约 0.008", "即约 2 GB": merge a run
        approx = approx or bool(more.group("approx"))
        j = more.end()
    return j, approx


def _expression_claims(s: str) -> list[tuple[_Found, Side | None]]:
    """Written relations between an expression and figures: (found, the computed side)."""
    parser = ExprParser(s)
    found: list[tuple[_Found, Side | None]] = []
    i = 0
    while i < len(s):
        if not (_number_start(s, i) or s[i] == "("):
            i += 1
            continue
        first = parser.parse(i)
        if first is None:
            i += 1
            continue
        sides, rels, end = [first], [], first.end
        inner = _paren_after(parser, s, first)
        if inner is not None:  # "at least 12 GPUs (40*16*1.2/64)": the result before its expression
            sides, end = [first, inner], inner.end + 1
            rels.append(False)
        while True:
            rel = _relation(s, end)
            if rel is None:
                break
            nxt = parser.parse(rel[0])
            if nxt is None or (nxt.nops == 0 and _RATIO_NEXT_RE.match(s, nxt.end)):
                break  # "which is 15% of B": a ratio, read by _ratio_clause
            sides.append(nxt)
            rels.append(rel[1])
            end = nxt.end
        if len(sides) < 2 or not (any(side.nops for side in sides) or _is_conversion(sides)):
            i = (first.end if first.end > i else i + 1) if len(sides) < 2 else end
            continue
        found.append(_judge_chain(s, i, end, sides, rels))
        i = found[-1][0].end
    return found


def _paren_after(parser: ExprParser, s: str, first: Side) -> Side | None:
    """The expression in parentheses right after a lone figure, when it computes that figure."""
    if first.nops or not re.match(r"\s*\(", s[first.end:]):
        return None
    open_at = s.index("(", first.end)
    inner = parser.expr(open_at + 1)
    if inner is None or not inner.nops or not re.match(r"\s*\)", s[inner.end:]):
        return None
    if first.val.dims and inner.val.dims and first.val.dims != inner.val.dims:
        return None
    inner.end = inner.end + len(s[inner.end:]) - len(s[inner.end:].lstrip())
    return inner


def _is_conversion(sides) -> bool:
    """`3.15e23 FLOPs = 3,646 PF-days`: two figures in different units of one dimension."""
    if len(sides) != 2 or len(sides[0].items) != 1 or len(sides[1].items) != 1:
        return False
    a, b = sides[0].items[0], sides[1].items[0]
    return bool(a.unit and b.unit and a.unit != b.unit and parse_unit(a.unit)[1] == parse_unit(b.unit)[1])


def _judge_chain(s: str, start: int, end: int, sides: list[Side], rels) -> tuple[_Found, Side | None]:
    approx_all = _approx_before(s, start)
    ref = next((side for side in sides if side.nops), sides[0])
    broken = next((side.val.error for side in sides if side.val.error), None)
    inputs = tuple(q for q in ref.items)
    if broken:
        return _Found(start, end, None, None, None, f"cannot check: {broken} in {ref.text}", "expression",
                      ref.text, inputs, broken), ref
    notes, verdicts = [], []
    last_val, last_shown, last_stated, last_recomputed = ref.val, ref.text, None, None
    for side in sides:
        if side is ref:
            continue
        if side.nops:  # another computed side: compare the two computations
            last_val, last_shown = side.val, side.text
            continue
        stated = side.items[0]
        holds, note, compared = _judge_val(last_val, stated, approx_all or any(rels), last_shown, side.text)
        verdicts.append(holds)
        notes.append(note)
        last_stated, last_recomputed = stated, compared
        # the next step of a chain (= 3.15e23 FLOPs = 3,646 PF-days) starts from this figure
        factor, dims = parse_unit(stated.unit)
        last_val, last_shown = Val(compared, compared * factor, dims, None, last_val.rel), side.text
    kind = "expression"
    tail = _ratio_clause(s, end, last_recomputed if last_recomputed is not None else ref.val.raw,
                         _fmt(last_recomputed if last_recomputed is not None else ref.val.raw))
    if tail:
        t_end, ratio, k, shown, k_text = tail
        holds, note, ratio = _judge(ratio, k, True, shown, k_text)
        if last_stated is not None and last_recomputed != last_stated.exact and not holds:
            note += f" (with the rounded {_fmt(last_stated.exact)}: {_pct(last_stated.exact * ratio / last_recomputed)})"
        verdicts.append(holds)
        notes.append(note)
        last_stated, last_recomputed, end, kind = k, ratio, t_end, "ratio"
    if last_stated is None:  # "a*b = c*d": two computations
        a, b = ref.val, last_val
        same = a.raw == b.raw or (a.dims == b.dims and a.base == b.base)
        return _Found(start, end, same, b.raw, None, f"{ref.text} = {_fmt(a.raw)}; {last_shown} = {_fmt(b.raw)}",
                      kind, f"{ref.text} = {last_shown}", inputs), ref
    return _Found(start, end, all(verdicts), last_recomputed, last_stated, "; ".join(notes), kind, ref.text,
                  inputs), (ref if kind == "expression" and len(verdicts) == 1 else None)


# ------------------------------------------------------------------ chains in a paragraph

def _operand_unit(q: QuantityMatch, context: list) -> tuple[Fraction, dict] | None:
    """A bare operand's unit, from the same figure stated with a unit earlier in the paragraph
    (0.08 in `2,369,640*0.08` is the 0.08美元/kwh stated before)."""
    if q.unit:
        return parse_unit(q.unit)
    for c, _, _ in reversed(context):
        if c.unit and c.exact == q.exact:
            return parse_unit(c.unit)
    return Fraction(1), {}


def _odd_operand(found: _Found, side: Side, s: str, context: list) -> str | None:
    """When substituting one operand by a figure stated just before makes the claim hold, name it."""
    if found.holds is not False or side.exps is None or len(side.items) < 2 or found.stated is None:
        return None
    stated = found.stated
    units = [_operand_unit(q, context) for q in side.items]
    stated_factor, stated_dims = parse_unit(stated.unit)
    hits = []
    for j, q in enumerate(side.items):
        need: dict = dict(stated_dims)
        base = Fraction(1)
        for k, ((f, d), e) in enumerate(zip(units, side.exps)):
            if k == j:
                continue
            base *= (side.items[k].exact * f) ** e
            for dim, p in d.items():
                need[dim] = need.get(dim, 0) - e * p
        need = {k: v * side.exps[j] for k, v in need.items() if v}
        if not need:
            continue
        for c, c_line, c_n in context:
            if c.start == q.start and c_line == s or not c.unit or c.exact == q.exact:
                continue
            f, d = parse_unit(c.unit)
            if d != need:
                continue
            value = base * (c.exact * f) ** side.exps[j] / stated_factor
            holds, _, _ = _judge(value, stated, True, "", "")
            if holds:
                hits.append((q, c, c_line, c_n, value))
                break
    if len(hits) != 1:
        return None
    q, c, c_line, c_n, value = hits[0]
    written = c_line[c.start:c.end].strip()
    return (f"the odd figure is the operand {s[q.start:q.end].strip()}: the note states {written} just before "
            f"(line {c_n}), and with it the result is {_fmt(value)} ≈ {s[stated.start:stated.end].strip()}")


def _numerator(unit: str) -> str:
    return unit.partition("/")[0]


def _standalone_claims(s: str, taken: list[tuple[int, int]], note: NoteText, lineno: int) -> list[_Found]:
    """Ratios (A 约为 B 的 1.4倍 / 占 B 的 15%), changes and equivalences between written figures."""
    found: list[_Found] = []
    quantities = [q for q in scan_quantities(s) if not is_calendar_year(s, q)]

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
        holds, text, ratio = _judge(a.exact / b.exact, k, True, shown, s[m.end():k.end].strip())
        found.append(_Found(a.start, k.end, holds, ratio, k, text, "ratio", shown, (a, b)))

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
        holds, text, ratio = _judge(a.exact / b.exact, k, True, shown, s[k.start:k.end].strip())
        found.append(_Found(a.start, b.end, holds, ratio, k, text, "ratio", shown, (a, b)))

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
        if is_calendar_year(s, a) or is_calendar_year(s, b) or parse_unit(a.unit)[1] != parse_unit(b.unit)[1]:
            continue  # 2010年到2018年 is a span of time, not a change between two figures
        down = re.match(r"降|下|减|reduc|cut|drop|fall|fell|decreas|lower|less|cheaper", m.group("verb"), re.I)
        change = (1 - b.exact / a.exact) if down else (b.exact / a.exact - 1)
        word = "1 - b/a" if down else "b/a - 1"
        shown = f"{word} with a = {s[a.start:a.end].strip()}, b = {s[b.start:b.end].strip()}"
        holds, text, change = _judge(change, p, True, shown, s[p.start:p.end].strip())
        start, stop = min(m.start(), a.start), max(p.end, b.end)
        found.append(_Found(start, stop, holds, change, p, text, "change", shown, (a, b)))

    # A(相当于B), A，也就是B, 1984 lbs CO2eq（0.9吨）
    for q in quantities:
        pair = _restated(s, q)
        if pair is None or not free(q.start, pair[1].end):
            continue
        f = _equivalence(s, q, pair[1], note, pair[0], pair[2])
        if f is not None:
            found.append(f)
    return found


_EQUIV = re.compile(r"[ \t]*[(,，]?[ \t]*(?:相当于|等价于|也就是|也即|即|约合|折合|换算成|"
                    r"(?i:equivalent to|equal to|i\.e\.,?|that is,?))[ \t]*(?:约|大约|(?i:about|roughly|~))?[ \t]*")
# a short qualifier may stand between a figure and its restatement ('1984 lbs CO2eq（0.9吨）'), no figure in it
_PAREN = re.compile(r"(?P<qual>(?:[^\d()。;!?,，]|(?<=[A-Za-z])\d){0,12}?)[ \t]*\([ \t]*(?:约|大约|(?i:about|~))?[ \t]*")


def _restated(s: str, q: QuantityMatch):
    """(unit of the first figure, the second figure, its unit) when a figure is restated right after
    another: after 相当于/即/i.e., or in parentheses ('1984 lbs CO2eq（0.9吨）') when both carry units."""
    from calculators.claim_parse import physical_unit_at

    pa = physical_unit_at(s, q)
    end = pa.end if pa else q.end
    m = _EQUIV.match(s, end)
    paren = not (m and m.group(0).strip(" ,(，\t"))
    if paren:
        m = _PAREN.match(s, end)
        if not m:
            return None
    b = _quantity_at(s, m.end())
    if b is None or is_calendar_year(s, b) or is_calendar_year(s, q):
        return None
    pb = physical_unit_at(s, b)
    if paren:  # a bare parenthesis: both figures in units, written differently, closing right after
        if not re.match(r"\s*[),;，；]", s[pb.end if pb else b.end:]) or (pa is None) != (pb is None):
            return None
        if pa is None and (not q.unit or not b.unit or _unit_text(s, q) == _unit_text(s, b)):
            return None
    return pa, b, pb


def _unit_text(s: str, q: QuantityMatch) -> str:
    return re.sub(r"^[\d.,\s$¥]+", "", s[q.start:q.end]).strip().lower()


def _equivalence(s: str, a: QuantityMatch, b: QuantityMatch, note: NoteText, pa=None, pb=None) -> _Found | None:
    a_text = s[a.start:(pa.end if pa else a.end)].strip()
    b_text = s[b.start:(pb.end if pb else b.end)].strip()
    if pa or pb:
        return _physical_equivalence(s, a, b, pa, pb, a_text, b_text)
    if not a.unit or not b.unit:
        return None  # "$0.0035 per 1,000 tokens, i.e. roughly 20%": a share, not the same figure restated
    fa, da = parse_unit(a.unit)
    fb, db = parse_unit(b.unit)
    formula = f"{a_text} in {b.unit}"
    if da == db:
        recomputed = a.exact * fa / fb
        holds, text, recomputed = _judge(recomputed, b, True, formula, b_text)
        return _Found(a.start, b.end, holds, recomputed, b, text, "equivalence", formula, (a,))
    swapped = _swap_factor(da, db, note)
    if swapped is not None:
        factor, (ratio, n, ratio_text) = swapped
        recomputed = a.exact * fa / fb * factor
        shown = f"{a_text} at {ratio_text} (line {n})"
        holds, text, recomputed = _judge(recomputed, b, True, shown, b_text)
        if not holds:
            implied = (b.exact * fb) / (a.exact * fa)
            if abs(implied - 1 / factor) <= abs(implied) * Fraction(5, 100):
                text += f"; {b_text} holds with the inverse ratio"
        used = ClaimInput(ratio_text, float(ratio), "", n)
        return _Found(a.start, b.end, holds, recomputed, b, text, "equivalence", shown, (a, used))
    swap = {"word": "token", "token": "word"}
    if {swap.get(k, k): v for k, v in da.items()} == db and any(k in swap for k in da):
        # words <-> tokens needs a ratio the note does not state; show the usual one
        sign = da.get("word", 0) or -da.get("token", 0)  # +1: a counts words, b tokens
        per = Fraction(3, 4)  # 750 words per 1,000 tokens (OpenAI's rule of thumb)
        conv = a.exact * fa / fb * (per ** (-sign) if sign else 1)
        implied = (b.exact * fb) / (a.exact * fa)
        implied_words = implied ** (-sign) if sign else implied
        text = (f"cannot check: converting words to tokens needs a words-per-token ratio the note "
                f"does not state; at 750 words per 1,000 tokens, {a_text} is {_fmt(conv)} {b.unit} "
                f"({_fmt(conv * 1000)} per 1,000), while {b_text} implies "
                f"{_fmt(implied_words * 1000)} words per 1,000 tokens")
        return _Found(a.start, b.end, None, None, b, text, "equivalence", formula, (a,))
    return _Found(a.start, b.end, None, None, b,
                  f"cannot check: {a.unit} and {b.unit} do not convert into each other", "equivalence", formula, (a,))


def _swap_factor(da: dict, db: dict, note: NoteText):
    """The factor that turns dimension `da` into `db` by a count ratio the note states (words <-> tokens)."""
    gone = {k: v for k, v in da.items() if db.get(k) != v}
    new = {k: v for k, v in db.items() if da.get(k) != v}
    if len(gone) != 1 or len(new) != 1:
        return None
    (k1, e1), (k2, e2) = next(iter(gone.items())), next(iter(new.items()))
    if e1 != e2 or (k1, k2) not in note.ratios:
        return None
    ratio = note.ratios[(k1, k2)]
    return ratio[0] ** e1, ratio


def _physical_equivalence(s, a, b, pa, pb, a_text, b_text) -> _Found | None:
    """Mass and temperature restated in other units; a temperature may be a change (2.14˚F（1.19˚C）)."""
    if not (pa and pb) or pa.dims != pb.dims:
        return None
    tries = [("", a.exact * pa.factor + pa.offset * pa.factor - pb.offset * pb.factor)]
    if pa.offset or pb.offset:  # a temperature: a reading, or a difference (no offset)
        tries = [(" as a reading", (a.exact + pa.offset) * pa.factor / pb.factor - pb.offset),
                 (" as a difference", a.exact * pa.factor / pb.factor)]
    else:
        tries = [("", a.exact * pa.factor / pb.factor)]
    results = []
    for how, value in tries:
        shown = f"{a_text} in {pb.name}{how}"
        results.append((shown,) + _judge(value, b, True, shown, b_text))
    shown, holds, text, value = next((r for r in results if r[1]), results[0])
    inputs = (ClaimInput(a_text, float(a.exact), pa.name, 0),)
    return _Found(a.start, pb.end, holds, value, b, text, "equivalence", shown, inputs)


# ---------------------------------------------------------------------------- public

def _claims_in_line(s: str, index: list[int], line: str, note: NoteText, lineno: int) -> list[Claim]:
    from calculators.claim_prose import prose_claims

    pairs = _expression_claims(s)
    found = [f for f, _ in pairs]
    for f, side in pairs:
        if side is not None and f.holds is False:
            odd = _odd_operand(f, side, s, note.paragraph_figures(lineno, f.start))
            if odd:
                f.note += f"; {odd}"
    found += _standalone_claims(s, [(f.start, f.end) for f in found], note, lineno)
    found += prose_claims(s, [(f.start, f.end) for f in found], note, lineno)
    found.sort(key=lambda f: f.start)
    claims = []
    for f in found:
        end = f.end
        if s[f.start:end].count("(") > s[f.start:end].count(")") and s[end:end + 1] == ")":
            end += 1  # 降低58%(即…由A降低到B) keeps its closing parenthesis
        a, b = index[f.start], index[end]
        text = line[a:b].strip()
        inputs = tuple(_claim_input(s, x, lineno) for x in f.inputs)
        claims.append(Claim(
            text=text, file=note.file, line=lineno, holds=f.holds,
            recomputed=None if f.recomputed is None else float(f.recomputed),
            stated=None if f.stated is None else float(f.stated.exact),
            unit=f.stated.unit if f.stated else "", note=f.note, kind=f.kind,
            formula=f.formula, inputs=inputs, error=f.error))
    return claims


def _claim_input(s: str, x, lineno: int) -> ClaimInput:
    if isinstance(x, ClaimInput):  # line 0: a figure of this line read beyond the unit parser (1984 lbs)
        return x if x.line else ClaimInput(x.text, x.value, x.unit, lineno)
    return ClaimInput(s[x.start:x.end].strip(), float(x.exact), x.unit, lineno)


def find_claims(text: str, file: str = "<text>") -> list[Claim]:
    """Every arithmetic claim written in `text`, each judged. Pure: no I/O (`app.notes_arithmetic`
    reads the notes). Lines are counted in newlines (`\\n`, `\\r\\n`, `\\r`), as ingest counts them."""
    note = NoteText.read(text, file)
    claims: list[Claim] = []
    for lineno, line in enumerate(_NEWLINE_RE.split(text), start=1):
        if re.search(r"\d", line):
            s, index = prepare_line(line)
            claims.extend(_claims_in_line(s, index, line, note, lineno))
    return claims


def check_text(text: str, file: str = "<text>") -> list[Claim]:
    """Same as `find_claims`, for a piece of text rather than a file's contents."""
    return find_claims(text, file)


def arithmetic_error(text: str) -> str | None:
    """Why a piece of arithmetic written without a result cannot be computed ('1/0'), or None.

    >>> arithmetic_error("Is 1/0 right?"), arithmetic_error("Is 30,382/8 right?")
    ('division by zero in 1 / 0', None)
    """
    s, _ = prepare_line(text)
    parser = ExprParser(s)
    for i in range(len(s)):
        if _number_start(s, i) or s[i] == "(":
            side = parser.parse(i)
            if side is not None and side.nops and side.val.error:
                return f"{side.val.error} in {side.text}"
    return None


def check_claim(text: str) -> Claim | None:
    """Check one piece of arithmetic (e.g. a claim a user asks about); None if none is found.

    >>> check_claim("30,382/8=3,798台服务器").note
    '30,382 / 8 = 3,797.75; servers cannot be fractional: 3,798 needed, as stated'
    """
    claims = find_claims(text)
    return claims[0] if claims else None
