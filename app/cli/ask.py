"""`kbqa ask`: answers with citations, calculations and verdicts, as text or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from app.cli.common import EXPECTED_ERRORS, Progress, errors_as_messages, kb_options, make_settings, read_questions


@click.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--jsonl", "jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Questions, one JSON object ({id, question}) a line; answers one JSON object a line.")
@kb_options
def ask(question, as_json, jsonl, kb, index):
    """Answer QUESTION from the notes: quotes with citations, checked calculations, claim verdicts."""
    from app.answer.assistant import Assistant, respond

    if (question is None) == (jsonl is None):
        raise click.UsageError("give a QUESTION or --jsonl FILE (one of them)")
    settings = make_settings(kb, index)
    items = read_questions(jsonl) if jsonl else [{"id": None, "question": question}]
    progress = Progress()
    try:
        with errors_as_messages():
            assistant = Assistant.open(settings, progress=progress)
    finally:
        progress.close()
    history: list = []
    for item in items:
        try:
            ans = respond(assistant, item["question"], history)
        except EXPECTED_ERRORS as exc:  # our own errors, the calculators' included
            if jsonl:
                click.echo(json.dumps({"id": item.get("id"), "question": item["question"], "error": str(exc)}, ensure_ascii=False))
                continue
            raise click.ClickException(str(exc)) from None
        if not jsonl:
            history.append(ans)
        if jsonl or as_json:
            click.echo(json.dumps(ans.as_json(id=item.get("id")), ensure_ascii=False))
        else:
            click.echo(ans.answer)
            for notice in ans.notices:
                click.echo(f"note: {notice}")
