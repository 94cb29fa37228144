"""Hybrid retrieval: dense and BM25 legs fused by weighted reciprocal rank fusion, steered by the query."""

from __future__ import annotations

import logging

from ingest.records import Chunk
from qa.backends.base import Found, Where
from qa.backends.local import as_backend
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
    # The legs come from the backend (index folder or Qdrant), filtered there; fusion stays here.
    backend = as_backend(index)
    where = Where(docs=tuple(docs) if docs else None, items=tuple(items) if items else None)
    dense_found = backend.search_dense(qvec, LEG_DEPTH, where)
    bm25_found = backend.search_lexical(tokenize(query.lexical), LEG_DEPTH, where)
    dense, bm25 = _ranks(dense_found), _ranks(bm25_found)
    cosine = {f.chunk.id: f.score for f in dense_found}
    found = {f.chunk.id: f for f in bm25_found + dense_found}
    weight = BM25_WEIGHT[query.lang]
    hits = []
    for cid in dense.keys() | bm25.keys():
        chunk = found[cid].chunk
        score = (_rrf(dense.get(cid)) + weight * _rrf(bm25.get(cid))) * _boost(chunk, query)
        hits.append(Hit(chunk, score, dense.get(cid), bm25.get(cid), float(cosine.get(cid, 0.0))))
    hits.sort(key=lambda h: (-h.score, _best(h), found[h.chunk.id].order))
    return hits[:k]


def _boost(chunk: Chunk, query: Query) -> float:
    if chunk.item in query.items:
        return ITEM_BOOST if query.items_explicit else TOPIC_BOOST
    return 1.0


def _ranks(results: list[Found]) -> dict[str, int]:
    return {f.chunk.id: rank for rank, f in enumerate(results, 1)}


def _rrf(rank: int | None) -> float:
    return 0.0 if rank is None else 1.0 / (RRF_K + rank)


def _best(hit: Hit) -> int:
    return min(r for r in (hit.dense_rank, hit.bm25_rank) if r is not None)
