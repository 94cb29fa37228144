"""From chosen candidates to what the reader sees: verified citations (a quote on its page, in its
chunk), list items after the sentence that announces them, the cell a table question asks for named
beside its row, and the answer span (the figure, name or cell inside the first quote)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.records import Page
from ingest.tables import TableRow
from ingest.text import normalize, one_holds_other, split_sentences, squash
from qa.extractive import expand, flat, join_lines, locate
from qa.query import Query, Vocabulary
from qa.reader import lists
from qa.reader.candidates import Candidate
from qa.reader.spans import Span
from qa.records import DOCUMENT, AnswerSpan, Citation, label_of


@dataclass(frozen=True)
class Composed:
    citations: tuple[Citation, ...]
    notes: tuple[str, ...]  # per citation: the named cell(s) of a table row, or ""
    span: AnswerSpan | None


def compose(chosen: list[Candidate], query: Query, pages_by_doc: dict[str, list[Page]],
            vocabulary: Vocabulary, terms: tuple[str, ...] = ()) -> Composed:
    """Citations for the chosen candidates (checked), with list items, named cells and the span.
    `terms`: the question's content terms, to choose which sentence of a long quote to keep."""
    citations: list[Citation] = []
    notes: list[str] = []
    span = None
    for c in chosen:
        pages = pages_by_doc.get(c.hit.chunk.doc, [])
        quote = c.row.line if c.row else trim(expand(c.text, c.hit.chunk, pages), c, terms)
        page = locate(quote, c.hit.chunk, pages)
        if page is not None and query.answer.kind == "reason" and c.row is None:
            quote, page = _with_cause(quote, page, c, pages)
        elif page is not None and c.row is None:
            longer = _with_sequel(quote, page, c, pages)
            # A sequel already quoted stays where it is: the longer quote would replace it.
            quote = quote if any(one_holds_other(longer, x.quote) for x in citations) else longer
        if page is None or any(one_holds_other(quote, x.quote) for x in citations):
            continue
        n = len(citations) + 1
        citations.append(Citation(n, c.hit.chunk.doc, c.hit.chunk.item, c.hit.chunk.section, page, quote,
                                  c.hit.chunk.id, label_of(pages, page)))
        note, cell = _cells(c.row, query, vocabulary) if c.row else ("", None)
        notes.append(note)
        if span is None:
            span = _row_span(quote, c.row, cell, n) if c.row else _text_span(quote, c.spans, n, c.text)
        items = _list_items(c, quote, query, pages, page)
        block, at = "\n".join(items), page
        if not items and c.row is None:
            block, at = _pointed_at(quote, page, pages)
        if block and _printed_on(block, at, pages) and not any(
                squash(block) in squash(x.quote) for x in citations):
            citations.append(Citation(n + 1, c.hit.chunk.doc, c.hit.chunk.item, c.hit.chunk.section,
                                      at, block, c.hit.chunk.id, label_of(pages, at)))
            notes.append("")
    return Composed(tuple(citations), tuple(notes), span)


def _page(pages: list[Page], number: int) -> Page | None:
    return next((p for p in pages if p.number == number), None)


def _pointed_at(quote: str, number: int, pages: list[Page]) -> tuple[str, int]:
    """The line a quote ending in 「次の命令を使用する．」 or a colon points at, and its page."""
    page = _page(pages, number)
    after = lists.line_after(quote, page, _page(pages, number + 1)) if page is not None else None
    return (after[0], after[1].number) if after else ("", number)


def _printed_on(block: str, number: int, pages: list[Page]) -> bool:
    """Is the block printed on page `number`? Checked on the page, not in the candidate's passage: the
    passage may end with the sentence that leads into it."""
    page = _page(pages, number)
    return page is not None and squash(block) in flat(page.text)


TRIM_CHARS = 160  # a longer quote is cut to the sentences, then the clauses, that hold its answer
_SENTENCE_END = re.compile(r"(?<=[。．！？])")
_CLAUSE_MARKS = "、，,；;"
_OPEN, _CLOSE = "（(「『［[", "）)」』］]"


