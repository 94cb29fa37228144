"""Search backends: where chunk vectors and BM25 terms live (DOCQA_BACKEND).

- local (default): the index folder of qa.index, FAISS + bm25s, loaded into the process.
- qdrant: a Qdrant server (DOCQA_QDRANT_URL) or qdrant-client's local mode (DOCQA_QDRANT_PATH); the
  process holds no vectors, so replicas can serve one index side by side. Needs `docqa[scale]`.

Modules: base (the SearchBackend protocol, Found, Where), local, sparse (BM25 as Qdrant sparse
vectors), qdrant (the backend), qdrant_store (collections and paging), qdrant_view (what the
Assistant reads). qdrant-client is imported only when the qdrant backend is used.
"""

from __future__ import annotations

from qa.settings import Settings

__all__ = ["open_backend", "open_index", "read_manifest"]


def open_backend(settings: Settings, embedder):
    """The backend to write to (add, delete_doc) with these settings."""
    if settings.backend == "qdrant":
        from qa.backends.qdrant import QdrantBackend
        from qa.backends.qdrant_store import collection_name, connect

        return QdrantBackend(connect(settings), collection_name(settings), embedder=embedder,
                             chunker=settings.chunker())
    from qa.backends.local import LocalBackend

    return LocalBackend(root=settings.index_dir, embedder=embedder, chunker=settings.chunker(),
                        hnsw_threshold=settings.hnsw_threshold)


def open_index(settings: Settings, embedder):
    """The index to answer from: qa.index.Index (local) or a QdrantIndex; refuses a mismatched one."""
    if settings.backend == "qdrant":
        from qa.backends.qdrant_view import QdrantIndex

        return QdrantIndex.open(open_backend(settings, embedder), embedder, settings.chunker())
    from qa.index import Index

    return Index.load(settings.index_dir, embedder, settings.chunker())


def read_manifest(settings: Settings) -> dict:
    """The index's manifest with its documents, without loading vectors (docqa status)."""
    if settings.backend == "qdrant":
        return open_backend(settings, None).manifest()
    from qa.index import read_manifest as read_folder_manifest

    return read_folder_manifest(settings.index_dir)
