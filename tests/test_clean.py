"""Cleaning: web cruft goes and the article body stays whole; repeated annotation
blocks are kept once; Markdown image paths go; heading paths and original line
numbers are right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.clean import clean, inline_text, strip_bullet, strip_images
from ingest.lines import dedupe_key
from ingest.markdown import front_matter, readable_title
from ingest.read import read_note
from ingest.types import Block, Cleaned, Document

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
# Markdown written by other people: model-card HTML, front matter, skipped heading levels, tables.
MARKDOWN_NOTES = [FIXTURES / name for name in ("model_card_readme.md", "front_matter_note.md", "gpu_cluster-notes.md", "training_compute_table.md")]
NOTES += MARKDOWN_NOTES


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
        "blocks": [as_golden_block(b) for b in cleaned.blocks],
    }


def as_golden_block(b: Block) -> dict:
    golden = {"heading": list(b.heading), "lines": [b.line_start, b.line_end], "text": b.text.split("\n")}
    if b.kind != "text":  # list items and table rows carry their own lines
        golden |= {"kind": b.kind, "spans": [list(span) for span in b.line_spans]}
    return golden


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
    """A text Block has one text line per original line, each a cleaned form of it; a list
    item or table row maps to its span of lines (a row's cell may repeat one spanning from above)."""
    doc = read(path)
    raw = doc.text.split("\n")
    for block in clean(doc).blocks:
        texts = block.text.split("\n")
        assert texts[0] and texts[-1]
        if block.kind == "text":
            assert block.text.count("\n") == block.line_end - block.line_start
            for number, text in kept_lines(Cleaned([block])).items():
                assert is_subsequence(dedupe_key(text), dedupe_key(raw[number - 1])), (number, text)
            continue
        assert len(block.line_spans) == len(texts)
        assert block.line_start == block.line_spans[0][0] and block.line_end == max(e for _, e in block.line_spans)
        for text, (first, last) in zip(texts, block.line_spans):
            lines = dedupe_key("".join(raw[first - 1 : last]))
            above = dedupe_key("".join(raw[block.line_start - 1 : last]))
            if block.kind == "list":
                assert is_subsequence(dedupe_key(text), lines), (first, text)
            for cell in text.split(" | "):
                assert is_subsequence(dedupe_key(cell), lines) or is_subsequence(dedupe_key(cell), above), (first, cell)


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
    lists = [b for b in cleaned.blocks if b.kind == "list"]
    assert [b.heading for b in lists] == [("Serving costs", "Hardware")]
    assert lists[0].text.split("\n")[:3] == ["GPUs", "A100: 312 TFLOPS peak, e.g. for FP16/FP32 mixed precision.", "H100: 80 GB of memory"]


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


# --- Markdown by other authors: structure read with a parser -------------------------


def md_text(cleaned: Cleaned) -> str:
    return "\n".join(b.text for b in cleaned.blocks)


def test_front_matter_is_metadata_never_a_passage():
    cleaned = clean(read(FIXTURES / "front_matter_note.md"))
    assert cleaned.metadata == {"title": "推理成本笔记", "authors": ["王小明", "Li Hua"], "date": "2024-06-01"}
    assert cleaned.title == "推理成本笔记"
    assert min(b.line_start for b in cleaned.blocks) > 7  # the front matter's lines hold no passage
    text = md_text(cleaned)
    assert "王小明" not in text and "kv-cache" not in text and "2024-06-01" not in text
    assert {b.heading for b in cleaned.blocks} == {("推理成本笔记", "KV 缓存")}  # the H1 that repeats the title is not nested under it


def test_front_matter_needs_a_closed_yaml_mapping():
    assert front_matter("---\n- a list, not a mapping\n---\nbody\n").lines == 0
    assert front_matter("---\ntitle: never closed\nbody\n").lines == 0
    assert front_matter("---\ntitle: 'x'\nauthor: Ann and Bo\n---\n").metadata == {"title": "x", "authors": ["Ann", "Bo"]}


def test_html_h1_is_the_title_and_heads_every_heading_path():
    cleaned = clean(read(FIXTURES / "model_card_readme.md"))
    assert cleaned.title == "Orca-13B Model Card"
    assert [b.heading for b in cleaned.blocks] == [
        ("Orca-13B Model Card", "Model Summary"),
        ("Orca-13B Model Card", "Training Energy"),
        ("Orca-13B Model Card", "How to Run"),
    ]


def test_badges_logos_and_html_comments_are_dropped():
    cleaned = clean(read(FIXTURES / "model_card_readme.md"))
    text = md_text(cleaned)
    for cruft in ("Homepage", "Chat", "Paper Link", "License", "shields", "markdownlint", "Orca\n"):
        assert cruft not in text, cruft
    assert min(b.line_start for b in cleaned.blocks) == 21  # nothing before the first section is a passage
    assert cleaned.boilerplate_chars > 300


def test_admonition_marker_goes_its_note_stays():
    text = md_text(clean(read(FIXTURES / "model_card_readme.md")))
    assert "[!NOTE]" not in text and "NOTE" not in text
    assert "The released checkpoint is 26 GB in BF16, which includes the 0.4 GB tokenizer and embedding files." in text


def test_links_become_their_text_and_urls_their_site():
    text = md_text(clean(read(FIXTURES / "model_card_readme.md")))
    assert "Weights are listed on the release page." in text
    assert "Read the full report at example.org for details." in text
    assert "huggingface.co" not in text and "http" not in text and "](" not in text


def test_escaped_markup_is_undone():
    text = md_text(clean(read(FIXTURES / "model_card_readme.md")))
    assert "Our recipe uses no distillation and a 4_096 token context; scores use the [CoT] prompt." in text
    assert "\\" not in text and "**" not in text


def test_code_and_configuration_stay_out_prose_in_a_fence_stays():
    cleaned = clean(read(FIXTURES / "model_card_readme.md"))
    text = md_text(cleaned)
    assert "pip install" not in text and "hidden_size" not in text and "{" not in text
    assert "The runtime pins every GPU to one process." in text
    assert cleaned.code_blocks == 2


def test_html_table_becomes_rows_with_header_first_and_spanning_cells_repeated():
    cleaned = clean(read(FIXTURES / "model_card_readme.md"))
    (table,) = [b for b in cleaned.blocks if b.kind == "table"]
    assert table.text.split("\n") == [
        "GPU hours | Power (W) | Emissions (tons CO2eq)",
        "Orca-13B | 184,000 | 400 | 31",
        "Orca-13B | 12,000 (fine-tuning) | 400 | 2",
    ]
    assert table.line_spans == ((35, 46), (47, 56), (57, 64))


def test_heading_levels_that_skip_and_a_note_without_h1():
    cleaned = clean(read(FIXTURES / "gpu_cluster-notes.md"))
    title = "gpu cluster notes"  # no H1, no front matter: the file name made readable
    assert cleaned.title == title
    assert [(b.heading, b.line_start) for b in cleaned.blocks] == [
        ((title,), 1),
        ((title, "Hardware"), 5),
        ((title, "Hardware", "Cooling"), 9),  # '####' under '##': one level down, not lost
        ((title, "Hardware", "Racks"), 13),  # '###' closes the deeper '####'
        ((title, "Budget"), 17),  # a sibling '##' is not nested under the first one
        ((title, "Budget", "Power price"), 21),
    ]


@pytest.mark.parametrize(
    "file, title",
    [("llama 3.md", "llama 3"), ("DeepSeek-V3-README.md", "DeepSeek-V3 README"), ("notes/gpu_cluster-notes.md", "gpu cluster notes"), ("训练-笔记.md", "训练 笔记")],
)
def test_readable_title(file, title):
    assert readable_title(file) == title


def test_pipe_table_rows_and_text_around_it():
    cleaned = clean(read(FIXTURES / "training_compute_table.md"))
    kinds = [(b.kind, b.line_start, b.line_end) for b in cleaned.blocks]
    assert kinds == [("text", 3, 3), ("table", 5, 18), ("text", 20, 20)]
    table = cleaned.blocks[1]
    assert table.text.split("\n")[0] == "模型 | 参数量 N | 训练 token 数 D | 训练算力 (FLOPs)"
    assert table.line_spans[:2] == ((5, 5), (7, 7))  # the delimiter row '| --- |' is no row


def test_txt_note_that_looks_like_markdown_keeps_the_line_reader():
    doc = read(KB / "004_045b18375b95da50.txt")
    assert doc.format == "markdown"
    assert all(b.kind == "text" for b in clean(doc).blocks)


def test_a_first_h1_is_the_title_even_when_sections_are_h1_too():
    titled = Document(file="llm serving.md", text="# LLM推理优化\n\nIntro.\n\n# 1. Batching\n\nBatches help.\n", encoding="utf-8", format="markdown", sha256="")
    assert [b.heading for b in clean(titled).blocks] == [("LLM推理优化",), ("LLM推理优化", "1. Batching")]
    untitled = Document(file="llm serving.md", text="Intro.\n\n## Batching\n\nBatches help.\n\n# Appendix\n\nMore.\n", encoding="utf-8", format="markdown", sha256="")
    assert [b.heading for b in clean(untitled).blocks] == [("llm serving",), ("llm serving", "Batching"), ("llm serving", "Appendix")]
