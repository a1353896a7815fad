"""The Calculators tab's library side: forms derived from the registry, runs, and plot data.

Nothing here knows a calculator by name except the three plots: a calculator added
to `calculators.registry.CALCULATORS` gets a form without UI code.

>>> html_ = run_form("training_cost", {"params": "175B", "tokens": "300B"}, "en")
>>> "1,398,072" in html_ and "kbqa-calc-steps" in html_
True
"""

from __future__ import annotations

import html

from app.answer.model import Calculation, InputUsed, Output
from calculators.formula import format_number as fmt
from app.answer.render_html import calculation_html, esc
from calculators.errors import CalculatorError
from calculators.registry import CALCULATORS, Calculator


def calculator_choices(lang: str) -> list[tuple[str, str]]:
    """(label, name) for a dropdown, grouped by family."""
    out = []
    for name, calc in sorted(CALCULATORS.items(), key=lambda kv: kv[1].family):
        title = calc.title_zh if lang == "zh" else calc.summary.rstrip(".")
        out.append((f"{calc.family} · {title} ({name})", name))
    return out


def default_text(value) -> str:
    """A default as the form shows it: a plain number the parser reads back exactly.

    >>> default_text(275e12), default_text(0.462), default_text(8), default_text(None)
    ('275000000000000', '0.462', '8', '')
    """
    if value is None:
        return ""
    return f"{float(value):.15g}" if float(value) != int(value) or abs(value) < 1e16 else f"{float(value):.6e}"


def form_intro(calc: Calculator, lang: str) -> str:
    """Markdown-free HTML: what the calculator does, its formula, and each default with its citation."""
    rows = []
    for p in calc.parameters:
        if p.required:
            where = "required" if lang != "zh" else "必填"
        else:
            where = f"{fmt(float(p.default))} {p.unit}".strip() + (f" — {p.source}" if p.source else "")
        rows.append(f"<tr><td><code>{esc(p.name)}</code></td><td>{esc(p.description)}</td><td>{esc(where)}</td></tr>")
    head = ("参数", "含义", "默认值与出处") if lang == "zh" else ("parameter", "meaning", "default and its source")
    from calculators.formula import expression_text

    formula = "; ".join(f"{f.output.name} = {expression_text(f.expression)}" for f in calc.calculation.formulas)
    title = calc.title_zh if lang == "zh" else calc.summary
    return (f'<div class="kbqa-calc-intro"><p><strong>{esc(title)}</strong> <code>{esc(calc.name)}</code></p>'
            f'<p class="kbqa-formula"><code>{esc(formula)}</code></p>'
            f'<table class="kbqa-table"><thead><tr><th>{head[0]}</th><th>{head[1]}</th><th>{head[2]}</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def parse_inputs(calc: Calculator, texts: dict[str, str]) -> dict:
    """Form text -> calculator inputs; an empty field means 'use the default'."""
    from calculators.units import parse_quantity

    values = {}
    for p in calc.parameters:
        text = (texts.get(p.name) or "").strip()
        if not text:
            continue
        try:
            values[p.name] = parse_quantity(text, allow_negative=True)
        except CalculatorError as exc:
            raise CalculatorError(f"{p.name}: {exc}") from None
    return values


def run_form(name: str, texts: dict[str, str], lang: str) -> str:
    """Run calculator `name` on the form's text; the result with its derivation, as HTML."""
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
    return calculation_html(shown, lang)


def error_box(message: str) -> str:
    return f'<div class="kbqa-error">⚠ {html.escape(message)}</div>'


# --- plots -----------------------------------------------------------------------------------


def _series(values, fn):
    return [(v, fn(v)) for v in values]


def cost_vs_params():
    """Training cost (US$ million) against parameters (billions), for three token budgets."""
    import pandas as pd

    calc = CALCULATORS["training_cost"]
    rows = []
    for tokens, label in ((300e9, "300B tokens"), (1.4e12, "1.4T tokens"), (3e12, "3T tokens")):
        for billions in (1, 7, 13, 30, 70, 175, 280, 540, 1000):
            cost = calc.run(params=billions * 1e9, tokens=tokens)["cost"]
            rows.append({"parameters (B)": billions, "cost (US$ M)": round(cost / 1e6, 3), "tokens": label})
    return pd.DataFrame(rows)


def gpus_vs_users():
    """A100s needed against daily visitors, for 5, 10 and 20 questions a visitor."""
    import pandas as pd

    calc = CALCULATORS["fleet_size"]
    rows = []
    for questions in (5, 10, 20):
        for millions in (1, 5, 10, 13, 25, 50, 100):
            gpus = calc.run(daily_visitors=millions * 1e6, questions_per_visitor=questions)["gpus"]
            rows.append({"daily visitors (M)": millions, "A100 GPUs": gpus, "questions a visitor": f"{questions} questions"})
    return pd.DataFrame(rows)


def cost_vs_mfu():
    """GPT-3 (175B x 300B) training cost against MFU, for three chip-hour prices."""
    import pandas as pd

    calc = CALCULATORS["training_cost"]
    rows = []
    for price in (1.0, 2.03, 3.22):
        for mfu in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.462, 0.5, 0.55, 0.6):
            cost = calc.run(params=175e9, tokens=300e9, mfu=mfu, price_per_chip_hour=price)["cost"]
            rows.append({"MFU (%)": round(mfu * 100, 1), "cost (US$ M)": round(cost / 1e6, 3), "price": f"${price:.2f}/chip-hour"})
    return pd.DataFrame(rows)
