"""Format-aware cleaning: a Document becomes Blocks of body text under heading paths.

Each format has its own reader of structure (outline bullets, web page, Markdown,
plain paragraphs) that yields `Line`s: one cleaned original line with its heading
path. Shared steps then drop repeated passages and group lines into Blocks.

A Block's text has exactly one line per original line from line_start to
line_end (a dropped line is an empty line), so a chunker can map any character
of a Block back to its line in the original file.

About 600 lines on purpose: the three line-based readers (outline, web page, plain) share
the `Line` type and the boilerplate and duplicate filters; each reader is one section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ingest.read import MARKDOWN_SUFFIXES
from ingest.lines import _FILENAME_ALT, _MEANINGFUL, Line, drop_repeats, to_blocks
from ingest.types import Cleaned, Document

# --- shared pieces ---------------------------------------------------------


@dataclass
class Structure:
    """What a format reader found: body lines, the title and the cruft it dropped."""

    lines: list[Line] = field(default_factory=list)
    title: str = ""
    boilerplate_chars: int = 0

    def drop(self, text: str) -> None:
        self.boilerplate_chars += len(text.strip())

    def keep(self, number: int, text: str, heading: tuple[str, ...]) -> None:
        if text.strip():
            self.lines.append(Line(number, text.strip(), heading))


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_HTML_IMG = re.compile(r"<img\b[^>]*>", re.I)
_HTML_ALT = re.compile(r"\balt\s*=\s*([\"'])(.*?)\1", re.I | re.S)
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_BARE_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'，。）)]+", re.I)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*\b[^>]*>")
_EMPHASIS = re.compile(r"==|\*\*|__|~~")
_BULLET_MARKERS = re.compile(r"^\s*(?:[-*+•·]\s+|[-*+•·]$)+")


def strip_images(text: str) -> tuple[str, int]:
    """Drop image tags (local paths and remote alike), keep a meaningful alt text.

    >>> strip_images('see <img src="C:\\\\Users\\\\a.png" alt="GPU rack" style="zoom:50%;" /> here')
    ('see GPU rack here', 53)
    >>> strip_images('![](https://x.org/a.png)![image-2024](C:\\\\a.png)')
    ('', 47)
    """
    removed = 0

    def alt_only(alt: str, tag: str) -> str:
        nonlocal removed
        keep = "" if _FILENAME_ALT.match(alt.strip()) else alt.strip()
        removed += len(tag) - len(keep)
        return keep

    text = _MD_IMAGE.sub(lambda m: alt_only(m.group(1), m.group(0)), text)
    text = _HTML_IMG.sub(lambda m: alt_only((_HTML_ALT.search(m.group(0)) or [None, None, ""])[2], m.group(0)), text)
    return text, removed


def is_link_only(text: str) -> bool:
    """A line that is nothing but URLs and links ('https://... [Email Body](...)').

    >>> is_link_only("https://36kr.com/p/1 [Email Body](https://files.todoist.com/x)")
    True
    >>> is_link_only("原文地址: https://sunyan.substack.com/p/x")
    False
    """
    rest = _BARE_URL.sub("", _MD_LINK.sub("", text))
    return bool(text.strip()) and not _MEANINGFUL.search(rest)


def inline_text(text: str) -> str:
    """Markdown/HTML inline markup reduced to the words a reader sees.

    >>> inline_text("==读不读博== 见[推特](https://t.co/x)<br>")
    '读不读博 见推特'
    """
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    text = _HTML_TAG.sub("", text)
    text = _EMPHASIS.sub("", text)
    return text.strip()


def strip_bullet(text: str) -> str:
    """'*     *   * item' -> 'item'; '##' -> ''.

    >>> strip_bullet("*     *       * 英伟达A100"), strip_bullet("##"), strip_bullet("- 10-500")
    ('英伟达A100', '', '10-500')
    """
    text = _BULLET_MARKERS.sub("", text)
    return "" if re.fullmatch(r"\s*#+\s*", text) else text.strip()


def content_text(raw: str, structure: Structure) -> str:
    """A body line's readable text; link-only lines and image tags count as boilerplate."""
    text, removed = strip_images(raw)
    structure.boilerplate_chars += removed
    if is_link_only(text):
        structure.drop(text)
        return ""
    return inline_text(text)


