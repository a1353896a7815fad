"""The `kbqa` command line: a thin, lazily loaded front over the library.

Each command lives in its own module and is imported only when it runs, so
`kbqa calc` never pays for the embedding stack and `kbqa search` never for gradio.
"""

from __future__ import annotations

import importlib

import click

# name -> "module:attribute" of a click.Command
COMMANDS = {
    "ingest": "app.cli.ingest:ingest",
    "search": "app.cli.search:search",
    "eval": "app.cli.eval:eval_cmd",
    "bench": "app.cli.bench:bench",
    "calc": "app.cli.calc:calc",
    "claims": "app.cli.claims:claims",
    "ask": "app.cli.ask:ask",
    "serve": "app.cli.serve:serve",
}


class LazyGroup(click.Group):
    def invoke(self, ctx):
        """The last edge: an error no command turned into a message still becomes one line (exit status 1)."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - no traceback reaches a user
            from app.cli.common import error_message

            raise click.ClickException(error_message(exc)) from None

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup)
@click.version_option(package_name="kbqa")
def main() -> None:
    """Ask questions of your Chinese and English notes; calculators for LLM economics."""


if __name__ == "__main__":
    main()
