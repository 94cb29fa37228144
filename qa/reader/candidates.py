"""Candidates for the answer: every sentence and every table row of the top passages, each with the
typed spans it holds and a feature vector (qa.reader.features) the learned model scores."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.tables import TableRow
from ingest.text import normalize, split_sentences, squash
from qa.query import Query, Vocabulary
from qa.reader.spans import Span
from qa.reader.terms import sentence_tokens
from qa.records import Hit

PASSAGES_READ = 8  # top passages whose sentences and rows compete for the answer


@dataclass(frozen=True)
class Context:
    """What the reader needs from the index besides the hits."""

    idf: Callable[[str], float]
    sim: Callable[[str, int], float] | None  # question cosine with sentence i of a chunk, if stored
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    tables: dict[tuple[str, int], list[TableRow]] = field(default_factory=dict)  # (doc, page) -> rows
    part_sims: tuple = ()  # per ask of a multi-part question: its own sim function
    tokens: Callable[[str], frozenset[str]] = frozenset  # lexical tokens of a text (qa.reader.terms.Tokens)
    # chunk_tokens by (section, text): every candidate of a passage asks for its chunk's tokens
    _chunks: dict = field(default_factory=dict, repr=False, compare=False)

    def chunk_tokens(self, chunk) -> frozenset[str]:
        """Tokens of a chunk's section path and all its sentences."""
        key = (chunk.section, chunk.text)
        out = self._chunks.get(key)
        if out is None:
            out = self._chunks[key] = self.tokens(chunk.section) | sentence_tokens(chunk.text, self.tokens)
        return out


@dataclass
class Candidate:
    text: str  # the sentence, or the row as printed
    hit: Hit
    rank: int  # the passage's rank among the hits read
    index: int  # the sentence's position in its chunk (for a row: the sentence that holds it)
    row: TableRow | None = None
    spans: tuple[Span, ...] = ()  # spans of the asked type that the question does not already hold
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    dense: float = 0.0  # the question's cosine with the sentence (the chunk's, when not stored)

    @property
    def key(self) -> str:
        return squashed(self.text)


def gather(hits: list[Hit], ctx: Context, extra: list[Hit] = ()) -> list[Candidate]:
    """Sentences and table rows of the top passages (and of `extra` passages), unscored."""
    out: list[Candidate] = []
    for rank, hit in enumerate([*hits[:PASSAGES_READ], *extra]):
        sentences = split_sentences(hit.chunk.text)
        for i, text in enumerate(sentences):
            dense = ctx.sim(hit.chunk.id, i) if ctx.sim is not None else hit.dense_score
            out.append(Candidate(text, hit, rank, i, dense=dense))
        out += _rows(hit, rank, sentences, ctx)
    return out


def _rows(hit: Hit, rank: int, sentences: list[str], ctx: Context) -> list[Candidate]:
    """Table rows printed inside this passage, each tied to the sentence that holds it."""
    chunk = hit.chunk
    flat = [squashed(s) for s in sentences]
    out = []
    for page in range(chunk.page_start, chunk.page_end + 1):
        for row in ctx.tables.get((chunk.doc, page), []):
            key = squashed(row.line)
            at = next((i for i, s in enumerate(flat) if key and key in s), None)
            if at is None:
                continue
            dense = ctx.sim(chunk.id, at) if ctx.sim is not None else hit.dense_score
            out.append(Candidate(row.line, hit, rank, at, row=row, dense=dense))
    return out


def dedupe(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per text: chunks overlap, so a sentence often comes back from two passages;
    the better-ranked passage keeps it."""
    seen, out = set(), []
    for c in sorted(candidates, key=lambda c: c.rank):
        key = (c.key, c.row is not None)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def for_query(query: Query) -> str:
    """The kind whose spans candidates are searched for."""
    return query.answer.kind


# Candidate texts in normal form, cached: the same sentences and table rows come back for every ask of
# a question and for many questions. Sentences only: whole pages and documents go to ingest.text.
@functools.lru_cache(maxsize=1 << 14)
def squashed(text: str) -> str:
    return squash(text)


@functools.lru_cache(maxsize=1 << 14)
def normalized(text: str) -> str:
    return normalize(text)
