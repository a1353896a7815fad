"""20 clients ask at once over real HTTP (loopback): every one gets its own, correct answer,
within a bound, and the server stays up."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

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
