"""The offline router for calculations: is this question a calculation, which one, with what inputs?

A question is a calculation when it asks to compute (how many / how much / 需要多少 /
多少天 / 电费是多少 ...), names a calculator's subject in either language (training
cost, racks, kWh, per 1,000 tokens ...), and gives at least one input the calculator
takes; or when it follows up on the previous calculation ("what if MFU is 40%?",
"换成H100呢？"). A number alone does not make a calculation: "GPT-3 的 1750 亿参数是
怎么来的" asks about the notes. Claims ("Is it true that ...", "...真的...吗") go to
the claims checker: `detect_calculation` returns None for them; the checker recomputes a
claimed figure with `calculation_for_claim` when the claim gives every required input.

Missing inputs are filled from the hardware catalog (a chip or server named in the
question), from a model named in the question (GPT-3: 175B parameters, as the notes
say), or from the registry's defaults, each with its source, and listed in `assumed`.
A required input that none of these gives is listed in `missing`: the answer asks for it.

Examples
--------
>>> req = detect_calculation("用1000张H100训练700亿参数、1.4万亿token要多少天")
>>> req.calculator, req.inputs["chips"].value, req.inputs["params"].value, req.assumed
('training_time', 1000.0, 70000000000.0, ['peak_flops', 'mfu'])
>>> req.inputs["peak_flops"].source.split(",")[0]
'hardware catalog: H100 SXM'
>>> detect_calculation("GPT-3 的 1750 亿参数是怎么来的") is None
True
>>> round(run_request(detect_calculation("what if MFU is 40%?", previous=req)).outputs[0].value, 1)
17.2

About 650 lines on purpose: the intents (which calculator), filling inputs and follow-ups share the
question's quantities and the registry; the cue tables for single inputs live in calc_inputs.py, chains in chain.py.
"""

from __future__ import annotations

import functools
import inspect
import re
from dataclasses import dataclass, field, replace

from app.answer.model import Calculation, InputUsed, Output
from app.question.asked import is_claim_question
from app.question.quantities import QuestionQuantity, hardware_named, question_quantities
from app.routes.calc_inputs import Assignment, assign, implied_rate
from app.routes.chain import CHAIN, Chain, find_chain
from app.question import Question, as_question
from app.routes.model_facts import model_inputs
from calculators import memory
from calculators.conversions import UnitMismatch, compatible, convert, json_unit  # noqa: F401 (re-exported)
from calculators.dimensions import COUNTS, parse_unit
from calculators.errors import Said
from calculators.registry import CALCULATORS, Calculator, get
from calculators.unit_words import unit_words

QUESTION = "question"
PREVIOUS = "previous question"


@dataclass
class CalcRequest:
    calculator: str  # registry name
    inputs: dict[str, InputUsed]  # every input given or filled in, with its source
    solve: str | None = None  # an input solved for from a given result
    assumed: list[str] = field(default_factory=list)  # inputs filled from defaults, the catalog or a model name
    missing: list[str] = field(default_factory=list)  # required inputs nobody gave: ask for them
    language: str = "en"
    target: str | None = None  # the output the question asks for
    alternatives: list[str] = field(default_factory=list)  # other calculators that answer it differently
    unused: list[str] = field(default_factory=list)  # quantities of the question not used, each with the reason
    chain: Chain | None = None  # when no named calculator fits: the unit-checked chain of the question's quantities


# ------------------------------------------------------------------ what a question asks

_ASKS_TO_COMPUTE = re.compile(
    r"\bhow (?:many|much|long|big|large)\b|\bwhat (?:[\w-]+\s+){0,3}?(?:would|will|does|do|did|is|are)\b|\bwhat's\b|\bwhat (?:fraction|share|percentage|part|proportion)\b|\bwhat if\b|\bcompute\b"
    r"|\bcalculate\b|\bestimate\b|\bwork out\b|\bhow about\b|\bwhat about\b|\band (?:with|if|at|for)\b"
    r"|多少|几[天台张个块片颗小月年]|多久|多长|多大|算一下|算算|计算|估算|估计|是多少|怎么算|呢\s*[？?]?\s*$",
    re.I)
_ABOUT_THE_NOTES = re.compile(
    r"怎么来的|从哪|为什么|为何|根据什么|出处|来源|作者|是谁|说了什么|提到|文章|报告|笔记|\bwhy\b|\bwho\b"
    r"|\baccording to\b|\bthe notes?\b|\bthe (?:article|report)\b|\bdid\s+\S+(?:\s+\S+)?\s+(?:say|claim|report|process|have|reach)\b"
    r"|\bwhere does\b|\bcome from\b",
    re.I)
_FOLLOW_UP = re.compile(
    r"^\s*(?:what if|and (?:with|if|for|at|on|using)|how about|what about|with|if|instead|now with|same (?:but|with)"
    r"|换成|换为|换用|改成|改为|改用|如果|要是|假如|假设|那|若|用)|呢\s*[？?]?\s*$|\binstead\b",
    re.I)


