"""`kbqa search`: the passages of the notes that answer a question, as text or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from app.cli.common import error_message, errors_as_messages, jsonl_error, kb_options, make_settings, open_retriever, read_questions
from app.question import check_question


@click.command()
@click.argument("question", required=False)
@click.option("--k", "k", type=click.IntRange(1, 100), default=5, show_default=True, help="Passages to return.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--jsonl", "jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Questions, one JSON object ({id, question}) a line.")
@kb_options
def search(question, k, as_json, jsonl, kb, index):
    """Find the passages of the notes that answer QUESTION."""
    if question is not None and jsonl is not None:
        raise click.UsageError("give a QUESTION or --jsonl FILE, not both")
    settings = make_settings(kb, index)
    if jsonl:
        items = read_questions(jsonl, bad_lines_as_errors=True)
    elif question is not None:
        items = [{"id": None, "question": question}]
    else:
        items = _prompt_questions()  # no question given: ask in a loop until an empty line or EOF
    with errors_as_messages():
        retriever = open_retriever(settings)
    for item in items:
        if item.get("error"):  # a line of the file that is not a question
            click.echo(jsonl_error(item, item["error"]))
            continue
        try:
            hits = retriever.search(check_question(item["question"]), k=k)
        except Exception as exc:  # the edge: every question of a --jsonl file gets a line, an error included
            message = error_message(exc)
            if jsonl is None:
                raise click.ClickException(message) from None
            click.echo(jsonl_error(item, message))
            continue
        _print_hits(item, hits, as_json=as_json, jsonl=jsonl is not None)


def _print_hits(item: dict, hits, as_json: bool, jsonl: bool) -> None:
    if jsonl or as_json:
        out = {"id": item.get("id"), "results": [h.as_json() for h in hits]}
        if not jsonl:
            out["question"] = item["question"]
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    for n, h in enumerate(hits, 1):
        c = h.chunk
        click.echo(f"[{n}] {c.file} | {c.heading or '-'} | lines {c.line_start}-{c.line_end} | score {h.score:.3f}")
        click.echo(f"    {c.text}")


def _prompt_questions():
    while True:
        try:
            text = click.prompt("question (empty to quit)", default="", show_default=False, err=True)
        except (EOFError, click.Abort):
            return
        if not text.strip():
            return
        yield {"id": None, "question": text}
