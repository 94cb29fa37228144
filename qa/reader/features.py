"""The features the answer model weighs for each candidate sentence or table row. Every one is a
plain number; which matter and how much is learned (qa.reader.train), not set by hand."""

from __future__ import annotations

import re

from ingest.layout import starts_unit
from ingest.text import normalize, split_sentences, squash
from ingest.vocabulary import OVERVIEW, YEAR, western_year
from qa.query import Query
from qa.reader.candidates import Candidate, Context, normalized
from qa.reader.spans import Span, spans
from qa.reader.terms import Coverage, coverage
from qa.reader.types import LIST_COUNTERS, AnswerType

FEATURES = (
    "dense", "dense_rel", "dense_en", "lexical", "lexical_rel", "lexical_en", "context", "passage", "before",
    "rank", "typed_passage", "typed_before", "focus", "focus_before", "typed_focus", "focus_near",
    "type_has", "type_near", "unit_match", "unit_other", "new_numbers", "year_match", "year_other",
    "item_match", "overview", "plan", "result", "wants_match", "row", "row_year", "row_label", "label_asked",
    "heading", "short", "long", "list_intro", "bullet", "rating_line",
)
NEAR_CHARS = 30  # a typed span within this many characters of a question term is "near" it
SHORT_CHARS, LONG_CHARS = 12, 200
_PLAN = re.compile(r"目標|計画|予定|見込")
_RESULT = re.compile(r"実績|達成|結果|となった|を実施|開催")
_OVERALL = re.compile(r"全体|総合|総括|overall|as a whole", re.I)
_LIST_INTRO = re.compile(r"(?:[0-9０-９]+|[一二三四五六七八九十])\s*"
                         rf"(?:{LIST_COUNTERS}|テーマ|プロジェクト|PJ)"
                         r"(?:の|に|を|は|が)|次の|以下の|下記の|[:：]\s*$")
_HEADING = re.compile(r"^[＜<【\[［○●■◆〇].*[＞>】\]］]?$")
_RATING_LINE = re.compile(r"評定\s*[:：]\s*[SABCD](?![A-Za-z])")
_DIGITS = re.compile(r"\d+")
_LETTER_CELL = re.compile(r"(?<![A-Za-z])[SABCD](?![A-Za-z])")  # a rating in the rating summary's row


def featurize(cands: list[Candidate], query: Query, ctx: Context, terms: dict[str, float],
              answer: AnswerType | None = None, focus: dict[str, float] | None = None) -> None:
    """Fill each candidate's spans and features for `query` (or one ask of it: `answer`, `terms`,
    `focus`: the words next to its question word)."""
    answer = answer or query.answer
    # The terms' idf weights once, not once per candidate and coverage.
    cover, cover_focus = Coverage(terms, ctx.idf), Coverage(focus or {}, ctx.idf)
    asked = _ordinals(query.norm)  # the term or round the question names (第3期), read once
    for c in cands:
        c.spans = tuple(_fresh(spans(c.text, answer.kind), c.text, query))
        c.features = _features(c, query, ctx, terms, answer, cover)
        c.features["ordinal_other"] = float(_ordinal_other(c.text, asked))  # select.pick reads it
        if focus:
            toks = ctx.tokens(c.text)
            c.features["focus"] = cover_focus(toks)
            c.features["focus_before"] = cover_focus(toks | _before(c, ctx))
            c.features["typed_focus"] = c.features["type_near"] * c.features["focus_before"]
            c.features["focus_near"] = _near(c.spans, c.text, focus)
    top_dense = max((c.features["dense"] for c in cands), default=0.0)
    top_lex = max((c.features["lexical"] for c in cands), default=0.0)
    for c in cands:
        c.features["dense_rel"] = c.features["dense"] - top_dense
        c.features["lexical_rel"] = c.features["lexical"] - top_lex


def _fresh(found: list[Span], text: str, query: Query) -> list[Span]:
    """Spans the question does not already state (an answer adds facts): its figures, and names it
    gives in any case or, asked in English, as the Japanese terms it was read as (files: ファイル)."""
    asked = _DIGITS.findall(query.norm.replace(",", ""))
    stated = f"{query.norm} {query.lexical}".lower()
    out = []
    for s in found:
        piece = normalize(s.text(text)).replace(",", "")
        said = _DIGITS.findall(piece)
        if s.kind in ("number", "money", "percent") and any(d in said for d in asked):
            continue
        if s.kind in ("name", "person", "place") and piece and piece.lower() in stated:
            continue
        out.append(s)
    return out


