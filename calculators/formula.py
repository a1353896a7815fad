"""The core of every calculator: one sympy expression per formula, used for everything.

A `Var` is a named symbol with a unit, a description and a validation rule. A
`Formula` is one sympy expression giving an output `Var` from input `Var`s; its
numeric function is derived from the expression (`sympy.lambdify`, cached), so the
derivation a user sees and the number are the same object. A `Calculation` chains
formulas (FLOPs -> chip-hours -> cost), validates its inputs at the boundary, can
solve for any input given one output (`sympy.solve`, cached and lambdified), and
renders the derivation as text and LaTeX.

User text never reaches sympy: inputs are floats or parsed quantities.

Examples
--------
>>> params = Var("params", "parameter", "model parameters")
>>> tokens = Var("tokens", "token", "training tokens")
>>> flops = Var("flops", "FLOP", "training compute")
>>> compute = Calculation("compute", (Formula(flops, 6 * params.symbol * tokens.symbol, (params, tokens)),))
>>> compute.evaluate({"params": 175e9, "tokens": 300e9})["flops"]
3.15e+23
>>> compute.solve("tokens", {"params": 7e9, "flops": 1e23})["tokens"]
2380952380952.38...
>>> print("\\n".join(compute.run({"params": 175e9, "tokens": 300e9}).steps))
flops = 6 × params × tokens
flops = 6 × 1.75e11 × 3e11
flops = 3.15e23 FLOP

About 550 lines on purpose: the Calculation type with its evaluate, solve (through floors, ceilings
and max), derivation and unit checks; each calculator module only declares its formula.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import sympy
from sympy.printing.str import StrPrinter

from calculators.conversions import UnitMismatch, convert
from calculators.errors import CalculatorError, InputError, ResultStep, Said
from calculators.numbers import format_number
from calculators.plausible import implausible
from calculators.unit_words import unit_words

MAX_MAGNITUDE = 1e40  # larger inputs are typos or unit slips, not plans

# validation rules
POSITIVE = "positive"  # > 0
NONNEGATIVE = "nonnegative"  # >= 0
FRACTION = "fraction"  # in (0, 1]: utilisation, a cost factor
SHARE = "share"  # in [0, 1): cache hit rate, margin, a decline
COUNT = "count"  # a positive whole number
GROWTH = "growth"  # > -1: a rate of change, may be negative
LEVEL = "level"  # a whole number from 0 up to the Var's maximum: a ZeRO stage, a switch (0 off, 1 on)

_ASSUMPTIONS = {
    POSITIVE: {"positive": True},
    FRACTION: {"positive": True},
    COUNT: {"positive": True},
    NONNEGATIVE: {"nonnegative": True},
    SHARE: {"nonnegative": True},
    GROWTH: {"real": True},
    LEVEL: {"nonnegative": True, "integer": True},
}


@dataclass(frozen=True)
class Var:
    """A named quantity: its unit, what it means, its rule, and where its default comes from."""

    name: str
    unit: str
    description: str
    rule: str = POSITIVE
    source: str = ""  # citation of the default value: a paper, a datasheet, a price page, an article
    maximum: float | None = None  # the largest value allowed (a LEVEL's top)
    measured_on: str = ""  # the chip a default was measured on (an MFU is a run's): on another chip it is assumed

    @cached_property
    def symbol(self) -> sympy.Symbol:
        return sympy.Symbol(self.name, **_ASSUMPTIONS[self.rule])

    def check(self, value) -> float:
        """The value as a float in this Var's unit, or InputError saying what was expected."""
        if isinstance(value, bool) or isinstance(value, str):
            raise InputError(self.name, f"must be a number in {self.unit or 'plain numbers'}; "
                             f"got {value!r} (parse text with calculators.units first)")
        if hasattr(value, "unit") and hasattr(value, "value"):  # a parsed Quantity
            try:
                value = convert(value.value, value.unit, self.unit)
            except UnitMismatch:
                shown = getattr(value, "text", "") or f"{value.value:g} {value.unit}"
                raise InputError(self.name, f"must be in {self.unit or 'plain numbers'}; "
                                 f"got {shown!r}, which is in {value.unit}",
                                 f"的单位应为 {unit_words(self.unit, 'zh') or '纯数字'}；填入的“{shown}”单位是 {unit_words(value.unit, 'zh')}") from None
        try:
            x = float(value)
        except (TypeError, ValueError):
            raise InputError(self.name, f"must be a number; got {value!r}", f"必须是数字；填入的是 {value!r}") from None
        _check_rule(self, x)
        return x


