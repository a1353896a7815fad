"""What a question asks for: the kinds of value it wants and the things it names.

Each kind pairs the words that ask for it with the shape of a passage that holds it: a
question asking for a price wants a currency, one asking for a rate wants a percentage,
"how long" a duration (the passage side is matched in `app.retrieval.rerank`).
"""

from __future__ import annotations

import re
import unicodedata

# answer type -> (question pattern, passage pattern)
ANSWER_TYPES: dict[str, tuple[re.Pattern, re.Pattern]] = {
    name: (re.compile(q, re.I), re.compile(p, re.I))
    for name, (q, p) in {
        "money": (
            r"\bcost|\bprice|\bspend|\bdollar|\$|\busd\b|revenue|expens|\bpay|\bcheap|多少钱|成本|售价|费用|花费|时薪|价格|收入|耗资|营收|电费",
            r"\$|美元|元|usd|dollars?\b",
        ),
        "percent": (
            r"utili[sz]ation|\brate\b|percent|margin|\bshare\b|fraction|proportion|利用率|比例|毛利率|命中率|占|百分|提升了多少|下降了多少|降低了多少|fallen|by how much",
            r"%|百分|percent",
        ),
        "duration": (r"how long|多久|多少天|几天|多长时间", r"天|小时|days?\b|hours?\b|weeks?\b|\d\s*ms|秒|分钟"),
        "rate": (r"bandwidth|带宽|throughput|吞吐|tflops|speed|速度", r"[GT]B/s|Gb\b|TFLOPS|PFLOPS|吞吐|倍"),
        "count": (r"how many|多少(?:片|个|台|张|块|次|人)|几(?:个|台|张|块)", r"\d"),
        "memory": (r"memory|内存|显存|\bbytes?\b|\bGB\b", r"\d\s*(?:GB|TB|N\b)|内存|显存"),
    }.items()
}

def answer_types(question: str) -> list[str]:
    """The kinds of value a question asks for.

    >>> answer_types("What is the list price of a DGX A100?")
    ['money']
    >>> answer_types("MT-NLG 训练时的模型 FLOPS 利用率是多少？")
    ['percent']
    """
    return [name for name, (q, _) in ANSWER_TYPES.items() if q.search(question)]


