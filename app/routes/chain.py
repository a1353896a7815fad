"""A calculation no named calculator fits: a unit-checked chain of the question's own quantities.

Dimensional analysis over the one unit model (`calculators.dimensions`): every quantity of
the question has a dimension (GPU-hour = GPU x time, USD/GPU-hour, W/GPU, byte/parameter);
a chain gives each an exponent of -1, 0 or 1 so that the product has the dimension of the
quantity asked for (`Question.asked_unit`). GPU-hours x $/GPU-hour -> USD; GPUs x W/GPU x
hours -> kWh; achieved / peak TFLOP/s -> a fraction; parameters x bytes/parameter -> bytes.

Which chain: one that uses every quantity it can is preferred, then one whose counts match
exactly (a figure per GPU times GPUs), then the fewest divisions; a fraction asked for
(a utilisation) must come out at most 1. When chains that tie give different values the
answer says it is ambiguous. The chain is built as a `calculators.formula.Calculation`
(one sympy expression), so it is shown and checked like any calculator's.

Examples
--------
>>> from app.question import Question
>>> c = find_chain(Question("用了 278.8 万个 GPU 小时，按每 GPU 小时 2 美元算，要花多少钱？"))
>>> c.result.formula, c.result["cost"]
('cost = gpu_hours × usd_per_gpu_hour', 5576000.0)
>>> find_chain(Question("64 GPUs drawing 300 W each ran for 79.2 hours: how much energy in kWh?")).result["energy"]
1520.64
>>> find_chain(Question("What did GPT-3 cost?")) is None
True
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from fractions import Fraction

import sympy

from app.question import Question
from app.question.quantities import QuestionQuantity
from calculators.dimensions import COUNTS, WHOLE_COUNTS, UnitMismatch, parse_unit
from calculators.errors import Said
from calculators.formula import Calculation, Formula, Result, Var
from calculators.numbers import format_number
from calculators.unit_words import unit_words

CHAIN = "quantity_chain"
MAX_FACTORS = 9  # 3^9 exponent choices at most: a question with more quantities is not a chain
# A plain number is a factor only with words saying so ('PUE 1.58', '1.2x', '3倍').
_NAMED_FACTOR = re.compile(r"PUE|overhead|factor|倍|\btimes\b|\bx\b|系数|开销|冗余|效率|efficiency|utili[sz]ation|利用率|MFU",
                           re.I)
# Output names by what they measure (a name for the result, not a reading of the question).
_OUTPUT_NAMES = {"USD": "cost", "CNY": "cost", "kWh": "energy", "": "ratio", "byte": "bytes", "day": "days",
                 "hour": "hours", "FLOP": "flops", "PF-day": "pf_days", "kW": "power", "second": "seconds"}


@dataclass(frozen=True)
class Term:
    """One quantity of the question in a chain: its value in `unit`, and its exponent."""

    quantity: QuestionQuantity
    name: str
    value: float
    unit: str
    factor: Fraction  # to base units
    dims: dict
    exponent: int = 0
    description: str = ""


@dataclass(frozen=True)
class Chain:
    result: Result
    unit: str  # the asked unit
    terms: tuple[Term, ...]  # the ones used
    unused: tuple[str, ...]  # each quantity not used, with the reason
    notes: tuple[str, ...]


def _name(unit: str) -> str:
    text = unit.replace("/", " per ").replace("-", " ")
    words = [w.lower() for w in text.split()]
    if words and words[-1] != "per" and "per" not in words and words[-1] not in ("usd", "cny", "flop", ""):
        words[-1] += "s"
    name = "_".join(words) or "factor"
    return re.sub(r"[^a-z0-9_]", "", name)


def _factor_name(q: QuestionQuantity) -> str:
    if q.kind == "overhead":
        return "overhead_factor"
    m = _NAMED_FACTOR.search(q.before[-12:] + " " + q.after[:12])
    word = m.group(0).lower() if m else ("fraction" if q.percent else "factor")
    return {"利用率": "utilisation", "效率": "efficiency", "倍": "times", "x": "times", "系数": "factor",
            "开销": "overhead_factor", "冗余": "overhead_factor"}.get(word, re.sub(r"\W", "_", word))


def terms_of(question: Question) -> tuple[list[Term], list[str]]:
    """(terms, unused): each quantity with its dimension, or the reason it cannot enter a chain."""
    terms, unused = [], []
    names: set[str] = set()
    for q in list(question.quantities) + list(question.precisions):
        shown = f"{q.text.strip()}"
        if q.kind == "overhead":
            value, unit, description = 1 + q.value, "", f"1 + {format_number(q.value * 100)}% overhead"
        elif q.unit == "" and not q.percent and not _NAMED_FACTOR.search(q.before[-12:] + " " + q.after[:12]):
            unused.append(Said(f"{shown}: a plain number with no unit and no word saying what it counts (a name or version?)",
                               f"{shown}：纯数字，没有单位，也没有说明数的是什么（是名称或版本号吗？）"))
            continue
        else:
            value, unit, description = q.value, q.unit, q.text.strip()
        try:
            factor, dims = parse_unit(unit)
        except UnitMismatch:
            unused.append(Said(f"{shown}: its unit ({unit}) is not one the unit model can combine",
                               f"{shown}：它的单位（{unit_words(unit, 'zh')}）无法与其他单位换算组合"))
            continue
        name = _factor_name(q) if not dims else _name(unit)
        while name in names:
            name += "_2"
        names.add(name)
        terms.append(Term(q, name, value, unit, factor, dims, 0, description))
    return terms, unused


def _combine(terms, exponents) -> dict:
    out: dict[str, int] = {}
    for t, e in zip(terms, exponents):
        for k, v in t.dims.items():
            out[k] = out.get(k, 0) + e * v
    return {k: v for k, v in out.items() if v}


def _physical(dims: dict) -> dict:
    return {k: v for k, v in dims.items() if k not in COUNTS}


def _near_exact(dims: dict, target: dict, used: list[Term]) -> bool:
    """The asked counts are there and one other count is left over once: a per-item figure read as a total
    (400 TFLOP/s per GPU over a peak of 989 TFLOP/s is still a fraction). Only a figure that names no count
    (989 TFLOP/s, 700 W, $25,000) can be one item's; when every figure used names its counts (parameters,
    tokens, tokens/s per GPU), a count left over is a quantity that does not belong (7B parameters x 1T
    tokens / (64 GPUs x 3,000 tokens/s per GPU) is parameter-seconds, not a time)."""
    if any(dims.get(k) != v for k, v in target.items() if k in COUNTS):
        return False
    residual = [v for k, v in dims.items() if k in COUNTS and target.get(k) != v]
    if not (len(residual) == 1 and abs(residual[0]) == 1):
        return False
    return any(_physical(t.dims) and _physical(t.dims) == t.dims for t in used)


def _value(terms, exponents) -> float:
    x = 1.0
    for t, e in zip(terms, exponents):
        x *= (t.value * float(t.factor)) ** e
    return x


def _exponent_choices(t: Term) -> tuple[int, ...]:
    if t.dims:
        return (0, 1, -1)
    if t.quantity.kind == "overhead" or not t.quantity.percent:
        return (0, 1)  # an overhead or a named factor (PUE) multiplies
    return (0, 1, -1)  # a percentage may scale either way (x MFU, / MFU)


def find_chain(question: Question) -> Chain | None:
    """The chain of the question's quantities with the dimension asked for, or None."""
    if question.asked_unit is None:
        return None
    try:
        target_factor, target = parse_unit(question.asked_unit)
    except UnitMismatch:
        return None
    terms, unused = terms_of(question)
    if len(terms) < 2 or len(terms) > MAX_FACTORS:
        return None
    fraction_asked = question.asked_unit == ""
    ranked = []
    for exponents in itertools.product(*(_exponent_choices(t) for t in terms)):
        used = sum(1 for e in exponents if e)
        if used < 2 or not any(e and t.dims for t, e in zip(terms, exponents)):
            continue
        dims = _combine(terms, exponents)
        if _physical(dims) != _physical(target):
            continue
        exact = dims == target
        if not exact and not _near_exact(dims, target, [t for t, e in zip(terms, exponents) if e]):
            continue
        value = _value(terms, exponents) / float(target_factor)
        if not value > 0 or (fraction_asked and value > 1 + 1e-9):
            continue
        negatives = sum(1 for e in exponents if e < 0)
        ranked.append(((exact, used, -negatives), exponents, value, dims))
    if not ranked:
        return None
    ranked.sort(key=lambda r: r[0], reverse=True)
    best_key, exponents, value, dims = ranked[0]
    notes = []
    rivals = {format_number(v) for k, _, v, _ in ranked[1:] if k == best_key and not math.isclose(v, value, rel_tol=1e-9)}
    if rivals:
        notes.append(Said(f"ambiguous: other chains of the same quantities give {', '.join(sorted(rivals))}",
                          f"有歧义：这些数量的其他算法得出 {'、'.join(sorted(rivals))}"))
    if not best_key[0]:
        residual = {k: v for k, v in dims.items() if k in COUNTS and target.get(k) != v}
        left = ", ".join(f"{k}^{v}" for k, v in residual.items())
        notes.append(Said(f"counts do not cancel exactly ({left}): a figure was read as one item's",
                          f"计数单位没有完全约掉（{left}）：有一个数被当作单个的量"))
    used_terms = tuple(Term(t.quantity, t.name, t.value, t.unit, t.factor, t.dims, e, t.description)
                       for t, e in zip(terms, exponents) if e)
    unused += [Said(f"{t.quantity.text.strip()}: no chain to {question.asked_unit or 'a fraction'} uses it with the others",
                    f"{t.quantity.text.strip()}：算到{unit_words(question.asked_unit, 'zh') if question.asked_unit else '比例'}的算法都用不上它")
               for t, e in zip(terms, exponents) if not e]
    result = _run(used_terms, question.asked_unit, target_factor, target)
    return Chain(result, question.asked_unit, used_terms, tuple(unused), tuple(notes))


def _run(terms: tuple[Term, ...], unit: str, target_factor: Fraction, target: dict) -> Result:
    """The chain as one sympy formula over named, unit-carrying inputs, evaluated and shown."""
    output_name = _OUTPUT_NAMES.get(unit) or _name(unit)
    scale = Fraction(1)
    for t in terms:
        scale *= t.factor ** t.exponent
    scale /= target_factor
    variables = tuple(Var(t.name, t.unit, t.description or t.name) for t in terms)
    expression = sympy.Rational(scale.numerator, scale.denominator)
    for v, t in zip(variables, terms):
        expression *= v.symbol ** t.exponent
    whole = [k for k, v in target.items() if k in WHOLE_COUNTS and v == 1] and len(target) == 1
    if whole:  # a count of whole things is rounded up: 192 racks, 5 GPUs
        expression = sympy.ceiling(expression)
    output = Var(output_name if output_name not in {t.name for t in terms} else output_name + "_result", unit,
                 f"the asked quantity, in {unit or 'a fraction'}")
    calc = Calculation(CHAIN, (Formula(output, expression, variables, "dimensional analysis of the question's units"),))
    return calc.run({t.name: t.value for t in terms}, calculator=CHAIN)
