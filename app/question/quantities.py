"""The quantities of a question: each number with its unit, the words either side, dates left out.

The units parser (`calculators.units.find_quantities`) finds the numbers; here number words
are spelled out ("seven servers", 两个机柜), simple fractions written as numbers, a unit the
parser left plain is refined by the noun after it ("175B parameters", "1000 H100s"), and
chips and servers are looked up in the hardware catalog.

Examples
--------
>>> [(q.value, q.unit) for q in question_quantities("1000 H100s at 40% MFU for 14 days")]
[(1000.0, 'GPU'), (0.4, ''), (14.0, 'day')]
>>> spell_out_numbers("one rack of seven servers; 两个机柜")
'1 rack of 7 servers; 2个机柜'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from calculators import hardware
from calculators.errors import CalculatorError, UnknownHardware
from calculators.units import Quantity, find_quantities, parse_quantity

CONTEXT_CHARS = 24  # words this close to a number describe it


@dataclass(frozen=True)
class QuestionQuantity:
    """A quantity in the question, with the words either side of it."""

    value: float
    unit: str  # the parser's canonical unit, refined by the words after it
    text: str
    start: int
    end: int
    percent: bool  # written as a percentage: only a fraction parameter takes it
    before: str
    after: str


# ------------------------------------------------------------------ number words

_EN_NUMBERS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_EN_NUMBERS.update({"fifteen": "15", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50"})
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_COUNTABLE_EN = r"(?:racks?|servers?|GPUs?|chips?|nodes?|machines?|instances?|cards?|days?|weeks?|years?|months?|hours?)"
_COUNTABLE_ZH = r"(?:机柜|服务器|GPU|显卡|卡|芯片|DGX|[AHBV]\d{3}|TPU)"


def _zh_number(text: str) -> int | None:
    """一..九十九 as an int: 七 -> 7, 十二 -> 12, 二十 -> 20."""
    if "十" not in text:
        return _ZH_DIGITS.get(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    value = (_ZH_DIGITS.get(tens, 0) if tens else 1) * 10
    return value + (_ZH_DIGITS.get(ones, 0) if ones else 0)


def spell_out_numbers(text: str) -> str:
    """Number words as digits where they count things: 'seven servers' -> '7 servers', 七台 -> 7台.

    'one' only before a countable noun ('no one', 'which one' stay); Chinese numerals only
    with a counter and a noun the parser counts (一天, 一个标准机柜 stay).
    """
    def english(m: re.Match) -> str:
        word = m.group(1)
        if word.lower() == "one" and not re.match(rf"\s+{_COUNTABLE_EN}\b", text[m.end():], re.I):
            return word
        return _EN_NUMBERS[word.lower()]

    text = re.sub(r"\b(" + "|".join(_EN_NUMBERS) + r")\b(?=\s+[\w.])", english, text, flags=re.I)

    def chinese(m: re.Match) -> str:
        value = _zh_number(m.group(1))
        return f"{value}{m.group(2)}" if value else m.group(0)

    return re.sub(rf"(?<![\d一二两三四五六七八九十])([一二两三四五六七八九十]{{1,3}})([台个张片块颗])(?={_COUNTABLE_ZH})",
                  chinese, text)


def simple_fractions(text: str) -> str:
    """'1/4' -> '0.25', 四分之一 -> 0.25 (a fraction without units is a factor)."""
    def ratio(m: re.Match) -> str:
        return f"{int(m.group(1)) / int(m.group(2)):g}" if int(m.group(2)) else m.group(0)  # 1/0 is no factor

    text = re.sub(r"(?<![\d.,/$])(\d{1,2})/(\d{1,3})(?![\d.,]|\s*(?:[A-Za-z]|[\u4e00-\u9fff](?<!的)))", ratio, text)

    def zh_ratio(m: re.Match) -> str:
        den, num = _zh_number(m.group(1)), _zh_number(m.group(2))
        return f"{num / den:g}" if den and num else m.group(0)

    return re.sub(r"([一二两三四五六七八九十]{1,2})分之([一二两三四五六七八九十]{1,2})", zh_ratio, text)


def prepare(question: str) -> str:
    return simple_fractions(spell_out_numbers(question))


# ------------------------------------------------------------------ quantities

# Nouns after a plain number that the parser does not know: they name the count.
_NOUN_UNITS = (
    (r"(?:daily\s+|unique\s+|active\s+)*(?:visitors?|users?)\b|(?:个)?(?:访客|用户|人)", "visitor"),
    (r"(?:questions?|prompts?\s+a\s+day)\b|(?:个)?(?:问题|提问)", "question"),
    (r"(?:sampled\s+)?(?:samples?|answers?|responses?|completions?)\b(?!\s+(?:of|with|has|is))|(?:次)?采样|(?:个)?回答", "sample"),
    (r"(?:layers?)\b|层", "layer"),
    (r"(?:(?:kv|key[- /]value)\s+)?heads?\b|(?:个)?(?:KV)?头", "head"),
    (r"[-\s]?(?:GPUs?|cards?|chips?)\b|卡", "GPU"),
    (r"-?words?\b", "word"),
    (r"-?params?\b|-?parameters?\b", "parameter"),
    (r"-?tokens?\b", "token"),
    (r"\s*U\b", "U"),  # rack units: 42U, 6U
    (r"[-\s]?(?:characters?|chars?)\b|(?:个)?汉字", "character"),
)
_PER_HOUR = re.compile(r"\s*(?:per|/|每|an?)\s*(?:chip|GPU|TPU|card|卡|芯片|张卡|个GPU)?[-\s]?(?:hours?|hr|h|小时)\b",
                       re.I)
_HOURLY_BEFORE = re.compile(r"(?:每|per)\s*(?:个)?(?:芯片|卡|GPU|TPU|chip)?[-\s]?(?:小时|hour)\S{0,2}$", re.I)
_HARDWARE_NAME = re.compile(
    r"(?<![A-Za-z0-9])(?:DGX[\s-]?)?(?:[AHBVL]\d{2,3}|GB\d{3}|TPU[\s-]?v\d)(?:[\s-]?(?:SXM\d?|PCIe|\d{2,3}\s?GB?))?"
    r"s?(?![A-Za-z0-9.])", re.I)
_DATE_WORDS = re.compile(r"(?:\b(?:in|since|by|until|of|from|during)\s+|在|于|截至)$", re.I)


def _is_date(q: QuestionQuantity) -> bool:
    year_like = q.value == int(q.value) and 1950 <= q.value <= 2100 and q.unit in ("", "year")
    if q.value == int(q.value) and 1 <= q.value <= 12 and re.match(r"\s*月", q.after) \
            and q.unit == "":
        return True  # 1月, 2023年1月
    if q.unit == "day" and re.search(r"\d\s*月$", q.before):
        return True  # 1月5日
    if not year_like:
        return False
    return q.unit == "year" or bool(_DATE_WORDS.search(q.before)) or bool(re.match(r"\s*[-/年]", q.after))


def _refine_unit(q: QuestionQuantity) -> QuestionQuantity:
    """The unit the words after a number give it, where the parser left it plain or partial."""
    if q.unit == "word/token":  # '750 words per 1000 tokens'
        return replace(q, value=q.value * 1000, unit="word/1K token")
    if q.unit in ("USD/GPU", "CNY/GPU") and re.match(r"[-\s]?(?:hours?|hr|h|小时)\b", q.after, re.I):
        return replace(q, unit=f"{q.unit}-hour")  # '$2.5 per GPU-hour'
    if q.unit in ("USD", "CNY"):
        m = _PER_HOUR.match(q.after)
        if m:
            return replace(q, unit=f"{q.unit}/hour", after=q.after[m.end():])
        if _HOURLY_BEFORE.search(q.before):
            return replace(q, unit=f"{q.unit}/hour")
        return q
    if q.unit not in ("", "unit") or q.percent:
        return q
    for pattern, unit in _NOUN_UNITS:
        if re.match(rf"\s*(?:{pattern})", q.after, re.I):
            return replace(q, unit=unit)
    chip = re.match(r"\s*(?:(?:NVIDIA|Nvidia|英伟达)\s*)?" + _HARDWARE_NAME.pattern, q.after, re.I)
    if chip:
        hw = find_hardware(chip.group(0))
        if hw:
            return replace(q, unit="server" if hw.kind == "server" else "GPU")
    return q


def _before_hardware_name(text: str, start: int, end: int, q: Quantity) -> tuple[int, int, Quantity]:
    """'1000 H100s' is 1000 of a chip, not 1000 hours: cut a unit the parser read out of a chip's name."""
    m = _HARDWARE_NAME.search(text, start + 1, end + 12)
    if not m or m.start() >= end:
        return start, end, q
    number = text[start:m.start()].rstrip()
    try:
        return start, start + len(number), parse_quantity(number)
    except CalculatorError:
        return start, end, q


