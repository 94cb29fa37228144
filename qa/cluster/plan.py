"""The embedding work of one ingest, cut the way the embedder itself cuts it.

An embedder batches distinct texts longest first (qa.embed.base.unique, length_batches), and a text's
vector depends, in its last bits, on the padding of its batch. So the cluster embeds the same batches:
each group below is one model batch, and groups go to the actors in order; an actor embeds whole
groups, one kind at a time, so every text meets the padding it would meet in one process.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.records import Chunk
from ingest.text import split_sentences
from qa.embed.base import ONNX_BATCH, length_batches, unique

CHUNKS, SENTENCES = 0, 1  # the kinds of text: chunk texts (embed model), sentences (sentence model)


@dataclass(frozen=True)
class Group:
    kind: int
    number: int
    texts: tuple[str, ...]


def group_size(embedder) -> int:
    """Texts per model batch: the embedder's own batch size (ONNX and sentence-transformers have one)."""
    return int(getattr(embedder, "batch_size", ONNX_BATCH))


def groups(kind: int, texts: list[str], size: int) -> list[Group]:
    distinct, _ = unique(texts)
    return [Group(kind, n, tuple(distinct[i] for i in rows))
            for n, rows in enumerate(length_batches(distinct, size))]


def sentence_texts(chunks: list[Chunk]) -> list[str]:
    """The sentences the writer embeds for these chunks, in its order (qa.index.sentences.build)."""
    return [s for chunk in chunks for s in split_sentences(chunk.text)]
