"""Chunking: sentence-aware packing, exact line ranges, sizes, and its invariants."""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.chunk import chunk_blocks, chunk_document, pack_spans, split_long, split_sentences, unit_passages
from ingest.clean import inline_text, strip_bullet, strip_images
from ingest.read import read_note
from ingest.types import Block, ChunkParams

from conftest import FIXTURES, GOLDEN, KB, REGEN, ROOT  # noqa: E402,F401
MAX_BYTES = 2 * 1024 * 1024
DEFAULTS = ChunkParams()

NOTES = sorted(KB.glob("*.txt")) + [
    FIXTURES / name
    for name in ("gbk_note.txt", "markdown_note.md", "outline_note.txt", "web_clipping.txt", "web_clipping_en.txt", "plain_wrapped_en.txt")
]
MARKDOWN_NOTES = [FIXTURES / name for name in ("model_card_readme.md", "front_matter_note.md", "gpu_cluster-notes.md", "training_compute_table.md")]


def chunks_of(path: Path, params: ChunkParams = DEFAULTS):
    return chunk_document(read_note(path, path.parent, MAX_BYTES), params)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize("path", NOTES + MARKDOWN_NOTES, ids=lambda p: p.name)
def test_golden_chunks(path):
    """Chunk text, heading and lines with default parameters; KBQA_REGEN_GOLDEN=1 rewrites them."""
    chunks, cleaned = chunks_of(path)
    actual = {
        "params": {"target_chars": DEFAULTS.target_chars, "max_chars": DEFAULTS.max_chars},
        "duplicates_removed": cleaned.duplicates_removed,
        "chunks": [{"text": c.text, "heading": c.heading, "lines": [c.line_start, c.line_end]} for c in chunks],
    }
    golden = GOLDEN / f"{path.name}.chunks.json"
    if REGEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert actual == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("params", [DEFAULTS, ChunkParams(target_chars=80, max_chars=120), ChunkParams(target_chars=400, max_chars=900)], ids=str)
@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.name)
def test_chunk_lines_are_exact(path, params):
    """Each chunk's text is in its original lines: it starts in line_start, ends in
    line_end, and reads in order through the lines between (modulo whitespace)."""
    doc = read_note(path, path.parent, MAX_BYTES)
    raw = doc.text.split("\n")
    chunks, _ = chunk_document(doc, params)
    for chunk in chunks:
        lines = raw[chunk.line_start - 1 : chunk.line_end]
        readable = [squeeze(inline_text(strip_images(strip_bullet(line))[0])) for line in lines]
        text = squeeze(chunk.text)
        assert readable[0] and readable[-1]
        assert _starts_inside(text, readable[0]), (chunk.lines, chunk.text[:40], lines[0][:40])
        assert _ends_inside(text, readable[-1]), (chunk.lines, chunk.text[-40:], lines[-1][-40:])
        assert _is_subsequence(text, "".join(readable))
        assert 0 < len(chunk.text) <= params.max_chars


def _starts_inside(text: str, line: str) -> bool:
    """The chunk starts in this line: its opening is in the line, or the line's end opens it."""
    return text[:12] in line or any(text.startswith(line[i:]) for i in range(len(line) - 1))


def _ends_inside(text: str, line: str) -> bool:
    return text[-12:] in line or any(text.endswith(line[:j]) for j in range(2, len(line) + 1))


def _is_subsequence(small: str, big: str) -> bool:
    letters = iter(big)
    return all(ch in letters for ch in small)


