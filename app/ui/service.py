"""What the UI stands on, without gradio: the assistant behind a lock, the index built in the
background with progress, questions answered, notes added.

While the first build runs, questions are answered as soon as something can answer them: once the
notes are read, by keyword search (BM25) alone; once the first (fast) encoder has embedded every
passage, by it too; the answer says so (`Building`). The full index replaces that assistant when the
build ends. `answerable` is set from the first of these, `ready` only when the full index is in.

One `Service` per server. Questions are answered concurrently: the only shared state an
answer touches is read-only (the loaded index, the notes' arithmetic found at ingest) except
the encoders, which serialise their own calls (`ingest.embed`); the optional LLM call holds
no lock at all, so a slow endpoint delays only its own question. Adding a note rebuilds the
index incrementally and swaps in a new assistant, so questions asked meanwhile are answered
from the old one.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from app.answer.assistant import Assistant, Building, respond
from app.answer.model import Answer
from app.ui.notes_tab import CheckedUpload, UploadError, check_upload, copy_into_kb
from ingest.settings import Settings

log = logging.getLogger("kbqa.ui")

BUILD_STAGES = ("read", "bm25", "embed", "publish")  # ingest's progress stages: a build is running
PROGRESS_WINDOW = 40  # progress reports the pace (and so the time left) is taken over
WARM_UP_QUESTIONS = ("How many A100 GPUs are needed for 25 million daily visitors?", "GPT-3训练一次要多少钱？")


class Service:
    def __init__(self, settings: Settings, embedders: dict | None = None, console_progress=None):
        self.settings = settings
        self.embedders = embedders if embedders is not None else {}
        self.console_progress = console_progress  # e.g. app.cli.common.Progress (tqdm on stderr)
        self.ready = threading.Event()  # the full index is loaded (or opening it failed)
        self.answerable = threading.Event()  # a question can be answered: ready, or a build in progress is searchable
        self.error: str | None = None
        self.stage: tuple[str, int, int] = ("starting", 0, 0)
        self.report = None  # the IngestReport of the build done at start, if one was needed
        self._assistant: Assistant | None = None
        self._notes_lock = threading.Lock()
        self._seen: list[tuple[float, int]] = []  # (time, done) of the current stage's recent progress
        self.warming = False  # ready, and paying the one-off costs (encoders, formulas) in the background
        self.timeline: list[tuple[float, tuple[str, ...]]] = []  # (monotonic time, encoders) of each early answerer

    # --- opening ------------------------------------------------------------------------------

    def start(self, background: bool = True, warm_up: bool = True) -> "Service":
        """Load the index (building it first when missing or out of date)."""
        if background:
            threading.Thread(target=self._open, args=(warm_up,), name="kbqa-index", daemon=True).start()
        else:
            self._open(warm_up)
        return self

    def _progress(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self.stage[0]:
            self._seen = []
        self._seen = (self._seen + [(now, done)])[-PROGRESS_WINDOW:]
        self.stage = (stage, done, total)
        if self.console_progress is not None:
            self.console_progress(stage, done, total)

    def seconds_left(self) -> float | None:
        """An estimate of the time left in the current stage, from its recent pace (None until it has one).

        >>> s = Service.__new__(Service); s.stage = ("embed", 40, 100); s._seen = [(0.0, 0), (10.0, 40)]
        >>> s.seconds_left()
        15.0
        """
        stage, done, total = self.stage
        seen = getattr(self, "_seen", [])
        if not total or len(seen) < 2 or seen[-1][1] <= seen[0][1]:
            return None
        (t0, d0), (t1, d1) = seen[0], seen[-1]
        return (total - done) * (t1 - t0) / (d1 - d0)

    def _open(self, warm_up: bool) -> None:
        from ingest.index import ensure_index

        try:
            self._progress("checking notes", 0, 0)
            index, self.report = ensure_index(self.settings, progress=self._progress, embedders=self.embedders,
                                              early=self._answer_early)
            self._progress("loading index", 0, 0)
            self._assistant = Assistant.over(index, self.settings, self.embedders)
        except Exception as exc:  # shown in the UI's status line; the server keeps running
            log.exception("opening the index failed")
            self.error = f"{type(exc).__name__}: {exc}"
            self._assistant = None  # not the early one either: its build failed
        finally:
            if self.console_progress is not None and hasattr(self.console_progress, "close"):
                self.console_progress.close()
            self.stage = ("ready", 1, 1)
            self.ready.set()
            self.answerable.set()
        if warm_up and self._assistant is not None:
            self._warm_up()

    def _answer_early(self, early) -> None:
        """Called by the build (on its own thread, before it sets `ready`) with its passages searchable so far
        (ingest.early.EarlyIndex): answer from them until the whole index is in."""
        try:
            settings = early.search_settings()
            building = Building(tuple(early.ready), tuple(early.pending), early.passages_pending)
            assistant = Assistant.over(early.loaded(), settings, self.embedders, building)
        except Exception:  # answering early is a bonus: the build goes on, and questions wait for it
            log.exception("the index being built could not be searched early")
            return
        self._assistant = assistant
        self.timeline.append((time.monotonic(), building.ready))
        self.answerable.set()
        log.info("answering from the build in progress: keyword search%s", "".join(f" + {s}" for s in early.ready))

    @property
    def building(self) -> Building | None:
        """What questions are answered with while the index is being built (None once it is ready)."""
        a = self._assistant
        return a.building if a is not None else None

    def _warm_up(self) -> None:
        """Pay the one-off costs (loading the encoders, formula compilation, the notes' arithmetic) before the
        first user does; a question asked meanwhile is answered, sharing the encoders' load."""
        self.warming = True
        try:
            self._assistant.notes_arithmetic
            for q in WARM_UP_QUESTIONS:  # offline: start-up must never call an LLM endpoint
                self._assistant.answer(q)
        except Exception:  # a warm-up failure must not stop the server; the real question will report it
            log.exception("warm-up failed")
        finally:
            self.warming = False

    def assistant(self, timeout: float | None = None, early: bool = False) -> Assistant:
        """The assistant over the full index (early=True: or over the build in progress, when searchable)."""
        if not (self.answerable if early else self.ready).wait(timeout):
            raise TimeoutError("the index is still being built; try again in a moment")
        if self._assistant is None:
            raise RuntimeError(f"the index could not be opened: {self.error}")
        return self._assistant

    def _wait_for_first_build(self, timeout: float | None = None) -> None:
        """Notes are added and removed on the full index only: while the first build runs, say so (it may take
        minutes) rather than hold the request; an index that failed to open is reported as such."""
        if not self.ready.wait(timeout if timeout is not None else 0.5) and self.stage[0] in BUILD_STAGES:
            stage, done, total = self.stage
            progress = f" ({done:,}/{total:,})" if total else ""
            raise UploadError(f"the notes are still being indexed{progress}; add or remove notes when that is done (the status line says when)",
                              f"笔记仍在建立索引{progress}；请等索引完成后再添加或删除笔记（状态栏会显示）")
        self.assistant(timeout=None)  # loading an index that is whole: worth the wait

    # --- status ----------------------------------------------------------------------------------

    def chunk_count(self) -> tuple[int, int]:
        """(notes, passages) in the live index."""
        a = self._assistant
        if a is None:
            return 0, 0
        return len({c.file for c in a.retriever.chunks}), len(a.retriever.chunks)

    # --- answering ------------------------------------------------------------------------------

    def ask(self, question: str, history: list | None = None) -> Answer:
        return respond(self.assistant(timeout=None, early=True), question, history)

    def claims(self) -> list:
        return list(self.assistant(timeout=None).notes_arithmetic)

    # --- notes ------------------------------------------------------------------------------------

    def add_note(self, path: str | Path, name: str | None = None) -> tuple[CheckedUpload, object | None]:
        """Check, copy atomically, re-index incrementally, swap in the new assistant.

        Returns (the checked upload, the IngestReport or None when the note was already there).
        Raises UploadError with a message for the user; on any failure the notes folder is as before.
        """
        from ingest.index import build_index, load_index

        self._wait_for_first_build()
        with self._notes_lock:
            checked = check_upload(path, self.settings, name)
            if checked.duplicate:
                return checked, None
            target = copy_into_kb(checked, Path(self.settings.kb))
            try:
                started = time.perf_counter()
                report = build_index(self.settings, embedders=self.embedders)
                if checked.name not in report.files_read:
                    reason = dict(report.skipped).get(checked.name, "it was not indexed")
                    raise UploadError(f"{checked.name}: {reason}; nothing was added", f"{checked.name}：{reason}；未添加任何内容")
                fresh = Assistant.over(load_index(self.settings), self.settings, self.embedders)
                log.info("added %s (%d passages) in %.1f s", checked.name, checked.chunks, time.perf_counter() - started)
            except BaseException:
                target.unlink(missing_ok=True)
                try:  # put the index back in step with the folder
                    build_index(self.settings, embedders=self.embedders)
                except Exception:
                    log.exception("re-indexing after a failed upload failed")
                raise
            self._assistant = fresh  # one assignment: a question takes the old or the new assistant, whole
            return checked, report

    def remove_note(self, rel: str) -> object:
        """Delete the note `rel` (a path relative to the notes folder, as the Notes tab lists it) and re-index.

        Only a note the index lists can be removed: nothing outside the notes folder, no folder, not the
        index itself. The file is removed (a link inside the folder: the link, never what it points to),
        the index rebuilt incrementally and the new assistant swapped in. If the rebuild fails the note is
        written back, so nothing is lost. Returns the IngestReport; raises UploadError with a message.
        """
        import os

        from ingest.index import build_index, load_index
        from ingest.notes_folder import list_notes

        self._wait_for_first_build()
        kb = Path(self.settings.kb)
        rel = (rel or "").strip()
        with self._notes_lock:
            notes = {p.relative_to(kb).as_posix(): p for p in list_notes(kb)}
            path = notes.get(rel)
            if path is None:
                raise UploadError(f"{rel or '(no name)'}: not a note in {kb}; nothing was removed",
                                  f"{rel or '（未命名）'}：不是 {kb} 中的笔记；未删除任何内容")
            if not os.path.realpath(path.parent).startswith(os.path.realpath(kb)):  # never outside the notes folder
                raise UploadError(f"{rel}: outside {kb}; nothing was removed", f"{rel}：在 {kb} 之外；未删除任何内容")
            data = path.read_bytes() if not path.is_symlink() else None
            target = os.readlink(path) if path.is_symlink() else None
            path.unlink()
            try:
                report = build_index(self.settings, embedders=self.embedders)
                fresh = Assistant.over(load_index(self.settings), self.settings, self.embedders)
            except BaseException:
                if target is not None:
                    os.symlink(target, path)
                else:
                    path.write_bytes(data)
                log.exception("re-indexing after removing %s failed; the note was put back", rel)
                raise
            self._assistant = fresh
            log.info("removed %s", rel)
            return report
