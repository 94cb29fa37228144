"""Sentence vectors (qa.index.sentences): stored with the index, one per sentence of each chunk."""

import numpy as np

from qa.embed import FakeEmbedder
from qa.index import (
    Index,
)
from tests.helpers import CHUNKER


def test_sentence_vectors_round_trip_and_match_their_chunks(root, built):
    index = Index.load(root, built, CHUNKER)
    assert index.sentences is not None
    for chunk in index.chunks:
        from ingest.text import split_sentences

        expected = built.inner.embed(split_sentences(chunk.text))
        assert np.allclose(index.sentences.of(chunk.id), expected, atol=1e-6)


def test_sentence_model_int8_applies_only_to_the_default_model():
    from qa.index.sentences import sentence_embedder

    fake = FakeEmbedder(16)
    assert sentence_embedder({"sentence_model": "int8"}, fake) is fake
    assert sentence_embedder({"sentence_model": "same"}, fake) is fake
    assert sentence_embedder({}, fake) is fake
