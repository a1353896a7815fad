"""Arithmetic written in prose rather than as an expression, in Chinese and English.

- `ratio`: `3.35 vs 2 TB/s = 1.68x`, `A 对比 B，约 1.7 倍`: A / B against the stated multiple;
- `sum`: `685B, which includes 671B … and 14B …`, `A, 其中包括 B 和 C`: the parts against the whole
  (parts that fall short of the whole may be a partial list: not a claim unless they exceed it);
- `product` / `sum` before a result word: `$25k each, 256 of those, which is $6.4M`,
  `A 10台，B 20台，合计30台`: the figures of the clause combined the way their units allow
  (a product when the units multiply to the result's, a sum when they share it);
- `reference`: `626,000磅二氧化碳（5辆汽车终生的排放量）`: a figure restated as a count of a thing
  the same note quantifies on another line (`汽车生命周期：126,000 lbs`): the count is recomputed.

Each returns `claim_judge.Found` spans in the prepared line; `calculators.claims` turns them
into `Claim`s.

>>> from calculators.claims import check_text
>>> [(c.kind, c.holds) for c in check_text("H200 vs H100 bandwidth: 4.8 vs 3.35 TB/s = 1.43x")]
[('ratio', True)]
>>> [(c.kind, c.holds) for c in check_text("685B, which includes 671B of weights and 14B of MTP weights")]
[('sum', True)]
"""

from __future__ import annotations

import re
from fractions import Fraction
from itertools import combinations

from calculators.claim_judge import ClaimInput, Found, judge
from calculators.claim_parse import combine_dims, is_calendar_year, operand_rel, physical_unit_at
from calculators.dimensions import UnitMismatch, parse_unit
from calculators.units import QuantityMatch, quantity_at, scan_quantities

__all__ = ["prose_claims"]

_SENTENCE_END = re.compile(r"[。;!?；！？]|\.(?=\s|$)")
_VS = re.compile(r"\s*(?:vs\.?|versus|对比|相比|比)\s*")
_VS_REL = re.compile(r"\s*(?:[=≈~:：,，]|->|→|(?i:is|gives|i\.e\.)|即|约为|约|是)*\s*(?:约|(?i:about|~))?\s*")
_TIMES = re.compile(r"\s*(?:x(?![A-Za-z])|×|倍|(?i:times)(?![A-Za-z]))")
_INCLUDES = re.compile(r"[ \t]*[,，]?[ \t]*(?:(?i:which includes|including|includes|comprising|comprises|consisting of|"
                       r"made up of|of which)|其中包括|其中包含|其中|包括|包含|由)")
_EXHAUSTIVE = re.compile(r"(?i:consisting of|made up of|comprising|comprises)|组成|构成|分为")
_RESULT = re.compile(r"[ \t]*[,;:，；：]?[ \t]*(?P<word>合计|共计|总计|一共|总共|共(?=[ \t]*[约\d$¥])|也就是|即|相当于|约合|折合"
                     r"|(?i:which is|which comes to|which totals|for a total of|in total|totall?ing|a total of|"
                     r"altogether|i\.e\.,?|that is,?))[ \t]*(?:约|大约|(?i:about|roughly|~))?[ \t]*")
_PER_ITEM = re.compile(r"(?i:\beach\b|apiece|\bper\b|of (?:those|them|these)|\btimes\b)|每|各|单价|/|×|\bx\b")
_SUM_WORD = re.compile(r"合计|共计|总计|一共|总共|共|(?i:in total|total|altogether|sum)")
_COUNT_NOUN = re.compile(r"(?P<k>\d+)\s*(?:辆|个|台|架|名|位|只|次|家|座|户|趟)?\s*"
                         r"(?P<noun>[\u4e00-\u9fff]{2,}|[A-Za-z][A-Za-z'’-]+)")


def _dims(q: QuantityMatch) -> dict:
    try:
        return parse_unit(q.unit)[1]
    except UnitMismatch:
        return {}


def _text(s: str, q: QuantityMatch) -> str:
    return s[q.start:q.end].strip()


def _sentence(s: str, i: int) -> tuple[int, int]:
    starts = [m.end() for m in _SENTENCE_END.finditer(s, 0, i)]
    end = _SENTENCE_END.search(s, i)
    return (starts[-1] if starts else 0), (end.start() if end else len(s))


