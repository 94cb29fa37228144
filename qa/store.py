"""The index folder on disk: what one version holds, how it is written, locked, switched, pruned.

    index_root/
      CURRENT                one line naming the live version folder; replaced with os.replace
      .lock                  fcntl.flock held by the one writer
      v-<UTC time>-<hex>/    one version: index.faiss, chunks.jsonl, bm25/, manifest.json (last)

Raises OSError, TimeoutError, ValueError and FileProblem; qa.index turns them into user messages.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import faiss

from ingest.records import Chunk, Page
from qa import tokenize as tok
from qa.embed import Embedder

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
LOCK = ".lock"
VERSION_NAME = re.compile(r"v-\d{8}T\d{12}Z-[0-9a-f]{6}")
FAISS_FILE = "index.faiss"
CHUNKS_FILE = "chunks.jsonl"
BM25_DIR = "bm25"
PAGES_FILE = "pages.jsonl"  # page texts: citations are checked against them, the UI shows them


@dataclass(frozen=True)
class DocUpdate:
    """One ingested document: all its chunks replace whatever the index held for `doc`."""

    doc: str
    path: str
    sha256: str  # of the source file: an unchanged file can be skipped (Index.has_document)
    n_pages: int
    chunks: list[Chunk]
    status: str = "ok"
    pages: tuple[Page, ...] = ()


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


def write_version(root: Path, vectors, chunks: list[Chunk], bm25, manifest: dict,
                  pages: list[tuple[str, Page]] = (), extra_faiss: dict | None = None) -> Path:
    """Write a new version folder, manifest last, then make it live. On failure remove it, re-raise."""
    version = new_version_dir(root)
    try:
        write_faiss(version, vectors)
        for name, index in (extra_faiss or {}).items():
            faiss.write_index(index, str(version / name))
        write_chunks(version, chunks)
        write_pages(version, pages)
        write_bm25(version, bm25)
        sync_tree(version)
        manifest["files"] = describe_files(version)
        manifest["created_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        manifest["complete"] = True
        write_manifest(version, manifest)
        switch_current(root, version)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    return version


def write_faiss(version: Path, vectors) -> None:
    faiss.write_index(vectors, str(version / FAISS_FILE))


def write_chunks(version: Path, chunks: list[Chunk]) -> None:
    lines = (json.dumps(dataclasses.asdict(c), ensure_ascii=False) + "\n" for c in chunks)
    write_bytes(version / CHUNKS_FILE, "".join(lines).encode())


def write_pages(version: Path, pages: list[tuple[str, Page]]) -> None:
    rows = ({"doc": doc, **dataclasses.asdict(page)} for doc, page in pages)
    lines = (json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    write_bytes(version / PAGES_FILE, "".join(lines).encode())


def read_pages(path: Path) -> dict[str, list[Page]]:
    """Pages by document; an index written before pages were stored has none."""
    out: dict[str, list[Page]] = {}
    if not path.is_file():
        return out
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            try:
                row = json.loads(line)
                out.setdefault(row.pop("doc"), []).append(Page(**row))
            except (ValueError, TypeError, KeyError) as e:
                raise FileProblem(PAGES_FILE, f"line {number} is not a page ({e})") from None
    return out


def write_bm25(version: Path, bm25) -> None:
    if bm25 is not None:  # no chunks, no BM25 index
        bm25.save(version / BM25_DIR, allow_pickle=False, show_progress=False)


def write_manifest(version: Path, manifest: dict) -> None:
    """Written last: its presence with complete=true is what makes a version usable."""
    data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    write_bytes(version / MANIFEST, data)
    fsync_dir(version)


def read_chunks(path: Path) -> list[Chunk]:
    fields = {f.name for f in dataclasses.fields(Chunk)}
    chunks = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            try:
                row = json.loads(line)
                if set(row) != fields:
                    raise ValueError(f"fields {sorted(row)}")
                chunks.append(Chunk(**row))
            except (ValueError, TypeError) as e:
                raise FileProblem(CHUNKS_FILE, f"line {number} is not a chunk ({e})") from None
    return chunks


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
        log.info("removing old or incomplete index version %s", path.name)
        shutil.rmtree(path, ignore_errors=True)


# --- contents of a new version ----------------------------------------------------------------


def merge(old_documents: list[dict], old_chunks: list[Chunk],
          docs: list[DocUpdate]) -> tuple[list[dict], list[Chunk]]:
    """Documents and chunks of the new version: updated docs replaced in place, new ones appended."""
    updates = {u.doc: u for u in docs}
    if len(updates) != len(docs):
        raise ValueError("the same document appears twice in one update")
    documents, chunks = [], []
    for entry in old_documents:
        update = updates.pop(entry["doc"], None)
        if update is None:
            documents.append(entry)
            chunks.extend(c for c in old_chunks if c.doc == entry["doc"])
        else:
            _add(update, documents, chunks)
    for update in updates.values():
        _add(update, documents, chunks)
    return documents, chunks


def _add(update: DocUpdate, documents: list[dict], chunks: list[Chunk]) -> None:
    unique = {}
    for chunk in update.chunks:
        if chunk.doc != update.doc:
            raise ValueError(f"chunk {chunk.id} belongs to {chunk.doc!r}, not {update.doc!r}")
        unique.setdefault(chunk.id, chunk)  # same section and text twice: one row is enough
    if len(unique) < len(update.chunks):
        log.warning("%s: dropped %d duplicate chunks", update.doc, len(update.chunks) - len(unique))
    documents.append({"doc": update.doc, "path": str(update.path), "sha256": update.sha256,
                      "n_pages": update.n_pages, "n_chunks": len(unique), "status": update.status})
    chunks.extend(unique.values())


def new_manifest(embedder: Embedder, chunker: dict, documents: list[dict]) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "app_version": app_version(),
        "created_at": None,
        "embed_model": embedder.model_name,
        "embed_dim": embedder.dim,
        "normalize_embeddings": True,
        "distance": "ip",
        "chunker": plain(chunker),
        "tokenizer": tok.info(),
        "documents": documents,
        "files": {},
        "n_vectors": 0,
        "complete": False,
    }


def plain(settings: dict) -> dict:
    """Settings as they read back from JSON, so a loaded manifest compares equal."""
    return json.loads(json.dumps(settings, sort_keys=True))


def app_version() -> str:
    try:
        return importlib.metadata.version("docqa")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def bm25_tokens(chunks: list[Chunk]) -> list[list[str]]:
    # The section path names the topic ("主要な経年データ") that the chunk text often omits.
    return tok.tokenize_many(f"{c.section}\n{c.text}" for c in chunks)
