"""20 clients ask at once over real HTTP (loopback): every one gets its own, correct answer,
within a bound, and the server stays up."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from app.answer.render_markdown import render_markdown

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedders):
    from app.ui.app import serve_in_background
    from app.ui.service import Service
    from ingest.settings import Settings

    kb = tmp_path_factory.mktemp("ui-load") / "kb"
    kb.mkdir()
    (kb / "fleet.md").write_text("# Fleet\n\nAn A100 answers at about 350 ms per word; a DGX A100 holds 8 GPUs.\n", encoding="utf-8")
    service = Service(Settings(kb=kb, index=kb.parent / "index"), embedders=embedders).start(background=False)
    demo, url = serve_in_background(service)
    yield url
    demo.close()


def test_twenty_clients_at_once_all_answered_correctly(server):
    from ui_load import load

    assert server.startswith("http://127.0.0.1:")
    result = load(server, clients=20, rounds=1)
    assert result["requests"] == 20
    assert result["failures"] == []
    assert result["max_s"] < 60, result  # bounded: nobody starves in the queue
    again = load(server, clients=2, rounds=1)  # and the server still answers
    assert again["failures"] == []


def test_a_slow_llm_holds_no_lock_shared_between_users(tmp_path, embedders):
    """Two questions reach the endpoint at the same time: the server answers only when both requests wait
    at its gate together, so answers serialised behind a lock would get HTTP 500 instead."""
    import threading

    from app.ui.service import Service
    from ingest.settings import Settings
    from scripted_llm import Gate, ScriptedLLM, text_reply

    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "racks.md").write_text("# Racks\n\nA standard rack holds 7 servers of 6U each.\n", encoding="utf-8")
    settings = Settings(kb=kb, index=tmp_path / "index")
    service = Service(settings, embedders=embedders).start(background=False, warm_up=False)
    gate = threading.Barrier(2, timeout=20)
    answers = {}
    with ScriptedLLM([Gate(gate, text_reply("A rack holds 7 servers [1].")) for _ in range(2)]) as server:
        settings.llm.base_url = server.url
        threads = [threading.Thread(target=lambda i=i: answers.__setitem__(i, service.ask("How many servers fit in a rack?")))
                   for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(server.requests) == 2
    for answer in answers.values():
        assert answer.notices == [] and render_markdown(answer).startswith("A rack holds 7 servers [1].")
