"""A calculation as Markdown: the inputs and where each came from, the formula, the
substitution and the result with units, in the question's language."""

from __future__ import annotations

from app.answer_data import Calculation


def fmt(value: float) -> str:
    """Numbers as people read them: 1,398,072; 0.0035; 3.15e+23.

    >>> fmt(1398072.4), fmt(0.003515), fmt(3.15e23), fmt(30382.0)
    ('1,398,072', '0.003515', '3.15e+23', '30,382')
    """
    if value == 0:
        return "0"
    a = abs(value)
    if a >= 1e15 or a < 1e-4:
        return f"{value:.4g}"
    if a >= 100:
        return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 or a >= 1000 else f"{value:,.2f}"
    return f"{value:.4g}"


def calculation_text(calc: Calculation, request, lang: str) -> str:
    zh = lang == "zh"
    lines = [f"**{calc.title}** (`{calc.calculator}`)", ""]
    head = "| 输入 | 数值 | 单位 | 来源 |" if zh else "| input | value | unit | from |"
    lines += [head, "|---|---|---|---|"]
    for i in calc.inputs:
        lines.append(f"| {i.name} | {fmt(i.value)} | {i.unit} | {i.source} |")
    lines.append("")
    if calc.steps:
        lines.append(("公式与代入：" if zh else "Formula and substitution:"))
        lines.append("```")
        lines += list(calc.steps)
        lines.append("```")
    lines.append(("结果：" if zh else "Result:"))
    for o in calc.outputs:
        lines.append(f"- **{o.name} = {fmt(o.value)} {o.unit}**".rstrip())
    assumed = list(getattr(request, "assumed", []) or [])
    if assumed:
        names = ", ".join(assumed)
        lines.append("")
        lines.append((f"假设的输入（问题中未给出）：{names}，见上表来源。" if zh else f"Assumed (not given in the question): {names}; sources in the table."))
    missing = list(getattr(request, "missing", []) or [])
    if missing:
        lines.append(("缺少的输入：" if zh else "Missing inputs: ") + ", ".join(missing))
    for note in calc.notes:
        lines.append(f"_{note}_")
    return "\n".join(lines)
