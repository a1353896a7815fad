"""Every piece of arithmetic written in the notes, checked: one reader for `kbqa claims`
and the assistant (the UI's Claims tab, the claim route).

The notes are listed and decoded by ingest (`list_notes`, `read_note`: BOMs, UTF-16
without a BOM, GB18030, size limit), so the claims come from the same text, file
names and line numbers as the indexed passages; `calculators.claims.find_claims`
judges the arithmetic of each. A note that cannot be read is skipped and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from calculators.claims import Claim, find_claims
from ingest.errors import NoteError
from ingest.index import list_notes
from ingest.read import read_note
from ingest.settings import Settings


@dataclass(frozen=True)
class NotesArithmetic:
    claims: list[Claim] = field(default_factory=list)  # in note order, then line order
    skipped: list[NoteError] = field(default_factory=list)  # notes that could not be read, each saying why


def notes_arithmetic(settings: Settings) -> NotesArithmetic:
    """The claims of every note under `settings.kb`; KbNotFound if there is no such folder."""
    kb = settings.kb
    claims: list[Claim] = []
    skipped: list[NoteError] = []
    for path in list_notes(kb):
        try:
            doc = read_note(path, kb, settings.max_note_bytes)
        except NoteError as exc:
            skipped.append(exc)
            continue
        claims.extend(find_claims(doc.text, doc.file))
    return NotesArithmetic(claims, skipped)
