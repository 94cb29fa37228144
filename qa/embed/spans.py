"""Span pooling ("late chunking", Günther et al. 2024): vectors of parts of a passage taken from the
token vectors of one forward pass over the whole passage, so each part is read in its context and
costs no second pass.

A span's vector is the L2-normalised mean of the vectors of the tokens whose characters overlap it
(the tokenizer's offset mapping says which characters a token came from). Special tokens and the
prompt ("passage: ") belong to no span. A span with no token, or one cut by the token window, is
reported as missing so the caller can embed it on its own.
"""

from __future__ import annotations

import numpy as np


def pool_spans(hidden: np.ndarray, offsets: list[tuple[int, int]], special: list[int],
               spans: list[tuple[int, int]], shift: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, found) for `spans` of one passage.

    hidden: (tokens, dim) token vectors of the passage, padding already cut off.
    offsets: each token's (start, end) characters in the encoded string; special: 1 for <s>, </s>.
    spans: (start, end) characters in the passage text, which was encoded after a prompt of
    `shift` characters. found[i] is False for a span no token covers fully.
    """
    dim = hidden.shape[1]
    if not spans:
        return np.zeros((0, dim), np.float32), np.zeros(0, bool)
    real = np.asarray(special, dtype=bool) == 0
    starts = np.array([a for a, _ in offsets], dtype=np.int64) - shift
    ends = np.array([b for _, b in offsets], dtype=np.int64) - shift
    ends = np.maximum(ends, starts + 1)  # a zero-width token sits at its start character
    real &= ends > 0  # the prompt's tokens end before the passage starts
    lo = np.array([s for s, _ in spans], dtype=np.int64)[:, None]
    hi = np.array([e for _, e in spans], dtype=np.int64)[:, None]
    member = (starts[None, :] < hi) & (ends[None, :] > lo) & real[None, :]
    counts = member.sum(axis=1)
    seen_until = ends[real].max() if real.any() else 0
    found = (counts > 0) & (hi[:, 0] <= seen_until)
    sums = member.astype(np.float32) @ hidden.astype(np.float32)
    vectors = sums / np.maximum(counts, 1)[:, None]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms == 0, 1.0, norms)
    vectors[~found] = 0.0
    return vectors.astype(np.float32), found


def fill_missing(embedder, texts: list[str], spans: list[list[tuple[int, int]]],
                 pooled: list[np.ndarray], found: list[np.ndarray]) -> list[np.ndarray]:
    """Embed on its own every span pooling could not cover (past the token window)."""
    todo = [(t, i) for t, f in enumerate(found) for i in np.flatnonzero(~f)]
    if todo:
        alone = embedder.embed([texts[t][slice(*spans[t][i])] for t, i in todo])
        for (t, i), vec in zip(todo, alone, strict=True):
            pooled[t][i] = vec
    return pooled


def embed_spans_apart(embedder, texts: list[str],
                      spans: list[list[tuple[int, int]]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """embed_spans for any embedder: the passages, then every span embedded on its own."""
    pieces = [text[a:b] for text, parts in zip(texts, spans, strict=True) for a, b in parts]
    vectors = embedder.embed(list(texts) + pieces)
    out, row = [], len(texts)
    for parts in spans:
        out.append(vectors[row: row + len(parts)])
        row += len(parts)
    return vectors[: len(texts)], out
