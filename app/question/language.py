"""The language of a question: it decides the language of the answer."""

from __future__ import annotations

import re

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def detect_language(text: str) -> str:
    """'zh' when Chinese characters outnumber twice the Latin words, else 'en'
    (an English question may quote a Chinese figure: "Is 4.7万美元 right?").

    >>> detect_language("GPT-3训练一次要多少钱？"), detect_language("How much did GPT-3 cost?")
    ('zh', 'en')
    >>> detect_language("Is 2,369,640*0.08=4.7万美元 right?"), detect_language("Gemini Ultra 的参数量是多少？")
    ('en', 'zh')
    """
    han = len(_HAN.findall(text))
    latin = len(re.findall(r"[A-Za-z]+", text))
    return "zh" if han and han > 2 * latin else "en"
