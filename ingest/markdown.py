"""Markdown notes read with a real parser (markdown-it-py), as other people write them.

A `.md` note becomes the same `Cleaned` blocks as every other format, with:

- YAML front matter read as metadata (title, authors, date), never a passage;
- the note's title (front matter, else a first H1 written in Markdown or HTML,
  else the file name made readable) heading every heading path;
- a heading stack that stays right when levels skip or there is no H1;
- inline and block HTML reduced to text: an HTML heading is a heading, an HTML
  table becomes rows, badges (images inside links) and comments go;
- tables as rows (kind 'table', header row first, so the chunker can repeat it);
- lists as items that keep their line breaks (kind 'list');
- code blocks and configuration kept out of passages unless they are prose;
- links reduced to their text, URLs dropped, escapes undone, leftover emphasis
  marks and GitHub `> [!NOTE]` markers removed.

Line numbers always point at the original file: text lines map one to one, list
items and table rows carry the span of lines they came from.

One file of about 600 lines on purpose: the token walk, the HTML-to-text reader and the
line bookkeeping share one state machine over the parser's tokens; split, each piece
would need the others' private state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import PurePosixPath

import yaml
from markdown_it import MarkdownIt

from ingest.lines import _FILENAME_ALT, _MEANINGFUL, Line, collapse_whitespace, dedupe_key, drop_repeats, to_blocks
from ingest.read import MARKDOWN_SUFFIXES
from ingest.types import Cleaned, Document

_PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'，。）)\]]+", re.I)
_ADMONITION = re.compile(r"^\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*", re.I)
# Emphasis marks left in text: escaped ones (\*\*bold\*\*) or ones CommonMark could not pair.
_LEFTOVER_MARKS = re.compile(r"\*\*|~~|==(?=\S)|(?<=\S)==")
_PROSE_INFO = {"", "text", "txt", "plain", "plaintext", "markdown", "md", "quote"}


# --- front matter and title ------------------------------------------------


@dataclass(frozen=True)
class FrontMatter:
    """YAML between '---' lines at the top of a note."""

    metadata: dict = field(default_factory=dict)  # title, authors, date when given
    lines: int = 0  # lines it takes, fences included (0 when there is none)


def front_matter(text: str) -> FrontMatter:
    """Metadata from YAML front matter; a note without (valid) front matter has none.

    >>> front_matter("---\\ntitle: Llama 3 notes\\nauthor: [Ann, Bo]\\ndate: 2024-05-01\\n---\\n# Body\\n")
    FrontMatter(metadata={'title': 'Llama 3 notes', 'authors': ['Ann', 'Bo'], 'date': '2024-05-01'}, lines=5)
    >>> front_matter("---\\nnot: [closed\\n---\\n").lines, front_matter("# no front matter\\n").lines
    (0, 0)
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return FrontMatter()
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in ("---", "...")), None)
    if end is None:
        return FrontMatter()
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError:
        return FrontMatter()
    if not isinstance(data, dict):
        return FrontMatter()
    return FrontMatter(_metadata(data), end + 1)


def _metadata(data: dict) -> dict:
    fields = {str(k).lower(): v for k, v in data.items()}
    meta: dict = {}
    title = fields.get("title")
    if title:
        meta["title"] = collapse_whitespace(str(title))
    authors = fields.get("authors", fields.get("author"))
    if authors:
        items = authors if isinstance(authors, list) else re.split(r"\s*[,;，、]\s*|\s+and\s+", str(authors))
        meta["authors"] = [_author_name(a) for a in items if _author_name(a)]
    date = fields.get("date")
    if date:
        meta["date"] = str(date)
    return meta


def _author_name(author) -> str:
    if isinstance(author, dict):  # {name: Ann, affiliation: ...}
        author = author.get("name", "")
    return collapse_whitespace(str(author))


def readable_title(file: str) -> str:
    """A note's file name as a title: suffix dropped, '_' and word-joining '-' become spaces
    ('-' before a short Latin part such as a version or an acronym stays).

    >>> readable_title("llama 3.md"), readable_title("notes/DeepSeek-V3-README.md"), readable_title("Llama3.1-MODEL_CARD.md")
    ('llama 3', 'DeepSeek-V3 README', 'Llama3.1 MODEL CARD')
    >>> readable_title("Megatron-LM-README.markdown"), readable_title("5.token及模型参数.md")
    ('Megatron-LM README', '5.token及模型参数')
    """
    name = PurePosixPath(file).name
    stem = name[: -len(PurePosixPath(name).suffix)] if PurePosixPath(name).suffix.lower() in MARKDOWN_SUFFIXES else name
    parts = re.split(r"([-_])", stem)
    title = parts[0]
    for separator, part in zip(parts[1::2], parts[2::2]):
        title += "-" if separator == "-" and re.fullmatch(r"[A-Za-z0-9.]{1,3}", part) else " "
        title += part
    return collapse_whitespace(title) or name


