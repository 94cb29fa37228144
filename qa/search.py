"""Hybrid retrieval: dense and BM25 legs fused by weighted reciprocal rank fusion, steered by the query."""

from __future__ import annotations

import logging

from ingest.records import Chunk
from qa.embed import Embedder
from qa.index import Index
from qa.index.tokenize import tokenize
from qa.query import Query, analyse
from qa.records import Hit

log = logging.getLogger(__name__)

RRF_K = 60  # the constant from Cormack et al.; damps the weight of the very top ranks
LEG_DEPTH = 50  # candidates taken from each leg before fusion
# BM25 on Japanese text cannot match English words: English questions lean on the dense leg.
BM25_WEIGHT = {"ja": 1.0, "en": 0.5}  # English: BM25 sees only glossary terms and names
ITEM_BOOST = 1.5  # a chunk of an item the question names by number
TOPIC_BOOST = 1.15  # a chunk of an item the question names by topic only


def search(index: Index, embedder: Embedder, question: str | Query, k: int = 10,
           items: tuple[str, ...] | None = None, qvec=None, docs: tuple[str, ...] | None = None) -> list[Hit]:
    """Top-k chunks for `question`, best first; `items` restricts to those items, `docs` to those
    documents (Chunk.doc, the file name)."""
    query = question if isinstance(question, Query) else analyse(question)
    if qvec is None:
        qvec = embedder.embed([query.text], query=True)[0]
    keep = _keeper(items, docs)
    # With a filter, each leg ranks everything first: the filter keeps LEG_DEPTH of what it lets through.
    depth = len(index.chunks) if keep else LEG_DEPTH
    dense_results = index.search_dense(qvec, depth)
    dense = _ranks(dense_results, index, keep)
    cosine = dict(dense_results)
    bm25 = _ranks(index.search_bm25(tokenize(query.lexical), depth), index, keep)
    weight = BM25_WEIGHT[query.lang]
    hits = []
    for row in dense.keys() | bm25.keys():
        chunk = index.chunks[row]
        score = (_rrf(dense.get(row)) + weight * _rrf(bm25.get(row))) * _boost(chunk, query)
        hits.append(Hit(chunk, score, dense.get(row), bm25.get(row), float(cosine.get(row, 0.0))))
    hits.sort(key=lambda h: (-h.score, _best(h), index.rows[h.chunk.id]))
    return hits[:k]


def _boost(chunk: Chunk, query: Query) -> float:
    if chunk.item in query.items:
        return ITEM_BOOST if query.items_explicit else TOPIC_BOOST
    return 1.0


def _keeper(items, docs):
    """The filter a chunk must pass, or None when nothing is filtered."""
    if not items and not docs:
        return None
    return lambda chunk: (not items or chunk.item in items) and (not docs or chunk.doc in docs)


def _ranks(results: list[tuple[int, float]], index: Index, keep) -> dict[int, int]:
    if keep:
        results = [(row, s) for row, s in results if keep(index.chunks[row])][:LEG_DEPTH]
    return {row: rank for rank, (row, _score) in enumerate(results, 1)}


def _rrf(rank: int | None) -> float:
    return 0.0 if rank is None else 1.0 / (RRF_K + rank)


def _best(hit: Hit) -> int:
    return min(r for r in (hit.dense_rank, hit.bm25_rank) if r is not None)
