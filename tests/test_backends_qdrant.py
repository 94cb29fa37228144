"""The Qdrant backend (qa.backends.qdrant, qdrant_store, qdrant_view) on qdrant-client's local mode:
the same chunks, scores and answers as the index folder; idempotent upserts; changed documents lose
their old points. With DOCQA_QDRANT_URL set, the same checks run against that server too."""

import os
import uuid

import numpy as np
import pytest

from ingest.text import split_sentences
from qa.assistant import Assistant
from qa.backends.base import Where, rrf_fuse
from qa.backends.local import as_backend
from qa.embed import FakeEmbedder
from qa.index import DocUpdate, Index, StaleIndexError
from qa.index.tokenize import tokenize
from qa.pipeline import ingest_files
from qa.settings import DEFAULT_SET, ROOT, Settings
from tests.helpers import CHUNKER, REPORT_TXT, TINY, doc_update, update

qdrant_client = pytest.importorskip("qdrant_client", reason="the scale extra (qdrant-client) is not installed")

from qa.backends.qdrant import QdrantBackend  # noqa: E402
from qa.backends.qdrant_view import QdrantIndex  # noqa: E402
from qa.cluster.precomputed import PrecomputedEmbedder  # noqa: E402


def memory_backend(embedder, name="t") -> QdrantBackend:
    return QdrantBackend(qdrant_client.QdrantClient(location=":memory:"), name, embedder=embedder,
                         chunker=CHUNKER)


def qdrant_settings(tmp_path, **kw) -> Settings:
    return Settings(index_dir=tmp_path / "index", backend="qdrant", qdrant_path=tmp_path / "qdrant", **kw)


def test_same_legs_as_the_index_folder(root):
    from qa.index import update_index

    embedder = FakeEmbedder(32)
    lines = list(dict.fromkeys(ln.strip() for ln in REPORT_TXT.read_text().splitlines() if len(ln.strip()) > 20))
    docs = [update("a.pdf", lines[:60], "sha-a"), update("b.pdf", lines[60:120], "sha-b")]

    local = as_backend(update_index(root, embedder, CHUNKER, docs))
    remote = memory_backend(embedder)
    remote.add(docs)
    qvec = embedder.embed(["情報セキュリティ対策の推進"], query=True)[0]
    tokens = tokenize("情報セキュリティ対策の推進")
    for where in (Where(), Where(docs=("b.pdf",)), Where(items=("I-1",))):
        same_ranking(local.search_dense(qvec, 10, where), remote.search_dense(qvec, 10, where))
        same_ranking(local.search_lexical(tokens, 10, where), remote.search_lexical(tokens, 10, where))
    # Server-side RRF (Qdrant's k pinned) scores as docqa's RRF with k = 60 over the same legs.
    legs = [remote.search_dense(qvec, 20), remote.search_lexical(tokens, 20)]
    same_ranking(rrf_fuse(legs, 10, rrf_k=60), remote.search_hybrid(qvec, tokens, 10, depth=20))


def same_ranking(a, b):
    """Equal scores rank by rank; equal chunks wherever the scores do not tie (ties: any order)."""
    assert len(a) == len(b) and [f.score for f in b] == pytest.approx([f.score for f in a], rel=1e-5)
    last = a[-1].score * (1 + 1e-5) if a else 0
    assert {f.chunk for f in a if f.score > last} == {f.chunk for f in b if f.score > last}


