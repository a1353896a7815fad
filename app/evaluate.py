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
        lines = Path(path).read_text(encoding="utf-8").splitlines()
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


@dataclass
class LookupScore:
    n: int = 0
    ranks: list[int | None] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)

    def recall(self, k: int) -> float:
        return sum(1 for r in self.ranks if r is not None and r <= k) / max(self.n, 1)

    @property
    def mrr(self) -> float:
        return sum(1.0 / r for r in self.ranks if r is not None) / max(self.n, 1)

    def as_json(self) -> dict:
        return {
            "n": self.n,
            "R@1": round(self.recall(1), 4),
            "R@3": round(self.recall(3), 4),
            "R@5": round(self.recall(5), 4),
            "MRR": round(self.mrr, 4),
            "misses": self.misses,
        }


def score_lookups(items: list[dict], search) -> LookupScore:
    """search(question) -> list of passage texts, best first (at least 5)."""
    score = LookupScore()
    for item in items:
        if item.get("kind") != "lookup":
            continue
        passages = search(item["question"])
        rank = first_hit_rank(passages, item["evidence"])
        score.n += 1
        score.ranks.append(rank)
        if rank is None or rank > 1:
            score.misses.append({"id": item.get("id"), "question": item["question"], "rank": rank, "top": passages[0][:120] if passages else ""})
    return score
