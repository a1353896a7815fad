"""Safe parsing of numbers and quantities as people write them in notes.

Reads `1750亿`, `1.4万亿token`, `140万美元`, `19.9万美元/台`, `175B`, `300 billion`,
`$2.03/hr`, `2.03 美元/小时`, `46.2%`, `6.5kw`, `350ms`, `3640 PF-days`,
`2,369,640`, `5.76e23 FLOPs`, full-width digits and punctuation, and turns each into
a value in a canonical unit. It is a small regex scanner: nothing here calls
`eval` or `sympify` on the text.

Canonical units are `calculators.dimensions.CANONICAL_UNITS`: '' (plain numbers
and fractions: 46.2% -> 0.462), 'USD', 'CNY', 'kW', 'kWh', 'second', 'hour', 'day',
'month', 'year', 'token', 'parameter', 'FLOP', 'PF-day', 'FLOP/s', 'byte', 'GPU',
'server', 'rack', 'word', 'unit' (a machine, 台), 'query' (次), and ratios of two
of them written 'A/B' ('USD/hour', 'USD/kWh', 'USD/token', 'USD/unit', 'kWh/day',
'byte/s': a per-second denominator is spelled 's'). Every unit the text names is a
unit of that one model, which gives its canonical unit and factor (80GiB is
85,899,345,920 bytes, 80GB 8e10).

Examples
--------
>>> parse_quantity("1750亿参数")
Quantity(value=175000000000.0, unit='parameter', text='1750亿参数')
>>> parse_quantity("19.9万美元/台").value, parse_quantity("19.9万美元/台").unit
(199000.0, 'USD/unit')
>>> parse_quantity("$2.03/hr").unit
'USD/hour'
>>> parse_quantity("275 TFLOPS").value
2.75e+14
>>> parse_number("46.2%")
0.462
>>> parse_quantity("３６４０PF-days").value
3640.0
>>> format_quantity(parse_quantity("140万美元"), lang="en")
'US$1.4 million'
>>> format_quantity(parse_quantity("$1.4 million"), lang="zh")
'140万美元'

About 540 lines on purpose: one parser (numbers, Chinese magnitudes, unit words in both languages)
that every reader of quantities shares; the units' dimensions live in calculators/dimensions.py.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from calculators.dimensions import BINARY_PREFIXES, DECIMAL_PREFIXES, canonical
from calculators.errors import UnitParseError
from calculators.numbers import format_number

__all__ = [
    "Quantity",
    "QuantityMatch",
    "parse_quantity",
    "parse_number",
    "find_quantities",
    "scan_quantity",
    "quantity_at",
    "number_starts_at",
    "scan_quantities",
    "format_quantity",
    "normalize",
]


@dataclass(frozen=True)
class Quantity:
    value: float  # in the canonical unit
    unit: str  # canonical unit name
    text: str  # the original text


@dataclass(frozen=True)
class QuantityMatch:
    """A quantity found in (normalized) text, with what exact arithmetic needs.

    `exact` is the value as a Fraction (no float rounding); `sig_figs` counts the
    significant digits as written (`4.7万` -> 2, `591,864` -> 6, `1000` -> 1: trailing
    zeros of a whole number are taken as not significant).
    """

    start: int
    end: int
    exact: Fraction
    unit: str
    sig_figs: int
    # value of one unit of the last significant digit, in the canonical unit
    resolution: Fraction


_MAX_ABS_EXPONENT = 300  # beyond this a float overflows (or the text is absurd)

# --------------------------------------------------------------------------- tables

_CN_MULT = {
    "万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "十亿": 10**9, "亿": 10**8,
    "千万": 10**7, "百万": 10**6, "十万": 10**5, "万": 10**4, "千": 10**3,
}
_EN_MULT = {
    "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
    "mn": 10**6, "bn": 10**9,
}
_LETTER_MULT = {"K": 10**3, "k": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}

_SI_LONG = {"kilo": "k", "mega": "M", "giga": "G", "tera": "T", "peta": "P", "exa": "E"}

_NUMBER_RE = re.compile(
    r"(?P<mant>\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:[eE](?P<exp>[+-]?\d+))?"
)
_MULT_RE = re.compile(
    r"\s*(?:(?P<cn>万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千)(?!瓦)(?:多|余)?"
    r"|(?P<en>(?i:thousand|million|billion|trillion|bn|mn))(?![A-Za-z])"
    r"|(?P<letter>[KkMBT])(?![A-Za-z]))"
)
_CURRENCY_PREFIX_RE = re.compile(r"(?P<cur>US\$|\$|USD\s?|¥)\s*")


def _unit_table() -> list[tuple[re.Pattern, str, Fraction]]:
    """(pattern, canonical unit, factor to the canonical unit), tried at one position.

    Each pattern names a unit of the one unit model (`calculators.dimensions`); the
    canonical unit and the factor come from there, not from this table.
    """
    rows: list[tuple[str, str]] = []

    def add(pattern: str, unit: str) -> None:
        rows.append((pattern, unit))

    for p in DECIMAL_PREFIXES:
        add(p + r"FLOPS(?![A-Za-z])", p + "FLOPS")
        add(p + r"FLOP/s(?![-A-Za-z])", p + "FLOPS")
        add(p + r"FLOPs?(?![A-Za-z/])", p + "FLOP")
        add(p + r"B(?![A-Za-z])", p + "B")
        add(p + r"b(?:its?)?(?![A-Za-z])", p + "bit")
        add(p + r"[Ww](?![A-Za-z])", p + "W")
        add(p + r"[Ww][Hh](?![A-Za-z])", p + "Wh")
    for p in BINARY_PREFIXES:
        add(p + r"B(?![A-Za-z])", p + "B")
    for word, p in _SI_LONG.items():
        add(rf"(?i:{word}flops)(?![A-Za-z])", p + "FLOPS")
        add(rf"(?i:{word}flop/s)(?![-A-Za-z])", p + "FLOPS")
    add(r"W(?![A-Za-z])", "W")
    add(r"Wh(?![A-Za-z])", "Wh")
    add(r"FLOPS(?![A-Za-z])", "FLOPS")
    add(r"FLOP/s(?![-A-Za-z])", "FLOPS")
    add(r"FLOPs?(?![A-Za-z/])", "FLOP")
    add(r"(?i:flops?)(?![A-Za-z/])", "FLOP")
    add(r"(?i:PF-?days?|pflop/s-days?|petaflop/s-days?|petaflop-days?|pfs-days?)(?![A-Za-z])", "PF-day")
    add(r"(?i:kw)(?![A-Za-z])", "kW")
    add(r"(?i:kwh)(?![A-Za-z])", "kWh")
    add(r"千瓦时|度电", "kWh")
    add(r"千瓦", "kW")
    add(r"(?i:bytes?)(?![A-Za-z])|字节", "byte")
    add(r"(?i:ms|msec|milliseconds?)(?![A-Za-z])|毫秒", "ms")
    add(r"(?i:s|sec|secs|seconds?)(?![A-Za-z])|秒钟?", "second")
    add(r"(?i:min|mins|minutes?)(?![A-Za-z])|分钟", "minute")
    add(r"(?i:h|hr|hrs|hours?)(?![A-Za-z])|个?小时", "hour")
    add(r"(?i:days?)(?![A-Za-z])|天|日", "day")
    add(r"(?i:months?)(?![A-Za-z])|个月", "month")
    add(r"(?i:years?|yrs?)(?![A-Za-z])|年", "year")
    add(r"(?i:US\s?dollars?|dollars?|USD)(?![A-Za-z])|美元|美金", "USD")
    add(r"(?i:RMB|CNY|yuan)(?![A-Za-z])|元人民币|人民币|元", "CNY")
    add(r"(?:个)?(?i:tokens?)(?![A-Za-z])|(?:个)?词元", "token")
    add(r"(?i:parameters?|params?)(?![A-Za-z])|个?参数", "parameter")
    add(r"(?:个|片|张|块|颗)?(?i:GPUs?)(?![A-Za-z])|(?:个|片|张|块|颗)?(?:显卡|芯片)|片|张|颗", "GPU")
    add(r"(?i:servers?)(?![A-Za-z])|(?:台|个)?服务器", "server")
    add(r"(?i:racks?)(?![A-Za-z])|(?:个)?机柜", "rack")
    add(r"(?i:words?)(?![A-Za-z])|个?单词|个?字|个?词", "word")
    add(r"(?i:queries|query|searches|search)(?![A-Za-z])|次查询|次搜索|次", "query")
    add(r"台|(?i:units?|machines?)(?![A-Za-z])", "unit")
    add(r"%|(?i:percent)(?![A-Za-z])", "%")
    add(r"倍|个", "")
    return [(re.compile(p), *canonical(u)) for p, u in rows]


_UNITS = _unit_table()
_PER_RE = re.compile(r"\s*(?:/|(?i:per)\s+|每)\s*")


# --------------------------------------------------------------------- normalizing

def normalize(text: str) -> tuple[str, list[int]]:
    """NFKC-normalize `text` one character at a time.

    Returns the normalized text and, for each of its characters (plus one past the
    end), the index of the original character it came from, so spans found in the
    normalized text map back to the original.

    >>> normalize("１，２００万")
    ('1,200万', [0, 1, 2, 3, 4, 5, 6])
    """
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch)
        out.append(norm)
        index.extend([i] * len(norm))
    index.append(len(text))
    return "".join(out), index


# ------------------------------------------------------------------------ scanning

def _match_unit(s: str, pos: int) -> tuple[int, str, Fraction] | None:
    """The longest unit alias starting at `pos`: (end, unit, factor)."""
    best = None
    for pattern, unit, factor in _UNITS:
        m = pattern.match(s, pos)
        if m and m.end() > pos and (best is None or m.end() > best[0]):
            best = (m.end(), unit, factor)
    return best


def _read_number(s: str, pos: int):
    """(end, Fraction value, sig figs, resolution) of the number at pos, or None."""
    m = _NUMBER_RE.match(s, pos)
    if not m:
        return None
    mant = m.group("mant").replace(",", "")
    exp = int(m.group("exp") or 0)
    if abs(exp) > _MAX_ABS_EXPONENT:
        raise OverflowError(exp)
    value = Fraction(Decimal(mant)) * Fraction(10) ** exp
    digits = mant.replace(".", "").lstrip("0")
    if "." in mant:
        sig = max(len(digits), 1)
        last_place = -len(mant.split(".")[1])
    else:
        stripped = digits.rstrip("0")
        sig = max(len(stripped), 1)
        last_place = len(digits) - len(stripped)
    resolution = Fraction(10) ** (last_place + exp)
    return m.end(), value, sig, resolution


def _read_multiplier(s: str, pos: int) -> tuple[int, int]:
    m = _MULT_RE.match(s, pos)
    if not m:
        return pos, 1
    if m.group("cn"):
        return m.end(), _CN_MULT[m.group("cn")]
    if m.group("en"):
        return m.end(), _EN_MULT[m.group("en").lower()]
    return m.end(), _LETTER_MULT[m.group("letter")]


def _den_name(unit: str) -> str:
    return "s" if unit == "second" else unit


def scan_quantity(s: str, pos: int = 0) -> QuantityMatch | None:
    """Read one quantity starting exactly at `pos` of normalized text `s`.

    Returns None when no number starts there. Raises OverflowError for absurd
    exponents and ValueError("decimal") for `1.2.3`; callers turn these into messages.
    The span is in `s`; the sign is never part of it (magnitudes only).

    >>> m = scan_quantity("约为4.7万美元/日。", 2)
    >>> (m.start, m.end, m.exact, m.unit, m.sig_figs)
    (2, 10, Fraction(47000, 1), 'USD/day', 2)
    """
    start = pos
    currency = None
    cm = _CURRENCY_PREFIX_RE.match(s, pos)
    if cm and _NUMBER_RE.match(s, cm.end()):
        currency = "CNY" if cm.group("cur") == "¥" else "USD"
        pos = cm.end()
    num = _read_number(s, pos)
    if num is None:
        return None
    end, value, sig, resolution = num
    if re.match(r"\.\d", s[end:end + 2]):
        raise ValueError("decimal")
    end, mult = _read_multiplier(s, end)
    value *= mult
    resolution *= mult
    unit, factor = currency or "", Fraction(1)
    after = re.match(r"\s*", s[end:]).end() + end
    found = _match_unit(s, after)
    if found and not (currency and found[1] not in ("USD", "CNY")):
        if currency and found[1] != currency:
            found = None
        if found:
            end, unit, factor = found[0], found[1], found[2]
            if unit == "" and factor == 1 and s[after:end] == "个":
                # a bare counter: try the noun after it (个机柜, 个GPU, 个token)
                noun = _match_unit(s, end)
                if noun and noun[1]:
                    end, unit, factor = noun
    value *= factor
    resolution *= factor
    if unit and "/" not in unit:
        per = _PER_RE.match(s, end)
        if per:
            den = _read_denominator(s, per.end())
            if den:
                end, den_unit, den_value = den
                unit = f"{unit}/{_den_name(den_unit)}"
                value /= den_value
                resolution /= den_value
    return QuantityMatch(start, end, value, unit, sig, resolution)


def _read_denominator(s: str, pos: int):
    """`/小时`, `/1000个token`, `/1K tokens`: (end, unit, amount in canonical unit)."""
    amount = Fraction(1)
    num = _read_number(s, pos)
    if num:
        pos, amount, _, _ = num
        pos, mult = _read_multiplier(s, pos)
        amount *= mult
        pos = re.match(r"\s*", s[pos:]).end() + pos
    found = _match_unit(s, pos)
    if found and found[1] == "" and s[pos:found[0]] == "个":
        found = _match_unit(s, found[0])
    if not found or not found[1] or "/" in found[1] or amount == 0:
        return None
    end, unit, factor = found
    return end, unit, amount * factor


# ----------------------------------------------------------------------- public API

def _is_number_start(s: str, i: int) -> bool:
    """A number may start here in running text (not inside A100, GPT-3, v0.9.0)."""
    if i > 0 and (s[i - 1].isalnum() and s[i - 1].isascii() or s[i - 1] in "._"):
        return False
    if i > 1 and s[i - 1] == "-" and s[i - 2].isascii() and s[i - 2].isalnum():
        return False
    return True


def _to_float(x: Fraction) -> float | None:
    """float(x), or None when it overflows."""
    try:
        value = float(x)
    except OverflowError:
        return None
    return None if math.isinf(value) else value


_CANDIDATE_RE = re.compile(r"US\$|USD|\$|¥|\d|\.\d")


def number_starts_at(s: str, i: int) -> bool:
    """Whether a quantity may start at `i` of normalized text `s` in running text: a
    digit, `.5` or a currency sign before one, not glued to an identifier (A100, GPT-3,
    v0.9.0, USD5)."""
    if i >= len(s) or not _is_number_start(s, i):
        return False
    m = _CURRENCY_PREFIX_RE.match(s, i)
    j = m.end() if m else i
    if j >= len(s) or not (s[j].isdigit() or (s[j] == "." and s[j + 1:j + 2].isdigit())):
        return False
    return j == i or _is_number_start(s, j)


def quantity_at(s: str, i: int) -> QuantityMatch | None:
    """The quantity that starts at `i` of normalized text `s` in running text, or None.

    None when no number starts there (`number_starts_at`) or when it is malformed
    (1.2.3) or absurd (1e999).

    >>> quantity_at("A100 costs $2.03/hr", 1) is None, quantity_at("A100 costs $2.03/hr", 11).unit
    (True, 'USD/hour')
    """
    if not number_starts_at(s, i):
        return None
    try:
        return scan_quantity(s, i)
    except (ValueError, OverflowError):
        return None


def scan_quantities(s: str) -> list[QuantityMatch]:
    """Every quantity in normalized text `s`, left to right, none overlapping.

    >>> [(q.start, q.end, q.unit) for q in scan_quantities("需要30,382片A100，约7.59亿美元")]
    [(2, 9, 'GPU'), (15, 22, 'USD')]
    """
    out: list[QuantityMatch] = []
    pos = 0
    for m in _CANDIDATE_RE.finditer(s):
        if m.start() < pos:
            continue
        q = quantity_at(s, m.start())
        if q is not None:
            out.append(q)
            pos = q.end
    return out


def find_quantities(text: str) -> list[tuple[int, int, Quantity]]:
    """Every quantity in running text, as (start, end, Quantity) spans of `text`.

    Numbers glued to identifiers (A100, GPT-3, v0.9.0) are skipped; a leading
    minus sign is not part of a quantity.

    >>> [(s, e, q.value, q.unit) for s, e, q in find_quantities("需要30,382片A100，约7.59亿美元")]
    [(2, 9, 30382.0, 'GPU'), (15, 22, 759000000.0, 'USD')]
    """
    s, index = normalize(text)
    out = []
    for qm in scan_quantities(s):
        value = _to_float(qm.exact)
        if value is None:
            continue
        a, b = index[qm.start], index[qm.end]
        out.append((a, b, Quantity(value, qm.unit, text[a:b])))
    return out


def parse_match(text: str, *, allow_negative: bool = False) -> tuple[QuantityMatch, bool]:
    """Parse the whole of `text` as one quantity: (match, negative). Raises UnitParseError."""
    if text is None or not text.strip():
        raise UnitParseError(text or "", "the text is empty", "内容为空")
    s, _ = normalize(text)
    s = s.strip()
    negative = False
    if s[:1] in "-−":
        negative = True
        s = s[1:].lstrip()
    elif s[:1] == "+":
        s = s[1:].lstrip()
    if negative and not allow_negative:
        raise UnitParseError(text, "a negative value is not allowed here; expected a magnitude", "这里不能填负数")
    try:
        qm = scan_quantity(s, 0)
    except ValueError:
        raise UnitParseError(text, "malformed number: more than one decimal point", "数字格式有误：小数点不止一个") from None
    except OverflowError:
        raise UnitParseError(text, "the number is too large (it overflows a float)", "数字太大（超出浮点数范围）") from None
    if qm is None:
        raise UnitParseError(
            text, "no number found; expected something like 1750亿, 175B, $2.03/hr or 46.2%",
            "没有找到数字；应写成 1750亿、175B、$2.03/hr 或 46.2% 这样的形式")
    rest = s[qm.end:].strip()
    if rest:
        if re.match(r"[\d.,]", rest):
            reason, reason_zh = f"malformed number near {rest!r}", f"“{rest}”附近的数字格式有误"
        else:
            reason, reason_zh = f"unknown unit {rest!r}", f"不认识的单位“{rest}”"
        raise UnitParseError(text, reason, reason_zh)
    if _to_float(qm.exact) is None:
        raise UnitParseError(text, "the number is too large (it overflows a float)", "数字太大（超出浮点数范围）")
    return qm, negative


def parse_quantity(text: str, *, allow_negative: bool = False) -> Quantity:
    """Parse `text` as one number with an optional unit, into its canonical unit.

    Raises UnitParseError (a ValueError) for empty, malformed, negative (unless
    `allow_negative`), overflowing input or an unknown unit.

    >>> parse_quantity("3000亿token")
    Quantity(value=300000000000.0, unit='token', text='3000亿token')
    >>> parse_quantity("350ms").value, parse_quantity("80GB").value
    (0.35, 80000000000.0)
    >>> parse_quantity("1.2.3亿")
    Traceback (most recent call last):
    ...
    calculators.errors.UnitParseError: cannot read '1.2.3亿' as a quantity: malformed number: more than one decimal point
    """
    qm, negative = parse_match(text, allow_negative=allow_negative)
    value = float(qm.exact)
    return Quantity(-value if negative else value, qm.unit, text)


def parse_number(text: str, *, allow_negative: bool = False) -> float:
    """A plain number (multipliers and % allowed); an attached unit is an error.

    >>> parse_number("1.4万亿"), parse_number("2,369,640"), parse_number("1.4M")
    (1400000000000.0, 2369640.0, 1400000.0)
    """
    q = parse_quantity(text, allow_negative=allow_negative)
    if q.unit:
        raise UnitParseError(text, f"expected a plain number, got a quantity in {q.unit}", f"应为纯数字，却带了单位 {q.unit}")
    return q.value


# ---------------------------------------------------------------------- formatting

_EN_NAMES = {
    "": "", "kW": "kW", "kWh": "kWh", "second": "s", "hour": "hours", "day": "days",
    "month": "months", "year": "years", "token": "tokens", "parameter": "parameters",
    "FLOP": "FLOP", "PF-day": "PF-days", "byte": "bytes", "GPU": "GPUs",
    "server": "servers", "rack": "racks", "word": "words", "unit": "units",
    "query": "queries", "FLOP/s": "FLOP/s", "byte/s": "bytes/s",
}
_EN_DEN = {"second": "s", "s": "s", "hour": "hour", "day": "day", "month": "month",
           "year": "year", "kWh": "kWh", "kW": "kW", "token": "token", "word": "word",
           "parameter": "parameter", "GPU": "GPU", "server": "server", "rack": "rack",
           "unit": "unit", "query": "query", "byte": "byte", "FLOP": "FLOP",
           "PF-day": "PF-day", "USD": "USD", "CNY": "CNY"}
_ZH_NAMES = {
    "": "", "USD": "美元", "CNY": "元", "kW": "千瓦", "kWh": "千瓦时", "second": "秒",
    "hour": "小时", "day": "天", "month": "个月", "year": "年", "token": "token",
    "parameter": "参数", "FLOP": "FLOP", "PF-day": "PF-days", "byte": "字节",
    "GPU": "个GPU", "server": "台服务器", "rack": "个机柜", "word": "字", "unit": "台",
    "query": "次",
}


def format_quantity(q: Quantity, lang: str = "en") -> str:
    """Render a quantity so that people read it and `parse_quantity` reads it back.

    >>> format_quantity(Quantity(1.4e6, "USD", ""), "zh")
    '140万美元'
    >>> format_quantity(Quantity(2.03, "USD/hour", ""), "en")
    'US$2.03/hour'
    >>> format_quantity(Quantity(3.15e23, "FLOP", ""), "zh")
    '3.15e23 FLOP'
    """
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    num_unit, _, den = q.unit.partition("/")
    if q.unit in ("FLOP/s", "byte/s"):
        num_unit, den = q.unit, ""
    # 12 significant digits: what people read, and what `parse_quantity` reads back exactly enough
    number = format_number(q.value, lang, digits=12)
    if lang == "en":
        if num_unit == "USD":
            text = "US$" + number
        elif num_unit == "CNY":
            text = number + " yuan"
        else:
            name = _EN_NAMES[num_unit]
            text = f"{number} {name}" if name else number
        return f"{text}/{_EN_DEN[den]}" if den else text
    name = _ZH_NAMES[num_unit] if num_unit not in ("FLOP/s", "byte/s") else num_unit
    if "e" in number and name and name.isascii():
        name = " " + name
    text = number + name
    if den:
        den_name = {"s": "秒"}.get(den) or _ZH_NAMES[den].lstrip("个")
        text += "/" + den_name
    return text
