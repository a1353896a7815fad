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


def error_message(exc: BaseException) -> str:
    """One line for the user: our own errors say what and where; anything else is named, never a traceback."""
    if isinstance(exc, EXPECTED_ERRORS):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    if isinstance(exc, MemoryError):
        return "out of memory"
    text = str(exc).splitlines()[0][:300] if str(exc) else ""
    return f"unexpected error ({type(exc).__name__}{': ' + text if text else ''}); please report it"


def jsonl_error(item: dict, message: str) -> str:
    """The answer line of a --jsonl question that could not be answered: its id, the start of its text, the error."""
    question = item.get("question")
    return json.dumps({"id": item.get("id"), "question": question[:200] if isinstance(question, str) else None,
                       "error": message}, ensure_ascii=False)


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


def read_questions(path: Path, bad_lines_as_errors: bool = False) -> list[dict]:
    """A questions file: one JSON object with a 'question' string a line. A line that is not one is
    refused (ClickException naming the line), or, with bad_lines_as_errors, kept as an item whose
    'error' says why, so that a --jsonl run answers every line."""
    items = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        problem = None
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            problem = f"{path}:{n}: not JSON ({exc.msg})"
        else:
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                problem = f"{path}:{n}: expected an object with 'id' and 'question'"
        if problem is not None:
            if not bad_lines_as_errors:
                raise click.ClickException(problem)
            item = {"id": item.get("id") if problem.endswith("'question'") and isinstance(item, dict) else None,
                    "question": None, "error": problem}
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
