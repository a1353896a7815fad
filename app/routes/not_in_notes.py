"""Deciding that the notes do not hold the answer.

Dense similarity alone does not separate "on topic but absent" from "present" on
these notes (cosines of both spread over the same range), so the decision rests on
two lexical signals, checked against the whole corpus:

- a name the question depends on (a model, a chip, a company, a person) that appears
  nowhere in the notes, in either language (via the glossary): "H200", "Gemini Ultra";
- the question's content words are mostly absent from the notes' vocabulary
  (off-topic questions).
"""

from __future__ import annotations

import re
import unicodedata

from app.retrieval.lexicon import EN_ZH, glossary_phrases
from app.retrieval.rerank import squash
from app.question import Question
from ingest.tokenize import tokenize

MIN_TERM_COVERAGE = 0.3  # chosen on dev + proxy lookups vs off-topic questions (lowest lookup: 0.25..0.4)

_WORD = re.compile(r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*(?:[-.'’][A-Za-z0-9]+)*")
_GENERIC = frozenset("i ai llm llms gpu gpus cpu flops flop tflops pflops api faq ok vs etc".split())


def _is_quantity(word: str) -> bool:
    """'175B', '1e23', '1.4M' are figures, not names."""
    from calculators.errors import CalculatorError
    from calculators.units import parse_quantity

    if not word[0].isdigit():
        return False
    try:
        parse_quantity(word)
    except CalculatorError:
        return False
    return True


def candidate_names(question: str, language: str) -> list[str]:
    """Words of a question that name something specific.

    English: a word with a digit, with two capitals, or capitalised mid-sentence.
    Chinese: any run of Latin words (in Chinese text they are names).

    >>> candidate_names("What is the list price of an NVIDIA H200 GPU?", "en")
    ['NVIDIA H200']
    >>> candidate_names("Gemini Ultra 的参数量是多少？", "zh")
    ['Gemini Ultra']
    >>> candidate_names("How many searches per month did Google process in 2012?", "en")
    ['Google']
    """
    text = unicodedata.normalize("NFKC", question)
    zh = language == "zh"
    names: list[str] = []
    last_end = -10
    for m in _WORD.finditer(text):
        word = re.sub(r"['’]s$", "", m.group(0))
        if word.lower() in _GENERIC or _is_quantity(word):
            continue
        initial = not text[: m.start()].strip() or re.search(r"[.?!。？！]\s*$", text[: m.start()])
        specific = any(c.isdigit() for c in word) or sum(c.isupper() for c in word) >= 2
        capitalised = word[0].isupper() and not initial
        if not (zh or specific or capitalised):
            continue
        if names and not text[last_end : m.start()].strip():
            names[-1] += text[last_end : m.start()] + word  # adjacent name words form one name
        else:
            names.append(word)
        last_end = m.start() + len(word)
    return names


def _parts(name: str) -> list[str]:
    """'GPT-3-level' -> ['GPT-3', 'level']: a hyphenated word whose parts are names or words."""
    words = []
    for w in re.split(r"\s+", name):
        words += [p for p in re.split(r"-(?=[A-Za-z]{2})", w) if p]
    return words


def _present(part: str, corpus: str) -> bool:
    """A name part is present as written, or with its letters and digits swapped ('NVL72' ~ '72NVL')."""
    key = squash(part)
    if key in corpus:
        return True
    m = re.fullmatch(r"([a-z]+)(\d+)|(\d+)([a-z]+)", key)
    return bool(m) and (f"{m.group(2)}{m.group(1)}" if m.group(1) else f"{m.group(4)}{m.group(3)}") in corpus


def missing_names(question: Question, corpus: str, glossary=None) -> list[str]:
    """Names from the question found nowhere in the notes, in either language.

    `corpus` is the squashed text of every passage (see `squash`).
    """
    covered_by_glossary = set()
    for phrase, zh_terms in glossary_phrases(question.text, glossary):
        if any(squash(z) in corpus for z in zh_terms):
            covered_by_glossary.update(phrase.split())
    missing = []
    for name in candidate_names(question.text, question.language):
        if squash(name) in corpus:
            continue
        parts = [p for p in _parts(name) if p.lower() not in _GENERIC and p.lower() not in covered_by_glossary]
        absent = [p for p in parts if not _present(p, corpus)]
        # A name is missing when a part with a digit (a model or chip id: H200, V3) is absent, or every part is
        # ("Gemini Ultra"); a lone unknown word inside a known name ("ChatGPT-style") is not enough.
        if any(any(c.isdigit() for c in p) for p in absent) or (absent and len(absent) == len(parts)):
            missing.append(name)
    return missing


def term_coverage(question: Question, vocabulary: set[str]) -> float:
    """Share of the question's content words (numbers aside) that occur in the notes, directly or via the glossary."""
    tokens = [t for t in question.words if not re.fullmatch(r"[\d.]+", t)]
    if not tokens:
        return 1.0
    found = 0
    for t in tokens:
        if t in vocabulary:
            found += 1
            continue
        translations = EN_ZH.get(t, ()) + EN_ZH.get(t.rstrip("s"), ())
        if any(all(x in vocabulary for x in tokenize(z)) for z in translations):
            found += 1
    return found / len(tokens)


def not_in_notes_reason(question: Question, corpus: str, vocabulary: set[str], glossary=None) -> str | None:
    """Why the notes cannot answer this, or None when they may."""
    lang = question.language
    missing = missing_names(question, corpus, glossary)  # glossary: the notes folder's (None: the shipped one)
    if missing:
        names = "、".join(missing) if lang == "zh" else ", ".join(missing)
        return f"笔记中没有出现 {names}" if lang == "zh" else f"the notes never mention {names}"
    if term_coverage(question, vocabulary) < MIN_TERM_COVERAGE:
        return "笔记中没有与问题相关的内容" if lang == "zh" else "the notes do not discuss this topic"
    return None
