"""The domain glossary: English-Chinese terms a general dictionary lacks (词元 for token, 卡时 for
GPU-hours), read from tab-separated files.

One entry a line: an English term, a tab, then one or more Chinese terms separated by tabs or
'|'. Blank lines and lines starting with '#' are skipped. The project ships a small general
glossary of LLM economics (`data/glossary.tsv`); a user adds their own vocabulary in
`<kb>/.kbqa/glossary.tsv`, read when the notes are opened, whose entries add to the shipped ones.

>>> g = parse_glossary("# comment\\nGPU hours\\t卡时|GPU时\\ntoken\\t词元\\n", "g.tsv")
>>> g.chinese("gpu hour"), g.english("卡时")
(('卡时', 'GPU时'), ('gpu hours',))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from app.retrieval.dictionary import phrase_key
from ingest.errors import KbqaError

USER_GLOSSARY = Path(".kbqa") / "glossary.tsv"  # inside the notes folder
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


class GlossaryError(KbqaError, ValueError):
    """A glossary line that cannot be read; the message names the file and line."""


@dataclass
class Glossary:
    """English phrase (by `phrase_key`) -> Chinese terms, and Chinese term -> English phrases."""

    en_zh: dict[str, tuple[str, ...]] = field(default_factory=dict)
    zh_en: dict[str, tuple[str, ...]] = field(default_factory=dict)
    phrases: dict[str, str] = field(default_factory=dict)  # phrase_key -> the English as written (lower case)

    def add(self, english: str, chinese: list[str]) -> None:
        key = phrase_key(english)
        self.phrases.setdefault(key, english.lower())
        self.en_zh[key] = tuple(dict.fromkeys(self.en_zh.get(key, ()) + tuple(chinese)))
        for zh in chinese:
            self.zh_en[zh.lower()] = tuple(dict.fromkeys(self.zh_en.get(zh.lower(), ()) + (english.lower(),)))

    def extended(self, other: "Glossary") -> "Glossary":
        """This glossary with another's entries added."""
        out = Glossary(dict(self.en_zh), dict(self.zh_en), dict(self.phrases))
        for key, zh in other.en_zh.items():
            out.add(other.phrases[key], list(zh))
        return out

    def chinese(self, english: str) -> tuple[str, ...]:
        return self.en_zh.get(phrase_key(english), ())

    def english(self, chinese: str) -> tuple[str, ...]:
        return self.zh_en.get(chinese.lower(), ())

    def __len__(self) -> int:
        return len(self.en_zh)


def parse_glossary(text: str, where: str) -> Glossary:
    """A glossary from a file's text; GlossaryError names `where` and the line of the first bad entry."""
    glossary = Glossary()
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in re.split(r"\t|\|", line) if c.strip()]
        if "\t" not in line or len(cells) < 2:
            raise GlossaryError(f"{where}:{n}: expected an English term, a tab, then Chinese terms "
                                f"(separated by tabs or '|'), got {line.strip()!r}")
        english, chinese = cells[0], cells[1:]
        if _HAN.search(english) or not _LATIN.search(english):
            raise GlossaryError(f"{where}:{n}: the first column must be the English term, got {english!r}")
        glossary.add(english, chinese)
    return glossary


def read_glossary(path: Path) -> Glossary:
    """A glossary file (UTF-8); GlossaryError when it cannot be read or a line is malformed."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GlossaryError(f"{path}: not UTF-8 text (byte {exc.start}): save the glossary as UTF-8") from None
    except OSError as exc:
        raise GlossaryError(f"{path}: cannot read the glossary ({exc.strerror})") from None
    return parse_glossary(text, str(path))


@lru_cache(maxsize=1)
def shipped_glossary() -> Glossary:
    """The general LLM-economics glossary that ships with kbqa."""
    resource = files("app.retrieval") / "data" / "glossary.tsv"
    return parse_glossary(resource.read_text(encoding="utf-8"), "kbqa/app/retrieval/data/glossary.tsv")


def notes_glossary(kb: Path) -> Glossary:
    """The shipped glossary extended by the notes folder's own `.kbqa/glossary.tsv`, when there is one."""
    user = Path(kb) / USER_GLOSSARY
    if not user.is_file():
        return shipped_glossary()
    return shipped_glossary().extended(read_glossary(user))
