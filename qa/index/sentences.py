"""Sentence vectors, made at ingest: answers pick sentences by their similarity to the question, and
embedding them per query would cost more than the whole search.

Three ways, recorded in the index's chunker settings ("sentences", qa.settings.SENTENCE_METHODS):
- "separate": every sentence embedded again on its own, as a passage (2.2x the tokens of the chunks).
- "int8": the same, by the int8 build of the default model (qa.embed.export.quantize): the sentence
  pass in about half the time; the chunk vectors, and so retrieval, stay float32.
- "spans" (late chunking): the chunk's one forward pass also gives each sentence's vector, the mean
  of its tokens' vectors read in the chunk's context (qa.embed.spans). No second pass.
Whichever way, the question's vector from the embed model is what they are compared with.
"""

from __future__ import annotations

import logging
from pathlib import Path

import faiss
import numpy as np

from ingest.records import Chunk
from ingest.text import split_sentences
from qa.embed import Embedder
from qa.embed.base import labelled

log = logging.getLogger(__name__)

SENTENCES_FILE = "sentences.faiss"  # one vector per split_sentences() piece, chunks in row order
SPANS = "spans-v1"  # chunker["sentences"] of late chunking (qa.settings.SENTENCE_METHODS)
INT8 = "int8-v1"  # ... of sentences embedded apart by the int8 build


class SentenceVectors:
    """Vectors of every chunk's sentences; `of(chunk_id)` gives that chunk's, in sentence order."""

    def __init__(self, chunks: list[Chunk], vectors: np.ndarray):
        self.vectors = vectors
        self.slices: dict[str, tuple[int, int]] = {}
        start = 0
        for chunk in chunks:
            stop = start + len(split_sentences(chunk.text))
            self.slices[chunk.id] = (start, stop)
            start = stop
        if start != len(vectors):
            raise ValueError(f"{len(vectors)} sentence vectors for {start} sentences")

    def of(self, chunk_id: str) -> np.ndarray:
        start, stop = self.slices[chunk_id]
        return self.vectors[start:stop]


def sentence_embedder(chunker: dict, embedder: Embedder) -> Embedder:
    """The model whose vector of a question is compared with the sentence vectors: the embed model
    itself, whichever way the sentences were made (the int8 build's vectors are within 0.997 cosine
    of the float model's, and one question vector is cheaper than two)."""
    return embedder


def sentence_model(chunker: dict, embedder: Embedder) -> Embedder:
    """The model that embeds sentences apart at ingest: the int8 build when the settings ask for it
    and `embedder` is the default float model; else `embedder` itself."""
    from qa.embed import quantized_twin

    return quantized_twin(embedder) if chunker.get("sentences") == INT8 else embedder


def locate(text: str, sentences: list[str]) -> list[tuple[int, int]] | None:
    """Each sentence's (start, end) characters in `text`, in order; None if one is not found there
    as it is (split_sentences strips pieces of lines, so today each one is)."""
    spans, cursor = [], 0
    for sentence in sentences:
        start = text.find(sentence, cursor)
        if start < 0:
            return None
        cursor = start + len(sentence)
        spans.append((start, cursor))
    return spans


def embed_chunks(chunks: list[Chunk], embedder: Embedder, method: str,
                 apart: Embedder | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
    """Chunk vectors and, per chunk, its sentences' vectors, made the way `method` says; `apart`
    embeds sentences on their own (default: sentence_model())."""
    texts = [c.text for c in chunks]
    pieces = [split_sentences(t) for t in texts]
    with labelled(f"embedding {len(texts):,} chunks + {sum(map(len, pieces)):,} sentences"):
        return _embed_chunks(texts, pieces, embedder, method, apart)


def _embed_chunks(texts: list[str], pieces: list[list[str]], embedder: Embedder, method: str,
                  apart: Embedder | None) -> tuple[np.ndarray, list[np.ndarray]]:
    apart = apart or sentence_model({"sentences": method}, embedder)
    if apart is not embedder:
        return embedder.embed(texts), _apart(apart, [], pieces)[1]
    spans = [locate(t, p) for t, p in zip(texts, pieces, strict=True)]
    if method != SPANS or not hasattr(embedder, "embed_spans"):
        return _apart(embedder, texts, pieces)
    lost = [i for i, s in enumerate(spans) if s is None]
    if lost:  # never seen; but a sentence not found in its chunk must not get a wrong vector
        log.warning("%d chunks: sentences not found in the chunk text; embedding them apart", len(lost))
    kept = [i for i, s in enumerate(spans) if s is not None]
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    out: list = [None] * len(texts)
    if kept:
        vectors[kept], pooled = embedder.embed_spans([texts[i] for i in kept], [spans[i] for i in kept])
        for i, vecs in zip(kept, pooled, strict=True):
            out[i] = vecs
    if lost:
        vectors[lost], apart = _apart(embedder, [texts[i] for i in lost], [pieces[i] for i in lost])
        for i, vecs in zip(lost, apart, strict=True):
            out[i] = vecs
    return vectors, out


def _apart(embedder: Embedder, texts: list[str], pieces: list[list[str]]):
    """Chunks and their sentences in one call (one progress bar), each sentence as its own passage."""
    flat = [sentence for sentences in pieces for sentence in sentences]
    vectors = embedder.embed(texts + flat) if texts or flat else np.zeros((0, embedder.dim), np.float32)
    out, row = [], len(texts)
    for sentences in pieces:
        out.append(vectors[row: row + len(sentences)])
        row += len(sentences)
    return vectors[: len(texts)], out


def to_faiss(sv: SentenceVectors, dim: int) -> faiss.Index:
    index = faiss.IndexFlatIP(dim)
    if len(sv.vectors):
        index.add(sv.vectors)
    return index


def read(path: Path, chunks: list[Chunk]) -> SentenceVectors:
    """Raises ValueError when the file does not hold one vector per sentence of `chunks`."""
    index = faiss.read_index(str(path))
    vectors = index.reconstruct_n(0, index.ntotal) if index.ntotal else np.zeros((0, index.d), "float32")
    return SentenceVectors(chunks, vectors)