def _check_rule(var: Var, x: float) -> None:
    name, rule = var.name, var.rule
    if math.isnan(x) or math.isinf(x):
        raise InputError(name, f"must be a finite number; got {x}", f"必须是有限的数；填入的是 {x}")
    if abs(x) > MAX_MAGNITUDE:
        raise InputError(name, f"must be at most 1e40 in size (larger is surely a slip); got {x:g}",
                         f"绝对值不能超过 1e40（更大必是笔误）；填入的是 {x:g}")
    percent = f" (did you mean {x:g}%?)" if 1 < x <= 100 else ""
    percent_zh = f"（是不是想写 {x:g}%？）" if 1 < x <= 100 else ""
    if rule == FRACTION and not 0 < x <= 1:
        raise InputError(name, f"must be a fraction between 0 and 1; got {x:g}{percent}", f"必须是 0 到 1 之间的比例；填入的是 {x:g}{percent_zh}")
    if rule == SHARE and not 0 <= x < 1:
        raise InputError(name, f"must be a fraction from 0 up to (not including) 1; got {x:g}{percent}",
                         f"必须是不小于 0、小于 1 的比例；填入的是 {x:g}{percent_zh}")
    if rule in (POSITIVE, COUNT) and not x > 0:
        raise InputError(name, f"must be positive; got {x:g}", f"必须是正数；填入的是 {x:g}")
    if rule == COUNT and x != int(x):
        raise InputError(name, f"must be a whole number; got {x:g}", f"必须是整数；填入的是 {x:g}")
    if rule == NONNEGATIVE and x < 0:
        raise InputError(name, f"must not be negative; got {x:g}", f"不能为负；填入的是 {x:g}")
    if rule == LEVEL and not (x == int(x) and 0 <= x <= (var.maximum if var.maximum is not None else math.inf)):
        raise InputError(name, f"must be a whole number from 0 to {var.maximum:g}; got {x:g}",
                         f"必须是 0 到 {var.maximum:g} 之间的整数；填入的是 {x:g}")
    if rule == GROWTH and not x > -1:
        raise InputError(name, f"must be more than -1 (a fall of 100%); got {x:g}", f"必须大于 -1（即降幅小于 100%）；填入的是 {x:g}")


@dataclass(frozen=True)
class Formula:
    """output = expression(inputs): one sympy expression; the numeric function comes from it."""

    output: Var
    expression: sympy.Expr
    inputs: tuple[Var, ...]
    source: str = ""  # where the formula comes from

    def __post_init__(self) -> None:
        declared = {v.symbol for v in self.inputs}
        if self.expression.free_symbols != declared:
            raise CalculatorError(
                f"formula for {self.output.name}: expression uses "
                f"{sorted(s.name for s in self.expression.free_symbols)}, inputs declare "
                f"{sorted(s.name for s in declared)}")

    @cached_property
    def function(self):
        return sympy.lambdify([v.symbol for v in self.inputs], self.expression, modules="math")

    def __call__(self, values: Mapping[str, float]) -> float:
        try:
            y = float(self.function(*(values[v.name] for v in self.inputs)))
        except (OverflowError, ZeroDivisionError, ValueError) as e:
            raise CalculatorError(f"{self.output.name} cannot be computed from these inputs ({e})") from None
        if math.isnan(y) or math.isinf(y):
            raise CalculatorError(f"{self.output.name} is not a finite number for these inputs")
        return y


@dataclass(frozen=True)
class Amount:
    name: str
    value: float
    unit: str
    description: str = ""
    source: str = ""  # 'given', or the citation of a default

    def as_dict(self) -> dict:
        d = {"name": self.name, "value": self.value, "unit": self.unit}
        if self.source:
            d["source"] = self.source
        return d