def clean(doc: Document) -> Cleaned:
    """Body text of a note as Blocks with heading paths, without cruft or repeats.

    A Markdown file (.md) is read with a Markdown parser; a .txt note that merely
    looks like Markdown keeps the line-based reader below."""
    if doc.format == "markdown" and is_markdown_file(doc.file):
        from ingest.markdown import clean_markdown  # imported here: parsing Markdown loads markdown-it

        return clean_markdown(doc)
    reader = {"outline": read_outline, "web": read_web, "markdown": read_markdown}.get(doc.format, read_plain)
    structure = reader(doc.text.split("\n"))
    lines, repeats = drop_repeats(structure.lines)
    return Cleaned(
        blocks=to_blocks(lines),
        title=structure.title,
        boilerplate_chars=structure.boilerplate_chars,
        duplicates_removed=repeats,
    )


def is_markdown_file(file: str) -> bool:
    """
    >>> is_markdown_file("notes/llama 3.md"), is_markdown_file("a.MARKDOWN"), is_markdown_file("004.txt")
    (True, True, False)
    """
    return PurePosixPath(file).suffix.lower() in MARKDOWN_SUFFIXES


# --- outline exports (Roam / Todoist style) --------------------------------

_OUTLINE_ITEM = re.compile(r"^(\s*)- ?(.*)$")
# Export labels that group items but say nothing about them.
_META_LABEL = re.compile(
    r"^(?:annotations?|highlights?|notes?|comments?|tags?|links?|attachments?|properties|"
    r"imported\b.*|quick capture\b.*|.*\bitems)\s*[:：]?$",
    re.I,
)


@dataclass
class _Item:
    indent: int
    title: str  # '' for an export label such as "Annotations:"


def read_outline(raw_lines: list[str]) -> Structure:
    """Indented '- ' bullets: a bullet with children heads them (and is text itself);
    lines that are not bullets continue the bullet above them."""
    structure = Structure()
    stack: list[_Item] = []
    for number, raw in enumerate(raw_lines, 1):
        item = _OUTLINE_ITEM.match(raw)
        if not raw.strip():
            continue
        if item is None:  # a continuation line of the bullet above
            _keep_outline_text(structure, number, raw, _path(stack))
            continue
        indent = len(item.group(1).expandtabs(4))
        while stack and stack[-1].indent >= indent:
            stack.pop()
        body = item.group(2)
        if _META_LABEL.match(strip_bullet(body)):
            structure.drop(body)
            stack.append(_Item(indent, ""))
            continue
        text = content_text(strip_bullet(body), structure)
        parent = _has_children(raw_lines, number, indent)
        stack.append(_Item(indent, text if parent else ""))
        if text:
            structure.keep(number, text, _path(stack))
    structure.title = next((line.heading[0] for line in structure.lines if line.heading), "")
    return structure


def _keep_outline_text(structure: Structure, number: int, raw: str, heading: tuple[str, ...]) -> None:
    text = strip_bullet(raw)
    if not text:
        structure.drop(raw)
        return
    structure.keep(number, content_text(text, structure), heading)


def _path(stack: list[_Item]) -> tuple[str, ...]:
    return tuple(item.title for item in stack if item.title)


def _has_children(raw_lines: list[str], number: int, indent: int) -> bool:
    """The next non-blank line is a deeper bullet or a continuation (non-bullet) line."""
    for raw in raw_lines[number:]:
        if not raw.strip():
            continue
        item = _OUTLINE_ITEM.match(raw)
        return item is None or len(item.group(1).expandtabs(4)) > indent
    return False


# --- Markdown (and '* ' bullet notes) --------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")
_MD_ITEM = re.compile(r"^([ \t]*)(?:[*+-]|\d{1,3}[.)])\s+(.*)$")
_SENTENCE_END = "。！？.!?；;…"
_MAX_HEADING_CHARS = 80


