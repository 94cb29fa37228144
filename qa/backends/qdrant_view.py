"""What the Assistant reads from an index (chunks, pages, sentence vectors, manifest), served from Qdrant.

Vectors and BM25 terms stay in Qdrant: searches are requests. Pages and sentence vectors are fetched
when an answer needs them and kept in small caches. The chunk payloads are read once at start:
qa.assistant counts term document frequencies over every chunk and looks up rating passages by item.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterator, Mapping

import numpy as np

from ingest.records import Page
from qa.backends.qdrant import QdrantBackend
from qa.index import check_compatible, has_document

log = logging.getLogger(__name__)

PAGE_CACHE_DOCS = 64  # documents whose pages are kept (a 200-page report: ~0.5 MB)
SENTENCE_CACHE_CHUNKS = 8192  # chunks whose sentence vectors are kept (~8 kB each)


class _Lru(OrderedDict):
    def __init__(self, size: int, load):
        super().__init__()
        self.size, self.load = size, load

    def fetch(self, key):
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = self.load(key)
        if len(self) > self.size:
            self.popitem(last=False)
        return value


class LazyPages(Mapping):
    """doc -> its pages, fetched from the docs collection when first asked for."""

    def __init__(self, backend: QdrantBackend, docs: list[str]):
        self._docs, self._cache = list(docs), _Lru(PAGE_CACHE_DOCS, backend.pages)

    def __getitem__(self, doc: str) -> list[Page]:
        if doc not in self._docs:
            raise KeyError(doc)
        return self._cache.fetch(doc)

    def __iter__(self) -> Iterator[str]:
        return iter(self._docs)

    def __len__(self) -> int:
        return len(self._docs)


class LazySentences:
    """`of(chunk_id)`: that chunk's sentence vectors, as qa.index.sentences.SentenceVectors gives them."""

    def __init__(self, backend: QdrantBackend):
        self._cache = _Lru(SENTENCE_CACHE_CHUNKS, backend.sentence_vectors)

    def of(self, chunk_id: str) -> np.ndarray:
        return self._cache.fetch(chunk_id)


class QdrantIndex:
    """The Index interface qa.assistant, qa.search, the UI and the CLI use, over a Qdrant backend."""

    def __init__(self, backend: QdrantBackend, manifest: dict):
        self.backend, self.manifest, self.version = backend, manifest, None
        self.chunks = backend.all_chunks()
        self.rows = {chunk.id: row for row, chunk in enumerate(self.chunks)}
        docs = [d["doc"] for d in manifest["documents"]]
        self.pages = LazyPages(backend, docs)
        self.profiles = {doc: backend.profile(doc) for doc in docs}
        self.tables = {doc: backend.tables(doc) for doc in docs}
        self.sentences = LazySentences(backend)
        log.debug("opened Qdrant index %s: %d chunks", backend.name_, len(self.chunks))

    @classmethod
    def open(cls, backend: QdrantBackend, embedder, chunker: dict) -> QdrantIndex:
        """Refuses an index built with another embedder, chunker or tokenizer, as Index.load does."""
        manifest = backend.manifest()
        check_compatible(manifest, embedder, chunker)
        return cls(backend, manifest)

    @property
    def documents(self) -> list[dict]:
        return self.manifest["documents"]

    def has_document(self, doc: str, sha256: str) -> bool:
        return has_document(self.manifest, doc, sha256)
