"""BM25 for a question, with its words translated into the notes' other language.

The question's own words score as usual. Each `Translation` (one source word's candidates)
adds the BM25 score of its best candidate found in the notes, times a weight below one:
a translation is a guess, and a word with many candidates ("power": 功率, 电力, 力量 ...)
must not count many times. BM25 weighs each candidate by its IDF in the notes, so a
candidate that every passage holds adds little.

A candidate is matched to the notes' vocabulary as a whole token, through an English stem
(a gloss's "emission" finds the notes' "emissions"), or, for a multi-word candidate, as all
of its tokens (scored by the weakest, so the passage must hold every part).
"""

from __future__ import annotations

import numpy as np

from app.retrieval.dictionary import stem
from app.retrieval.lexicon import Translation
from ingest.bm25 import Bm25Index
from ingest.tokenize import tokenize


def word_stem(word: str) -> str:
    """The stem a candidate and a note's word are matched by: `stem`, then -ing and -ed dropped
    when four letters remain.

    >>> [word_stem(w) for w in ["pretrained", "pretraining", "emissions", "need", "thing", "costs"]]
    ['pretrain', 'pretrain', 'emission', 'need', 'thing', 'cost']
    """
    word = stem(word)
    for ending in ("ing", "ed"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


class LexicalScorer:
    """Weighted BM25 over one index; built once per retriever."""

    def __init__(self, bm25: Bm25Index):
        self.bm25 = bm25
        self.vocabulary = bm25.vocabulary
        self._by_stem: dict[str, list[str]] = {}
        for term in self.vocabulary:
            if term[:1].isascii() and term[:1].isalpha():
                self._by_stem.setdefault(word_stem(term), []).append(term)
        self._columns: dict[str, np.ndarray] = {}

    def in_notes(self, candidate: str) -> list[list[str]]:
        """How a candidate occurs in the notes: a list of alternatives, each a list of tokens that must all occur.

        Empty when it does not occur."""
        key = candidate.lower()
        if key in self.vocabulary:
            return [[key]]
        if key.isascii() and " " not in key:
            return [[t] for t in self._by_stem.get(word_stem(key), [])]
        tokens = tokenize(candidate)
        if len(tokens) > 1 and all(t in self.vocabulary for t in tokens):
            return [tokens]
        return []

    def column(self, term: str) -> np.ndarray:
        col = self._columns.get(term)
        if col is None:
            col = self._columns[term] = self.bm25.scores([term])
            if len(self._columns) > 50_000:  # a long-running process over a large vocabulary
                self._columns.clear()
        return col

    def scores(self, words: list[str], translations: list[Translation], weight: float) -> np.ndarray:
        """BM25 of the question's words plus `weight` x the best candidate of each translation."""
        total = self.bm25.scores(list(words)).astype(np.float32)
        if weight <= 0:
            return total
        own = set(words)
        seen_groups: set[tuple[str, ...]] = set()
        for tr in translations:
            alternatives = [alt for c in tr.candidates for alt in self.in_notes(c)]
            alternatives = [alt for alt in alternatives if not set(alt) <= own]
            group = tuple(sorted({" ".join(a) for a in alternatives}))
            if not group or group in seen_groups:
                continue
            seen_groups.add(group)
            best = np.zeros_like(total)
            for alt in alternatives:
                cols = [self.column(t) for t in alt]
                np.maximum(best, np.minimum.reduce(cols) if len(cols) > 1 else cols[0], out=best)
            total += weight * tr.weight * best
        return total

    def translated_words(self, translations: list[Translation]) -> list[str]:
        """For each translation, its first candidate found in the notes (the glossary's come first)."""
        out: list[str] = []
        for tr in translations:
            for c in tr.candidates:
                if self.in_notes(c):
                    if c not in out:
                        out.append(c)
                    break
        return out