def read_markdown(raw_lines: list[str]) -> Structure:
    """'#' headings, header lines above a list, and top-level bullets that have
    children make the heading path; image tags go, their alt text stays."""
    structure = Structure()
    headings: list[str] = []  # '#' levels
    header = ""  # a plain line heading the list below it
    bullet = ""  # the current top-level bullet, when it has children
    for number, raw in enumerate(raw_lines, 1):
        if not raw.strip():
            continue
        heading = _MD_HEADING.match(raw)
        if heading:
            level, text = len(heading.group(1)), inline_text(heading.group(2))
            headings = headings[: level - 1] + [text] if text else headings
            if not text:
                structure.drop(raw)
            header = bullet = ""
            continue
        item = _MD_ITEM.match(raw)
        indented = raw[:1] in (" ", "\t")
        base = tuple(h for h in (*headings, header) if h)
        if item and not item.group(1):
            text = content_text(item.group(2), structure)
            deep = text and len(text) <= _MAX_HEADING_CHARS and _md_has_children(raw_lines, number)
            bullet = text if deep else ""
            structure.keep(number, text, base + ((bullet,) if bullet else ()))
        elif item or (indented and bullet):
            text = content_text(item.group(2) if item else raw, structure)
            structure.keep(number, text, base + ((bullet,) if bullet else ()))
        elif _is_list_header(raw, raw_lines, number):
            header, bullet = inline_text(raw), ""
        else:
            bullet = ""
            structure.keep(number, content_text(raw, structure), base)
    structure.title = headings[0] if headings else next((line.heading[0] for line in structure.lines if line.heading), "")
    return structure


def _md_has_children(raw_lines: list[str], number: int) -> bool:
    for raw in raw_lines[number:]:
        if raw.strip():
            return raw[:1] in (" ", "\t")
    return False


def _is_list_header(raw: str, raw_lines: list[str], number: int) -> bool:
    """A short unindented line without a sentence end, followed by a list."""
    text = inline_text(raw)
    if raw[:1] in (" ", "\t") or not text or len(text) > 40 or text[-1] in _SENTENCE_END:
        return False
    following = next((line for line in raw_lines[number:] if line.strip()), "")
    return bool(_MD_ITEM.match(following))


# --- plain text ------------------------------------------------------------


def read_plain(raw_lines: list[str]) -> Structure:
    """Paragraphs; a short line standing before a paragraph heads what follows it."""
    structure = Structure()
    numbered = [(n, raw.strip()) for n, raw in enumerate(raw_lines, 1) if raw.strip()]
    levels = section_levels([text for _, text in numbered])
    sections = SectionPath()
    for (number, raw), level in zip(numbered, levels):
        text = content_text(raw, structure)
        if level > 0:
            sections.enter(level, text)
        structure.keep(number, text, sections.path())
    structure.title = next((line.heading[0] for line in structure.lines if line.heading), "")
    return structure


# --- copied web pages ------------------------------------------------------