@pytest.mark.parametrize("params", [DEFAULTS, ChunkParams(target_chars=60, max_chars=90)], ids=str)
@pytest.mark.parametrize("path", MARKDOWN_NOTES + [FIXTURES / "markdown_note.md"], ids=lambda p: p.name)
def test_markdown_chunk_lines_point_at_the_original(path, params):
    """Markdown is read by a parser, so passages drop its markup: each passage's text (a
    table's cells one by one, its repeated header aside) is still found in its lines,
    opening in line_start and closing in line_end."""
    doc = read_note(path, path.parent, MAX_BYTES)
    raw = doc.text.split("\n")
    chunks, cleaned = chunk_document(doc, params)
    tables = [b for b in cleaned.blocks if b.kind == "table"]
    for chunk in chunks:
        lines = [squeeze(line) for line in raw[chunk.line_start - 1 : chunk.line_end]]
        assert 0 < len(chunk.text) <= params.max_chars
        table = next((b for b in tables if b.line_start <= chunk.line_start <= chunk.line_end <= b.line_end), None)
        if table is None:
            text = squeeze(chunk.text)
            assert _is_subsequence(text, "".join(lines)), (chunk.lines, chunk.text[:40])
            opening, closing = squeeze(chunk.text.split("\n")[0])[:6], squeeze(chunk.text.split("\n")[-1])[-6:]
            assert _is_subsequence(opening, lines[0]) and _is_subsequence(closing, lines[-1]), (chunk.lines, chunk.text)
            continue
        header, *rows = chunk.text.split("\n")
        assert header == table.text.split("\n")[0]  # every passage of a table opens with its header row
        above = "".join(squeeze(line) for line in raw[table.line_start - 1 : chunk.line_end])
        for cell in " | ".join(rows).split(" | "):
            assert _is_subsequence(squeeze(cell), "".join(lines)) or _is_subsequence(squeeze(cell), above), (chunk.lines, cell)


def test_table_across_chunks_repeats_its_header():
    chunks, _ = chunks_of(FIXTURES / "training_compute_table.md")
    header = "模型 | 参数量 N | 训练 token 数 D | 训练算力 (FLOPs)"
    table = [c for c in chunks if c.text.startswith(header)]
    assert len(table) >= 2
    assert table[0].line_start == 5  # the first passage starts at the header line
    assert all(c.line_start > 6 for c in table[1:])  # later ones cite only their own rows
    rows = [row for c in table for row in c.text.split("\n")[1:]]
    assert len(rows) == 12 and rows[0] == "GPT-3 | 175B | 300B | 3.15e23" and rows[-1] == "DeepSeek-V3 | 37B（激活） | 14.8T | 3.29e24"
    assert [c.lines for c in table] == sorted(c.lines for c in table)


def test_list_items_keep_their_line_breaks():
    chunks, _ = chunks_of(FIXTURES / "front_matter_note.md")
    (nested,) = [c for c in chunks if "模型权重" in c.text]
    assert nested.text.split("\n") == [
        "模型权重",
        "7B 模型以 FP16 加载约占 14 GB 显存",
        "70B 模型约占 140 GB，需要两张 80 GB 的卡",
        "KV 缓存",
        "批量为 1、序列为 4096 时约 2 GB",
        "激活值在推理时很小",
    ]
    assert nested.lines == (16, 21) and nested.heading == "推理成本笔记 > KV 缓存"


def test_kb_chunk_sizes_are_citable():
    lengths = [len(c.text) for p in sorted(KB.glob("*.txt")) for c in chunks_of(p)[0]]
    assert statistics.median(lengths) < 400
    assert max(lengths) <= DEFAULTS.max_chars


def test_kb_chunks_never_cross_headings_and_are_unique_per_file():
    for path in sorted(KB.glob("*.txt")):
        chunks, cleaned = chunks_of(path)
        headings = {" > ".join(b.heading) for b in cleaned.blocks}
        assert all(c.heading in headings for c in chunks)
        assert len({c.text for c in chunks}) == len(chunks)


@pytest.mark.parametrize(
    "passage",
    ["一天成本要3亿", "Sam Altman谈ChatGPT每次聊天的成本", "729,167/24=30,382片", "1.8TB/s", "3,798/7=542个机柜", "10000个V100 GPU上训练了14.8天", "FLOPS利用率为46.2%", "标准机柜可放下约7个DGX A100服务器"],
)
def test_kb_figures_stay_whole_in_one_chunk(passage):
    chunks = [c for p in sorted(KB.glob("*.txt")) for c in chunks_of(p)[0]]
    assert any(squeeze(passage) in squeeze(c.text) for c in chunks)


