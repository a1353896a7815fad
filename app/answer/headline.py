"""The headline: one sentence, in the question's language, that answers before the details do.

`headline(answer, question)` is a pure function of the structured answer (called once, at
the end of `Assistant.answer`):

- a lookup: the clause of the cited passage that best holds the kind of value asked for
  (`Question.asked`), with its citation, led by the figure restated in the asker's
  language when the passage is in the other one;
- a calculation: the main result rounded to what its inputs justify, in the asker's
  number words and units (700亿, 约 54.5 天);
- a claim: the verdict with the recomputed figure;
- not in the notes: that the notes do not say;
- a calculation that cannot run: what it still needs.

>>> from app.answer.model import Answer, Calculation, CalculationPart, InputUsed, Output
>>> calc = Calculation("training_time", "训练时间", (InputUsed("tokens", 1.4e12, "token", "question", "1.4万亿token"),),
...                    "", (), (Output("days", 54.5317, "day"),))
>>> headline(Answer("要多少天？", "zh", "calculate", [CalculationPart(calc)], calculations=[calc]))
'训练时间：约 54.5天'
"""

from __future__ import annotations

import math
import re

from app.answer.model import (Answer, Calculation, CalculationPart, CannotCalculate, Citation, MissingInputs, Output,
                              Prose, Quotes, Related, Verdict)
from app.answer.words import verdict_label
from app.question import Question, as_question
from calculators.errors import CalculatorError
from calculators.numbers import format_number

FIGURE_CLAUSE_CHARS = 64  # around a figure: the clauses that say what it is
MAX_CLAUSE_CHARS = 110  # a headline is one line; a longer clause is cut at a word or character boundary
# Significant figures a rounded result keeps: those of its least precise measured input, at least 3
# (the same-figure tolerance, numbers.SAME_FIGURE_RTOL, takes 3 figures as the same figure; 2 would
# turn 11.3 days into 11) and at most 4; 3 when every input is a round number (70B, 1000 GPUs).
MIN_DIGITS, MAX_DIGITS = 3, 4
DEFAULT_DIGITS = 3
COUNT_UNITS = ("GPU", "server", "rack", "chip", "unit", "query", "")  # whole counts are shown whole

_CJK = re.compile(r"[\u4e00-\u9fff]")

# how a quantity read from a note (calculators.units) shows each asked kind of value (app.question.asked)
_KIND_OF = {
    "money": lambda q: q.unit.split("/")[0] in ("USD", "CNY"),
    "percent": lambda q: "%" in q.text or "百分" in q.text,
    "duration": lambda q: q.unit in ("second", "hour", "day", "month", "year"),
    "rate": lambda q: q.unit.endswith("/s") or bool(re.search(r"倍|×|\dx\b", q.text)),
    "count": lambda q: True,
    "memory": lambda q: q.unit.split("/")[0] == "byte",
}


def headline(answer: Answer, question: Question | str | None = None) -> str:
    """The answer's one-sentence headline (never empty)."""
    q = as_question(question if question is not None else answer.question)
    lang = answer.language
    for part in answer.parts:
        if isinstance(part, Verdict):
            return verdict_headline(part, answer)
    for part in answer.parts:
        if isinstance(part, CalculationPart):
            return calculation_headline(part.calculation, q, lang)
        if isinstance(part, MissingInputs):
            names = ", ".join(name for name, _, _ in part.wanted)
            return (f"还需要这些输入才能计算：{names}" if lang == "zh" else f"To calculate this I still need: {names}")
        if isinstance(part, CannotCalculate):
            return f"无法计算：{part.message}" if lang == "zh" else f"Cannot calculate: {part.message}"
        if isinstance(part, Related):
            return (f"笔记中没有写到这一点（{part.reason}）。" if lang == "zh" else f"Your notes do not say ({part.reason}).")
        if isinstance(part, Quotes):
            return lookup_headline(answer, q, part.refs)
        if isinstance(part, Prose) and part.text.strip():
            # an LLM's checked prose: its first sentence as written (its [n] marks are our citations)
            return next((c.strip() for c in _SENTENCE_END.split(part.text.strip()) if c.strip()), part.text.strip())
    return "笔记中没有写到这一点。" if lang == "zh" else "Your notes do not say."


# ------------------------------------------------------------------ lookups

