"""Sentence boundaries for Chinese and English text, as character spans.

Spans rather than strings, so a chunker can slice the original text and map any
character back to its line. A boundary falls after 。！？； (always), after
!?; (when followed by a space, the end, or CJK), after '.' only when it ends a
sentence (not in 3.15, 1.4万, e.g., U.S., v4.0 or a URL), and at a line break
(a line of a note is a paragraph or a bullet), except a soft wrap inside an
English sentence.
"""

from __future__ import annotations

import re

_CJK_ENDS = "。！？；"
_ASCII_ENDS = "!?;"
# Closing quotes and brackets stay with the sentence they close.
_CLOSERS = "”’\"'」』）)】》]"
# Words that take a period without ending a sentence.
_ABBREVIATIONS = {
    "e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof", "st", "no",
    "fig", "al", "approx", "inc", "ltd", "co", "jr", "sr", "cf", "resp", "ca",
}
_WORD_BEFORE_DOT = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_LIST_ITEM = re.compile(r"\d{1,3}[.)、]\s")
_INITIALS = re.compile(r"^(?:[A-Za-z]\.)*[A-Za-z]$")  # U.S, J, e.g


def is_cjk(ch: str) -> bool:
    """CJK ideographs and full-width punctuation: text that needs no spaces."""
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x2FFFF
    )


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, whitespace trimmed, in order, never empty.

    Every non-whitespace character of `text` lies in exactly one span.

    >>> t = "GPT-3 costs $1.4M. It has 175B params; 训练成本约为3.15万美元。好！"
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['GPT-3 costs $1.4M.', 'It has 175B params;', '训练成本约为3.15万美元。', '好！']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        end = _boundary_after(text, i, start)
        if end is None:
            i += 1
            continue
        _add_trimmed(spans, text, start, end)
        start = i = max(end, i + 1)
    _add_trimmed(spans, text, start, n)
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, whitespace trimmed.

    >>> split_sentences("See e.g. the U.S. market. Then v4.0 is out!Next")
    ['See e.g. the U.S. market.', 'Then v4.0 is out!Next']
    >>> split_sentences("1.4万亿token。1,234.5 美元；done")
    ['1.4万亿token。', '1,234.5 美元；', 'done']
    """
    return [text[s:e] for s, e in sentence_spans(text)]


def _boundary_after(text: str, i: int, start: int) -> int | None:
    """End of the sentence if one ends at text[i], else None."""
    ch = text[i]
    if ch == "\n":
        return None if _is_soft_wrap(text, i) else i
    if ch in _CJK_ENDS:
        return _absorb_closers(text, i + 1)
    if ch in _ASCII_ENDS:
        end = _absorb_closers(text, i + 1)
        return end if _followed_by_break(text, end) else None
    if ch == "." and _period_ends_sentence(text, i, start):
        return _absorb_closers(text, i + 1)
    return None


def _absorb_closers(text: str, j: int) -> int:
    while j < len(text) and (text[j] in _CLOSERS or text[j] in _CJK_ENDS or text[j] in "!?"):
        j += 1
    return j


def _followed_by_break(text: str, j: int) -> bool:
    return j >= len(text) or text[j].isspace() or is_cjk(text[j])


def _period_ends_sentence(text: str, i: int, start: int) -> bool:
    if i + 1 < len(text) and text[i + 1] == ".":
        return False  # inside an ellipsis: the last dot decides
    if not _followed_by_break(text, _absorb_closers(text, i + 1)):
        return False  # 3.15, v4.0, e.g., example.com
    if len(text[start:i].strip()) <= 3:
        return False  # a list number such as "1." or "a."
    before = text[max(start, i - 12) : i]
    word = _WORD_BEFORE_DOT.search(before)
    if word and word.group(1).lower() in _ABBREVIATIONS:
        return False
    glued_to_digit = word and word.start() > 0 and before[word.start() - 1].isdigit()  # 1.4M.
    if word and _INITIALS.match(word.group(1)) and not glued_to_digit:
        return False  # U.S. or the J. of J. Smith
    rest = text[i + 1 :].lstrip(" \t")
    return not (rest[:1].islower() and rest[:1].isascii())  # "approx. three" continues


def _is_soft_wrap(text: str, i: int) -> bool:
    """A line break inside an English sentence of hard-wrapped prose."""
    before = text[:i].rstrip(" \t")
    after = text[i + 1 :].lstrip(" \t")
    if not before or not after or _LIST_ITEM.match(after):
        return False
    ends_mid_sentence = before[-1].isascii() and (before[-1].isalnum() or before[-1] in ",-")
    continues = after[0].isascii() and (after[0].islower() or after[0].isdigit())
    return ends_mid_sentence and continues


def _add_trimmed(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