# The kinds of value a question can ask for, for deciding whether a passage answers it
# (`app.routes.not_in_notes`): kind -> (question pattern, pattern of a passage that STATES such a
# value: a figure with its unit, in either language). `ANSWER_TYPES` above is the coarser set the
# reranker scores with; this one adds energy, power, compute, parameters and emissions.
_NUM = r"\d[\d,.]*\s*(?:万亿|千亿|亿|千万|百万|万|千|[KkMBT]|(?i:thousand|million|billion|trillion))?\s*"
_NUM_SCALED = r"\d[\d,.]*\s*(?:万亿|千亿|亿|千万|百万|万|[MBT]\b|(?i:million|billion|trillion))\s*"
VALUE_KINDS: dict[str, tuple[re.Pattern, re.Pattern]] = {
    name: (re.compile(q, re.I), re.compile(p, re.I))
    for name, (q, p) in {
        "money": (
            r"\bcost|\bprice|\bspend|\bdollars?|\$|\busd\b|revenue|expens|\bpay|\bcheap|\brent|how much money"
            r"|多少钱|多少美元|多少元|成本|售价|费用|花费|时薪|价格|收入|耗资|营收|电费|租金|要价|美元",
            r"(?:US\$|\$|¥)\s*\d|" + _NUM + r"(?:美元|美金|元|人民币|(?i:dollars?|usd|rmb|cny)\b)",
        ),
        "percent": (ANSWER_TYPES["percent"][0].pattern + r"|(?:降低|提高|下降|减少|增加|提升|降)了?多少",
                    r"\d\s*%|百分之|\d\s*(?:倍|(?i:times|x)\b)"),  # a change may be stated as a factor: 降低10倍
        "duration": (
            r"how long (?:does|did|will|would|do|has|have|had|to|it|will)\b|how many (?:\S+ )?(?:days|hours|weeks|months|years)|多久|多少天|几天|多长时间|多少.{0,6}小时|几个月|多少个月|多少年",
            _NUM + r"(?:[A-Za-z0-9-]+\s+){0,2}(?:GPU[- ]?|卡)?(?:days?|hours?|weeks?|months?|years?|minutes?|seconds?)\b"
            r"|" + _NUM + r"(?:个)?(?:天|小时|周|星期|个月|月|分钟|秒)|(?<![\d.])\d{1,3}(?:\.\d+)?\s*多?年(?!代)"
            r"|(?:数|几|多|十几|好几)(?:年|个月|周|天)|(?i:(?:several|many|a few)\s+(?:years|months|weeks|days))",
        ),
        "rate": (
            r"bandwidth|带宽|throughput|吞吐|\btflops\b|\bpflops\b|speed|速度|峰值算力|peak (?:compute|performance|flops)",
            _NUM + r"(?:[TPGE]?FLOPS|[TPGE]FLOP/s|[KMGT]i?B/s|tokens?/s|tok/s|samples?/s|(?:tokens?|samples?) per second|倍)",
        ),
        "count": (r"how many|多少(?:片|个|台|张|块|次|人|卡)|几(?:个|台|张|块)", r"\d"),
        "memory": (r"memory|内存|显存|\bbytes?\b|\bGB\b|字节|占用多少|多大的?存储",
                   _NUM + r"(?:[KMGTP]i?B\b|bytes?\b|字节)"),
        "energy": (r"\benergy\b|electricity|power consumption|耗电|电量|用电|能耗|\bkwh\b|千瓦时|度电",
                   _NUM + r"(?:[KMGT]?Wh\b|千瓦时|度电|度|焦耳|[KMGT]?J\b)"),
        "power": (r"\bpower\b(?!\s+(?:consumption|usage|efficiency|effectiveness))|\bwatts?\b|\bTDP\b|功耗|功率|瓦数",
                  _NUM + r"(?:[KMG]?W\b|瓦|千瓦|兆瓦)"),
        "flops": (r"\bflops\b(?!\s*utili)|compute budget|how much compute|计算量|总算力|多少算力|训练算力",
                  _NUM + r"(?:[KMGTPEZ]?FLOPs?\b|PF-?days?|petaflop)|\d(?:\.\d+)?\s*[eE][+]?\d{2}|×\s*10\^?\d{2}"),
        "parameters": (r"\bparameters?\b|\bparams\b|参数量|参数规模|多少参数|多少个参数|模型(?:有)?多大",
                       _NUM_SCALED + r"(?:(?:total|activated|active)\s+)?(?:parameters|params|个?参数)"
                       r"|参数(?:量|规模)?\s*(?:为|是|达到?|有|约|:|：)?\s*" + _NUM_SCALED +
                       r"|\d+(?:\.\d+)?\s*[BMT]\s*(?:parameters|params|参数|model|模型)"),
        "emissions": (r"emission|\bCO2|carbon|碳排放|排放|二氧化碳|碳足迹",
                      _NUM + r"(?:(?:t|tons?|tonnes?|lbs?|pounds?|kg)\b|吨|磅|千克|公斤)|tCO2"),
    }.items()
}


_EXPLANATION = re.compile(r"^\W*(?:why|how (?!many|much|long|big|large|fast|often)|in what way|what (?:kind|type|sort)s? of|"
                          r"explain)|为什么|为何|怎么|如何|怎样|原理|原因|是什么样|什么样的|哪种|哪些方面", re.I)


