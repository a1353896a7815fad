"""Which calculator parameter each quantity of a question is.

A quantity (`app.question.quantities`) fits a parameter by unit (`conversions.compatible`,
with a plain number fitting a count, and a percentage only a fraction) and is preferred for
it by the words next to it: "175B-parameter model", "46.2% FLOPS utilization",
"每个机柜功率45.5kW". Model names (GPT-3) give sizes only as assumptions that cite their source.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from app.question.quantities import QuestionQuantity
from calculators.errors import CalculatorError
from calculators.conversions import compatible
from calculators.formula import FRACTION, GROWTH, SHARE
from calculators.registry import Calculator, Parameter

# ------------------------------------------------------------------ parameter cues

@dataclass(frozen=True)
class Cue:
    after: str = ""  # a regex for the words right after the number
    before: str = ""  # a regex for the words right before it (matched at their end)
    near: str = ""  # words anywhere in the context either side


_AFTER_TOKENS = r"\s*(?:[-\w]+\s+){0,2}"
W = r"[^，,。;；:：\s]{0,8}"  # a few more characters of the same word (Chinese has no spaces)
# A rate whose unit is exactly a parameter's (token/GPU-s, USD/GPU-hour, W/GPU) is as good as words before it.
NAMED_BY_ITS_UNIT = 1.5

PARAM_CUES: dict[str, Cue] = {
    "params": Cue(after=r"[-\s]*(?:param|parameter|个?参数|的?模型|model|LLM|dense)",
                  before=rf"(?:params?|parameters|参数量?|size|规模)\s*(?:of|=|:|为|是)?\s*$"),
    "tokens": Cue(after=r"\s*(?:个\s*)?tokens?|[-\s]*token", before=rf"(?:on|with|tokens?|数据|token数)\s*(?:of|=|:|为)?\s*$"),
    "flops": Cue(after=r"\s*FLOP", before=rf"(?:budget|预算|compute|算力)\s*(?:of|=|:|为|是)?\s*$",
                 near=r"budget|预算"),
    "peak_flops": Cue(after=r"\s*(?:peak|峰值)", before=rf"(?:peak|峰值|算力)\s*(?:of|=|:|为)?\s*$", near=r"peak|峰值"),
    "mfu": Cue(after=_AFTER_TOKENS + r"(?:MFU|FLOPS\s+utili[sz]ation|utili[sz]ation|利用率|efficiency)",
               before=rf"(?:MFU|utili[sz]ation|利用率|efficiency|效率)\s*(?:of|is|=|:|为|是|达到)?\s*$"),
    "price_per_chip_hour": Cue(after=r"", before=rf"(?:price|cost|at|价格|单价|租金)\s*(?:of|=|:|为)?\s*$"),
    "chips": Cue(after=r"\s*(?:张|片|块|个|颗)?\s*(?:[AHBV]\d{3}|TPU|GPU|chip|卡|芯片|显卡)",
                 before=rf"(?:with|using|on|用|使用)\s*$"),
    "days": Cue(after=r"\s*(?:days?|天)", before=rf"(?:within|in|under|deadline|截止|内)\s*$",
                near=r"within|deadline|天内|之内|以内"),
    "instance_price_per_hour": Cue(near=r"instance|实例|node|节点|server|服务器"),
    "gpus_per_instance": Cue(after=r"[-\s]*(?:GPU|卡|A100|H100)[-\s]*(?:instance|实例|node|节点|server|box)",
                             before=rf"(?:instance|实例|node|节点)\s*(?:of|with|has|有)?\s*$"),
    "prompt_words": Cue(after=r"[-\s]*(?:word|字|词)?[-\s]*(?:prompt|提示|问题)", before=rf"(?:prompt|提示词?){W}\s*$"),
    "response_words": Cue(after=r"[-\s]*(?:word|字|词)?[-\s]*(?:answer|response|reply|output|回答|回复|输出)",
                          before=rf"(?:answer|response|reply|回答|回复|输出){W}\s*$"),
    "samples": Cue(after=r"\s*(?:sampled|samples?|answers?|responses?|completions?|采样|个回答)",
                   before=rf"(?:samples?|采样){W}\s*$"),
    "words_per_1k_tokens": Cue(after=r"\s*(?:English\s+)?words?\s*(?:per|/|每)\s*(?:1,?000|1K|thousand|千)",
                               near=r"words?|单词"),
    "chinese_chars": Cue(after=r"\s*(?:个)?(?:Chinese\s+)?(?:characters?|chars?|汉字|中文字)"),
    "price_per_1k_tokens": Cue(near=r"API|price|定价|价格"),
    "cache_hit_rate": Cue(after=_AFTER_TOKENS + r"(?:cache|缓存)|\s*(?:的)?(?:cache|缓存)",
                          before=rf"(?:cache|缓存){W}\s*(?:hit\s*rate|命中率)?\s*(?:of|is|=|:|为|是)?\s*$"),
    "margin": Cue(after=_AFTER_TOKENS + r"(?:margin|毛利)|\s*(?:的)?(?:gross|毛利)",
                  before=rf"(?:margin|毛利率?)\s*(?:of|is|=|:|为|是)?\s*$"),
    "daily_visitors": Cue(after=r"\s*(?:daily|unique|visitors?|users?|访客|用户|人)",
                          before=rf"(?:日活|每天|每日|daily|visitors?|用户|访客){W}\s*$"),
    "questions_per_visitor": Cue(after=r"\s*(?:questions?|queries|个问题|问题|次提问|次)",
                                 before=rf"(?:asking|asks|ask|每人|每个用户|提问|问)\s*$"),
    "words_per_question": Cue(after=r"\s*(?:words?|字|词)\s*(?:per|/|每|an?|each)?\s*(?:answer|response|reply|回答|回复)",
                              before=rf"(?:answer|response|回答|回复){W}\s*$"),
    "seconds_per_word": Cue(after=r"\s*(?:per|/|每|an?)\s*(?:word|字|词)"),
    "peak_to_average": Cue(after=r"\s*(?:x|times|倍)?\s*(?:peak|峰值)", before=rf"(?:peak|峰值){W}\s*$"),
    "gpus_per_server": Cue(after=r"[-\s]*(?:GPUs?|cards?|张|片|卡|块)\s*(?:per|each|a|an|每)?\s*(?:server|服务器|台)",
                           before=rf"(?:server|服务器|每台){W}\s*(?:with|has|有|装)?\s*$"),
    "servers": Cue(after=r"\s*(?:(?:DGX|NVIDIA)\s*\S*\s*)?(?:servers?|服务器|台|nodes?|machines?)",
                   before=rf"(?:for|house|放下|容纳)\s*$"),
    "rack_units": Cue(after=r"\s*U\s*(?:rack|机柜|标准机柜|cabinet)", before=rf"(?:rack|机柜){W}\s*(?:of|is|has|为|高)?\s*$"),
    "server_units": Cue(after=r"\s*U\s*(?:servers?|服务器|DGX|box|machine|node|each|per|tall|high)|\s*U$",
                        before=rf"(?:server|服务器|DGX\s*{W}){W}\s*(?:is|are|of|为|约为|尺寸约?为|高)?\s*$"),
    "servers_per_rack": Cue(after=r"\s*(?:\d[\d.]*\s*kW\s*)?(?:(?:DGX|NVIDIA)\s*\S*\s*)?(?:servers?|服务器|台)\s*(?:per|a|each|/|每)?\s*(?:rack|机柜)?",
                            before=rf"(?:rack|机柜){W}\s*(?:of|holds|has|with|放|装|可放)?\s*$"),
    "racks": Cue(after=r"\s*(?:个)?(?:racks?|机柜|cabinets?)", before=rf"(?:racks?|机柜)\s*(?:of|=|:|为)?\s*$"),
    "server_price": Cue(after=r"\s*(?:per|/|每|a|an|each)\s*(?:server|台|box)", before=rf"(?:server|服务器|DGX\s*{W}){W}\s*(?:price|costs?|售价|价格)?\s*(?:of|is|为|约为)?\s*$"),
    "server_power": Cue(after=r"\s*(?:(?:per|/|每|a|an|each)\s*(?:server|台))?\s*(?:(?:DGX|NVIDIA)\s*\S*\s*)?(?:servers?|服务器|台)",
                        before=rf"(?:server|服务器|每台|单台|DGX\s*{W}){W}\s*(?:power|功率)?\s*(?:of|is|为|约为)?\s*$"),
    "rack_power": Cue(after=r"\s*(?:per|/|每|a|an|each)\s*(?:rack|机柜|柜)",
                      before=rf"(?:rack|机柜|每柜|每个机柜|单个机柜|单柜){W}\s*(?:power|功率|draws?|uses?)?\s*(?:of|is|at|为|约为)?\s*$"),
    "electricity_price": Cue(before=rf"(?:电价|price|tariff|at)\s*(?:of|is|=|:|为|是)?\s*$"),
    "pue": Cue(after=r"\s*PUE", before=rf"PUE\s*(?:of|is|=|:|为|是)?\s*$"),
    "bytes_per_param": Cue(after=r"\s*(?:bytes?|字节)\s*(?:per|/|每|a|an)\s*(?:param|参数|weight|权重)"),
    "gpu_memory": Cue(after=r"\s*(?:of\s+)?(?:HBM|memory|显存|内存|GPU|cards?|卡)", before=rf"(?:显存|HBM|memory){W}\s*$"),
    "kv_cache_bytes": Cue(after=r"\s*(?:of\s+)?(?:KV|kv)", before=rf"(?:KV|kv){W}\s*(?:cache|缓存)?\s*$"),
    "layers": Cue(after=r"\s*(?:layers?|层)"),
    "hidden_size": Cue(before=r"(?:hidden(?:\s+size|\s+dim(?:ension)?)?|d_model|model dim(?:ension)?|隐藏层?维度|隐层维度)"
                              r"\s*(?:of|=|:|is|为|是)?\s*$"),
    "achieved_flops": Cue(before=rf"(?:sustain\w*|achiev\w*|actual|at|跑到|达到|实际){W}\s*(?:of|at|=|:|为)?\s*$",
                          near=r"sustain|achiev|实际|跑到"),
    "flops_per_param_token": Cue(after=r"\s*FLOPs?\s*(?:per|/|每|a|an)\s*(?:param|参数)",
                                 before=r"每\s*(?:个)?参数\s*每\s*(?:个)?\s*(?:token|词元)\s*(?:按|为|是|约)?\s*$"),
    "tokens_per_second": Cue(after=r"\s*tokens?\s*(?:/|per|a)\s*(?:s|sec|second)|\s*(?:token|词元)\s*/\s*秒",
                             before=r"每秒[^，,。;；\d]{0,6}$"),
    "gpu_power": Cue(after=r"\s*(?:each|per|/|a)", before=rf"(?:每张卡|每卡|each|per GPU|drawing|功耗|功率){W}\s*$"),
    "carbon_intensity": Cue(near=r"carbon|CO2|碳|排放"),
    "kv_heads": Cue(after=r"\s*(?:KV|key[- /]value)?\s*(?:heads?|头)"),
    "head_dim": Cue(after=r"[-\s]*(?:dim|dimension|维)", before=rf"(?:dim(?:ension)?|维度){W}\s*(?:of|=|:|为)?\s*$"),
    "batch": Cue(after=r"\s*(?:sequences?|requests?|users?|条|个请求)", before=rf"(?:batch(?:\s+size)?|批){W}\s*(?:of|=|:|为)?\s*$"),
    "bandwidth": Cue(after=r"\s*(?:of\s+)?(?:(?:HBM\d?e?|memory|显存|内存)\s*)?(?:bandwidth|带宽)",
                     before=rf"(?:bandwidth|带宽){W}\s*(?:of|is|=|:|为|是)?\s*$"),
    "memory_efficiency": Cue(after=r"\s*(?:of\s+)?(?:the\s+)?(?:(?:HBM\d?e?|memory|peak|显存)\s*)*(?:bandwidth|带宽)",
                             before=r"(?:带宽利用率|bandwidth (?:utili[sz]ation|efficiency))\s*(?:of|is|=|:|为|是)?\s*$"),
    "kv_bytes_per_token": Cue(after=r"\s*(?:of\s+KV\s*(?:cache)?\s*)?(?:per|/|每|a|an)\s*(?:token|词元)",
                              before=r"(?:每\s*(?:个\s*)?(?:token|词元)|per token)\s*(?:为|是|:|of)?\s*$",
                              near=r"\bKV\b|KV\s*缓存"),
    "prompt_tokens": Cue(after=r"[-\s]*(?:tokens?|个?\s*token|词元)?[-\s]*(?:of\s+)?(?:prompts?|inputs?|context|输入|提示)",
                         before=rf"(?:prompts?|inputs?|输入|提示词?){W}\s*(?:of|=|:|为|是)?\s*$"),
    "output_tokens": Cue(after=r"[-\s]*(?:tokens?|个?\s*token|词元)?[-\s]*(?:of\s+)?(?:outputs?|generated|completion|输出|生成)",
                         before=rf"(?:generat\w*|outputs?|输出|生成){W}\s*(?:of|=|:|为)?\s*$"),
    "gpus": Cue(after=r"\s*(?:张|块|个|片)?\s*(?:[AHB]\d{2,3}\w*|MI300X?|GPUs?|cards?|卡|显卡)",
                before=r"(?:on|across|with|over|using|用|使用|在)\s*$"),
    "zero_stage": Cue(before=r"(?:ZeRO|DeepSpeed ZeRO)[-\s]?(?:stage\s*)?$|(?:stage|阶段)\s*$"),
    "data_parallel": Cue(after=r"[-\s]*(?:way\s+)?(?:data[- ]parallel|数据并行|GPUs?|cards?|卡)",
                         before=r"(?:data[- ]parallel(?:ism)?(?:\s+degree)?|数据并行度?|across|over|on)\s*(?:of|=|:|为|是)?\s*$"),
    "heads": Cue(after=r"\s*(?:attention\s+)?heads?|\s*个?(?:注意力)?头"),
    "seq_len": Cue(after=r"[-\s]*(?:tokens?)?[-\s]*(?:sequences?|context|上下文|序列)",
                   before=r"(?:sequence length|context length|seq_len|序列长度|上下文长度?)\s*(?:of|=|:|is|为|是)?\s*$"),
    "micro_batch": Cue(after=r"\s*sequences?\s*(?:per|a|each)\s*GPU",
                       before=r"(?:micro[- ]?batch(?:\s+size)?|微批(?:大小)?|batch size)\s*(?:of|=|:|为|是)?\s*$"),
    "bytes_per_value": Cue(after=r"\s*(?:bytes?|字节)\s*(?:per|/|每|a|an)\s*(?:value|值)"),
    "tokens_per_param": Cue(after=r"\s*tokens?\s*(?:per|/|每|a|an|for\s+each)\s*(?:param|parameter|参数)"),
    "annual_revenue": Cue(after=r"\s*(?:(?:of|in)\s+)?(?:(?:search|annual|yearly)\s+)?revenue",
                          before=rf"(?:revenue|收入|营收){W}\s*(?:of|is|=|为)?\s*$"),
    "annual_queries": Cue(after=r"\s*(?:searches|queries|次)", before=rf"(?:searches|queries|搜索量|查询量){W}\s*(?:of|=|为)?\s*$"),
    "revenue_per_query": Cue(after=r"\s*(?:(?:of\s+)?revenue|(?:per|/|每|a|an)\s*(?:search|query|次))",
                             before=rf"(?:revenue|收入){W}\s*(?:per|每次)?\s*(?:search|query|搜索|查询)?{W}\s*(?:of|is|=|为)?\s*$",
                             near=r"revenue|收入"),
    "cost_per_query": Cue(before=rf"(?:cost|costs|成本){W}\s*(?:per|每次)?\s*(?:search|query|搜索|查询)?{W}\s*(?:of|is|=|为)?\s*$",
                          near=r"cost|成本"),
    "model_cost_factor": Cue(near=r"model|quantiz|distill|模型|量化|蒸馏"),
    "infrastructure_cost_factor": Cue(near=r"in-house|own|cloud|infrastructure|自建|云|基础设施|硬件"),
    "per_generation_rate": Cue(after=_AFTER_TOKENS + r"(?:per|a|each|every)\s+generation|\s*(?:每代|一代)",
                               before=rf"(?:每代|每一代|generation){W}\s*(?:增长|提升|grows?|improves?|up|by|of)?\s*$"),
    "annual_rate": Cue(after=_AFTER_TOKENS + r"(?:per|a|each|every)\s+year|\s*(?:每年|一年|年化)",
                       before=rf"(?:每年|年化|annual(?:ly)?|yearly|per\s+year){W}\s*(?:增长|提升|grows?|by|of)?\s*$"),
    "years_per_generation": Cue(after=r"\s*(?:years?|年)\s*(?:per|a|each|every|一)?\s*(?:generation|代)"),
    "annual_decline": Cue(after=_AFTER_TOKENS + r"(?:per|a|each|every)\s+year|\s*(?:每年|一年)",
                          before=rf"(?:每年|annual(?:ly)?|yearly){W}\s*(?:下降|降低|decline|fall|drop)?\s*(?:of|by)?\s*$"),
    "years": Cue(after=r"\s*(?:years?|年)", before=rf"(?:for|over|after|过去|经过)\s*$"),
    "total_decline": Cue(near=r"total|in all|总共|累计"),
}
# Where a parameter is also a calculator's output in another calculator (rack_power), its own cue applies.


def cue_score(q: QuestionQuantity, name: str) -> float:
    """How strongly the words next to a quantity say it is parameter `name`: after 2, before 1.5, near 0.5."""
    cue = PARAM_CUES.get(name)
    if not cue:
        return 0.0
    score = 0.0
    if cue.after and re.match(cue.after, q.after, re.I):
        score += 2.0
    if cue.before and re.search(cue.before, q.before, re.I):
        score += 1.5
    if cue.near and re.search(cue.near, q.before + " " + q.after, re.I):
        score += 0.5
    return score


# ------------------------------------------------------------------ unit fit

_FRACTION_RULES = (FRACTION, SHARE, GROWTH)
# Parameters the registry declares as plain numbers or in a unit the parser writes differently.
_DECLARED_UNITS = {"rack_units": "U", "server_units": "U", "words_per_1k_tokens": "word/1K token"}
_PLAIN_COUNT_UNITS = {"", "visitor", "question", "word", "sample", "layer", "head", "character", "token",
                      "parameter", "GPU", "server", "rack", "query", "year", "U"}


def _denominator(q: QuestionQuantity) -> bool:
    """'per 1,000 tokens', '每千个token', 'per million tokens': a round count after 'per' is a rate's unit."""
    if q.unit not in ("token", "word", "query", "character") or q.percent:
        return False
    round_count = q.value == 1 or (q.value >= 1000 and math.log10(q.value) == int(math.log10(q.value)))
    return round_count and bool(re.search(r"(?:\bper|\ba|\bevery|\beach|/|每)\s*$", q.before, re.I))


