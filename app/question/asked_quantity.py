"""The quantity a question asks for, as a unit of the one unit model (`calculators.dimensions`).

First a unit the question names right after its asking words ("多少千瓦时", "how many racks",
"in bytes", "几台服务器"), read by the units parser itself; else the words that say what is
measured (多少钱 / how much ... cost -> money, 多久 / how long -> time, 利用率 / utilisation ->
a fraction, 耗电 / energy -> kWh, 显存 / memory -> bytes). `None` when the question names no
measured quantity. The result is a unit name: its dimension is `parse_unit(unit)[1]`.

Examples
--------
>>> asked_unit("总共耗电多少千瓦时？"), asked_unit("How many racks are needed?"), asked_unit("一共要花多少钱？")
('kWh', 'rack', 'USD')
>>> asked_unit("算力利用率是多少？"), asked_unit("How long would it take?"), asked_unit("What is the KV cache, in bytes?")
('', 'day', 'byte')
>>> asked_unit("What did the notes say about GPT-3?") is None
True
"""

from __future__ import annotations

import re

from calculators.errors import CalculatorError
from calculators.units import normalize, scan_quantities, scan_quantity

# Words that ask for a number, and the place right after them where the asked unit is named.
_ASK = re.compile(r"多少|几|\bhow\s+(?:many|much)\b|\bin\s+(?=[A-Za-z]|千|字|度)|\bnumber of\b|\btotal\b|以", re.I)
# Words between the asking words and the unit ("how many 141 GB H200 GPUs", "多少个机柜").
_FILLER = re.compile(r"\s*(?:\d[\d.,]*\s*(?:GB|TB|GiB|B)?\s+|[A-Za-z-]*\d[A-Za-z0-9-]*\s+|[A-Z]{2,}\s+|NVIDIA\s+"
                     r"|(?i:total|more|extra|additional|of)\s+)*")
# Count nouns the parser does not name (it reads '3 GPUs' but a question says 'how many H100s').
_COUNT_NOUNS = (
    (r"(?:GPUs?|cards?|chips?|accelerators?|[AHBV]\d{2,3}s?|TPUs?)\b|张|片|块|颗|卡|显卡|芯片", "GPU"),
    (r"(?:servers?|nodes?|machines?)\b|台|服务器|节点", "server"),
    (r"racks?\b|机柜", "rack"),
    (r"(?:tokens?)\b|词元", "token"),
    (r"(?:GPU|chip)[- ]?hours?\b|卡时", "GPU-hour"),
)
# What is measured, by the words that name it: (pattern, unit). Earlier rows win.
_MEASURES = (
    (r"\benergy\b|\bkWh\b|耗电|用电|电量|度电|千瓦时", "kWh"),
    (r"utili[sz]ation|\bMFU\b|利用率|\bfraction\b|\bpercentage\b|\bshare\b|占比|比例|效率|\befficiency\b", ""),
    (r"how long|多久|多长时间|多少天|几天|how many days|wall[- ]clock", "day"),
    (r"how many hours|多少(?:个)?小时", "hour"),
    (r"\bbytes?\b|字节|\bmemory\b|显存|内存|\bVRAM\b|\bHBM\b|\bKV[- ]?cache\b|占多少", "byte"),
    (r"PF-?days?", "PF-day"),
    (r"\bFLOPs\b|计算量|浮点运算|FLOP\b(?!/)", "FLOP"),
    (r"多少钱|多少美元|\bcosts?\b|\bprice\b|\bspend\b|\bpay\b|\bdollars\b|成本|花费|费用|花多少|租金|电费|开销|预算"
     r"|\brevenue\b|收入", "USD"),
    (r"model size|how (?:big|large)|参数量|多大", "parameter"),
    (r"\bpower\b|功率|\bkW\b|千瓦(?!时)", "kW"),
)


def _named_unit(rest: str) -> str | None:
    """The unit named at the start of `rest` (the words after 'how many' / 多少), or None."""
    if re.match(r"\s*(?:GPU|chip)[- ]?hours?\b|\s*卡时", rest, re.I):
        return "GPU-hour"
    rest = rest[_FILLER.match(rest).end():]
    try:
        found = scan_quantity("1 " + rest[:24])
    except (ValueError, OverflowError, CalculatorError):
        found = None
    if found is not None and found.unit and found.end > 2 and found.unit not in ("unit", "%"):
        return found.unit
    for pattern, unit in _COUNT_NOUNS:
        if re.match(rf"\s*(?:个|台|张)?\s*(?:{pattern})", rest, re.I):
            return unit
    return None


def asked_unit(question: str) -> str | None:
    """The unit of the quantity a question asks for, or None when it asks for no measured quantity."""
    text, _ = normalize(question)
    for m in _ASK.finditer(text):
        unit = _named_unit(text[m.end():])
        if unit is not None:
            return "CNY" if unit == "CNY" else unit
    for q in reversed(scan_quantities(text)):  # '0.08美元/kWh' is given, not asked
        text = text[:q.start] + " " + text[q.end:]
    asks = [m.start() for m in _ASKING_WORD.finditer(text)] or [len(text)]
    best = None  # the measured thing named closest to the asking words ('what would it cost ... at 46% utilisation')
    for rank, (pattern, unit) in enumerate(_MEASURES):
        for m in re.finditer(pattern, text, re.I):
            distance = min(abs(m.start() - a) for a in asks)
            if best is None or (distance, rank) < best[:2]:
                best = (distance, rank, unit)
    if best is None:
        return None
    unit = best[2]
    if unit == "USD" and re.search(r"多少(?:元|人民币)|人民币|\bRMB\b|\byuan\b", text, re.I):
        return "CNY"
    return unit


_ASKING_WORD = re.compile(r"\bwhat\b|\bhow\b|多少|几|多久|多长|多大|是否|\bwhich\b", re.I)