def _clauses(question: str) -> list[str]:
    return [c for c in re.split(r"[,，;；]\s*|(?<=[?？])\s*(?=\S)|\s+and\s+(?=is\b|are\b|does\b|do\b)", question) if c.strip()]


def without_claims(question: str) -> str:
    """The question with its claim clauses removed ('..., and is $1.4M right?' -> '...')."""
    return "，".join(c for c in _clauses(question) if not is_claim_question(c))


# ------------------------------------------------------------------ which calculator

_TRAIN = r"\btrain|训练|pre-?train"
_COST = r"\bcosts?\b|\bspend|\bprice|how much money|\$|美元|成本|花费|费用|多少钱|花多少|开销"
_BUDGET = r"\bbudget|预算|\bafford"
_OPTIMAL = r"compute[- ]optimal|算力最优|chinchilla[- ]optimal|\boptimal\b|最优"
_MEMORY = r"\bmemory\b|显存|内存|\bHBM\b|\bVRAM\b|\d\s*[GT]B(?![A-Za-z0-9/])|\bbytes\b|字节"
_RACKS = r"\bracks?\b|机柜|cabinets?"
_POWER = r"\bkWh\b|electric|\bpower\b|\benergy\b|电费|用电|耗电|电量|度电|功率|电价"
_HOW_LONG = (r"how long|how many (?:days|weeks|months|hours)|多少天|多久|多长时间|几天|几个月|多少(?:个)?小时"
             r"|\bwall[- ]clock|\btime\b|时间")
_ACHIEVED = (r"sustain|achiev|\bactual|实际|实测|跑到|达到|recompute|重计算|FLOPs? per param\w* per token"
             r"|每.{0,4}(?:参数|param).{0,6}token")
_TOKEN_RATE = r"tokens?\s*/\s*s(?:ec)?\b|tokens? (?:per|a|each) second|每秒.{0,12}(?:token|词元)|(?:token|词元)\s*/\s*秒"
_GPU_HOURS = r"GPU[- ]?hours?|GPU\s*小时|卡时|chip[- ]hours?|accelerator[- ]hours?"
_GENERATION = r"generation|每代|一代|每一代|代际"
_PER_1K = r"per (?:1,?000|1k|thousand|million|1M) tokens?|每千|每百万|每\s*1,?000\s*个?\s*tokens?|/\s*1[kKM]|per token|每个token"
# a roofline's inputs: batch size, memory bandwidth, decode
_ROOFLINE = (r"\bbatch|批大小|批量|批次|bandwidth|带宽|\d\s*[TG]B/s|memory[- ]bound|roofline|decod|解码|\bKV\b"
             r"|prefill|预填充")
_ASKS_RATE = (r"how many tokens? (?:per|a|each) second|tokens?\s*/\s*s\b.{0,20}\?|throughput|吞吐"
              r"|每秒.{0,8}多少|多少.{0,6}(?:token|词元)\s*/\s*秒|tokens? per second")
_ASKS_STEP_TIME = (r"latency|延迟|time per (?:output )?token|per[- ]token (?:time|latency)|每个?\s*(?:输出\s*)?(?:token|词元).{0,8}"
                   r"(?:时间|多久|延迟|耗时)|(?:ms|milliseconds?|毫秒) (?:per|a|each) token|inter-token|TPOT")
_ASKS_PREFILL = r"prefill|预填充|time to first token|TTFT|首\s*(?:个\s*)?(?:token|词元)"
_ASKS_LATENCY = rf"{_ASKS_STEP_TIME}|{_ASKS_PREFILL}"
_PER_YEAR = r"per year|a year|\bannual|yearly|每年|年化|年增长|一年"


@dataclass(frozen=True)
class Intent:
    calculator: str
    needs: tuple[str, ...]  # every one must match
    bonus: tuple[str, ...] = ()
    avoid: str = ""  # rules it out