def test_upserts_are_idempotent_and_changed_documents_lose_old_points():
    embedder = FakeEmbedder(32)
    backend = memory_backend(embedder)
    backend.add([update()])
    backend.add([update()])
    assert backend.client.count("t").count == 5 and backend.client.count("t_sentences").count == 5
    assert backend.pending([update()]).chunks == []
    changed = update(texts=["売上高は6,449,878千円であった。", "新しい段落。"], sha="sha-a2")
    backend.add([changed])
    ids = {c.id for c in backend.all_chunks()}
    assert ids == {c.id for c in changed.chunks}
    assert backend.client.count("t_sentences").count == 2
    assert backend.known_documents() == {"a.pdf": "sha-a2"}
    backend.add([update("b.pdf", ["別の報告書"], "sha-b")])
    backend.delete_doc("a.pdf")
    assert [c.doc for c in backend.all_chunks()] == ["b.pdf"]
    assert [d["doc"] for d in backend.manifest()["documents"]] == ["b.pdf"]


def test_reused_vectors_are_not_embedded_again():
    from tests.helpers import CountingEmbedder

    embedder = CountingEmbedder(32)
    backend = memory_backend(embedder)
    backend.add([update()])
    embedder.embedded.clear()
    backend.add([update(texts=["売上高は6,449,878千円であった。", "新しい段落。"], sha="sha-a2")])
    assert embedder.embedded == ["新しい段落。", "新しい段落。"]  # one chunk text, one sentence


def test_another_model_is_refused():
    backend = memory_backend(FakeEmbedder(32))
    backend.add([update()])
    with pytest.raises(StaleIndexError):
        QdrantIndex.open(backend, FakeEmbedder(16), CHUNKER)
    with pytest.raises(StaleIndexError):
        backend.add([update()], FakeEmbedder(16))


def test_tiny_pdf_answers_as_from_the_folder(tmp_path):
    """The whole path, DOCQA_BACKEND=qdrant: ingest, status, answers with citations."""
    from qa.backends import read_manifest

    embedder = FakeEmbedder(32)
    local, remote = Settings(index_dir=tmp_path / "folder"), qdrant_settings(tmp_path)
    for settings in (local, remote):
        assert [f.status for f in ingest_files([TINY], settings, embedder).files] == ["indexed"]
    assert [f.status for f in ingest_files([TINY], remote, embedder).files] == ["unchanged"]
    assert read_manifest(remote)["n_vectors"] == read_manifest(local)["n_vectors"]
    a = Assistant.load(settings=local, embedder=embedder)
    b = Assistant.load(settings=remote, embedder=embedder)
    assert isinstance(b.index, QdrantIndex) and b.index.chunks == a.index.chunks
    assert dict(b.index.pages) == dict(a.index.pages)
    assert b.index.profiles == a.index.profiles and b.index.tables == a.index.tables
    assert a.index.profiles["tiny.pdf"].items  # the tiny report's items were read: not a vacuous match
    for chunk in a.index.chunks:
        assert np.allclose(b.index.sentences.of(chunk.id), a.index.sentences.of(chunk.id), atol=1e-6)
    for question in ("What is the budget?", "評価の結果", "職員の人数"):
        x, y = a.ask(question), b.ask(question)
        assert (y.text, y.refused, y.pages) == (x.text, x.refused, x.pages)


