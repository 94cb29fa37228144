"""The on-disk index: a folder of plain files (FAISS, JSONL, bm25s npy/JSON, manifest). No pickle.

    index_root/CURRENT                  names the live version folder
    index_root/v-<UTC time>-<hex>/
        index.faiss                     IndexFlatIP over L2-normalised vectors; row i = chunk i
        chunks.jsonl                    one Chunk per line, in row order
        bm25/                           bm25s.BM25.save output (npy without pickle, JSON)
        manifest.json                   written last: settings, documents, file hashes, complete

Loading checks the manifest against the runtime embedder and chunker settings and every file's
sha256 before any file is parsed. Writers take index_root/.lock, write a new version folder and
switch CURRENT only when it is complete, so a failed write never replaces the live version.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import bm25s
import faiss
import numpy as np

from ingest.records import Chunk, Page
from qa import sentences, store
from qa import tokenize as tok
from qa.embed import Embedder
from qa.sentences import SentenceVectors
from qa.store import DocUpdate

__all__ = ["DocUpdate", "DocqaIndexError", "Index", "IndexCorruptError", "IndexLockedError",
           "IndexMissingError", "StaleIndexError", "UnsupportedIndexFormat", "has_document",
           "read_manifest", "remove_document", "update_index"]

log = logging.getLogger(__name__)

SCHEMA_VERSION = store.SCHEMA_VERSION
KEEP_PREVIOUS = 2  # complete versions kept besides the live one, for readers mid-load and rollback
LOCK_TIMEOUT = 10.0  # seconds a writer waits for another writer
REQUIRED = ("schema_version", "complete", "embed_model", "embed_dim", "normalize_embeddings",
            "distance", "chunker", "tokenizer", "documents", "files", "n_vectors")
REBUILD_HINT = "rebuild it: `docqa ingest --rebuild FILE…` (or delete the index folder and ingest again)"


class DocqaIndexError(Exception):
    """The index cannot be used or written as it is; the message says how to fix it."""


class IndexMissingError(DocqaIndexError):
    """No index has been written at this root yet."""


class IndexCorruptError(DocqaIndexError):
    """A file of the live version is damaged, missing or inconsistent; `file` names it."""

    def __init__(self, file: str, problem: str):
        self.file = file
        super().__init__(f"index file {file} is damaged: {problem}; {REBUILD_HINT}")


class StaleIndexError(DocqaIndexError):
    """The index was built with another embedder, chunker or tokenizer than the running one."""


class UnsupportedIndexFormat(DocqaIndexError):
    """A legacy pickle index or a manifest schema this version cannot read."""


class IndexLockedError(DocqaIndexError):
    """Another writer holds the index lock."""


class Index:
    """Chunks, their vectors (faiss.IndexFlatIP) and a bm25s index; row i is chunks[i] everywhere."""

    def __init__(self, chunks: list[Chunk], vectors, bm25, manifest: dict, version: str | None = None,
                 pages: dict[str, list[Page]] | None = None, sentences: SentenceVectors | None = None):
        self.chunks = chunks
        self.sentences = sentences  # None for an index written before sentences were embedded
        self.pages = pages or {}  # doc -> its pages, 1-based numbers in order
        self.vectors = vectors
        self.bm25 = bm25  # None when the chunks hold no token at all: bm25s cannot index that
        self.manifest = manifest
        self.version = version  # name of the version folder, None until saved
        self.rows = {chunk.id: row for row, chunk in enumerate(chunks)}

    @property
    def documents(self) -> list[dict]:
        return self.manifest["documents"]

    @classmethod
    def load(cls, root: str | Path, embedder: Embedder, chunker: dict) -> Index:
        """Load the live version, refusing it unless it is complete, intact and matches the runtime."""
        root = Path(root)
        version = _live_version(root)
        manifest = _read_manifest_file(version)
        check_compatible(manifest, embedder, chunker)
        _verify_files(version, manifest)
        chunks = _read_chunks(version)
        vectors = _read_faiss(version / store.FAISS_FILE, manifest, chunks)
        has_bm25 = f"{store.BM25_DIR}/params.index.json" in manifest["files"]
        bm25 = _read_bm25(version / store.BM25_DIR, len(chunks)) if has_bm25 else None
        pages = _read_pages(version)
        sentence_vectors = _read_sentences(version, manifest, chunks)
        log.info("loaded index %s: %d chunks", version.name, len(chunks))
        return cls(chunks, vectors, bm25, manifest, version.name, pages, sentence_vectors)

    @classmethod
    def empty(cls, embedder: Embedder, chunker: dict) -> Index:
        return cls([], faiss.IndexFlatIP(embedder.dim), None, store.new_manifest(embedder, chunker, []))

    def has_document(self, doc: str, sha256: str) -> bool:
        return has_document(self.manifest, doc, sha256)

    def vector(self, row: int) -> np.ndarray:
        return self.vectors.reconstruct(row)

    def search_dense(self, qvec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Top-k rows by inner product with an L2-normalised query vector."""
        if self.vectors.ntotal == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(qvec, dtype=np.float32).reshape(1, -1)
        if query.shape[1] != self.vectors.d:
            raise ValueError(f"query vector has {query.shape[1]} dims, the index {self.vectors.d}")
        scores, rows = self.vectors.search(query, min(k, self.vectors.ntotal))
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]

    def search_bm25(self, tokens: list[str], k: int) -> list[tuple[int, float]]:
        """Top-k rows by BM25 over qa.tokenize tokens; rows that share no token are left out."""
        if self.bm25 is None or k <= 0:
            return []
        ids = self.bm25.get_tokens_ids(tokens)
        if not ids:
            return []
        scores = self.bm25.get_scores_from_ids(ids)
        top = np.argsort(-scores, kind="stable")[:k]
        return [(int(r), float(scores[r])) for r in top if scores[r] > 0]


