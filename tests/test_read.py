"""Reading notes: encodings, formats, and the reasons a note cannot be read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ingest.errors import KbqaError, NoteBinary, NoteEmpty, NoteError, NoteTooLarge, NoteUnreadable
from ingest.read import decode_bytes, detect_format, read_note

from conftest import FIXTURES, KB, REGEN, ROOT  # noqa: E402,F401
from conftest import GOLDEN as GOLDEN_DIR

GOLDEN = GOLDEN_DIR / "read.json"
MAX_BYTES = 2 * 1024 * 1024

ZH = "算力成本\n\nGPT-3训练一次的成本约为140万美元。标准机柜：19英寸、42U，可放下约7个DGX A100服务器。\n"
READABLE_FIXTURES = [
    "gbk_note.txt",
    "utf16_bom_note.txt",
    "utf16le_nobom_note.txt",
    "utf8_bom_crlf_note.txt",
    "markdown_note.md",
    "outline_note.txt",
    "web_clipping.txt",
    "web_clipping_en.txt",
    "plain_wrapped_en.txt",
]


def readable_notes() -> list[Path]:
    return sorted(KB.glob("*.txt")) + [FIXTURES / name for name in READABLE_FIXTURES]


def summary(path: Path) -> dict:
    doc = read_note(path, path.parent, MAX_BYTES)
    lines = doc.text.split("\n")
    return {"encoding": doc.encoding, "format": doc.format, "lines": len(lines), "chars": len(doc.text), "first_line": lines[0][:60], "sha256": doc.sha256}


def test_golden_read_summaries():
    """Encoding, format, size and first line of every note; KBQA_REGEN_GOLDEN=1 rewrites the file."""
    actual = {f"{p.parent.name}/{p.name}": summary(p) for p in readable_notes()}
    if REGEN:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert actual == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_kb_formats():
    formats = {p.name[:3]: read_note(p, KB, MAX_BYTES).format for p in sorted(KB.glob("*.txt"))}
    assert formats == {"000": "outline", "001": "web", "002": "web", "003": "web", "004": "markdown"}


@pytest.mark.parametrize(
    "name, encoding",
    [
        ("gbk_note.txt", "gb18030"),
        ("utf16_bom_note.txt", "utf-16"),
        ("utf16le_nobom_note.txt", "utf-16-le"),
    ],
)
def test_chinese_encodings_decode_to_the_same_text(name, encoding):
    doc = read_note(FIXTURES / name, FIXTURES, MAX_BYTES)
    assert (doc.text, doc.encoding) == (ZH, encoding)


def test_utf8_bom_removed_and_crlf_normalised():
    doc = read_note(FIXTURES / "utf8_bom_crlf_note.txt", FIXTURES, MAX_BYTES)
    assert doc.encoding == "utf-8-sig"
    assert doc.text == "Serving cost\n\nOne A100 gives 312 TFLOPS at FP16. 每千个token的推理成本约为0.0035美元。\n"
    assert "\r" not in doc.text and "\ufeff" not in doc.text


def test_file_name_is_relative_to_the_kb_root(tmp_path):
    note = tmp_path / "sub" / "n.md"
    note.parent.mkdir()
    note.write_text("# T\n\nbody\n", encoding="utf-8")
    doc = read_note(note, tmp_path, MAX_BYTES)
    assert (doc.file, doc.format) == ("sub/n.md", "markdown")


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("训练成本：140万美元；推理成本：0.0035美元/千token。", "gbk"),
        ("训练成本：140万美元；推理成本：0.0035美元/千token。", "gb18030"),
        ("GPU 集群\n算力", "utf-16-be"),
        ("算力与成本", "utf-16-le"),  # no ASCII at all, so no NUL bytes to spot
        ("plain ascii\n", "utf-8"),
    ],
)
def test_decode_bytes_round_trips(text, encoding):
    assert decode_bytes(text.encode(encoding))[0] == text


def test_decode_is_strict_never_partial():
    # Valid UTF-8 followed by bytes no supported encoding accepts: the whole note
    # is refused, not returned with the bad part silently dropped.
    with pytest.raises(ValueError, match="unknown text encoding"):
        decode_bytes("算力".encode("utf-8") + bytes(range(0x80, 0x100)))


def test_detect_format_from_shape_and_suffix():
    assert detect_format("just words\n", ".md") == "markdown"
    assert detect_format("- a\n    - b\n", ".txt") == "outline"
    assert detect_format("Title\n发布时间:2023-04-28\n1516人浏览过\nbody\n", ".txt") == "web"
    assert detect_format("A paragraph.\n\nAnother one.\n", ".txt") == "plain"


# --- notes that cannot be read: each error and its message --------------------


@pytest.mark.parametrize(
    "name, error, message",
    [
        ("empty.txt", NoteEmpty, "empty.txt: empty file (0 bytes)"),
        ("whitespace_only.txt", NoteEmpty, "whitespace_only.txt: only whitespace, no text"),
        ("binary.txt", NoteBinary, "binary.txt: binary file (NUL bytes)"),
        (
            "undecodable.txt",
            NoteUnreadable,
            "undecodable.txt: unknown text encoding (not UTF-8, UTF-16 or GB18030, and no other encoding fits)",
        ),
    ],
)
def test_unreadable_fixtures(name, error, message):
    with pytest.raises(error) as caught:
        read_note(FIXTURES / name, FIXTURES, MAX_BYTES)
    assert str(caught.value) == message
    assert caught.value.file == name
    assert isinstance(caught.value, NoteError) and isinstance(caught.value, KbqaError)


def test_control_bytes_are_binary(tmp_path):
    note = tmp_path / "dump.txt"
    note.write_bytes(bytes(range(1, 32)) * 10)
    with pytest.raises(NoteBinary, match=r"^dump.txt: binary file \(control characters\)$"):
        read_note(note, tmp_path, MAX_BYTES)


def test_too_large(tmp_path):
    note = tmp_path / "big.txt"
    note.write_bytes(b"a" * int(5.1 * 1024 * 1024))
    with pytest.raises(NoteTooLarge) as caught:
        read_note(note, tmp_path, MAX_BYTES)
    assert str(caught.value) == "big.txt: over the 2 MB size limit (5.1 MB)"
    assert caught.value.reason == "over the 2 MB size limit (5.1 MB)"


def test_permission_denied(tmp_path, monkeypatch):
    note = tmp_path / "secret.txt"
    note.write_text("text", encoding="utf-8")
    note.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the open fail as it would for a user
        def refuse(self, *args, **kwargs):
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(Path, "open", refuse)
    try:
        with pytest.raises(NoteUnreadable) as caught:
            read_note(note, tmp_path, MAX_BYTES)
    finally:
        note.chmod(0o644)
    assert str(caught.value) == "secret.txt: permission denied"


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(NoteUnreadable, match=r"^gone.txt: file not found$"):
        read_note(tmp_path / "gone.txt", tmp_path, MAX_BYTES)
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(NoteUnreadable, match=r"^dir.txt: is a directory, not a file$"):
        read_note(tmp_path / "dir.txt", tmp_path, MAX_BYTES)
