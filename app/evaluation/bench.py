"""Benchmark: ingest and retrieval figures for kbqa and for llama-index's default
pipeline, side by side, on the same notes and questions.

Each pipeline runs in its own subprocess so that peak RSS and start-up are its own.
kbqa's warm queries are timed twice in one run: quiet, and contended (two busy processes
spinning on the CPU meanwhile), so the two figures are comparable.
Run: `kbqa bench [--json]`.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.evaluation.evaluate import EvalFileError
from ingest.settings import Settings

# Questions over the shipped notes that come with the project (a plain clone has them; see tests/data/README.md)
DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "tests" / "data" / "kb_questions.jsonl"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _time_queries(questions: list[dict], search) -> tuple[list[float], list[list[str]]]:
    search(questions[0]["question"])  # warm-up
    times, results = [], []
    for item in questions:
        t = time.perf_counter()
        passages = search(item["question"])
        times.append(time.perf_counter() - t)
        results.append(passages)
    return times, results


def _retrieval_figures(questions, times, results) -> dict:
    from app.evaluation.evaluate import first_hit_rank

    ranks = [first_hit_rank(p, q["evidence"]) for p, q in zip(results, questions)]
    n = max(len(ranks), 1)
    lengths = [len(t) for passages in results for t in passages]
    return {
        "questions": len(questions),
        "R@5": round(sum(1 for r in ranks if r and r <= 5) / n, 4),
        "MRR": round(sum(1 / r for r in ranks if r) / n, 4),
        "query_p50_ms": round(1000 * _percentile(times, 0.5), 1),
        "query_p95_ms": round(1000 * _percentile(times, 0.95), 1),
        "passage_median_chars": statistics.median(lengths) if lengths else 0,
        "passage_max_chars": max(lengths) if lengths else 0,
    }


@contextlib.contextmanager
def _busy_processes(n: int = 2):
    """n processes spinning on the CPU for as long as the block runs (the contended run: on a 2-core
    machine, two busy neighbours take every core)."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        time.sleep(0.5)  # let them take the cores
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def _time_answers(settings, retriever, embedders, questions: list[dict]) -> list[float]:
    """Warm answer() latency over every question of the eval file (all routes)."""
    from app.answer.assistant import Assistant

    assistant = Assistant(settings=settings, retriever=retriever, embedders=embedders)
    for item in questions:  # warm-up: lazy tables (the notes' arithmetic, calculator descriptions)
        assistant.answer(item["question"])
    times = []
    for item in questions:
        t = time.perf_counter()
        assistant.answer(item["question"])
        times.append(time.perf_counter() - t)
    return times