def has_document(manifest: dict, doc: str, sha256: str) -> bool:
    """True when the index already holds `doc` built from a source file with this sha256."""
    return any(d["doc"] == doc and d["sha256"] == sha256 for d in manifest["documents"])


def read_manifest(root: str | Path, *, verify: bool = True) -> dict:
    """The live manifest without loading the index. IndexMissingError when there is none.

    `verify` also checks every file's checksum (reads the files, parses none), so a damaged index
    is reported as damaged rather than described from its manifest.
    """
    version = _live_version(Path(root))
    manifest = _read_manifest_file(version)
    if verify:
        _verify_files(version, manifest)
    return manifest


def update_index(root: str | Path, embedder: Embedder, chunker: dict, docs: list[DocUpdate], *,
                 rebuild: bool = False, lock_timeout: float = LOCK_TIMEOUT,
                 sentence_embedder: Embedder | None = None) -> Index:
    """Replace the chunks of each doc in `docs` (adding new docs), write a new version, make it live.

    Vectors of chunk ids already in the index are reused; only new chunk texts are embedded.
    A stale or damaged live index is refused unless `rebuild`, which starts from an empty index
    (so `docs` must then hold every document). `sentence_embedder` defaults to the model the
    chunker settings name (qa.sentences.sentence_embedder).
    """
    root = Path(root)
    with _writer_lock(root, lock_timeout):
        old = Index.empty(embedder, chunker) if rebuild else _load_or_empty(root, embedder, chunker)
        documents, chunks = store.merge(old.documents, old.chunks, docs)
        pages = {**old.pages, **{d.doc: list(d.pages) for d in docs}}
        return _rewrite(root, old, embedder, chunker, documents, chunks, pages, sentence_embedder)


def remove_document(root: str | Path, embedder: Embedder, chunker: dict, doc: str, *,
                    lock_timeout: float = LOCK_TIMEOUT) -> Index:
    """Write a new version without `doc`. ValueError if the index does not hold it."""
    root = Path(root)
    with _writer_lock(root, lock_timeout):
        old = Index.load(root, embedder, chunker)
        if not any(d["doc"] == doc for d in old.documents):
            raise ValueError(f"the index holds no document named {doc!r}")
        documents = [d for d in old.documents if d["doc"] != doc]
        chunks = [c for c in old.chunks if c.doc != doc]
        pages = {d: p for d, p in old.pages.items() if d != doc}
        return _rewrite(root, old, embedder, chunker, documents, chunks, pages)


