"""Ingest on Ray (qa.cluster): the plan cuts texts as the embedder batches them, the precomputed
embedder serves the cluster's vectors to the writer, and a Ray ingest on a local cluster writes the
same vectors as an in-process ingest."""

import numpy as np
import pytest

from qa.cluster import plan
from qa.cluster.precomputed import PrecomputedEmbedder
from qa.embed import FakeEmbedder, load_embedder
from qa.index import Index
from qa.pipeline import ingest_files
from qa.settings import Settings
from tests.helpers import TINY, CountingEmbedder, chunks_of


def test_groups_are_the_embedders_batches():
    texts = ["bb", "a", "cccc", "a", "ddd", "ee"]
    groups = plan.groups(plan.SENTENCES, texts, size=2)
    assert [g.texts for g in groups] == [("cccc", "ddd"), ("bb", "ee"), ("a",)]  # distinct, longest first
    assert [g.number for g in groups] == [0, 1, 2] and {g.kind for g in groups} == {plan.SENTENCES}


def test_sentence_texts_follow_the_writers_order():
    chunks = chunks_of("a.pdf", ["一つ目。二つ目。", "三つ目。"])
    assert plan.sentence_texts(chunks) == ["一つ目。", "二つ目。", "三つ目。"]


def test_precomputed_embedder_serves_its_table_and_embeds_only_what_it_lacks():
    inner = CountingEmbedder(8)
    table = dict(zip(["x", "y"], FakeEmbedder(8).embed(["x", "y"]), strict=True))
    embedder = PrecomputedEmbedder(inner, table)
    out = embedder.embed(["y", "z", "x", "z"])
    assert inner.embedded == ["z"] and embedder.missed == 1
    assert np.array_equal(out, FakeEmbedder(8).embed(["y", "z", "x", "z"]))
    embedder.embed(["q"], query=True)
    assert inner.embedded == ["z", "q"]


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray", reason="the scale extra (ray) is not installed")
    ray.init(num_cpus=2, object_store_memory=128 * 2**20, include_dashboard=False, log_to_driver=False,
             logging_level="ERROR")
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_ray_ingest_writes_the_vectors_of_an_in_process_ingest(local_ray, tmp_path):
    from qa.cluster.ray_ingest import ingest_files as ray_ingest_files

    embedder = load_embedder()
    here, there = Settings(index_dir=tmp_path / "here"), Settings(index_dir=tmp_path / "ray", ray_batch_size=32)
    assert not ingest_files([TINY], here, embedder).failed
    report = ray_ingest_files([TINY, tmp_path / "missing.pdf"], there, embedder)
    assert [f.status for f in report.files] == ["indexed", "failed"] and report.embedded > 0
    a, b = (Index.load(s.index_dir, embedder, s.chunker()) for s in (here, there))
    assert a.chunks == b.chunks and a.documents[0]["sha256"] == b.documents[0]["sha256"]
    assert np.array_equal(a.vectors.reconstruct_n(0, len(a.chunks)), b.vectors.reconstruct_n(0, len(b.chunks)))
    assert np.array_equal(a.sentences.vectors, b.sentences.vectors)
    again = ray_ingest_files([TINY], there, embedder)
    assert [f.status for f in again.files] == ["unchanged"] and again.embedded == 0


@pytest.mark.slow
def test_ray_ingest_into_qdrant(local_ray, tmp_path):
    pytest.importorskip("qdrant_client", reason="the scale extra (qdrant-client) is not installed")
    from qa.backends import open_index
    from qa.cluster.ray_ingest import ingest_files as ray_ingest_files

    embedder = load_embedder()
    here = Settings(index_dir=tmp_path / "index", backend="qdrant", qdrant_path=tmp_path / "here")
    there = here.model_copy(update={"qdrant_path": tmp_path / "there"})
    assert not ingest_files([TINY], here, embedder).failed
    assert not ray_ingest_files([TINY], there, embedder).failed
    a, b = open_index(here, embedder), open_index(there, embedder)
    assert a.chunks == b.chunks and len(a.chunks) > 0
    for chunk in a.chunks:
        assert np.array_equal(a.sentences.of(chunk.id), b.sentences.of(chunk.id))
        found_a = a.backend.search_dense(a.sentences.of(chunk.id)[0], 3)
        found_b = b.backend.search_dense(a.sentences.of(chunk.id)[0], 3)
        assert [(f.chunk, f.score) for f in found_a] == [(f.chunk, f.score) for f in found_b]
