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


class _Gated:
    """A real encoder whose passage embedding waits for a gate (the slow encoder still at work)."""

    def __init__(self, inner, gate):
        self.inner, self.gate, self.name, self.dim = inner, gate, inner.name, inner.dim

    def passages(self, texts):
        assert self.gate.wait(120), "the test never opened the gate"
        return self.inner.passages(texts)

    def query(self, text):
        return self.inner.query(text)


def test_build_is_searchable_by_keywords_then_by_each_encoder(tmp_path, embedders):
    """The build hands out its passages before it ends: BM25 alone once the notes are read, then with
    each encoder as it finishes; nothing when there is nothing to embed."""
    from app.retrieval.retriever import Retriever
    from ingest.index import build_index
    from ingest.settings import Settings

    _notes(tmp_path / "kb", 30)
    (tmp_path / "kb" / "power.md").write_text("# 电力\n\n一个机柜的功率约为 40 千瓦，整个机房需要 2 兆瓦。\n", encoding="utf-8")
    settings = Settings(kb=tmp_path / "kb", index=tmp_path / "index")
    seen = []
    report = build_index(settings, embedders=embedders, early=seen.append)
    assert [(e.ready, e.pending) for e in seen] == [([], ["use", "e5"]), (["use"], ["e5"])]
    assert all(e.passages_pending == report.chunks for e in seen)
    for early in seen:
        s = early.search_settings()
        assert s.embed.models == early.ready and not s.store.milvus
        retriever = Retriever(early.loaded(), s, embedders=embedders)
        assert "Passage 17:" in retriever.search("cluster number 17 racks", k=3)[0].chunk.text
        if early.ready:  # across languages, the encoder finds it
            assert retriever.search("How many megawatts does the machine room need?", k=3)[0].chunk.file == "power.md"
        assert retriever.search("机房需要多少兆瓦", k=3)[0].chunk.file == "power.md"
    assert "e5" in seen[1].pending and seen[1].vectors["use"].shape == (report.chunks, 512)
    again = []
    build_index(settings, embedders=embedders, early=again.append)
    assert again == []  # nothing to embed: the index itself is there at once
    (tmp_path / "kb" / "power.md").write_text("# 电力\n\n一个机柜的功率约为 45 千瓦。\n", encoding="utf-8")
    build_index(settings, embedders=embedders, early=again.append)
    assert again == []  # a rebuild of a changed note is not announced: it is seconds, and the rest is unchanged


def test_questions_are_answered_while_the_slow_encoder_embeds(tmp_path, embedders):
    """Asked during a cold build: answered by keyword search and the fast encoder, saying so, in the
    asker's language; the status says it; once the slow encoder is done, the full index answers."""
    import threading

    from app.ui.app import status_line
    from app.ui.service import Service
    from ingest.settings import Settings

    _notes(tmp_path / "kb", 30)
    gate = threading.Event()
    mine = {"use": embedders["use"], "e5": _Gated(embedders["e5"], gate)}
    service = Service(Settings(kb=tmp_path / "kb", index=tmp_path / "index"), embedders=mine).start(warm_up=False)
    try:
        assert service.answerable.wait(120)
        deadline = __import__("time").monotonic() + 60
        while service.building is None or not service.building.ready:  # the keyword-only stage may come first
            assert __import__("time").monotonic() < deadline
            gate.wait(0.05)
        assert not service.ready.is_set()
        answer = service.ask("How many racks does cluster number 12 hold?")
        assert answer.citations and "Passage 12:" in answer.citations[0].passage
        assert any("still being built" in n and "keyword search and use" in n and "e5" in n for n in answer.notices), answer.notices
        zh = service.ask("第12号集群有多少个机柜？")
        assert any("索引仍在建立" in n for n in zh.notices), zh.notices
        assert "Answering already" in status_line(service, "en") and "use" in status_line(service, "en")
        assert "索引仍在建立" in status_line(service, "zh")
        with __import__("pytest").raises(TimeoutError):
            service.assistant(timeout=0.01)  # the full index is not there yet
        from app.ui.notes_tab import UploadError
        from calculators.errors import in_language

        extra = tmp_path / "extra.md"
        extra.write_text("# Extra\n\nA note added too early.\n", encoding="utf-8")
        with __import__("pytest").raises(UploadError, match="still being indexed") as refused:
            service.add_note(extra)  # said at once, not held for minutes
        assert "仍在建立索引" in in_language(refused.value, "zh") and not (tmp_path / "kb" / "extra.md").exists()
    finally:
        gate.set()
    assert service.ready.wait(120) and service.error is None
    answer = service.ask("How many racks does cluster number 12 hold?")
    assert not any("still being built" in n for n in answer.notices)
    assert service.building is None and "Ready" in status_line(service, "en")
