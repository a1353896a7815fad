"""The cross-language lexical bridge: a question's words in the other language, for BM25.

English questions over Chinese notes (and the reverse) share no tokens with the passage
that answers them, so BM25 alone finds nothing. Each English word or phrase of a question
(up to four words) is looked up in the domain glossary and in CC-CEDICT, giving Chinese
candidates; each Chinese word gives the English words of its glosses. A `Translation`
keeps the candidates of one source word together: the retriever keeps those that occur
in the notes and scores the group by its best candidate (BM25, so weighted by the
candidate's IDF in the notes), at a lower weight than the question's own words.

`EN_ZH`, `expand_english`, `expand_chinese` and `glossary_phrases` read the shipped
glossary only (the question's quoting terms and the not-in-the-notes check use them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from app.retrieval.dictionary import Dictionary
from app.retrieval.glossary import Glossary, shipped_glossary
from ingest.tokenize import _STOP, normalise, tokenize

MAX_PHRASE_WORDS = 4
SINGLE_CHARACTER_WEIGHT = 0.5
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# English words as a phrase is written: a break at anything that is neither a letter, a digit nor -.'
_EN_RUN = re.compile(r"[a-z0-9][a-z0-9\-.']*[a-z0-9]|[a-z]")


@dataclass(frozen=True)
class Translation:
    """The other-language candidates for one word or phrase of a question."""

    source: str
    candidates: tuple[str, ...]
    from_glossary: bool = False
    weight: float = 1.0  # relative to the other translations


def english_phrases(text: str) -> list[str]:
    """Word sequences (1-4 words) of the English in a text, neither starting nor ending on a stop word.

    >>> english_phrases("What is the power consumption of a GPU?")
    ['power', 'power consumption', 'consumption', 'consumption of a gpu', 'gpu']
    """
    phrases = []
    for run in re.split(r"[^a-z0-9\-.' ]+", normalise(text)):
        words = _EN_RUN.findall(run)
        for i, first in enumerate(words):
            if first in _STOP:
                continue
            for j in range(i, min(i + MAX_PHRASE_WORDS, len(words))):
                if words[j] not in _STOP:
                    phrases.append(" ".join(words[i : j + 1]))
    return phrases


def chinese_words(text: str) -> list[str]:
    """The Chinese words of a text: each run of Han characters whole, and jieba's words inside it.

    >>> chinese_words("训练的碳排放")
    ['训练的碳排放', '训练', '碳', '排放']
    """
    words: list[str] = []
    for run in _HAN_RUN.findall(normalise(text)):
        for w in [run, *tokenize(run)]:
            if w not in words:
                words.append(w)
    return words


def translations(text: str, glossary: Glossary, dictionary: Dictionary | None) -> list[Translation]:
    """Every bridge from the question's words to the other language's (both directions: a
    mixed question has both), glossary candidates first.

    Single Chinese characters from the dictionary are left out as candidates: as glosses of a word
    they are too ambiguous (力, 势, 幂 for "power"); the glossary may still list one. A single
    character of the question keeps its glosses at a lower weight (张: open, spread, sheet; 上:
    upper, previous, first ...; but 卡 card and 时 hour for 卡时).
    """
    out: list[Translation] = []
    for phrase in english_phrases(text):
        from_glossary = glossary.chinese(phrase)
        from_dictionary = tuple(z for z in dictionary.chinese_for(phrase) if len(z) > 1) if dictionary else ()
        cands = tuple(dict.fromkeys(from_glossary + from_dictionary))
        if cands:
            out.append(Translation(phrase, cands, bool(from_glossary)))
    lowered = normalise(text)
    seen: set[str] = set()
    # glossary terms inside the question (jieba may split 卡时 into 卡 + 时), longest first
    for zh in sorted(glossary.zh_en, key=len, reverse=True):
        if _HAN.search(zh) and zh in lowered and not any(zh in s for s in seen):
            seen.add(zh)
            out.append(Translation(zh, tuple(t for e in glossary.english(zh) for t in tokenize(e)), True))
    for word in chinese_words(text):
        if word in seen or (len(word) < 2 and word in _STOP):
            continue
        cands = tuple(t for e in glossary.english(word) for t in tokenize(e))
        from_dictionary = dictionary.english_for(word) if dictionary else ()
        if cands or from_dictionary:
            # a lone character's glosses are many and loose: they count for less
            weight = SINGLE_CHARACTER_WEIGHT if len(word) == 1 and not cands else 1.0
            out.append(Translation(word, tuple(dict.fromkeys(cands + from_dictionary)), False, weight))
    return out


# --- the shipped glossary as the older interface (quoting terms, not-in-the-notes) ---


class _EnglishToChinese(Mapping):
    """English term (lower case) -> Chinese terms: the shipped glossary's, else CC-CEDICT's (words of two
    characters or more), matched through `phrase_key`. Iterating gives the glossary's terms only."""

    def __getitem__(self, english: str) -> tuple[str, ...]:
        from app.retrieval.dictionary import load_dictionary

        found = shipped_glossary().chinese(english) or tuple(z for z in load_dictionary().chinese_for(english) if len(z) > 1)
        if not found:
            raise KeyError(english)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(shipped_glossary().phrases.values())

    def __len__(self) -> int:
        return len(shipped_glossary())


EN_ZH: Mapping[str, tuple[str, ...]] = _EnglishToChinese()


def glossary_phrases(question: str, glossary: Glossary | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """The glossary phrases found in an English question, with their Chinese terms (the shipped
    glossary unless another is given, e.g. a retriever's, which adds the notes folder's own).

    >>> glossary_phrases("How many GPU hours did training take?")
    [('gpu', ('GPU', '显卡', 'GPU卡')), ('gpu hours', ('卡时', 'GPU时', 'GPU小时', 'GPU hours')), ('training', ('训练',))]
    """
    g = glossary if glossary is not None else shipped_glossary()
    return [(p, g.chinese(p)) for p in english_phrases(question) if g.chinese(p)]


def expand_english(question: str) -> list[str]:
    """Chinese terms of the shipped glossary for the English words of a question.

    >>> expand_english("What cache hit rate was assumed?")
    ['缓存命中率', '命中率']
    """
    return list(dict.fromkeys(z for _, zs in glossary_phrases(question) for z in zs))


def expand_chinese(question: str) -> list[str]:
    """English terms of the shipped glossary for the Chinese words of a question (longest words first).

    >>> expand_chinese("机柜的功耗")
    ['rack', 'power', 'power consumption', 'power draw']
    """
    g = shipped_glossary()
    terms: list[str] = []
    lowered = normalise(question)
    for zh in sorted(g.zh_en, key=len, reverse=True):
        if len(zh) >= 2 and zh in lowered:
            for en in g.english(zh):
                if en not in terms:
                    terms.append(en)
    return terms
