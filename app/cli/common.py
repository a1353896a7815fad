"""What the commands share: the --kb/--index options, Settings built one way, errors turned
into messages, a progress bar, a questions file, a retriever over a ready index."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from calculators.errors import KbqaError
from ingest.settings import Settings, load_settings

# Errors raised on purpose, by our packages (one root class): at the edge they become a message and exit status 1.
EXPECTED_ERRORS = (KbqaError,)


def kb_options(fn):
    fn = click.option("--index", "index", type=click.Path(path_type=Path), default=None, help="Index folder (default <kb>/.index; env KBQA_INDEX).")(fn)
    fn = click.option("--kb", "kb", type=click.Path(path_type=Path), default=None, help="Notes folder (default kb/; env KBQA_KB).")(fn)
    return fn


def make_settings(kb: Path | None, index: Path | None) -> Settings:
    """The one way a command builds Settings: the KBQA_ environment, then --kb/--index.
    A misspelt variable or a bad value is a message naming the setting, never a traceback."""
    overrides = {}
    if kb is not None:
        overrides["kb"] = kb
    if index is not None:
        overrides["index"] = index
    with errors_as_messages():
        return load_settings(**overrides)


@contextlib.contextmanager
def errors_as_messages():
    """Turn our own errors into click's one-line message (exit status 1)."""
    try:
        yield
    except EXPECTED_ERRORS as exc:
        raise click.ClickException(str(exc)) from None


class Progress:
    """A tqdm bar per stage, on stderr, so stdout stays machine-readable."""

    def __init__(self):
        self.bar = None
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=stage, unit="file" if stage == "read" else "passage", file=sys.stderr, leave=False)
        self.bar.n = done
        self.bar.refresh()

    def close(self):
        if self.bar is not None:
            self.bar.n = self.bar.total
            self.bar.close()
            self.bar = None


def read_questions(path: Path) -> list[dict]:
    """A questions file: one JSON object with a 'question' string a line."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise click.ClickException(f"{path}:{n}: expected an object with 'id' and 'question'")
        items.append(item)
    return items


def open_retriever(settings: Settings, announce: bool = True):
    """Load the index (building it first if missing, stale or out of date) and a retriever over it."""
    from app.retrieval.retriever import Retriever
    from ingest.index import ensure_index

    embedders: dict = {}
    progress = Progress()
    try:
        index, report = ensure_index(settings, progress=progress, embedders=embedders)
    finally:
        progress.close()
    if report is not None and announce:
        click.echo(f"built index at {settings.index_dir}:\n{report.summary()}", err=True)
    return Retriever(index, settings, embedders=embedders)