# --- loading ---------------------------------------------------------------------------------


def _live_version(root: Path) -> Path:
    try:
        name = store.read_current(root)
    except ValueError as e:
        raise IndexCorruptError(store.CURRENT, str(e)) from None
    if name is None:
        _refuse_pickle(root)
        raise IndexMissingError(f"no index at {root}; run `docqa ingest` first")
    version = root / name
    _refuse_pickle(version)
    if not version.is_dir():
        raise IndexCorruptError(name, "CURRENT names a version folder that does not exist")
    return version


def _refuse_pickle(folder: Path) -> None:
    """A folder from the old pickle format (or LangChain save_local) is refused, never unpickled."""
    if any(folder.glob("*.pkl")) or any(folder.glob("*.pickle")):
        raise UnsupportedIndexFormat(
            f"{folder} holds a legacy pickle index, which docqa no longer reads (loading pickle can "
            f"run arbitrary code); re-ingest the documents into a new index folder"
        )


def _read_manifest_file(version: Path) -> dict:
    path = version / store.MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorruptError(store.MANIFEST, f"missing in {version.name}, so the version is "
                                "incomplete") from None
    except (OSError, ValueError) as e:
        raise IndexCorruptError(store.MANIFEST, f"not readable JSON ({e})") from None
    missing = [field for field in REQUIRED if not isinstance(manifest, dict) or field not in manifest]
    if missing:
        raise IndexCorruptError(store.MANIFEST, f"missing field(s) {', '.join(missing)}")
    schema = manifest["schema_version"]
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        raise UnsupportedIndexFormat(
            f"index written by a newer version of docqa (schema {schema}, this version reads up to "
            f"{SCHEMA_VERSION}); upgrade docqa or {REBUILD_HINT}"
        )
    if schema < SCHEMA_VERSION:  # no older schema exists yet; a migration would go here
        raise UnsupportedIndexFormat(f"index schema {schema} is too old; {REBUILD_HINT}")
    if manifest["complete"] is not True:
        raise IndexCorruptError(store.MANIFEST, "the version is marked incomplete")
    return manifest


def check_compatible(manifest: dict, embedder: Embedder, chunker: dict) -> None:
    """StaleIndexError naming each field where the index differs from the running embedder/chunker."""
    expected = {
        "embed_model": embedder.model_name,
        "embed_dim": embedder.dim,
        "normalize_embeddings": True,
        "distance": "ip",
        "chunker": store.plain(chunker),
        "tokenizer": tok.info(),
    }
    wrong = [f"{field} {manifest[field]} ≠ {value}" for field, value in expected.items()
             if manifest[field] != value]
    if wrong:
        raise StaleIndexError(f"the index does not match the running settings ({'; '.join(wrong)}); "
                              f"{REBUILD_HINT} with the current embedder and settings")


def _verify_files(version: Path, manifest: dict) -> None:
    try:
        store.verify_files(version, manifest["files"])
    except store.FileProblem as e:
        raise IndexCorruptError(e.name, e.problem) from None
    except (KeyError, TypeError, AttributeError):
        raise IndexCorruptError(store.MANIFEST, "its file list is malformed") from None


def _read_chunks(version: Path) -> list[Chunk]:
    try:
        chunks = store.read_chunks(version / store.CHUNKS_FILE)
    except store.FileProblem as e:
        raise IndexCorruptError(e.name, e.problem) from None
    if len({c.id for c in chunks}) != len(chunks):
        raise IndexCorruptError(store.CHUNKS_FILE, "chunk ids are not unique")
    return chunks


def _read_pages(version: Path) -> dict[str, list[Page]]:
    try:
        return store.read_pages(version / store.PAGES_FILE)
    except store.FileProblem as e:
        raise IndexCorruptError(e.name, e.problem) from None