def _numerator(unit: str) -> str:
    return unit.partition("/")[0]


def unit_fit(q: QuestionQuantity, param: Parameter, rule: str) -> float:
    """0 when the quantity cannot be this parameter; 3 for a unit that names it, 1 for a plain number."""
    declared = _DECLARED_UNITS.get(param.name, param.unit)
    if _denominator(q):
        return 0.0  # 'cost per 1,000 tokens': the unit of a rate, not an amount of tokens
    if (q.kind == "overhead") != (param.name == "overhead"):
        return 3.0 if q.kind == "overhead" and q.percent else 0.0  # '+25%' goes to an overhead factor, only
    if param.name == "overhead":
        return 3.0
    if rule in _FRACTION_RULES:
        if q.percent:
            return 3.0
        return 1.0 if q.unit == "" and 0 < q.value <= 1 else 0.0
    if q.percent:
        return 0.0
    if q.unit == "":
        return 1.0 if _numerator(declared) in _PLAIN_COUNT_UNITS else 0.0
    if q.unit == declared:
        return 3.0
    if q.unit == "U" or declared == "U":
        return 0.0
    if q.unit == "unit":  # '台': a machine of some kind
        return 2.0 if _numerator(declared) in ("GPU", "server") else 0.0
    if _compatible(q.unit, declared):
        # an amount where a rate is declared ('$100 billion' for USD/query) fits only with close words
        return 1.5 if "/" in declared and "/" not in q.unit else 2.5
    if q.unit == "USD/GPU-hour" and declared == "USD/hour":
        return 2.0  # a per-GPU price for an instance price: an instance of one GPU
    rate = implied_rate(q)
    if rate and _compatible(rate, declared):
        return 2.5
    if "/" not in declared and _numerator(q.unit) == declared and declared in _PLAIN_COUNT_UNITS:
        return 2.0  # '100个机柜每天': a count, with how often it is used
    if "/" not in q.unit and _numerator(declared) == q.unit:
        return 1.5  # '电价0.1美元': the amount named, the rate left unsaid; words must say which
    return 0.0