def _worker_kbqa(kb: Path, index_dir: Path, eval_file: Path) -> dict:
    from app.evaluation.evaluate import load_eval
    from app.retrieval.retriever import Retriever
    from ingest.index import build_index, load_index

    settings = Settings(kb=kb, index=index_dir)
    embedders: dict = {}
    t = time.perf_counter()
    report = build_index(settings, embedders=embedders)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    build_index(settings, embedders=embedders)
    warm_reingest = time.perf_counter() - t
    retriever = Retriever(load_index(settings), settings, embedders=embedders)
    questions = [q for q in load_eval(eval_file) if q["kind"] == "lookup"]
    search = lambda q: [h.chunk.text for h in retriever.search(q, k=5)]  # noqa: E731
    times, results = _time_queries(questions, search)
    with _busy_processes(2):
        contended, _ = _time_queries(questions, search)
    answer_times = _time_answers(settings, retriever, embedders, [q for q in load_eval(eval_file) if "question" in q])
    return {
        "answer_p50_ms": round(1000 * _percentile(answer_times, 0.5), 1),
        "answer_p95_ms": round(1000 * _percentile(answer_times, 0.95), 1),
        "cold_ingest_s": round(cold, 2),
        "reingest_unchanged_s": round(warm_reingest, 2),
        "chunks": report.chunks,
        "chunks_per_s": round(report.chunks / cold, 1),
        "index_bytes": _dir_size(index_dir),
        **_retrieval_figures(questions, times, results),
        "contended_query_p50_ms": round(1000 * _percentile(contended, 0.5), 1),
        "contended_query_p95_ms": round(1000 * _percentile(contended, 0.95), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _worker_llamaindex(kb: Path, index_dir: Path, eval_file: Path) -> dict:
    from app.evaluation.evaluate import load_eval
    from app.evaluation.llamaindex_baseline import build_default_index, retriever

    t = time.perf_counter()
    index = build_default_index(kb)
    cold = time.perf_counter() - t
    index.storage_context.persist(persist_dir=str(index_dir))
    chunks = len(index.docstore.docs)
    r = retriever(index, 5)
    questions = [q for q in load_eval(eval_file) if q["kind"] == "lookup"]
    times, results = _time_queries(questions, lambda q: [n.node.get_content() for n in r.retrieve(q)])
    return {
        "cold_ingest_s": round(cold, 2),
        "reingest_unchanged_s": None,
        "chunks": chunks,
        "chunks_per_s": round(chunks / cold, 1),
        "index_bytes": _dir_size(index_dir),
        **_retrieval_figures(questions, times, results),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _worker_calculators() -> dict:
    """The calculators' own costs, in a fresh process: every symbolic solve once, cold (sympy.solve and
    lambdify), then a warm solve and a warm call, which reuse the cached lambdified functions. The tests
    check that the cache is used; the time it buys is measured here, not asserted there."""
    from calculators.errors import InputError
    from calculators.registry import CALCULATORS
    from calculators.training import training_cost

    solves, slowest = 0, 0.0
    for calc in CALCULATORS.values():
        c = calc.calculation
        for target in c.outputs:
            expr = c.composed(target.name)
            for v in c.inputs:
                if v.symbol in expr.free_symbols:
                    t = time.perf_counter()
                    try:
                        c.solution(target.name, v.name)
                    except InputError:  # a setting (ZeRO stage), or an input that cancels out
                        continue
                    slowest = max(slowest, time.perf_counter() - t)
                    solves += 1
    cost = CALCULATORS["training_cost"].calculation
    given = {"params": 175e9, "cost": 1.4e6, "peak_flops": 275e12, "mfu": 0.462, "price_per_chip_hour": 2.03}
    cost.solve("tokens", given)
    t = time.perf_counter()
    for _ in range(200):
        cost.solve("tokens", given)
    warm_solve = (time.perf_counter() - t) / 200
    training_cost(175e9, 300e9)
    t = time.perf_counter()
    for _ in range(1000):
        training_cost(175e9, 300e9)
    call = (time.perf_counter() - t) / 1000
    return {
        "calc_solutions": solves,
        "calc_cold_solve_max_s": round(slowest, 3),
        "calc_warm_solve_ms": round(1000 * warm_solve, 3),
        "calc_call_us": round(1e6 * call, 1),
    }


FIRST_RESULT_KBQA = "from app.cli import main; main(['search', {q!r}, '--json', '--kb', {kb!r}, '--index', {idx!r}])"
FIRST_RESULT_LLAMAINDEX = (
    "from app.evaluation.llamaindex_baseline import _static_tiktoken_cache, make_embedding; _static_tiktoken_cache()\n"
    "from llama_index.core import StorageContext, load_index_from_storage\n"
    "ix = load_index_from_storage(StorageContext.from_defaults(persist_dir={idx!r}), embed_model=make_embedding('use'))\n"
    "print(ix.as_retriever(similarity_top_k=5).retrieve({q!r})[0].node.get_content()[:80])"
)


def _start_to_first_result(code: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=Path(__file__).resolve().parents[2])
    return round(time.perf_counter() - t, 2)


def run_bench(settings: Settings, eval_file: Path | None = None, llamaindex: bool = True) -> dict:
    eval_file = Path(eval_file or DEFAULT_EVAL)
    if not eval_file.is_file():
        raise EvalFileError(f"{eval_file}: no such question file; pass --eval-file FILE (format: tests/data/README.md)")
    kb = Path(settings.kb).resolve()
    question = "How much did it cost to train GPT-3?"
    figures = {}
    with tempfile.TemporaryDirectory(prefix="kbqa-bench-") as tmp:
        pipelines = [("kbqa", FIRST_RESULT_KBQA)] + ([("llamaindex_default", FIRST_RESULT_LLAMAINDEX)] if llamaindex else [])
        for name, first_code in pipelines:
            idx = Path(tmp) / name
            out = subprocess.run(
                [sys.executable, "-m", "app.evaluation.bench", name, str(kb), str(idx), str(eval_file)],
                check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2],
                env={**os.environ, "TOKENIZERS_PARALLELISM": "false"},
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            result["start_to_first_result_s"] = _start_to_first_result(first_code.format(q=question, kb=str(kb), idx=str(idx)))
            figures[name] = result
    out = subprocess.run([sys.executable, "-m", "app.evaluation.bench", "calculators"], check=True, capture_output=True,
                         text=True, cwd=Path(__file__).resolve().parents[2])
    figures["kbqa"].update(json.loads(out.stdout.strip().splitlines()[-1]))
    return figures


ROWS = [
    ("cold ingest (s)", "cold_ingest_s"),
    ("re-ingest, nothing changed (s)", "reingest_unchanged_s"),
    ("chunks", "chunks"),
    ("chunks per second", "chunks_per_s"),
    ("warm query p50 (ms)", "query_p50_ms"),
    ("warm query p95 (ms)", "query_p95_ms"),
    ("warm query p50 (ms), two busy processes", "contended_query_p50_ms"),
    ("warm query p95 (ms), two busy processes", "contended_query_p95_ms"),
    ("warm answer() p50 (ms), all dev questions", "answer_p50_ms"),
    ("warm answer() p95 (ms)", "answer_p95_ms"),
    ("process start to first result (s)", "start_to_first_result_s"),
    ("peak RSS (MB)", "peak_rss_mb"),
    ("index size on disk (bytes)", "index_bytes"),
    ("passage median chars", "passage_median_chars"),
    ("passage max chars", "passage_max_chars"),
    ("lookup R@5", "R@5"),
    ("lookup MRR", "MRR"),
    ("calculators: symbolic solutions built", "calc_solutions"),
    ("calculators: slowest cold solve (s)", "calc_cold_solve_max_s"),
    ("calculators: warm solve (ms)", "calc_warm_solve_ms"),
    ("calculators: warm call (µs)", "calc_call_us"),
]


def format_table(figures: dict) -> str:
    names = list(figures)
    lines = ["| figure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, key in ROWS:
        lines.append(f"| {label} | " + " | ".join(str(figures[n].get(key, "")) for n in names) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:] == ["calculators"]:
        print(json.dumps(_worker_calculators()))
        sys.exit()
    mode, kb_arg, idx_arg, eval_arg = sys.argv[1:5]
    worker = {"kbqa": _worker_kbqa, "llamaindex_default": _worker_llamaindex}[mode]
    print(json.dumps(worker(Path(kb_arg), Path(idx_arg), Path(eval_arg))))
