"""The arithmetic written in each note, found at ingest and kept per note content.

`calculators.claims.find_claims` reads every number of a note: cheap for a page, minutes
for a note of a few MB full of figures (measured: a 1.9 MB note, 159 s). So it runs when
a note is ingested, and its result is kept in `<index>/claims/<sha256>-<finder>.json`,
keyed by the note's sha256 and by a fingerprint of the finder's code (a newer finder
recomputes). `kbqa claims`, the Claims tab and claim questions read these files; a note
never ingested is computed once and cached then.

>>> import tempfile
>>> cache = ClaimsCache(Path(tempfile.mkdtemp()))
>>> [c.holds for c in cache.claims("d" * 64, "2 * 3 = 6 and 2 * 4 = 9", "a.txt")]
[True, False]
>>> cache.has("d" * 64), [c.file for c in cache.claims("d" * 64, None, "b.txt")]
(True, ['b.txt', 'b.txt'])
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
from pathlib import Path

log = logging.getLogger("kbqa.ingest")

FOLDER = "claims"


@functools.cache
def finder_version() -> str:
    """A fingerprint of the claims finder: the source of the calculators package it is built from."""
    import calculators

    digest = hashlib.sha256()
    for path in sorted(Path(calculators.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


class ClaimsCache:
    """Claims per note content, in a folder of the index (writes are atomic; a damaged entry is recomputed)."""

    def __init__(self, index_dir: Path):
        self.folder = Path(index_dir) / FOLDER

    def _path(self, digest: str) -> Path:
        return self.folder / f"{digest}-{finder_version()}.json"

    def has(self, digest: str) -> bool:
        return self._path(digest).is_file()

    def claims(self, digest: str, text: str | None, file: str) -> list:
        """The claims of a note whose content has this sha256, named `file`; computed from `text` when not
        cached (text None and not cached: an empty list)."""
        from calculators.claims import Claim

        try:
            rows = json.loads(self._path(digest).read_text(encoding="utf-8"))
            return [dataclasses.replace(Claim.from_dict(row), file=file) for row in rows]
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError) as exc:
            log.warning("the cached claims of %s are unreadable (%s): recomputing them", file, exc)
        if text is None:
            return []
        return self.compute(digest, text, file)

    def compute(self, digest: str, text: str, file: str) -> list:
        """Find the claims of a note and cache them."""
        from calculators.claims import find_claims

        found = find_claims(text, file)
        path = self._path(digest)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps([c.to_dict() for c in found], ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:  # a read-only index folder: the claims are still right, only not kept
            log.debug("cannot cache claims in %s: %s", self.folder, exc)
        return found

    def keep_only(self, digests: set[str]) -> None:
        """Drop the entries of notes no longer in the index, of an older finder, and stray temp files."""
        if not self.folder.is_dir():
            return
        keep = {self._path(d).name for d in digests}
        for path in self.folder.iterdir():
            if path.name not in keep:
                path.unlink(missing_ok=True)
