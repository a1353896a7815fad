"""Starting up: first-run progress that moves per few passages with the time left, and a status line
that says what the server is doing, in both languages."""

from __future__ import annotations

import re


def _notes(kb, passages: int):
    kb.mkdir()
    body = "\n\n".join(f"Passage {k}: the cluster number {k} draws {k * 7} kW and holds {k * 3} racks of GPUs." for k in range(passages))
    (kb / "fleet.md").write_text("# Fleet\n\n" + body + "\n", encoding="utf-8")


def test_embedding_progress_moves_every_few_passages(tmp_path, embedders):
    from ingest.index import PROGRESS_STEP, build_index
    from ingest.settings import Settings

    _notes(tmp_path / "kb", 40)
    seen = []
    settings = Settings(kb=tmp_path / "kb", index=tmp_path / "index")
    report = build_index(settings, embedders=embedders, progress=lambda stage, done, total: seen.append((stage, done, total)))
    embed = [(done, total) for stage, done, total in seen if stage == "embed"]
    total = embed[-1][1]
    assert total == report.chunks_embedded * len(settings.embed.models)
    dones = [d for d, _ in embed]
    assert dones == sorted(dones) and dones[0] == 0 and dones[-1] == total  # never goes back, ends at the total
    assert len(set(dones)) >= total // PROGRESS_STEP  # moves every few passages, not once a note or a batch of 32


def test_status_line_says_what_it_does_with_the_time_left(tmp_path):
    from app.ui.app import status_line
    from app.ui.service import Service
    from ingest.settings import Settings

    _notes(tmp_path / "kb", 3)
    service = Service(Settings(kb=tmp_path / "kb", index=tmp_path / "index"))
    service._progress("embed", 0, 240)
    service._seen = [(0.0, 0)]
    service._seen.append((10.0, 40))  # 4 passages a second
    service.stage = ("embed", 40, 240)
    en, zh = status_line(service, "en"), status_line(service, "zh")
    assert "Building the index" in en and "embedding passages 40/240" in en and "about 50 s left" in en, en
    assert "正在为笔记建立索引" in zh and "40/240" in zh and "预计还需 50 秒" in zh, zh
    service._progress("loading index", 0, 0)
    assert "Loading" in status_line(service, "en") and re.search("加载索引", status_line(service, "zh"))