# --- sentences -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("训练成本约为140万美元。推理更便宜！对吗？是；", ["训练成本约为140万美元。", "推理更便宜！", "对吗？", "是；"]),
        ("GPT-3 has 175B params. It cost $1.4M! Why? Scale; data.", ["GPT-3 has 175B params.", "It cost $1.4M!", "Why?", "Scale;", "data."]),
        ("PI is 3.15 not 3. Right.", ["PI is 3.15 not 3.", "Right."]),
        ("约1.4万亿token，e.g., Chinchilla. The U.S. grid costs $0.08/kWh.", ["约1.4万亿token，e.g., Chinchilla.", "The U.S. grid costs $0.08/kWh."]),
        ("See https://example.com/a.b?x=1. Then v4.0 is out.", ["See https://example.com/a.b?x=1.", "Then v4.0 is out."]),
        ("About 3 approx. units.", ["About 3 approx. units."]),
        ("Dr. Smith et al. reported it. 完。", ["Dr. Smith et al. reported it.", "完。"]),
        ("他说：“成本太高了。”然后走了。", ["他说：“成本太高了。”", "然后走了。"]),
        ("1. first item\n2. second item", ["1. first item", "2. second item"]),
        ("a wrapped English\nsentence ends here.", ["a wrapped English\nsentence ends here."]),
        ("标题\n正文第一句。", ["标题", "正文第一句。"]),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_long_sentence_split_at_clauses_then_spaces_never_in_numbers():
    text = "集群需要30,382片A100，" * 3 + "对应3,798台服务器"
    pieces = [text[s:e] for s, e in split_long(text, (0, len(text)), 35)]
    assert pieces == ["集群需要30,382片A100，集群需要30,382片A100，", "集群需要30,382片A100，对应3,798台服务器"]
    words = "costs 1,234.5 dollars " * 10
    pieces = [words[s:e] for s, e in split_long(words, (0, len(words.strip())), 25)]
    assert all(len(p) <= 25 and p.strip() == p for p in pieces)
    assert all("1,234.5" in p for p in pieces)
    no_breaks = "成本" * 10 + "1234567.89" + "美元" * 10
    pieces = [no_breaks[s:e] for s, e in split_long(no_breaks, (0, len(no_breaks)), 25)]
    assert "".join(pieces) == no_breaks and any("1234567.89" in p for p in pieces)


def test_packing_respects_target_and_max():
    block = Block("短句。" * 200, ("H",), 1, 1)
    chunks = chunk_blocks([block], "f", ChunkParams(target_chars=30, max_chars=45))
    assert all(len(c.text) <= 30 for c in chunks)
    assert len(chunks) == 1  # every chunk the same: exact duplicates dropped
    assert chunks[0].text == "短句。" * 10


# --- properties ----------------------------------------------------------------------

WORDS = st.sampled_from(
    ["算力", "成本", "训练", "推理", "GPU", "token", "model", "the", "cost", "is", "e.g.", "U.S.", "v4.0", "https://a.com/x.y", "A100", "集群", "服务器"]
)
MARKS = st.sampled_from(["", "", "", " ", " ", "，", ",", "、", "：", "。", "！", "？", "；", ". ", "! ", "? ", "; ", "\n", "\n\n", "  "])
NUMBERS = st.sampled_from(["1,234.5", "3.15万", "1.4万亿", "46.2%", "729,167", "0.0035", "$2.03", "175B", "3640"])


@st.composite
def texts(draw, max_pieces: int = 120) -> str:
    pieces = draw(st.lists(st.tuples(WORDS, MARKS), min_size=1, max_size=max_pieces))
    return "".join(word + mark for word, mark in pieces)


@st.composite
def blocks(draw) -> list[Block]:
    result, line = [], 1
    for i in range(draw(st.integers(1, 4))):
        text = draw(texts()).strip() or "成本"
        lines = text.count("\n")
        result.append(Block(text, (f"H{i % 2}",), line, line + lines))
        line += lines + 2
    return result


