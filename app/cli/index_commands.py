"""`kbqa ingest`, `kbqa search`, `kbqa eval`, `kbqa bench`: thin commands over ingest/ and app/."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ingest.errors import KbqaError
from ingest.settings import Settings


def kb_options(fn):
    fn = click.option("--index", "index", type=click.Path(path_type=Path), default=None, help="Index folder (default <kb>/.index; env KBQA_INDEX).")(fn)
    fn = click.option("--kb", "kb", type=click.Path(path_type=Path), default=None, help="Notes folder (default kb/; env KBQA_KB).")(fn)
    return fn


def make_settings(kb: Path | None, index: Path | None) -> Settings:
    overrides = {}
    if kb is not None:
        overrides["kb"] = kb
    if index is not None:
        overrides["index"] = index
    return Settings(**overrides)


class Progress:
    """A tqdm bar per stage, on stderr, so stdout stays machine-readable."""

    def __init__(self):
        self.bar = None
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=stage, unit="file" if stage == "read" else "passage", file=sys.stderr, leave=False)
        self.bar.n = done
        self.bar.refresh()

    def close(self):
        if self.bar is not None:
            self.bar.n = self.bar.total
            self.bar.close()
            self.bar = None


def open_retriever(settings: Settings, announce: bool = True):
    """Load the index (building it first if missing, stale or out of date) and a retriever over it."""
    from app.retrieval.retriever import Retriever
    from ingest.index import ensure_index

    embedders: dict = {}
    progress = Progress()
    index, report = ensure_index(settings, progress=progress, embedders=embedders)
    progress.close()
    if report is not None and announce:
        click.echo(f"built index at {settings.index_dir}:\n{report.summary()}", err=True)
    return Retriever(index, settings, embedders=embedders)


@click.command()
@kb_options
def ingest(kb, index):
    """Read the notes, chunk, embed and index them (incremental, atomic)."""
    from ingest.index import build_index

    settings = make_settings(kb, index)
    progress = Progress()
    try:
        report = build_index(settings, progress=progress)
    except KbqaError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        progress.close()
    click.echo(f"index: {settings.index_dir}")
    click.echo(report.summary())


def read_questions(path: Path) -> list[dict]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise click.ClickException(f"{path}:{n}: expected an object with 'id' and 'question'")
        items.append(item)
    return items


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
    try:
        retriever = open_retriever(settings)
    except KbqaError as exc:
        raise click.ClickException(str(exc)) from exc
    if jsonl:
        items = read_questions(jsonl)
    elif question is not None:
        items = [{"id": None, "question": question}]
    else:
        items = _prompt_questions()  # no question given: ask in a loop until an empty line or EOF
    for item in items:
        hits = retriever.search(item["question"], k=k)
        if jsonl or as_json:
            out = {"id": item.get("id"), "results": [h.as_json() for h in hits]}
            if not jsonl:
                out["question"] = item["question"]
            click.echo(json.dumps(out, ensure_ascii=False))
        else:
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


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@kb_options
def eval_cmd(file, as_json, kb, index):
    """Score FILE (eval JSONL): lookups (R@1, R@3, R@5, MRR, answers that quote a hit),
    not_in_notes, calculate and arithmetic_claim lines, with what went wrong."""
    from app.answer.assistant import Assistant
    from app.evaluation.evaluate import EvalFileError, load_eval, score_all

    settings = make_settings(kb, index)
    try:
        items = load_eval(file)
        progress = Progress()
        assistant = Assistant.open(settings, progress=progress)
        progress.close()
    except (KbqaError, EvalFileError) as exc:
        raise click.ClickException(str(exc)) from exc
    result = score_all(items, assistant)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    s = result["lookup"]
    q = s["answer_quotes_hit"]
    click.echo(f"lookup ({s['n']} questions): R@1 {s['R@1']:.3f}  R@3 {s['R@3']:.3f}  R@5 {s['R@5']:.3f}  MRR {s['MRR']:.3f}")
    for miss in s["misses"]:
        where = "not in top 5" if miss["rank"] is None else f"rank {miss['rank']}"
        click.echo(f"  {miss['id']}: {where}: {miss['question']}")
    if q["n"]:
        click.echo(f"lookup answers quoting a hit: {q['right']}/{q['n']}")
        for w in q["wrong"]:
            click.echo(f"  {w['id']}: {w['question']} -> {w['got']}")
    for kind in ("not_in_notes", "calculate", "arithmetic_claim"):
        k = result[kind]
        if k["n"]:
            click.echo(f"{kind}: {k['right']}/{k['n']} right")
            for w in k["wrong"]:
                click.echo(f"  {w['id']}: {w['question']} -> {w['got']}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print figures as JSON.")
@click.option("--eval-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None, help="Questions to time and score (default ../shared/eval/dev.jsonl).")
@click.option("--skip-llamaindex", is_flag=True, help="Do not run llama-index's default pipeline for comparison.")
@kb_options
def bench(as_json, eval_file, skip_llamaindex, kb, index):
    """Benchmark ingest and retrieval, side by side with llama-index's default pipeline."""
    from app.evaluation.bench import run_bench

    settings = make_settings(kb, index)
    try:
        figures = run_bench(settings, eval_file=eval_file, llamaindex=not skip_llamaindex)
    except KbqaError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=1))
    else:
        from app.evaluation.bench import format_table

        click.echo(format_table(figures))