KIND_WEIGHT = 0.6  # a sentence holding the asked kind of value ...
RANK_WEIGHT = 0.1  # ... against the retriever's order (a tie-break: the quote scorer reads the question closer)
_FOOTNOTE = re.compile(r"\[\d{1,3}\]")  # the notes' own reference marks ([38]), not our citations
_ABOUT = re.compile(r"约|大约|近|左右|超过?|多|\babout\b|\bapproximately\b|\baround\b|~|≈", re.I)


def sentences(text: str) -> list[str]:
    """A quote cut into sentences (Chinese and English), the notes' own [n] marks dropped.

    >>> sentences("如今仅需约140万美元即可训练GPT-3[12]。It cost $5. Fine")
    ['如今仅需约140万美元即可训练GPT-3。', 'It cost $5.', 'Fine']
    """
    text = _FOOTNOTE.sub("", text.replace(" … ", "。"))
    return [c.strip() for c in _SENTENCE_END.split(text) if re.search(r"\w", c or "")]


_SENTENCE_END = re.compile(r"(?<=[。！？；;!?])|(?<=\.)\s+(?=[A-Z\d\u4e00-\u9fff])")


def holds_kind(text: str, kinds: tuple[str, ...]) -> list:
    """The quantities of `text` written as one of the asked kinds of value (years left out)."""
    from calculators.units import find_quantities

    found = []
    for start, end, qty in find_quantities(text):
        if qty.unit == "year" and qty.value >= 1900 and float(qty.value).is_integer():
            continue  # 2018年 is a date, not a duration
        if re.match(r"-?[A-Za-z]", text[end:end + 2]) and not qty.unit or re.match(r"[A-Za-z-]", text[start - 1: start]):
            continue  # part of a name: 2-Stage, GPT-3, V100
        if any(_KIND_OF[k](qty) for k in kinds):
            found.append((start, end, qty))
    return found


def sentence_rank_score(q: Question, sentence: str, rank: int) -> float:
    """How well a sentence answers: the quote scorer's terms and names, the asked kind, the passage's rank."""
    from app.answer.quotes import sentence_score

    has_kind = 1.0 if q.asked and holds_kind(sentence, q.asked) else 0.0
    return sentence_score(q, sentence) + KIND_WEIGHT * has_kind - RANK_WEIGHT * rank


def best_sentence(answer: Answer, q: Question, refs) -> tuple[str, Citation] | None:
    """The sentence (and its citation) that best holds what was asked, over the cited quotes."""
    best = None
    for rank, n in enumerate(refs):
        c = answer.citation(n)
        if c is None:
            continue
        for sentence in sentences(c.quote):
            score = sentence_rank_score(q, sentence, rank)
            if best is None or score > best[0]:
                best = (score, sentence, c)
    return None if best is None else (best[1], best[2])


def asked_figure(q: Question, sentence: str):
    """The figure of the asked kind nearest in words to the question: (start, end, Quantity) or None."""
    from ingest.tokenize import tokenize

    found = holds_kind(sentence, q.asked) if q.asked else []
    if not found:
        return None

    def near(item):
        start, end, _ = item
        around = set(tokenize(sentence[max(0, start - 16): end + 4]))
        return len(q.term_set & around)

    return max(found, key=lambda item: (near(item), -item[0]))


def around(sentence: str, span: tuple[int, int] | None, limit: int = MAX_CLAUSE_CHARS) -> str:
    """The sentence, or when it is long the comma clauses around the figure at `span`.

    >>> around("甲" * 80 + "，售价约为19.9万美元，" + "乙" * 80, (87, 94), 40)
    '售价约为19.9万美元'
    """
    sentence = sentence.strip()
    if len(sentence) <= limit or span is None:
        return shorten(sentence.rstrip(",，;；:："), limit)
    pieces = [(m.start(), m.end()) for m in re.finditer(r"[^,，;；:：]+", sentence)]
    i = next((k for k, (s, e) in enumerate(pieces) if s <= span[0] < e), 0)
    lo, hi = i, i
    while lo > 0 and pieces[hi][1] - pieces[lo - 1][0] <= limit:
        lo -= 1
    while hi + 1 < len(pieces) and pieces[hi + 1][1] - pieces[lo][0] <= limit:
        hi += 1
    return shorten(sentence[pieces[lo][0]: pieces[hi][1]].strip(), limit)


