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
    kind: str = ""  # 'precision' (BF16 read as bytes a value), 'overhead' (+25%: a factor 1 + value), or ''


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

# A word between a number and its noun ("37B activated parameters", "14.8T training tokens").
_ADJECTIVE = (r"(?!(?:and|or|of|per|each|a|an|the|in|on|for|with|to|at|by|from|thousand|million|billion|trillion)\b)"
              r"[A-Za-z]+")
# Nouns after a plain number that the parser does not know: they name the count.
_NOUN_UNITS = (
    (r"(?:个)?\s*(?:(?:NVIDIA\s*)?[AHBV]\d{2,3}\s*)?(?:GPU|卡|chip|card|TPU)[-\s]?(?:hours?|hrs?|小时|时)\b|(?:个)?卡时|(?:个)?\s*GPU\s*时", "GPU-hour"),
    (r"[-\s]?(?:GPU|DGX|compute|inference|training)?\s*(?:servers?|nodes?|machines?)\b|(?:台|个)?(?:GPU\s*)?(?:服务器|节点|机器)", "server"),
    (r"(?:个)?词元", "token"),
    (rf"[-\s]?(?:{_ADJECTIVE}[-\s]){{1,2}}(?:params?|parameters?)\b|(?:个)?[\u4e00-\u9fff]{{1,3}}参数", "parameter"),
    (rf"[-\s]?(?:{_ADJECTIVE}[-\s]){{1,2}}tokens?\b|(?:个)?[\u4e00-\u9fff]{{1,3}}(?:token|词元)", "token"),
    (r"(?:daily\s+|unique\s+|active\s+)*(?:visitors?|users?)\b|(?:个)?(?:访客|用户|人)", "visitor"),
    (r"(?:questions?|prompts?\s+a\s+day)\b|(?:个)?(?:问题|提问)", "question"),
    (r"(?:sampled\s+)?(?:samples?|answers?|responses?|completions?)\b(?!\s+(?:of|with|has|is))|(?:次)?采样|(?:个)?回答", "sample"),
    (r"[-\s]?(?:layers?)\b|层", "layer"),
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
_HOURLY_BEFORE = re.compile(r"(?:每|per)\s*(?:个)?(?P<chip>芯片|卡|GPU|TPU|chip)?\s*[-\s]?(?:小时|hour|时)\S{0,2}\s*$", re.I)
_PER_TOKENS_BEFORE = re.compile(r"(?:每|per)\s*(?P<scale>千|百万|1,?000|1k|thousand|million|1m|)\s*(?:个\s*)?"
                                r"(?:tokens?|词元)\s*(?:的?(?:价格|成本|费用)?\s*(?:为|是|:|costs?|is|at)?)?\s*$", re.I)
_TOKEN_SCALE = {"千": 1000, "百万": 1e6, "1000": 1000, "1,000": 1000, "1k": 1000, "thousand": 1000, "million": 1e6,
                "1m": 1e6, "": 1}
_HARDWARE_NAME = re.compile(
    r"(?<![A-Za-z0-9])(?:DGX[\s-]?)?(?:[AHBVL]\d{2,3}|GB\d{3}|MI\d{3}X?|TPU[\s-]?v\d[ep]?)(?:[\s-]?(?:SXM\d?|PCIe|\d{2,3}\s?GB?))?"
    r"s?(?![A-Za-z0-9.])", re.I)
_DATE_WORDS = re.compile(r"(?:\b(?:in|since|by|until|of|from|during)\s+|在|于|截至)$", re.I)


def _is_date(q: QuestionQuantity) -> bool:
    year_like = (q.value == int(q.value) and 1950 <= q.value <= 2100 and q.unit in ("", "year")
                 and "," not in q.text)  # '2,000 tokens' is never a year
    if q.value == int(q.value) and 1 <= q.value <= 12 and re.match(r"\s*月", q.after) \
            and q.unit == "":
        return True  # 1月, 2023年1月
    if q.unit == "day" and re.search(r"\d\s*月$", q.before):
        return True  # 1月5日
    if not year_like:
        return False
    # '2023-05' and '2023年' are dates; '2000-token prompt' is an adjective
    return q.unit == "year" or bool(_DATE_WORDS.search(q.before)) or bool(re.match(r"\s*(?:[/年]|-(?![A-Za-z]))", q.after))


# 'a second' around a count of things processed: '3,000 tokens a second', '每秒3000个token', '每秒处理3000个词元'.
_PER_SECOND_AFTER = re.compile(r"\s*(?:(?:a|per|each|every|/)\s*(?:second|sec)\b|每秒(?:钟)?)", re.I)
_PER_SECOND_BEFORE = re.compile(r"(?:每秒(?:钟)?|\bper\s+second|\bevery\s+second)[\u4e00-\u9fff\s]{0,4}$", re.I)
_RATE_COUNTS = ("token", "word", "character", "query")


def per_second(q: QuestionQuantity) -> QuestionQuantity:
    """A count of things processed a second is a rate ('3,000 tokens a second', '每秒3000个token' -> token/s);
    per GPU too when the words say so (see per_item)."""
    if q.unit in _RATE_COUNTS:
        m = _PER_SECOND_AFTER.match(q.after)
        if m:
            return replace(q, unit=f"{q.unit}/s", after=q.after[m.end():])
        if _PER_SECOND_BEFORE.search(q.before):
            return replace(q, unit=f"{q.unit}/s")
    return q


def _refine_unit(q: QuestionQuantity) -> QuestionQuantity:
    """The unit the words after a number give it, where the parser left it plain or partial."""
    if q.unit == "GPU" and re.match(r"[-\s]?(?:hours?|hrs?|h|小时|时)(?![A-Za-z0-9])", q.after, re.I):
        return replace(q, unit="GPU-hour", after=re.sub(r"^[-\s]?\S+", "", q.after))  # '30.84M GPU hours'
    if q.unit == "GPU" and re.match(r"\s*(?:servers?|nodes?|boxes|machines?|服务器|节点)", q.after, re.I):
        return replace(q, unit="server")  # '3798 GPU servers': servers of GPUs
    if q.unit == "word/token":  # '750 words per 1000 tokens'
        return replace(q, value=q.value * 1000, unit="word/1K token")
    if q.unit in ("USD/GPU", "CNY/GPU") and re.match(r"[-\s]?(?:hours?|hr|h|小时)\b", q.after, re.I):
        return replace(q, unit=f"{q.unit}-hour")  # '$2.5 per GPU-hour'
    if q.unit in ("USD", "CNY"):
        m = _PER_HOUR.match(q.after)
        if m:
            return replace(q, unit=f"{q.unit}/hour", after=q.after[m.end():])
        per_tokens = _PER_TOKENS_BEFORE.search(q.before)
        if per_tokens:  # '每千token 0.02美元', 'per million tokens $2': a price per 1K tokens
            return replace(q, value=q.value * 1000 / _TOKEN_SCALE[per_tokens.group("scale").lower()],
                           unit=f"{q.unit}/1K token")
        hourly = _HOURLY_BEFORE.search(q.before)
        if hourly:  # '每 GPU 小时 2 美元' is a price per GPU-hour
            return replace(q, unit=f"{q.unit}/GPU-hour" if hourly.group("chip") else f"{q.unit}/hour")
        return q
    if q.unit not in ("", "unit") or q.percent:
        return q
    for pattern, unit in _NOUN_UNITS:
        if re.match(rf"\s*(?:{pattern})", q.after, re.I):
            return replace(q, unit=unit)
    if q.value >= 1e6 and re.match(r"[-\s]?(?:(?:dense|MoE|base|chat)[-\s])?(?:models?|LLMs?)\b|\s*(?:的)?(?:大)?模型", q.after, re.I):
        return replace(q, unit="parameter")  # 'a 70B model': its size in parameters
    chip = re.match(r"\s*(?:(?:NVIDIA|Nvidia|英伟达)\s*)?" + _HARDWARE_NAME.pattern, q.after, re.I)
    if chip:
        hw = find_hardware(chip.group(0))
        if hw:
            return replace(q, unit="server" if hw.kind == "server" else "GPU")
    return q


# ------------------------------------------------------------------ per item, precisions, overheads

_ITEM_NOUNS = (  # what one item is: the count a per-item figure divides by
    (r"GPUs?|cards?|chips?|accelerators?|TPUs?|卡|显卡|芯片|[AHBV]\d{2,3}s?|MI\d{3}X?", "GPU"),
    (r"servers?|nodes?|machines?|boxes|instances?|服务器|节点|机器|台", "server"),
    (r"racks?|cabinets?|机柜", "rack"),
)
_ITEM = "|".join(f"(?:{p})" for p, _ in _ITEM_NOUNS)
_PER_ITEM_AFTER = re.compile(
    rf"\s*(?:(?:each|apiece)\b|(?:per|a|an|every|/|每)\s*(?:个|张|台|块|颗)?\s*(?P<noun>{_ITEM})(?![A-Za-z])"
    rf"|(?:(?:NVIDIA\s+)?(?:DGX\s+|HGX\s+)?[A-Z]+\d{{2,3}}[A-Za-z]*\s+)?(?P<attribute>{_ITEM})(?![A-Za-z]))", re.I)
_ATTRIBUTE_UNITS = ("kW", "byte", "FLOP/s")  # '141 GB H200 GPUs', '6.5 kW DGX servers': one item's figure
_PER_ITEM_BEFORE = re.compile(
    rf"(?:(?:每|单)(?:个|张|台|块|颗)?\s*(?P<zh>{_ITEM})[^，,。；;：:\d]{{0,10}}"
    rf"|\b(?:one|each|every|per|a single|a)\s+(?:\w+\s+)?(?P<en>{_ITEM})\b[^,.;:\d]{{0,24}})$", re.I)
_PER_ITEM_UNITS = ("USD", "CNY", "kW", "kWh", "FLOP/s", "byte", "GPU", "server", "token/s")


def _item(noun: str) -> str:
    for pattern, count in _ITEM_NOUNS:
        if re.fullmatch(pattern, noun.strip(), re.I):
            return count
    return "GPU"


def _nearest_item(text: str) -> str | None:
    """The item a bare 'each' refers to: the last countable noun before it."""
    found = list(re.finditer(rf"(?<![A-Za-z])(?:{_ITEM})(?![A-Za-z])", text, re.I))
    return _item(found[-1].group(0)) if found else None


def per_item(q: QuestionQuantity, whole: str) -> QuestionQuantity:
    """'700 W each', '每张卡按 300 W', 'one H100 costs $25,000', '每台服务器插 8 张卡': a figure for one
    item (a GPU, a server, a rack) is in its unit per that item ('W/GPU', 'USD/GPU', 'GPU/server')."""
    if q.unit not in _PER_ITEM_UNITS or q.percent:
        return q
    count = None
    m = _PER_ITEM_AFTER.match(q.after)
    if m and m.group("attribute") and q.unit not in _ATTRIBUTE_UNITS:
        m = None  # '6144 张 GPUs' is a count of GPUs, '8 张卡' a count of cards
    if m:
        noun = m.group("noun") or m.group("attribute")
        count = _item(noun) if noun else _nearest_item(whole[:q.start])
    else:
        m = _PER_ITEM_BEFORE.search(q.before)
        if m:
            count = _item(m.group("zh") or m.group("en"))
    if count is None or count == q.unit:
        return q
    if "/" in q.unit:  # a rate of one item: 'FLOP/s' -> 'FLOP/GPU-s'
        numerator, _, denominator = q.unit.partition("/")
        return replace(q, unit=f"{numerator}/{count}-{denominator}")
    unit = "W" if q.unit == "kW" else q.unit
    value = q.value * 1000 if q.unit == "kW" else q.value
    return replace(q, unit=f"{unit}/{count}", value=value)


_PRECISION = re.compile(r"(?<![A-Za-z0-9])(FP32|TF32|FP16|BF16|FP8|INT8|FP4|INT4)(?![A-Za-z0-9])", re.I)
PRECISION_BYTES = {"fp32": 4.0, "tf32": 4.0, "fp16": 2.0, "bf16": 2.0, "fp8": 1.0, "int8": 1.0, "fp4": 0.5, "int4": 0.5}


def precisions(text: str) -> list[QuestionQuantity]:
    """Number formats named in the question ('BF16', 'int4'), each as the bytes one value takes.

    >>> [(q.text, q.value, q.unit) for q in precisions("70B weights in INT4")]
    [('INT4', 0.5, 'byte/parameter')]
    """
    out = []
    for m in _PRECISION.finditer(text):
        if re.match(r"\s*(?:TFLOPS|FLOPS|峰值|peak|dense|稠密|tensor)", text[m.end():], re.I):
            continue  # 'BF16 dense peak 989 TFLOPS' names the throughput's format, not a size
        out.append(QuestionQuantity(PRECISION_BYTES[m.group(1).lower()], "byte/parameter", m.group(1), m.start(),
                                    m.end(), False, text[max(0, m.start() - CONTEXT_CHARS):m.start()],
                                    text[m.end():m.end() + CONTEXT_CHARS], kind="precision"))
    return out


_OVERHEAD_AFTER = re.compile(r"\s*(?:more|extra|overhead|on top|higher|larger|additional|多|额外|开销|冗余|余量)", re.I)
_OVERHEAD_BEFORE = re.compile(r"(?:\+\s*|(?:overhead|extra|plus|add(?:ing)?|margin)\s*(?:of\s*)?|多|加|额外|增加|上浮|开销)\s*$", re.I)


def overhead(q: QuestionQuantity) -> QuestionQuantity:
    """'+25%', '多 25%', 'an overhead of 20%', '20% extra': a percentage added on top (a factor 1 + x)."""
    if not q.percent:
        return q
    if _OVERHEAD_BEFORE.search(q.before) or _OVERHEAD_AFTER.match(q.after):
        return replace(q, kind="overhead")
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
            out.append(overhead(per_item(per_second(_refine_unit(found)), text)))
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