def prose_claims(s: str, taken: list[tuple[int, int]], note, lineno: int) -> list[Found]:
    found: list[Found] = []
    quantities = [q for q in scan_quantities(s) if not is_calendar_year(s, q)]

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken + [(f.start, f.end) for f in found])

    for shape in (_vs_ratios, _includes_sums, _result_words, _references):
        for f in shape(s, quantities, note, lineno):
            if free(f.start, f.end):
                found.append(f)
    return found


def _vs_ratios(s: str, quantities, note, lineno):
    """`3.35 vs 2 TB/s = 1.68x`: A / B (a bare A takes B's unit) against the stated multiple."""
    for a, b in zip(quantities, quantities[1:]):
        if not _VS.fullmatch(s[a.end:b.start]) or b.exact == 0:
            continue
        rel = _VS_REL.match(s, b.end)
        k = quantity_at(s, rel.end()) if rel else None
        if k is None or k.unit or not _TIMES.match(s, k.end):
            continue
        if a.unit and b.unit and _dims(a) != _dims(b):
            continue
        bare = (not a.unit) != (not b.unit)  # 3.35 vs 2 TB/s: the bare figure is in the other's unit as written
        ratio = _written_number(s, a) / _written_number(s, b) if bare else a.exact / b.exact
        shown = f"{_text(s, a)} / {_text(s, b)}"
        end = _TIMES.match(s, k.end).end()
        holds, text, ratio = judge(ratio, k, False, shown, s[k.start:end].strip(),
                                   operand_rel(s, a) + operand_rel(s, b))
        yield Found(a.start, end, holds, ratio, k, text, "ratio", shown, (a, b))


def _written_number(s: str, q: QuantityMatch) -> Fraction:
    """The number as written, before its multiplier and unit ('2 TB/s' -> 2)."""
    m = re.search(r"\d[\d,]*(?:\.\d+)?(?:[eE][+-]?\d+)?", s[q.start:q.end])
    return Fraction(m.group(0).replace(",", "")) if m else q.exact


def _magnitude(s: str, q: QuantityMatch) -> str:
    """The magnitude word a bare figure is written with ('685B' -> 'B', '15万亿' -> '万亿'), '' if none."""
    m = re.search(r"\d\s*(万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千|[KkMBT](?![A-Za-z])|"
                  r"(?i:thousand|million|billion|trillion|bn|mn))", s[q.start:q.end])
    return m.group(1).lower() if m else ""


def _includes_sums(s: str, quantities, note, lineno):
    """`685B, which includes 671B … and 14B …`: the parts add up to the whole."""
    for i, whole in enumerate(quantities):
        m = _INCLUDES.match(s, whole.end)
        if not m:
            continue
        _, stop = _sentence(s, m.end())
        scale = _magnitude(s, whole)
        if not whole.unit and not scale:
            continue  # bare numbers (7倍, Llama 3) are no whole: a unit or a magnitude (685B, 15万亿) says what is summed
        parts = [q for q in quantities[i + 1:] if q.end <= stop and q.unit == whole.unit
                 and (whole.unit or _magnitude(s, q) == scale)]
        if len(parts) < 2 or whole.exact == 0:
            continue
        total = sum((q.exact for q in parts), Fraction(0))
        shown = " + ".join(_text(s, q) for q in parts)
        rel = sum((operand_rel(s, q) * q.exact for q in parts), Fraction(0)) / total if total else Fraction(0)
        holds, text, total = judge(total, whole, False, shown, _text(s, whole), rel)
        if not holds and total < whole.exact and not _EXHAUSTIVE.search(m.group(0)):
            continue  # "includes" may list only some of the parts
        yield Found(whole.start, parts[-1].end, holds, total, whole, text, "sum", shown, (whole, *parts))


def _result_words(s: str, quantities, note, lineno):
    """`$25k each, 256 of those, which is $6.4M`, `A 10台，B 20台，合计30台`."""
    for m in _RESULT.finditer(s):
        result = quantity_at(s, m.end())
        if result is None or is_calendar_year(s, result):
            continue
        start, _ = _sentence(s, m.start())
        before = [q for q in quantities if start <= q.start and q.end <= m.start()][-3:]
        if len(before) < 2:
            continue
        best = None
        for n in range(len(before), 1, -1):
            for combo in combinations(before, n):
                for how in ("product", "sum"):
                    tried = _combined(s, combo, how, result, m)
                    if tried is not None and (best is None or (tried[0], tried[-1]) > (best[0], best[-1])):
                        best = tried  # one that holds, else one a word asks for (each, 合计)
            if best is not None and best[0]:
                break
        if best is None:
            continue
        holds, text, value, kind, shown, combo, cue = best
        if holds or cue:
            yield Found(combo[0].start, result.end, holds, value, result, text, kind, shown, tuple(combo))