def trim(quote: str, c: Candidate, terms: tuple[str, ...] = ()) -> str:
    """The shortest run of the quote's sentences (then clauses) that holds every span of the asked
    type it has; a quote without spans, or short enough, is kept whole. A run of a quote is still
    printed on its page, so it is checked like any quote."""
    if len(quote) <= TRIM_CHARS:
        return quote
    wanted = [s.text(c.text).strip() for s in c.spans if s.text(c.text).strip()]
    if not wanted:  # no span: the sentence holding the most of the question's terms
        return _best_sentence(quote, terms)
    for split in (_SENTENCE_END.split, _clauses):
        pieces = [p for p in split(quote) if p]
        run = _covering(pieces, wanted)
        if run and len(run) <= TRIM_CHARS:
            return run.strip()
        if run:
            quote = run.strip()
    return quote


def _clauses(quote: str) -> list[str]:
    """The quote cut after each 、，,；; outside brackets: a bracketed aside (「（応募者約 8.3 万人、213
    会場）」) holds one fact per clause, and cutting it would keep half the aside."""
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(quote):
        depth = max(0, depth + (ch in _OPEN) - (ch in _CLOSE))
        if not depth and ch in _CLAUSE_MARKS:
            pieces.append(quote[start : i + 1])
            start = i + 1
    return [*pieces, quote[start:]]


def _best_sentence(quote: str, terms: tuple[str, ...]) -> str:
    pieces = [p for p in _SENTENCE_END.split(quote) if p.strip()]
    if len(pieces) < 2 or not terms:
        return quote
    best = max(pieces, key=lambda p: sum(t in normalize(p).lower() for t in terms))
    return best.strip()


def _covering(pieces: list[str], wanted: list[str]) -> str:
    """The shortest contiguous run of pieces holding every wanted string ("" when none holds one)."""
    best = ""
    for i in range(len(pieces)):
        for j in range(i + 1, len(pieces) + 1):
            run = "".join(pieces[i:j])
            if all(w in run for w in wanted if w in "".join(pieces)):
                if not best or len(run) < len(best):
                    best = run
                break
    return best if any(w in best for w in wanted) else ""


CAUSE_KEY = 12  # leading characters that find a quote on its page
# A sentence that opens with a consequence gives the result; its cause is the sentence before it.
_CONSEQUENCE = re.compile(r"(?:従って|したがって|そのため|このため|よって|それゆえ|その結果|だから)[，,、]|"
                          r"(?:Therefore|Thus|Hence|As a result|So),", re.I)


def _with_cause(quote: str, page: int, c: Candidate, pages: list[Page]) -> tuple[str, int]:
    """For a why-question, a quote that opens with 「従って，」 or "Therefore," with the sentence
    printed before it on its page (which may open the passage before), when the two check as one."""
    if not _CONSEQUENCE.match(quote.lstrip()):
        return quote, page
    found = _page(pages, page)
    flat = join_lines((found.text if found else "").split("\n"))
    at = flat.find(quote.strip()[:CAUSE_KEY])
    before = split_sentences(flat[:at])[-1].strip() if at > 0 else ""
    joined = before + quote.strip()
    return (joined, page) if before and locate(joined, c.hit.chunk, pages) == page else (quote, page)


SHORT_QUOTE = 50  # a quote this short is a term or an entry's head: its sentence after says more
SEQUEL_CHARS = 150


def _with_sequel(quote: str, page: int, c: Candidate, pages: list[Page]) -> str:
    """A short quote (「version=⟨version⟩（任意，既定値は 1） JFM のバージョン．」) with the sentence
    after it on the same line of its passage, when that one goes on with it (not a new item, not
    longer than SEQUEL_CHARS); a quote that announces a list gets its items instead (`_list_items`)."""
    if len(quote) >= SHORT_QUOTE or lists.announces(quote, explicit=True):
        return quote
    text = c.hit.chunk.text
    at = text.find(c.text)
    rest = text[at + len(c.text):].split("\n", 1)[0] if at >= 0 else ""
    after = split_sentences(rest)
    sequel = after[0].strip() if after else ""
    if not sequel or len(sequel) > SEQUEL_CHARS or lists.marker(sequel) is not None:
        return quote
    joined = quote.strip() + rest[: rest.find(sequel) + len(sequel)].rstrip()  # as printed between them
    return joined if locate(joined, c.hit.chunk, pages) == page else quote