def lookup_headline(answer: Answer, q: Question, refs) -> str:
    """'About US$1.4 million [2]: “如今在公有云中仅需约140万美元即可对GPT-3进行训练”' or, when the note is in the
    asker's language, the clause itself with its citation."""
    found = best_sentence(answer, q, refs)
    if found is None:
        return "笔记中没有写到这一点。" if answer.language == "zh" else "Your notes do not say."
    sentence, c = found
    fig = asked_figure(q, sentence)
    clause = around(sentence, fig[:2] if fig else None, FIGURE_CLAUSE_CHARS if fig else MAX_CLAUSE_CHARS)
    foreign = bool(_CJK.search(clause)) != (answer.language == "zh")
    if not foreign:
        return f"{clause} [{c.n}]"
    lead = quantity_text(fig[2], answer.language) if fig else ""
    about = bool(fig) and bool(_ABOUT.search(sentence[max(0, fig[0] - 4): fig[1]]))
    if answer.language == "zh":
        return f"笔记中写道：“{clause}”" + (f"（{'约 ' if about else ''}{lead}）" if lead else "") + f" [{c.n}]"
    if lead:
        return f"{'About ' if about else ''}{lead} [{c.n}]: “{clause}”"
    return f"Your notes say [{c.n}]: “{clause}”"


def quantity_text(qty, lang: str) -> str:
    """A figure read from a note, in the asker's language ('US$1.4 million', '46.2%', '80 GB').

    >>> from calculators.units import Quantity
    >>> quantity_text(Quantity(1.4e6, "USD", "140万美元"), "en"), quantity_text(Quantity(0.462, "", "46.2%"), "en")
    ('US$1.4 million', '46.2%')
    """
    if "%" in qty.text:
        return f"{format_number(qty.value * 100, digits=4)}%"
    if not qty.unit and re.search(r"倍|\bx\b|×", qty.text):
        return f"{format_number(qty.value)}×"
    return figure(qty.value, qty.unit, lang)


def shorten(text: str, limit: int = MAX_CLAUSE_CHARS) -> str:
    """At most `limit` characters, cut at a space when the text has spaces.

    >>> shorten("a" * 5, 3), shorten("one two three", 9)
    ('aaa…', 'one two…')
    """
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if " " in cut and not _CJK.search(cut):
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,，") + "…"


# ------------------------------------------------------------------ calculations


def significant_digits(text: str) -> int:
    """Significant digits of a number as written; a round number (70B, 1000, 50%) counts as 1.

    >>> significant_digits("1.4万亿token"), significant_digits("312 TFLOPS"), significant_digits("1,000"), significant_digits("46.2%")
    (2, 3, 1, 3)
    """
    m = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    if not m:
        return 0
    digits = m.group(0).replace(",", "")
    whole, _, frac = digits.partition(".")
    if frac:
        return len((whole + frac).lstrip("0"))
    return len(whole.strip("0")) or 1


def result_digits(calc: Calculation) -> int:
    """Significant figures the result may keep: those of the least precise input that is not a round
    number (round numbers such as 1000 GPUs or 70B parameters are taken as exact), within 3 to 4."""
    written = []
    for i in calc.inputs:
        shown = i.text or format_number(i.value, digits=6)
        d = significant_digits(shown)
        if d >= 2:
            written.append(d)
    if not written:
        return DEFAULT_DIGITS
    return max(MIN_DIGITS, min(MAX_DIGITS, min(written)))


def rounded(value: float, digits: int, unit: str = "") -> float:
    """`value` to `digits` significant figures; a whole count (GPUs, racks) is kept whole.

    >>> rounded(54.5317, 3), rounded(30382, 3, "GPU"), rounded(1398072.3, 3, "USD"), rounded(10920, 3, "USD")
    (54.5, 30382.0, 1400000.0, 10900.0)
    """
    if value == 0 or not math.isfinite(value):
        return value
    if float(value).is_integer() and unit.split("/")[0] in COUNT_UNITS:
        return float(value)
    return float(f"{value:.{digits}g}")


_BYTES = ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"))


