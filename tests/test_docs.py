"""Every command is documented: a row of the README's commands table for each command of
`app.cli.COMMANDS`, and each of its options and arguments either in that row or described in its --help."""

from __future__ import annotations

import importlib
import re

import click
import pytest
from click.testing import CliRunner

from app.cli import COMMANDS, main
from conftest import ROOT


def command(name: str) -> click.Command:
    module, attr = COMMANDS[name].split(":")
    return getattr(importlib.import_module(module), attr)


def commands_table() -> list[str]:
    """The rows of the table under '## Commands' in README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `kbqa")]


def rows_for(name: str) -> list[str]:
    return [row for row in commands_table() if re.match(rf"\| `kbqa {re.escape(name)}(?![\w-])", row)]


def mentions(text: str, word: str) -> bool:
    """`word` as a whole token: '--k' is not in '--kb'."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def test_the_table_is_found_and_names_only_real_commands():
    rows = commands_table()
    assert len(rows) >= len(COMMANDS)
    named = {re.match(r"\| `kbqa ([\w-]+)", row).group(1) for row in rows}
    assert named <= set(COMMANDS), named - set(COMMANDS)


def test_mentions_whole_tokens():
    assert mentions("kbqa search [--k N] [--kb DIR]", "--k") and not mentions("kbqa ingest [--kb DIR]", "--k")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_a_row(name):
    assert rows_for(name), f"README.md's commands table has no row starting with `kbqa {name}`"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_is_in_the_readme_or_described_in_help(name):
    cmd = command(name)
    rows = "\n".join(rows_for(name))
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    undocumented = []
    for param in cmd.params:
        if isinstance(param, click.Argument):  # QUESTION, FILE, NAME: the usage in the table shows them
            if not mentions(rows, param.human_readable_name):
                undocumented.append(param.human_readable_name)
            continue
        for opt in param.opts + param.secondary_opts:
            in_help = bool(param.help) and not param.hidden and mentions(result.output, opt)
            if not (mentions(rows, opt) or in_help):
                undocumented.append(opt)
    assert undocumented == [], f"kbqa {name}: {undocumented} neither in README.md's commands table nor described in --help"