def _compatible(given: str, declared: str) -> bool:
    try:
        return compatible(given, declared)
    except CalculatorError:  # an unknown unit name is simply not a fit
        return False


_PERIODS = (
    (r"(?:年|annual|yearly)\S{0,6}$", r"^(?:\s*(?:of|in)?\s*[a-z-]+){0,3}?\s+(?:a|per|each|every)\s+year\b|^\s*(?:每年|一年)", "year"),
    (r"(?:每月|月|monthly)\S{0,6}$", r"^(?:\s*(?:of|in)?\s*[a-z-]+){0,3}?\s+(?:a|per|each|every)\s+month\b|^\s*(?:每月|一个月)",
     "month"),
    (r"(?:每天|每日|日|daily)\S{0,6}$", r"^(?:\s*(?:of|in)?\s*[a-z-]+){0,3}?\s+(?:a|per|each|every)\s+day\b|^\s*(?:每天|每日|一天)",
     "day"),
)


def implied_rate(q: QuestionQuantity) -> str | None:
    """'年搜索收入1000亿美元', '$100B a year': the amount is per period ('USD/year'); None otherwise."""
    if not q.unit or "/" in q.unit or q.unit == "U":
        return None
    for before, after, period in _PERIODS:
        if re.search(before, q.before, re.I) or re.search(after, q.after, re.I):
            return f"{q.unit}/{period}"
    return None


