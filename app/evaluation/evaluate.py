"""Scoring against the eval format of shared/eval/README.md.

A retrieved passage hits when it contains one of the evidence strings, both sides
compared after NFKC normalisation with all whitespace removed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import KbqaError


class EvalFileError(KbqaError, ValueError):
    pass


def load_eval(path: Path) -> list[dict]:
    """Read an eval JSONL file; a malformed line is an error naming the line."""
    items = []
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        raise EvalFileError(f"eval file not found: {path}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict) or "kind" not in item:
            raise EvalFileError(f"{path}:{n}: expected an object with a 'kind' field")
        items.append(item)
    return items


def squash(text: str) -> str:
    """NFKC, all whitespace removed.

    >>> squash("峰值 312　TFLOPS")
    '峰值312TFLOPS'
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def is_hit(passage: str, evidence: list[str]) -> bool:
    p = squash(passage)
    return any(squash(e) in p for e in evidence)


def first_hit_rank(passages: list[str], evidence: list[str]) -> int | None:
    """1-based rank of the first passage that contains evidence, None if none does."""
    for rank, text in enumerate(passages, 1):
        if is_hit(text, evidence):
            return rank
    return None


DIRECTIONS = ("en->zh", "zh->en", "same language")


def direction(question_lang: str, passage_lang: str | None) -> str:
    """'en->zh' for an English question answered by a Chinese passage, and so on.

    >>> direction("en", "zh"), direction("zh", "zh"), direction("zh", None)
    ('en->zh', 'same language', 'unknown')
    """
    if passage_lang is None:
        return "unknown"
    return "same language" if question_lang == passage_lang else f"{question_lang}->{passage_lang}"


def evidence_language(evidence: list[str], passages: list[tuple[str, str]]) -> str | None:
    """The language of the passage holding the evidence, else of the note holding it, else of the
    evidence itself when it has words; None for a bare figure found nowhere.

    `passages` is (note, text) for every passage of the notes.

    >>> notes = [("a.md", "The H100 draws 700 W."), ("b.txt", "训练耗电如下表"), ("b.txt", "| 1,287 | 552 |")]
    >>> evidence_language(["700 W"], notes), evidence_language(["1,287"], notes), evidence_language(["42"], notes)
    ('en', 'zh', None)
    """
    from app.question.language import detect_language

    keys = [squash(e) for e in evidence]
    for note, text in passages:
        if any(k and k in squash(text) for k in keys):
            if _has_words(text, keys):
                return detect_language(text)
            return detect_language("".join(t for n, t in passages if n == note))
    words = " ".join(evidence)
    return detect_language(words) if re.search(r"[A-Za-z]{2}|[\u4e00-\u9fff]", words) else None


def _has_words(text: str, evidence_keys: list[str]) -> bool:
    """Whether a passage has words of its own beside the evidence (a table cell of figures has not)."""
    rest = squash(text)
    for k in evidence_keys:
        rest = rest.replace(k, "")
    return bool(re.search(r"[A-Za-z]{3}|[\u4e00-\u9fff]", rest))


@dataclass
class LookupScore:
    n: int = 0
    ranks: list[int | None] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)
    by_direction: dict[str, "LookupScore"] = field(default_factory=dict)

    def add(self, rank: int | None) -> None:
        self.n += 1
        self.ranks.append(rank)

    def recall(self, k: int) -> float:
        return sum(1 for r in self.ranks if r is not None and r <= k) / max(self.n, 1)

    @property
    def mrr(self) -> float:
        return sum(1.0 / r for r in self.ranks if r is not None) / max(self.n, 1)

    def figures(self) -> dict:
        return {"n": self.n, "R@1": round(self.recall(1), 4), "R@3": round(self.recall(3), 4),
                "R@5": round(self.recall(5), 4), "MRR": round(self.mrr, 4)}

    def as_json(self) -> dict:
        return {**self.figures(), "by_direction": {d: s.figures() for d, s in self.by_direction.items()},
                "misses": self.misses}


