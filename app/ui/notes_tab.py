"""The Notes tab's library side: ingest status, and adding a note safely.

An upload is checked completely before anything is written (extension, name,
size, encoding, text left after cleaning, a clash with a different note of the
same name); it is then copied into the notes folder atomically (a hidden temp
file, then a hard link that fails rather than overwrite) and the index is
rebuilt incrementally. If the rebuild fails, the copied note is removed again:
a bad upload changes nothing.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import KbqaError, NoteError
from ingest.builds import read_manifest
from ingest.notes_folder import NOTE_SUFFIXES, list_notes
from ingest.settings import Settings

MAX_NAME_CHARS = 120
_SAFE_NAME = re.compile(r"^[^/\\:*?\"<>|\x00-\x1f]+$")


class UploadError(KbqaError, ValueError):
    """An upload that was refused; the message says why and what to do (`zh`: the same in Chinese)."""

    def __init__(self, message: str, zh: str | None = None):
        super().__init__(message)
        self.zh = zh or message


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # file name in the notes folder
    data: bytes
    encoding: str
    chunks: int
    duplicate: bool  # the same bytes are already in the notes under this name


def check_upload(path: str | Path, settings: Settings, name: str | None = None) -> CheckedUpload:
    """Everything that can be known about an upload before it touches the notes folder."""
    from ingest.chunk import chunk_document
    from ingest.read import human_size, read_note

    path = Path(path)
    name = (name or path.name).strip()
    suffix = Path(name).suffix.lower()
    if suffix not in NOTE_SUFFIXES:
        raise UploadError(f"{name}: only {', '.join(NOTE_SUFFIXES)} notes can be added (this is {suffix or 'a file without an extension'})",
                          f"{name}：只能添加 {'、'.join(NOTE_SUFFIXES)} 笔记（这是{suffix or '没有扩展名的文件'}）")
    if name.startswith(".") or not _SAFE_NAME.match(name) or len(name) > MAX_NAME_CHARS:
        raise UploadError(f"{name!r}: not a usable file name (no leading dot, no / \\ : * ? \" < > |, at most {MAX_NAME_CHARS} characters); rename it and try again",
                          f"“{name}”不能用作文件名（不能以点开头，不能含 / \\ : * ? \" < > |，最多 {MAX_NAME_CHARS} 个字符）；请改名后重试")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UploadError(f"{name}: the upload could not be read ({exc.strerror or exc}); try again",
                          f"{name}：无法读取上传的文件（{exc.strerror or exc}）；请重试") from None
    if size > settings.max_note_bytes:
        raise UploadError(f"{name}: {human_size(size)} is over the {human_size(settings.max_note_bytes)} limit for a note (KBQA_MAX_NOTE_BYTES); split it into smaller notes",
                          f"{name}：{human_size(size)} 超过单篇笔记 {human_size(settings.max_note_bytes)} 的上限（KBQA_MAX_NOTE_BYTES）；请拆成几篇较小的笔记")
    try:
        doc = read_note(path, path.parent, settings.max_note_bytes)
    except NoteError as exc:
        raise UploadError(f"{name}: {exc.reason}; nothing was added", f"{name}：{exc.reason}；未添加任何内容") from None
    chunks, _ = chunk_document(doc, settings.chunk.params())
    if not chunks:
        raise UploadError(f"{name}: no text is left after removing web boilerplate; nothing was added",
                          f"{name}：去掉网页模板内容后没有剩下文字；未添加任何内容")
    data = path.read_bytes()
    target = Path(settings.kb) / name
    duplicate = False
    if target.exists():
        same = target.is_file() and hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest()
        if not same:
            raise UploadError(f"{name}: a different note with this name is already in your notes; rename the file and upload it again",
                              f"{name}：笔记中已有同名但内容不同的笔记；请改名后再上传")
        duplicate = True
    return CheckedUpload(name=name, data=data, encoding=doc.encoding, chunks=len(chunks), duplicate=duplicate)


def copy_into_kb(upload: CheckedUpload, kb: Path) -> Path:
    """Write the note atomically: a hidden temp file (ingest ignores dot files), then link it into place.

    os.link fails if the name was taken in the meantime, so a note is never overwritten.
    """
    kb = Path(kb)
    target = kb / upload.name
    tmp = kb / f".upload-{uuid.uuid4().hex}.tmp"
    try:
        with open(tmp, "wb") as fh:
            fh.write(upload.data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise UploadError(f"{upload.name}: a note with this name appeared while uploading; rename the file and try again",
                              f"{upload.name}：上传期间出现了同名笔记；请改名后重试") from None
        except OSError:  # a filesystem without hard links: still never overwrite
            if target.exists():
                raise UploadError(f"{upload.name}: a note with this name is already in your notes",
                                  f"{upload.name}：笔记中已有同名笔记") from None
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


# --- status --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteStatus:
    file: str
    status: str  # 'indexed' | 'skipped' | 'not indexed yet'
    chunks: int
    detail: str  # encoding and format, or why it was skipped
    format: str = ""  # outline | web | markdown | plain, for an indexed note


def notes_status(settings: Settings) -> list[NoteStatus]:
    """Every note in the folder with what the index made of it (from the manifest)."""
    manifest = read_manifest(Path(settings.index_dir)) or {}
    files = manifest.get("files", {})
    skipped = {s["file"]: s["reason"] for s in manifest.get("skipped", [])}
    out = []
    try:
        notes = list_notes(Path(settings.kb))
    except KbqaError:
        notes = []
    seen = set()
    for path in notes:
        rel = path.relative_to(settings.kb).as_posix()
        seen.add(rel)
        if rel in files:
            meta = files[rel]
            out.append(NoteStatus(rel, "indexed", int(meta.get("chunks", 0)), f"{meta.get('encoding', '?')}, {meta.get('format', '?')}",
                                  meta.get("format", "")))
        elif rel in skipped:
            out.append(NoteStatus(rel, "skipped", 0, skipped[rel]))
        else:
            out.append(NoteStatus(rel, "not indexed yet", 0, ""))
    for rel, reason in skipped.items():  # skipped files that are not notes by suffix never appear above
        if rel not in seen:
            out.append(NoteStatus(rel, "skipped", 0, reason))
    return out


STATUS_WORDS = {
    "en": {"file": "note", "status": "status", "chunks": "passages", "detail": "encoding, format / why skipped",
           "indexed": "indexed", "skipped": "skipped", "not indexed yet": "not indexed yet", "total": "{files} notes indexed, {chunks} passages, {skipped} skipped"},
    "zh": {"file": "笔记", "status": "状态", "chunks": "段落数", "detail": "编码、格式 / 跳过原因",
           "outline": "大纲", "web": "网页摘录", "markdown": "Markdown", "plain": "纯文本",
           "indexed": "已索引", "skipped": "已跳过", "not indexed yet": "尚未索引", "total": "已索引 {files} 篇笔记，{chunks} 个段落，跳过 {skipped} 篇"},
}


def notes_status_html(rows: list[NoteStatus], lang: str) -> str:
    w = STATUS_WORDS["zh" if lang == "zh" else "en"]
    e = html.escape
    indexed = [r for r in rows if r.status == "indexed"]
    summary = w["total"].format(files=len(indexed), chunks=sum(r.chunks for r in indexed), skipped=sum(r.status == "skipped" for r in rows))
    out = [f'<div class="kbqa-notes"><p>{e(summary)}</p><table class="kbqa-table"><thead><tr>',
           f'<th>{w["file"]}</th><th>{w["status"]}</th><th>{w["chunks"]}</th><th>{w["detail"]}</th></tr></thead><tbody>']
    for r in rows:
        css = {"indexed": "kbqa-badge-ok", "skipped": "kbqa-badge-bad"}.get(r.status, "kbqa-badge-unknown")
        out.append(f'<tr><td>{e(r.file)}</td><td><span class="kbqa-badge {css}">{e(w[r.status])}</span></td>'
                   f'<td class="kbqa-num">{r.chunks}</td><td>{e(_detail(r, w))}</td></tr>')
    out.append("</tbody></table></div>")
    return "".join(out)


def _detail(r: NoteStatus, w: dict) -> str:
    """Encoding and format (the format in the reader's language), or why the note was skipped."""
    if r.format and r.detail.endswith(", " + r.format):
        return r.detail[: -len(r.format)] + w.get(r.format, r.format)
    return r.detail


def read_note_text(settings: Settings, rel: str) -> str:
    """A note's text as the index read it (encoding detected), for the reader pane."""
    from ingest.read import read_note

    kb = Path(settings.kb).resolve()
    path = (kb / rel).resolve()
    if kb not in path.parents:
        raise UploadError(f"{rel}: not a note in {settings.kb}", f"{rel}：不是 {settings.kb} 中的笔记")
    try:
        return read_note(path, kb, settings.max_note_bytes).text
    except NoteError as exc:
        return f"({exc.reason})"


# --- titles and the reader -------------------------------------------------------------------

MAX_TITLE_CHARS = 80


def note_title(text: str, rel: str) -> str:
    """A note's title: front-matter `title`, else a first `# ` heading, else (plain text) a short first line.

    >>> note_title("---\\ntitle: Serving costs\\n---\\n# Q3", "a.md"), note_title("\\n# Kestrel 7B\\nbody", "k.md")
    ('Serving costs', 'Kestrel 7B')
    >>> note_title("GPT-3 的训练成本\\n正文……", "001_420203dd.txt"), note_title("x" * 200, "n.txt")
    ('GPT-3 的训练成本', '')
    """
    import re

    if rel.lower().endswith(".md"):
        from ingest.markdown import front_matter

        title = front_matter(text).metadata.get("title")
        if title:
            return str(title)[:MAX_TITLE_CHARS]
        m = re.search(r"^#\s+(.+?)\s*#*\s*$", text, re.M)
        return m.group(1)[:MAX_TITLE_CHARS] if m else ""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= MAX_TITLE_CHARS else ""


_TITLES: dict[tuple[str, float], str] = {}


def note_titles(settings: Settings) -> dict[str, str]:
    """{file: title} for the notes that have a title (read once per file version)."""
    out = {}
    try:
        notes = list_notes(Path(settings.kb))
    except KbqaError:
        return out
    for path in notes:
        rel = path.relative_to(settings.kb).as_posix()
        key = (str(path), path.stat().st_mtime)
        if key not in _TITLES:
            try:
                _TITLES[key] = note_title(read_note_text(settings, rel), rel)
            except KbqaError:
                _TITLES[key] = ""
        if _TITLES[key]:
            out[rel] = _TITLES[key]
    return out


def _loose_span(text: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` is in `text`, whitespace, line breaks and full/half-width forms aside
    (the index cleans whitespace and the reader may have normalised ，to ,).

    >>> _loose_span("售价约为 19.9万美元／台。", "19.9万美元/台")
    (5, 14)
    """
    import re
    import unicodedata

    norm, where = [], []  # the text NFKC-normalised character by character, and each character's origin
    for i, ch in enumerate(text):
        for n in unicodedata.normalize("NFKC", ch):
            norm.append(n)
            where.append(i)
    chars = [c for c in unicodedata.normalize("NFKC", quote) if not c.isspace()]
    if not chars:
        return None
    m = re.search(r"\s*".join(re.escape(c) for c in chars), "".join(norm))
    return (where[m.start()], where[m.end() - 1] + 1) if m else None


def note_reader_html(text: str, start: int = 0, end: int = 0, quote: str = "", title: str = "", rel: str = "") -> str:
    """A note with line numbers; lines start..end marked as cited and the quoted words highlighted.

    >>> html_ = note_reader_html("one\\ntwo three\\nfour", 2, 3, "three four")
    >>> html_.count("kbqa-cited"), "<mark>three</mark>" in html_, "<mark>four</mark>" in html_, 'id="kbqa-line-2"' in html_
    (2, True, True, True)
    """
    lines = text.split("\n")
    marks: list[tuple[int, int]] = []  # character spans of the whole text to highlight
    if start and quote:
        offset = sum(len(line) + 1 for line in lines[: start - 1])
        cited = "\n".join(lines[start - 1 : end])
        # piece by piece: the index joins an outline's lines and drops their bullets, so the quote as a
        # whole may not be in the note; its sentences and joined lines are
        import re

        for piece in re.split(r" … |(?<=[。！？；!?])|\s(?=[\u4e00-\u9fff])", quote):
            span = _loose_span(cited, piece) if piece and piece.strip() else None
            if span:
                marks.append((offset + span[0], offset + span[1]))
    out = []
    if title or rel:
        head = f"{title} · {rel}" if title and rel else (title or rel)
        out.append(f'<div class="kbqa-reader-head">{html.escape(head)}</div>')
    out.append("<ol>")
    pos = 0
    for n, line in enumerate(lines, 1):
        body = []
        cursor = 0
        for a, b in marks:
            a, b = max(a - pos, 0), min(b - pos, len(line))
            if a < b and a >= cursor:
                body += [html.escape(line[cursor:a]), f"<mark>{html.escape(line[a:b])}</mark>"]
                cursor = b
        body.append(html.escape(line[cursor:]))
        css = ' class="kbqa-cited"' if start <= n <= end and start else ""
        out.append(f'<li id="kbqa-line-{n}"{css}><span class="kbqa-ln">{n}</span><span>{"".join(body) or " "}</span></li>')
        pos += len(line) + 1
    out.append("</ol>")
    return f'<div class="kbqa-reader">{"".join(out)}</div>'