def figure(value: float, unit: str, lang: str) -> str:
    """A result as people read it, in the asker's language: '700亿参数', 'about 54.5 days' (without 'about').

    >>> figure(7e10, "parameter", "zh"), figure(7e10, "parameter", "en"), figure(54.5, "day", "zh"), figure(1, "GPU", "en")
    ('700亿参数', '70 billion parameters', '54.5天', '1 GPU')
    >>> figure(3.5e12, "byte", "en"), figure(8.4e23, "FLOP", "en"), figure(10920.0, "USD", "zh")
    ('3.5 TB', '8.4e23 FLOP', '1.092万美元')
    """
    from calculators.units import Quantity, format_quantity

    if unit.split("/")[0] == "byte" and abs(value) >= 1e6:
        size, name = next((s, n) for s, n in _BYTES if abs(value) >= s)
        rest = unit.partition("/")[2]
        return f"{format_number(value / size, digits=4)} {name}" + (f"/{rest}" if rest else "")
    try:
        text = format_quantity(Quantity(value, unit, ""), lang)
    except (CalculatorError, KeyError):  # a unit without words: the number and the unit as they are
        text = f"{format_number(value, lang)} {unit}".strip()
    if lang == "zh":
        return re.sub(r"(\d)(?!e-?\d)([A-Za-z])", r"\1 \2", text)  # 900 PF-days, not 900PF-days
    return re.sub(r"^1 (\w+?)s\b", r"1 \1", text)  # 1 GPU, not 1 GPUs


def main_output(calc: Calculation, q: Question) -> Output:
    """The output the question asks for: the first whose unit is of an asked kind, else the first."""
    from calculators.units import Quantity

    for kind in q.asked:
        for o in calc.outputs:
            if kind != "count" and o.unit and _KIND_OF[kind](Quantity(o.value, o.unit, "")):
                return o
    return calc.outputs[0]


def calculation_headline(calc: Calculation, q: Question, lang: str) -> str:
    if not calc.outputs:
        return calc.title
    digits = result_digits(calc)
    main = main_output(calc, q)
    value = rounded(main.value, digits, main.unit)
    approx = value != main.value
    others = [o for o in calc.outputs if o is not main and o.unit and o.unit != main.unit][:1]
    extra = [figure(rounded(o.value, digits, o.unit), o.unit, lang) for o in others]
    title = short_title(calc.title)
    if lang == "zh":
        return f"{title}：{'约 ' if approx else ''}{figure(value, main.unit, lang)}" + "".join(f"（{e}）" for e in extra)
    shown = ("About " if approx else "") + figure(value, main.unit, lang)
    shown = shown[0].upper() + shown[1:]
    return f"{shown}" + "".join(f" ({e})" for e in extra) + f" — {shorten(title, 60)}"


def short_title(title: str) -> str:
    """A calculator's title without its formula or aside: 'Training compute in FLOP'.

    >>> short_title("Training compute in FLOP: C = 6·N·D (also reported in PF-days)."), short_title("训练时间")
    ('Training compute in FLOP', '训练时间')
    """
    return re.split(r":|：| \(|（", title)[0].strip().rstrip(".") or title


# ------------------------------------------------------------------ claims


_SHORT_VERDICT = {"supported": ("Supported", "说法成立"), "contradicted": ("Not right", "说法不对"),
                  "not_found": ("Not found in your notes", "笔记中找不到依据")}


def verdict_headline(part: Verdict, answer: Answer) -> str:
    """'Not right: 2,369,640 × 0.08 = 189,571 [1]'; the verdict label when nothing was recomputed."""
    zh = answer.language == "zh"
    short = _SHORT_VERDICT.get(part.verdict, (verdict_label(part.label, answer.language),) * 2)[1 if zh else 0]
    colon = "：" if zh else ": "
    refs = "".join(f"[{n}]" for n in part.refs[:2])
    tail = f" {refs}" if refs else ""
    if answer.calculations and answer.calculations[0].outputs:
        calc = answer.calculations[0]
        main = calc.outputs[0]
        value = rounded(main.value, result_digits(calc), main.unit)
        shown = figure(value, main.unit, answer.language)
        said = part.claimed[0].split(" (=")[0] if part.claimed else ""
        claimed = (f"（声称 {said}）" if zh else f" (claimed {said})") if said else ""
        return f"{short}{colon}{'重新计算得 约 ' if zh else 'recomputed, about '}{shown}{claimed}{tail}"
    if part.recomputed:  # the notes' own arithmetic: '2,369,640 × 0.08 = 189,571.2, not 4.7万美元 (47,000)'
        recomputed = part.recomputed[0].split(": ")[0]
        return shorten(f"{short}{colon}{'重新计算：' if zh else 'recomputed '}{recomputed}", 160) + tail
    if part.notes_give:
        text, n = part.notes_give[0]
        given = ("笔记给出的是 " if zh else "the notes give ") + text + (f" [{n}]" if n else "")
        return f"{short}{colon}{given}"
    if part.claimed:
        return f"{short}{colon}{', '.join(part.claimed)}{tail}"
    return verdict_label(part.label, answer.language) + tail
