"""The fixed words of an answer, in both languages, shared by every renderer."""

from __future__ import annotations

VERDICT_LABELS = {
    "supported": ("✅ Supported by your notes", "✅ 笔记支持这一说法"),
    "contradicted": ("❌ Contradicted", "❌ 与笔记或重新计算的结果不符"),
    "not_found": ("❔ Not found in your notes", "❔ 笔记中找不到依据"),
    "supported_by_recomputation": ("✅ Supported by recomputation (no passage found that states this figure)",
                                   "✅ 重新计算支持这一说法（没有找到直接写出这个数字的段落）"),
    "contradicted_by_recomputation": ("❌ Contradicted by recomputation", "❌ 与重新计算的结果不符"),
}

WORDS = {
    "en": {
        "from_notes": "From your notes:", "sources": "Sources:", "lines": "lines",
        "not_covered": "Your notes do not cover this ({reason}). The closest passages, shown for reference only (they do not answer it):",
        "need_inputs": "To compute this with `{calculator}` I also need: {wanted}. Please give them in the question.",
        "cannot_calculate": "Cannot calculate: {message}",
        "claimed": "Claimed figure: ", "recomputed": "Recomputed: ", "notes_give": "The notes give ",
        "also_mentioned": "The claimed figure also appears in the notes {refs}, but recomputing it for what the claim is about does not give it.",
        "input": "input", "value": "value", "unit": "unit", "from": "from", "formula": "formula",
        "substitution": "substitution", "result": "result", "step": "step",
        "formula_and_substitution": "Formula and substitution:", "result_head": "Result:",
        "assumed": "Assumed (not given in the question): {names}; sources in the table.",
        "missing": "Missing inputs: ", "notices": "Notice",
        "error": "Something went wrong while answering", "refused": "Question refused",
        "details": "Details: quotes, steps and sources", "copy_markdown": "Copy as Markdown", "copy_text": "Copy as text",
    },
    "zh": {
        "from_notes": "笔记中的相关内容：", "sources": "来源：", "lines": "行",
        "not_covered": "笔记中没有找到这个问题的答案（{reason}）。以下是最接近的段落，仅供参考，并不回答该问题：",
        "need_inputs": "要用 `{calculator}` 计算，还需要：{wanted}。请在问题中给出这些数值。",
        "cannot_calculate": "无法计算：{message}",
        "claimed": "声称的数字：", "recomputed": "重新计算：", "notes_give": "笔记给出的是 ",
        "also_mentioned": "笔记中也出现了声称的数字 {refs}，但按说法中的对象重新计算得不到它。",
        "input": "输入", "value": "数值", "unit": "单位", "from": "来源", "formula": "公式",
        "substitution": "代入", "result": "结果", "step": "步骤",
        "formula_and_substitution": "公式与代入：", "result_head": "结果：",
        "assumed": "假设的输入（问题中未给出）：{names}，见上表来源。",
        "missing": "缺少的输入：", "notices": "提示",
        "error": "回答时出错", "refused": "无法回答这个问题",
        "details": "详情：引文、步骤与出处", "copy_markdown": "复制为 Markdown", "copy_text": "复制为纯文本",
    },
}


def words(lang: str) -> dict[str, str]:
    return WORDS["zh" if lang == "zh" else "en"]


def verdict_label(label: str, lang: str) -> str:
    return VERDICT_LABELS[label][1 if lang == "zh" else 0]


def wanted_text(wanted, lang: str) -> str:
    """'tokens (training tokens, token); mfu (...)' for a missing-inputs message."""
    items = [f"{name} ({description}{', ' + unit if unit else ''})" for name, description, unit in wanted]
    return ("；" if lang == "zh" else "; ").join(items)


def location(file: str, heading: str, lines: tuple[int, int], lang: str) -> str:
    """'notes.md › Training › Cost, lines 3–5'."""
    return f"{file}" + (f" › {heading}" if heading else "") + f", {words(lang)['lines']} {lines[0]}–{lines[1]}"


# unit atoms in Chinese (a unit is atoms joined by '/': 'USD/hour' -> '美元/小时'); others read the same
UNIT_ZH = {
    "parameter": "参数", "USD": "美元", "CNY": "元", "hour": "小时", "day": "天", "second": "秒", "s": "秒",
    "month": "月", "year": "年", "byte": "字节", "kW": "千瓦", "kWh": "千瓦时", "rack": "机柜", "server": "台服务器",
    "query": "次查询", "word": "字", "visitor": "访客", "question": "问题", "chip": "芯片", "unit": "台",
}


def unit_words(unit: str, lang: str) -> str:
    """A unit as the reader's language writes it.

    >>> unit_words("USD/hour", "zh"), unit_words("FLOP/s", "zh"), unit_words("byte/GPU", "en")
    ('美元/小时', 'FLOP/秒', 'byte/GPU')
    """
    if lang != "zh" or not unit:
        return unit
    return "/".join(UNIT_ZH.get(atom, atom) for atom in unit.split("/"))


# where a calculator input came from (app.routes.calc_inputs writes these in English)
SOURCE_ZH = {"question": "问题", "previous question": "上一个问题", "form": "表单", "default": "默认值",
             "hardware catalog": "硬件目录", "note": "笔记", "notes": "笔记", "the claim": "说法", "claim": "说法"}


def source_words(source: str, lang: str) -> str:
    """An input's source in the reader's language: the leading word is translated, a citation kept.

    >>> source_words("hardware catalog: NVIDIA A100 datasheet", "zh"), source_words("note [2]", "zh"), source_words("form", "en")
    ('硬件目录：NVIDIA A100 datasheet', '笔记 [2]', 'form')
    """
    if lang != "zh":
        return source
    head, sep, rest = source.partition(":")
    if head.strip() in SOURCE_ZH:
        return SOURCE_ZH[head.strip()] + ("：" + rest.strip() if sep else "")
    for word in sorted(SOURCE_ZH, key=len, reverse=True):
        if source.startswith(word + " "):
            return SOURCE_ZH[word] + source[len(word):]
    return source


def readable(value: float, lang: str = "en") -> str:
    """A number in a table as people read it: 70 billion, 312 trillion (700亿, 312万亿), not 7e10.

    >>> readable(7e10), readable(3.12e14, "zh"), readable(0.462), readable(729166.667)
    ('70 billion', '312万亿', '0.462', '729,167')
    """
    from calculators.numbers import format_number

    return format_number(value, lang if lang in ("en", "zh") else "en")
