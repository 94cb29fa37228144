"""docqa's Japanese BM25 as Qdrant sparse vectors: the tokens stay docqa's own (qa.index.tokenize),
Qdrant multiplies in the IDF (Modifier.IDF) and sums the products.

A document's value for a term is bm25s's term-frequency part, tf / (tf + K1 * (1 - B + B * len / avgdl));
a query's value is how often the term occurs in the question; Qdrant's IDF is Lucene's,
ln(1 + (N - df + 0.5) / (df + 0.5)), as bm25s's. So the scores equal the local backend's.
Term ids are a hash of the token: stable across processes and collections, no vocabulary to keep
in step; two tokens share an id about once in 2^32 / vocabulary² (a few pairs at 200k terms).
"""

from __future__ import annotations

import hashlib
from collections import Counter

K1, B = 1.5, 0.75  # bm25s.BM25() defaults, which qa.index.write uses (a test holds them equal)


def term_id(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "little")


def doc_vector(tokens: list[str], avgdl: float) -> tuple[list[int], list[float]]:
    """(indices, values) of one chunk's tokens."""
    counts = Counter(term_id(t) for t in tokens)
    norm = K1 * (1 - B + B * len(tokens) / avgdl) if avgdl > 0 else K1
    ids = sorted(counts)
    return ids, [counts[i] / (counts[i] + norm) for i in ids]


def query_vector(tokens: list[str]) -> tuple[list[int], list[float]]:
    """(indices, values) of a question's tokens: a repeated token counts twice, as in bm25s."""
    counts = Counter(term_id(t) for t in tokens)
    ids = sorted(counts)
    return ids, [float(counts[i]) for i in ids]


def bm25_totals(stats: dict, removed: tuple[int, int], added_lengths: list[int]) -> dict:
    """Chunk and token totals after replacing `removed` by chunks of `added_lengths` tokens. Points
    written earlier keep the average length of their time; the drift is small once a few reports are in."""
    chunks = stats["chunks"] - removed[0] + len(added_lengths)
    tokens = stats["tokens"] - removed[1] + sum(added_lengths)
    return {"chunks": chunks, "tokens": tokens, "avgdl": tokens / chunks if chunks else 0.0}
