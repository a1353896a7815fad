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
