"""The version folders on disk: locking, naming, switching CURRENT, checksums, fsync, pruning.

Raises OSError, TimeoutError, ValueError and FileProblem; the callers turn them into user messages.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
LOCK = ".lock"
VERSION_NAME = re.compile(r"v-\d{8}T\d{12}Z-[0-9a-f]{6}")
FAISS_FILE = "index.faiss"
CHUNKS_FILE = "chunks.jsonl"
BM25_DIR = "bm25"
PAGES_FILE = "pages.jsonl"  # page texts: citations are checked against them, the UI shows them
PROFILES_FILE = "profiles.jsonl"  # each document's own vocabulary (ingest.profile.DocProfile)
TABLES_FILE = "tables.jsonl"  # table rows kept as structure (ingest.tables.TableRow), by doc


class FileProblem(ValueError):
    """A file of a version folder is missing, altered or unreadable."""


    def __init__(self, name: str, problem: str):
        self.name, self.problem = name, problem
        super().__init__(f"{name}: {problem}")


@contextlib.contextmanager
def locked(root: Path, timeout: float) -> Iterator[None]:
    """Hold the writer lock on root/.lock; TimeoutError if another writer keeps it past `timeout`."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)  # the index is trusted-local: owner only
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"{root / LOCK} is held by another writer") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def new_version_dir(root: Path) -> Path:
    """Create an empty, uniquely named version folder. Names sort by creation time."""
    name = f"v-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"
    path = root / name
    path.mkdir(mode=0o700)
    return path


def read_current(root: Path) -> str | None:
    """The live version name, or None when there is no CURRENT file. ValueError if it is garbage."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not VERSION_NAME.fullmatch(name):  # also keeps a tampered CURRENT from pointing outside root
        raise ValueError(f"{root / CURRENT} does not name a version folder: {name[:80]!r}")
    return name


def switch_current(root: Path, version: Path) -> None:
    """Point CURRENT at `version` atomically: write a temp file, fsync, os.replace, fsync the folder."""
    tmp = root / f"{CURRENT}.tmp"
    try:
        write_bytes(tmp, f"{version.name}\n".encode())
        os.replace(tmp, root / CURRENT)
    finally:
        tmp.unlink(missing_ok=True)
    try:
        fsync_dir(root)
    except OSError as e:  # the switch is done; failing here must not undo the new version
        log.warning("could not fsync %s: %s", root, e)


def write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_tree(folder: Path) -> None:
    """fsync every file under `folder`, then the folders themselves."""
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file():
            fsync_file(path)
        else:
            fsync_dir(path)
    fsync_dir(folder)


def verify_files(version: Path, files: dict) -> None:
    """Compare each listed file's size and sha256 with the manifest, before anything parses it."""
    for name in (FAISS_FILE, CHUNKS_FILE):
        if name not in files:
            raise FileProblem(name, "not listed in the manifest")
    for name, expected in files.items():
        path = version / name
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise FileProblem(name, "the manifest lists a path outside the version folder")
        if not path.is_file():
            raise FileProblem(name, "the file is missing")
        if path.stat().st_size != expected["size"] or sha256_file(path) != expected["sha256"]:
            raise FileProblem(name, "its checksum does not match the manifest")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_files(folder: Path) -> dict[str, dict]:
    """{relative path: {sha256, size}} for every file under `folder` except the manifest."""
    return {
        path.relative_to(folder).as_posix(): {"sha256": sha256_file(path), "size": path.stat().st_size}
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def is_complete(version: Path) -> bool:
    try:
        return json.loads((version / MANIFEST).read_text(encoding="utf-8")).get("complete") is True
    except (OSError, ValueError, AttributeError):
        return False


def prune(root: Path, keep_previous: int) -> None:
    """Keep CURRENT and the `keep_previous` newest complete versions older than it; delete the rest.


    The rest are old versions and orphans: folders a crashed or failed writer left behind.
    """
    live = read_current(root)
    versions = sorted((p for p in root.glob("v-*") if p.is_dir()), reverse=True)
    kept = 0
    for path in versions:
        if path.name == live:
            continue
        if live and path.name < live and kept < keep_previous and is_complete(path):
            kept += 1
            continue
        log.debug("removing old or incomplete index version %s", path.name)
        shutil.rmtree(path, ignore_errors=True)
