"""Extractive answers: pick the sentences that answer, cite each, verify every citation in code."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ingest.layout import starts_unit
from ingest.records import Chunk, Page
from ingest.text import normalize, split_sentences, squash
from ingest.vocabulary import FRAME_TERMS, ITEM_REF
from qa.index.tokenize import tokenize
from qa.query import Query
from qa.records import Citation, Hit, label_of

PASSAGES_READ = 6  # top chunks whose sentences compete for the answer
MAX_SENTENCES = 3
SECOND_SENTENCE_RATIO = 0.8  # a further sentence must score this close to the best
PART_FLOOR = 0.4  # the best sentence for a further ask must still score this share of the best
PART_CONTEXT = 0.3  # weight of the rest of the question when scoring one ask
PART_PRIOR = 0.3  # how much the whole-question score still counts when choosing for one ask
MAX_SENTENCE_CHARS = 240  # a whole sentence longer than this (glued table rows): quote the piece alone
_NUMBER = re.compile(
    r"\d[\d,.]*\s*(?:%|％|件|名|人|社|団体|法人|組織|回|倍|千円|百万円|億円|万|円|者|校|URL)?"
)
_RATING = re.compile(r"(?<![A-Za-z])[SABCD](?![A-Za-z])")
_DATE = re.compile(r"\d+\s*月|\d+\s*日|年度末|上期|下期|四半期")
# How much each answer type rewards a sentence holding what the question asks for.
TYPE_BONUS = {"number": 0.6, "rating": 0.8, "when": 0.5}
FRAME_WEIGHT = 0.25  # weight of framing terms (fiscal years, the organisation's name)
# Question words and light verbs: they say what is asked, not what the answer contains.
_QUESTION_WORDS = {
    "何", "如何", "幾ら", "幾つ", "何時", "何処", "誰", "為る", "有る", "居る", "成る", "ある", "いる",
    "なる", "教える", "どの", "どう", "どれ", "どんな", "どのよう", "です", "ます", "か",
}
# "Ⅰ－１（セキュリティ対策の強化）", "項目Ⅲ": the item is steered by search, not matched in sentences.
_ITEM_REF = re.compile(ITEM_REF.pattern + r"(?:\s*[（(][^）)]*[）)])?")
EXPAND_LINES = 2  # lines a sentence may run on past its first line
_ENDED = re.compile(r"[。！？]\s*$")
_HEADING = re.compile(r"[＜<【\[［].*[＞>】\]］]")  # a bracketed heading line is not part of a sentence
DENSE_FLOOR, DENSE_SPAN = 0.7, 0.2  # e5 cosines live in about 0.75-0.90: stretch that to 0-1
LEXICAL_WEIGHT = {"ja": 0.15, "en": 0.35}  # English questions: BM25-style terms barely match
OVERVIEW_FACTOR = 0.85
_OVERALL = re.compile(r"全体|総合|総括|overall|as a whole", re.I)
RANK_DECAY = 0.15  # later passages must beat earlier ones on content, not ride on their rank


@dataclass(frozen=True)
class Sentence:
    text: str
    hit: Hit
    score: float


def _idf(index_df: dict[str, int], n_docs: int, token: str) -> float:
    df = index_df.get(token, 0)
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def content_tokens(query: Query) -> dict[str, float]:
    """Question terms with their weight: item references and fiscal years frame, they don't answer."""
    return _content(query.lexical)


def _content(text: str) -> dict[str, float]:
    text = _ITEM_REF.sub(" ", normalize(text))
    weights = {}
    for token in tokenize(text):
        if token in _QUESTION_WORDS:
            continue
        weights[token] = FRAME_WEIGHT if token in FRAME_TERMS or token.isdigit() and len(token) <= 2 else 1.0
    return weights


def _new_numbers(sentence: str, query: Query) -> int:
    """Numbers in the sentence that the question does not already hold (an answer adds facts)."""
    asked = set(re.findall(r"\d+", query.norm.replace(",", "")))
    found = set(re.findall(r"\d+", normalize(sentence).replace(",", "")))
    return len(found - asked)


def score_sentence(sentence: str, qtokens: dict[str, float], query: Query, idf) -> float:
    """Share of the question's weighted terms the sentence holds, plus what the answer type wants."""
    if not qtokens:
        return 0.0
    stoks = set(tokenize(sentence))
    total = sum(idf(t) * w for t, w in qtokens.items())
    covered = sum(idf(t) * w for t, w in qtokens.items() if t in stoks) / total if total else 0.0
    bonus = _type_bonus(sentence, query)
    # Fragments ("－", "評価") rarely answer anything, unless they hold what is asked ("評定：B").
    short = 1.0 if len(sentence) >= 12 or bonus > 0 else 0.5
    return (covered + bonus * covered) * short


