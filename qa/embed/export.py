"""The ONNX Runtime copy of a model folder: BertModel + mean pooling + L2 norm, exported once and fused.

The graph has two outputs: `sentence_embedding` (what sentence-transformers computes) and
`token_embeddings` (the last hidden state, for pooling spans of a passage; late chunking was measured
and not adopted, see README). The int8 copy is built only when asked for.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

from qa.embed.base import quiet_hf_progress, steps

log = logging.getLogger(__name__)

ONNX_DIR = "onnx"
# v2: with token_embeddings, weights in a separate file (<name>.data) that ONNX Runtime memory-maps:
# the session loads in a tenth of the time and only the rows of the 250k-token embedding table a
# text uses become resident. The v1 files (model.onnx, model_int8.onnx) had the pooled output only,
# weights inside, and stay untouched for older checkouts sharing the cache.
ONNX_FP32 = "model-v2.onnx"  # fused BERT graph, float32: the same numbers as the torch model
ONNX_INT8 = "model-v2-int8.onnx"  # MatMul weights int8 per channel (dynamic quantisation), opt-in
DATA = ".data"  # suffix of the weights file beside each graph
ONNX_OPSET = 17
OUTPUTS = ("sentence_embedding", "token_embeddings")


def onnx_model(folder: Path, quantized: bool) -> Path:
    """The ONNX copy of a model folder built by build_model_folder, exported once on first use."""
    folder = Path(folder)
    fp32, int8 = folder / ONNX_DIR / ONNX_FP32, folder / ONNX_DIR / ONNX_INT8
    if not fp32.is_file():
        build_onnx(folder)
    if quantized and not int8.is_file():
        quantize(fp32, int8)
    return int8 if quantized else fp32


def build_onnx(folder: Path) -> None:
    """Export BertModel + mean pooling + L2 norm to ONNX and fuse it for ONNX Runtime."""
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    stage = Path(tempfile.mkdtemp(prefix=".onnx-", dir=folder))
    try:
        with steps("exporting the model to ONNX (one time)", 2) as bar:
            _export_onnx(folder, stage / "raw.onnx")
            bar.update()
            _fuse(stage / "raw.onnx", stage / ONNX_FP32, config)
            bar.update()
        (folder / ONNX_DIR).mkdir(exist_ok=True)
        _move_model(stage / ONNX_FP32, folder / ONNX_DIR / ONNX_FP32)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _move_model(src: Path, dest: Path) -> None:
    """Weights first, graph last: the graph's presence says the pair is whole (each move is atomic)."""
    os.replace(src.with_name(src.name + DATA), dest.with_name(dest.name + DATA))
    os.replace(src, dest)


def _fuse(raw: Path, out: Path, config: dict) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    with _quiet("onnxruntime.transformers"):
        fused = optimize_model(str(raw), model_type="bert", opt_level=1,
                               num_heads=config["num_attention_heads"], hidden_size=config["hidden_size"])
        # The weights file's name is stored in the graph, so it is named after the final file.
        fused.save_model_to_file(str(out), use_external_data_format=True)


def quantize(fp32: Path, out: Path) -> Path:
    """Dynamic int8, per-channel weights, MatMul only: embeddings, LayerNorm, attention softmax and
    GELU stay float32 (the fused Attention op keeps its float QKV weights too)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    stage = Path(tempfile.mkdtemp(prefix=".int8-", dir=out.parent))
    try:
        with steps("quantising the model to int8 (one time)", 1) as bar, _quiet("onnxruntime"):
            # The fused ops have no shape inference, hence the default type for their outputs.
            quantize_dynamic(fp32, stage / out.name, weight_type=QuantType.QInt8, per_channel=True,
                             op_types_to_quantize=["MatMul"], use_external_data_format=True,
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
            bar.update()
        _move_model(stage / out.name, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return out


class _quiet:
    """Loggers of the exporters at ERROR while they run: their INFO and WARNING lines (fusion
    statistics, "Quantization parameters for tensor … not specified") are not for users."""

    def __init__(self, *names: str):
        self.loggers = [logging.getLogger(n) for n in ("root", *names)]

    def __enter__(self):
        self.levels = [lg.level for lg in self.loggers]
        for lg in self.loggers:
            lg.setLevel(logging.ERROR)

    def __exit__(self, *exc):
        for lg, level in zip(self.loggers, self.levels, strict=True):
            lg.setLevel(level)


def _export_onnx(folder: Path, out: Path) -> None:
    import torch
    from transformers import BertModel

    class Pooled(torch.nn.Module):
        """What the sentence-transformers folder computes: mean over real tokens, then L2 norm;
        and the token vectors it was computed from."""

        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1), hidden

    with quiet_hf_progress():
        bert = BertModel.from_pretrained(str(folder), attn_implementation="eager").eval()
    names = ["input_ids", "attention_mask", "token_type_ids"]
    dummy = torch.ones(2, 16, dtype=torch.long)
    axes = {**{n: {0: "batch", 1: "tokens"} for n in names}, OUTPUTS[0]: {0: "batch"},
            OUTPUTS[1]: {0: "batch", 1: "tokens"}}
    # The tracer warns about Python control flow in transformers' code that does not depend on input
    # sizes here; nothing a user can act on.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Pooled(bert), (dummy, dummy, torch.zeros_like(dummy)), str(out), input_names=names,
                          output_names=list(OUTPUTS), dynamic_axes=axes, opset_version=ONNX_OPSET,
                          dynamo=False)
