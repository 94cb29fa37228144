"""Choosing what to quote: the best candidate; for a question that asks several things, the best
candidate for each further ask, chosen for its own answer type; then near-ties."""

from __future__ import annotations

import re

from ingest.text import one_holds_other, squash
from qa.reader.candidates import Candidate
from qa.reader.model import Weights

MAX_QUOTES = 3  # one to three quoted sentences or rows (list items come on top of these)
# A bracketed label alone on its line: （実績の詳細）, ＜評定と根拠＞.
_LABEL_ONLY = re.compile(r"^\s*[（(＜<【［\[][^（）()＜＞<>【】［］\[\]]*[）)＞>】］\]]\s*$")


def score(cands: list[Candidate], weights: Weights) -> list[Candidate]:
    """Each candidate's probability of holding the answer, best first."""
    for c in cands:
        c.score = weights.answer.prob(c.features)
    return sorted(cands, key=lambda c: (-c.score, c.rank, c.index))


def pick(ranked: list[Candidate], parts: list[list[Candidate]], weights: Weights) -> list[Candidate]:
    """The best candidate for each ask (`parts`, each ranked for its ask) or, for a question that asks
    one thing, the best overall; then near-ties."""
    # A sentence about another term or round (第4期 when 第3期 is asked) answers another question.
    ranked = [c for c in ranked if not c.features.get("ordinal_other")] or ranked
    parts = [[c for c in part if not c.features.get("ordinal_other")] or part for part in parts]
    if not ranked:
        return []
    chosen = [_typed_first(ranked, weights)]
    if parts:
        firsts = [_typed_first(part, weights) for part in parts if part]
        chosen = [max(firsts, key=lambda c: c.score)] if firsts else chosen
        for best in firsts:
            if not _overlaps(best, chosen) and best.score >= weights.part_floor and len(chosen) < MAX_QUOTES:
                chosen.append(best)
    for c in ranked:  # each other row the question names (経常費用と従事人員数): looked up, not near-ties
        names = {x.row.name for x in chosen if x.row is not None}
        if c.features.get("row_named") and c.row.name not in names and len(chosen) < MAX_QUOTES:
            chosen.append(c)
    if _bare_label(chosen[0]):
        chosen[0] = next((c for c in ranked if _says_something(c)), chosen[0])  # a section label says nothing
    for c in ranked:
        if len(chosen) >= MAX_QUOTES or c.score < weights.second_ratio * chosen[0].score:
            break
        if not _overlaps(c, chosen) and _says_something(c):
            chosen.append(c)
    return _with_whole([_as_row(c, ranked) for c in chosen], ranked)


def _with_whole(chosen: list[Candidate], ranked: list[Candidate]) -> list[Candidate]:
    """A part row (「うち効率化対象経費 …」, of which) says little without the row it is part of, printed
    right above it: that row is quoted first."""
    out: list[Candidate] = []
    for c in chosen:
        if c.row is not None and c.row.label.startswith("うち"):
            lines = [squash(line) for line in c.hit.chunk.text.split("\n")]
            at = next((i for i, line in enumerate(lines) if line == squash(c.text)), 0)
            above = lines[at - 1] if at else ""
            whole = next((r for r in ranked if r.row is not None and squash(r.text) == above), None)
            if whole is not None and not _overlaps(whole, [*chosen, *out]):
                out.append(whole)
        out.append(c)
    return out


def _says_something(c: Candidate) -> bool:
    """A near-tie worth quoting holds one of the question's terms or a figure or name of the asked
    type: a bare column header or a heading ("（実績の詳細）") can score as high and tells nothing. A
    bracketed label alone says nothing even when it holds a question word (実績)."""
    if _bare_label(c):
        return False
    return c.features.get("lexical", 0.0) > 0 or bool(c.features.get("type_has"))


def _bare_label(c: Candidate) -> bool:
    return bool(_LABEL_ONLY.match(c.text)) and not c.features.get("type_has")


def _typed_first(ranked: list[Candidate], weights: Weights) -> Candidate:
    """The best candidate holding the asked type (a figure, a name, a rating), when it scores at least
    `type_ratio` of the best one: the factoid reader's answer is a candidate of the asked type. A table
    row the question names, of the item it names, is that candidate first (issue 11c: a cell lookup)."""
    named = next((c for c in ranked if c.features.get("row_named")), None)
    if named is not None:
        return named
    typed = next((c for c in ranked if c.features.get("type_has")), None)
    if typed is not None and typed.score >= weights.type_ratio * ranked[0].score:
        return typed
    return ranked[0]


def _as_row(c: Candidate, ranked: list[Candidate]) -> Candidate:
    """A sentence that is a table row run together with others: quote the row itself (its best-scored
    row), so the asked cell can be named."""
    if c.row is not None:
        return c
    key = squash(c.text)
    rows = [r for r in ranked if r.row is not None and r.hit is c.hit and squash(r.text) in key]
    return max(rows, key=lambda r: r.score) if rows else c


def _overlaps(c: Candidate, chosen: list[Candidate]) -> bool:
    """Already quoted: the same text, or one holds the other (a row inside its sentence)."""
    return any(one_holds_other(c.text, o.text) for o in chosen)