def _list_items(c: Candidate, quote: str, query: Query, pages: list[Page], number: int) -> list[str]:
    """The items of the list this candidate announces or belongs to, for list questions."""
    page = _page(pages, number)
    if page is None or c.row is not None:
        return []
    explicit = query.answer.kind not in ("list", "name")  # others need 次の or a colon, not a count
    if explicit and not lists.announces(quote, explicit=True):
        # A manual's sentence right above a command (「…シャットダウンが出来ます。」「# poweroff -i -f」)
        # says what the command does: the command is what the reader came for.
        return lists.commands_after(quote, page)
    wanted = query.answer.count
    if lists.announces(quote, explicit):
        return lists.items_after(quote, page, wanted) or lists.commands_after(quote, page) or (
            lists.enumeration_after(quote, page) if lists.announces(quote, explicit=True) else [])
    if query.answer.kind == "list" and lists.marker(quote) is not None:
        return [i for i in lists.siblings(quote, page, wanted) if squash(i) not in squash(quote)]
    return lists.commands_after(quote, page)


def _cells(row: TableRow, query: Query, vocabulary: Vocabulary) -> tuple[str, tuple[str, str] | None]:
    """The note naming the asked cell(s) ("令和2年度: 7,888,095千円") and the one cell to bold."""
    asked = [cell for y in query.years if (cell := row.year_cell(y))]
    if not asked and query.answer.kind == "compare":
        asked = [(h, v) for h, v in zip(row.headers, row.values, strict=True) if h]
    if not asked and vocabulary.report_year and (cell := row.year_cell(vocabulary.report_year)):
        asked = [cell]
    if row.item:  # an item's ratings: every year named, the one asked (or under review) in bold
        bold = asked[0] if asked else None
        return "、".join(f"{h}: {v}" for h, v in zip(row.headers, row.values, strict=True)), bold
    if not asked:
        return "", None
    return "、".join(f"{h}: {_with_unit(v, row.unit)}" for h, v in asked), asked[0]


_FIGURE = re.compile(r"[△▲-]?\d[\d,]*(?:\.\d+)?(?=\s*(?:【|$))")  # bare, or before a 【ほか …】 note


def _with_unit(value: str, unit: str) -> str:
    """The row's unit after a bare figure (781,776千円 【ほか 3,990,110】); "23.6%", "100 社" and "-"
    carry their own unit or none."""
    m = _FIGURE.match(value)
    return f"{value[: m.end()]}{unit}{value[m.end():]}" if m and unit else value


def _row_span(quote: str, row: TableRow, cell: tuple[str, str] | None, n: int) -> AnswerSpan | None:
    """The asked cell inside the row's quote (the k-th value, found left to right after the label)."""
    if cell is None:
        return None
    at = len(row.label)
    for head, value in zip(row.headers, row.values, strict=True):
        found = normalize(quote).find(normalize(value), at)
        if found < 0:
            return None
        if (head, value) == cell:
            return AnswerSpan(quote[found : found + len(value)], n, found, found + len(value))
        at = found + len(value)
    return None


def _text_span(quote: str, found: tuple[Span, ...], n: int, sentence: str) -> AnswerSpan | None:
    """The first typed span of the chosen sentence, found again in the (expanded) quote."""
    for s in found:
        text = s.text(sentence).strip()
        at = quote.find(text) if text else -1
        if at >= 0:
            return AnswerSpan(text, n, at, at + len(text))
    return None


def answer_text(composed: Composed, lang: str, called: str = DOCUMENT[1]) -> str:
    """The quotes with their markers; English questions are told the quotes are Japanese, from the
    `called` (report, document)."""
    parts = []
    for c, note in zip(composed.citations, composed.notes, strict=True):
        body = " ".join(c.quote.split("\n"))
        parts.append(f"{body} [{c.n}]" + (f"（{note}）" if note else ""))
    body = " ".join(parts)
    return body if lang == "ja" else f"The {called} says (in Japanese): {body}"
