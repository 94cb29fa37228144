"""Plain hybrid search for `docqa search`: dense and BM25 legs fused by reciprocal rank fusion."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ingest.records import Chunk
from qa.embed import Embedder
from qa.index import Index
from qa.tokenize import tokenize

log = logging.getLogger(__name__)

RRF_K = 60  # the constant from Cormack et al.; damps the weight of the very top ranks
LEG_DEPTH = 50  # candidates taken from each leg before fusion


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused RRF score: sum of 1 / (RRF_K + rank) over the legs that found the chunk
    dense_rank: int | None  # 1-based rank in the dense leg, None when outside its top LEG_DEPTH
    bm25_rank: int | None


def search(index: Index, embedder: Embedder, question: str, k: int = 10) -> list[Hit]:
    """Top-k chunks for `question`, best first."""
    qvec = embedder.embed([question], query=True)[0]
    dense = _ranks(index.search_dense(qvec, LEG_DEPTH))
    bm25 = _ranks(index.search_bm25(tokenize(question), LEG_DEPTH))
    hits = [
        Hit(index.chunks[row], _rrf(dense.get(row)) + _rrf(bm25.get(row)), dense.get(row), bm25.get(row))
        for row in dense.keys() | bm25.keys()
    ]
    # Ties (a chunk found by one leg only, at equal ranks) go to the better single rank, then row order.
    hits.sort(key=lambda h: (-h.score, _best(h), index.rows[h.chunk.id]))
    return hits[:k]


def _ranks(results: list[tuple[int, float]]) -> dict[int, int]:
    return {row: rank for rank, (row, _score) in enumerate(results, 1)}


def _rrf(rank: int | None) -> float:
    return 0.0 if rank is None else 1.0 / (RRF_K + rank)


def _best(hit: Hit) -> int:
    return min(r for r in (hit.dense_rank, hit.bm25_rank) if r is not None)
