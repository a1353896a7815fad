"""`kbqa bench --first-build DIR`: a first (cold) build of a notes folder, as `kbqa serve` runs it.

Measured in a fresh subprocess (its own peak RSS, no encoder loaded before): when the first question
can be answered (keyword search, once the notes are read), when each encoder but the last has
embedded every passage, and when the full index is in; at each of these, how long answers take
(the build goes on meanwhile, on the same cores: what a user asking then would see).

The questions are made from the folder itself, so any folder can be measured: the headings of its
notes, asked as "What does the notes say about <heading>?" (the answers' quality is measured by
`kbqa eval --while-building` on a question file; here only their time).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from calculators.errors import KbqaError

QUESTIONS = 6  # asked at each stage


def _headings(chunks, n: int) -> list[str]:
    """n distinct heading paths' last parts, spread evenly over the passages.

    >>> from types import SimpleNamespace as C
    >>> _headings([C(heading="A > Fees"), C(heading="A > Fees"), C(heading="B"), C(heading="")], 5)
    ['Fees', 'B']
    """
    seen: list[str] = []
    for c in chunks:
        last = (c.heading or "").split(" > ")[-1].strip()
        if last and last not in seen:
            seen.append(last)
    if len(seen) <= n:
        return seen
    step = len(seen) / n
    return [seen[int(i * step)] for i in range(n)]


def _ask(service, questions: list[str]) -> list[float]:
    times = []
    for q in questions:
        t = time.perf_counter()
        service.ask(q)
        times.append(time.perf_counter() - t)
    return times


def _stage(label: list[str], after: float, times: list[float]) -> dict:
    """A stage's figures; a stage over before a question could be asked has no answer times (None)."""
    return {"encoders": label, "after_s": round(after, 1),
            "answer_p50_ms": round(1000 * statistics.median(times), 1) if times else None,
            "answer_max_ms": round(1000 * max(times), 1) if times else None, "questions": len(times)}


def measure(kb: Path, index_dir: Path) -> dict:
    """The first build of `kb` into the empty `index_dir`, by a Service (the server's), with answers timed.

    Always in-process (FAISS): a Milvus store named by KBQA_STORE__URI is never written by a benchmark."""
    from app.ui.service import Service
    from ingest.settings import load_settings

    settings = load_settings(kb=kb, index=index_dir, store={"uri": None})
    service = Service(settings)
    started = time.monotonic()
    service.start(background=True, warm_up=False)
    answers: dict[tuple[str, ...], list[float]] = {}  # encoders -> answer times asked while they answered
    questions = None
    while not service.ready.wait(0.05):
        building = service.building
        if building is None or building.ready in answers:
            continue
        questions = questions or _questions_of(service.assistant(0, early=True))
        answers[building.ready] = _ask(service, questions)  # a stage that passed meanwhile is timed by the next
    full = time.monotonic() - started
    if service.error:
        raise RuntimeError(service.error)
    assistant = service.assistant(0)
    questions = questions or _questions_of(assistant)
    _ask(service, questions[:1])  # the full index's first question loads what the early ones did not need
    stages = [_stage(list(ready), at - started, answers.get(ready, [])) for at, ready in service.timeline]
    stages.append(_stage(list(settings.embed.models), full, _ask(service, questions)))
    report = service.report
    notes, passages = service.chunk_count()
    return {
        "notes": notes,
        "megabytes": round(sum(p.stat().st_size for p in Path(kb).rglob("*") if p.is_file() and ".index" not in p.parts) / 1e6, 2),
        "passages": passages,
        "passages_per_s": round(passages / full, 1),
        "stages": stages,
        "ingest_s": round(report.seconds, 1) if report else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _questions_of(assistant) -> list[str]:
    return [f"What do the notes say about {h}?" for h in _headings(assistant.retriever.chunks, QUESTIONS)]


def run_first_build(kb: Path) -> dict:
    """measure() in a fresh process, into a temporary index (the folder's own index is not touched)."""
    with tempfile.TemporaryDirectory(prefix="kbqa-first-build-") as tmp:
        out = subprocess.run([sys.executable, "-m", "app.evaluation.first_build", str(Path(kb).resolve()), str(Path(tmp) / "index")],
                             capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2],
                             env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or [f"exit status {out.returncode}"])[-1]
        raise KbqaError(f"the first build of {kb} failed: {last}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def format_first_build(figures: dict) -> str:
    lines = [f"first build of {figures['notes']} notes ({figures['megabytes']} MB, {figures['passages']:,} passages): "
             f"{figures['passages_per_s']} passages/s, peak RSS {figures['peak_rss_mb']} MB",
             "| answers from | answerable after (s) | answer p50 (ms) | answer max (ms) |", "|---|---|---|---|"]
    for stage in figures["stages"]:
        by = "keyword search" + "".join(f" + {s}" for s in stage["encoders"])
        timed = (stage["answer_p50_ms"], stage["answer_max_ms"]) if stage["questions"] else ("over before a question", "")
        lines.append(f"| {by} | {stage['after_s']} | {timed[0]} | {timed[1]} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), Path(sys.argv[2]))))
