"""`kbqa serve`: the Gradio app over the notes, on 127.0.0.1 by default, fully offline."""

from __future__ import annotations

import os
from pathlib import Path

import click

from app.cli.common import Progress, kb_options, make_settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (127.0.0.1 keeps it on this machine; 0.0.0.0 exposes it).")
@click.option("--port", type=click.IntRange(1, 65535), default=7860, show_default=True, help="Port to listen on.")
@kb_options
def serve(host: str, port: int, kb: Path | None, index: Path | None) -> None:
    """Open the chat, calculators, claims and notes in a browser (builds the index on first run)."""
    # before gradio is imported anywhere: no analytics, no hub look-ups
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    from app.ui.app import launch
    from app.ui.service import Service

    settings = make_settings(kb, index)
    if not Path(settings.kb).is_dir():
        raise click.ClickException(f"notes folder not found: {settings.kb} (pass --kb DIR or set KBQA_KB)")
    service = Service(settings, console_progress=Progress())
    click.echo(f"kbqa: notes in {settings.kb}, index in {settings.index_dir}; opening http://{host}:{port}/ "
               "(the index is built in the background on first run; progress below and in the page)", err=True)
    service.start(background=True)
    launch(service, host=host, port=port)