def candidate_sentences(hits: list[Hit], query: Query, idf, sim=None, extra=()) -> list[Sentence]:
    """Sentences of the top passages (and of `extra` passages), scored. `sim(chunk_id, i)` is the
    question's cosine with sentence i of that chunk, when the index holds sentence vectors."""
    qtokens = content_tokens(query)
    out = []
    for rank, hit in enumerate([*hits[:PASSAGES_READ], *extra]):
        prior = 1.0 / (1.0 + RANK_DECAY * rank)
        for i, text in enumerate(split_sentences(hit.chunk.text)):
            lexical = score_sentence(text, qtokens, query, idf)
            if sim is not None:
                dense = max(0.0, (sim(hit.chunk.id, i) - DENSE_FLOOR) / DENSE_SPAN)
                lw = LEXICAL_WEIGHT[query.lang]
                lexical = lw * lexical + (1 - lw) * dense * (1 + _type_bonus(text, query))
            out.append(Sentence(text, hit, lexical * prior * _place(hit.chunk, query)))
    out.sort(key=lambda s: -s.score)
    return out


def _place(chunk: Chunk, query: Query) -> float:
    """The overview restates the items in brief: for a detail, prefer the item's own section."""
    if chunk.item == "overview" and query.kind != "rating" and not _OVERALL.search(query.norm):
        return OVERVIEW_FACTOR
    return 1.0


def _type_bonus(sentence: str, query: Query) -> float:
    if query.kind == "number":
        return TYPE_BONUS["number"] * min(1.0, _new_numbers(sentence, query) / 2)
    if query.kind == "rating" and _RATING.search(sentence):
        return TYPE_BONUS["rating"]
    if query.kind == "when" and _DATE.search(sentence):
        return TYPE_BONUS["when"]
    return 0.0


def pick(sentences: list[Sentence], query: Query, idf) -> list[Sentence]:
    """The best sentence; the best one for each further ask of the question; then near-ties."""
    if not sentences:
        return []
    chosen = [sentences[0]]
    floor = PART_FLOOR * sentences[0].score
    for part in query.parts:
        tokens = _part_tokens(part, query)
        rest = [s for s in sentences if s not in chosen]
        if not rest:
            break
        best = max(rest, key=lambda s: score_sentence(s.text, tokens, query, idf) + PART_PRIOR * s.score)
        if best.score >= floor:
            _add(chosen, best)
    for s in sentences[1:]:
        if len(chosen) >= MAX_SENTENCES or s.score < SECOND_SENTENCE_RATIO * chosen[0].score:
            break
        _add(chosen, s)
    return chosen[:MAX_SENTENCES]


def _part_tokens(part: str, query: Query) -> dict[str, float]:
    """The ask's own terms count fully; the rest of the question gives its topic."""
    weights = {t: PART_CONTEXT * w for t, w in content_tokens(query).items()}
    weights.update(_content(part))
    return weights


def _add(chosen: list[Sentence], s: Sentence) -> None:
    text = squash(s.text)
    if all(text not in squash(c.text) and squash(c.text) not in text for c in chosen):
        chosen.append(s)


def expand(quote: str, chunk: Chunk, pages: list[Page]) -> str:
    """The whole sentence around `quote` on its page: chunk edges and line breaks cut sentences."""
    for page in pages:
        if not chunk.page_start <= page.number <= chunk.page_end:
            continue
        lines = page.text.split("\n")
        for row, line in enumerate(lines):
            at = line.find(quote)
            if at >= 0:
                return _sentence_around(lines, row, at, len(quote)) or quote
    return quote


def _joint(left: str, right: str) -> str:
    """Japanese runs on without a space; a Latin letter or digit at the seam keeps one."""
    edge = left[-1:] + right[:1]
    return " " if any(c.isascii() and c.isalnum() for c in edge) else ""


def _sentence_around(lines: list[str], row: int, at: int, size: int) -> str:
    """Join the neighbouring lines a sentence runs over, then cut at the sentence ends around it."""
    text, at = lines[row], at
    if at == 0 and row > 0 and not _ENDED.search(lines[row - 1]) and not starts_unit(text) \
            and not _HEADING.fullmatch(lines[row - 1].strip()):
        head = lines[row - 1] + _joint(lines[row - 1], text)
        text, at = head + text, at + len(head)
    for nxt in lines[row + 1 : row + 1 + EXPAND_LINES]:
        if _ENDED.search(text[at + size - 1 :]) or starts_unit(nxt):
            break
        text += _joint(text, nxt) + nxt
    start = max(text.rfind(end, 0, at) for end in "。！？") + 1
    stops = [i for i in (text.find(end, at + size - 1) for end in "。！？") if i >= 0]
    whole = text[start : min(stops) + 1 if stops else len(text)].strip()
    return whole if len(whole) <= MAX_SENTENCE_CHARS else ""


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
        chunk, pages = s.hit.chunk, pages_by_doc.get(s.hit.chunk.doc, [])
        quote = expand(s.text, chunk, pages)
        page = locate(quote, chunk, pages)
        if page is None or any(squash(quote) == squash(c.quote) for c in out):
            continue
        out.append(Citation(len(out) + 1, chunk.doc, chunk.item, chunk.section, page, quote, chunk.id,
                            label_of(pages, page)))
    return out
