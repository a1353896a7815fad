"""Load on the Gradio app over real HTTP: N clients ask at once; p50/p95 latency.

    python benchmarks/ui_load.py [--clients 20] [--rounds 3] [--kb DIR] [--url http://127.0.0.1:7860/] [--client http|gradio]
                                 [--store-uri /tmp/kbqa-milvus.db] [--lookups] [--max-seconds 300]

Without --url it starts the app in this process on a free 127.0.0.1 port over --kb
(default: a copy of the shipped notes in a temp dir, so the shipped index is untouched).
Each client has its own session and asks a calculation whose answer depends on its own
number, so a mixed-up answer is caught, not just timed.

Clients: `http` (default) speaks Gradio's documented REST API (POST /gradio_api/call/chat, then
read the event stream) over one pooled httpx client, as light as a browser's fetch; `gradio` uses
one gradio_client.Client each, which costs about 90 ms of CPU a question in this process (measured:
13 s of client CPU for 150 questions), so on a 2-core machine it times its own overhead as much
as the server's.

With --lookups every other client asks a lookup instead (retrieval through the store: with
--store-uri, Milvus), checked by the passage its answer must quote. No client starts a question
after --max-seconds, so a run is bounded in time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def question_for(i: int) -> tuple[str, str]:
    """A question and the figure its answer must contain (fleet size for a client-specific audience)."""
    from calculators.formula import format_number as fmt
    from calculators.registry import run

    millions = 10 + i
    gpus = run("fleet_size", daily_visitors=millions * 1e6)["gpus"]
    return f"How many A100 GPUs are needed for {millions} million daily visitors?", fmt(gpus)


# Lookups over the shipped notes and a figure the answer's quotes must hold (tests/data/kb_questions.jsonl style).
LOOKUPS = [
    ("DGX A100 服务器的售价是多少？", "19.9万美元"),
    ("单个标准机柜的成本是多少？", "140万美元"),
    ("Jasper.ai 最近的估值是多少？", "15亿美元"),
]


def lookup_for(i: int) -> tuple[str, str]:
    return LOOKUPS[i % len(LOOKUPS)]


def message_text(message) -> str:
    content = message["content"] if isinstance(message, dict) else message
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content)


class HttpSession:
    """One user over Gradio's REST API: POST the inputs, read the server-sent events to 'complete'."""

    def __init__(self, http, url: str):
        import uuid

        self.http, self.base, self.session_hash = http, url.rstrip("/") + "/gradio_api/call/", uuid.uuid4().hex

    def predict(self, *data, api_name: str):
        import json

        name = api_name.strip("/")
        reply = self.http.post(self.base + name, json={"data": list(data), "session_hash": self.session_hash})
        reply.raise_for_status()
        event = None
        with self.http.stream("GET", f"{self.base}{name}/{reply.json()['event_id']}") as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    payload = json.loads(line.split(":", 1)[1])
                    if event == "error":
                        raise RuntimeError(f"the server answered with an error: {payload}")
                    return tuple(payload)
        raise RuntimeError("the event stream ended without a result")


def sessions_for(url: str, clients: int, kind: str, timeout: float = 120):
    if kind == "gradio":
        from gradio_client import Client

        return [Client(url, verbose=False, httpx_kwargs={"timeout": timeout}) for _ in range(clients)], None
    import httpx

    http = httpx.Client(timeout=timeout, limits=httpx.Limits(max_connections=2 * clients, max_keepalive_connections=2 * clients))
    return [HttpSession(http, url) for _ in range(clients)], http


def load(url: str, clients: int = 20, rounds: int = 1, client: str = "http", lookups: bool = False,
         max_seconds: float | None = None) -> dict:
    """Every client asks `rounds` questions, all clients at once (odd clients a lookup when `lookups`);
    no question starts after `max_seconds`. Returns latencies and failures."""
    # a read timeout shorter than the run would count a question still queued behind the others as failed
    sessions, http = sessions_for(url, clients, client, timeout=max_seconds or 120)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)
    deadline = time.perf_counter() + max_seconds if max_seconds else None
    skipped = [0]

    def worker(i: int) -> None:
        barrier.wait()
        for r in range(rounds):
            if deadline is not None and time.perf_counter() > deadline:
                with lock:
                    skipped[0] += rounds - r
                return
            lookup = lookups and i % 2 == 1
            question, expected = lookup_for(i + r) if lookup else question_for(i + 20 * r)
            route = "kbqa-route-lookup" if lookup else "kbqa-route-calculate"
            started = time.perf_counter()
            try:
                messages = sessions[i].predict(question, [], "English", api_name="/chat")[0]
                html = message_text(messages[-1])
                ok = expected in html and route in html
                why = "" if ok else f"client {i}: expected {expected} in the answer to {question!r}"
            except Exception as exc:  # a failure is counted, not fatal to the run
                why = f"client {i}: {type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if why:
                    failures.append(why)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall
    if http is not None:
        http.close()
    ordered = sorted(latencies)
    return {
        "clients": clients,
        "requests": len(latencies),
        "not_started": skipped[0],
        "failures": failures,
        "p50_s": statistics.median(ordered),
        "p95_s": ordered[max(0, int(round(0.95 * len(ordered))) - 1)],
        "max_s": ordered[-1],
        "wall_s": wall,
        "throughput_rps": len(latencies) / wall,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--kb", type=Path, default=None, help="notes folder (default: a temp copy of kb/)")
    ap.add_argument("--url", default=None, help="an already running app to load instead of starting one")
    ap.add_argument("--client", choices=("http", "gradio"), default="http", help="http: Gradio's REST API over pooled httpx (light); gradio: a gradio_client.Client per user")
    ap.add_argument("--store-uri", default=None, help="start the app on a Milvus store (a milvus-lite .db path or http://host:19530)")
    ap.add_argument("--lookups", action="store_true", help="every other client asks a lookup (retrieval) instead of a calculation")
    ap.add_argument("--max-seconds", type=float, default=None, help="no question starts after this many seconds")
    args = ap.parse_args(argv)

    demo = None
    tmp = None
    url = args.url
    if url is None:
        from app.ui.app import serve_in_background
        from app.ui.service import Service
        from ingest.settings import Settings

        kb = args.kb
        if kb is None:
            tmp = Path(tempfile.mkdtemp(prefix="kbqa-ui-load-"))
            kb = tmp / "kb"
            shutil.copytree(ROOT / "kb", kb, ignore=shutil.ignore_patterns(".index"))
        started = time.perf_counter()
        store = {"store": {"uri": args.store_uri}} if args.store_uri else {}  # else KBQA_STORE__URI, if set
        service = Service(Settings(kb=kb, **store)).start(background=False)
        print(f"index ready and warmed up in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        demo, url = serve_in_background(service)
    try:
        load(url, clients=2, rounds=1, client=args.client)  # warm the HTTP path
        result = load(url, clients=args.clients, rounds=args.rounds, client=args.client, lookups=args.lookups,
                      max_seconds=args.max_seconds)
    finally:
        if demo is not None:
            demo.close()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{args.client} client: {result['clients']} clients x {args.rounds} rounds = {result['requests']} questions over HTTP, "
          f"{len(result['failures'])} wrong or failed, {result['not_started']} not started before the time limit")
    print(f"latency p50 {result['p50_s'] * 1000:.0f} ms, p95 {result['p95_s'] * 1000:.0f} ms, max {result['max_s'] * 1000:.0f} ms; "
          f"{result['throughput_rps']:.1f} questions/s")
    for f in result["failures"][:10]:
        print("  " + f)
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
