"""An Embedder that answers from vectors computed elsewhere (the Ray actors), so the index writer
stays the one that writes: it asks for the texts it would embed and gets those vectors back."""

from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger(__name__)


class PrecomputedEmbedder:
    """Vectors by text from `table`; texts it lacks (the index changed since the plan) are embedded
    by `fallback`, here. Queries always go to `fallback`."""

    def __init__(self, fallback, table: dict[str, np.ndarray]):
        self.fallback, self.table = fallback, table
        self.model_name, self.dim = fallback.model_name, fallback.dim
        self.missed = 0

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        if query:
            return self.fallback.embed(texts, query=True)
        missing = [t for t in dict.fromkeys(texts) if t not in self.table]
        if missing:
            log.warning("%d texts were not embedded by the cluster; embedding them here", len(missing))
            self.missed += len(missing)
            self.table.update(zip(missing, self.fallback.embed(missing), strict=True))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self.table[text]
        return out