def test_local_mode_is_one_process_and_says_so(tmp_path):
    import subprocess
    import sys

    from qa.backends.qdrant_store import connect

    settings = qdrant_settings(tmp_path)
    connect(settings)
    code = ("from pathlib import Path; from qa.settings import Settings; from qa.backends.qdrant_store "
            f"import connect; connect(Settings(backend='qdrant', qdrant_path=Path({str(settings.qdrant_path)!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode != 0 and "Local mode serves one process" in out.stderr


@pytest.mark.skipif(not os.environ.get("DOCQA_QDRANT_URL"), reason="no Qdrant server (DOCQA_QDRANT_URL)")
def test_a_real_server():
    embedder = FakeEmbedder(32)
    name = f"docqa_test_{uuid.uuid4().hex[:8]}"
    client = qdrant_client.QdrantClient(url=os.environ["DOCQA_QDRANT_URL"])
    backend = QdrantBackend(client, name, embedder=embedder, chunker=CHUNKER)
    try:
        docs = [doc_update(1, 20), doc_update(2, 20)]
        backend.add(docs)
        backend.add(docs)  # idempotent
        assert client.count(name).count == 40
        qvec = embedder.embed(["報告書2の第3段落"], query=True)[0]
        found = backend.search_dense(qvec, 5, Where(docs=("d2.pdf",)))
        assert len(found) == 5 and all(f.chunk.doc == "d2.pdf" for f in found)
        assert backend.search_lexical(tokenize("職員は3人"), 5)
        assert len(backend.search_hybrid(qvec, tokenize("職員は3人"), 5)) == 5
        backend.delete_doc("d1.pdf")
        assert client.count(name).count == 20
        view = QdrantIndex.open(backend, embedder, CHUNKER)
        assert len(view.chunks) == 20 and view.pages["d2.pdf"] == []
    finally:
        for suffix in ("", "_sentences", "_docs"):
            client.delete_collection(name + suffix)


# -- the sample report, real embedder -------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_pair(sample_index):
    """The sample index and a Qdrant copy of it built from its own vectors (no second embedding)."""
    from qa.embed import load_embedder

    settings = Settings(index_dir=sample_index)
    embedder = load_embedder(settings.embed_model)
    index = Index.load(sample_index, embedder, settings.chunker())
    chunk_vectors = {c.text: index.vector(row) for row, c in enumerate(index.chunks)}
    sentence_vectors = {s: v for c in index.chunks
                        for s, v in zip(split_sentences(c.text), index.sentences.of(c.id), strict=True)}
    docs = [DocUpdate(d["doc"], d["path"], d["sha256"], d["n_pages"],
                      [c for c in index.chunks if c.doc == d["doc"]], pages=tuple(index.pages[d["doc"]]),
                      profile=index.profiles.get(d["doc"]), tables=tuple(index.tables.get(d["doc"], ())))
            for d in index.documents]
    backend = QdrantBackend(qdrant_client.QdrantClient(location=":memory:"), "sample", embedder=embedder,
                            chunker=settings.chunker())
    chunks, sentences = (PrecomputedEmbedder(embedder, t) for t in (chunk_vectors, sentence_vectors))
    backend.add(docs, chunks, sentence_embedder=sentences)
    assert chunks.missed == sentences.missed == 0
    view = QdrantIndex.open(backend, embedder, settings.chunker())
    return Assistant(index, embedder, settings), Assistant(view, embedder, settings)


@pytest.mark.slow
def test_sample_top10_overlap_with_the_folder(sample_pair):
    from qa.evaluation.metrics import load_set
    from qa.search import search

    local, remote = sample_pair
    overlaps = []
    for path in (DEFAULT_SET, ROOT / "eval" / "user-ipa.jsonl"):
        for row in load_set(path):
            a = {h.chunk.id for h in search(local.index, local.embedder, row.question, k=10)}
            b = {h.chunk.id for h in search(remote.index, remote.embedder, row.question, k=10)}
            overlaps.append(len(a & b) / 10)
    assert np.mean(overlaps) >= 0.9 and min(overlaps) >= 0.7


@pytest.mark.slow
@pytest.mark.parametrize("set_name", ["qa.jsonl", "user-ipa.jsonl"])
def test_sample_dev_metrics_within_002_of_the_folder(sample_pair, set_name, tmp_path):
    from qa.evaluation.metrics import compute_metrics, load_set
    from qa.evaluation.runner import GATED, answer_row, run_eval

    rows = load_set(ROOT / "eval" / set_name)
    metrics = []
    for assistant in sample_pair:
        results = run_eval(rows, lambda q, a=assistant: answer_row(a.ask(q)), tmp_path / "results.jsonl")
        metrics.append(compute_metrics(rows, results, list(assistant.index.pages["report.pdf"]))["overall"])
    local, remote = metrics
    for name in GATED:
        if local.get(name) is not None:
            assert abs(remote[name] - local[name]) <= 0.02, name
