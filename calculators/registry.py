"""One registry of every calculator: plain functions, their formulas, and tool schemas.

Each entry pairs a plain, typed, documented function (what Python callers and LLM
tools see) with the `Calculation` it evaluates (formulas, units, derivation).
Tool schemas (OpenAI function calling) are derived from the function's signature
and the `Args:` section of its docstring, never written by hand; units come from
the formulas' variables.

Examples
--------
>>> r = run("training_cost", params=175e9, tokens=300e9)
>>> round(r["cost"])
1398072
>>> r.inputs[3].source.split(":")[0]
'default'
>>> get("training_time").parameter("mfu").source_on("H100 SXM")
"46.2%, PaLM 540B's MFU on TPU v4: Chowdhery et al. 2022, ...; measured on TPU v4, assumed for H100 SXM"
>>> get("training_time").parameter("mfu").source_on("TPU v4").endswith("assumed for TPU v4")
False
>>> run("training_cost", params=175e9, cost=1.4e6, solve="tokens")["tokens"] / 1e9
300.41...
>>> tool_schema("tokens_for_budget")["function"]["parameters"]["required"]
['params', 'flops']
>>> run("fleet_size", visitors=1)
Traceback (most recent call last):
...
calculators.errors.InputError: visitors is not a parameter of fleet_size; parameters: daily_visitors, questions_per_visitor, words_per_question, seconds_per_word, peak_to_average, gpus_per_server
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from calculators import gpu_hours, growth, memory, racks, roofline, scaling, search_economics, serving, training
from calculators.errors import InputError, UnknownCalculator
from calculators.formula import Calculation, Result, Var
from calculators.unit_words import unit_words

_JSON_TYPES = {float: "number", int: "integer", str: "string", bool: "boolean"}


@dataclass(frozen=True)
class Parameter:
    name: str
    unit: str
    description: str
    default: float | None
    required: bool
    source: str  # where the default comes from: a paper, a datasheet, a price page, an article
    json_type: str
    measured_on: str = ""  # the chip the default was measured on

    def source_on(self, chip: str | None) -> str:
        """The default's source, saying so when the default was measured on another chip than the one in use."""
        if not (chip and self.measured_on) or same_chip(chip, self.measured_on):
            return self.source
        return f"{self.source}; measured on {self.measured_on}, assumed for {chip}"


def same_chip(name: str, measured_on: str) -> bool:
    """'A100 80GB' is an A100; 'H100 SXM' is not a TPU v4 (case, spaces and dashes aside)."""
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return key.startswith(re.sub(r"[^a-z0-9]", "", measured_on.lower()))


@dataclass(frozen=True)
class Calculator:
    function: Callable
    calculation: Calculation
    family: str
    title_zh: str
    solves: str | None = None  # for inverse calculators: the input solved from the given output

    @property
    def name(self) -> str:
        return self.function.__name__

    @cached_property
    def summary(self) -> str:
        return inspect.getdoc(self.function).split("\n\n")[0].replace("\n", " ")

    @cached_property
    def parameters(self) -> tuple[Parameter, ...]:
        docs = args_section(inspect.getdoc(self.function) or "")
        hints = typing.get_type_hints(self.function)
        out = []
        for p in inspect.signature(self.function).parameters.values():
            var = self.calculation.var(p.name)
            has_default = p.default is not inspect.Parameter.empty
            out.append(Parameter(
                name=p.name, unit=var.unit, description=docs.get(p.name, var.description),
                default=p.default if has_default else None, required=not has_default,
                source=var.source if has_default else "", json_type=_JSON_TYPES.get(hints.get(p.name), "number"),
                measured_on=var.measured_on if has_default else "",
            ))
        return tuple(out)

    def bind(self, inputs: dict, solve: str | None = None) -> tuple[dict, dict]:
        """(values, sources): the given inputs plus defaults, checked for unknown and missing names."""
        unknown = solve or self.solves
        names = [p.name for p in self.parameters]
        if solve:
            if self.solves:
                raise InputError(solve, f"cannot be solved for: {self.name} already solves for {self.solves}")
            self.calculation.var(solve)  # raises when no such quantity
            names = [n for n in names if n != solve] + [v.name for v in self.calculation.outputs]
        for key in inputs:
            if key == unknown:
                raise InputError(key, "is the unknown being solved for, so it cannot also be given")
            if key not in names:
                what = "a quantity of" if solve else "a parameter of"
                raise InputError(key, f"is not {what} {self.name}; parameters: {', '.join(names)}")
        values, sources = {}, {}
        for p in self.parameters:
            if p.name == unknown or p.name in inputs:
                continue
            if p.required:
                raise InputError(p.name, f"is required ({p.description}, in {p.unit or 'plain numbers'})",
                                 f"必须填写（单位：{unit_words(p.unit, 'zh') or '纯数字'}）")
            values[p.name] = p.default
            sources[p.name] = f"default: {p.source}" if p.source else "default"
        values.update(inputs)
        return values, sources

    def run(self, solve: str | None = None, **inputs) -> Result:
        values, sources = self.bind(inputs, solve)
        return self.calculation.run(values, solve=solve or self.solves, calculator=self.name, sources=sources)

    def var(self, name: str) -> Var:
        return self.calculation.var(name)

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise InputError(name, f"is not a parameter of {self.name}; parameters: "
                               f"{', '.join(p.name for p in self.parameters)}")


