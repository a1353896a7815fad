"""Read one note from disk: bytes -> text with a known encoding and format.

Decoding is always strict: a note is decoded completely in one encoding or it
is reported, never silently shortened (no errors="ignore").
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from pathlib import Path

from ingest.errors import KbqaError, NoteBinary, NoteEmpty, NoteTooLarge, NoteUnreadable
from ingest.types import Document

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}


class UndecodableText(KbqaError, ValueError):
    """No supported encoding decodes the bytes strictly."""


class BinaryData(KbqaError, ValueError):
    """The bytes are not text at all (NUL or control bytes)."""


def read_note(path: Path, kb_root: Path, max_bytes: int) -> Document:
    """Read, decode and classify one note; raise a NoteError saying why it cannot be read."""
    path = Path(path)
    name = _relative_name(path, Path(kb_root))
    data = _read_bytes(path, name, max_bytes)
    if not data:
        raise NoteEmpty(name, "empty file (0 bytes)")
    try:
        text, encoding = decode_bytes(data)
    except BinaryData as exc:
        raise NoteBinary(name, str(exc)) from None
    except UndecodableText as exc:
        raise NoteUnreadable(name, str(exc)) from None
    if not text.strip():
        raise NoteEmpty(name, "only whitespace, no text")
    return Document(
        file=name,
        text=text,
        encoding=encoding,
        format=detect_format(text, path.suffix),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode strictly, trying BOMs, UTF-16 without BOM, UTF-8, GB18030, then charset-normalizer.

    Newlines become '\\n' and the BOM is removed.

    >>> decode_bytes("算力\\r\\nA100".encode("gbk"))
    ('算力\\nA100', 'gb18030')
    >>> decode_bytes(b"\\xef\\xbb\\xbfhi\\r")
    ('hi\\n', 'utf-8-sig')
    """
    text, encoding = _decode(data)
    if _looks_binary(text):
        raise BinaryData("binary file (control characters)")
    return normalise_newlines(text), encoding


def normalise_newlines(text: str) -> str:
    """'\\r\\n' and lone '\\r' become '\\n' (line numbers are counted in '\\n')."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def detect_format(text: str, suffix: str) -> str:
    """'outline' | 'web' | 'markdown' | 'plain', from the text's shape (and a .md suffix).

    >>> detect_format("- a\\n    - b\\n        - c\\n", ".txt")
    'outline'
    >>> detect_format("# Title\\n\\nbody\\n", ".txt")
    'markdown'
    >>> detect_format("Just a paragraph.\\n", ".txt")
    'plain'
    """
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return "plain"
    if _is_outline(lines):
        return "outline"
    if _web_signals(lines) >= 2:
        return "web"
    if suffix.lower() in MARKDOWN_SUFFIXES or _is_markdown(lines):
        return "markdown"
    return "plain"


# --- reading ---------------------------------------------------------------


def _relative_name(path: Path, kb_root: Path) -> str:
    try:
        return Path(os.path.relpath(path, kb_root)).as_posix()
    except ValueError:  # another drive on Windows
        return path.name


def _read_bytes(path: Path, name: str, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise NoteTooLarge(name, f"over the {human_size(max_bytes)} size limit ({human_size(size)})")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except PermissionError:
        raise NoteUnreadable(name, "permission denied") from None
    except FileNotFoundError:
        raise NoteUnreadable(name, "file not found") from None
    except IsADirectoryError:
        raise NoteUnreadable(name, "is a directory, not a file") from None
    except OSError as exc:
        raise NoteUnreadable(name, f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:  # grew after stat
        raise NoteTooLarge(name, f"over the {human_size(max_bytes)} size limit")
    return data


def human_size(n: int) -> str:
    """Bytes in the units people use (1 MB = 1024 KB).

    >>> human_size(2 * 1024 * 1024), human_size(int(5.1 * 1024 * 1024)), human_size(1536), human_size(12)
    ('2 MB', '5.1 MB', '1.5 KB', '12 bytes')
    """
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


# --- decoding --------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding  # these codecs drop the BOM
            except UnicodeDecodeError as exc:
                raise UndecodableText(f"starts with a {encoding} byte-order mark but is not valid {encoding} ({exc.reason})") from None
    utf16 = _bomless_utf16(data)
    if utf16:
        return utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise BinaryData("binary file (NUL bytes)")
    if len(_CONTROL_BYTES.findall(data[:65536])) > max(2, len(data[:65536]) // 100):
        raise BinaryData("binary file (control characters)")
    gb = _try_gb18030(data)
    if gb is not None:
        return gb, "gb18030"
    utf16 = _cjk_only_utf16(data)
    if utf16:
        return utf16
    guessed = _charset_normalizer_guess(data)
    if guessed:
        return guessed
    raise UndecodableText("unknown text encoding (not UTF-8, UTF-16 or GB18030, and no other encoding fits)")


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM shows as NUL bytes on one side of each ASCII character."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = len(data) // 2
    for nuls, other, encoding in ((odd_nuls, even_nuls, "utf-16-le"), (even_nuls, odd_nuls, "utf-16-be")):
        if nuls >= 0.2 * half and other <= 0.02 * half:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if not _looks_binary(text):
                return text, encoding
    return None


def _cjk_only_utf16(data: bytes) -> tuple[str, str] | None:
    """BOM-less UTF-16 of CJK text with no ASCII at all has no NUL bytes to spot;
    accept it when every character decodes to common CJK text."""
    if len(data) % 2:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _mostly_chinese(text) and not _CONTROL.search(text):
            return text, encoding
    return None


def _mostly_chinese(text: str) -> bool:
    non_ascii = [ch for ch in text if ord(ch) > 127]
    common = sum(1 for ch in non_ascii if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or ch in "“”‘’…—·")
    return not non_ascii or common >= 0.9 * len(non_ascii)


def _try_gb18030(data: bytes) -> str | None:
    """GB18030 maps almost any byte string; accept it only if it reads as Chinese."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return text if _mostly_chinese(text) and not _CONTROL.search(text) else None


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes  # imported late: only the hard cases need it

    best = from_bytes(data).best()
    if best is None:
        return None
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError):
        return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


