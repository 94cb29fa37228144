"""Sentence vectors (qa.index.sentences): stored with the index, one per sentence of each chunk."""

import numpy as np
import pytest

from ingest.text import split_sentences
from qa.embed import FakeEmbedder
from qa.index import Index
from qa.index.sentences import INT8, SPANS, embed_chunks, sentence_embedder, sentence_model
from tests.helpers import CHUNKER, chunks_of


def test_sentence_vectors_round_trip_and_match_their_chunks(root, built):
    index = Index.load(root, built, CHUNKER)
    assert index.sentences is not None
    for chunk in index.chunks:
        expected = built.inner.embed(split_sentences(chunk.text))
        assert np.allclose(index.sentences.of(chunk.id), expected, atol=1e-6)


class SpanCounting(FakeEmbedder):
    """Counts passes: embed_spans is one pass per chunk, embed one per text."""

    def __init__(self):
        super().__init__(16)
        self.passes = 0

    def embed(self, texts, *, query=False):
        self.passes += len(texts)
        return super().embed(texts, query=query)

    def embed_spans(self, texts, spans):
        self.passes += len(texts)
        pieces = [FakeEmbedder.embed(self, [t[a:b] for a, b in s]) for t, s in zip(texts, spans, strict=True)]
        return FakeEmbedder.embed(self, texts), pieces


CHUNKS = chunks_of("a.pdf", ["売上は増えた。費用は減った。", "職員は273人。\n評定：A", "一文だけ。"])


@pytest.mark.parametrize("method", [SPANS, "separate-v1", INT8])
def test_every_method_gives_one_vector_per_sentence(method):
    embedder = SpanCounting()
    vectors, per_chunk = embed_chunks(CHUNKS, embedder, method)
    assert vectors.shape == (3, 16)
    assert [len(v) for v in per_chunk] == [len(split_sentences(c.text)) for c in CHUNKS]
    for chunk, vecs in zip(CHUNKS, per_chunk, strict=True):
        assert np.allclose(vecs, FakeEmbedder(16).embed(split_sentences(chunk.text)))
    # spans: one pass per chunk; apart: the chunks, then their five sentences in the same call
    assert embedder.passes == (3 if method == SPANS else 3 + 5)


def test_the_int8_twin_embeds_sentences_only_for_the_default_model():
    fake = FakeEmbedder(16)
    assert sentence_model({"sentences": INT8}, fake) is fake
    assert sentence_model({"sentences": SPANS}, fake) is fake
    assert sentence_embedder({"sentences": INT8}, fake) is fake  # questions: always the embed model


def test_a_separate_sentence_model_embeds_the_sentences_alone():
    chunks_model, sentences_model = SpanCounting(), SpanCounting()
    vectors, per_chunk = embed_chunks(CHUNKS, chunks_model, INT8, apart=sentences_model)
    assert chunks_model.passes == 3 and sentences_model.passes == 5
    assert sum(map(len, per_chunk)) == 5
