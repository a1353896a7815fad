"""`kbqa ask`: answers with citations, calculations and verdicts, as text or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from app.cli.common import Progress, error_message, errors_as_messages, jsonl_error, kb_options, make_settings, read_questions


@click.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--jsonl", "jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Questions, one JSON object ({id, question}) a line; answers one JSON object a line.")
@kb_options
def ask(question, as_json, jsonl, kb, index):
    """Answer QUESTION from the notes: quotes with citations, checked calculations, claim verdicts."""
    from app.answer.assistant import respond
    from app.answer.render_json import render_json
    from app.answer.render_markdown import render_markdown

    if (question is None) == (jsonl is None):
        raise click.UsageError("give a QUESTION or --jsonl FILE (one of them)")
    settings = make_settings(kb, index)
    items = read_questions(jsonl, bad_lines_as_errors=True) if jsonl else [{"id": None, "question": question}]
    progress = Progress()
    try:
        with errors_as_messages():
            assistant = _open(settings, progress)
    finally:
        progress.close()
    history: list = []
    for item in items:
        if item.get("error"):  # a line of the file that is not a question
            click.echo(jsonl_error(item, item["error"]))
            continue
        try:
            ans = respond(assistant, item["question"], history)
        except Exception as exc:  # the edge: every question of a --jsonl file gets a line, an error included
            message = error_message(exc)
            if jsonl:
                click.echo(jsonl_error(item, message))
                continue
            raise click.ClickException(message) from None
        if not jsonl:
            history.append(ans)
        if jsonl or as_json:
            click.echo(json.dumps(render_json(ans, id=item.get("id")), ensure_ascii=False))
        else:
            click.echo(render_markdown(ans))
            for notice in ans.notices:
                click.echo(f"note: {notice}")


def _open(settings, progress):
    """The assistant over the index, built or repaired first when needed (and said, on stderr)."""
    from app.answer.assistant import Assistant
    from ingest.index import ensure_index

    embedders: dict = {}
    index, report = ensure_index(settings, progress=progress, embedders=embedders)
    if report is not None and report.repaired:
        click.echo(f"the index at {settings.index_dir} was damaged ({report.repaired}); it was rebuilt from the notes", err=True)
    return Assistant.over(index, settings, embedders)