# ------------------------------------------------------------------ assignment

@dataclass(frozen=True)
class Assignment:
    values: dict[str, QuestionQuantity]
    score: float
    unused: tuple[QuestionQuantity, ...]


def assign(quantities: list[QuestionQuantity], calc: Calculator, names: tuple[str, ...] | None = None) -> Assignment:
    """Give each quantity to at most one of `names` (default: the calculator's parameters).

    Greedy on fit x (1 + cue): unit-exact, well-described pairs first. A plain number
    with no words pointing at a parameter is not assigned.
    """
    names = names if names is not None else tuple(p.name for p in calc.parameters)
    pairs = []
    for i, q in enumerate(quantities):
        for name in names:
            param = _parameter_or_output(calc, name)
            fit = unit_fit(q, param, calc.var(name).rule)
            cue = cue_score(q, name)
            if fit == 3.0 and "/" in q.unit and q.unit == param.unit:
                cue = max(cue, NAMED_BY_ITS_UNIT)  # '3000 tokens/s per GPU' is token/GPU-s: its unit says what it is
            if fit == 0 or (fit < 2 and cue == 0) or (fit < 1.5 + 1e-9 and fit > 1 and cue < 1.5):
                continue  # a plain number needs words for it; an amount without its rate needs close words
            pairs.append((fit * (1 + cue), -i, name, i))
    pairs.sort(reverse=True)
    values: dict[str, QuestionQuantity] = {}
    used: set[int] = set()
    score = 0.0
    for weight, _, name, i in pairs:
        if name in values or i in used:
            continue
        values[name] = quantities[i]
        used.add(i)
        score += weight
    unused = tuple(q for i, q in enumerate(quantities) if i not in used)
    return Assignment(values, score, unused)


def _parameter_or_output(calc: Calculator, name: str) -> Parameter:
    for p in calc.parameters:
        if p.name == name:
            return p
    var = calc.var(name)
    return Parameter(name, var.unit, var.description, None, False, var.source, "number")