def value_kinds(question: str) -> list[str]:
    """The kinds of value a question asks for ('count' when it asks how many of something no other kind names).

    >>> value_kinds("比特币挖矿的耗电量是多少？"), value_kinds("How many parameters does GPT-4o have?")
    (['energy'], ['parameters'])
    >>> value_kinds("在云上租一张 H800 每小时要多少钱？"), value_kinds("How many V100s did NVIDIA use?")
    (['money'], ['count'])
    """
    if _EXPLANATION.search(question) and not re.search(r"多少|几|how (?:many|much|long)", question, re.I):
        return []  # 'why is decoding bound by memory?' asks for a reason, not a memory size
    spans = {name: [m.span() for m in q.finditer(question)] for name, (q, _) in VALUE_KINDS.items() if name != "count"}
    kinds = [name for name, found in spans.items() if found]
    # 'memory bandwidth', '显存带宽': a modifier right before the head noun asks for the head's kind
    modifiers = {a for a in kinds for b in kinds if a != b
                 and any(0 <= sb - ea <= 1 and not question[ea:sb].strip() for _, ea in spans[a] for sb, _ in spans[b])}
    kinds = [k for k in kinds if k not in modifiers]
    # 'how many parameters' asks for parameters; 'how many search results' for a bare count
    for m in re.finditer(r"how many\s+(\S+(?:\s+\S+)?)|多少(?:个|片|台|张|块)?(\S{0,4})", question, re.I):
        if not any(q.search(m.group(0)) for name, (q, _) in VALUE_KINDS.items() if name != "count") and \
                VALUE_KINDS["count"][0].search(m.group(0)):
            kinds.append("count")
            break
    return kinds


def states_value(kind: str, passage: str) -> bool:
    """Whether a passage states a value of this kind (a figure with its unit).

    >>> states_value("money", "售价约为19.9万美元"), states_value("money", "2.788M H800 GPU hours")
    (True, False)
    >>> states_value("duration", "2.788M H800 GPU hours"), states_value("energy", "591,864kwh/日")
    (True, True)
    >>> states_value("power", "| Model | Training Power Consumption (W) |\\n| 405B | 700 |")
    True
    """
    text = unicodedata.normalize("NFKC", passage)
    if VALUE_KINDS[kind][1].search(text):
        return True
    # a table whose header gives the unit: 'Training Power Consumption (W)', 'Training Time (GPU hours)'
    for header in re.finditer(r"\(([^()\d]{1,24})\)", text):
        if VALUE_KINDS[kind][1].search("1 " + header.group(1).strip()) and re.search(r"\d", text[header.end():]):
            return True
    return False


_ENTITY = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*(?:\s?v\d+)?")
_COMMON = frozenset(
    "what how much many does did the and for with which who why when where is are was were of to in on by per "
    "one can could would about according do notes from that this its their at as a an be have has if".split()
)


def entities(question: str) -> list[str]:
    """Names in a question that a passage should repeat: words with digits or several capitals.

    >>> entities("How long did it take to train GPT-3 on V100 GPUs?")
    ['gpt-3', 'v100', 'gpus']
    >>> entities("PaLM 在 TPU v4 上的利用率")
    ['palm', 'tpu v4']
    """
    found = []
    for match in _ENTITY.finditer(unicodedata.normalize("NFKC", question)):
        word = match.group(0)
        if word.lower() in _COMMON:
            continue
        if any(c.isdigit() for c in word) or sum(c.isupper() for c in word) >= 2:
            found.append(word.lower())
    return found




_CLAIM = re.compile(
    r"\bis it (?:true|right|correct|accurate)\b|\btrue that\b|\bis (?:that|this|it) (?:right|correct|true)\b"
    r"|\bis\s+\S{1,40}\s+(?:right|correct|accurate|true)\s*\?|\breally\b|\bverify\b|\bcheck (?:that|whether|if)\b"
    r"|真的|对吗|对不对|是否正确|正确吗|是不是真|属实|准确吗|没错吧|靠谱吗|核实|验证一下",
    re.I)

def is_claim_question(question: str) -> bool:
    """A question that asks whether a figure is right ('Is it true that...', '...真的...吗', '对吗').

    >>> is_claim_question("GPT-3训练一次真的只要140万美元吗？"), is_claim_question("Is $1.4M right?")
    (True, True)
    >>> is_claim_question("How much would training GPT-3 cost?")
    False
    """
    return bool(_CLAIM.search(question))