# --- the note as a stream of headings and pieces ----------------------------


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    number: int  # original line


@dataclass(frozen=True)
class Piece:
    """One unit of body text: a text line, a list item or a table row."""

    number: int
    end: int
    text: str
    kind: str = "text"  # 'text' | 'list' | 'table'
    group: int = 0  # which list or table it belongs to


@dataclass
class Stream:
    """What the reader found, in document order, and what it left out."""

    items: list[Heading | Piece] = field(default_factory=list)
    boilerplate_chars: int = 0  # links-only lines, URLs, badges, comments
    code_blocks: int = 0  # code and configuration blocks kept out of passages
    groups: int = 0

    def new_group(self) -> int:
        self.groups += 1
        return self.groups


def clean_markdown(doc: Document) -> Cleaned:
    """A Markdown note as Blocks under (title, section, ...) heading paths."""
    matter = front_matter(doc.text)
    lines = doc.text.split("\n")
    body = "\n" * matter.lines + "\n".join(lines[matter.lines :])  # same line numbers, front matter blanked
    stream = read_stream(body)
    title, items = _title(matter, stream.items, doc.file)
    pieces = _with_headings(title, items)
    kept, repeats = _drop_repeats(pieces)
    return Cleaned(
        blocks=to_blocks(kept),
        title=title,
        boilerplate_chars=stream.boilerplate_chars,
        duplicates_removed=repeats,
        metadata=matter.metadata,
        code_blocks=stream.code_blocks,
    )


def _title(matter: FrontMatter, items: list[Heading | Piece], file: str) -> tuple[str, list[Heading | Piece]]:
    """The front matter's title; else an H1 that is the note's first heading (taken out of
    the body: exported pages put their title and their sections both at H1); else the
    file name made readable."""
    if matter.metadata.get("title"):
        return matter.metadata["title"], items
    first = next((i for i, item in enumerate(items) if isinstance(item, Heading)), None)
    if first is not None and items[first].level == 1:
        return items[first].text, items[:first] + items[first + 1 :]
    return readable_title(file), items


def _with_headings(title: str, items: list[Heading | Piece]) -> list[Line]:
    """Each piece under (title, *open headings); a heading closes every open heading
    of its level or deeper, so skipped levels and a missing H1 nest correctly."""
    stack: list[Heading] = []
    lines: list[Line] = []
    for item in items:
        if isinstance(item, Heading):
            while stack and stack[-1].level >= item.level:
                stack.pop()
            stack.append(item)
            continue
        path = [title] + [h.text for h in stack if h.text]
        if len(path) > 1 and dedupe_key(path[1]) == dedupe_key(title):
            path.pop(1)  # an H1 that repeats the front-matter title
        lines.append(Line(item.number, item.text, tuple(path), end=item.end, kind=item.kind, group=item.group))
    return lines


def _drop_repeats(lines: list[Line]) -> tuple[list[Line], int]:
    """Repeated text lines and list items go; table rows stay (a row repeats by design)."""
    prose = [line for line in lines if line.kind != "table"]
    kept, repeats = drop_repeats(prose)
    keep = {id(line) for line in kept}
    return [line for line in lines if line.kind == "table" or id(line) in keep], repeats


def read_stream(text: str) -> Stream:
    """Headings and pieces of a Markdown text, in order, with original line numbers."""
    tokens = _PARSER.parse(text)
    stream = Stream()
    html = HtmlReader(stream)
    lists = 0  # open lists
    quote = 0  # open block quotes
    list_group = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind == "html_block":
            html.feed_block(token.content, token.map[0] + 1)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            if lists == 0:
                list_group = stream.new_group()
            lists += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "heading_open":
            inline = tokens[i + 1]
            text = " ".join(_inline_lines(inline.children, stream).lines)
            stream.items.append(Heading(int(token.tag[1]), collapse_whitespace(text), token.map[0] + 1))
            i += 2
        elif kind == "paragraph_open":
            _paragraph(tokens[i + 1], token.map, stream, list_group if lists else 0, quote > 0)
            i += 2
        elif kind == "table_open":
            i = _table(tokens, i, stream)
        elif kind in ("fence", "code_block"):
            _code(token, stream)
        i += 1
    html.close_block()
    return stream


