"""`kbqa ingest`: read, chunk, embed and index the notes (incremental, atomic)."""

from __future__ import annotations

import click

from app.cli.common import Progress, errors_as_messages, kb_options, make_settings


@click.command()
@kb_options
def ingest(kb, index):
    """Read the notes, chunk, embed and index them (incremental, atomic)."""
    from ingest.index import build_index

    settings = make_settings(kb, index)
    progress = Progress()
    try:
        with errors_as_messages():
            report = build_index(settings, progress=progress)
    finally:
        progress.close()
    click.echo(f"index: {settings.index_dir}")
    click.echo(report.summary())
