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

from app.question.asked import ANSWER_TYPES

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