INTENTS: tuple[Intent, ...] = (
    Intent("training_compute", (_TRAIN, r"FLOPs?\b(?!\s*utili)|PF-?days?|算力|计算量|\bcompute\b|浮点"),
           avoid=rf"{_BUDGET}|{_COST}|how long|(?<!PF-)\bdays\b|多少天|多久|{_MEMORY}|{_OPTIMAL}"),
    Intent("training_cost", (_TRAIN, _COST), avoid=r"per (?:1,?000|1k|thousand) tokens?|每千|per (?:query|search)"),
    Intent("training_time", (_TRAIN, r"how long|how many (?:days|weeks|months|hours)|多少天|多久|多长时间|几天|几个月"
                                     r"|多少(?:个)?小时|\bwall[- ]clock|\btime\b|时间"),
           avoid=r"\bwithin\b|天内|以内|之内|deadline|\bin under\b"),
    Intent("chips_for_deadline", (_TRAIN, r"how many (?:\w+\s+)?(?:GPUs|chips|cards|accelerators|H100s?|A100s?|TPUs?)"
                                          r"|多少(?:张|片|块|个|颗)|几(?:张|片|块|颗)",
                                  r"\bwithin\b|\bin \d+ days|天内|以内|之内|deadline|\d+\s*(?:days|天)")),
    Intent("tokens_for_budget", (_BUDGET, r"how many tokens|多少(?:个)?\s*tokens?|tokens? can|token数"),
           avoid=_OPTIMAL),
    Intent("params_for_budget", (_BUDGET, r"how (?:big|large)|model size|how many param|多大|多少参数|参数量|参数规模"),
           avoid=_OPTIMAL),
    Intent("cost_per_1k_tokens", (r"per (?:1,?000|1k|thousand) tokens?|每千|每\s*1,?000\s*个?\s*tokens?|/\s*1k|per token|每个token",
                                  r"cost|成本|费用|\bprice|inference|serv|推理|多少钱"),
           avoid=r"query|search|查询|搜索|\bprompt|\bsampled?\b|cache|缓存"),
    Intent("cost_per_query", (r"quer(?:y|ies)|search|requests?|\bchat\b|conversation|查询|搜索|请求|对话|单次|一次问答",
                              r"cost|成本|费用|多少钱|花费"),
           bonus=(r"per (?:query|search|request)|每次", r"cache|缓存|margin|毛利|sampl|采样"),
           avoid=r"revenue|收入|营收|reduc|\bcut\b|quarter|一半|四分之一"),
    Intent("fleet_size", (r"visitors?|users?|访客|用户|访问量|日活|traffic|流量",
                          r"GPUs?|servers?|服务器|显卡|卡|A100|H100|芯片|machines")),
    Intent("rack_count", (_RACKS, r"how many racks|多少(?:个)?机柜|几个机柜|racks? (?:are|is|would be|will be) needed"
                                  r"|需要.{0,8}机柜|number of racks"),
           avoid=rf"{_POWER}|{_COST}|投入|capital|invest"),
    Intent("rack_capital_cost", (_RACKS, rf"{_COST}|invest|capital|投入"), avoid=_POWER),
    Intent("rack_power", (rf"{_RACKS}|servers?|服务器|DGX", _POWER)),
    Intent("rack_energy", (rf"{_RACKS}|kW\b", _POWER)),
    Intent("training_memory", (_MEMORY, r"\btrain|训练|Adam|optimi[sz]er|优化器|gradients?|梯度"),
           avoid=r"KV[- ]?cache|KV\s*缓存"),
    Intent("training_memory_per_gpu", (_MEMORY, r"\btrain|训练|Adam|optimi[sz]er|优化器|ZeRO|DeepSpeed|FSDP",
                                       r"ZeRO|DeepSpeed|FSDP|activations?|激活|recomput|重计算|checkpointing"),
           avoid=r"overhead|开销|\d\s*%|KV[- ]?cache|KV\s*缓存"),
    Intent("training_compute_with_attention", (_TRAIN, r"FLOPs?\b(?!\s*utili)|PF-?days?|算力|计算量|\bcompute\b|浮点",
                                               r"attention|注意力|seq(?:uence)?[- ]length|context length|序列长度|上下文长度"),
           avoid=rf"{_BUDGET}|{_COST}|how long|多少天|多久|{_MEMORY}|{_OPTIMAL}"),
    Intent("inference_memory", (_MEMORY, r"weights?|权重|FP16|BF16|FP8|INT8|INT4|FP32|FP4|inference|推理|\bserv|\bload|部署|加载"),
           avoid=r"KV[- ]?cache|KV\s*缓存|\btrain|训练|Adam"),
    Intent("kv_cache", (r"KV[- ]?cache|KV\s*缓存|key[- ]value cache",)),
    Intent("kv_cache_from_hidden", (r"KV[- ]?cache|KV\s*缓存|key[- ]value cache", r"hidden|d_model|隐藏|隐层"),
           avoid=r"head[- ]?dim|KV heads|头维度"),
    Intent("roofline_cost_per_1k_tokens", (_PER_1K, r"cost|成本|费用|\bprice|多少钱", _ROOFLINE),
           avoid=r"query|search|查询|搜索|\btrain|训练"),
    Intent("decode_tokens_per_second", (_ASKS_RATE, _ROOFLINE), avoid=r"\btrain|训练|how long|多久|多少天"),
    Intent("time_per_output_token", (_ASKS_LATENCY, _ROOFLINE), avoid=r"\btrain|训练"),
    Intent("training_time_achieved", (_TRAIN, _HOW_LONG, _ACHIEVED), avoid=r"\bMFU\b|utili[sz]ation|利用率"),
    Intent("training_time_from_tokens_per_second", (_TOKEN_RATE, _HOW_LONG)),
    Intent("gpu_hours_cost", (_GPU_HOURS, _COST), avoid=_POWER),
    Intent("gpu_hours_energy", (_GPU_HOURS, _POWER)),
    Intent("chinchilla_loss", (r"\bloss\b|损失",)),
    Intent("params_20_tokens_rule", (rf"{_OPTIMAL}|chinchilla", r"model size|how (?:big|large)|how many param|parameters|多大|参数|规模|\bsize"),
           bonus=(r"20\s*tokens|20\s*个?\s*token|\brule\b|法则|经验",), avoid=r"parametric|\bfit\b|拟合|\bloss\b|损失"),
    Intent("params_parametric_optimum", (rf"{_OPTIMAL}|chinchilla", r"parametric|\bfit\b|拟合")),
    Intent("revenue_per_query", (r"revenue|收入|营收", r"per (?:search|query)|a (?:search|query)|每次|每个查询|单次|每一次"),
           avoid=r"cost|成本"),
    Intent("cost_to_revenue", (r"cost|成本", r"revenue|收入|营收"), bonus=(r"ratio|times|比|倍|占|share|percent|%",),
           avoid=r"reduc|\bcut\b|\blower\b|降|quarter|\bhalf\b|一半|四分之一"),
    Intent("stacked_cost_reduction", (r"cost|成本", r"reduc|\bcut\b|\blower\b|降|quarter|\bhalf\b|一半|四分之一|in-house|自建"
                                                    r"|quantiz|distill|量化|蒸馏")),
    Intent("annual_rate", (_GENERATION, _PER_YEAR), bonus=(r"how much (?:a|per|each) year|每年.{0,8}多少|年化.{0,8}多少|annual(?:ized)? rate",)),
    Intent("per_generation_rate", (_GENERATION, _PER_YEAR),
           bonus=(r"(?:per|a|each) generation\s*\??\s*$|每(?:一)?代.{0,8}多少|how much (?:per|a|each) generation",)),
    Intent("compound_decline", (r"declin|\bfall|\bdrop|decreas|下降|降低|减少|跌", r"years?|年"),
           bonus=(r"per year|a year|每年|annual",), avoid=_GENERATION),
)


