"""The fixed words of an answer, in both languages, shared by every renderer."""

from __future__ import annotations

import re

from calculators.unit_words import UNIT_ZH, unit_words  # noqa: F401 (re-exported: units in Chinese live with the unit model)

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


# where a calculator input came from (app.routes.calc_inputs writes these in English)
SOURCE_ZH = {"question": "问题", "previous question": "上一个问题", "form": "表单", "default": "默认值",
             "hardware catalog": "硬件目录", "assumption": "假设", "note": "笔记", "notes": "笔记", "the claim": "说法", "claim": "说法"}


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


# what each calculator quantity (parameter or output, by its registry name) is, in Chinese; the English
# is the registry's own description. tests/test_ui_text.py checks that every registry name has an entry.
QUANTITY_ZH = {
    "achieved_flops": "单卡实际持续算力（非峰值）", "annual_decline": "每年下降比例（0.2 即 -20%）",
    "annual_queries": "每年搜索次数", "annual_rate": "年增长率（0.225 即 +22.5%）", "annual_revenue": "每年搜索收入（美元）",
    "bandwidth": "单卡 HBM 显存带宽", "batch": "同时解码的序列数（批大小）",
    "bytes_per_param": "每个权重的字节数（fp16/bf16 为 2，fp8/int8 为 1，int4 为 0.5）",
    "bytes_per_value": "每个缓存值的字节数（fp16 为 2，fp8 为 1）", "cache_hit_rate": "由缓存回答的查询比例",
    "carbon_intensity": "电网碳强度（每千瓦时的千克 CO2e）", "chinese_chars": "提示与回复中的汉字数（与英文词数分开计）",
    "chips": "并行训练的芯片数", "cost_per_query": "每次搜索的成本（美元）", "daily_visitors": "每日访客数",
    "data_parallel": "数据并行度（模型状态分片到的 GPU 数）", "days": "期限（实际天数）",
    "electricity_price": "电价（美元/千瓦时）", "flops": "算力预算（FLOP，C）",
    "flops_per_param_token": "每参数每 token 的 FLOP（前向加反向为 6，全量激活重算为 8）",
    "gpu_hours": "加速卡小时数（卡时）", "gpu_memory": "单卡显存（字节）", "gpu_power": "单卡功耗（瓦）",
    "gpus": "GPU 数量", "gpus_per_instance": "每个实例的 GPU 数", "gpus_per_server": "每台服务器的 GPU 数",
    "gradient_bytes_per_param": "每个参数的梯度字节数（fp16 为 2）", "head_dim": "单个注意力头的维度",
    "heads": "注意力头数", "hidden_size": "模型隐藏维度 d", "infrastructure_cost_factor": "自建后剩余的成本比例（笔记中为 1/2）",
    "instance_price_per_hour": "单个云实例每小时价格（美元）", "kv_bytes_per_token": "每条序列每个上下文 token 的 KV 缓存字节数",
    "kv_cache_bytes": "KV 缓存所需显存（字节）", "kv_heads": "每层的键/值头数", "layers": "Transformer 层数（L）",
    "margin": "服务商的毛利率", "memory_efficiency": "实际达到的显存带宽比例", "mfu": "模型算力利用率（MFU）",
    "micro_batch": "单卡同时容纳的序列数", "model_cost_factor": "换用更便宜模型后剩余的成本比例（笔记中为 1/4）",
    "optimizer_bytes_per_param": "每个参数的优化器状态字节数（混合精度 Adam 为 12，fp32 梯度时为 16）",
    "output_tokens": "每条序列生成的 token 数", "overhead": "额外显存比例（激活值：0.25 即多 25%）",
    "params": "模型参数量（N）", "peak_flops": "单芯片峰值稠密算力", "peak_to_average": "峰值负载与平均负载之比（1 表示按平均负载配置）",
    "per_generation_rate": "每代硬件的增长率（0.5 即 +50%）", "price_per_1k_tokens": "每千 token 的 API 价格（美元）",
    "price_per_chip_hour": "单芯片每小时价格（美元）", "price_per_gpu_hour": "单卡每小时价格（美元）",
    "prompt_tokens": "每条序列的提示 token 数", "prompt_words": "提示中的英文词数", "pue": "电能使用效率 PUE（设施功率/IT 功率）",
    "questions_per_visitor": "每位访客每天的提问数", "rack_power": "单个机柜功率（千瓦）", "rack_units": "机柜高度（U）",
    "racks": "机柜数", "recompute": "全量激活重算（1 开启，0 关闭）", "response_words": "每条回复的英文词数",
    "revenue_per_query": "每次搜索的收入（美元）", "samples": "每次查询采样的回复数", "seconds_per_word": "生成一个词的 GPU 时间（秒）",
    "seq_len": "训练序列长度（上下文 token 数）", "server_power": "单台服务器最大功率（千瓦）", "server_price": "单台服务器价格（美元）",
    "server_units": "服务器高度（U）", "servers": "服务器台数", "servers_per_rack": "每个机柜的服务器台数", "tokens": "训练 token 数（D）",
    "tokens_per_chinese_char": "每个汉字的 token 数（DeepSeek API 文档为 0.6；各分词器不同）",
    "tokens_per_param": "每个参数的训练 token 数", "tokens_per_second": "单芯片每秒处理的训练 token 数",
    "weight_bytes_per_param": "每个参数的权重字节数（fp16 为 2）", "words_per_1k_tokens": "每千 token 对应的英文词数",
    "words_per_question": "每个回答的词数", "years": "下降的年数", "years_per_generation": "每代硬件相隔的年数",
    "zero_stage": "ZeRO 阶段（0 不分片，1 分片优化器状态，2 再加梯度，3 再加权重）",
    # outputs
    "pf_days": "PF-day（每秒 10^15 次运算持续一天）", "chip_hours": "芯片小时数", "cost": "成本", "seconds": "秒数",
    "energy": "能耗", "emissions": "碳排放", "flops_per_token": "每个 token 的 FLOP", "tokens_per_query": "每次查询的 token 数",
    "price_per_query": "每次查询的价格", "gpu_hours_per_day": "每天的 GPU 小时数", "weight_bytes": "权重字节数",
    "kv_bytes_per_step": "每步读取的 KV 缓存字节数", "decode_compute_time": "解码一步的计算时间",
    "decode_memory_time": "解码一步的显存读取时间", "time_per_token": "每个 token 的时间",
    "decode_tokens_per_second": "每秒解码 token 数", "prefill_time": "预填充时间", "decode_cost_per_1k_tokens": "每千 token 的解码成本",
    "cost_per_1k_tokens": "每千 token 成本", "rack_cost": "单个机柜成本", "capital_cost": "初始投入",
    "facility_power": "设施总功率", "energy_per_day": "每日用电量", "electricity_cost_per_day": "每日电费",
    "electricity_cost_per_year": "每年电费", "training_bytes": "训练所需字节数", "state_bytes_per_gpu": "每卡模型状态字节数",
    "activation_bytes_per_gpu": "每卡激活值字节数", "bytes_per_gpu": "每卡字节数", "total_bytes": "总字节数", "loss": "损失",
    "cost_to_revenue": "成本收入比", "reduced_cost_per_query": "降本后的每次查询成本", "share_of_revenue": "占收入的比例",
    "remaining_fraction": "剩余比例", "total_decline": "总降幅",
}


