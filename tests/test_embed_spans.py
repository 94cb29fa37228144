"""Span pooling (qa.embed.spans): which tokens belong to which span, and what happens past the window."""

import numpy as np
import pytest

from qa.embed import FakeEmbedder
from qa.embed.spans import embed_spans_apart, fill_missing, pool_spans
from qa.index.sentences import locate

PROMPT = "passage: "


def _tokens(offsets):
    """One-hot token vectors, so a pooled vector shows exactly which tokens it averaged."""
    return np.eye(len(offsets), dtype=np.float32)


def test_each_span_averages_the_tokens_that_overlap_it():
    # <s> ▁passage : ▁ 売上 は 。「 Ａ 」 </s>  over "passage: 売上は。「Ａ」"
    offsets = [(0, 0), (0, 7), (7, 8), (8, 9), (9, 11), (11, 12), (12, 14), (14, 15), (15, 16), (0, 0)]
    special = [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    text = "売上は。「Ａ」"
    spans = locate(text, ["売上は。", "「Ａ」"])
    assert spans == [(0, 4), (4, 7)]
    vectors, found = pool_spans(_tokens(offsets), offsets, special, spans, shift=len(PROMPT))
    assert found.tolist() == [True, True]
    # "。「" straddles both sentences: it counts in each. The prompt and <s> </s> count in neither.
    assert np.flatnonzero(vectors[0]).tolist() == [4, 5, 6]
    assert np.flatnonzero(vectors[1]).tolist() == [6, 7, 8]
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)


def test_a_span_past_the_token_window_is_missing_and_filled_alone():
    offsets = [(0, 0), (0, 2), (2, 4), (0, 0)]  # the text was cut after 4 characters
    text = "ABCD。EFGH。"
    spans = locate(text, ["ABCD。", "EFGH。"])
    vectors, found = pool_spans(_tokens(offsets), offsets, [1, 0, 0, 1], spans)
    assert found.tolist() == [False, False]  # the first one lost its 。, the second everything
    assert not vectors.any()
    fake = FakeEmbedder(4)  # the width of the one-hot token vectors
    filled = fill_missing(fake, [text], [spans], [vectors], [found])[0]
    assert np.allclose(filled, fake.embed(["ABCD。", "EFGH。"]))


def test_no_spans():
    vectors, found = pool_spans(np.ones((3, 4), np.float32), [(0, 0), (0, 1), (0, 0)], [1, 0, 1], [])
    assert vectors.shape == (0, 4) and found.shape == (0,)


def test_locate_finds_repeated_sentences_in_order_and_refuses_strangers():
    assert locate("A。\nA。", ["A。", "A。"]) == [(0, 2), (3, 5)]
    assert locate("A。B。", ["B。", "A。"]) is None
    assert locate("A。", ["C。"]) is None


@pytest.mark.parametrize("texts", [["一。二。", "三。"], []])
def test_apart_is_the_passage_then_each_span_alone(texts):
    fake = FakeEmbedder(8)
    spans = [locate(t, [p + "。" for p in t.split("。") if p]) for t in texts]
    passages, pieces = embed_spans_apart(fake, texts, spans)
    assert passages.shape == (len(texts), 8)
    for text, parts, got in zip(texts, spans, pieces, strict=True):
        assert np.allclose(got, fake.embed([text[a:b] for a, b in parts]))