def intent_score(intent: Intent, question: str) -> float:
    """len(needs) + 0.5 a bonus when every need matches and nothing rules it out, else 0."""
    if intent.avoid and re.search(intent.avoid, question, re.I):
        return 0.0
    if not all(re.search(n, question, re.I) for n in intent.needs):
        return 0.0
    return len(intent.needs) + 0.5 * sum(bool(re.search(b, question, re.I)) for b in intent.bonus)


def embedding_scores(question: str, embedder) -> dict[str, float]:
    """Cosine similarity of the question to each calculator's description (summary and Chinese title)."""
    import numpy as np

    names = list(CALCULATORS)
    cache = _DESCRIPTION_VECTORS.setdefault(id(embedder), {})
    if not cache:  # one batched call: several times faster than one call per description
        texts = [f"{CALCULATORS[n].summary} ({CALCULATORS[n].title_zh})" for n in names]
        for name, vector in zip(names, embedder.passages(texts)):
            cache[name] = np.asarray(vector, dtype=float)
    q = np.asarray(embedder.query(question), dtype=float)
    out = {}
    for name in names:
        v = cache[name]
        out[name] = float(q @ v / (np.linalg.norm(q) * np.linalg.norm(v) or 1.0))
    return out


_DESCRIPTION_VECTORS: dict[int, dict] = {}
EMBEDDING_WEIGHT = 1.0  # a clearly better description match is worth about one keyword group


# ------------------------------------------------------------------ filling inputs

def _catalog(source) -> str:
    return f"hardware catalog: {source}"


def chip_in_use(text: str) -> str | None:
    """The chip (or server) the question names first: a default measured on another is assumed for it."""
    named = hardware_named(text)
    return named[0].name if named else None


def default_source(p, chip: str | None) -> str:
    """'default: <public source>', saying so when the default was measured on another chip than the one named
    ('46.2%, PaLM 540B's on TPU v4 ...; measured on TPU v4, assumed for H100 SXM')."""
    source = p.source_on(chip)
    return f"default: {source}" if source else "default"


def hardware_inputs(text: str) -> dict[str, tuple[float, str]]:
    """Inputs a named chip or server gives: peak FLOP/s, memory, price, server power and size."""
    out: dict[str, tuple[float, str]] = {}
    for hw in hardware_named(text):
        label = f"{hw.name}, {{}}"
        if hw.kind in ("GPU", "TPU"):
            out.setdefault("peak_flops", (hw.peak_bf16.value, _catalog(label.format(hw.peak_bf16.source))))
            out.setdefault("gpu_memory", (hw.memory.value, _catalog(label.format(hw.memory.source))))
            if hw.bandwidth:
                out.setdefault("bandwidth", (hw.bandwidth.value, _catalog(label.format(hw.bandwidth.source))))
            if hw.price and hw.price.unit == "USD/GPU-hour":
                out.setdefault("price_per_chip_hour", (hw.price.value, _catalog(label.format(hw.price.source))))
                out.setdefault("price_per_gpu_hour", (hw.price.value, _catalog(label.format(hw.price.source))))
        else:
            if hw.power:
                out.setdefault("server_power", (hw.power.value / 1000, _catalog(label.format(hw.power.source))))
            if hw.price:
                out.setdefault("server_price", (hw.price.value, _catalog(label.format(hw.price.source))))
            out.setdefault("gpus_per_server", (float(hw.gpus), _catalog(label.format("GPUs per server"))))
            if hw.rack_units:
                out.setdefault("server_units", (float(hw.rack_units), _catalog(label.format("rack units"))))
    return out


