"""`kbqa eval`: score an eval file (lookups, not_in_notes, calculations, arithmetic claims)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from app.cli.common import Progress, errors_as_messages, kb_options, make_settings


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--while-building", is_flag=True,
              help="Also score what answers while the index is built: keyword search alone, then with each encoder "
                   "but the last (in the settings' order), as the app answers during a first build.")
@kb_options
def eval_cmd(file, as_json, while_building, kb, index):
    """Score FILE (eval JSONL) on any notes folder (--kb, --index): lookups (R@1, R@3, R@5, MRR,
    overall and by direction: en->zh, zh->en, same language; answers that quote a hit),
    not_in_notes, calculate and arithmetic_claim lines, with what went wrong."""
    from app.answer.assistant import Assistant
    from app.evaluation.evaluate import load_eval, score_all

    settings = make_settings(kb, index)
    with errors_as_messages():  # EvalFileError is a KbqaError
        items = load_eval(file)
        if while_building and settings.store.milvus:
            raise click.UsageError("--while-building measures the in-process search of a build in progress; unset KBQA_STORE__URI")
        progress = Progress()
        try:
            assistant = Assistant.open(settings, progress=progress)
        finally:
            progress.close()
        result = score_all(items, assistant)
        stages = _while_building(items, assistant) if while_building else []
    if as_json:
        click.echo(json.dumps({**result, "while_building": stages} if while_building else result, ensure_ascii=False, indent=1))
        return
    for stage in stages:
        click.echo(f"while building, {_stage_name(stage['encoders'])}:")
        click.echo("  " + _report(stage["result"]).replace("\n", "\n  "))
    if stages:
        click.echo(f"built, {_stage_name(list(assistant.settings.embed.models))}:")
    click.echo(_report(result))


def _stage_name(encoders: list[str]) -> str:
    return "keyword search and " + " + ".join(encoders) if encoders else "keyword search alone"


def _while_building(items: list[dict], assistant) -> list[dict]:
    """Scores of the assistants a build in progress answers with (ingest.early.EarlyIndex): the same index,
    searched with keywords alone, then with each encoder but the last."""
    from app.answer.assistant import Assistant
    from app.evaluation.evaluate import score_all
    from ingest.early import narrowed, searching_with

    models = list(assistant.settings.embed.models)
    out = []
    for n in range(len(models)):
        specs = models[:n]
        settings = searching_with(assistant.settings, specs)
        early = Assistant.over(narrowed(assistant.retriever.index, specs), settings, assistant.embedders)
        out.append({"encoders": specs, "result": score_all(items, early)})
    return out


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
