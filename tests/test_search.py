"""Hybrid search (qa.search) on a toy corpus: exact BM25 and dense tops, and their fusion."""

import numpy as np
import pytest

from qa.embed import FakeEmbedder
from qa.index import (
    Index,
)
from qa.index.tokenize import tokenize
from qa.search import search
from tests.helpers import CHUNKER, TEXTS


@pytest.mark.parametrize(("query", "row"), [("中長期目標", 1), ("6,449,878千円", 0), ("273人", 2),
                                            ("GPUs deep", 3), ("budget 2.2", 4)])
def test_bm25_exact_top(root, built, query, row):
    index = Index.load(root, built, CHUNKER)
    assert [r for r, _ in index.search_bm25(tokenize(query), 5)] == [row]


@pytest.mark.parametrize("row", range(len(TEXTS)))
def test_dense_finds_identical_text_first(root, built, row):
    index = Index.load(root, built, CHUNKER)
    hits = index.search_dense(built.embed([TEXTS[row]], query=True)[0], 5)
    assert hits[0][0] == row and hits[0][1] == pytest.approx(1.0)
    assert len(hits) == 5 and [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_fused_search(root, built):
    index = Index.load(root, built, CHUNKER)
    hits = search(index, built, "研究開発法人の中長期目標の評定", k=3)
    assert hits[0].chunk.text == TEXTS[1]
    assert (hits[0].dense_rank, hits[0].bm25_rank) == (1, 1)
    assert hits[0].score == pytest.approx(2 / 61)
    assert len(hits) == 3 and all(h.bm25_rank is None for h in hits[1:])


def test_empty_index_searches_nothing():
    index = Index.empty(FakeEmbedder(8), CHUNKER)
    assert index.search_dense(np.ones(8, dtype=np.float32), 5) == []
    assert index.search_bm25(["x"], 5) == []