def _read_faiss(path: Path, manifest: dict, chunks: list[Chunk]):
    try:
        vectors = faiss.read_index(str(path))
    except RuntimeError as e:
        raise IndexCorruptError(store.FAISS_FILE, f"FAISS cannot read it ({e})") from None
    dim = manifest["embed_dim"]
    if vectors.d != dim:
        raise IndexCorruptError(store.FAISS_FILE, f"vectors have {vectors.d} dimensions, embed_dim is {dim}")
    if not vectors.ntotal == len(chunks) == manifest["n_vectors"]:
        raise IndexCorruptError(store.FAISS_FILE, f"{vectors.ntotal} vectors for {len(chunks)} chunks")
    return vectors


def _read_sentences(version: Path, manifest: dict, chunks: list[Chunk]) -> SentenceVectors | None:
    if sentences.SENTENCES_FILE not in manifest["files"]:
        return None
    try:
        return sentences.read(version / sentences.SENTENCES_FILE, chunks)
    except (RuntimeError, ValueError) as e:
        raise IndexCorruptError(sentences.SENTENCES_FILE, str(e)) from None


def _read_bm25(folder: Path, n_chunks: int):
    try:
        bm25 = bm25s.BM25.load(folder, mmap=False, allow_pickle=False, load_corpus=False,
                               show_progress=False)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise IndexCorruptError(store.BM25_DIR, f"bm25s cannot read it ({e})") from None
    if bm25.scores["num_docs"] != n_chunks:
        raise IndexCorruptError(store.BM25_DIR, f"{bm25.scores['num_docs']} rows for {n_chunks} chunks")
    return bm25


# --- writing ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _writer_lock(root: Path, timeout: float) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(store.locked(root, timeout))
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
    log.info("embedding %d new chunks, reusing %d", len(new_rows), len(chunks) - len(new_rows))
    if new_rows:
        fresh = np.ascontiguousarray(embedder.embed([chunks[r].text for r in new_rows]), dtype=np.float32)
        if fresh.shape != (len(new_rows), embedder.dim):
            expected = (len(new_rows), embedder.dim)
            raise ValueError(f"embedder returned shape {fresh.shape}, expected {expected}")
        faiss.normalize_L2(fresh)  # inner product is cosine only on unit vectors
        out[new_rows] = fresh
    return out


def _rewrite(root: Path, old: Index, embedder: Embedder, chunker: dict, documents: list[dict],
             chunks: list[Chunk], pages: dict[str, list[Page]], sentence_embedder=None) -> Index:
    """Build the new version in memory, write it, make it live; on failure the old one stays live."""
    manifest = store.new_manifest(embedder, chunker, documents)
    vectors = _vectors_for(old, chunks, embedder)
    dense = faiss.IndexFlatIP(embedder.dim)
    dense.add(vectors)
    bm25, tokens = None, store.bm25_tokens(chunks)
    if any(tokens):  # bm25s cannot index a corpus without a single token
        bm25 = bm25s.BM25()
        bm25.index(tokens, show_progress=False)
    manifest["n_vectors"] = len(chunks)
    sentence_embedder = sentence_embedder or sentences.sentence_embedder(chunker, embedder)
    sentence_vectors = sentences.build(old.sentences, chunks, sentence_embedder)
    extra = {sentences.SENTENCES_FILE: sentences.to_faiss(sentence_vectors, embedder.dim)}
    try:
        page_rows = [(d["doc"], page) for d in documents for page in pages.get(d["doc"], [])]
        version = store.write_version(root, dense, chunks, bm25, manifest, page_rows, extra)
    except Exception as e:
        full = isinstance(e, OSError) and e.errno == errno.ENOSPC
        problem = "disk full" if full else f"{type(e).__name__}: {e}"
        raise DocqaIndexError(f"could not save the index ({problem}); the previous index is kept") from e
    log.info("index version %s is live: %d chunks", version.name, len(chunks))
    try:
        store.prune(root, KEEP_PREVIOUS)
    except OSError as e:  # old versions left behind cost disk space, not correctness
        log.warning("could not remove old index versions: %s", e)
    return Index(chunks, dense, bm25, manifest, version.name, pages, sentence_vectors)
