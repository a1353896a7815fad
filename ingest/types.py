"""Plain data passed between reading, cleaning, chunking and indexing.

Every stage is a pure function over these types:

    read_note(path, max_bytes) -> Document
    clean(doc) -> Cleaned                       (blocks with heading paths and original line numbers)
    chunk_blocks(blocks, file, params) -> list[Chunk]
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """A note decoded to text, before any cleaning."""

    file: str  # path relative to the kb folder, '/'-separated
    text: str  # decoded text, BOM removed, newlines normalised to '\n'
    encoding: str  # e.g. 'utf-8', 'utf-8-sig', 'gb18030', 'utf-16'
    format: str  # 'outline' | 'web' | 'markdown' | 'plain'
    sha256: str  # of the raw bytes


@dataclass(frozen=True)
class Block:
    """A run of body text under one heading path, with its lines in the original file.

    Line numbers are 1-based and inclusive, counted in the original file.

    kind 'text': one text line per original line from line_start to line_end (a
    dropped line is an empty line). kind 'list' (one text line per list item) and
    'table' (one text line per row, the header row first): line_spans holds the
    original lines of each text line.
    """

    text: str
    heading: tuple[str, ...]
    line_start: int
    line_end: int
    kind: str = "text"  # 'text' | 'list' | 'table'
    line_spans: tuple[tuple[int, int], ...] = ()  # for 'list' and 'table': (first, last) line of each text line

    def span(self, index: int) -> tuple[int, int]:
        """Original lines of text line `index`."""
        if self.line_spans:
            return self.line_spans[index]
        return (self.line_start + index, self.line_start + index)


@dataclass(frozen=True)
class Cleaned:
    blocks: list[Block]
    title: str = ""  # article title or first heading, '' if none
    boilerplate_chars: int = 0  # characters of cruft dropped (navigation, ads, tags, footers, image paths)
    duplicates_removed: int = 0  # repeated blocks (e.g. repeated annotation blocks) dropped
    metadata: dict = field(default_factory=dict, compare=False, hash=False)  # front matter: title, authors, date
    code_blocks: int = 0  # code and configuration blocks kept out of passages


@dataclass(frozen=True)
class ChunkParams:
    """How body text is packed into citable passages (recorded in the index manifest)."""

    target_chars: int = 200  # pack sentences until about this long
    max_chars: int = 480  # hard ceiling; a single longer sentence is split at clause marks, never inside a number
    include_heading: bool = True  # prefix the heading path when embedding (not in the quoted text)


@dataclass(frozen=True)
class Chunk:
    """A citable passage."""

    text: str  # the passage exactly as quoted to the user (cleaned, whitespace-normalised)
    file: str
    heading: str  # heading path joined with ' > ', '' when none
    line_start: int
    line_end: int
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def lines(self) -> tuple[int, int]:
        return (self.line_start, self.line_end)