_PRECISION = re.compile(r"(?<![A-Za-z0-9])(FP32|FP16|BF16|FP8|INT8|FP4|INT4)(?![A-Za-z0-9])", re.I)


# The inputs a precision named in the question sets: bytes a weight, bytes a cached value.
_PRECISION_INPUTS = {"inference_memory": "bytes_per_param", "kv_cache": "bytes_per_value",
                     "kv_cache_from_hidden": "bytes_per_value", "roofline_cost_per_1k_tokens": "bytes_per_param",
                     "decode_tokens_per_second": "bytes_per_param", "time_per_output_token": "bytes_per_param"}


def precision_inputs(calc: Calculator, text: str) -> dict[str, InputUsed]:
    """'FP8 weights' -> 1 byte a weight; 'KV cache in FP16' -> 2 bytes a value (the size a precision gives)."""
    m = _PRECISION.search(text)
    name = _PRECISION_INPUTS.get(calc.name)
    if not m or name is None:
        return {}
    value = memory.weight_bytes_per_parameter(m.group(1))
    return {name: InputUsed(name, value, calc.var(name).unit, QUESTION, m.group(1))}


_RECOMPUTE = re.compile(r"recomput|重计算|checkpointing", re.I)
_NO_RECOMPUTE = re.compile(r"(?:without|\bno|不用|不做|无|未)\s*(?:full\s+)?(?:activation\s+)?(?:recomput|重计算|checkpoint)", re.I)


_ZERO_STAGE = re.compile(r"ZeRO[-\s]?(?:stage\s*|阶段\s*)?([0-3])(?!\d)|(?:stage|阶段)\s*([0-3])\s*(?:of\s+)?ZeRO", re.I)


def switch_inputs(calc: Calculator, text: str) -> dict[str, InputUsed]:
    """Settings a question names in words: 'with full recomputation' -> recompute = 1 ('without ...' -> 0);
    'ZeRO-3', 'ZeRO stage 2' -> zero_stage (a name with a digit, which the quantity reader leaves alone)."""
    names = {p.name for p in calc.parameters}
    out = {}
    m = _RECOMPUTE.search(text)
    if "recompute" in names and m:
        value = 0.0 if _NO_RECOMPUTE.search(text) else 1.0
        out["recompute"] = InputUsed("recompute", value, "", QUESTION, m.group(0))
    m = _ZERO_STAGE.search(text)
    if "zero_stage" in names and m:
        out["zero_stage"] = InputUsed("zero_stage", float(m.group(1) or m.group(2)), "", QUESTION, m.group(0))
    return out


def value_in(q: QuestionQuantity, unit: str) -> float:
    """The quantity's value in the parameter's declared unit (a plain number is taken as given)."""
    if q.unit in ("", "U", "word/1K token") or q.unit == unit:
        return q.value
    for given in (q.unit, implied_rate(q)):
        try:
            return convert(q.value, given, unit) if given else q.value
        except UnitMismatch:
            continue
    return q.value


def given_inputs(calc: Calculator, assignment: Assignment, source: str = QUESTION) -> dict[str, InputUsed]:
    out = {}
    for name, q in assignment.values.items():
        unit = calc.var(name).unit
        out[name] = InputUsed(name, value_in(q, unit), unit, source, q.text)
    return out


def fill_inputs(calc: Calculator, given: dict[str, InputUsed], text: str,
                solve: str | None = None) -> tuple[dict[str, InputUsed], list[str], list[str]]:
    """(inputs, assumed, missing): the given inputs plus the catalog's, a model's, then the defaults."""
    inputs = {**precision_inputs(calc, text), **switch_inputs(calc, text), **given}
    price = inputs.get("instance_price_per_hour")
    if price and "gpus_per_instance" not in inputs and re.search(r"GPU|chip|card|卡|芯片", price.text, re.I):
        inputs["gpus_per_instance"] = InputUsed("gpus_per_instance", 1.0, calc.var("gpus_per_instance").unit,
                                                QUESTION, price.text)  # the price is per GPU
    chars = inputs.get("chinese_chars")
    if chars and not {"prompt_words", "response_words"} & set(inputs):  # a query of Chinese characters only
        for name in ("prompt_words", "response_words"):
            inputs[name] = InputUsed(name, 0.0, calc.var(name).unit, QUESTION, f"{chars.text} (no English words)")
    assumed, missing = [], []
    known = {**model_inputs(text), **hardware_inputs(text)}
    chip = chip_in_use(text)
    for p in calc.parameters:
        if p.name in inputs or p.name == solve or p.name == calc.solves:
            continue
        if p.name in known:
            value, source = known[p.name]
            inputs[p.name] = InputUsed(p.name, value, p.unit, source)
            assumed.append(p.name)
        elif not p.required:
            inputs[p.name] = InputUsed(p.name, float(p.default), p.unit, default_source(p, chip))
            assumed.append(p.name)
        else:
            missing.append(p.name)
    return inputs, assumed, missing


