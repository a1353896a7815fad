"""The Calculators tab's library side: one form for every calculator, runs, and a plot that follows the form.

Nothing here knows a calculator by name: a calculator added to `calculators.registry.CALCULATORS`
gets a form, its labels in both languages (`app.answer.words.QUANTITY_ZH`) and a plot without UI code.
The page holds one set of `MAX_FIELDS` input boxes that the picker relabels (a form per calculator
would be hundreds of components: slow to load, slow to open a session).

Defaults are shown as people read them (275 trillion FLOP/s, 2750万亿 FLOP/s) and read back by the
units parser; a default left as it is keeps its cited source, a changed one is reported as the form's.

>>> html_ = run_form("training_cost", {"params": "175B", "tokens": "300B"}, "en")
>>> "1,398,072" in html_ and "kbqa-calc-steps" in html_
True
>>> input_text(275e12, "FLOP/s", "en"), input_text(275e12, "FLOP/s", "zh"), input_text(0.462, "", "en")
('275 trillion FLOP/s', '275万亿 FLOP/s', '0.462')
"""

from __future__ import annotations

import html
import math

from app.answer.model import Calculation, InputUsed, Output
from app.answer.render_html import calculation_html, esc
from app.answer.words import quantity_words, source_words, unit_words
from app.ui.text import t
from calculators.errors import CalculatorError, InputError
from calculators.numbers import format_number
from calculators.registry import CALCULATORS, Calculator, Parameter

MAX_FIELDS = max(len(c.parameters) for c in CALCULATORS.values())
SAME = 1e-9  # a form value this close to its default is the default (the text is rounded to 12 digits)


def calculator_choices(lang: str) -> list[tuple[str, str]]:
    """(label, name) for a dropdown, grouped by family."""
    out = []
    for name, calc in sorted(CALCULATORS.items(), key=lambda kv: kv[1].family):
        title = calc.title_zh if lang == "zh" else calc.summary.rstrip(".")
        out.append((f"{t('family_' + calc.family, lang)} · {title}", name))
    return out


# --- the form -------------------------------------------------------------------------------


def input_text(value: float, unit: str, lang: str) -> str:
    """A value as the form shows it: readable, with its unit where the units parser reads it back the same."""
    from calculators.units import parse_quantity

    number = format_number(float(value), lang, digits=12)
    if not unit:
        tries = (number,)
    elif lang == "zh":  # the unit as Chinese writes it, else the number alone (the label gives the unit)
        zh_unit = unit_words(unit, "zh")
        tries = (number + (" " if zh_unit[:1].isascii() else "") + zh_unit, f"{number} {unit}" if _symbols(unit) else "", number)
    else:
        tries = (f"{number} {unit}", number)
    for text in filter(None, tries):
        try:
            q = parse_quantity(text, allow_negative=True)
        except CalculatorError:
            continue
        if _same(q.value, float(value)) and q.unit in (unit, ""):
            return text
    return format_number(float(value), digits=15, grouping=False)  # plain digits always read back


def _symbols(unit: str) -> bool:
    """A unit of symbols only (FLOP/s, GB), written the same in Chinese text.

    >>> _symbols("FLOP/s"), _symbols("USD/hour")
    (True, False)
    """
    return all(atom.isupper() or atom == "s" for atom in unit.split("/"))


