"""`kbqa bench`: time ingest and retrieval, beside llama-index's default pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import click

from app.cli.common import errors_as_messages, kb_options, make_settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print figures as JSON.")
@click.option("--eval-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None, help="Questions to time and score (default tests/data/kb_questions.jsonl, over the shipped notes).")
@click.option("--skip-llamaindex", is_flag=True, help="Do not run llama-index's default pipeline for comparison.")
@click.option("--first-build", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Instead, time a first build of this notes folder as `kbqa serve` runs it: when questions can be "
                   "answered (keyword search, then each encoder) and how fast, while it builds and after. Its own "
                   "index is not touched (a temporary one is built).")
@kb_options
def bench(as_json, eval_file, skip_llamaindex, first_build, kb, index):
    """Benchmark ingest and retrieval, side by side with llama-index's default pipeline."""
    if first_build is not None:
        from app.evaluation.first_build import format_first_build, run_first_build

        with errors_as_messages():
            figures = run_first_build(first_build)
        click.echo(json.dumps(figures, ensure_ascii=False, indent=1) if as_json else format_first_build(figures))
        return
    from app.evaluation.bench import format_table, run_bench

    settings = make_settings(kb, index)
    with errors_as_messages():
        figures = run_bench(settings, eval_file=eval_file, llamaindex=not skip_llamaindex)
    click.echo(json.dumps(figures, ensure_ascii=False, indent=1) if as_json else format_table(figures))