def _features(c: Candidate, query: Query, ctx: Context, terms: dict[str, float], answer: AnswerType,
              cover: Coverage) -> dict:
    en = float(query.lang == "en")
    toks = ctx.tokens(c.text)
    around = ctx.tokens(c.hit.chunk.section) | (ctx.tokens(c.row.context) if c.row else frozenset())
    lexical = cover(toks)
    context = cover(toks | around)
    passage = cover(ctx.chunk_tokens(c.hit.chunk))
    before = cover(toks | _before(c, ctx))  # the sentences that lead into it
    f = {"dense": c.dense, "dense_en": c.dense * en, "lexical": lexical, "lexical_en": lexical * en,
         "context": context, "passage": passage, "before": before, "rank": 1.0 / (1.0 + c.rank)}
    f.update(_typed(c, answer, terms, query))
    f["typed_passage"] = f["type_near"] * passage
    f["typed_before"] = f["type_near"] * before
    f.update(_years(c, query))
    f.update(_place(c, query, answer))
    f.update(_row(c, query, terms, ctx))
    # A sentence ends in 。 or, in a typeset manual, ．: a bullet (■, ○) before it makes no heading.
    f["heading"] = float(bool(_HEADING.match(c.text.strip())) and not re.search("[。．]", c.text))
    f["short"] = float(len(c.text) < SHORT_CHARS)
    f["long"] = float(len(c.text) > LONG_CHARS)
    is_list = float(answer.kind == "list")
    f["list_intro"] = is_list * float(bool(_LIST_INTRO.search(c.text)))
    f["bullet"] = is_list * float(starts_unit(c.text))
    f["rating_line"] = float(answer.kind == "rating" and bool(_RATING_LINE.search(c.text)))
    return f


_ORDINAL = re.compile(r"第\s*([0-9]+)\s*(期|回|弾|号|版|次)")


