"""How figures are shown, and when two figures count as the same one.

`format_number` is the one number formatter: the calculators' step tables, quantities
written back as text (`units.format_quantity`), the claims checker's notes, the UI and
the LLM tool results all call it. The tolerances below are the one place that says how
far apart two figures may be and still be "the same figure".

Examples
--------
>>> format_number(729166.667), format_number(3.15e23), format_number(1.4e6, "en"), format_number(1.4e6, "zh")
('729,167', '3.15e23', '1.4 million', '140万')
>>> abs(1_398_072 - 1.4e6) <= SAME_FIGURE_RTOL * 1.4e6
True
"""

from __future__ import annotations

import math

__all__ = ["format_number", "SAME_FIGURE_RTOL", "RECOMPUTE_WITH_DEFAULTS_RTOL", "ABOUT_RTOL"]

# Two figures within 2% of the larger are the same figure written at another precision.
# People round to two or three significant figures: three are at most 0.5% off, two are
# at most 2% off when the leading digit is 3 or more (0.05/2.5), and the roundings the
# notes and an LLM actually write are closer still: 140万 for 1,398,072 is 0.14%,
# $0.0035 for 0.00351525 is 0.4%, 3640 PF-days for 3,645.8 is 0.16%. Figures that
# differ in substance (a different model, a different year) are further apart than 2%.
SAME_FIGURE_RTOL = 0.02

# A recomputation with the calculators' default assumptions (a chip's peak FLOPS, an
# MFU, an hourly price) agrees with a claimed figure within 5%: the defaults are typical
# values, not the ones behind the claim, so the tolerance is wider than SAME_FIGURE_RTOL.
RECOMPUTE_WITH_DEFAULTS_RTOL = 0.05

# A figure written as approximate (约, ≈, about) may be rounded further than its digits
# show, to as few as two significant figures: up to 5% off (1.05 written as 1.0 or 1.1).
ABOUT_RTOL = 0.05

# Scale words people write numbers with, largest first: (size, word, separator).
_SCALE_WORDS = {
    "en": ((1e12, "trillion", " "), (1e9, "billion", " "), (1e6, "million", " ")),
    "zh": ((1e12, "万亿", ""), (1e8, "亿", ""), (1e4, "万", "")),
}


def format_number(x: float, lang: str | None = None, *, digits: int = 6, grouping: bool = True) -> str:
    """A number as people read it, to `digits` significant figures (never fewer whole digits).

    Without `lang`: digits only (729,167; 0.0035152; 3.15e23), as tables and formulas
    show numbers. With `lang` ('en' or 'zh'): in the scale words of that language
    (1.4 million, 140万), from a million (en) or 万 (zh) up to 10^16. Outside 1e-4 to
    1e9 (to 1e16 with scale words) the number is written as 3.15e23. `grouping=False`
    drops the thousands commas, so that `float()` reads the text back.

    >>> format_number(0.0035152), format_number(48.0), format_number(-2.5e-7), format_number(0)
    ('0.0035152', '48', '-2.5e-7', '0')
    >>> format_number(1398072.3, "en", digits=3), format_number(7.59e8, "zh"), format_number(744000, "en")
    ('1.4 million', '7.59亿', '744,000')
    >>> format_number(1234567.891, grouping=False), format_number(3.15e23, "zh")
    ('1234568', '3.15e23')
    """
    if lang is not None and lang not in _SCALE_WORDS:
        raise ValueError(f"lang must be None, 'en' or 'zh', got {lang!r}")
    x = float(x)
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return str(x)
    ax = abs(x)
    for size, word, sep in _SCALE_WORDS.get(lang, ()):
        if size <= ax < size * 10**4:
            # 1750亿, not 1,750亿: a number before its scale word is never grouped
            return format_number(x / size, digits=digits, grouping=False) + sep + word
    if 1e-4 <= ax < (1e16 if lang else 1e9):
        whole_digits = math.floor(math.log10(ax)) + 1
        decimals = max(0, digits - whole_digits)
        text = f"{x:{',' if grouping else ''}.{decimals}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    mantissa, _, exponent = f"{x:.{digits}g}".partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa
