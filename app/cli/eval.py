"""`kbqa eval`: score an eval file (lookups, not_in_notes, calculations, arithmetic claims)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from app.cli.common import Progress, errors_as_messages, kb_options, make_settings


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@kb_options
def eval_cmd(file, as_json, kb, index):
    """Score FILE (eval JSONL) on any notes folder (--kb, --index): lookups (R@1, R@3, R@5, MRR,
    overall and by direction: en->zh, zh->en, same language; answers that quote a hit),
    not_in_notes, calculate and arithmetic_claim lines, with what went wrong."""
    from app.answer.assistant import Assistant
    from app.evaluation.evaluate import load_eval, score_all

    settings = make_settings(kb, index)
    with errors_as_messages():  # EvalFileError is a KbqaError
        items = load_eval(file)
        progress = Progress()
        try:
            assistant = Assistant.open(settings, progress=progress)
        finally:
            progress.close()
        result = score_all(items, assistant)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        click.echo(_report(result))


def _report(result: dict) -> str:
    lines = []
    s = result["lookup"]
    q = s["answer_quotes_hit"]
    lines.append(f"lookup ({s['n']} questions): R@1 {s['R@1']:.3f}  R@3 {s['R@3']:.3f}  R@5 {s['R@5']:.3f}  MRR {s['MRR']:.3f}")
    for way, d in s.get("by_direction", {}).items():
        lines.append(f"  {way} ({d['n']}): R@1 {d['R@1']:.3f}  R@3 {d['R@3']:.3f}  R@5 {d['R@5']:.3f}  MRR {d['MRR']:.3f}")
    for miss in s["misses"]:
        where = "not in top 5" if miss["rank"] is None else f"rank {miss['rank']}"
        way = f" ({miss['direction']})" if "direction" in miss else ""
        lines.append(f"  {miss['id']}{way}: {where}: {miss['question']}")
    if q["n"]:
        lines.append(f"lookup answers quoting a hit: {q['right']}/{q['n']}")
        lines += [f"  {w['id']}: {w['question']} -> {w['got']}" for w in q["wrong"]]
    for kind in ("not_in_notes", "calculate", "arithmetic_claim"):
        k = result[kind]
        if k["n"]:
            lines.append(f"{kind}: {k['right']}/{k['n']} right")
            lines += [f"  {w['id']}: {w['question']} -> {w['got']}" for w in k["wrong"]]
    return "\n".join(lines)