def args_section(doc: str) -> dict[str, str]:
    """Parameter descriptions from a Google-style `Args:` section.

    >>> args_section("Sum.\\n\\nArgs:\\n    a: first\\n        and more\\n    b: second\\n\\nReturns:\\n    x")
    {'a': 'first and more', 'b': 'second'}
    """
    out: dict[str, str] = {}
    current, indent, inside = None, None, False
    for line in doc.splitlines():
        stripped = line.strip()
        if not inside:
            inside = stripped == "Args:"
            continue
        if not stripped:
            continue
        depth = len(line) - len(line.lstrip())
        indent = depth if indent is None else indent
        if depth < indent:  # the next section ('Returns:') or the end
            break
        match = re.match(r"(\w+)(?:\s*\([^)]*\))?:\s*(.*)", stripped)
        if depth == indent and match:
            current = match.group(1)
            out[current] = match.group(2)
        elif current:
            out[current] = f"{out[current]} {stripped}"
    return out


CALCULATORS: dict[str, Calculator] = {c.name: c for c in (
    Calculator(training.training_compute, training.TRAINING_COMPUTE, "training", "训练算力（FLOPs 与 PF-day）"),
    Calculator(training.training_cost, training.TRAINING_COST, "training", "训练成本"),
    Calculator(training.training_time, training.TRAINING_TIME, "training", "训练时长"),
    Calculator(training.training_compute_with_attention, training.TRAINING_COMPUTE_ATTENTION, "training",
               "含注意力项的训练算力（6N + 12·层数·d·序列长度）"),
    Calculator(training.tokens_for_budget, training.TRAINING_COMPUTE, "training", "给定算力预算的训练 token 数",
               solves="tokens"),
    Calculator(training.params_for_budget, training.TRAINING_COMPUTE, "training", "给定算力预算的模型参数量",
               solves="params"),
    Calculator(training.chips_for_deadline, training.TRAINING_TIME, "training", "按期完成训练所需芯片数",
               solves="chips"),
    Calculator(training.training_time_achieved, training.TRAINING_TIME_ACHIEVED, "training",
               "按实际达到的单卡算力计算训练时长"),
    Calculator(training.training_time_from_tokens_per_second, training.TRAINING_TIME_TOKENS, "training",
               "按单卡每秒 token 吞吐计算训练时长"),
    Calculator(gpu_hours.gpu_hours_cost, gpu_hours.GPU_HOURS, "gpu_hours", "GPU 小时（卡时）的成本、能耗与排放"),
    Calculator(gpu_hours.gpu_hours_energy, gpu_hours.GPU_HOURS, "gpu_hours", "GPU 小时（卡时）的能耗（含 PUE）"),
    Calculator(serving.cost_per_1k_tokens, serving.TOKEN_COST, "serving", "每千 token 推理成本"),
    Calculator(serving.cost_per_query, serving.QUERY_COST, "serving", "每次查询成本"),
    Calculator(serving.fleet_size, serving.FLEET, "serving", "推理集群规模（GPU 与服务器数）"),
    Calculator(roofline.roofline_cost_per_1k_tokens, roofline.ROOFLINE, "serving",
               "按 roofline 计算每千 token 推理成本（含批大小与显存带宽）"),
    Calculator(roofline.decode_tokens_per_second, roofline.ROOFLINE, "serving", "解码吞吐（每秒 token 数，按显存带宽）"),
    Calculator(roofline.time_per_output_token, roofline.ROOFLINE, "serving", "每个输出 token 的延迟（解码一步的时间）"),
    Calculator(racks.rack_count, racks.RACK_COUNT, "racks", "机柜数量"),
    Calculator(racks.rack_capital_cost, racks.CAPITAL, "racks", "机柜初始投入"),
    Calculator(racks.rack_power, racks.POWER, "racks", "机柜功率、日用电量与电费"),
    Calculator(racks.rack_energy, racks.ENERGY_FROM_RACK_POWER, "racks", "按单柜功率计算日用电量与电费"),
    Calculator(memory.training_memory, memory.TRAINING_MEMORY, "memory", "训练显存需求"),
    Calculator(memory.training_memory_per_gpu, memory.TRAINING_MEMORY_ZERO, "memory",
               "每张卡的训练显存（ZeRO 分片与激活值）"),
    Calculator(memory.inference_memory, memory.INFERENCE_MEMORY, "memory", "推理显存需求（权重）"),
    Calculator(memory.kv_cache, memory.KV_CACHE, "memory", "KV 缓存大小"),
    Calculator(memory.kv_cache_from_hidden, memory.KV_CACHE_HIDDEN, "memory", "按隐藏层维度计算 KV 缓存大小"),
    Calculator(scaling.chinchilla_loss, scaling.CHINCHILLA_LOSS, "scaling", "Chinchilla 损失函数"),
    Calculator(scaling.params_20_tokens_rule, scaling.RULE_OF_THUMB, "scaling",
               "算力最优规模：每参数 20 个 token 的经验法则"),
    Calculator(scaling.params_parametric_optimum, scaling.PARAMETRIC_OPTIMUM, "scaling",
               "算力最优规模：Chinchilla 参数化拟合的最优解"),
    Calculator(search_economics.revenue_per_query, search_economics.REVENUE_PER, "search", "每次搜索收入"),
    Calculator(search_economics.cost_to_revenue, search_economics.COST_RATIO, "search", "成本收入比"),
    Calculator(search_economics.stacked_cost_reduction, search_economics.REDUCED, "search", "叠加降本后的每次查询成本"),
    Calculator(growth.annual_rate, growth.GENERATION_TO_ANNUAL, "growth", "每代增长率换算为年增长率"),
    Calculator(growth.per_generation_rate, growth.GENERATION_TO_ANNUAL, "growth", "年增长率换算为每代增长率",
               solves="per_generation_rate"),
    Calculator(growth.compound_decline, growth.DECLINE, "growth", "复合下降"),
)}


def get(name: str) -> Calculator:
    try:
        return CALCULATORS[name]
    except KeyError:
        raise UnknownCalculator(name, list(CALCULATORS)) from None


def run(name: str, solve: str | None = None, **inputs) -> Result:
    """Run a calculator by name: inputs are floats in the declared unit or parsed Quantities."""
    return get(name).run(solve=solve, **inputs)


def tool_schema(name: str) -> dict:
    """An OpenAI function-calling schema, derived from the function's signature and docstring."""
    calc = get(name)
    properties = {}
    for p in calc.parameters:
        unit = f" [{p.unit}]" if p.unit else ""
        default = f" (default {p.default:g})" if p.default is not None else ""
        properties[p.name] = {"type": p.json_type, "description": f"{p.description}{unit}{default}"}
    return {
        "type": "function",
        "function": {
            "name": calc.name,
            "description": f"{calc.summary} ({calc.title_zh})",
            "parameters": {
                "type": "object",
                "properties": properties,
                "required": [p.name for p in calc.parameters if p.required],
            },
        },
    }


def tool_schemas() -> list[dict]:
    return [tool_schema(name) for name in CALCULATORS]