def _paragraph(inline, line_map: list[int], stream: Stream, list_group: int, in_quote: bool) -> None:
    rendered = _inline_lines(inline.children, stream)
    lines = rendered.lines
    if in_quote and lines:
        lines[0] = _ADMONITION.sub("", lines[0])  # GitHub '> [!NOTE]': the marker goes, the note stays
    if rendered.links_only:
        stream.boilerplate_chars += sum(len(line) for line in lines)
        return
    first = line_map[0] + 1
    numbered = [(first + offset, line) for offset, line in enumerate(lines) if line]
    if not numbered:
        return
    if list_group:  # a list item is one unit that keeps its line break from the next item
        text = " ".join(line for _, line in numbered)
        stream.items.append(Piece(numbered[0][0], numbered[-1][0], text, "list", list_group))
        return
    for number, line in numbered:
        stream.items.append(Piece(number, number, line))


def _table(tokens: list, i: int, stream: Stream) -> int:
    """A pipe table: one piece per row (header first); returns the index of table_close."""
    group = stream.new_group()
    row: list[str] = []
    row_line = 0
    while tokens[i].type != "table_close":
        token = tokens[i]
        if token.type == "tr_open":
            row, row_line = [], token.map[0] + 1
        elif token.type == "inline":
            row.append(collapse_whitespace(" ".join(_inline_lines(token.children, stream).lines)))
        elif token.type == "tr_close":
            text = row_text(row)
            if text:
                stream.items.append(Piece(row_line, row_line, text, "table", group))
        i += 1
    return i


def row_text(cells: list[str]) -> str:
    """A table row as one line: its non-empty cells joined with ' | '.

    >>> row_text(["", "Params", " 8B "])
    'Params | 8B'
    """
    return " | ".join(cell.strip() for cell in cells if cell.strip())


def _code(token, stream: Stream) -> None:
    """Code and configuration stay out of passages; a fenced block of plain prose stays in."""
    info = (token.info or "").strip().split(" ")[0].lower()
    if not is_prose(token.content, info):
        stream.code_blocks += 1
        return
    first = token.map[0] + (2 if token.type == "fence" else 1)
    for offset, line in enumerate(token.content.split("\n")):
        if line.strip():
            stream.items.append(Piece(first + offset, first + offset, collapse_whitespace(line)))


def is_prose(code: str, info: str = "") -> bool:
    """A code block that is really prose: no language (or a text one), sentences,
    few code symbols, and not JSON or YAML.

    >>> is_prose("训练用了2.788M H800 GPU小时。之后的阶段只要0.1M。\\n")
    True
    >>> is_prose('{"hidden_size": 7168, "num_layers": 61}\\n'), is_prose("pip install torch\\n", "bash")
    (False, False)
    >>> is_prose("model: llama\\nlayers: 32\\n")
    False
    """
    text = code.strip()
    if info not in _PROSE_INFO or not text:
        return False
    if re.search(r"[{}\[\]();=<>$`\\|]|^\s*[#/-]|^\s*\w+\s*:\s", text, re.M):
        return False  # code, shell, JSON or YAML shapes
    words = re.findall(r"[A-Za-z]+|[\u4e00-\u9fff]", text)
    return len(words) >= 8 and bool(re.search(r"[.!?。！？；]\s*$|[.!?。！？；]\s", text))


# --- inline content ---------------------------------------------------------


@dataclass
class Rendered:
    lines: list[str]  # the text of each original line of the inline run
    links_only: bool  # every meaningful character came from a link (a link list, a table of contents)


def _inline_lines(children: list | None, stream: Stream) -> Rendered:
    lines: list[list[str]] = [[]]
    in_link = 0
    linked = other = False
    for child in children or []:
        kind = child.type
        if kind in ("softbreak", "hardbreak"):
            lines.append([])
            continue
        if kind == "link_open":
            in_link += 1
            stream.boilerplate_chars += len(child.attrs.get("href", "") or "")  # where it points: not quoted
            continue
        if kind == "link_close":
            in_link = max(0, in_link - 1)
            continue
        if kind == "text":
            text = _LEFTOVER_MARKS.sub("", child.content)
        elif kind == "code_inline":
            text = child.content
        elif kind == "image":
            text = "" if in_link else image_alt(child.content)  # an image inside a link is a badge
            stream.boilerplate_chars += len(child.attrs.get("src", "") or "") + len(child.content) - len(text)
        elif kind == "html_inline":
            text, in_link = _inline_html(child.content, in_link)
            stream.boilerplate_chars += len(child.content.strip()) - len(text.strip())
            lines.extend([] for _ in range(child.content.count("\n")))
        else:
            continue  # emphasis and strike-through marks
        text, urls = _without_urls(text)
        stream.boilerplate_chars += urls
        lines[-1].append(text)
        if _MEANINGFUL.search(text):
            linked |= bool(in_link)
            other |= not in_link
    texts = [collapse_whitespace("".join(parts)) for parts in lines]
    return Rendered(texts, linked and not other)


