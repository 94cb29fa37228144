"""The FAISS index of chunk vectors: exact (flat) up to a size, HNSW above it; manifest field
"dense_index" says which. Flat search costs O(N) per query (a 250k-chunk corpus: tens of ms per leg);
HNSW costs O(log N) at a small loss of recall, measured by `docqa bench --scale`."""

from __future__ import annotations

import faiss
import numpy as np

FLAT = {"type": "flat"}
HNSW_M = 32  # graph neighbours per vector: FAISS's usual choice for 384-dim text vectors
HNSW_EF_CONSTRUCTION = 80  # build-time beam; higher builds slower for little recall here
# Query-time beam (at least k). e5 similarities crowd together: on the bench's 100k synthetic chunks
# recall@50 was 0.64 at 128, 0.86 at 512 (6 ms a query), 0.91 at 1024 (11 ms); flat took ~90 ms.
HNSW_EF_SEARCH = 512


def build(vectors: np.ndarray, dim: int, hnsw_threshold: int) -> tuple[faiss.Index, dict]:
    """The index for these L2-normalised vectors and its manifest entry: flat up to
    `hnsw_threshold` vectors, HNSW (inner product) above."""
    if len(vectors) <= hnsw_threshold:
        index, spec = faiss.IndexFlatIP(dim), dict(FLAT)
    else:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction, index.hnsw.efSearch = HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH
        spec = {"type": "hnsw", "m": HNSW_M, "ef_construction": HNSW_EF_CONSTRUCTION,
                "ef_search": HNSW_EF_SEARCH, "threshold": hnsw_threshold}
    if len(vectors):
        index.add(vectors)
    return index, spec


def check(index: faiss.Index, spec: dict) -> str:
    """Why the index read from disk is not the kind the manifest records, or ''."""
    kind = spec.get("type")
    if kind == "flat" and isinstance(index, faiss.IndexFlat):
        return ""
    if kind == "hnsw" and isinstance(index, faiss.IndexHNSWFlat):
        index.hnsw.efSearch = int(spec.get("ef_search", HNSW_EF_SEARCH))
        return ""
    return f"the manifest records a {kind!r} index, the file holds {type(index).__name__}"


def search_params(index: faiss.Index, k: int):
    """HNSW: a beam at least k wide, or it cannot return k results."""
    if isinstance(index, faiss.IndexHNSWFlat):
        return faiss.SearchParametersHNSW(efSearch=max(index.hnsw.efSearch, k))
    return None


def stored(index: faiss.Index) -> np.ndarray:
    """The stored vectors as an (n, d) array, without a copy (flat and HNSWFlat keep them plain)."""
    flat = faiss.downcast_index(index.storage) if isinstance(index, faiss.IndexHNSWFlat) else index
    n, d = flat.ntotal, flat.d
    if n == 0:
        return np.zeros((0, d), dtype=np.float32)
    return faiss.rev_swig_ptr(flat.get_xb(), n * d).reshape(n, d)