def output_words(output, lang: str) -> str:
    """A calculator result as the reader's language writes it (an Output or Amount: name, value, unit).

    >>> from app.answer.model import Output
    >>> output_words(Output("seconds", 2259814.3, "second"), "zh"), output_words(Output("flops", 5.88e23, "FLOP"), "en")
    ('秒数 seconds = 225.981万 秒', 'flops = 5.88e23 FLOP')
    """
    label = output_label(output.name, lang)
    return f"{label} {output.name} = {value_words(output, lang)}" if label else f"{output.name} = {value_words(output, lang)}"


def output_label(name: str, lang: str) -> str:
    """What a result is, in Chinese ('' in English: the registry name says it)."""
    return QUANTITY_ZH.get(name, "") if lang == "zh" else ""


def value_words(amount, lang: str) -> str:
    """An amount's value and unit as the reader writes them: '225.981万 秒'."""
    return f"{result_number(amount.value, lang)} {unit_words(amount.unit, lang)}".rstrip()


def result_number(value: float, lang: str) -> str:
    """A result's number: in English all its digits grouped (1,398,072), in Chinese by 万 and 亿 (139.807万).

    >>> result_number(1398072.3, "en"), result_number(1398072.3, "zh")
    ('1,398,072', '139.807万')
    """
    from calculators.numbers import format_number

    return format_number(value, "zh") if lang == "zh" else format_number(value)


def step_words(step: str, outputs, lang: str) -> str:
    """A derivation line in the reader's language: a result line (calculators.errors.ResultStep) is written
    from the output it states, with the reader's numbers and unit words; formulas and substitutions as they are.

    >>> from app.answer.model import Output
    >>> from calculators.errors import ResultStep
    >>> step_words(ResultStep("days = 26.1553 day", "days"), [Output("days", 26.1553, "day")], "zh")
    'days = 26.1553 天'
    >>> step_words("days = seconds/86400", [Output("days", 26.1553, "day")], "zh")
    'days = seconds/86400'
    """
    name = getattr(step, "output", None)
    found = next((o for o in outputs if o.name == name), None) if name else None
    return f"{name} = {value_words(found, lang)}" if found else step


def quantity_words(name: str, english: str, lang: str) -> str:
    """What a calculator quantity is, in the reader's language (`english` is the registry's description).

    >>> quantity_words("params", "model parameters (N)", "zh"), quantity_words("params", "model parameters (N)", "en")
    ('模型参数量（N）', 'model parameters (N)')
    """
    if lang == "zh":
        return QUANTITY_ZH.get(name, english)
    return english