# ------------------------------------------------------------------ choosing

@dataclass(frozen=True)
class Candidate:
    calculator: str
    score: float
    assignment: Assignment
    solve: str | None


def _solvable_outputs(calc: Calculator) -> tuple[str, ...]:
    if calc.solves:
        return ()
    return tuple(v.name for v in calc.calculation.outputs)


# An unused quantity measured in the asked dimension's terms (a token rate when a time is asked, a price when a
# cost is) is information the calculation ignores: it costs more than an unused count (a model's size).
UNUSED = 0.5
UNUSED_BEARING_ON_THE_ASK = 1.5


def _bears_on(q: QuestionQuantity, asked: dict | None) -> bool:
    """The quantity's physical dimension shares a base dimension with the asked quantity's."""
    if not asked:
        return False
    try:
        dims = parse_unit(q.unit)[1] if q.unit else {}
    except UnitMismatch:
        return False
    return any(k in asked for k in dims if k not in COUNTS)


def _candidate(name: str, base: float, quantities: list[QuestionQuantity], text: str,
               asked: dict | None = None) -> Candidate:
    """Assign the quantities to the calculator's inputs; a leftover result given may be solved from."""
    calc = get(name)
    assignment = assign(quantities, calc)
    known = {**model_inputs(text), **hardware_inputs(text)}
    unknown = [p.name for p in calc.parameters if p.required and p.name not in assignment.values and p.name not in known]
    solve = None
    if assignment.unused and len(unknown) == 1 and _solvable_outputs(calc):
        result = assign(list(assignment.unused), calc, _solvable_outputs(calc))
        if len(result.values) == 1:
            solve = unknown.pop()
            assignment = Assignment({**assignment.values, **result.values}, assignment.score + result.score,
                                    result.unused)
    unused = sum(UNUSED_BEARING_ON_THE_ASK if _bears_on(q, asked) else UNUSED for q in assignment.unused)
    score = base + assignment.score / 4 - unused - 0.75 * len(unknown)
    return Candidate(name, score, assignment, solve)


def best_candidate(text: str, quantities: list[QuestionQuantity], embedder=None,
                   asked_unit: str | None = None) -> Candidate | None:
    base = {i.calculator: intent_score(i, text) for i in INTENTS}
    if embedder is not None:
        for name, sim in embedding_scores(text, embedder).items():
            if base.get(name):
                base[name] += EMBEDDING_WEIGHT * sim
    asked = _physical(asked_unit) if asked_unit else None
    candidates = [_candidate(name, score, quantities, text, asked) for name, score in base.items() if score > 0]
    candidates = [c for c in candidates if c.assignment.values]
    if not candidates:
        return None
    return max(candidates, key=lambda c: c.score)


def _alternatives(name: str) -> list[str]:
    pairs = {"params_20_tokens_rule": ["params_parametric_optimum"],
             "params_parametric_optimum": ["params_20_tokens_rule"]}
    return pairs.get(name, [])


# ------------------------------------------------------------------ the public entry points

def detect_calculation(question: Question | str, previous: CalcRequest | None = None, embedder=None) -> CalcRequest | None:
    """The calculation a question asks for, or None (a lookup, a claim check, not a calculation)."""
    q = as_question(question)
    language, text = q.language, q.prepared
    if q.is_claim:
        text = without_claims(text)
        if not text.strip() or not _ASKS_TO_COMPUTE.search(text):
            return None
    if previous is not None and _FOLLOW_UP.search(text):
        follow = follow_up(text, previous, language)
        if follow is not None:
            return follow
    if not _ASKS_TO_COMPUTE.search(text) or _ABOUT_THE_NOTES.search(text):
        return None
    asked = q if text == q.prepared else Question(text)
    quantities = list(asked.quantities)
    found = best_candidate(text, quantities, embedder, asked.asked_unit) if quantities else None
    chain = find_chain(asked)
    if found is None:
        if chain is not None:
            return chain_request(chain, language)
        return follow_up(text, previous, language) if previous is not None and len(text) < 60 else None
    calc = get(found.calculator)
    inputs, assumed, missing = fill_inputs(calc, given_inputs(calc, found.assignment), text, found.solve)
    target = found.solve or asked_output(text, calc)
    if chain is not None and not _calculator_fits(calc, target, asked, found.assignment, missing, chain):
        return chain_request(chain, language)
    return CalcRequest(found.calculator, inputs, found.solve, assumed, missing, language, target,
                       _alternatives(found.calculator), unused_reasons(found.assignment, calc))


def _physical(unit: str) -> dict | None:
    try:
        dims = parse_unit(json_unit(unit))[1]
    except UnitMismatch:
        return None
    return {k: v for k, v in dims.items() if k not in COUNTS}


