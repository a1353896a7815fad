"""Every piece of arithmetic written in the notes, checked: one reader for `kbqa claims`
and the assistant (the UI's Claims tab, the claim route).

The notes are listed and decoded by ingest (`list_notes`, `read_note`: BOMs, UTF-16
without a BOM, GB18030, size limit), so the claims come from the same text, file
names and line numbers as the indexed passages; `calculators.claims.find_claims`
judges the arithmetic of each. A note that cannot be read is skipped and reported.

The claims of a note are found once per note content, at ingest (`ingest.claims_cache`,
in the index folder, keyed by the note's sha256): here a note is only hashed (in 1 MB
blocks, after its size is checked) and read when its claims are not cached yet, so a
question never waits for the finder on a note it has already seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from calculators.claims import Claim
from ingest.claims_cache import ClaimsCache
from ingest.errors import NoteError, NoteTooLarge, NoteUnreadable
from ingest.notes_folder import list_notes, note_signature
from ingest.read import human_size, read_note
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
    cache = ClaimsCache(settings.index_dir)
    for path in list_notes(kb):
        name = path.relative_to(kb).as_posix()
        try:
            digest = note_signature(path, settings.max_note_bytes)  # stat first: an oversized note is never read
            if digest.startswith("over-limit:"):
                size = int(digest.split(":")[1])
                raise NoteTooLarge(name, f"over the {human_size(settings.max_note_bytes)} size limit ({human_size(size)})")
            if cache.has(digest):
                claims.extend(cache.claims(digest, None, name))
                continue
            doc = read_note(path, kb, settings.max_note_bytes)
        except NoteError as exc:
            skipped.append(exc)
            continue
        except OSError as exc:
            skipped.append(NoteUnreadable(name, f"cannot be read ({exc.strerror or exc})"))
            continue
        claims.extend(cache.compute(doc.sha256, doc.text, doc.file))
    return NotesArithmetic(claims, skipped)