_COUNTER = re.compile(
    r"\d[\d,.]*\s*[万kKwW]?\s*人?\s*(?:浏览|阅读|看过|收藏|点赞|评论|转发|分享|订阅|关注|学习|次播放)"
    r"|(?:浏览|阅读|收藏|点赞|评论|转发|分享)(?:量|数|次数)?\s*[:：]?\s*\d"
    r"|\b\d[\d,.]*[kKmM]?\s+(?:views?|likes?|comments?|shares?|reads?)\b|\b\d+\s+min read\b",
    re.I,
)
_BYLINE = re.compile(
    # Chinese labels: "作者：张三", "来源 新华社", "【责任编辑:】", "来源于51CTO.COM"
    r"^[【\[(（]?\s*(?:来源|出处|作者|本文作者|翻译|译者|编译|编辑|责任编辑|校对|审核|审校|原创|转载)(?:\s*[:：|｜]|\s+\S|\s*[】\])）]|$)"
    r"|^[【\[(（]?\s*(?:发布时间|发表时间|更新时间|时间|日期)\s*[:：]"
    r"|^(?:来源于|发布于|更新于|转载自|转自|摘自|本文来自)\S"
    # English: "By Jane Doe" (a name only, so "By 2030, ..." stays), "Published: ...", "Author: ..."
    r"|^By\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}$"
    r"|^(?:Posted|Published|Updated)(?:\s+on)?\s*[:：]?\s*(?:\d|[A-Z][a-z]{2,8}\.?\s+\d)"
    r"|^(?:Author|Source|Photo|Image)\s*:",
)
_TAGS = re.compile(r"分类专栏|文章标签|专栏收录|订阅专栏|^标签\s*[:：]|^Tags?\s*:", re.I)
_FOOTER = re.compile(r"ICP\s*[备证]|公网安备|版权所有(?!者|人)|All Rights Reserved|Copyright\s*(?:©|\(c\)|\d{4})|^©", re.I)
_DISCLAIMER = re.compile(r"^[【\[(（]?\s*(?:声明|免责声明|版权声明|特别声明|风险提示|技术支持)\s*[:：]")
# A repost notice opens with who/what it is about: "(本文经授权后由…编译发布,译文转载请联系…)"
_REPOST = re.compile(r"^[(（【\[]?\s*(?:本文|文章|转载|版权|原文|译文|注[:：]).{0,60}(?:转载|授权|原文地址|原文链接|出处)")
_AD = re.compile(r"[☞☜👉👈►▶➤→]{2,}|^(?:广告|推广|Advertisement|Sponsored|赞助)$", re.I)
_LIST_HEADER = re.compile(
    r"^(?:相关文章|相关阅读|相关推荐|相关资讯|相关专题|推荐阅读|延伸阅读|猜你喜欢|热门文章|热门推荐|热门资讯|热门标签|"
    r"热门下载|热门AI工具|热门工具|最新文章|最新课程|精品课程|频道精选|编辑推荐|其他人都在看|大家都在看|"
    r"Related(?: articles| posts| stories| reading)?|You may also like|Recommended(?: for you)?|Read (?:more|next)|"
    r"More from .{1,40}|Popular(?: posts)?|Trending(?: now)?|Comments?|Leave a (?:reply|comment))\s*[:：]?$",
    re.I,
)
_NAV_WORDS = {
    "更多", "下载", "立即下载", "首页", "返回顶部", "上一篇", "下一篇", "分享", "收藏", "点赞", "评论", "关注",
    "登录", "注册", "阅读全文", "展开全文", "|", "/", "·", "share", "tweet", "sign in", "subscribe", "menu", "home",
}
_NUMBER_OR_DATE = re.compile(r"^[\d\s.,:/\-年月日]+$")
_TIME_AGO = re.compile(r"\d+\s*(?:年|个月|天|小时|分钟|秒)前|\b\d+\s+(?:years?|months?|days?|hours?|minutes?)\s+ago\b", re.I)
_KNOWN_SECTION = re.compile(r"^(?:参考文献|参考资料|参考链接|注释|脚注|References|Notes|Bibliography)\b", re.I)
_NUMBERED_HEADING = re.compile(r"^(?:\d{1,2}[.、]\s*|[一二三四五六七八九十]{1,3}[、.]\s*|第[一二三四五六七八九十\d]{1,3}[章节部分篇]\s*)\S")
_SITE_NAME = re.compile(r"(?:网|网站|官网|社区|博客|\.com|\.cn|\.net|\.org)$", re.I)
_CARD_MAX = 40  # a card (a promoted link) has a short title shown twice
_HEADER_SCAN = 40  # lines searched for the page header (title, byline, counters)


def is_meta(text: str) -> bool:
    """Byline, counters, tags, footer, disclaimer, repost note or ad: page furniture.

    >>> is_meta("1516人浏览过"), is_meta("来源于51CTO.COM"), is_meta("豫ICP备18040629号")
    (True, True, True)
    >>> is_meta("国盛证券估算,今年1月平均每天约有1300万独立访客使用ChatGPT")
    False
    """
    if _BYLINE.match(text) and len(text) <= 80:
        return True  # a byline is short; a paragraph that starts with 来源 is not one
    signals = sum(bool(p.search(text)) for p in (_COUNTER, _TAGS, _TIME_AGO))
    if signals and (len(text) <= 40 or signals >= 2):
        return True
    furniture = _TAGS.search(text) or _FOOTER.search(text) or _DISCLAIMER.match(text) or _AD.search(text)
    return bool(furniture or (_REPOST.search(text) and len(text) <= 200))