def _calculator_fits(calc: Calculator, target: str, question: Question, assignment: Assignment, missing: list[str],
                     chain: Chain) -> bool:
    """A named calculator answers the question unless a chain using every quantity does and the calculator
    needs an input nobody gave, leaves one of those quantities unused, or computes another kind of quantity."""
    if any("no chain" in reason for reason in chain.unused):
        return True  # the chain is partial: the calculator's reading is the better one
    if missing:
        return False
    chained = {id(t.quantity) for t in chain.terms}
    if any(id(q) in chained for q in assignment.unused):
        return False
    asked = _physical(question.asked_unit or "")
    return question.asked_unit is None or asked is None or _physical(calc.var(target).unit) == asked


def unused_reasons(assignment: Assignment, calc: Calculator) -> list[str]:
    """Each quantity of the question the calculator does not take, with the reason; an overhead it cannot
    apply is flagged (a result without it is too low)."""
    out = []
    for q in assignment.unused:
        if q.kind == "overhead":
            out.append(Said(f"{q.text.strip()}: an overhead, but {calc.name} has no overhead factor: NOT applied, "
                            f"so the result is low by that much",
                            f"{q.text.strip()}：是额外开销，但 {calc.name} 没有开销系数：未计入，所以结果偏低这么多"))
        else:
            out.append(Said(f"{q.text.strip()}: no input of {calc.name} takes {q.unit or 'a plain number'} here",
                            f"{q.text.strip()}：{calc.name} 没有接受{unit_words(q.unit, 'zh') or '纯数字'}的输入"))
    return out


def chain_request(chain: Chain, language: str) -> CalcRequest:
    inputs = {t.name: InputUsed(t.name, t.value, t.unit, QUESTION, t.quantity.text.strip()) for t in chain.terms}
    return CalcRequest(CHAIN, inputs, None, [], [], language, chain.result.outputs[0].name, [], list(chain.unused),
                       chain)


def follow_up(text: str, previous: CalcRequest, language: str) -> CalcRequest | None:
    """The previous calculation with what this question changes; None when it changes nothing."""
    if previous.calculator == CHAIN:
        return None  # a chain is of one question's quantities; a new question makes its own
    calc = get(previous.calculator)
    quantities = question_quantities(text)
    names = tuple(p.name for p in calc.parameters if p.name != previous.solve)
    names += tuple(n for n in previous.inputs if n not in names and n != previous.solve)  # a result solved from
    assignment = assign(quantities, calc, names)
    changed = given_inputs(calc, assignment)
    for name, (value, source) in hardware_inputs(text).items():
        if name in names and name not in changed:
            changed[name] = InputUsed(name, value, calc.var(name).unit, source)
    if not changed:
        return None
    inputs = {name: replace(used, source=PREVIOUS) if used.source == QUESTION else used
              for name, used in previous.inputs.items()}
    chip = chip_in_use(text)
    if chip:  # a default measured on one chip is assumed for the chip the follow-up names
        for p in calc.parameters:
            if p.name in inputs and inputs[p.name].source.startswith("default"):
                inputs[p.name] = replace(inputs[p.name], source=default_source(p, chip))
    inputs.update(changed)
    assumed = [n for n in previous.assumed if n not in changed]
    assumed += [n for n, used in changed.items() if used.source != QUESTION and n not in assumed]
    missing = [n for n in previous.missing if n not in inputs]
    return CalcRequest(previous.calculator, inputs, previous.solve, assumed, missing, language,
                       previous.target, previous.alternatives)


# ------------------------------------------------------------------ running

# The quantity a question asks for, by the words it uses: (regex, output unit as in the JSON).
_ASKED_UNITS: tuple[tuple[str, str], ...] = (
    (r"how many (?:\w+\s+)?FLOPs|多少(?:次)?(?:浮点|FLOP)|算力需求|计算量|\bFLOPs?\b(?!\s*utili)", "FLOP"),
    (r"PF-?days?", "PF-day"),
    (r"\bkWh\b|度电|用电量|耗电量|\benergy\b|用多少电|耗多少电", "kWh"),
    (r"how many (?:\w+\s+)?days|多少天|几天|how long|多久|多长时间", "day"),
    (r"how many hours|多少(?:个)?小时", "hour"),
    (r"电费|electricity (?:bill|cost)|power bill|\bcosts?\b|多少钱|成本|花费|费用|\bprice\b|revenue|收入", "USD"),
    (r"how many racks|多少(?:个)?机柜|几个机柜", "rack"),
    (r"how many (?:\w+\s+)?servers|多少台|几台|多少服务器", "server"),
    (r"how many (?:\w+\s+)?(?:GPUs|chips|cards)|多少(?:张|片|块|颗)|几(?:张|片|块|颗)", "GPU"),
    (r"how many tokens|多少(?:个)?\s*tokens?", "token"),
    (r"how (?:big|large)|model size|how many param|多少参数|参数量|多大", "parameter"),
    (r"\bmemory\b|显存|内存|\bbytes\b|\bGB\b", "byte"),
    (r"\bkW\b|功率|\bpower\b", "kW"),
)
# Outputs that share a unit with another output of the same calculator, by their own words.
_OUTPUT_CUES: dict[str, str] = {
    "electricity_cost_per_year": r"per year|a year|annual|yearly|每年|一年|年电费",
    "facility_power": r"total power|总功率|all (?:the )?racks.{0,20}\bkW\b",
    "rack_power": r"per rack|a rack|每个机柜|单个机柜|每柜",
    "chip_hours": r"chip[- ]hours|GPU[- ]hours|卡时",
    "gpu_hours_per_day": r"GPU[- ]hours|卡时",
    "price_per_query": r"list price|before (?:the )?cache",
    "pf_days": r"PF-?days?",
    "share_of_revenue": r"share|percent|%|占.{0,6}(?:比例|多少)",
    "tokens_per_query": r"how many tokens|多少(?:个)?\s*tokens?",
    "time_per_token": rf"^(?!.*(?:{_ASKS_PREFILL})).*(?:{_ASKS_STEP_TIME})",
    "decode_tokens_per_second": _ASKS_RATE,
    "prefill_time": _ASKS_PREFILL,
    "decode_cost_per_1k_tokens": r"decode[- ]only|decod\w* cost|仅解码|解码成本",
}


