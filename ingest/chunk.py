"""Pack the sentences of each Block into citable passages (Chunks).

A chunk never crosses a Block (so never mixes heading paths), never splits a
sentence unless that sentence alone is over max_chars, and never splits a number.
Chunks are slices of the Block text with whitespace collapsed, so each chunk maps
back to exact lines of the original file.
"""

from __future__ import annotations

import dataclasses
import re

from ingest.clean import clean
from ingest.lines import collapse_whitespace
from ingest.sentences import sentence_spans, split_sentences
from ingest.types import Block, Chunk, ChunkParams, Cleaned, Document

__all__ = ["split_sentences", "chunk_blocks", "chunk_document", "collapse_whitespace"]

Span = tuple[int, int]

# Clause marks where an over-long sentence may be cut, best first.
_CLAUSE_MARKS = "，,：:、"
# A number with its separators and Chinese magnitude: 1,234.5 / 3.15万 / 1.4万亿 / 46.2% / $2.03
_NUMBER = re.compile(r"[$¥€£]?\d+(?:[.,]\d+)*(?:[万亿千百兆]+)?%?")
_WORD = re.compile(r"[A-Za-z0-9_]+")


def chunk_document(doc: Document, params: ChunkParams) -> tuple[list[Chunk], Cleaned]:
    """Clean a note and chunk it; duplicates_removed also counts repeated chunks dropped."""
    cleaned = clean(doc)
    chunks, repeated = _chunk_and_count(cleaned.blocks, doc.file, params)
    return chunks, dataclasses.replace(cleaned, duplicates_removed=cleaned.duplicates_removed + repeated)


def chunk_blocks(blocks: list[Block], file: str, params: ChunkParams) -> list[Chunk]:
    """Chunks of all blocks, in order; a chunk whose text repeats an earlier one is dropped.

    >>> block = Block("GPT-3 has 175B parameters.\\nIt cost $1.4M to train.", ("Costs",), 10, 11)
    >>> [(c.text, c.heading, c.lines) for c in chunk_blocks([block], "a.txt", ChunkParams(target_chars=20, max_chars=40))]
    [('GPT-3 has 175B parameters.', 'Costs', (10, 10)), ('It cost $1.4M to train.', 'Costs', (11, 11))]
    """
    return _chunk_and_count(blocks, file, params)[0]


def _chunk_and_count(blocks: list[Block], file: str, params: ChunkParams) -> tuple[list[Chunk], int]:
    chunks: list[Chunk] = []
    seen: set[str] = set()
    repeated = 0
    for block in blocks:
        for text, first, last in block_passages(block, params):
            if text in seen:
                repeated += 1
                continue
            seen.add(text)
            chunks.append(Chunk(text=text, file=file, heading=" > ".join(block.heading), line_start=first, line_end=last))
    return chunks, repeated


def block_passages(block: Block, params: ChunkParams) -> list[tuple[str, int, int]]:
    """(text, first line, last line) of each passage of one Block."""
    if block.kind in ("list", "table"):
        return unit_passages(block, params)
    out = []
    for start, end in pack_spans(block.text, params):
        first, last = _line_range(block, start, end)
        out.append((collapse_whitespace(block.text[start:end]), first, last))
    return out


def _line_range(block: Block, start: int, end: int) -> tuple[int, int]:
    """Original lines of text[start:end], through the spans of the text lines it touches."""
    first = block.span(block.text.count("\n", 0, start))[0]
    last = block.span(block.text.count("\n", 0, end - 1))[1]
    return min(first, block.line_end), min(last, block.line_end)


