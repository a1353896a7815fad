"""The index folder's builds: CURRENT names the live one; readers hold a shared lock on the build they
load, so a build is removed only when nobody reads it; one ingest at a time; every file of a build is
checked against the checksums and counts its manifest records."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
from pathlib import Path

from ingest.errors import DamagedIndex
from ingest.notes_folder import sha256_file

log = logging.getLogger("kbqa.ingest")

READERS_LOCK = ".readers"  # in each build: readers hold it shared while they load, removal takes it exclusive
_BUILD_NAME = re.compile(r"build-[0-9A-Za-z_-]+")
CHECKPOINTS = ".checkpoints"  # embeddings of the notes embedded so far by an unfinished ingest, one file per note


def _pointer(index_dir: Path) -> str | None:
    """The build CURRENT names, None when there is no CURRENT; DamagedIndex when it names nothing sensible."""
    try:
        raw = (index_dir / "CURRENT").read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DamagedIndex(str(index_dir), f"CURRENT cannot be read: {exc.strerror or exc}") from None
    try:
        name = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        name = ""
    if not _BUILD_NAME.fullmatch(name):
        raise DamagedIndex(str(index_dir), "the file CURRENT does not name a build")
    return name


@contextlib.contextmanager
def reading_build(index_dir: Path):
    """The live build folder (or None when there is none), held with a shared lock so that no ingest
    removes it while it is read. CURRENT is read once per attempt: if the build it named was removed
    meanwhile (a newer one replaced it), the newer one is read instead, never half of each."""
    import fcntl

    index_dir = Path(index_dir)
    for _ in range(20):
        name = _pointer(index_dir)
        if name is None:
            yield None
            return
        build = index_dir / name
        try:
            fh = open(build / READERS_LOCK, "rb")
        except FileNotFoundError:
            if _pointer(index_dir) != name:
                continue  # swapped and removed between the two reads: take the new one
            raise DamagedIndex(str(index_dir), f"CURRENT names {name}, which is missing or incomplete") from None
        with fh:
            fcntl.flock(fh, fcntl.LOCK_SH)
            if not (build / READERS_LOCK).exists():
                continue  # removed just before we got the lock
            yield build
            return
    raise DamagedIndex(str(index_dir), "CURRENT kept changing while the index was read")


def current_build(index_dir: Path) -> Path | None:
    """The build CURRENT names (None when there is no index); DamagedIndex when CURRENT is unusable."""
    with reading_build(Path(index_dir)) as build:
        return build


def _manifest_of(build: Path) -> dict:
    index_dir = str(build.parent)
    try:
        manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DamagedIndex(index_dir, f"{build.name}/manifest.json is missing") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DamagedIndex(index_dir, f"{build.name}/manifest.json is not valid JSON") from None
    if not isinstance(manifest, dict):
        raise DamagedIndex(index_dir, f"{build.name}/manifest.json is not a JSON object")
    return manifest


def read_manifest(index_dir: Path) -> dict | None:
    with reading_build(Path(index_dir)) as build:
        return None if build is None else _manifest_of(build)


def integrity_of(build: Path) -> dict[str, dict]:
    """sha256 and size of every file of a build but the manifest (which holds them) and the reader lock."""
    out = {}
    for path in sorted(build.rglob("*")):
        rel = path.relative_to(build).as_posix()
        if path.is_file() and rel not in ("manifest.json", READERS_LOCK):
            out[rel] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
    return out


def verify_build(build: Path, manifest: dict) -> None:
    """DamagedIndex unless every file the manifest lists is there, of its size and checksum, and the
    counts agree (passages = the sum of the per-note counts)."""
    where = str(build.parent)
    files = manifest.get("integrity")
    if not isinstance(files, dict) or not files:
        raise DamagedIndex(where, "its manifest lists no checksums")
    for rel, want in files.items():
        path = build / rel
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise DamagedIndex(where, f"{rel} is missing") from None
        if size != want.get("bytes"):
            raise DamagedIndex(where, f"{rel} has {size} bytes, {want.get('bytes')} when it was built")
        if sha256_file(path) != want.get("sha256"):
            raise DamagedIndex(where, f"{rel} has changed since it was built (checksum mismatch)")
    per_file = sum(int(meta.get("chunks", 0)) for meta in manifest.get("files", {}).values())
    if manifest.get("chunks") != per_file:
        raise DamagedIndex(where, f"the manifest counts {manifest.get('chunks')} passages but its notes add up to {per_file}")


@contextlib.contextmanager
def _build_lock(index_dir: Path):
    """One build at a time per index folder (the app's upload and a `kbqa ingest` may overlap); a build
    that has to wait says so."""
    import fcntl

    with open(index_dir / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("waiting for another ingest of %s to finish ...", index_dir)
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _point_current_at(index_dir: Path, build_name: str) -> None:
    tmp = index_dir / f".CURRENT.{os.getpid()}"
    try:
        tmp.write_text(build_name, encoding="utf-8")
        os.replace(tmp, index_dir / "CURRENT")
    finally:
        tmp.unlink(missing_ok=True)


def _remove_temp_files(index_dir: Path) -> None:
    """What a killed ingest may leave behind (called under the build lock, so none is in use)."""
    for path in index_dir.glob(".CURRENT.*"):
        path.unlink(missing_ok=True)
    for path in index_dir.glob(f"{CHECKPOINTS}/.*.tmp.npz"):
        path.unlink(missing_ok=True)


def _remove_old_builds(index_dir: Path, keep: str) -> None:
    """Remove every build but `keep`, except those a reader is loading right now (removed by a later
    ingest). A build is renamed out of the way while locked, so a reader never sees it half-deleted."""
    import fcntl

    for path in list(index_dir.glob("build-*")) + list(index_dir.glob(".removing-*")):
        if path.name == keep:
            continue
        try:
            fh = open(path / READERS_LOCK, "rb")
        except OSError:  # an abandoned, unfinished build: nobody reads it
            shutil.rmtree(path, ignore_errors=True)
            continue
        with fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # being read: the next ingest removes it
            trash = index_dir / f".removing-{path.name.removeprefix('.removing-')}"
            if path != trash:
                try:
                    os.replace(path, trash)
                except OSError:
                    continue
            (trash / READERS_LOCK).unlink(missing_ok=True)  # a reader that opened it before the rename retries
            shutil.rmtree(trash, ignore_errors=True)
