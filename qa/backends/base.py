"""The search backend protocol: what qa.search needs from wherever the chunks are stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ingest.records import Chunk


@dataclass(frozen=True)
class Found:
    """One chunk a leg found: its score in that leg, and its ingest order (the last tie-break)."""

    chunk: Chunk
    score: float
    order: int


@dataclass(frozen=True)
class Where:
    """Filters on the chunk payload: only these docs / items (None: any)."""

    docs: tuple[str, ...] | None = None
    items: tuple[str, ...] | None = None

    def accepts(self, chunk: Chunk) -> bool:
        return (self.docs is None or chunk.doc in self.docs) and \
            (self.items is None or chunk.item in self.items)

    @property
    def empty(self) -> bool:
        return self.docs is None and self.items is None


ANYWHERE = Where()


class SearchBackend(Protocol):
    """Where chunk vectors and BM25 terms live: the index folder, or a Qdrant collection.

    The legs return the top-k chunks that pass `where`, best first; qa.search fuses them with its
    own weights and boosts. `search_hybrid` is the plain RRF fusion done by the backend itself.
    """

    name: str

    def add(self, docs: list, embedder, *, sentence_embedder=None, rebuild: bool = False) -> None:
        """Store each DocUpdate (replacing that doc's chunks), embedding only chunks not stored yet."""
        ...

    def delete_doc(self, doc: str) -> None:
        ...

    def search_dense(self, qvec: np.ndarray, k: int, where: Where = ANYWHERE) -> list[Found]:
        ...

    def search_lexical(self, tokens: list[str], k: int, where: Where = ANYWHERE) -> list[Found]:
        ...

    def search_hybrid(self, qvec: np.ndarray, tokens: list[str], k: int, where: Where = ANYWHERE,
                      *, depth: int = 50, rrf_k: int = 60) -> list[Found]:
        """Top-k by reciprocal rank fusion of both legs, each `depth` deep: sum of 1 / (rrf_k + rank)."""
        ...


def rrf_fuse(legs: list[list[Found]], k: int, rrf_k: int) -> list[Found]:
    """Reciprocal rank fusion of `legs` (ranks from 1), ties broken by ingest order."""
    scores: dict[str, float] = {}
    first: dict[str, Found] = {}
    for leg in legs:
        for rank, found in enumerate(leg, 1):
            scores[found.chunk.id] = scores.get(found.chunk.id, 0.0) + 1.0 / (rrf_k + rank)
            first.setdefault(found.chunk.id, found)
    ranked = sorted(scores, key=lambda cid: (-scores[cid], first[cid].order))
    return [Found(first[cid].chunk, scores[cid], first[cid].order) for cid in ranked[:k]]
