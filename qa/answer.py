"""Extractive answers: pick the sentences that answer, cite each, verify every citation in code."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ingest.records import Chunk, Page
from ingest.text import squash
from qa.query import Query
from qa.records import Citation
from qa.search import Hit
from qa.tokenize import tokenize

PASSAGES_READ = 6  # top chunks whose sentences compete for the answer
MAX_SENTENCES = 2
SECOND_SENTENCE_RATIO = 0.75  # a second sentence must score this close to the best
MAX_SENTENCE_CHARS = 240  # longer runs (table rows glued together) are cut around the match
_SENTENCE_END = re.compile(r"(?<=[。！？])")
_NUMBER = re.compile(
    r"\d[\d,.]*\s*(?:%|％|件|名|人|社|団体|法人|組織|回|倍|千円|百万円|億円|万|円|者|校|URL)?"
)
_RATING = re.compile(r"(?<![A-Za-z])[SABCD](?![A-Za-z])")
_DATE = re.compile(r"\d+\s*月|\d+\s*日|年度末|上期|下期|四半期")
# How much each answer type rewards a sentence holding what the question asks for.
TYPE_BONUS = {"number": 0.6, "rating": 0.8, "when": 0.5}
RANK_DECAY = 0.15  # later passages must beat earlier ones on content, not ride on their rank


@dataclass(frozen=True)
class Sentence:
    text: str
    hit: Hit
    rank: int  # 0-based rank of its passage
    score: float


def split_sentences(text: str) -> list[str]:
    """Lines, then 。-ended sentences inside each line; empty pieces dropped."""
    out = []
    for line in text.split("\n"):
        out.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return out


def _idf(index_df: dict[str, int], n_docs: int, token: str) -> float:
    df = index_df.get(token, 0)
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def score_sentence(sentence: str, qtokens: set[str], query: Query, idf) -> float:
    """Share of the question's weighted terms the sentence holds, plus what the answer type wants."""
    if not qtokens:
        return 0.0
    stoks = set(tokenize(sentence))
    total = sum(idf(t) for t in qtokens)
    covered = sum(idf(t) for t in qtokens & stoks) / total if total else 0.0
    bonus = 0.0
    if query.kind == "number" and _NUMBER.search(sentence):
        bonus = TYPE_BONUS["number"] * min(1.0, len(_NUMBER.findall(sentence)) / 2)
    elif query.kind == "rating" and _RATING.search(sentence):
        bonus = TYPE_BONUS["rating"]
    elif query.kind == "when" and _DATE.search(sentence):
        bonus = TYPE_BONUS["when"]
    short = 1.0 if len(sentence) >= 12 else 0.5  # fragments ("－", "評価") rarely answer anything
    return (covered + bonus * covered) * short


def candidate_sentences(hits: list[Hit], query: Query, idf) -> list[Sentence]:
    qtokens = set(tokenize(query.text))
    out = []
    for rank, hit in enumerate(hits[:PASSAGES_READ]):
        prior = 1.0 / (1.0 + RANK_DECAY * rank)
        for text in split_sentences(hit.chunk.text):
            out.append(Sentence(text, hit, rank, score_sentence(text, qtokens, query, idf) * prior))
    out.sort(key=lambda s: -s.score)
    return out


def pick(sentences: list[Sentence]) -> list[Sentence]:
    """The best sentence, and a second when it is nearly as good and says something else."""
    if not sentences:
        return []
    chosen = [sentences[0]]
    for s in sentences[1:]:
        if len(chosen) == MAX_SENTENCES or s.score < SECOND_SENTENCE_RATIO * chosen[0].score:
            break
        if squash(s.text) not in squash(chosen[0].text) and squash(chosen[0].text) not in squash(s.text):
            chosen.append(s)
    return chosen


def locate(quote: str, chunk: Chunk, pages: list[Page]) -> int | None:
    """The page of `chunk` that holds `quote`, or None: the check behind every citation."""
    needle = squash(quote)
    for page in pages:
        if chunk.page_start <= page.number <= chunk.page_end and needle in squash(page.text):
            return page.number
    return None


def cite(sentences: list[Sentence], pages_by_doc: dict[str, list[Page]]) -> list[Citation]:
    """Citations for the sentences whose text is verified on a page of their chunk; others dropped."""
    out: list[Citation] = []
    for s in sentences:
        chunk = s.hit.chunk
        page = locate(s.text, chunk, pages_by_doc.get(chunk.doc, []))
        if page is None:
            continue
        out.append(Citation(len(out) + 1, chunk.doc, chunk.item, chunk.section, page, s.text, chunk.id))
    return out