def _combined(s, combo, how, result, m):
    """(holds, note, value, kind, formula, operands, a cue word says so) or None when the units do not fit."""
    result_dims = _dims(result)
    if how == "product":
        dims: dict = {}
        for q in combo:
            dims = combine_dims(dims, _dims(q), 1)
        if dims != result_dims or not result.unit:
            return None
        value = Fraction(1)
        for q in combo:
            value *= q.exact * parse_unit(q.unit)[0]
        value /= parse_unit(result.unit)[0]
        shown = " × ".join(_text(s, q) for q in combo)
        cue = bool(_PER_ITEM.search(s[combo[0].start:m.start()]))
        rel = sum((operand_rel(s, q) for q in combo), Fraction(0))
    else:
        if any(_dims(q) != result_dims or q.unit != result.unit for q in combo):
            return None
        value = sum((q.exact for q in combo), Fraction(0))
        shown = " + ".join(_text(s, q) for q in combo)
        cue = bool(_SUM_WORD.fullmatch(m.group("word")))
        rel = sum((operand_rel(s, q) * q.exact for q in combo), Fraction(0)) / value if value else Fraction(0)
    approx = bool(re.search(r"约|about|roughly|~", m.group(0)))
    holds, text, value = judge(value, result, approx, shown, _text(s, result), rel)
    return holds, text, value, how, shown, combo, cue


def _references(s: str, quantities, note, lineno):
    """`626,000磅二氧化碳（5辆汽车终生的排放量）`: the count recomputed from the note's figure for one car."""
    for a in quantities:
        pa = physical_unit_at(s, a)
        end = pa.end if pa else a.end
        paren = re.match(r"(?:[^\d()。;!?,，]|(?<=[A-Za-z])\d){0,12}?\(\s*", s[end:])
        if not paren or not (pa or a.unit):
            continue
        close = s.find(")", end + paren.end())
        inside = s[end + paren.end():close if close > 0 else len(s)]
        counts = list(_COUNT_NOUN.finditer(inside))
        if len(counts) != 1 or len(re.findall(r"\d+(?:[.,]\d+)*", inside)) != 1:
            continue
        cm = counts[0]
        k = quantity_at(inside, cm.start("k"))
        ref = _reference_figure(note, lineno, cm.group("noun"), pa, a)
        if k is None or ref is None:
            continue
        value, ref_text, ref_line = ref
        if value == 0:
            continue
        a_text = s[a.start:end].strip()
        count = a.exact * (pa.factor if pa else parse_unit(a.unit)[0]) / value
        shown = f"{a_text} / {ref_text} (line {ref_line})"
        holds, text, count = judge(count, k, True, shown, inside[cm.start("k"):cm.end("k")])
        stop = close + 1 if close > 0 else end + paren.end() + cm.end()
        yield Found(a.start, stop, holds, count, k, text, "reference", shown,
                    (a, _ref_input(ref_text, value, ref_line)))


def _ref_input(text: str, value: Fraction, line: int):

    return ClaimInput(text, float(value), "", line)


def _noun_keys(noun: str) -> list[str]:
    if re.match(r"[A-Za-z]", noun):
        stem = re.sub(r"(?i)(?:'s|’s|es|s)$", "", noun)
        return [stem.lower()] if len(stem) >= 3 else []
    return [noun[:n] for n in range(min(len(noun), 4), 1, -1)]


def _reference_figure(note, lineno: int, noun: str, pa, a: QuantityMatch):
    """(value in base units, text, line) of the one figure in A's dimension on another line naming the noun."""
    for key in _noun_keys(noun):
        hits = []
        for n, line in enumerate(note.lines, start=1):
            if n == lineno or key not in line.lower():
                continue
            for q in scan_quantities(line):
                pq = physical_unit_at(line, q)
                if pa is not None and pq is not None and pq.dims == pa.dims and not pq.offset:
                    hits.append((q.exact * pq.factor, line[q.start:pq.end].strip(), n))
                elif pa is None and q.unit and _dims(q) == _dims(a):
                    hits.append((q.exact * parse_unit(q.unit)[0], line[q.start:q.end].strip(), n))
        if len(hits) == 1:
            return hits[0]
        if hits:
            return None
    return None