def question_quantities(text: str) -> list[QuestionQuantity]:
    """Every quantity of a (prepared) question except dates, with its context and refined unit."""
    out = []
    for start, end, q in find_quantities(text):
        start, end, q = _before_hardware_name(text, start, end, q)
        found = QuestionQuantity(
            value=q.value, unit=q.unit, text=q.text, start=start, end=end,
            percent=bool(re.search(r"%|percent|百分", q.text, re.I)),
            before=text[max(0, start - CONTEXT_CHARS):start], after=text[end:end + CONTEXT_CHARS])
        if q.unit == "" and re.match(r"\s*(?:percent|per\s*cent)\b", found.after, re.I):
            found = replace(found, value=found.value / 100, percent=True)
        if not _is_date(found):
            out.append(_refine_unit(found))
    return out


# ------------------------------------------------------------------ hardware

def find_hardware(text: str) -> hardware.Hardware | None:
    """A catalog entry named in `text` ('A100s', 'DGX A100', 'TPU v4'), or None."""
    try:
        return hardware.lookup(re.sub(r"(?<=\d)s$", "", text.strip()))
    except UnknownHardware:
        return None


def hardware_named(text: str) -> list[hardware.Hardware]:
    """Every catalog entry the text names, in order, each once."""
    found = []
    for m in _HARDWARE_NAME.finditer(text):
        hw = find_hardware(m.group(0))
        if hw and hw not in found:
            found.append(hw)
    return found
