"""The notes folder: which files are notes, which are skipped and why (links out of the folder, loops,
other suffixes), and each note's fingerprint, read by streaming and never past the size limit."""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import KbNotFound

NOTE_SUFFIXES = (".txt", ".md", ".markdown")
_HASH_BLOCK = 1 << 20


def sha256_file(path: Path) -> str:
    """sha256 of a file, read in 1 MB blocks (never whole: a note or an index file may be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def note_signature(path: Path, max_bytes: int) -> str:
    """What identifies a note's content: its sha256, or, for a note over the size limit (which is
    skipped), its size and modification time, so that it is never read just to be skipped."""
    st = path.stat()
    if st.st_size > max_bytes:
        return f"over-limit:{st.st_size}:{st.st_mtime_ns}"
    return sha256_file(path)


@dataclass
class NoteScan:
    notes: list[Path]  # readable candidates, in a stable order
    skipped: list[tuple[str, str]]  # (name, why): links out of the notes folder, loops, broken links


def scan_notes(kb: Path) -> NoteScan:
    """Every note under kb (recursively; hidden folders such as .index excluded), and the links not followed:
    a link to a file outside kb, a broken link, a link loop, a link to a folder."""
    kb = Path(kb)
    if not kb.is_dir():
        raise KbNotFound(str(kb))
    root = kb.resolve()
    notes: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for dirpath, dirnames, filenames in os.walk(kb, followlinks=False):
        here = Path(dirpath)
        kept = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            if (here / name).is_symlink():  # os.walk does not descend into it: say so
                problem = _link_problem(here / name, root) or "a link to a folder (links to folders are not followed)"
                skipped.append(((here / name).relative_to(kb).as_posix(), problem))
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            path = here / name
            if name.startswith(".") or path.suffix.lower() not in NOTE_SUFFIXES:
                continue
            if path.is_symlink():
                problem = _link_problem(path, root)
                if problem:
                    skipped.append((path.relative_to(kb).as_posix(), problem))
                    continue
            notes.append(path)
    return NoteScan(sorted(notes), sorted(skipped))


def _link_problem(path: Path, root: Path) -> str | None:
    """Why a symbolic link is not followed, or None for a link to a file inside the notes folder."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a loop this way
        return "a link loop"
    except OSError as exc:
        return "a link loop" if exc.errno == errno.ELOOP else "a broken link (its target does not exist)"
    if not target.is_relative_to(root):
        return f"a link to {target}, outside the notes folder"
    return None


def list_notes(kb: Path) -> list[Path]:
    """Every note under kb (recursively), hidden folders such as .index excluded, in a stable order."""
    return scan_notes(kb).notes