def score_lookups(items: list[dict], search, notes: list[tuple[str, str]] | None = None) -> LookupScore:
    """search(question) -> list of passage texts, best first (at least 5). With `notes` ((note, passage
    text) for every passage), the scores are also given by direction: the question's language (its
    `lang`, else detected) against the language of the passage holding the evidence."""
    from app.question.language import detect_language

    score = LookupScore()
    for item in items:
        if item.get("kind") != "lookup":
            continue
        passages = search(item["question"])
        rank = first_hit_rank(passages, item["evidence"])
        score.add(rank)
        way = None
        if notes is not None:
            way = direction(item.get("lang") or detect_language(item["question"]), evidence_language(item["evidence"], notes))
            score.by_direction.setdefault(way, LookupScore()).add(rank)
        if rank is None or rank > 1:
            miss = {"id": item.get("id"), "question": item["question"], "rank": rank, "top": passages[0][:120] if passages else ""}
            score.misses.append(miss if way is None else {**miss, "direction": way})
    score.by_direction = {d: score.by_direction[d] for d in (*DIRECTIONS, "unknown") if d in score.by_direction}
    return score


@dataclass
class KindScore:
    n: int = 0
    right: int = 0
    wrong: list[dict] = field(default_factory=list)

    def add(self, ok: bool, item: dict, got) -> None:
        self.n += 1
        if ok:
            self.right += 1
        else:
            self.wrong.append({"id": item.get("id"), "question": item.get("question") or item.get("text"), "got": got})

    def as_json(self) -> dict:
        return {"n": self.n, "right": self.right, "accuracy": round(self.right / self.n, 4) if self.n else None, "wrong": self.wrong}


def calculation_is_right(item: dict, outputs) -> tuple[bool, object]:
    """The first output in the expected unit must be within rel_tol (0 = exact)."""
    for o in outputs:
        if o.unit == item.get("unit", ""):
            expected, tol = float(item["expected"]), float(item.get("rel_tol", 0.0))
            ok = o.value == expected if tol == 0 else abs(o.value - expected) <= tol * abs(expected)
            return ok, {"name": o.name, "value": o.value, "unit": o.unit}
    return False, [{"name": o.name, "value": o.value, "unit": o.unit} for o in outputs] or "no outputs"


def find_written_claim(text: str, claims: list):
    """The claim the notes' checker found for an eval line's text (matched on the arithmetic, whitespace ignored)."""
    target = squash(text)
    best = None
    for c in claims:
        s = squash(c.text)
        if s and (s in target or target in s):
            if best is None or len(s) > len(squash(best.text)):
                best = c
    return best


def score_all(items: list[dict], assistant) -> dict:
    """Every kind of eval line: lookups (retrieval and whether the answer quotes a hit),
    not_in_notes, calculate and arithmetic_claim."""
    notes = [(c.file, c.text) for c in assistant.retriever.chunks]
    lookups = score_lookups(items, lambda q: [h.chunk.text for h in assistant.retriever.search(q, k=5)], notes)
    quotes = KindScore()
    kinds = {"not_in_notes": KindScore(), "calculate": KindScore(), "arithmetic_claim": KindScore()}
    for item in items:
        kind = item.get("kind")
        if kind == "lookup":
            ans = assistant.answer(item["question"])
            ok = ans.route == "lookup" and any(is_hit(c.quote, item["evidence"]) for c in ans.citations)
            quotes.add(ok, item, {"route": ans.route, "quotes": [c.quote[:80] for c in ans.citations]})
        elif kind == "not_in_notes":
            ans = assistant.answer(item["question"])
            kinds["not_in_notes"].add(ans.route == "not_in_notes", item, ans.route)
        elif kind == "calculate":
            ans = assistant.answer(item["question"])
            ok, got = calculation_is_right(item, ans.outputs)
            kinds["calculate"].add(ok and ans.route == "calculate", item, {"route": ans.route, "output": got})
        elif kind == "arithmetic_claim":
            claim = find_written_claim(item["text"], assistant.notes_arithmetic)
            got = None if claim is None else claim.holds
            kinds["arithmetic_claim"].add(claim is not None and got == item["holds"], item, "not found in the notes" if claim is None else {"holds": got, "note": claim.note})
    return {"lookup": {**lookups.as_json(), "answer_quotes_hit": quotes.as_json()}, **{k: v.as_json() for k, v in kinds.items()}}
