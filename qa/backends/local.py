"""The default backend: the index folder (qa.index), FAISS for the dense leg and bm25s for the lexical one."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ingest.records import Chunk
from qa.backends.base import ANYWHERE, Found, Where, rrf_fuse
from qa.index.errors import IndexMissingError, StaleIndexError
from qa.index.manifest import check_compatible, read_manifest
from qa.settings import HNSW_THRESHOLD

if TYPE_CHECKING:
    from qa.index import DocUpdate, Index


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pending:
    """What `add` will embed, in the order it embeds it: chunk texts, and the chunks whose sentences."""

    chunks: list[Chunk]
    sentence_chunks: list[Chunk]


class LocalBackend:
    """The index folder at `root`. Searching needs the loaded `index`; writing needs root, embedder and
    chunker (every write is a new, checksummed version made live atomically: qa.index.write)."""

    name = "local"

    def __init__(self, index: Index | None = None, *, root: Path | None = None, embedder=None,
                 chunker: dict | None = None, hnsw_threshold: int = HNSW_THRESHOLD):
        self.index, self.root, self.embedder = index, root, embedder
        self.chunker, self.hnsw_threshold = chunker, hnsw_threshold

    # -- writing ---------------------------------------------------------------------------------
    def known_documents(self) -> dict[str, str]:
        """doc -> sha256 of what the index holds as it would be built now (same model and chunker)."""
        try:
            manifest = read_manifest(self.root)  # verified: a damaged index must not look "unchanged"
        except Exception:  # no index yet, or one we will refuse later with a clear message
            return {}
        try:
            check_compatible(manifest, self.embedder, self.chunker)
        except StaleIndexError:
            return {}  # written with other settings: updating it will say so and suggest --rebuild
        return {d["doc"]: d["sha256"] for d in manifest.get("documents", [])}

    def pending(self, docs: list[DocUpdate], *, rebuild: bool = False) -> Pending:
        """The chunks `add(docs)` would embed now (qa.index.write reuses vectors by chunk id)."""
        from qa.index import Index
        from qa.index.write import merge

        old = Index.empty(self.embedder, self.chunker) if rebuild else self._load_or_empty()
        _documents, chunks = merge(old.documents, old.chunks, docs)
        sentence_slices = old.sentences.slices if old.sentences is not None else {}
        return Pending([c for c in chunks if c.id not in old.rows],
                       [c for c in chunks if c.id not in sentence_slices])

    def add(self, docs: list[DocUpdate], embedder=None, *, sentence_embedder=None,
            rebuild: bool = False) -> None:
        from qa.index import update_index  # FAISS and bm25s load only when something is written

        self.index = update_index(self.root, embedder or self.embedder, self.chunker, docs,
                                  rebuild=rebuild, sentence_embedder=sentence_embedder,
                                  hnsw_threshold=self.hnsw_threshold)

    def delete_doc(self, doc: str) -> None:
        from qa.index import remove_document

        self.index = remove_document(self.root, self.embedder, self.chunker, doc,
                                     hnsw_threshold=self.hnsw_threshold)

    def _load_or_empty(self) -> Index:
        from qa.index import Index

        try:
            return Index.load(self.root, self.embedder, self.chunker)
        except IndexMissingError:
            return Index.empty(self.embedder, self.chunker)

    # -- searching -------------------------------------------------------------------------------
    def search_dense(self, qvec: np.ndarray, k: int, where: Where = ANYWHERE) -> list[Found]:
        return self._found(self.index.search_dense(qvec, k, self._rows(where)))

    def search_lexical(self, tokens: list[str], k: int, where: Where = ANYWHERE) -> list[Found]:
        return self._found(self.index.search_bm25(tokens, k, self._rows(where)))

    def search_hybrid(self, qvec: np.ndarray, tokens: list[str], k: int, where: Where = ANYWHERE,
                      *, depth: int = 50, rrf_k: int = 60) -> list[Found]:
        legs = [self.search_dense(qvec, depth, where), self.search_lexical(tokens, depth, where)]
        return rrf_fuse(legs, k, rrf_k)

    def _rows(self, where: Where) -> np.ndarray | None:
        return None if where.empty else self.index.rows_where(where.docs, where.items)

    def _found(self, results: list[tuple[int, float]]) -> list[Found]:
        return [Found(self.index.chunks[row], score, row) for row, score in results]


def as_backend(index):
    """The backend behind a loaded index: a Qdrant view carries its own, a folder index gets wrapped."""
    return getattr(index, "backend", None) or LocalBackend(index)