@dataclass(frozen=True)
class Result:
    """A calculation's inputs, every computed quantity, and its derivation."""

    calculator: str
    inputs: tuple[Amount, ...]
    outputs: tuple[Amount, ...]
    formula: str
    steps: tuple[str, ...]
    latex: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> float:
        for a in self.outputs + self.inputs:
            if a.name == name:
                return a.value
        raise KeyError(name)

    def as_dict(self) -> dict:
        return {
            "calculator": self.calculator,
            "inputs": [a.as_dict() for a in self.inputs],
            "outputs": [a.as_dict() for a in self.outputs],
            "formula": self.formula,
            "steps": list(self.steps),
            "latex": list(self.latex),
            "notes": list(self.notes),
        }

    def text(self) -> str:
        lines = [f"{self.calculator}", "inputs:"]
        lines += [f"  {a.name} = {format_number(a.value)} {a.unit}".rstrip()
                  + (f"  ({a.source})" if a.source and a.source != "given" else "") for a in self.inputs]
        lines += ["derivation:"] + [f"  {s}" for s in self.steps]
        lines += ["results:"] + [f"  {a.name} = {format_number(a.value)} {a.unit}".rstrip() for a in self.outputs]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass(frozen=True)
class Calculation:
    """A chain of formulas; later formulas may use earlier outputs."""

    name: str
    formulas: tuple[Formula, ...]
    description: str = ""
    _solutions: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    def __post_init__(self) -> None:
        known = {v.name for v in self.variables}
        for f in self.formulas:
            missing = {s.name for s in f.expression.free_symbols} - known
            if missing:
                raise CalculatorError(f"{self.name}: symbols without a Var: {sorted(missing)}")

    @cached_property
    def outputs(self) -> tuple[Var, ...]:
        return tuple(f.output for f in self.formulas)

    @cached_property
    def variables(self) -> tuple[Var, ...]:
        """Every Var: the inputs of the chain, then its outputs."""
        return self.inputs + self.outputs

    @cached_property
    def inputs(self) -> tuple[Var, ...]:
        produced = {f.output.name for f in self.formulas}
        seen: dict[str, Var] = {}
        for f in self.formulas:
            for v in f.inputs:
                if v.name not in produced:
                    seen.setdefault(v.name, v)
        return tuple(seen.values())

    def var(self, name: str) -> Var:
        for v in self.variables:
            if v.name == name:
                return v
        raise InputError(name, f"is not a quantity of {self.name}; known: {', '.join(v.name for v in self.variables)}")

    def check_inputs(self, values: Mapping, allowed: tuple[Var, ...] | None = None) -> dict[str, float]:
        allowed = self.inputs if allowed is None else allowed
        names = {v.name for v in allowed}
        unknown = [k for k in values if k not in names]
        if unknown:
            raise InputError(unknown[0], f"is not an input of {self.name}; inputs: {', '.join(sorted(names))}")
        missing = [v for v in allowed if v.name not in values]
        if missing:
            v = missing[0]
            raise InputError(v.name, f"is required ({v.description}, in {v.unit or 'plain numbers'})",
                             f"必须填写（单位：{unit_words(v.unit, 'zh') or '纯数字'}）")
        return {v.name: v.check(values[v.name]) for v in allowed}

    def evaluate(self, values: Mapping) -> dict[str, float]:
        """Checked inputs and every output, by name."""
        out = self.check_inputs(values)
        for f in self.formulas:
            y = f(out)
            try:  # a result's range is not checked, only that a count or a size is above zero
                if f.output.rule in (POSITIVE, COUNT):
                    _check_rule(f.output, y)
            except InputError as e:  # e.g. a server taller than the rack: 0 servers a rack
                formula = expression_text(f.expression)
                raise InputError(f.output.name, f"{e.message}, computed as {formula}",
                                 f"{e.message_zh or e.message}，由 {formula} 算得") from None
            out[f.output.name] = y
        return out

    def composed(self, output: str) -> sympy.Expr:
        """The expression for `output` in terms of the chain's inputs only."""
        for i, f in enumerate(self.formulas):
            if f.output.name == output:
                return _substitute_outputs(f.expression, self.formulas[:i])
        raise InputError(output, f"is not an output of {self.name}")

    def solution(self, target: str, unknown: str):
        """(expression, numeric function, argument symbols) for `unknown`, given `target`."""
        key = (target, unknown)
        if key not in self._solutions:
            expr = _without_rounding(self.composed(target))
            u = self.var(unknown).symbol
            if u not in expr.free_symbols:
                raise InputError(unknown, f"does not affect {target}, so it cannot be solved from it",
                                 f"不影响 {target}，所以无法由它求出")
            if self.var(unknown).rule == LEVEL:
                raise InputError(unknown, f"is a setting (0 to {self.var(unknown).maximum:g}), not solved for: "
                                 f"give each and compare", f"是一个档位（0 到 {self.var(unknown).maximum:g}），不求解：请逐个给出再比较")
            # a setting (a ZeRO stage, a switch) is solved for at each of its values; solve() keeps the
            # solution that gives the target back with the given setting
            expr_cases = [expr.subs(case) for case in self._level_cases(expr)]
            # rational=False keeps float constants as floats (else sympy turns x^0.34 into a
            # degree-50 polynomial and takes minutes); candidates are checked numerically in solve().
            # A max (a roofline: the slower of compute and memory) is solved branch by branch: the
            # branch that binds is the one whose solution gives the target back when evaluated.
            solutions, cases = [], []
            for case in self._level_cases(expr):
                for branch in _branches(expr.subs(case)):
                    if u not in branch.free_symbols:
                        continue
                    for s in sympy.solve(sympy.Eq(self.var(target).symbol, branch), u,
                                         rational=False, check=False, simplify=False):
                        if (s, case) not in zip(solutions, cases):
                            solutions.append(s)
                            cases.append(case)
            if not solutions and all(u not in sympy.cancel(b).free_symbols for e in expr_cases for b in _branches(e)):
                raise InputError(unknown, f"does not affect {target} (it cancels out), so it cannot be solved from it",
                                 f"不影响 {target}（在公式中约掉了），所以无法由它求出")
            if not solutions:
                raise CalculatorError(f"sympy found no closed form for {unknown} from {target}")
            args = tuple(sorted(set().union(*(s.free_symbols for s in solutions)), key=lambda s: s.name))
            functions = [sympy.lambdify(args, s, modules="math") for s in solutions]
            self._solutions[key] = (solutions, functions, args)
            self._solutions[key + ("settings",)] = cases  # the settings each solution holds for
        return self._solutions[key]

    def _level_cases(self, expr: sympy.Expr) -> list[dict]:
        """Every combination of values of the settings (LEVEL Vars) in expr: [{}] when there are none."""
        cases: list[dict] = [{}]
        for v in self.inputs:
            if v.rule == LEVEL and v.symbol in expr.free_symbols:
                cases = [{**c, v.symbol: k} for c in cases for k in range(int(v.maximum) + 1)]
        return cases

    def solve(self, unknown: str, values: Mapping) -> dict[str, float]:
        """Given one output and the other inputs, find `unknown`, then evaluate the chain."""
        u = self.var(unknown)
        if u not in self.inputs:
            raise InputError(unknown, f"is computed by {self.name}; solve for one of its inputs: "
                             f"{', '.join(v.name for v in self.inputs)}",
                             f"由 {self.name} 算出；请求解它的某个输入：{'、'.join(v.name for v in self.inputs)}")
        targets = [o for o in self.outputs if o.name in values]
        if len(targets) != 1:
            raise InputError(unknown, f"can be solved for only when exactly one result of {self.name} is given "
                             f"(one of {', '.join(o.name for o in self.outputs)}); got {len(targets)}",
                             f"只有在恰好给出 {self.name} 的一个结果（{'、'.join(o.name for o in self.outputs)} 之一）时才能求解；"
                             f"给出了 {len(targets)} 个")
        target = targets[0]
        allowed = tuple(v for v in self.inputs if v is not u) + (target,)
        known = self.check_inputs(values, allowed)
        _, functions, args = self.solution(target.name, unknown)
        inputs = {k: v for k, v in known.items() if k != target.name}
        exact = not _has_rounding(self.composed(target.name))
        candidates = []
        settings = self._solutions[(target.name, unknown, "settings")]
        for fn, case in zip(functions, settings):
            if any(known[v.name] != value for v, value in ((self.var(str(k)), x) for k, x in case.items())):
                continue  # solved for another ZeRO stage / switch than the one given
            try:
                x = complex(fn(*(known[a.name] for a in args)))
            except (OverflowError, ZeroDivisionError, ValueError, TypeError):
                continue
            if abs(x.imag) > 1e-12 * max(1.0, abs(x.real)):
                continue
            rounded = u.rule == COUNT  # a count of things is whole: see _whole
            try:
                value = self._whole(u, x.real, inputs, target.name, known[target.name]) if rounded else _snap(u, x.real)
                value = u.check(value)
                if not exact and not rounded:  # through a floor or a ceiling: land on the given result
                    value = self._through_rounding(u, value, inputs, target.name, known[target.name])
                reached = self.evaluate({**inputs, unknown: value})[target.name]
            except CalculatorError:  # InputError included: out of the unknown's range
                continue
            if exact and not rounded and not math.isclose(reached, known[target.name], rel_tol=1e-6, abs_tol=1e-12):
                continue  # a spurious root (solve ran with check=False)
            # a root that gives the target to 1e-9 comes before a looser one (a roofline's other branch)
            loose = exact and not rounded and not math.isclose(reached, known[target.name], rel_tol=1e-9, abs_tol=1e-12)
            candidates.append((loose, len(candidates), value))
        if not candidates:
            raise InputError(unknown, f"has no valid value that gives {target.name} = "
                             f"{format_number(known[target.name])} {target.unit}".rstrip(),
                             f"没有合理的取值能使 {target.name} = {format_number(known[target.name], 'zh')} "
                             f"{unit_words(target.unit, 'zh')}".rstrip())
        inputs[unknown] = min(candidates)[2]
        return self.evaluate(inputs)

    def _whole(self, u: Var, x: float, inputs: dict, target: str, wanted: float) -> float:
        """A whole count near x whose result stays within the given one: enough chips to meet a deadline
        (rounded up), as many tokens as fit in a memory budget (rounded down)."""
        low, high = max(1, math.floor(x + 1e-9)), max(1, math.ceil(x - 1e-9))
        within = []
        for n in dict.fromkeys((high, low)):
            try:
                reached = self.evaluate({**inputs, u.name: n})[target]
            except CalculatorError:
                continue
            if reached <= wanted * (1 + 1e-9):
                within.append((reached, n))
        return max(within)[1] if within else high

    def _through_rounding(self, u: Var, x: float, inputs: dict, target: str, wanted: float) -> float:
        """The value nearest x that gives exactly `wanted` when the chain rounds (floor(42/6) = 7 servers
        a rack): solving ignored the rounding, so step away from x until the result is reached, then bisect."""
        def reached(v: float) -> float:
            return self.evaluate({**inputs, u.name: v})[target]

        def ok(v: float) -> bool:
            try:
                return math.isclose(reached(v), wanted, rel_tol=1e-9, abs_tol=1e-12)
            except CalculatorError:
                return False

        if ok(x):
            return x
        for sign in (1, -1):
            step = 1e-9
            while step < 1:
                y = x * (1 + sign * step)
                if ok(y):
                    lo, hi = x, y  # bisect to the edge nearest x
                    for _ in range(100):
                        mid = (lo + hi) / 2
                        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
                    nice = round(hi)
                    return float(nice) if nice and abs(nice - hi) <= 1e-6 * abs(hi) and ok(nice) else hi
                step *= 2
        return x

    def run(self, values: Mapping, solve: str | None = None, calculator: str | None = None,
            sources: Mapping[str, str] | None = None) -> Result:
        """Evaluate (or solve, then evaluate) and record the derivation."""
        sources = sources or {}
        given = dict(values)
        result = self.solve(solve, given) if solve else self.evaluate(given)
        notes = []
        steps, latex = [], []
        if solve:
            target = next(o for o in self.outputs if o.name in given)
            solutions, _, _ = self.solution(target.name, solve)
            u = self.var(solve)
            for s in solutions[:1]:
                steps.append(f"{solve} = {expression_text(s)}  (solved from {target.name})")
                latex += [f"{_latex_name(solve)} = {sympy.latex(s, symbol_names=_latex_names(s))}"]
            if _has_rounding(self.composed(target.name)):
                notes.append(Said("rounding (ceil/floor) was ignored while solving, then applied when evaluating",
                                  "求解时先忽略取整（向上/向下），计算结果时再取整"))
            if u.rule == COUNT:
                bound = f"{format_number(target.check(given[target.name]))} {target.unit}".rstrip()
                bound_zh = f"{format_number(target.check(given[target.name]), 'zh')} {unit_words(target.unit, 'zh')}".rstrip()
                notes.append(Said(f"{solve} is a count, so the solution was rounded to a whole number that keeps "
                                  f"{target.name} within {bound}",
                                  f"{solve} 是个数，所以解取为使 {target.name} 不超出 {bound_zh} 的整数"))
        for f in self.formulas:
            steps += _steps(f, result)
            latex.append(_latex(f, result))
        for v in self.variables:  # a slip of units or a typo: answered, and flagged
            notice = implausible(v.name, result[v.name], v.unit) if v.name in result else None
            if notice:
                notes.append(notice)
        inputs = tuple(
            Amount(v.name, result[v.name], v.unit, v.description,
                   "solved" if v.name == solve else sources.get(v.name, "given"))
            for v in self.inputs)
        solved = (self.var(solve),) if solve else ()  # the unknown is a computed quantity too
        outputs = tuple(Amount(v.name, result[v.name], v.unit, v.description) for v in solved + self.outputs)
        formula = "; ".join(f"{f.output.name} = {expression_text(f.expression)}" for f in self.formulas)
        return Result(calculator or self.name, inputs, outputs, formula, tuple(steps), tuple(latex), tuple(notes))


