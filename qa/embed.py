"""Embedders: the Embedder protocol and its implementations."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Embedder(Protocol):
    model_name: str  # recorded in the index manifest; a mismatch refuses the index
    dim: int

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        """Return float32 (len(texts), dim), L2-normalised. `query` picks the e5 "query: " prompt."""
        ...


class FakeEmbedder:
    """Deterministic hashed bag of characters, L2-normalised: for fast unit tests of ranking logic."""

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.model_name = f"fake-chars-{dim}"

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        import zlib

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for ch in text:
                out[row, zlib.crc32(ch.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)