def unit_passages(block: Block, params: ChunkParams) -> list[tuple[str, int, int]]:
    """List items or table rows packed into passages that keep one unit a line.

    A table's header row (its first text line) opens every passage of the table,
    unless it would leave rows less than a third of max_chars.

    >>> table = Block("Model | GPU hours\\nA | 1.46M\\nB | 7.0M\\nC | 30.84M", ("Energy",), 10, 14, "table", ((10, 10), (12, 12), (13, 13), (14, 14)))
    >>> [p for p in unit_passages(table, ChunkParams(target_chars=40, max_chars=50))]
    [('Model | GPU hours\\nA | 1.46M\\nB | 7.0M', 10, 13), ('Model | GPU hours\\nC | 30.84M', 14, 14)]
    """
    units = [collapse_whitespace(line) for line in block.text.split("\n")]
    spans = [block.span(i) for i in range(len(units))]
    header = ""
    if block.kind == "table" and len(units) > 1 and len(units[0]) + 1 <= params.max_chars * 2 // 3:
        header, header_span = units[0], spans[0]
        units, spans = units[1:], spans[1:]
    room = params.max_chars - (len(header) + 1 if header else 0)
    target = max(params.target_chars - (len(header) + 1 if header else 0), room // 3)
    out = []
    for group in _pack_units(units, ChunkParams(target_chars=min(target, room), max_chars=room)):
        text = "\n".join(" ".join(part for _, part in line) for line in _by_unit(group))
        first, last = spans[group[0][0]][0], max(spans[i][1] for i, _ in group)
        if header:
            text = header + "\n" + text
            first = header_span[0] if group[0][0] == 0 else first  # the first rows sit right under their header
        out.append((text, first, last))
    return out


def _pack_units(units: list[str], params: ChunkParams) -> list[list[tuple[int, str]]]:
    """Pieces (unit index, text) packed like sentences: an over-long unit is cut at its sentences."""
    pieces: list[tuple[int, str]] = []
    for index, unit in enumerate(units):
        if len(unit) <= params.max_chars:
            pieces.append((index, unit))
        else:
            pieces.extend((index, collapse_whitespace(unit[s:e])) for s, e in _pieces(unit, params.max_chars))
    packed: list[list[tuple[int, str]]] = []
    for piece in pieces:
        if packed:
            current = packed[-1]
            merged = _joined_length(current + [piece])
            small = _joined_length(current) < params.target_chars // 2
            if merged <= params.target_chars or (small and merged <= params.max_chars):
                current.append(piece)
                continue
        packed.append([piece])
    return packed


def _joined_length(pieces: list[tuple[int, str]]) -> int:
    return sum(len(text) for _, text in pieces) + len(pieces) - 1


def _by_unit(pieces: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    lines: list[list[tuple[int, str]]] = []
    for piece in pieces:
        if lines and lines[-1][0][0] == piece[0]:
            lines[-1].append(piece)
        else:
            lines.append([piece])
    return lines


def pack_spans(text: str, params: ChunkParams) -> list[Span]:
    """Sentences (long ones cut at clauses) packed up to target_chars, never over max_chars."""
    packed: list[Span] = []
    current: Span | None = None
    for span in _pieces(text, params.max_chars):
        if current is None:
            current = span
            continue
        merged = (current[0], span[1])
        merged_len = _length(text, merged)
        small = _length(text, current) < params.target_chars // 2
        if merged_len <= params.target_chars or (small and merged_len <= params.max_chars):
            current = merged
        else:
            packed.append(current)
            current = span
    if current is not None:
        packed.append(current)
    return packed


def _length(text: str, span: Span) -> int:
    return len(collapse_whitespace(text[span[0] : span[1]]))


def _pieces(text: str, max_chars: int) -> list[Span]:
    pieces: list[Span] = []
    for span in sentence_spans(text):
        pieces.extend(split_long(text, span, max_chars) if _length(text, span) > max_chars else [span])
    return pieces


def split_long(text: str, span: Span, max_chars: int) -> list[Span]:
    """Cut one over-long sentence: at the last clause mark that fits, else at a space,
    else between characters; never inside a number (and, if it can be helped, a word).

    >>> t = "成本约为1,234.5万美元，训练一次需要3.15万GPU小时，推理更贵"
    >>> [t[s:e] for s, e in split_long(t, (0, len(t)), 18)]
    ['成本约为1,234.5万美元，', '训练一次需要3.15万GPU小时，', '推理更贵']
    """
    start, end = span
    numbers = [m.span() for m in _NUMBER.finditer(text, start, end)]
    words = [m.span() for m in _WORD.finditer(text, start, end)]
    pieces: list[Span] = []
    while _length(text, (start, end)) > max_chars:
        cut = _best_cut(text, start, _window_end(text, start, end, max_chars), numbers, words)
        pieces.append(_trim(text, start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append(_trim(text, start, end))
    return [p for p in pieces if p[0] < p[1]]


def _window_end(text: str, start: int, end: int, max_chars: int) -> int:
    """The furthest index such that text[start:index] collapses to at most max_chars."""
    count, i, in_space = 0, start, False
    while i < end:
        space = text[i].isspace()
        if not (space and in_space):
            count += 1
        if count > max_chars:
            break
        in_space = space
        i += 1
    return i


def _best_cut(text: str, start: int, limit: int, numbers: list[Span], words: list[Span]) -> int:
    def inside(pos: int, spans: list[Span]) -> bool:
        return any(a < pos < b for a, b in spans)

    candidates = range(limit, start, -1)
    for fits in (
        lambda p: text[p - 1] in _CLAUSE_MARKS,
        lambda p: text[p - 1].isspace() or text[p].isspace() if p < len(text) else True,
        lambda p: not inside(p, words),
        lambda p: True,
    ):
        for pos in candidates:
            if fits(pos) and not inside(pos, numbers):
                return pos
    return limit  # only a number longer than max_chars gets here


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
