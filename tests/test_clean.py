"""Cleaning: web cruft goes and the article body stays whole; repeated annotation
blocks are kept once; Markdown image paths go; heading paths and original line
numbers are right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.clean import clean, dedupe_key, inline_text, strip_bullet, strip_images
from ingest.read import read_note
from ingest.types import Cleaned, Document

from conftest import FIXTURES, GOLDEN, KB, REGEN, ROOT  # noqa: E402,F401
MAX_BYTES = 2 * 1024 * 1024

NOTES = sorted(KB.glob("*.txt")) + [
    FIXTURES / name
    for name in (
        "gbk_note.txt",
        "utf16_bom_note.txt",
        "utf8_bom_crlf_note.txt",
        "markdown_note.md",
        "outline_note.txt",
        "web_clipping.txt",
        "web_clipping_en.txt",
        "plain_wrapped_en.txt",
    )
]


def read(path: Path) -> Document:
    return read_note(path, path.parent, MAX_BYTES)


def kept_lines(cleaned: Cleaned) -> dict[int, str]:
    """Original line number -> cleaned text, for every line that survived cleaning."""
    kept = {}
    for block in cleaned.blocks:
        for offset, text in enumerate(block.text.split("\n")):
            if text:
                kept[block.line_start + offset] = text
    return kept


def as_golden(cleaned: Cleaned) -> dict:
    return {
        "title": cleaned.title,
        "boilerplate_chars": cleaned.boilerplate_chars,
        "duplicates_removed": cleaned.duplicates_removed,
        "blocks": [
            {"heading": list(b.heading), "lines": [b.line_start, b.line_end], "text": b.text.split("\n")}
            for b in cleaned.blocks
        ],
    }


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.name)
def test_golden_clean(path):
    """The cleaned blocks of each note; KBQA_REGEN_GOLDEN=1 rewrites them (review the diff)."""
    actual = as_golden(clean(read(path)))
    golden = GOLDEN / f"{path.name}.clean.json"
    if REGEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert actual == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.name)
def test_block_lines_map_to_the_original(path):
    """A Block has one text line per original line, and each is a cleaned form of it."""
    doc = read(path)
    raw = doc.text.split("\n")
    for block in clean(doc).blocks:
        assert block.text.count("\n") == block.line_end - block.line_start
        assert block.text.split("\n")[0] and block.text.split("\n")[-1]
        for number, text in kept_lines(Cleaned([block])).items():
            assert is_subsequence(dedupe_key(text), dedupe_key(raw[number - 1])), (number, text)


def is_subsequence(small: str, big: str) -> bool:
    letters = iter(big)
    return all(ch in letters for ch in small)


# --- web clippings: only cruft goes --------------------------------------------

# (file, title line, body line ranges, body lines that are cruft inside the body,
#  lines that are structure only (a section number above its heading))
WEB_PAGES = [
    (KB / "001_420203dd199bc46a.txt", 1, [(6, 348)], {10, 12}, {28, 44, 60, 136, 152, 252}),
    (KB / "002_2593b5ab635ae109.txt", 3, [(7, 55)], set(), set()),
    (KB / "003_ee2b22a7fb014cad.txt", 5, [(23, 56)], {25, 41, 42, 44, 46}, set()),
    (FIXTURES / "web_clipping.txt", 3, [(7, 24)], {13, 19, 20, 21, 22}, set()),
    (FIXTURES / "web_clipping_en.txt", 3, [(8, 15)], {10}, set()),
]


@pytest.mark.parametrize("path, title_line, body, cruft_in_body, structure", WEB_PAGES, ids=lambda v: getattr(v, "name", ""))
def test_web_page_keeps_every_body_paragraph_and_no_cruft(path, title_line, body, cruft_in_body, structure):
    doc = read(path)
    raw = doc.text.split("\n")
    cleaned = clean(doc)
    kept = kept_lines(cleaned)
    kept_keys = {dedupe_key(t) for t in kept.values()}
    body_lines = {n for start, end in body for n in range(start, end + 1) if raw[n - 1].strip()}
    paragraphs = body_lines - cruft_in_body - structure

    assert cleaned.title == raw[title_line - 1].strip()
    for n in sorted(paragraphs):
        if n in kept:
            assert is_subsequence(dedupe_key(kept[n]), dedupe_key(raw[n - 1]))
        else:  # dropped only as an exact repeat of a line that is kept
            assert dedupe_key(inline_text(raw[n - 1])) in kept_keys, f"body line {n} lost: {raw[n - 1][:60]}"
    assert set(kept) <= paragraphs, f"cruft kept: {[raw[n - 1][:40] for n in sorted(set(kept) - paragraphs)]}"
    dropped_outside = sum(len(raw[n - 1].strip()) for n in range(1, len(raw) + 1) if n not in body_lines and n != title_line)
    assert cleaned.boilerplate_chars >= dropped_outside


def test_web_headings_are_title_then_sections():
    cleaned = clean(read(KB / "001_420203dd199bc46a.txt"))
    headings = [b.heading for b in cleaned.blocks]
    assert headings[0] == ("ChatGPT背后的经济账",)
    assert ("ChatGPT背后的经济账", "动机") in headings
    assert ("ChatGPT背后的经济账", "LLM驱动搜索的成本", "一阶近似:基础模型API") in headings
    assert ("ChatGPT背后的经济账", "参考文献(请上下滑动)") in headings
    fixture = clean(read(FIXTURES / "web_clipping.txt"))
    assert [b.heading for b in fixture.blocks] == [
        ("大模型训练与推理的成本账",),
        ("大模型训练与推理的成本账", "一、训练成本"),
        ("大模型训练与推理的成本账", "二、推理成本"),
    ]


# --- outline exports -------------------------------------------------------------


def test_outline_repeated_annotations_kept_once():
    cleaned = clean(read(FIXTURES / "outline_note.txt"))
    texts = [t for b in cleaned.blocks for t in b.text.split("\n") if t]
    assert texts == [
        "The economics of large language models - Substack",
        "Training GPT-3 on TPU v4 would cost about $1.4M today.",
        "Chinchilla was trained on 1.4万亿 tokens with 70B parameters.",
        "机柜与电费笔记",
        "每日电费：542*45.5kw*24h=591,864kwh/日。",
        "单个标准机柜可放下约7个DGX A100服务器。",
    ]
    assert cleaned.duplicates_removed == 2
    assert [b.heading for b in cleaned.blocks] == [("The economics of large language models - Substack",), ("机柜与电费笔记",)]


def test_kb_outline_dedupes_both_annotation_blocks_and_drops_link_lines():
    cleaned = clean(read(KB / "000_f457b8df8eab231d.txt"))
    text = "\n".join(b.text for b in cleaned.blocks)
    assert cleaned.duplicates_removed == 2
    assert text.count("标准机柜：19英寸、42U") == 1
    assert text.count("多位行业人士也承认") == 1
    assert "http" not in text and "Email Body" not in text and "Annotations" not in text
    assert all("Imported" not in h for b in cleaned.blocks for h in b.heading)


# --- Markdown ----------------------------------------------------------------------


def test_markdown_drops_local_image_paths_keeps_alt_text():
    cleaned = clean(read(FIXTURES / "markdown_note.md"))
    text = "\n".join(b.text for b in cleaned.blocks)
    assert "C:\\" not in text and "<img" not in text and ".png" not in text
    assert "A100 server rack" in text  # a meaningful alt text stays
    assert "image-20240827215029787" not in text  # a file-name alt says nothing
    assert "参考链接" not in text  # a line that is only a link is boilerplate
    assert ("Serving costs", "Hardware", "GPUs") in [b.heading for b in cleaned.blocks]


def test_kb_markdown_headings_and_images():
    cleaned = clean(read(KB / "004_045b18375b95da50.txt"))
    text = "\n".join(b.text for b in cleaned.blocks)
    assert "Typora" not in text and "<img" not in text
    headings = {b.heading for b in cleaned.blocks}
    assert ("大语言模型三要素： 算力（硬件），数据，算法", "硬件方面：带宽") in headings
    assert ("博士五年总结", "工作五年：专注于最有价值的事情") in headings
    assert cleaned.title == "博士五年总结"


# --- helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ('a <img src="C:\\x\\y.png" alt="rack photo"/> b', "a rack photo b"),
        ("![](C:\\Users\\me\\a.png)", ""),
        ("![GPU](./img/gpu.jpg) note", "GPU note"),
    ],
)
def test_strip_images(raw, expected):
    assert strip_images(raw)[0] == expected


def test_strip_bullet_and_inline_text():
    assert strip_bullet("*     *       * 英伟达A100") == "英伟达A100"
    assert strip_bullet("- *       * x") == "x"
    assert inline_text("**bold** ==mark== [t](http://u)") == "bold mark t"


# --- web rules are general, not keyed to the shipped pages -------------------------


def web_doc(text: str) -> Document:
    return Document(file="page.txt", text=text, encoding="utf-8", format="web", sha256="")


def test_web_rules_keep_prose_that_only_looks_like_cruft():
    page = "\n".join(
        [
            "Example News",
            "GPU prices in 2030",
            "By Jane Doe",
            "Published: March 3, 2024",
            "",
            "By 2030, GPUs will cost half as much per FLOP as today, if the trend of the last decade holds.",
            "",
            "Related articles",
            "How to fine-tune a model",
            "Why data matters",
            "",
            "The article goes on after the inline list: hardware gets 50% better every two years.",
            "作者认为，版权所有者可以要求模型删除训练数据，但这会增加成本。",
            "",
            "© 2024 Example News. All rights reserved.",
            "Privacy | Terms | Cookies",
        ]
    )
    cleaned = clean(web_doc(page))
    kept = kept_lines(cleaned)
    assert cleaned.title == "GPU prices in 2030"
    assert sorted(kept) == [6, 12, 13]
    assert cleaned.boilerplate_chars > 0


def test_web_rules_drop_counters_ads_and_cards():
    page = "\n".join(
        [
            "算力观察",
            "数据中心电费怎么算",
            "发布时间：2024-05-01 09:00 | 2.3万人阅读 | 点赞 120",
            "",
            "一个45.5kW的机柜每天耗电约1092度，按每度0.08美元计算，每天电费约87美元。",
            "",
            "▶▶ 限时免费领取GPU算力券 ◀◀",
            "",
            "智能写作",
            "智能写作",
            "一键生成周报",
            "立即下载",
            "",
            "542个机柜每天的电费约为4.7万美元，这与国盛证券的估算一致。",
            "",
            "猜你喜欢",
            "GPU为什么贵",
            "显存不够怎么办",
            "粤ICP备00000000号",
        ]
    )
    cleaned = clean(web_doc(page))
    assert sorted(kept_lines(cleaned)) == [5, 14]
    assert cleaned.title == "数据中心电费怎么算"
