"""BM25 alone, two ways over the same passages: ours (bm25s over kbqa's jieba tokens) and Milvus's
full-text search (milvus-lite, a VARCHAR field with its jieba analyzer and a BM25 function to a
sparse field, searched with the raw question).

    python benchmarks/milvus_bm25.py [--set dev|foreign-dev|NOTES:QUESTIONS ...] [--analyzers jieba,standard] [--json]

For each eval set the notes are copied to a temp dir (nothing is written next to the shared notes)
and indexed by `ingest.index.build_index` (with stand-in encoders: only BM25 is compared, so no
model is loaded); both sides index `embed_text(chunk)` (heading path + text). Every lookup question
is ranked, top 5: (a) ours = `LoadedIndex.bm25.scores(tokenize(question))`, with no dictionary
translations (the retriever adds them; here both sides get the question as written); (b) Milvus =
`search(data=[question], anns_field="sparse")`. Scored by app/evaluation/evaluate.py's hit test
(evidence inside the passage after NFKC, whitespace removed) and split by direction (the question's
language against the language of the passage holding the evidence): R@1, R@5, MRR (over the top 5).
Times: index build (ours: bm25s over the tokens; Milvus: create collection + insert + load) and
the median query (ours: tokenize + scores + top 5; Milvus: one search call).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import stat
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SETS = {
    "dev": (Path("/work/main/kb"), Path("/work/shared/eval/dev.jsonl")),
    "foreign-dev": (Path("/work/shared/eval/foreign-dev/notes"), Path("/work/shared/eval/foreign-dev/questions.jsonl")),
}
TOP = 5


class _StandIn:
    """An encoder that returns zeros: build_index needs vectors, this benchmark needs only BM25."""

    def __init__(self, dim: int):
        self.dim = dim

    def passages(self, texts):
        return np.zeros((len(texts), self.dim), np.float32)

    def query(self, text):
        return np.zeros(self.dim, np.float32)


def _copy_notes(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".index", ".kbqa*"))
    for p in [dst, *dst.rglob("*")]:  # chmod -R u+w: the shared notes may be read-only
        p.chmod(p.stat().st_mode | stat.S_IWUSR)
    return dst


def _our_index(kb: Path, tmp: Path):
    from ingest.index import build_index, load_index
    from ingest.settings import Settings

    settings = Settings(kb=kb, index=tmp / "index")
    dims = {"use": 512, "e5": 384}
    embedders = {spec: _StandIn(dims.get(spec, 384)) for spec in settings.embed.models}
    build_index(settings, embedders=embedders)
    return load_index(settings)


def _ours(loaded, texts: list[str]):
    from ingest.bm25 import Bm25Index
    from ingest.tokenize import tokenize

    t0 = time.perf_counter()
    bm = Bm25Index.build([tokenize(t) for t in texts], _bm25_settings())
    build_s = time.perf_counter() - t0

    def search(question: str) -> list[int]:
        s = loaded.bm25.scores(tokenize(question))
        order = np.argsort(-s, kind="stable")[:TOP]
        return [int(i) for i in order if s[i] > 0]

    assert bm.n_docs == loaded.bm25.n_docs
    return build_s, search


def _bm25_settings():
    from ingest.settings import Settings

    return Settings().bm25


def _milvus(texts: list[str], tmp: Path, analyzer: str):
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    client = MilvusClient(str(tmp / f"bm25-{analyzer}.db"))
    t0 = time.perf_counter()
    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("text", DataType.VARCHAR, max_length=65535, enable_analyzer=True,
                     analyzer_params={"tokenizer": analyzer})
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                 input_field_names=["text"], output_field_names=["sparse"]))
    params = client.prepare_index_params()
    params.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    client.create_collection("passages", schema=schema, index_params=params)
    client.insert("passages", [{"id": i, "text": t} for i, t in enumerate(texts)])
    client.load_collection("passages")
    build_s = time.perf_counter() - t0

    def search(question: str) -> list[int]:
        hits = client.search("passages", data=[question], anns_field="sparse", limit=TOP,
                             search_params={"metric_type": "BM25"}, output_fields=["id"])[0]
        return [int(h["id"]) for h in hits]

    return build_s, search, client


def _evaluate(items, chunks, rank_ids) -> tuple[dict, float]:
    from app.evaluation.evaluate import score_lookups

    notes = [(c.file, c.text) for c in chunks]
    times = []

    def search(question: str) -> list[str]:
        t0 = time.perf_counter()
        ids = rank_ids(question)
        times.append(time.perf_counter() - t0)
        return [chunks[i].text for i in ids]

    score = score_lookups(items, search, notes)

    def figures(s) -> dict:
        mrr = sum(1 / r for r in s.ranks if r is not None and r <= TOP) / max(s.n, 1)
        return {"n": s.n, "R@1": s.recall(1), "R@5": s.recall(TOP), "MRR": mrr}

    out = {"overall": figures(score)}
    same = [r for d, s in score.by_direction.items() if d == "same language" for r in s.ranks]
    cross = [r for d, s in score.by_direction.items() if d not in ("same language", "unknown") for r in s.ranks]
    for name, ranks in (("same", same), ("cross", cross)):
        from app.evaluation.evaluate import LookupScore

        s = LookupScore()
        for r in ranks:
            s.add(r)
        out[name] = figures(s)
    for d, s in score.by_direction.items():
        out[d] = figures(s)
    return out, statistics.median(times) * 1000 if times else float("nan")


def run_set(name: str, notes: Path, questions: Path, analyzers: list[str]) -> dict:
    from app.evaluation.evaluate import load_eval
    from ingest.loaded import embed_text

    items = [i for i in load_eval(questions) if i.get("kind") == "lookup"]
    result = {"set": name, "lookups": len(items), "systems": {}}
    with tempfile.TemporaryDirectory(prefix="kbqa-mbm25-") as td:
        tmp = Path(td)
        kb = _copy_notes(notes, tmp / "notes")
        loaded = _our_index(kb, tmp)
        chunks = loaded.chunks
        texts = [embed_text(c) for c in chunks]
        result["passages"] = len(texts)
        build_s, search = _ours(loaded, texts)
        figs, p50 = _evaluate(items, chunks, search)
        result["systems"]["ours (bm25s+jieba)"] = {"build_s": build_s, "p50_ms": p50, **figs}
        for analyzer in analyzers:
            label = f"milvus-lite ({analyzer})"
            try:
                build_s, search, client = _milvus(texts, tmp, analyzer)
                figs, p50 = _evaluate(items, chunks, search)
                client.close()
                result["systems"][label] = {"build_s": build_s, "p50_ms": p50, **figs}
            except Exception as exc:  # report the failure with its message, go on with the other analyzers
                result["systems"][label] = {"error": f"{type(exc).__name__}: {exc}"}
    return result


def print_table(results: list[dict]) -> None:
    groups = ("overall", "same", "cross")
    head = f"{'set':<12} {'system':<24} {'build s':>8} {'p50 ms':>7}"
    for g in groups:
        head += f" | {g + ' n':>9} {'R@1':>5} {'R@5':>5} {'MRR':>5}"
    print(head)
    print("-" * len(head))
    for res in results:
        for sys_name, f in res["systems"].items():
            if "error" in f:
                print(f"{res['set']:<12} {sys_name:<24} FAILED: {f['error']}")
                continue
            line = f"{res['set']:<12} {sys_name:<24} {f['build_s']:>8.3f} {f['p50_ms']:>7.2f}"
            for g in groups:
                x = f[g]
                line += f" | {x['n']:>9} {x['R@1']:>5.2f} {x['R@5']:>5.2f} {x['MRR']:>5.2f}"
            print(line)
    for res in results:
        print(f"{res['set']}: {res['lookups']} lookups over {res['passages']} passages")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", action="append", help="dev, foreign-dev or NOTES:QUESTIONS (repeatable; default both)")
    ap.add_argument("--analyzers", default="jieba,standard", help="milvus-lite analyzers to try (comma-separated)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = ap.parse_args(argv)
    import logging

    logging.getLogger("jieba").setLevel(logging.WARNING)
    results = []
    for s in args.set or list(SETS):
        notes, questions = SETS[s] if s in SETS else map(Path, s.split(":", 1))
        results.append(run_set(s if s in SETS else Path(questions).stem, notes, questions, args.analyzers.split(",")))
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        print_table(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
