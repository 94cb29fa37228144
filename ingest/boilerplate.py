"""Find running headers, form column rows and page labels: lines repeated on many pages.

They stay in Page.text (what the reader sees) but are left out of sections and chunks, where
they would only add the same noise to every chunk.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from ingest.records import Page
from ingest.text import squash

# Any line on at least this share of the pages is boilerplate: the report's page header and
# form column rows sit on 85 of 94 pages, while its real headings (＜評価の視点＞ …) sit on ≤ 40%.
SHARE = 0.5
MIN_PAGES = 3  # never call a line boilerplate from fewer pages than this (short documents)
# In a long document, longer non-heading lines repeated on this many pages are boilerplate too:
# the form's placeholder "（経済産業省で記載）" is on 14 of 94 pages.
REPEAT_PAGES = 12
REPEAT_MIN_CHARS = 6  # shorter repeats are sentence tails ("る。", "する。"): content
EDGE_LINES = 2  # page labels are looked for only in the first and last lines of a page
# PDF line rejoining can glue content onto a boilerplate row; keys this long are cut off the
# start or end of such a line too ("…主務大臣による評価業務実績 自己評価値比 400%）を達成。").
AFFIX_MIN_CHARS = 8
PAGE_LABEL_KEY = "#page#"

# Topic labels repeat on each page of a form but are headings the sections need: kept.
_LABEL = re.compile(r"^[【＜<\[［]")
# Run on squash()ed lines, where dashes are already "-" and brackets ASCII.
_PAGE_LABEL = re.compile(r"^[-(]*(p\.?|page)?[0-9]{1,4}(/[0-9]{1,4})?[-)]*$", re.IGNORECASE)


def line_key(line: str, at_edge: bool = False) -> str:
    """The form in which a line is compared across pages."""
    key = squash(line)
    if at_edge and _PAGE_LABEL.match(key):
        return PAGE_LABEL_KEY  # "- 5 -", "p.5", "5/94": the same label on every page
    return key


def _page_keys(page: Page) -> set[str]:
    lines = [line for line in page.text.splitlines() if line.strip()]
    return {line_key(line, is_edge(i, len(lines))) for i, line in enumerate(lines)}


def is_edge(index: int, count: int) -> bool:
    return index < EDGE_LINES or index >= count - EDGE_LINES


def find_boilerplate(pages: list[Page]) -> set[str]:
    """Keys (see line_key) of the lines repeated on many pages."""
    counts = Counter(key for page in pages for key in _page_keys(page))
    common = max(MIN_PAGES, math.ceil(SHARE * len(pages)))
    found = set()
    for key, count in counts.items():
        if not key:
            continue
        repeated = count >= max(MIN_PAGES, REPEAT_PAGES) and len(key) >= REPEAT_MIN_CHARS
        if count >= common or (repeated and not _LABEL.match(key)):
            found.add(key)
    return found


def _cut_prefix(line: str, key: str) -> str:
    for end in range(len(line) + 1):
        if squash(line[:end]) == key:
            return line[end:]
    return line


def _cut_suffix(line: str, key: str) -> str:
    for start in range(len(line), -1, -1):
        if squash(line[start:]) == key:
            return line[:start]
    return line


def strip_boilerplate(line: str, boilerplate: set[str], at_edge: bool = False) -> str:
    """The line without its boilerplate: "" for a boilerplate line, else the line minus any
    boilerplate glued to its start or end."""
    key = line_key(line, at_edge)
    if key in boilerplate:
        return ""
    for bp in sorted(boilerplate, key=len, reverse=True):
        if len(bp) < AFFIX_MIN_CHARS or bp not in key:
            continue
        if key.startswith(bp):
            line, key = _cut_prefix(line, bp), squash(_cut_prefix(line, bp))
        if key.endswith(bp):
            line, key = _cut_suffix(line, bp), squash(_cut_suffix(line, bp))
    return line.strip()
