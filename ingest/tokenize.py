"""Tokens for BM25: jieba words for Chinese, lower-cased words for everything else.

A whitespace tokenizer would make a whole Chinese sentence one token; jieba's
search mode also emits the shorter words inside long ones (训练成本 -> 训练, 成本).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

# Names what tokenize() does; recorded in the index manifest, so an index built with other tokens is
# refused at load. Change it whenever tokenize() would split any text differently (the regexes, the
# stop words, the normalisation, jieba's mode): tests/test_tokenize.py pins a sample to this name.
TOKENIZER = "jieba-search+lower-v1"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# A number keeps its decimal point; thousands separators are dropped so 30,382 == 30382.
_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?|[a-z][a-z0-9\-]*|[\u3400-\u4dbf\u4e00-\u9fff]+")
_STOP = frozenset(
    # English function words (a question's "how much does the ..." must not decide a match)
    "a an the of to in on for and or but nor is are was were be been being am by with what how much many does do did "
    "doing done which who whom whose why when where can could would should shall will may might must about according "
    "notes note from that this these those it its it's they them their theirs there here than then so such as at per "
    "i me my we our you your he she his her if into onto out over under up down off again further once just only also "
    "very more most some any each every all both few other same own not no yes too s t say says said tell told give "
    "given get got make made put putting take took use used using like one ones thing things way ways "
    # Chinese function words
    "的 了 是 在 和 与 及 或 也 就 都 而 被 把 对 为 以 之 其 这 那 有 个 多少 什么 怎么 如何 吗 呢 么 哪些 哪个 是否".split()
)


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


def tokenize(text: str) -> list[str]:
    """Split text into BM25 terms (stop words dropped).

    >>> tokenize("GPT-3训练一次的成本约为140万美元")
    ['gpt-3', '训练', '一次', '成本', '约', '140', '美元', '万美元']
    >>> tokenize("30,382 A100s are needed")
    ['30382', 'a100s', 'needed']
    """
    tokens: list[str] = []
    for piece in _TOKEN.findall(normalise(text)):
        if _HAN.match(piece):
            tokens.extend(w for w in _jieba().lcut_for_search(piece) if w not in _STOP)
        elif piece not in _STOP:
            tokens.append(piece)
    return tokens
