"""The backend protocol and the local backend (qa.backends.base, qa.backends.local), the HNSW switch
(qa.index.dense) and the filtered, partial-sort legs of qa.index.read."""

import bm25s
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.backends.base import Found, Where, rrf_fuse
from qa.backends.local import LocalBackend, as_backend
from qa.backends.sparse import K1, B, doc_vector, query_vector, term_id
from qa.embed import FakeEmbedder
from qa.index import Index, read_manifest, update_index
from qa.index.read import _top
from qa.index.tokenize import tokenize
from tests.helpers import CHUNKER, chunks_of, doc_update, update


@given(st.lists(st.integers(0, 5), max_size=40), st.integers(1, 12))
def test_top_equals_a_stable_full_sort(values, k):
    scores = np.array(values, dtype=np.float32)
    expected = [(int(r), float(scores[r])) for r in np.argsort(-scores, kind="stable")[:k]]
    assert _top(scores, k) == expected


def test_top_names_rows_of_a_subset():
    scores = np.array([0.1, 0.9, 0.5], dtype=np.float32)
    assert _top(scores, 2, np.array([7, 3, 5])) == [(3, pytest.approx(0.9)), (5, pytest.approx(0.5))]


def test_rrf_fuse_sums_reciprocal_ranks_and_breaks_ties_by_order():
    a, b, c = (chunks_of("a.pdf", [t])[0] for t in ("一", "二", "三"))
    dense = [Found(a, 0.9, 2), Found(b, 0.8, 0)]
    lexical = [Found(c, 5.0, 1), Found(b, 4.0, 0)]
    fused = rrf_fuse([dense, lexical], k=3, rrf_k=60)
    assert [f.chunk for f in fused] == [b, c, a]  # b: 2/62; a and c tie at 1/61, c is older
    assert fused[0].score == pytest.approx(2 / 62)


@pytest.fixture
def two_docs(root) -> Index:
    embedder = FakeEmbedder(32)
    return update_index(root, embedder, CHUNKER, [doc_update(1, 30), doc_update(2, 30)])


def test_filtered_legs_equal_filtering_a_full_ranking(two_docs):
    """What qa.search used to do with an item filter: rank everything, keep the filter's, cut to k."""
    index, embedder = two_docs, FakeEmbedder(32)
    backend, where = as_backend(index), Where(docs=("d2.pdf",))
    qvec = embedder.embed(["報告書2の第3段落"], query=True)[0]
    full = [(r, s) for r, s in index.search_dense(qvec, len(index.chunks)) if index.chunks[r].doc == "d2.pdf"]
    found = backend.search_dense(qvec, 10, where)
    # Scores equal; rows too, except where the fake embedder's vectors tie exactly (any order is right).
    assert [f.score for f in found] == pytest.approx([s for _, s in full[:10]], abs=1e-6)
    assert {f.order for f in found if f.score > found[-1].score + 1e-6} == \
        {r for r, s in full[:10] if s > found[-1].score + 1e-6}
    assert all(f.chunk.doc == "d2.pdf" for f in found)
    tokens = tokenize("職員は3人")
    full = [(r, s) for r, s in index.search_bm25(tokens, len(index.chunks)) if index.chunks[r].doc == "d2.pdf"]
    assert [(f.order, f.score) for f in backend.search_lexical(tokens, 10, where)] == full[:10]


def test_items_filter_keeps_only_those_items(two_docs):
    found = as_backend(two_docs).search_lexical(tokenize("売上高"), 50, Where(items=("II",)))
    assert found == []  # every test chunk is item I-1
    assert as_backend(two_docs).search_lexical(tokenize("売上高"), 50, Where(items=("I-1",)))