def is_nav(text: str) -> bool:
    """Navigation: button words, lone numbers or dates, a row of short menu items.

    >>> is_nav("关于我们 免责申明 举报中心 意见反馈 讲师合作"), is_nav("2023.09.12"), is_nav("动机")
    (True, True, False)
    """
    if text.lower() in _NAV_WORDS or _NUMBER_OR_DATE.match(text):
        return True
    items = re.split(r"\s{2,}|\s+[|/·•]\s+", text)
    if len(items) >= 3 and all(len(item) <= 12 for item in items) and not re.search(r"[\d，。,.!?！？；;:：]", text):
        return True  # "Home  News  Tech" or "首页 | 资讯 | 下载"
    tokens = text.split()
    return len(tokens) >= 5 and all(len(t) <= 6 for t in tokens) and not re.search(r"[，。,.!?！？；;:：]", text) and bool(re.search(r"[\u4e00-\u9fff]", text))


def is_body_like(text: str) -> bool:
    """A paragraph of prose: long, or a complete sentence."""
    if is_meta(text) or is_nav(text):
        return False
    return len(text) >= 60 or (len(text) >= 25 and text[-1] in _SENTENCE_END + "”」）)")


def read_web(raw_lines: list[str]) -> Structure:
    """A page copied from a web site: keep the article body and its title, drop the
    site header, byline, counters, tags, ads, promoted cards, 'related' lists and footer."""
    structure = Structure()
    numbered = [(n, raw.strip()) for n, raw in enumerate(raw_lines, 1) if raw.strip()]
    header_end = _header_end(numbered)
    structure.title = _pick_title(numbered[:header_end], numbered)
    for _, text in numbered[:header_end]:
        if text != structure.title:
            structure.drop(text)
    body = _body_lines(numbered[header_end:], structure)
    levels = section_levels([text for _, text in body])
    top = [structure.title] if structure.title else []
    sections = SectionPath()
    for (number, text), level in zip(body, levels):
        if level == -1:  # a section number standing alone above its heading
            continue
        if level and text != structure.title:
            sections.enter(level, text)
        structure.keep(number, text, tuple(top) + sections.path())
    return structure


def _header_end(numbered: list[tuple[int, str]]) -> int:
    """Index just past the page header: the last byline/counter line before the body starts."""
    end = 0
    for i, (_, text) in enumerate(numbered[:_HEADER_SCAN]):
        if is_meta(text) or is_nav(text):
            end = i + 1
        elif is_body_like(text) and not _is_title_like(text):
            break
    if end == 0:  # no byline: the header is whatever stands before the first paragraph
        end = next((i for i, (_, t) in enumerate(numbered) if is_body_like(t)), 0)
        end = min(end, 2)
    return end


def _is_title_like(text: str) -> bool:
    return len(text) <= 60 and text[-1] not in "。；;"


def _pick_title(header: list[tuple[int, str]], numbered: list[tuple[int, str]]) -> str:
    """The header line most like a title: repeated elsewhere on the page (in the byline,
    as a heading), with words in it; not the site name, a counter, or 'N days ago'."""
    footer_text = " ".join(t for _, t in numbered if _FOOTER.search(t) or _DISCLAIMER.match(t))
    best, best_score = "", 0
    for i, (_, text) in enumerate(header):
        if is_meta(text) or is_nav(text) or len(text) > 100:
            continue
        if _SITE_NAME.search(text) and len(text) <= 12 or (len(text) <= 20 and text in footer_text):
            continue
        elsewhere = [t for j, (_, t) in enumerate(numbered) if t != text or j != i]
        adjacent_twin = (i + 1 < len(header) and header[i + 1][1] == text) or (i > 0 and header[i - 1][1] == text)
        score = 1
        score += 3 if any(text in t for t in elsewhere if t is not text) else 0
        score += 2 if re.search(r"[\u4e00-\u9fff]", text) or len(text.split()) >= 3 else 0
        score += 1 if 6 <= len(text) <= 60 else 0
        score -= 3 if _TIME_AGO.search(text) else 0
        score -= 3 if adjacent_twin else 0
        score += 1 if i + 1 < len(header) and is_meta(header[i + 1][1]) else 0  # right above the byline
        if score > best_score:
            best, best_score = text, score
    return best


