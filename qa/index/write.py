"""Writing the index: a new version folder built in memory, written file by file, manifest last,
then made live; vectors of chunk ids the index already holds are reused."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import bm25s
import faiss
import numpy as np

from ingest.profile import DocProfile
from ingest.records import Chunk, Page
from ingest.tables import TableRow
from qa.embed import Embedder
from qa.index import dense, files, rows, sentences
from qa.index import tokenize as tok
from qa.index.errors import DocqaIndexError, IndexLockedError, IndexMissingError
from qa.index.manifest import new_manifest
from qa.index.read import Index
from qa.settings import HNSW_THRESHOLD

log = logging.getLogger(__name__)

KEEP_PREVIOUS = 2  # complete versions kept besides the live one, for readers mid-load and rollback
LOCK_TIMEOUT = 10.0  # seconds a writer waits for another writer


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
    profile: DocProfile | None = None  # the document's own vocabulary; None: a generic, empty one
    tables: tuple[TableRow, ...] = ()  # its table rows (ingest.tables)


def update_index(root: str | Path, embedder: Embedder, chunker: dict, docs: list[DocUpdate], *,
                 rebuild: bool = False, lock_timeout: float = LOCK_TIMEOUT,
                 sentence_embedder: Embedder | None = None, hnsw_threshold: int = HNSW_THRESHOLD) -> Index:
    """Replace the chunks of each doc in `docs` (adding new docs), write a new version, make it live.

    Vectors of chunk ids already in the index are reused; only new chunk texts are embedded.
    A stale or damaged live index is refused unless `rebuild`, which starts from an empty index
    (so `docs` must then hold every document). `sentence_embedder` defaults to the model the
    chunker settings name (qa.index.sentences.sentence_embedder). Above `hnsw_threshold` chunks
    the dense index is HNSW instead of flat (qa.index.dense).
    """
    root = Path(root)
    with _writer_lock(root, lock_timeout):
        old = Index.empty(embedder, chunker) if rebuild else _load_or_empty(root, embedder, chunker)
        documents, chunks = merge(old.documents, old.chunks, docs)
        pages = {**old.pages, **{d.doc: list(d.pages) for d in docs}}
        extras = _Extras({**old.profiles, **{d.doc: d.profile or DocProfile(d.doc) for d in docs}},
                         {**old.tables, **{d.doc: list(d.tables) for d in docs}})
        return _rewrite(root, old, embedder, chunker, documents, chunks, pages, extras, sentence_embedder,
                        hnsw_threshold)


def remove_document(root: str | Path, embedder: Embedder, chunker: dict, doc: str, *,
                    lock_timeout: float = LOCK_TIMEOUT, hnsw_threshold: int = HNSW_THRESHOLD) -> Index:
    """Write a new version without `doc`. ValueError if the index does not hold it."""
    root = Path(root)
    with _writer_lock(root, lock_timeout):
        old = Index.load(root, embedder, chunker)
        if not any(d["doc"] == doc for d in old.documents):
            raise ValueError(f"the index holds no document named {doc!r}")
        documents = [d for d in old.documents if d["doc"] != doc]
        chunks = [c for c in old.chunks if c.doc != doc]
        pages = {d: p for d, p in old.pages.items() if d != doc}
        extras = _Extras({d: p for d, p in old.profiles.items() if d != doc},
                         {d: t for d, t in old.tables.items() if d != doc})
        return _rewrite(root, old, embedder, chunker, documents, chunks, pages, extras,
                        hnsw_threshold=hnsw_threshold)


@contextlib.contextmanager
def _writer_lock(root: Path, timeout: float) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(files.locked(root, timeout))
        except TimeoutError:
            raise IndexLockedError(f"another docqa process is writing the index at {root}; "
                                   "wait for it to finish and try again") from None
        except OSError as e:  # a read-only or missing parent folder: say so, not a traceback
            raise DocqaIndexError(f"cannot lock the index folder {root} for writing ({e.strerror or e}); "
                                  "check that it is writable") from e
        yield


def _load_or_empty(root: Path, embedder: Embedder, chunker: dict) -> Index:
    try:
        return Index.load(root, embedder, chunker)
    except IndexMissingError:
        return Index.empty(embedder, chunker)


def _vectors_for(old: Index, chunks: list[Chunk], embedder: Embedder) -> np.ndarray:
    """Vectors for `chunks`: copied from `old` by chunk id, embedded only for new ids."""
    out = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    stored = old.vectors.reconstruct_n(0, old.vectors.ntotal) if old.vectors.ntotal else None
    new_rows = []
    for row, chunk in enumerate(chunks):
        if chunk.id in old.rows:
            out[row] = stored[old.rows[chunk.id]]
        else:
            new_rows.append(row)
    log.debug("embedding %d new chunks, reusing %d", len(new_rows), len(chunks) - len(new_rows))
    if new_rows:
        fresh = np.ascontiguousarray(embedder.embed([chunks[r].text for r in new_rows]), dtype=np.float32)
        if fresh.shape != (len(new_rows), embedder.dim):
            expected = (len(new_rows), embedder.dim)
            raise ValueError(f"embedder returned shape {fresh.shape}, expected {expected}")
        faiss.normalize_L2(fresh)  # inner product is cosine only on unit vectors
        out[new_rows] = fresh
    return out


@dataclass(frozen=True)
class _Extras:
    """Per-document rows besides chunks and pages."""

    profiles: dict[str, DocProfile]
    tables: dict[str, list[TableRow]]


def _rewrite(root: Path, old: Index, embedder: Embedder, chunker: dict, documents: list[dict],
             chunks: list[Chunk], pages: dict[str, list[Page]], extras: _Extras,
             sentence_embedder=None, hnsw_threshold: int = HNSW_THRESHOLD) -> Index:
    """Build the new version in memory, write it, make it live; on failure the old one stays live."""
    manifest = new_manifest(embedder, chunker, documents)
    vectors = _vectors_for(old, chunks, embedder)
    dense_index, manifest["dense_index"] = dense.build(vectors, embedder.dim, hnsw_threshold)
    bm25, tokens = None, bm25_tokens(chunks)
    if any(tokens):  # bm25s cannot index a corpus without a single token
        bm25 = bm25s.BM25()
        bm25.index(tokens, show_progress=False)
    manifest["n_vectors"] = len(chunks)
    sentence_embedder = sentence_embedder or sentences.sentence_embedder(chunker, embedder)
    sentence_vectors = sentences.build(old.sentences, chunks, sentence_embedder)
    extra = {sentences.SENTENCES_FILE: sentences.to_faiss(sentence_vectors, embedder.dim)}
    try:
        page_rows = [(d["doc"], page) for d in documents for page in pages.get(d["doc"], [])]
        profiles = [extras.profiles.get(d["doc"]) or DocProfile(d["doc"]) for d in documents]
        tables = [(d["doc"], row) for d in documents for row in extras.tables.get(d["doc"], [])]
        version = write_version(root, dense_index, chunks, bm25, manifest, page_rows, extra, profiles, tables)
    except Exception as e:
        full = isinstance(e, OSError) and e.errno == errno.ENOSPC
        problem = "disk full" if full else f"{type(e).__name__}: {e}"
        raise DocqaIndexError(f"could not save the index ({problem}); the previous index is kept") from e
    log.debug("index version %s is live: %d chunks", version.name, len(chunks))
    try:
        files.prune(root, KEEP_PREVIOUS)
    except OSError as e:  # old versions left behind cost disk space, not correctness
        log.warning("could not remove old index versions: %s", e)
    kept = {d["doc"] for d in documents}
    return Index(chunks, dense_index, bm25, manifest, version.name, pages, sentence_vectors,
                 {p.doc: p for p in profiles}, {d: t for d, t in extras.tables.items() if d in kept})


def write_version(root: Path, vectors, chunks: list[Chunk], bm25, manifest: dict,
                  pages: list[tuple[str, Page]] = (), extra_faiss: dict | None = None,
                  profiles: list[DocProfile] = (), tables: list[tuple[str, TableRow]] = ()) -> Path:
    """Write a new version folder, manifest last, then make it live. On failure remove it, re-raise."""
    version = files.new_version_dir(root)
    try:
        faiss.write_index(vectors, str(version / files.FAISS_FILE))
        for name, index in (extra_faiss or {}).items():
            faiss.write_index(index, str(version / name))
        rows.write_chunks(version, chunks)
        rows.write_pages(version, pages)
        rows.write_profiles(version, list(profiles))
        rows.write_tables(version, list(tables))
        write_bm25(version, bm25)
        files.sync_tree(version)
        manifest["files"] = files.describe_files(version)
        manifest["created_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        manifest["complete"] = True
        write_manifest(version, manifest)
        files.switch_current(root, version)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    return version


def write_bm25(version: Path, bm25) -> None:
    if bm25 is not None:  # no chunks, no BM25 index
        bm25.save(version / files.BM25_DIR, allow_pickle=False, show_progress=False)


def write_manifest(version: Path, manifest: dict) -> None:
    """Written last: its presence with complete=true is what makes a version usable."""
    data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    files.write_bytes(version / files.MANIFEST, data)
    files.fsync_dir(version)


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


def bm25_tokens(chunks: list[Chunk]) -> list[list[str]]:
    # The section path names the topic ("主要な経年データ") that the chunk text often omits.
    return tok.tokenize_many(f"{c.section}\n{c.text}" for c in chunks)
