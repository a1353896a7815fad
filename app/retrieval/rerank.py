"""Second-stage features that tell a passage that *answers* from one that is merely on topic.

Measured on the dev lookups (see the closing notes of the retrieval issue): the dense
encoders and BM25 rank the right passage in the top five almost always, but often
below a heading-like or neighbouring passage on the same topic. Two cheap, general
signals fix most of that:

- answer type: a question asking for a price wants a passage with a currency, one
  asking for a rate wants a percentage, "how long" wants a duration, and so on;
- named-entity coverage: model and hardware names in the question (GPT-3, A100,
  TPU v4, MT-NLG) should appear in the passage.
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

_ENTITY = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*(?:\s?v\d+)?")
_COMMON = frozenset(
    "what how much many does did the and for with which who why when where is are was were of to in on by per "
    "one can could would about according do notes from that this its their at as a an be have has if".split()
)


def answer_types(question: str) -> list[str]:
    """The kinds of value a question asks for.

    >>> answer_types("What is the list price of a DGX A100?")
    ['money']
    >>> answer_types("MT-NLG 训练时的模型 FLOPS 利用率是多少？")
    ['percent']
    """
    return [name for name, (q, _) in ANSWER_TYPES.items() if q.search(question)]


def answer_type_match(types: list[str], passage: str) -> float:
    """Share of the asked-for value kinds that the passage contains.

    >>> answer_type_match(['money'], "售价约为19.9万美元")
    1.0
    >>> answer_type_match(['money', 'percent'], "售价约为19.9万美元")
    0.5
    """
    if not types:
        return 0.0
    return sum(1 for t in types if ANSWER_TYPES[t][1].search(passage)) / len(types)


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


def squash(text: str) -> str:
    """NFKC, lower case, no whitespace: how names are compared across the notes and a question."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def entity_coverage(names: list[str], passage: str) -> float:
    """Share of the question's names found in the passage (spacing and case ignored).

    >>> entity_coverage(['tpu v4', 'palm'], "在TPU v4芯片上进行训练的PaLM模型")
    1.0
    """
    if not names:
        return 0.0
    text = squash(passage)
    return sum(1 for n in names if squash(n) in text) / len(names)


_REFERENCES = re.compile(r"参考文献|参考资料|引用|references|bibliography|works cited", re.I)


def is_reference_list(heading: str) -> bool:
    """Passages under a references heading: their titles share words with questions but answer nothing.

    >>> is_reference_list("ChatGPT背后的经济账 > 参考文献(请上下滑动)"), is_reference_list("Training > Cost")
    (True, False)
    """
    return bool(_REFERENCES.search(heading))