def image_alt(alt: str) -> str:
    """An image's alt text when it says something: not a file name, not one slug
    ('climate-change', a logo's name); a Chinese caption needs no spaces.

    >>> image_alt("A100 server rack"), image_alt("image-20240827215029787"), image_alt("chart.png"), image_alt("temperature-graph")
    ('A100 server rack', '', '', '')
    >>> image_alt("机柜照片")
    '机柜照片'
    """
    alt = collapse_whitespace(alt)
    if _FILENAME_ALT.match(alt) or (" " not in alt and not re.search(r"[\u3400-\u9fff]", alt)):
        return ""
    return alt


_HTML_TAG_NAME = re.compile(r"^<\s*(/?)\s*([A-Za-z][A-Za-z0-9]*)")
_HTML_ALT = re.compile(r"\balt\s*=\s*([\"'])(.*?)\1", re.I | re.S)


def _inline_html(tag: str, in_link: int) -> tuple[str, int]:
    """An inline HTML tag's text: <br> a space, <img> its alt text, <a> opens a link."""
    match = _HTML_TAG_NAME.match(tag)
    if not match:
        return "", in_link  # a comment or a processing instruction
    closing, name = match.group(1) == "/", match.group(2).lower()
    if name == "a":
        return "", max(0, in_link + (-1 if closing else 1))
    if name == "br":
        return " ", in_link
    if name == "img" and not in_link:
        alt = _HTML_ALT.search(tag)
        return image_alt(alt.group(2)) if alt else "", in_link
    return "", in_link


def _without_urls(text: str) -> tuple[str, int]:
    """A bare URL shrinks to its site (a passage quotes what a note says, not where
    it links); returns the text and the characters dropped.

    >>> _without_urls("Read the report at https://www.example.org/reports/orca-13b.pdf?x=1 for details.")
    ('Read the report at example.org for details.', 37)
    """
    removed = 0

    def site(match: re.Match) -> str:
        nonlocal removed
        host = re.sub(r"^(?:https?://)?(?:www\.)?", "", match.group(0), flags=re.I).split("/")[0].split("?")[0]
        removed += len(match.group(0)) - len(host)
        return host

    return _URL.sub(site, text), removed


# --- block HTML ----------------------------------------------------------------

_BREAKS = {"p", "div", "br", "hr", "li", "ul", "ol", "blockquote", "section", "center", "details", "summary", "dl", "dt", "dd", "header", "footer", "figure", "figcaption"}
_SKIP = {"script", "style", "pre", "svg", "code"}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}


@dataclass
class _Cell:
    text: list[str] = field(default_factory=list)
    colspan: int = 1
    rowspan: int = 1


@dataclass
class _Table:
    group: int
    rows: list[tuple[int, int, list[_Cell]]] = field(default_factory=list)
    row: list[_Cell] | None = None
    row_start: int = 0
    cell: _Cell | None = None