def _ordinals(text: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for m in _ORDINAL.finditer(normalize(text)):
        out.setdefault(m.group(2), set()).add(m.group(1))
    return out


def _ordinal_other(text: str, asked: dict[str, set[str]]) -> bool:
    """Does the candidate speak of another term, round or issue (第4期) than the one asked (`asked`,
    the question's _ordinals: 第3期)?"""
    found = _ordinals(text) if asked else {}
    return any(unit in found and not found[unit] & numbers for unit, numbers in asked.items())


BEFORE = 2  # sentences before a candidate that often name its topic (a heading, the lead-in)


def _before(c: Candidate, ctx: Context) -> frozenset[str]:
    sentences = split_sentences(c.hit.chunk.text)
    out = frozenset()
    for s in sentences[max(0, c.index - BEFORE) : c.index]:
        out = out | ctx.tokens(s)
    return out


def _typed(c: Candidate, answer: AnswerType, terms: dict[str, float], query: Query) -> dict:
    """Does the candidate hold the asked type, in the asked unit, near the question's terms?"""
    want = _matching(c.spans, answer)
    units = answer.units()
    if not want and c.row is not None and answer.kind == "count":  # 従事人員数 16 18 22: counts, bare
        want = [s for s in c.spans if s.kind == "number" and (not s.unit or s.unit in units)]
    if not want and c.row is not None and c.row.item in query.items and answer.kind == "rating":  # S A A I-1
        letters = list(_LETTER_CELL.finditer(c.text))[: len(c.row.values)]
        want = [Span("rating", m.start(), m.end()) for m in letters]
    numbers = [s for s in c.spans if s.kind in ("number", "money", "percent")]
    near = _near(want, c.text, terms, order=True)
    c.spans = tuple(want)  # the asked type only, nearest to the question's terms first
    # A table row's figures stand bare: its unit is in the label or the 単位 note (予算額（千円）).
    found = {s.unit for s in numbers} | ({c.row.unit} if c.row is not None and numbers else set())
    return {
        "type_has": float(bool(want)), "type_near": near,
        "unit_match": float(bool(units) and bool(found & set(units))),
        "unit_other": float(bool(units) and bool(numbers) and not found & set(units)),
        "new_numbers": min(1.0, len(numbers) / 2),
    }


def _near(found: list[Span] | tuple[Span, ...], text: str, terms: dict[str, float],
          order: bool = False) -> float:
    """1 for a span right next to a question term, falling off with the gap; 0 without either.
    `order`: sort `found` (a list) nearest first."""
    if not found or not terms:
        return 0.0
    flat = normalized(text).lower()
    places = [m.start() for t in terms for m in re.finditer(re.escape(t), flat)]
    if not places:
        return 0.0
    gaps = {s: min(abs(p - s.start) for p in places) for s in found}
    if order:
        found.sort(key=gaps.get)
    return 1.0 / (1.0 + min(gaps.values()) / NEAR_CHARS)


def _matching(found: tuple[Span, ...], answer: AnswerType) -> list[Span]:
    kind = answer.kind
    if kind == "count":
        return [s for s in found if s.kind == "number" and (s.unit or not answer.unit)]
    if kind == "compare":
        return [s for s in found if s.kind in ("number", "money", "percent")]
    if kind == "money":
        return [s for s in found if s.kind == "money" or s.kind == "number" and not s.unit]
    if kind in ("name", "list"):
        return [s for s in found if s.kind in ("name", "person", "place")]
    return [s for s in found if s.kind == kind]


def _years(c: Candidate, query: Query) -> dict:
    if not query.years:
        return {"year_match": 0.0, "year_other": 0.0}
    named = {western_year(m.group(0)) for m in YEAR.finditer(normalized(c.text))}
    if c.row is not None:
        named |= {y for y in query.years if c.row.year_cell(y)}
    return {"year_match": float(bool(named & set(query.years))),
            "year_other": float(bool(named) and not named & set(query.years))}


def _place(c: Candidate, query: Query, answer: AnswerType) -> dict:
    item = c.hit.chunk.item
    overview = item == OVERVIEW and answer.kind != "rating" and not _OVERALL.search(query.norm)
    plan, result = bool(_PLAN.search(c.text)), bool(_RESULT.search(c.text))
    wants = answer.wants == "plan" and plan or answer.wants == "result" and result
    return {"item_match": float(item in query.items), "overview": float(overview), "plan": float(plan),
            "result": float(result), "wants_match": float(bool(wants))}


_FIGURE_KINDS = ("money", "count", "percent", "compare", "fact")
_RESULT_ROW = re.compile(r"実績値?")
INDICATOR_COVERED = 0.5  # share of the question's terms (idf-weighted) an indicator's name and context hold


def _row(c: Candidate, query: Query, terms: dict[str, float], ctx: Context) -> dict:
    if c.row is None:
        return {"row": 0.0, "row_year": 0.0, "row_label": 0.0, "label_asked": 0.0, "row_named": 0.0}
    label = ctx.tokens(c.row.label) | ctx.tokens(c.row.context)
    has_year = any(c.row.year_cell(y) for y in query.years)
    asked = c.row.named_in(squash(query.lexical))
    # Named with the item it belongs to (by its number), holding the year asked, for a question after a
    # figure: the cell is looked up, not guessed. (Not a model feature: select.pick quotes it first.)
    of_item = asked and query.items_explicit and c.hit.chunk.item in query.items and \
        (has_year or not query.years) and query.answer.kind in _FIGURE_KINDS
    covered = coverage(label, terms, ctx.idf)
    # An indicator's 実績値 row (and a row the question names: 達成度), for a year before the one under
    # review: the report's text gives that year; earlier years' results stand only in the table.
    latest = max(ctx.vocabulary.years, default=0)
    earlier = has_year and any(y < latest for y in query.years) and query.answer.kind in _FIGURE_KINDS
    indicator = (_RESULT_ROW.fullmatch(c.row.name) is not None or asked) and covered >= INDICATOR_COVERED
    # The item's line of the rating summary, for its ratings in years besides the one under review, or
    # for an item the question names by number (Ⅲの評定): the line names it; a page's 「評定：B」 may not.
    rating = query.answer.kind == "rating" and c.row.item in query.items and \
        (query.items_explicit or any(y != ctx.vocabulary.report_year for y in query.years))
    named = of_item or earlier and indicator or rating
    return {"row": 1.0, "row_year": float(has_year), "row_label": covered,
            "label_asked": float(asked), "row_named": float(named)}


def vector(c: Candidate) -> list[float]:
    return [float(c.features.get(name, 0.0)) for name in FEATURES]
