"""The Embedder protocol, the fake one for unit tests, and what every implementation shares."""

from __future__ import annotations

import contextvars
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
TORCH_MODEL = "default-torch"  # the default model through sentence-transformers on torch
INT8_MODEL = "default-onnx-int8"  # ... through ONNX Runtime with int8 weights: faster, but see load_embedder
# model_name suffix of the int8 ONNX model: its vectors differ slightly. "-matmul": only MatMul weights
# are int8 (the older "+ort-int8" build quantised the attention too and is refused).
INT8_SUFFIX = "+ort-int8-matmul"
ONNX_BATCH = 16  # texts per ONNX Runtime call; measured on the sample report, 2 cores


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

def unique(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """Distinct texts in first-seen order, and for each input the row of its text among them.
    Reports repeat their headings and labels (「［主な成果等］」 62 times in the sample): embed once."""
    first: dict[str, int] = {}
    inverse = np.array([first.setdefault(t, len(first)) for t in texts], dtype=np.int64)
    return list(first), inverse


def length_batches(texts: list[str], size: int) -> list[np.ndarray]:
    """Row numbers in batches, longest text first, so each batch pads little."""
    order = np.argsort([-len(t) for t in texts], kind="stable")
    return [order[i : i + size] for i in range(0, len(texts), size)]


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


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


def bars_on() -> bool:
    """Progress bars only on a terminal: in a log file they are noise."""
    return sys.stderr.isatty()


_LABEL: contextvars.ContextVar[str | None] = contextvars.ContextVar("docqa_progress_label", default=None)


@contextmanager
def labelled(desc: str):
    """Name the embedding bars drawn inside in the caller's units ("545 chunks + 3,836 sentences"):
    the embedder itself only sees texts."""
    token = _LABEL.set(desc)
    try:
        yield
    finally:
        _LABEL.reset(token)


@contextmanager
def progress(total: int, unit: str = "text", desc: str = "embedding", min_total: int = PROGRESS_MIN_TEXTS):
    from tqdm import tqdm

    off = total < min_total or not bars_on()
    label = _LABEL.get() if desc == "embedding" else None
    with tqdm(total=total, unit=unit, desc=label or desc, disable=off, leave=False) as bar:
        yield bar


@contextmanager
def steps(desc: str, total: int):
    """One bar for a one-time job of a few steps (building the model, exporting it). Off a terminal,
    one log line instead."""
    from tqdm import tqdm

    if not bars_on():
        log.info("%s…", desc)
    with tqdm(total=total, unit="step", desc=desc, disable=not bars_on(), leave=False,
              bar_format="{desc}: {n}/{total} {bar} {elapsed}") as bar:
        yield bar
