"""The ONNX Runtime copy of a model folder: BertModel + mean pooling + L2 norm, exported once and fused."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from qa.embed.base import quiet_hf_progress

log = logging.getLogger(__name__)

ONNX_DIR = "onnx"
ONNX_FP32 = "model.onnx"  # fused BERT graph, float32: the same numbers as the torch model
ONNX_INT8 = "model_int8.onnx"  # MatMul/Attention weights int8 (dynamic quantisation), per channel
ONNX_OPSET = 17


def onnx_model(folder: Path, quantized: bool) -> Path:
    """The ONNX copy of a model folder built by build_model_folder, exported once on first use."""
    path = Path(folder) / ONNX_DIR / (ONNX_INT8 if quantized else ONNX_FP32)
    if not path.is_file():
        log.info("exporting the embedding model to ONNX (one time)…")
        build_onnx(Path(folder))
    return path


def build_onnx(folder: Path) -> None:
    """Export BertModel + mean pooling + L2 norm to ONNX, fuse it for ONNX Runtime, quantise a copy."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    stage = Path(tempfile.mkdtemp(prefix=".onnx-", dir=folder))
    try:
        _export_onnx(folder, stage / "raw.onnx")
        fused = optimize_model(str(stage / "raw.onnx"), model_type="bert", opt_level=1,
                               num_heads=config["num_attention_heads"], hidden_size=config["hidden_size"])
        fused.save_model_to_file(str(stage / ONNX_FP32))
        # The fused Attention ops have no shape inference, hence the default type for their outputs.
        quantize_dynamic(stage / ONNX_FP32, stage / ONNX_INT8, weight_type=QuantType.QInt8,
                         per_channel=True, op_types_to_quantize=["MatMul", "Attention"],
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        (folder / ONNX_DIR).mkdir(exist_ok=True)
        for name in (ONNX_FP32, ONNX_INT8):
            os.replace(stage / name, folder / ONNX_DIR / name)  # atomic: whole files or none
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _export_onnx(folder: Path, out: Path) -> None:
    import torch
    from transformers import BertModel

    class Pooled(torch.nn.Module):
        """What the sentence-transformers folder computes: mean over real tokens, then L2 norm."""

        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    with quiet_hf_progress():
        bert = BertModel.from_pretrained(str(folder), attn_implementation="eager").eval()
    names = ["input_ids", "attention_mask", "token_type_ids"]
    dummy = torch.ones(2, 16, dtype=torch.long)
    axes = {**{n: {0: "batch", 1: "tokens"} for n in names}, "sentence_embedding": {0: "batch"}}
    with torch.no_grad():
        torch.onnx.export(Pooled(bert), (dummy, dummy, torch.zeros_like(dummy)), str(out), input_names=names,
                          output_names=["sentence_embedding"], dynamic_axes=axes, opset_version=ONNX_OPSET,
                          dynamo=False)