def _looks_binary(text: str) -> bool:
    return len(_CONTROL.findall(text[:65536])) > max(2, len(text[:65536]) // 100)


# --- format detection ------------------------------------------------------

_OUTLINE_BULLET = re.compile(r"^\s*- ")
_MD_HEADING = re.compile(r"^#{1,6}\s+\S")
_MD_BULLET = re.compile(r"^\s*(?:[*+-]|\d+[.)])\s+\S")
_MD_IMAGE_OR_LINK = re.compile(r"!?\[[^\]]*\]\([^)]*\)|<img\b", re.I)

# Each is a kind of web-page cruft; a page clipped from a site shows several kinds.
WEB_SIGNALS = (
    re.compile(r"ICP\s*[备证]|公网安备|版权所有|All Rights Reserved|Copyright\s*(?:©|\(c\)|\d{4})", re.I),
    re.compile(r"\d\s*人?(?:浏览|阅读|看过)|(?:浏览|阅读|收藏|点赞|评论)(?:量|数)?\s*[:：]?\s*\d|\b\d[\d,.]*[kKwW万]?\s+(?:views|likes|reads)\b"),
    re.compile(r"^(?:发布时间|发表时间|发布于|时间|来源|来源于|作者|责任编辑|原标题|Posted|Published|By)\s*[:：|｜ ]", re.I),
    re.compile(r"分类专栏|文章标签|专栏收录|订阅专栏|^标签\s*[:：]|^Tags?\s*:"),
    re.compile(r"^(?:相关文章|相关阅读|相关推荐|推荐阅读|延伸阅读|猜你喜欢|热门文章|其他人都在看|大家都在看|热门AI工具|相关专题|精品课程|频道精选|热门下载|Related (?:articles|posts|stories)|You may also like)\s*[:：]?$", re.I),
    re.compile(r"转载|声明\s*[:：]|免责声明"),
)


def _is_outline(lines: list[str]) -> bool:
    """An outline export starts with a '- ' bullet and nests '- ' bullets by indentation."""
    bullets = [line for line in lines if _OUTLINE_BULLET.match(line)]
    nested = any(line.startswith((" ", "\t")) for line in bullets)
    return bool(_OUTLINE_BULLET.match(lines[0])) and nested and len(bullets) >= 0.4 * len(lines)


def _web_signals(lines: list[str]) -> int:
    return sum(1 for pattern in WEB_SIGNALS if any(pattern.search(line.strip()) for line in lines))


def _is_markdown(lines: list[str]) -> bool:
    headings = sum(1 for line in lines if _MD_HEADING.match(line))
    bullets = sum(1 for line in lines if _MD_BULLET.match(line))
    images = sum(1 for line in lines if _MD_IMAGE_OR_LINK.search(line))
    return headings >= 1 or bullets >= 0.3 * len(lines) or images >= 2