class HtmlReader(HTMLParser):
    """HTML blocks of a Markdown note as headings, text lines and table rows.

    One reader serves the whole note, so a table or a link that spans several
    HTML blocks (blank lines inside a <table>) is still read as one.
    """

    def __init__(self, stream: Stream) -> None:
        super().__init__(convert_charrefs=True)
        self.stream = stream
        self.base = 1  # original line of the current block's first line
        self.fed_lines = 0  # lines fed before the current block
        self.segment: list[tuple[int, str, bool]] = []  # (line, text, inside a link)
        self.heading: tuple[int, int, list[str]] | None = None  # (level, line, texts)
        self.tables: list[_Table] = []
        self.links = 0
        self.skip = 0

    def feed_block(self, html: str, first_line: int) -> None:
        self.base = first_line
        self.feed(html if html.endswith("\n") else html + "\n")
        self.fed_lines += html.count("\n") + (0 if html.endswith("\n") else 1)
        if not self.tables:
            self._flush()

    def close_block(self) -> None:
        self.close()
        while self.tables:
            self._end_table()
        self._flush()

    def _line(self) -> int:
        return self.base + self.getpos()[0] - 1 - self.fed_lines

    # parser events

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag in _SKIP:
            self.skip += 1
        elif tag in _HEADINGS and not self.tables:
            self._flush()
            self.heading = (_HEADINGS[tag], self._line(), [])
        elif tag == "table":
            self._flush()
            self.tables.append(_Table(self.stream.new_group()))
        elif tag == "tr" and self.tables:
            self._end_row()
            self.tables[-1].row, self.tables[-1].row_start = [], self._line()
        elif tag in ("td", "th") and self.tables:
            table = self.tables[-1]
            if table.row is None:
                table.row, table.row_start = [], self._line()
            table.cell = _Cell(colspan=_span(attributes.get("colspan")), rowspan=_span(attributes.get("rowspan")))
            table.row.append(table.cell)
        elif tag == "a":
            self.links += 1
        elif tag == "img":
            alt = "" if self.links else image_alt(attributes.get("alt") or "")  # inside a link: a badge
            self.stream.boilerplate_chars += len(self.get_starttag_text() or "") - len(alt)
            self._text(alt, link=False)
        elif tag in _BREAKS:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP or tag in _HEADINGS or tag in ("table", "tr", "td", "th", "a"):
            return  # an empty element says nothing
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _HEADINGS and self.heading:
            level, line, texts = self.heading
            self.heading = None
            text = collapse_whitespace(" ".join(texts))
            if text:
                self.stream.items.append(Heading(level, text, line))
        elif tag == "table" and self.tables:
            self._end_table()
        elif tag == "tr" and self.tables:
            self._end_row()
        elif tag in ("td", "th") and self.tables:
            self.tables[-1].cell = None
        elif tag == "a":
            self.links = max(0, self.links - 1)
        elif tag in _BREAKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if self.skip or not data.strip():
            return
        start = self._line()
        for offset, part in enumerate(data.split("\n")):
            if part.strip():
                self._text(part, link=bool(self.links), line=start + offset)

    def handle_comment(self, data: str) -> None:
        self.stream.boilerplate_chars += len(data)

    # text, cells and rows

    def _text(self, text: str, link: bool, line: int | None = None) -> None:
        text, urls = _without_urls(_LEFTOVER_MARKS.sub("", text))
        self.stream.boilerplate_chars += urls
        if not text.strip():
            return
        if self.heading:
            self.heading[2].append(text)
        elif self.tables and self.tables[-1].cell is not None:
            self.tables[-1].cell.text.append(text)
        elif not self.tables:
            self.segment.append((line or self._line(), text, link))

    def _break(self) -> None:
        if self.tables and self.tables[-1].cell is not None:
            self.tables[-1].cell.text.append(" ")  # a <p> or <br> inside a cell is a space
        elif not self.heading:
            self._flush()

    def _flush(self) -> None:
        """The text gathered since the last break, one piece per original line;
        a run that is only link text (a row of badges or buttons) is dropped."""
        segment, self.segment = self.segment, []
        if not segment:
            return
        if all(link for _, text, link in segment if _MEANINGFUL.search(text)):
            self.stream.boilerplate_chars += sum(len(text.strip()) for _, text, _ in segment)
            return
        by_line: dict[int, list[str]] = {}
        for line, text, _ in segment:
            by_line.setdefault(line, []).append(text)
        for line, texts in by_line.items():
            text = collapse_whitespace(" ".join(texts))
            if text:
                self.stream.items.append(Piece(line, line, text))

    def _end_row(self) -> None:
        table = self.tables[-1]
        if table.row is not None:
            table.rows.append((table.row_start, self._line(), table.row))
        table.row, table.cell = None, None

    def _end_table(self) -> None:
        self._end_row()
        table = self.tables.pop()
        for start, end, cells in _filled_rows(table.rows):
            text = row_text(cells)
            if text:
                self.stream.items.append(Piece(start, max(start, end), text, "table", table.group))


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1


def _filled_rows(rows: list[tuple[int, int, list[_Cell]]]) -> list[tuple[int, int, list[str]]]:
    """Rows as lists of cell texts, a cell spanning rows repeated in each of them
    (so every row reads on its own), a cell spanning columns padded with empties."""
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows still to fill)
    out = []
    for start, end, cells in rows:
        texts: list[str] = []
        queue = list(cells)
        while queue or any(column >= len(texts) for column in pending):
            column = len(texts)
            if column in pending:
                text, left = pending.pop(column)
                texts.append(text)
                if left > 1:
                    pending[column] = (text, left - 1)
            elif queue:
                cell = queue.pop(0)
                text = collapse_whitespace(" ".join(cell.text))
                for offset in range(cell.colspan):
                    if cell.rowspan > 1:
                        pending[column + offset] = (text if offset == 0 else "", cell.rowspan - 1)
                    texts.append(text if offset == 0 else "")
            else:
                texts.append("")  # a short row: the gap before a cell spanning from above
        out.append((start, end, texts))
    return out