def _same(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= SAME * max(abs(a), abs(b))


def field_label(p: Parameter, lang: str) -> str:
    unit = unit_words(p.unit, lang)
    return f"{quantity_words(p.name, p.description, lang)} · {p.name}" + (f" [{unit}]" if unit else "")


def field_info(p: Parameter, lang: str) -> str:
    """Under a box: required, or where its default comes from."""
    if p.required:
        return t("calc_required", lang)
    return f"{t('calc_default_from', lang)} {source_words(p.source or 'default', lang)}"


def form_fields(name: str, lang: str) -> list[dict]:
    """The `MAX_FIELDS` boxes for calculator `name`: label, value, help and visibility of each (gr.update kwargs)."""
    params = CALCULATORS[name].parameters
    out = []
    for k in range(MAX_FIELDS):
        if k < len(params):
            p = params[k]
            out.append(dict(visible=True, label=field_label(p, lang), info=field_info(p, lang),
                            value="" if p.default is None else input_text(p.default, p.unit, lang),
                            placeholder=t("calc_required", lang) if p.required else ""))
        else:
            out.append(dict(visible=False, value="", label="", info="", placeholder=""))
    return out


def form_fields_keeping(name: str, lang: str, texts: list[str]) -> list[dict]:
    """form_fields for a language switch: a box the user changed keeps its text (the units parser reads either
    language); a box empty or still at its default shows the default as `lang` writes it.

    >>> [f["value"] for f in form_fields_keeping("training_time", "zh", ["70B", "", "8", "275 trillion FLOP/s"])][:4]
    ['70B', '', '8', '275万亿 FLOP/s']
    """
    from calculators.units import parse_quantity

    fields = form_fields(name, lang)
    for p, field_, text in zip(CALCULATORS[name].parameters, fields, texts):
        text = (text or "").strip()
        if text:
            try:
                keep = not _at_default(p, parse_quantity(text, allow_negative=True))
            except CalculatorError:
                keep = True  # unreadable as it is: the user's text, for the calculation to report
            if keep:
                field_["value"] = text
    return fields


def _at_default(p: Parameter, q) -> bool:
    """A parsed form value that is the parameter's default (so it keeps the default's citation)."""
    return p.default is not None and q.unit in (p.unit, "") and _same(q.value, float(p.default))


def form_intro(calc: Calculator, lang: str) -> str:
    """What the calculator does and its formula (each input's meaning and source are on its box)."""
    from calculators.formula import expression_text

    formula = "; ".join(f"{f.output.name} = {expression_text(f.expression)}" for f in calc.calculation.formulas)
    title = calc.title_zh if lang == "zh" else calc.summary
    outputs = ", ".join(quantity_words(o.name, o.description, lang) for o in calc.calculation.outputs)
    return (f'<div class="kbqa-calc-intro"><p><strong>{esc(title)}</strong> <code>{esc(calc.name)}</code></p>'
            f'<p>{esc(t("calc_gives", lang))} {esc(outputs)}</p>'
            f'<p class="kbqa-formula"><code>{esc(formula)}</code></p></div>')


def parse_inputs(calc: Calculator, texts: dict[str, str]) -> dict:
    """Form text -> calculator inputs: an empty field, or one still showing its default, means 'the default'."""
    from calculators.units import parse_quantity

    values = {}
    for p in calc.parameters:
        text = (texts.get(p.name) or "").strip()
        if not text:
            continue
        try:
            q = parse_quantity(text, allow_negative=True)
        except CalculatorError as exc:
            raise InputError(p.name, f"- {exc}", f"- {exc.zh}") from None
        if _at_default(p, q):
            continue  # unchanged: the calculator's default, with its citation
        values[p.name] = q
    return values


def run_form(name: str, texts: dict[str, str], lang: str) -> str:
    """Run calculator `name` on the form's text; the result with its derivation, and a plot around it, as HTML."""
    calc = CALCULATORS[name]
    values = parse_inputs(calc, texts)
    result = calc.run(**values)
    given = set(values)
    inputs = tuple(
        InputUsed(a.name, a.value, a.unit, "form" if a.name in given else (a.source or "default"))
        for a in result.inputs
    )
    title = calc.title_zh if lang == "zh" else calc.summary
    shown = Calculation(calculator=name, title=title, inputs=inputs, formula=result.formula, steps=result.steps,
                        outputs=tuple(Output(o.name, o.value, o.unit) for o in result.outputs), notes=result.notes)
    return calculation_html(shown, lang) + plot_html(calc, {a.name: a.value for a in result.inputs}, lang)


def error_box(message: str) -> str:
    return f'<div class="kbqa-error">⚠ {html.escape(message)}</div>'


# --- the plot ------------------------------------------------------------------------------------

SPAN = (1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8)  # the x input, times its form value
SERIES = (0.5, 1, 2)  # the second input, times its form value: one line each
LINE_STYLES = (("var(--kbqa-line-1)", "", "circle"), ("var(--kbqa-line-2)", "7 4", "square"), ("var(--kbqa-line-3)", "2 4", "triangle"))


def plot_inputs(calc: Calculator, values: dict) -> tuple[str, str | None]:
    """(x input, series input): the first two inputs the main result changes with (0/1 switches excluded)."""
    main = calc.calculation.outputs[-1].name
    moving = []
    for p in calc.parameters:
        v = values.get(p.name)
        if not v or v < 0 or p.name in ("recompute", "zero_stage"):
            continue
        try:
            y0 = calc.calculation.evaluate(values)[main]
            y1 = calc.calculation.evaluate({**values, p.name: v * 2})[main]
        except CalculatorError:
            continue
        if not _same(y0, y1):
            moving.append(p.name)
    return (moving[0] if moving else "", moving[1] if len(moving) > 1 else None)


def plot_series(calc: Calculator, values: dict, x: str, series: str | None) -> list[tuple[float | None, list[tuple[float, float]]]]:
    """[(series value, [(x, main result)])]: the main result as x moves around the form's value."""
    main = calc.calculation.outputs[-1].name
    out = []
    for factor in (SERIES if series else (1,)):
        points = []
        for span in SPAN:
            given = {**values, x: values[x] * span}
            if series:
                given[series] = values[series] * factor
            try:
                y = calc.calculation.evaluate(given)[main]
            except CalculatorError:  # e.g. a fraction pushed over 1: that point is left out
                continue
            if y > 0 and math.isfinite(y):
                points.append((given[x], y))
        if len(points) > 1:
            out.append((given[series] if series else None, points))
    return out


def plot_html(calc: Calculator, values: dict, lang: str) -> str:
    """The main result against one input (log-log), a line for each of three values of another, as inline SVG.

    The legend is HTML under the plot (it wraps, never clipped); the lines differ in colour, dash and marker.
    """
    x, series = plot_inputs(calc, values)
    if not x:
        return ""
    lines = plot_series(calc, values, x, series)
    if not lines:
        return ""
    main = calc.calculation.outputs[-1]
    xp, sp = calc.calculation.var(x), calc.calculation.var(series) if series else None
    x_label = f"{quantity_words(x, xp.description, lang)} [{unit_words(xp.unit, lang)}]" if xp.unit else quantity_words(x, xp.description, lang)
    y_label = quantity_words(main.name, main.description, lang) + (f" [{unit_words(main.unit, lang)}]" if main.unit else "")
    legend = []
    for k, (s, _) in enumerate(lines):
        colour, dash, marker = LINE_STYLES[k % len(LINE_STYLES)]
        name = f"{quantity_words(series, sp.description, lang)} = {format_number(s, lang, digits=3)} {unit_words(sp.unit, lang)}".strip() if series else y_label
        legend.append(f'<li><svg width="34" height="12" aria-hidden="true"><line x1="1" y1="6" x2="33" y2="6" stroke="{colour}" '
                      f'stroke-width="2.5" stroke-dasharray="{dash}"/>{_marker(marker, 17, 6, colour)}</svg> {esc(name)}</li>')
    title = t("plot_title", lang).format(y=y_label, x=x_label)
    return (f'<figure class="kbqa-plot"><figcaption>{esc(title)}</figcaption>{svg_plot(lines, x_label, y_label, lang)}'
            f'<ul class="kbqa-legend">{"".join(legend)}</ul></figure>')


def tick_text(v: float, lang: str) -> str:
    """An axis label, short: 500B, 1.4T (500亿, 1.4万亿).

    >>> tick_text(5e11, "en"), tick_text(2e6, "en"), tick_text(5e11, "zh"), tick_text(0.25, "en")
    ('500B', '2M', '5000亿', '0.25')
    """
    text = format_number(v, lang, digits=3)
    for word, short in ((" thousand", "K"), (" million", "M"), (" billion", "B"), (" trillion", "T"), (" quadrillion", "P")):
        text = text.replace(word, short)
    return text


def _ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 ticks between lo and hi on a log axis (at least two)."""
    ticks = []
    for e in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            v = m * 10.0**e
            if lo <= v * (1 + 1e-9) and v <= hi * (1 + 1e-9):
                ticks.append(v)
    if len(ticks) > 6:
        ticks = [v for v in ticks if str(v).lstrip("0.").startswith("1")] or ticks[::2]
    return ticks or [lo, hi]


def svg_plot(lines, x_label: str, y_label: str, lang: str, width: int = 640, height: int = 300) -> str:
    left, right, top, bottom = 84, 24, 16, 56
    xs = [p[0] for _, pts in lines for p in pts]
    ys = [p[1] for _, pts in lines for p in pts]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if y0 == y1:
        y0, y1 = y0 / 2, y1 * 2

    def px(v):
        return left + (math.log10(v) - math.log10(x0)) / (math.log10(x1) - math.log10(x0)) * (width - left - right)

    def py(v):
        return height - bottom - (math.log10(v) - math.log10(y0)) / (math.log10(y1) - math.log10(y0)) * (height - top - bottom)

    out = [f'<svg class="kbqa-plot-svg" viewBox="0 0 {width} {height}" role="img" aria-label="{esc(y_label)} / {esc(x_label)}">']
    for v in _ticks(x0, x1):
        out.append(f'<line class="kbqa-grid" x1="{px(v):.1f}" y1="{top}" x2="{px(v):.1f}" y2="{height - bottom}"/>'
                   f'<text x="{px(v):.1f}" y="{height - bottom + 22}" text-anchor="middle">{esc(tick_text(v, lang))}</text>')
    for v in _ticks(y0, y1):
        out.append(f'<line class="kbqa-grid" x1="{left}" y1="{py(v):.1f}" x2="{width - right}" y2="{py(v):.1f}"/>'
                   f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{esc(tick_text(v, lang))}</text>')
    out.append(f'<text x="{(left + width - right) / 2:.0f}" y="{height - 6}" text-anchor="middle" class="kbqa-axis">{esc(x_label)}</text>')
    for k, (_, pts) in enumerate(lines):
        colour, dash, marker = LINE_STYLES[k % len(LINE_STYLES)]
        path = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" stroke-dasharray="{dash}"/>')
        out += [_marker(marker, px(a), py(b), colour) for a, b in pts]
    out.append("</svg>")
    return "".join(out)


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if kind == "triangle":
        return f'<polygon points="{x:.1f},{y - 4.5:.1f} {x - 4.5:.1f},{y + 3.5:.1f} {x + 4.5:.1f},{y + 3.5:.1f}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
