"""A calculation as Markdown: the inputs and where each came from, the formula, the
substitution and the result with units, in the question's language."""

from __future__ import annotations

from app.answer.model import Calculation
from calculators.formula import format_number as fmt


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
