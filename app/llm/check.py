"""Checking an LLM's answer: every figure in it must trace to a cited passage or a
calculator result, and every [n] must sit next to figures its passage holds.

What counts as a figure: every number `calculators.units.find_quantities` finds
(with its unit, normalised: 140万美元 = $1.4 million = 1,400,000 USD; 46.2% = 0.462),
except numbers that assert nothing checkable:

- citation markers `[n]`, `[1, 2]`, `【n】` (masked before scanning), and the notes' own
  footnote marks copied with a quote ("…成本[13]"), which cite nothing;
- years: a bare four-digit integer 1900-2100 (`2020`, `2020年`);
- list markers: a number that starts a line and is followed by `.`, `)` or `、`;
- small counts: a bare integer 0-10 with no unit, multiplier or percent sign
  ("three reasons", "Llama 2"); with a unit (`7台服务器`, `7 servers`) it is a figure;
- numbers glued to names (GPT-3, A100, TPU v4), which the units scanner never reads.

A figure traces to a source figure when their values agree within SAME_FIGURE_RTOL (2%) (the
model may round 1,398,072 to $1.40 million) and their units are compatible (equal,
the same amount per different denominators, or one of them a bare number: the notes
write "1,400,000" and "140万美元" for the same thing). A percentage also matches the
bare number a hundred times it (46.2% and "MFU 46.2").

Sources: the passages the answer cites, every calculator call (its inputs, derivation
and outputs; `app.llm.client` flags inputs the model chose that are in neither the question nor
the passages), the offline answer's calculation and recomputations, and the question. A figure in no source is untraced; a figure found only in a passage the
answer never cites is untraced too, and the notice says where it is.

A citation [n] is wrong when its sentence holds figures from the notes (not from a
calculator or the question) and passage n holds none of them, or when one of those
figures is in another passage than the ones cited next to it. A sentence's markers
include those that open the next sentence ("…约140万美元。[1]").

>>> from app.llm.check import check_answer, figures_in
>>> [f.text for f in figures_in("In 2020, 1. GPT-3 cost $1.4M [1] on 3 of 1,024 GPUs")]
['$1.4M', '1,024 GPUs']
>>> check = check_answer("It cost $1.4M [1] and $2.5M.", {1: "训练成本约为140万美元"}, [])
>>> [f.text for f in check.untraced]
['$2.5M']

About 450 lines on purpose: figure extraction in both languages, the sources a figure may trace to,
and the marking of untraced figures are one check; split, each would re-read the others' Figure type.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from calculators.errors import UnitParseError
from calculators.numbers import SAME_FIGURE_RTOL
from calculators.units import find_quantities, parse_quantity
from ingest.sentences import sentence_spans

CITATION_RE = re.compile(r"[\[【]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】]")
_LIST_MARKER = re.compile(r"(?m)^[ \t]*(?:[-*>#]+[ \t]*)?(\d{1,3})[.)、](?=\s|$)")
_PLAIN_INT = re.compile(r"\d+")


@dataclass(frozen=True)
class Figure:
    """A number found in text: its span there, value in a canonical unit, the words."""

    start: int
    end: int
    value: float
    unit: str
    text: str


@dataclass(frozen=True)
class Source:
    """Where figures may come from: a passage [n], a calculator result, the question..."""

    label: str
    figures: tuple[Figure, ...]
    passage: int | None = None  # n, for a passage


@dataclass(frozen=True)
class Miscited:
    """[n] stands next to figures its passage does not hold."""

    n: int
    marker: tuple[int, int]  # span of the marker in the answer
    figures: tuple[Figure, ...]  # the sentence's figures that passage n lacks
    found_in: tuple[int, ...]  # the passages that do hold them


@dataclass
class AnswerCheck:
    untraced: list[Figure] = field(default_factory=list)
    untraced_hint: dict[Figure, tuple[int, ...]] = field(default_factory=dict)  # uncited passages holding it
    miscited: list[Miscited] = field(default_factory=list)
    unknown_citations: list[tuple[int, tuple[int, int]]] = field(default_factory=list)  # [n] with no passage n
    cited: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not (self.untraced or self.miscited or self.unknown_citations)


# ----------------------------------------------------------------------- figures

def citation_markers(text: str) -> list[tuple[int, int, tuple[int, ...]]]:
    """(start, end, numbers) of every [n] marker.

    >>> citation_markers("a [1] b [2, 3]【4】")
    [(2, 5, (1,)), (8, 14, (2, 3)), (14, 17, (4,))]
    """
    return [(m.start(), m.end(), tuple(int(x) for x in re.findall(r"\d+", m.group(1)))) for m in CITATION_RE.finditer(text)]


def cited_markers(text: str, passages: dict[int, str]) -> list[tuple[int, int, tuple[int, ...]]]:
    """The markers that cite a passage: not the notes' own footnote marks ("…成本[13]")
    copied along with a quote, recognised by the marker and the words just before or
    after it appearing together in a passage.

    >>> cited_markers("It cost $4.6M[13] [1].", {1: "GPT-3 cost $4.6M[13] to train."})
    [(18, 21, (1,))]
    """
    out = []
    for start, end, ns in citation_markers(text):
        before, after = text[max(0, start - 6):start].lstrip(), text[end:end + 6].rstrip()
        copied = any((len(before) >= 4 and before + text[start:end] in p) or (len(after) >= 4 and text[start:end] + after in p)
                     for p in passages.values())
        if not copied:
            out.append((start, end, ns))
    return out


def _masked(text: str) -> str:
    """Citation markers blanked out (same length, so spans still point into `text`)."""
    return CITATION_RE.sub(lambda m: " " * len(m.group(0)), text)


def is_incidental(f: Figure, text: str, list_markers: set[int]) -> bool:
    """A number that asserts nothing checkable: a year, a list marker, a small bare count."""
    written = f.text.strip()
    if f.start in list_markers:
        return True
    if f.unit in ("", "year") and re.fullmatch(r"(19|20)\d\d\s*年?", written):
        return True
    return f.unit == "" and bool(_PLAIN_INT.fullmatch(written)) and int(written) <= 10


# --- numbers written in words, and numbers too large for a float ----------------------------

_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_SMALL_UNIT = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG_UNIT = {"万": 10**4, "亿": 10**8}
# a Chinese numeral that writes a figure: starts with a digit (or 十 and a digit) and has a unit (千万 alone is an idiom)
_ZH_NUMERAL = re.compile(r"(?:[零〇一二两三四五六七八九]|十(?=[一二三四五六七八九]))[零〇一二两三四五六七八九十百千万亿]*")
_EN_UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                        "fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_EN_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
_EN_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_EN_WORD = "|".join([*_EN_UNITS, *_EN_TENS, "hundred", *_EN_SCALES])
# starts with a number word: "million" alone scales the digits before it ($1.40 million), which the units parser reads
_EN_NUMERAL = re.compile(rf"\b(?:{'|'.join([*_EN_UNITS, *_EN_TENS])})(?:(?:\s+|-|\s+and\s+)(?:{_EN_WORD}))*\b", re.I)
_HUGE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+-]?\d{3,}\b|(?<![\w.,])\d{310,}")


def zh_numeral_value(text: str) -> int | None:
    """A Chinese numeral's value (None if it is not one).

    >>> zh_numeral_value("五百万"), zh_numeral_value("一千万"), zh_numeral_value("三亿五千万"), zh_numeral_value("十二")
    (5000000, 10000000, 350000000, 12)
    """
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _ZH_DIGIT:
            if digit is not None:
                return None  # 二三: not a numeral
            digit = _ZH_DIGIT[ch]
        elif ch in _ZH_SMALL_UNIT:
            section += (1 if digit is None else digit) * _ZH_SMALL_UNIT[ch]
            digit = None
        elif ch in _ZH_BIG_UNIT:
            section += digit or 0
            total = (total + section) * _ZH_BIG_UNIT[ch] if _ZH_BIG_UNIT[ch] > 10**4 else total + section * _ZH_BIG_UNIT[ch]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def en_numeral_value(text: str) -> int | None:
    """An English number in words ("twelve million", "two hundred and fifty thousand").

    >>> en_numeral_value("twelve million"), en_numeral_value("Two hundred and fifty-three thousand")
    (12000000, 253000)
    """
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text.lower()):
        if word == "and":
            continue
        if word in _EN_UNITS:
            current += _EN_UNITS[word]
        elif word in _EN_TENS:
            current += _EN_TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _EN_SCALES:
            total += max(current, 1) * _EN_SCALES[word]
            current = 0
        else:
            return None
    return total + current


def _numerals(text: str) -> list[tuple[int, int, int]]:
    """(start, end, value) of the numbers written in words that state a figure: any Chinese numeral with a
    unit character (十 百 千 万 亿), and English number words above ten or with a scale word."""
    out = []
    for m in _ZH_NUMERAL.finditer(text):
        if len(m.group(0)) > 1 and any(ch in "十百千万亿" for ch in m.group(0)):
            value = zh_numeral_value(m.group(0))
            if value is not None:
                out.append((m.start(), m.end(), value))
    for m in _EN_NUMERAL.finditer(text):
        words = m.group(0).lower()
        value = en_numeral_value(words)
        if value is not None and (value > 10 or any(w in words for w in ("hundred", *_EN_SCALES))):
            out.append((m.start(), m.end(), value))
    return sorted(out)


def _with_digits(text: str) -> tuple[str, list[tuple[int, int, int, int]]]:
    """`text` with numbers in words written as digits, and the replaced spans (new start, new end, old start, old end)."""
    pieces, spans, pos, shift = [], [], 0, 0
    for start, end, value in _numerals(text):
        if start < pos:
            continue
        digits = str(value)
        pieces += [text[pos:start], digits]
        spans.append((start + shift, start + shift + len(digits), start, end))
        shift += len(digits) - (end - start)
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces), spans


def _back(pos: int, spans: list[tuple[int, int, int, int]], is_end: bool) -> int:
    """A position in the rewritten text, in the original."""
    shift = 0
    for new_start, new_end, old_start, old_end in spans:
        if pos < new_start or (is_end and pos == new_start):
            break
        if pos < new_end or (is_end and pos == new_end):
            return old_end if is_end else old_start
        shift = old_end - new_end
    return pos + shift


def figures_in(text: str, *, keep_all: bool = False) -> list[Figure]:
    """The figures of `text`; `keep_all` keeps incidental numbers too (for sources). Numbers in words
    count (五百万美元, "twelve million dollars"); a number too large for a float (1e400) is a figure that
    nothing can trace.

    >>> [(f.text, f.value, f.unit) for f in figures_in("约五百万美元, twelve million dollars, 1e400 FLOPs")]
    [('五百万美元', 5000000.0, 'USD'), ('twelve million dollars', 12000000.0, 'USD'), ('1e400', inf, '')]
    """
    masked = _masked(text)
    spelled, spans = _with_digits(masked)
    found = []
    for a, b, q in find_quantities(spelled):
        start, end = _back(a, spans, False), _back(b, spans, True)
        found.append(Figure(start, end, q.value, q.unit, text[start:end] if spans else q.text))
    taken = [(f.start, f.end) for f in found]
    for m in _HUGE.finditer(masked):
        if not math.isfinite(float(m.group(0))) and not any(a <= m.start() < b for a, b in taken):
            found.append(Figure(m.start(), m.end(), math.inf, "", m.group(0)))
    found.sort(key=lambda f: f.start)
    if keep_all:
        return found
    markers = {m.start(1) for m in _LIST_MARKER.finditer(masked)}
    return [f for f in found if not is_incidental(f, masked, markers)]


def amount_figures(name: str, value: float, unit: str) -> list[Figure]:
    """A calculator amount as figures: the bare value, and the value read in its unit
    when that rescales it (0.0035 USD/1K token = 3.5e-6 USD/token)."""
    out = [Figure(0, 0, float(value), "", f"{name} = {value:g} {unit}".strip())]
    try:
        q = parse_quantity(f"{value!r} {unit}") if unit else None
    except UnitParseError:
        q = None
    if q is not None:
        out.append(Figure(0, 0, q.value, q.unit, out[0].text))
    return out


def _close(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=SAME_FIGURE_RTOL, abs_tol=1e-12)


def _units_compatible(a: str, b: str) -> bool:
    return not a or not b or a.partition("/")[0] == b.partition("/")[0]


def same_figure(a: Figure, b: Figure) -> bool:
    """The same number, after normalisation, within SAME_FIGURE_RTOL (2%).

    >>> f = lambda v, u, t: Figure(0, 0, v, u, t)
    >>> same_figure(f(1.4e6, "USD", "$1.4 million"), f(1.4e6, "USD", "140万美元"))
    True
    >>> same_figure(f(1.4e6, "USD", "$1.40M"), f(1398072, "", "cost = 1398072 USD"))
    True
    >>> same_figure(f(1.4e6, "USD", "$1.4M"), f(1.4e6, "CNY", "140万元"))
    False
    >>> same_figure(f(0.462, "", "46.2%"), f(46.2, "", "46.2"))
    True
    """
    if not _units_compatible(a.unit, b.unit):
        return False
    if _close(a.value, b.value):
        return True
    percent = "%" in a.text or "%" in b.text
    return percent and (_close(a.value * 100, b.value) or _close(a.value, b.value * 100))


# ------------------------------------------------------------------------ checking

def passage_sources(passages: dict[int, str]) -> list[Source]:
    return [Source(f"[{n}]", tuple(figures_in(text, keep_all=True)), passage=n) for n, text in passages.items()]


def text_source(label: str, text: str) -> Source:
    return Source(label, tuple(figures_in(text, keep_all=True)))


def _holders(f: Figure, sources: list[Source]) -> list[Source]:
    return [s for s in sources if any(same_figure(f, g) for g in s.figures)]


def _sentence_citations(text: str, markers: list) -> list[tuple[int, int, list[tuple[int, int, tuple[int, ...]]]]]:
    """Sentences as (start, end, markers in it); markers that open a sentence
    ("…140万美元。[1]") belong to the sentence before."""
    spans = sentence_spans(text) or [(0, len(text))]
    out: list[tuple[int, int, list]] = [(s, e, []) for s, e in spans]
    for marker in markers:
        i = max([k for k, (s, _) in enumerate(spans) if s <= marker[0]] or [0])
        if i > 0 and not CITATION_RE.sub("", text[spans[i][0]:marker[0]]).strip():
            i -= 1
        out[i][2].append(marker)
    return out


def check_answer(text: str, passages: dict[int, str], other_sources: list[Source]) -> AnswerCheck:
    """Trace every figure of `text`; check every [n] against the figures of its sentence.

    `passages` maps n to the passage text the model was given as [n]; `other_sources`
    are calculator results, the offline calculation, the question. Per sentence:

    - a figure from a calculator or the question needs no passage;
    - a figure in no passage at all is untraced;
    - in a sentence without markers, a figure must be in a passage cited somewhere in
      the answer (else it is untraced, and the notice names the passage that holds it);
    - in a sentence with markers, [n] is wrong when passage n holds none of the
      sentence's figures from the notes, or when a figure is in none of the sentence's
      cited passages (it is in another one).
    """
    check = AnswerCheck()
    cites = cited_markers(text, passages)
    check.cited = {n for _, _, ns in cites for n in ns} & set(passages)
    by_n = {s.passage: s for s in passage_sources(passages)}
    figures = figures_in(text)
    for start, end, markers in _sentence_citations(text, cites):
        ns = [n for _, _, group in markers for n in group if n in by_n]
        from_notes = []  # figures that must come from a passage
        for f in (f for f in figures if start <= f.start < end):
            if _holders(f, other_sources):
                continue
            holders = [s.passage for s in _holders(f, list(by_n.values()))]
            if not holders or (not ns and not set(holders) & check.cited):
                check.untraced.append(f)
                check.untraced_hint[f] = tuple(holders)
            else:
                from_notes.append((f, holders))
        stray = [f for f, holders in from_notes if not set(holders) & set(ns)]
        for m_start, m_end, group in markers:
            for n in group:
                if n not in by_n:
                    check.unknown_citations.append((n, (m_start, m_end)))
                    continue
                holds_one = any(n in holders for _, holders in from_notes)
                lacking = stray if holds_one else [f for f, _ in from_notes]
                if lacking:
                    found = tuple(sorted({h for f, holders in from_notes if f in lacking for h in holders}))
                    check.miscited.append(Miscited(n, (m_start, m_end), tuple(lacking), found))
    return check


# ------------------------------------------------------------------------ reporting

_WORDS = {
    "en": {
        "mark_untraced": " (⚠ untraced)",
        "mark_miscited": " (⚠ passage {n} does not contain {figures})",
        "mark_unknown": " (⚠ there is no passage {n})",
        "untraced": "⚠ untraced: {figure} is in no cited passage and no calculator result",
        "untraced_hint": "⚠ untraced: {figure} is in no cited passage and no calculator result (it is in passage {where}, which the answer does not cite)",
        "miscited": "⚠ wrong citation: [{n}] is cited for {figures}, but passage [{n}] does not contain {them}",
        "miscited_where": " (found in {where})",
        "unknown": "⚠ wrong citation: [{n}] is cited, but there is no passage [{n}]",
    },
    "zh": {
        "mark_untraced": "（⚠ 无出处）",
        "mark_miscited": "（⚠ 段落 {n} 中没有 {figures}）",
        "mark_unknown": "（⚠ 没有段落 {n}）",
        "untraced": "⚠ 无出处：{figure} 既不在所引段落中，也不是计算器的结果",
        "untraced_hint": "⚠ 无出处：{figure} 既不在所引段落中，也不是计算器的结果（它在段落 {where} 中，但回答没有引用该段落）",
        "miscited": "⚠ 引用有误：[{n}] 被引用来支持 {figures}，但段落 [{n}] 中没有{them}",
        "miscited_where": "（出现在 {where}）",
        "unknown": "⚠ 引用有误：引用了 [{n}]，但没有段落 [{n}]",
    },
}


def _figures_text(figures) -> str:
    return ", ".join(dict.fromkeys(f.text.strip() for f in figures))


def _where(ns) -> str:
    return ", ".join(f"[{n}]" for n in ns)


def notices(check: AnswerCheck, lang: str) -> list[str]:
    w = _WORDS["zh" if lang == "zh" else "en"]
    out = []
    for f in check.untraced:
        hint = check.untraced_hint.get(f)
        key = "untraced_hint" if hint else "untraced"
        out.append(w[key].format(figure=f.text.strip(), where=_where(hint or ())))
    for m in check.miscited:
        them = ("it" if len({f.text for f in m.figures}) == 1 else "them") if lang != "zh" else ""
        line = w["miscited"].format(n=m.n, figures=_figures_text(m.figures), them=them)
        if m.found_in:
            line += w["miscited_where"].format(where=_where(m.found_in))
        out.append(line)
    for n, _ in check.unknown_citations:
        out.append(w["unknown"].format(n=n))
    return list(dict.fromkeys(out))


def mark(text: str, check: AnswerCheck, lang: str) -> str:
    """The answer with each flag written right after the number or marker it concerns."""
    w = _WORDS["zh" if lang == "zh" else "en"]
    inserts: list[tuple[int, str]] = [(f.end, w["mark_untraced"]) for f in check.untraced]
    for m in check.miscited:
        inserts.append((m.marker[1], w["mark_miscited"].format(n=m.n, figures=_figures_text(m.figures))))
    for n, (_, end) in check.unknown_citations:
        inserts.append((end, w["mark_unknown"].format(n=n)))
    for pos, note in sorted(inserts, key=lambda x: x[0], reverse=True):
        text = text[:pos] + note + text[pos:]
    return text