def _snap(var: Var, x: float) -> float:
    """Undo float noise at a range's edge: a solved utilisation of 1.0000000002 is 1."""
    if var.rule == FRACTION and 1 < x <= 1 + 1e-9:
        return 1.0
    if var.rule in (NONNEGATIVE, SHARE) and -1e-12 <= x < 0:
        return 0.0
    return x


def _substitute_outputs(expr: sympy.Expr, earlier: tuple[Formula, ...]) -> sympy.Expr:
    for g in reversed(earlier):
        expr = expr.subs(g.output.symbol, g.expression)
    return expr


def _rounding(e) -> bool:
    return isinstance(e, (sympy.ceiling, sympy.floor))


def _without_rounding(expr: sympy.Expr) -> sympy.Expr:
    return expr.replace(_rounding, lambda e: e.args[0])


def _has_rounding(expr: sympy.Expr) -> bool:
    return bool(expr.atoms(sympy.ceiling, sympy.floor))


def _branches(expr: sympy.Expr) -> list[sympy.Expr]:
    """The expression with each Max/Min replaced by one of its arguments, every combination.

    >>> a, b = sympy.symbols("a b", positive=True)
    >>> _branches(2 * sympy.Max(a, b))
    [2*a, 2*b]
    """
    found = sorted(expr.atoms(sympy.Max, sympy.Min), key=sympy.default_sort_key)
    if not found:
        return [expr]
    first = found[0]
    return [b for arg in first.args for b in _branches(expr.xreplace({first: arg}))]