def _body_lines(numbered: list[tuple[int, str]], structure: Structure) -> list[tuple[int, str]]:
    """The article's lines after the header; cruft is counted and dropped."""
    kept: list[tuple[int, str]] = []
    in_list = False  # inside a 'related articles' style list
    card_left = 0  # short lines still belonging to a promoted card
    recent: list[str] = []  # the last few non-empty lines, to spot card titles shown twice
    for i, (number, raw) in enumerate(numbered):
        text = raw
        if _is_page_footer(text, numbered[i + 1 :]):  # nothing after the footer is article
            for _, rest in numbered[i:]:
                structure.drop(rest)
            break
        twin = i + 1 < len(numbered) and numbered[i + 1][1] == text and numbered[i + 1][0] == number + 1
        if _LIST_HEADER.match(text):
            in_list = True
        elif in_list and _ends_list(text, recent):
            in_list = False
        if card_left and (is_body_like(text) or len(text) >= _CARD_MAX) and text != recent[-1:][0]:
            card_left = 0  # the article resumes
        if not in_list and twin and len(text) <= _CARD_MAX:
            card_left = 4  # the title, its twin, then up to two short lines (blurb, button)
        section_number = re.fullmatch(r"\d{1,2}", text) and i + 1 < len(numbered) and _is_heading_like(numbered[i + 1][1])
        cruft = in_list or card_left > 0 or is_meta(text) or (is_nav(text) and not section_number) or is_link_only(text)
        card_left = max(0, card_left - 1)
        recent = (recent + [text])[-4:]
        if cruft:
            structure.drop(text)
            continue
        text = content_text(text, structure)
        if text:
            kept.append((number, text))
    return kept


def _is_page_footer(text: str, after: list[tuple[int, str]]) -> bool:
    """A short copyright/ICP line with no prose paragraph after it (a sentence that
    merely mentions 版权所有 mid-article is not a footer)."""
    return bool(_FOOTER.search(text)) and len(text) <= 150 and not any(_ends_list(t, []) for _, t in after)


def _ends_list(text: str, recent: list[str]) -> bool:
    """A full prose paragraph that is not a card's blurb ends a 'related' list."""
    return len(text) >= 60 and text[-1] in _SENTENCE_END and is_body_like(text) and not _after_card_title(recent)


def _after_card_title(recent: list[str]) -> bool:
    """A card shows its title twice just before its blurb."""
    return len(set(recent)) < len(recent)


@dataclass
class SectionPath:
    """The current numbered section (level 1) and sub-heading (level 2)."""

    levels: dict[int, str] = field(default_factory=dict)

    def enter(self, level: int, text: str) -> None:
        self.levels = {k: v for k, v in self.levels.items() if k < level}
        self.levels[level] = text

    def path(self) -> tuple[str, ...]:
        return tuple(self.levels[k] for k in sorted(self.levels))


def section_levels(texts: list[str]) -> list[int]:
    """Heading level of each line: 1 numbered section, 2 other heading, 0 body,
    -1 a lone section number ('1' above '动机').

    >>> section_levels(["1", "动机", "LLM的惊人表现引发了人们的广泛猜想,这些猜想主要包括LLM可能引发的新兴商业模式。", "Cost/FLOP效率", "对于训练LLM而言,最重要的硬件性能指标是可实现的混合精度FP16/FP32 FLOPS。"])
    [-1, 1, 0, 2, 0]
    """
    levels = [0] * len(texts)
    in_references = False  # reference lists are short lines, none of them a heading
    for i, text in enumerate(texts):
        following = texts[i + 1] if i + 1 < len(texts) else ""
        previous = texts[i - 1] if i > 0 else ""
        if re.fullmatch(r"\d{1,2}", text) and _is_heading_like(following):
            levels[i] = -1
        elif i and levels[i - 1] == -1:
            levels[i] = 1
        elif _KNOWN_SECTION.match(text) and len(text) <= 30 or _is_heading_like(text) and _NUMBERED_HEADING.match(text):
            levels[i] = 1
        elif _is_heading_like(text) and len(following) >= 40 and previous[-1:] not in (":", "：") and not in_references:
            levels[i] = 2
        if levels[i] == 1:
            in_references = bool(_KNOWN_SECTION.match(text))
    return levels


def _is_heading_like(text: str) -> bool:
    """Short, no sentence inside, not a lead-in (':') or a figure caption ending in a source '(…)'."""
    return (
        2 <= len(text) <= 30
        and not re.search(r"[。；;！!]", text)
        and text[-1] not in ":：)）,，、"
        and not re.fullmatch(r"[\d\s.,%]+", text)
    )
