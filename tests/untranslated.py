"""Find English words left in text meant for a Chinese reader (the 中文 interface).

Names, units and code are allowed: model and chip names, unit symbols, identifiers (a word with
`_` or digits), file names and anything inside <code>. Everything else in Latin letters is a
string someone forgot to translate.
"""

from __future__ import annotations

import html
import re

# names, units and abbreviations a Chinese text writes in Latin letters too
ALLOWED = {
    # products, chips, models, companies, formats
    "gpt", "gpu", "gpus", "tpu", "dgx", "nvidia", "palm", "gopher", "chinchilla", "llama", "openai", "google", "deepseek",
    "chatgpt", "bert", "adam", "zero", "markdown", "kbqa", "gradio", "api", "utf", "gbk", "gb", "txt", "md", "hbm",
    "bf", "fp", "int", "kv", "mfu", "pue", "co", "ceil", "floor", "sqrt", "roofline", "transformer", "cloud", "tpus",
    "hoffmann", "kaplan", "et", "al", "korthikanti", "eleutherai", "mi", "amd", "datasheet", "https", "http", "www",
    "com", "org", "docs", "pdf", "arxiv", "cpu", "ram", "json", "csv", "e5", "use", "bm", "faiss", "ai", "h", "x", "e",
    # units
    "flop", "flops", "token", "tokens", "tflop", "pflop", "pf", "day", "kw", "kwh", "mw", "w", "tb", "mb", "kb", "s",
    "ms", "us", "u", "k", "m", "b", "t", "usd", "hz", "co2e", "kg",
}


def visible_text(fragment: str) -> str:
    """The text a reader sees in an HTML fragment, without <code>, <script> and <style> contents."""
    fragment = re.sub(r"(?s)<(code|script|style|svg)\b.*?</\1>", " ", fragment)
    fragment = re.sub(r"(?s)<[^>]+>", " ", fragment)
    return html.unescape(fragment)


def english_words(text: str, allowed=frozenset()) -> list[str]:
    """Latin-letter words in `text` that are not names, units or code.

    >>> english_words("训练成本 GPT-3 on TPU v4 · price_per_chip_hour [美元/GPU·小时] 275万亿 FLOP/s kb/001.txt")
    ['on']
    """
    text = re.sub(r"\S*[_/\\.]\S*\.(txt|md|markdown)\b|https?://\S+", " ", text)  # file names, links
    out = []
    for word in re.findall(r"[A-Za-z][A-Za-z0-9_'-]*", text):
        if "_" in word or any(ch.isdigit() for ch in word):  # identifiers, model and chip names (A100, v4, e5)
            continue
        parts = [p for p in re.split(r"[-']", word.lower()) if p]
        if all(p in ALLOWED or p in allowed for p in parts):
            continue
        if word.isupper() and len(word) <= 5:  # abbreviations (PF, HBM, KV, NVL)
            continue
        out.append(word)
    return out