# ---- rendering ---------------------------------------------------------------------


class _Printer(StrPrinter):
    def __init__(self, names: Mapping[sympy.Symbol, str] | None = None):
        super().__init__()
        self.names = names or {}

    def _print_Symbol(self, expr):
        return self.names.get(expr, expr.name)

    def _print_Float(self, expr):
        return format_number(float(expr))


def expression_text(expr: sympy.Expr, names: Mapping[sympy.Symbol, str] | None = None) -> str:
    text = _Printer(names).doprint(expr)
    return text.replace("**", "^").replace("*", " × ")


def _value_names(f: Formula, values: Mapping[str, float]) -> dict:
    names = {}
    for v in f.inputs:
        shown = format_number(values[v.name])
        names[v.symbol] = f"({shown})" if values[v.name] < 0 else shown
    return names


def _steps(f: Formula, values: Mapping[str, float]) -> list[str]:
    out = f.output
    return [
        f"{out.name} = {expression_text(f.expression)}",
        f"{out.name} = {expression_text(f.expression, _value_names(f, values))}",
        ResultStep(f"{out.name} = {format_number(values[out.name])} {out.unit}".rstrip(), out.name),
    ]


def _latex_name(name: str) -> str:
    return r"\mathrm{" + name.replace("_", r"\_") + "}"


def _latex_names(expr: sympy.Expr) -> dict:
    return {s: _latex_name(s.name) for s in expr.free_symbols}


def _latex_number(x: float) -> str:
    mantissa, _, exponent = format_number(x).replace(",", "{,}").partition("e")
    return rf"{mantissa} \times 10^{{{exponent}}}" if exponent else mantissa


def _latex(f: Formula, values: Mapping[str, float]) -> str:
    out = f.output
    numbers = {v.symbol: _latex_number(values[v.name]) for v in f.inputs}
    unit = rf"\ \mathrm{{{out.unit}}}" if out.unit else ""
    return (f"{_latex_name(out.name)} = {sympy.latex(f.expression, symbol_names=_latex_names(f.expression))}"
            f" = {sympy.latex(f.expression, symbol_names=numbers)}"
            f" = {_latex_number(values[out.name])}{unit}")