def test_hybrid_fuses_the_two_legs(two_docs):
    embedder = FakeEmbedder(32)
    backend = as_backend(two_docs)
    qvec, tokens = embedder.embed(["職員は7人"], query=True)[0], tokenize("職員は7人")
    fused = backend.search_hybrid(qvec, tokens, 5, depth=20)
    expected = rrf_fuse([backend.search_dense(qvec, 20), backend.search_lexical(tokens, 20)], 5, 60)
    assert fused == expected and len(fused) == 5


def test_local_backend_writes_through_the_index_writer(root):
    embedder = FakeEmbedder(32)
    backend = LocalBackend(root=root, embedder=embedder, chunker=CHUNKER)
    assert backend.known_documents() == {}
    assert len(backend.pending([update()]).chunks) == 5
    backend.add([update()])
    assert backend.known_documents() == {"a.pdf": "sha-a"}
    assert backend.pending([update()]).chunks == []  # stored vectors are reused by chunk id
    backend.delete_doc("a.pdf")
    assert read_manifest(root)["documents"] == []


def test_above_the_threshold_the_dense_index_is_hnsw(root):
    embedder = FakeEmbedder(32)
    docs = [doc_update(n, 40) for n in range(5)]
    hnsw = update_index(root, embedder, CHUNKER, docs, hnsw_threshold=100)
    manifest = read_manifest(root)
    assert manifest["dense_index"]["type"] == "hnsw" and manifest["dense_index"]["threshold"] == 100
    loaded = Index.load(root, embedder, CHUNKER)
    assert type(loaded.vectors).__name__ == "IndexHNSWFlat"
    flat = update_index(root.parent / "flat", embedder, CHUNKER, docs)
    assert read_manifest(root.parent / "flat")["dense_index"] == {"type": "flat"}
    qvecs = embedder.embed([f"報告書{n}の第{n}段落" for n in range(5)], query=True)
    for q in qvecs:  # 200 vectors: the graph search finds (nearly) the exact top 10
        exact = flat.search_dense(q, 10)
        assert [s for _, s in loaded.search_dense(q, 10)] == pytest.approx([s for _, s in exact], abs=1e-6)
        assert loaded.search_dense(q, 10) == hnsw.search_dense(q, 10)


def test_a_manifest_that_names_another_index_type_is_refused(root):
    import json

    from qa.index import IndexCorruptError
    from tests.helpers import live

    update_index(root, FakeEmbedder(32), CHUNKER, [update()])
    path = live(root) / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["dense_index"] = {"type": "hnsw"}
    path.write_text(json.dumps(manifest))  # the manifest is not in its own checksum list
    with pytest.raises(IndexCorruptError, match="hnsw"):
        Index.load(root, FakeEmbedder(32), CHUNKER)


def test_sparse_bm25_constants_are_bm25s_defaults():
    model = bm25s.BM25()
    assert (model.k1, model.b) == (K1, B)


def test_sparse_vectors_score_as_bm25s_does():
    """With Qdrant's IDF (Lucene's, as bm25s) multiplied in, the dot product equals bm25s's score."""
    corpus = [["a", "b"], ["b", "c", "c"], ["d"]]
    model = bm25s.BM25()
    model.index(corpus, show_progress=False)
    avgdl = sum(map(len, corpus)) / len(corpus)
    query = ["c", "b", "c"]
    qi, qv = query_vector(query)
    for row, doc in enumerate(corpus):
        di, dv = doc_vector(doc, avgdl)
        weights = dict(zip(di, dv, strict=True))
        df = {t: sum(t in d for d in corpus) for t in set(query)}
        idf = {term_id(t): np.log(1 + (3 - n + 0.5) / (n + 0.5)) for t, n in df.items()}
        score = sum(v * weights.get(i, 0.0) * idf[i] for i, v in zip(qi, qv, strict=True))
        assert score == pytest.approx(model.get_scores(query)[row], rel=1e-5)


def test_term_ids_are_stable():
    assert term_id("中長期目標") == term_id("中長期目標") != term_id("中長期")
    assert 0 <= term_id("x") < 2**32