def primary_output(calc: Calculator) -> str:
    """The output the calculator's function returns (its source ends in `...["name"]`); read once per calculator."""
    return _returned_output(calc.function) or calc.calculation.outputs[-1].name


@functools.cache
def _returned_output(function) -> str | None:
    found = re.findall(r"\[\"(\w+)\"\]", inspect.getsource(function))
    return found[-1] if found else None


def asking_part(text: str) -> str:
    """The clauses that ask (…，一天电费是多少？), without the quantities given ('0.08美元/kWh' names no ask)."""
    for q in sorted(question_quantities(text), key=lambda q: -q.start):
        text = text[:q.start] + " " + text[q.end:]
    text = re.sub(r"\s+", " ", text)
    asking = [c for c in re.split(r"[,，;；。]", text) if _ASKS_TO_COMPUTE.search(c)]
    return "，".join(asking) or text


def asked_output(text: str, calc: Calculator) -> str:
    """Which output the question asks for: its own words, else the asked unit, else the function's result."""
    text = asking_part(text)
    outputs = [v for v in calc.calculation.outputs]
    for v in outputs:
        if v.name in _OUTPUT_CUES and re.search(_OUTPUT_CUES[v.name], text, re.I):
            return v.name
    primary = primary_output(calc)
    for pattern, unit in _ASKED_UNITS:
        if re.search(pattern, text, re.I):
            matching = [v.name for v in outputs if json_unit(v.unit) == unit]
            if matching:
                return primary if primary in matching else matching[0]
    return primary


def run_request(req: CalcRequest) -> Calculation:
    """Run the registry; the asked-for output comes first. Raises CalculatorError (e.g. a missing input)."""
    if req.chain is not None:
        return chain_calculation(req)
    calc = get(req.calculator)
    values = {name: used.value for name, used in req.inputs.items()}
    result = calc.run(solve=req.solve, **values)
    by_name = req.inputs
    inputs = tuple(
        by_name[a.name] if a.name in by_name else InputUsed(a.name, a.value, a.unit, a.source)
        for a in result.inputs if a.source != "solved")
    outputs = [Output(a.name, a.value, json_unit(a.unit)) for a in result.outputs]
    target = req.target or primary_output(calc)
    outputs.sort(key=lambda o: o.name != target)  # stable: the rest keep the calculator's order
    title = calc.title_zh if req.language == "zh" else calc.summary
    notes = result.notes + tuple(f"assumed: {n}" for n in req.assumed)
    return Calculation(calc.name, title, inputs, result.formula, result.steps, tuple(outputs), notes, result.latex,
                       tuple(req.unused))


_CHAIN_TITLES = {"en": "A unit-checked chain of the question's quantities", "zh": "按单位推导：问题中各数量的乘除"}


def chain_calculation(req: CalcRequest) -> Calculation:
    """The chain's result as a Calculation (inputs from the question, formula, steps, outputs)."""
    result, chain = req.chain.result, req.chain
    outputs = tuple(Output(a.name, a.value, json_unit(a.unit)) for a in result.outputs)
    return Calculation(CHAIN, _CHAIN_TITLES.get(req.language, _CHAIN_TITLES["en"]), tuple(req.inputs.values()),
                       result.formula, result.steps, outputs, result.notes + chain.notes, result.latex,
                       tuple(req.unused))


def asks_besides_claim(question: Question | str) -> bool:
    """A claim question that also asks to compute ('How much did GPT-3 cost to train, and is $1.4M right?').

    >>> asks_besides_claim("How much did GPT-3 cost to train, and is $1.4M right?")
    True
    >>> asks_besides_claim("GPT-3训练一次真的只要140万美元吗？")
    False
    """
    q = as_question(question)
    text = q.prepared
    if not q.is_claim:
        return False
    rest = without_claims(text)
    return bool(rest.strip()) and bool(_ASKS_TO_COMPUTE.search(rest)) and not _ABOUT_THE_NOTES.search(rest)
