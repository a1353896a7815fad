"""`kbqa claims`: every piece of arithmetic written in the notes, recomputed and judged."""

from __future__ import annotations

import json
from pathlib import Path

import click

from app.cli.common import make_settings
from calculators.claims import Claim
from ingest.errors import KbqaError

_VERDICT = {True: "holds", False: "WRONG", None: "cannot check"}


def _json_line(claim: Claim) -> str:
    """One claim: where it is, the kind of claim, the stated and recomputed figures in `unit` (the stated
    figure's canonical unit), the formula and each input with the line it is written on."""
    return json.dumps({
        "text": claim.text, "file": claim.file, "line": claim.line, "kind": claim.kind, "holds": claim.holds,
        "stated": claim.stated, "recomputed": claim.recomputed, "unit": claim.unit, "formula": claim.formula,
        "inputs": [{"text": i.text, "value": i.value, "unit": i.unit, "line": i.line} for i in claim.inputs],
        "note": claim.note, "error": claim.error or None,
    }, ensure_ascii=False)


def _sources(claim: Claim) -> str:
    """'inputs: 591,864kwh/日 (line 45), 0.08 (line 45)' for a claim that uses figures of other lines."""
    if all(i.line == claim.line for i in claim.inputs):
        return ""
    return "    inputs: " + ", ".join(f"{i.text} (line {i.line})" for i in claim.inputs)


def _table(claims: list[Claim]) -> str:
    rows = []
    for c in claims:
        rows.append(f"{c.file}:{c.line}  [{_VERDICT[c.holds]}]  {c.text}")
        rows.append(f"    [{c.kind}] {c.note}")
        if _sources(c):
            rows.append(_sources(c))
    counts = {v: sum(c.holds is k for c in claims) for k, v in _VERDICT.items()}
    rows.append(f"{len(claims)} claims: {counts['holds']} hold, {counts['WRONG']} wrong, "
                f"{counts['cannot check']} cannot be checked")
    return "\n".join(rows)


@click.command()
@click.option("--kb", "kb_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of notes (*.txt, *.md). Default: $KBQA_KB or ./kb.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per claim per line.")
def claims(kb_dir: Path | None, as_json: bool) -> None:
    """Find the arithmetic written in the notes, recompute it and say whether it holds."""
    from app.notes_arithmetic import notes_arithmetic

    try:
        found = notes_arithmetic(make_settings(kb_dir, None))
    except KbqaError as exc:
        raise click.ClickException(str(exc)) from exc
    for note in found.skipped:  # reported, not fatal: the other notes are still checked
        click.echo(f"skipped {note}", err=True)
    if as_json:
        for c in found.claims:
            click.echo(_json_line(c))
    else:
        click.echo(_table(found.claims))
