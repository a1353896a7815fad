"""Pieces every note reader shares: a cleaned original line, repeats dropped, lines grouped
into Blocks, whitespace collapsed. The format readers (`ingest.clean` for outlines, web
pages and plain text; `ingest.markdown` for Markdown) build on these; nothing here
imports them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ingest.types import Block

# Alt texts that are only an image's file name say nothing.
_FILENAME_ALT = re.compile(r"^(?:image|img|screenshot|截屏|屏幕截图|微信图片)[-_ ]?[\w-]*$|^[\w-]+\.(?:png|jpe?g|gif|webp|bmp)$", re.I)
_MEANINGFUL = re.compile(r"[A-Za-z0-9\u3400-\u9fff]")


@dataclass(frozen=True)
class Line:
    """One original line after cleaning: its number, text and heading path.

    A list item or a table row may come from several lines (number to end); rows
    and items of one table or list share a group."""

    number: int
    text: str
    heading: tuple[str, ...]
    end: int = 0  # last original line, when the text spans several (0: just `number`)
    kind: str = "text"  # 'text' | 'list' | 'table'
    group: int = 0


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace (line breaks included) become one space.

    >>> collapse_whitespace("  硬件方面：带宽\\n\\n 400Gb -  800Gb ")
    '硬件方面：带宽 400Gb - 800Gb'
    """
    return " ".join(text.split())


def dedupe_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def drop_repeats(lines: list[Line], min_chars: int = 12) -> tuple[list[Line], int]:
    """Drop lines whose text already appeared in the file (e.g. an annotation block
    exported twice). Returns the kept lines and the number of repeated runs dropped."""
    seen: set[str] = set()
    kept: list[Line] = []
    runs = 0
    previous_dropped = False
    for line in lines:
        key = dedupe_key(line.text)
        repeated = len(key) >= min_chars and key in seen
        seen.add(key)
        if repeated:
            runs += 0 if previous_dropped else 1
        else:
            kept.append(line)
        previous_dropped = repeated
    return kept, runs


def to_blocks(lines: list[Line]) -> list[Block]:
    """Consecutive lines under one heading path (and of one list or table) make one Block."""
    blocks: list[Block] = []
    group: list[Line] = []
    for line in lines:
        if group and (line.heading, line.kind, line.group) != (group[0].heading, group[0].kind, group[0].group):
            blocks.append(_block(group))
            group = []
        group.append(line)
    if group:
        blocks.append(_block(group))
    return blocks


def _block(group: list[Line]) -> Block:
    if group[0].kind != "text":  # one text line per item or row, each with its lines
        spans = tuple((line.number, max(line.number, line.end)) for line in group)
        return Block(
            text="\n".join(line.text for line in group),
            heading=group[0].heading,
            line_start=spans[0][0],
            line_end=max(end for _, end in spans),
            kind=group[0].kind,
            line_spans=spans,
        )
    first, last = group[0].number, group[-1].number
    texts = [""] * (last - first + 1)
    for line in group:
        texts[line.number - first] = line.text
    return Block(text="\n".join(texts), heading=group[0].heading, line_start=first, line_end=last)
