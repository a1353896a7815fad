"""How retrieval costs grow with the number of passages, per store: FAISS flat in-process and Milvus
(milvus-lite, in-process, or a server by --uri; `milvus-hnsw` and `milvus-ivf` ask for those indexes,
which only a server builds: milvus-lite 3.2 searches by brute force whatever the index type, measured
at 100k passages: "HNSW" 258 ms for two query vectors against FLAT's 128 ms, recall 1.0 - no graph).

    python benchmarks/scale.py [--sizes 10000,100000,1000000] [--stores faiss,milvus] [--budget 600]

What the stores hold: the shipped notes' real passages (kb/, embedded by the real encoders, cached
in a temp dir) plus synthetic passages up to N. A synthetic passage's vector is a real one plus
Gaussian noise (sigma 1 per unit vector, renormalised: cosine ~0.7 to its source), so it clusters
like the real ones, which is harder for an approximate index than uniform noise; its BM25 terms are
half of its source's terms plus a term of its own; its text holds no evidence string. The questions
are the lookups of tests/data/kb_questions.jsonl over the real passages, so R@5 says whether the
synthetic crowd pushes the right passage out.

Each (store, N) runs in its own process, so peak RSS is its own: it builds the store (FAISS: the
flat indexes in memory; Milvus: publish = write the collection and swap the alias, as ingest
does), then times the whole `Retriever.search` (question embedding, store, fusion, reranking) and
the store's `candidates` alone. A run is skipped when the time budget left is too short for it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

QUESTIONS = ROOT / "tests" / "data" / "kb_questions.jsonl"
NOISE = 1.0
INDEX_TYPES = {"milvus": "FLAT", "milvus-hnsw": "HNSW", "milvus-ivf": "IVF_FLAT"}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def real_index(cache: Path, embedders: dict):
    """The shipped notes, indexed once (FAISS) in `cache`."""
    from ingest.index import build_index, load_index
    from ingest.settings import Settings

    settings = Settings(kb=ROOT / "kb", index=cache / "real-index")
    build_index(settings, embedders=embedders)
    return settings, load_index(settings)


def synthetic(index, n: int, seed: int = 0):
    """Records, one vector matrix per encoder, and BM25 token lists for n passages: the real ones first."""
    import numpy as np

    from ingest.loaded import chunk_to_record, embed_text
    from ingest.tokenize import tokenize

    rng = np.random.default_rng(seed)
    real = [chunk_to_record(c) for c in index.chunks]
    real_tokens = [tokenize(embed_text(c)) for c in index.chunks]
    k = len(real)
    src = np.concatenate([np.arange(k), rng.integers(0, k, size=max(0, n - k))])[:n]
    matrices = []
    for vi in index.vectors.values():
        base = vi.reconstruct_n(0, vi.ntotal)
        m = base[src].copy()
        noise = rng.standard_normal(size=(n - k, m.shape[1]), dtype=np.float32) * (NOISE / np.sqrt(m.shape[1]))
        m[k:] += noise
        m[k:] /= np.linalg.norm(m[k:], axis=1, keepdims=True)
        matrices.append(np.ascontiguousarray(m, dtype=np.float32))
    records, tokens = list(real), list(real_tokens)
    for j in range(k, n):
        s = int(src[j])
        terms = real_tokens[s][::2]
        records.append({"text": f"synthetic passage {j}", "file": f"synthetic/{j // 1000:04d}.md", "heading": "", "lines": [j % 1000 + 1, j % 1000 + 1]})
        tokens.append(terms + [f"syn{j}"])
    return records, matrices, tokens


def worker(store: str, n: int, cache: Path, uri: str | None, queries: int) -> dict:
    import faiss

    from app.evaluation.evaluate import load_eval, score_lookups
    from app.retrieval.retriever import Retriever
    from ingest.bm25 import Bm25Index
    from ingest.embed import make_embedder
    from ingest.loaded import LoadedIndex, record_to_chunk
    from ingest.settings import Settings

    embedders = {spec: make_embedder(spec) for spec in ("use", "e5")}
    base_settings, real = real_index(cache, embedders)
    rss_before = _rss_mb()
    t = time.perf_counter()
    records, matrices, tokens = synthetic(real, n)
    bm25 = Bm25Index.build(tokens, base_settings.bm25)
    specs = list(base_settings.embed.models)
    chunks = [record_to_chunk(r) for r in records]
    del tokens
    prepare_s = time.perf_counter() - t
    t = time.perf_counter()
    build = Path(tempfile.mkdtemp(prefix="kbqa-scale-")) / f"build-scale{n}-{store.replace('-', '')}"
    manifest = {"dims": {spec: int(m.shape[1]) for spec, m in zip(specs, matrices)}}
    if store == "faiss":
        settings = base_settings
        vectors = {}
        for spec, m in zip(specs, matrices):
            vectors[spec] = faiss.IndexFlatIP(m.shape[1])
            vectors[spec].add(m)
    else:
        from ingest import milvus_store

        db = uri or str(build.parent / "milvus.db")
        settings = Settings(kb=base_settings.kb, index=base_settings.index, store={"uri": db, "index_type": INDEX_TYPES[store]})
        shas = {r["file"]: "0" * 64 for r in records}
        milvus_store.publish(settings.store, build.name, records, matrices, shas)
        vectors = {}
    del matrices
    store_build_s = time.perf_counter() - t
    index = LoadedIndex(manifest=manifest, chunks=chunks, vectors=vectors, path=build, bm25=bm25)
    retriever = Retriever(index, settings, embedders=embedders)
    items = [q for q in load_eval(QUESTIONS) if q["kind"] == "lookup"][:queries]
    retriever.search(items[0]["question"])  # warm-up
    search_times: list[float] = []
    store_times: list[float] = []
    candidates = retriever.store.candidates

    def timed_candidates(*args, **kwargs):  # the store's share of each search, timed inside the same searches
        started = time.perf_counter()
        out = candidates(*args, **kwargs)
        store_times.append(time.perf_counter() - started)
        return out

    retriever.store.candidates = timed_candidates

    def timed(q):
        started = time.perf_counter()
        hits = retriever.search(q, k=5)
        search_times.append(time.perf_counter() - started)
        return [h.chunk.text for h in hits]

    score = score_lookups(items, timed)
    if store != "faiss" and not uri:
        import shutil

        shutil.rmtree(build.parent, ignore_errors=True)  # the milvus-lite file (GBs at 1M passages)
    return {
        "store": store, "passages": n, "real_passages": len(real.chunks),
        "prepare_s": round(prepare_s, 1), "store_build_s": round(store_build_s, 1),
        "search_p50_ms": round(1000 * _percentile(search_times, 0.5), 1),
        "search_p95_ms": round(1000 * _percentile(search_times, 0.95), 1),
        "store_p50_ms": round(1000 * _percentile(store_times, 0.5), 1),
        "store_p95_ms": round(1000 * _percentile(store_times, 0.95), 1),
        "R@5": round(score.recall(5), 3), "MRR": round(score.mrr, 3), "questions": score.n,
        "rss_mb": round(_rss_mb(), 0), "rss_added_mb": round(_rss_mb() - rss_before, 0),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
    }


def table(rows: list[dict]) -> str:
    head = "| store | passages | store build s | search p50 / p95 ms | store p50 / p95 ms | R@5 | MRR | RSS MB (added by the store) |"
    out = [head, "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "skipped" in r:
            out.append(f"| {r['store']} | {r['passages']:,} | not run: {r['skipped']} | | | | | |")
            continue
        out.append(f"| {r['store']} | {r['passages']:,} | {r['store_build_s']} | {r['search_p50_ms']} / {r['search_p95_ms']} | "
                   f"{r['store_p50_ms']} / {r['store_p95_ms']} | {r['R@5']} | {r['MRR']} | {r['rss_mb']:.0f} ({r['rss_added_mb']:.0f}) |")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--stores", default="faiss,milvus", help="of faiss, milvus, milvus-hnsw, milvus-ivf")
    ap.add_argument("--queries", type=int, default=27, help="lookup questions timed per run")
    ap.add_argument("--budget", type=float, default=600, help="seconds for the whole benchmark; runs that would not fit are skipped")
    ap.add_argument("--uri", default=None, help="a Milvus server (http://host:19530) instead of milvus-lite")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "kbqa-scale-cache")
    ap.add_argument("--json", type=Path, default=None, help="also write the rows here")
    ap.add_argument("--worker", nargs=2, metavar=("STORE", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.worker:
        print(json.dumps(worker(args.worker[0], int(args.worker[1]), args.cache, args.uri, args.queries)))
        return 0
    started = time.perf_counter()
    rows, last_s = [], {}
    for n in sorted(int(s) for s in args.sizes.split(",")):
        for store in args.stores.split(","):
            left = args.budget - (time.perf_counter() - started)
            guess = last_s.get(store, 0) * 10  # costs grow about linearly with N; sizes step by 10
            if left <= 0 or guess > left:
                rows.append({"store": store, "passages": n, "skipped": f"would take ~{guess:.0f} s, {max(left, 0):.0f} s of the budget left"})
                print(rows[-1], file=sys.stderr)
                continue
            cmd = [sys.executable, __file__, "--worker", store, str(n), "--cache", str(args.cache), "--queries", str(args.queries)]
            if args.uri:
                cmd += ["--uri", args.uri]
            t = time.perf_counter()
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=max(left, 1))
                row = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else {
                    "store": store, "passages": n, "skipped": f"failed: {done.stderr.strip().splitlines()[-1][:200] if done.stderr.strip() else done.returncode}"}
            except subprocess.TimeoutExpired:
                row = {"store": store, "passages": n, "skipped": f"did not finish in the {left:.0f} s left"}
            last_s[store] = time.perf_counter() - t
            row["wall_s"] = round(last_s[store], 1)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