PARAMS = st.builds(
    lambda target, extra: ChunkParams(target_chars=target, max_chars=target + extra),
    st.integers(20, 300),
    st.integers(20, 400),
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(blocks(), PARAMS)
def test_chunks_cover_the_text_in_order(bs, params):
    chunks = chunk_blocks(bs, "f.txt", params)
    pieces = [re.sub(r"\s+", " ", b.text[s:e]).strip() for b in bs for s, e in pack_spans(b.text, params)]
    assert "".join("".join(p.split()) for p in pieces) == "".join("".join(b.text.split()) for b in bs)
    first_seen = list(dict.fromkeys(pieces))  # exact duplicates dropped, first kept
    assert [c.text for c in chunks] == first_seen


@FAST
@given(blocks(), PARAMS)
def test_chunks_never_empty_never_over_max_and_lines_inside_block(bs, params):
    for chunk in chunk_blocks(bs, "f.txt", params):
        assert chunk.text.strip() == chunk.text and chunk.text
        assert len(chunk.text) <= params.max_chars
        block = next(b for b in bs if b.line_start <= chunk.line_start <= chunk.line_end <= b.line_end)
        assert chunk.heading == " > ".join(block.heading)


@FAST
@given(texts(), NUMBERS, texts(), st.sampled_from([" ", "约", "为", "\n"]), PARAMS)
def test_numbers_are_never_split(before, number, after, glue, params):
    text = f"{before.rstrip()}{glue}{number}{glue if glue != chr(10) else ' '}{after.lstrip()}".strip()
    chunks = chunk_blocks([Block(text, (), 1, 1 + text.count("\n"))], "f.txt", params)
    assert any(number in c.text for c in chunks)


@FAST
@given(st.lists(st.sampled_from(["算力成本很高", "GPU集群", "3.15万", "1,234.5", "each A100", "，", "、", " "]), min_size=50, max_size=200), st.integers(30, 120))
def test_long_unpunctuated_sentences_split_within_max(parts, max_chars):
    text = "".join(parts).strip() or "x"
    params = ChunkParams(target_chars=max_chars // 2, max_chars=max_chars)
    chunks = chunk_blocks([Block(text, (), 1, 1)], "f.txt", params)
    assert all(0 < len(c.text) <= max_chars for c in chunks)
    joined = "".join("".join(c.text.split()) for c in chunks)
    squeezed = "".join(text.split())
    assert joined in squeezed or len(set(c.text for c in chunks)) < len(chunks) or joined  # duplicates may drop
    for number in ("3.15万", "1,234.5"):
        if number in text:
            assert any(number in c.text for c in chunks)


@st.composite
def unit_blocks(draw) -> Block:
    """A list or a table: one unit a line, each on its own span of lines."""
    kind = draw(st.sampled_from(["list", "table"]))
    units = [" ".join(draw(texts(max_pieces=40)).split()) or "成本" for _ in range(draw(st.integers(1, 12)))]
    spans, line = [], 1
    for _ in units:
        height = draw(st.integers(1, 3))
        spans.append((line, line + height - 1))
        line += height + draw(st.integers(0, 1))
    return Block("\n".join(units), ("H",), 1, spans[-1][1], kind, tuple(spans))


@FAST
@given(unit_blocks(), PARAMS)
def test_unit_passages_cover_every_unit_in_order_within_max(block, params):
    passages = unit_passages(block, params)
    units = block.text.split("\n")
    header = units[0] if block.kind == "table" and len(units) > 1 and all(p[0].startswith(units[0] + "\n") for p in passages) else ""
    bodies = [text[len(header) + 1 :] if header else text for text, _, _ in passages]
    assert "".join("".join(b.split()) for b in bodies) == "".join("".join(u.split()) for u in (units[1:] if header else units))
    for text, first, last in passages:
        assert text and text.strip() == text and len(text) <= params.max_chars
        assert block.line_start <= first <= last <= block.line_end
    assert [first for _, first, _ in passages] == sorted(first for _, first, _ in passages)
