"""Printed page labels: what a reader of the paper copy calls a page ("p. 60" where the PDF says 74).

The PDF's own /PageLabels come first. Without them, the numbers printed at the pages' edges (a footer
"- 14 -", a running head "第1章 はじめに 13", roman numerals in the front matter) give the labels
where they keep one offset from the PDF page over many pages; pages in between that print nothing
(blank pages, chapter openers) take the same offset. A page no label can be found for keeps its PDF
number. Printed numbers that match the page's label are taken out of its text: they are furniture.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

log = logging.getLogger(__name__)

EDGE_LINES = 2  # printed numbers are looked for in this many lines at the top and bottom of a page
MIN_VOTES = 3  # pages that must agree on an offset (fewer in shorter documents) …
MIN_ROMAN_VOTES = 2  # … roman numerals at a page's edge seldom agree by chance: front matter is short
SHARE = 0.25  # …and at least this share of the pages printing numbers of that kind
MAX_HEAD = 40  # a running head around a number is at most this long

_NUM = r"[0-9０-９]{1,4}"
_ROMAN_WORD = r"[ivxlcdm]{1,8}|[IVXLCDM]{1,8}"
_OPEN, _CLOSE = r"[-‐－—–―~〜(（\[［]", r"[-‐－—–―~〜)）\]］]"
_WHOLE = re.compile(rf"^\s*(?:{_OPEN}\s*)?(?:[pP]\.?\s*|[Pp]age\s*)?(?P<n>{_NUM}|{_ROMAN_WORD})"
                    rf"(?:\s*(?:ページ|頁))?(?:\s*/\s*{_NUM})?\s*(?:{_CLOSE}\s*)?$")
_DASHED = re.compile(r"^\s*[-‐－—―]\s*(?P<n>\S{1,8})\s*[-‐－—―]\s*$")  # "- A-1 -": a label as printed
_HEAD_START = re.compile(rf"^\s*(?P<n>{_NUM}|[ivxlcdm]{{1,8}})\s+\S")
_HEAD_END = re.compile(rf"\S\s+(?P<n>{_NUM}|[ivxlcdm]{{1,8}})(?P<of>\s*/\s*{_NUM})?\s*$")  # "… 2 / 244"
# Words a number at the end of a line counts on: "Chapter 1", "図 3" name a chapter or a figure, not a page.
_COUNTED = re.compile(r"(?:Chapter|Part|Section|Appendix|Figure|Fig\.|Table|Step|No\.|図|表|第)\s*$", re.I)
_ROMAN = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$", re.I)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


@dataclass(frozen=True)
class Candidate:
    line: int  # index of the line in the page's lines
    start: int  # the number's span in the line's text; the whole line when it holds nothing else
    end: int
    text: str  # as printed: "14", "xii", "A-1"
    number: int | None  # value; None for a dashed label that is not a number
    roman: bool = False
    whole: bool = True  # the line holds nothing but the label


def roman_value(text: str) -> int | None:
    if not text or not _ROMAN.match(text):
        return None
    values = [_ROMAN_VALUES[c] for c in text.upper()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def to_roman(n: int, lower: bool = True) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out.lower() if lower else out


def _candidate(index: int, text: str, m: re.Match, whole: bool) -> Candidate | None:
    raw = m.group("n")
    digits = unicodedata.normalize("NFKC", raw)
    if digits.isdigit():
        number, roman = int(digits), False
    else:
        number, roman = roman_value(raw), True
        if number is None:
            return None
    # a page count after the number ("2 / 244") is furniture too, and leaves the text with it
    tail = "of" if m.groupdict().get("of") else "n"
    start, end = (0, len(text)) if whole else (m.start("n"), m.end(tail))
    return Candidate(index, start, end, raw, number, roman, whole)


def candidates(lines: list[dict]) -> list[Candidate]:
    """Printed page numbers (or dashed labels) in the first and last lines of a page."""
    out = []
    count = len(lines)
    for index in sorted({*range(min(EDGE_LINES, count)), *range(max(count - EDGE_LINES, 0), count)}):
        text = lines[index]["text"]
        if m := _WHOLE.match(text):
            found = _candidate(index, text, m, True)
        elif m := _DASHED.match(text):
            found = Candidate(index, 0, len(text), m.group("n"), None)
        elif len(text) <= MAX_HEAD and (m := _HEAD_START.match(text) or _HEAD_END.search(text)) and \
                not _COUNTED.search(text[: m.start("n")]):
            found = _candidate(index, text, m, False)
        else:
            found = None
        if found is not None:
            out.append(found)
    return out


def pdf_labels(document, n_pages: int) -> list[str] | None:
    """The /PageLabels of a pdfminer document, one per page, or None when it has none (or broken ones)."""
    from pdfminer.pdfdocument import PDFNoPageLabels

    try:
        # pdfminer's generator never ends after the last range: take one label per page.
        labels = list(itertools.islice(document.get_page_labels(), n_pages))
    except PDFNoPageLabels:
        return None
    except Exception as e:  # a malformed number tree: fall back to printed numbers
        log.warning("ignoring unreadable /PageLabels (%s: %s)", type(e).__name__, e)
        return None
    return labels if len(labels) == n_pages else None


def _votes(pages: dict[int, list[Candidate]]) -> Counter:
    votes: Counter = Counter()
    for number, found in pages.items():
        for key in {(c.roman, c.number - number) for c in found if c.number is not None}:
            votes[key] += 1
    return votes


def _accepted(votes: Counter, pages: dict[int, list[Candidate]], n_pages: int) -> dict:
    need = {False: min(MIN_VOTES, n_pages), True: min(MIN_ROMAN_VOTES, n_pages)}
    kinds = {roman: sum(any(c.roman == roman for c in found) for found in pages.values())
             for roman in (False, True)}
    return {key: v for key, v in votes.items() if v >= max(need[key[0]], math.ceil(SHARE * kinds[key[0]]))}


def _confirmed(pages: dict[int, list[Candidate]], accepted: dict) -> dict[int, tuple[bool, int]]:
    """Page -> (roman, offset) of its printed number that keeps an accepted offset."""
    out = {}
    for number, found in pages.items():
        offsets = ((c.roman, c.number - number) for c in found if c.number is not None)
        keys = [k for k in offsets if k in accepted]
        if keys:
            out[number] = max(keys, key=lambda k: accepted[k])
    return out


def _offset(number: int, confirmed: dict[int, tuple[bool, int]], known: list[int]) -> tuple[bool, int] | None:
    """The page's own offset, else that of the numbered pages around it when they agree (a blank
    page or chapter opener inside a run), else after the last numbered page that of the last run."""
    if number in confirmed:
        return confirmed[number]
    at = bisect.bisect(known, number)
    before = confirmed[known[at - 1]] if at else None
    after = confirmed[known[at]] if at < len(known) else None
    if before is not None and (after == before or after is None and not before[0]):
        return before
    return None


def printed_labels(pages: dict[int, list[Candidate]], n_pages: int) -> dict[int, str]:
    """Labels from printed numbers: page -> label, for the pages an accepted offset covers."""
    confirmed = _confirmed(pages, _accepted(_votes(pages), pages, n_pages))
    romans = [c.text for found in pages.values() for c in found if c.roman]
    lower = sum(t.islower() for t in romans) >= sum(t.isupper() for t in romans)
    known = sorted(confirmed)
    out: dict[int, str] = {}
    for number in range(1, n_pages + 1):
        key = _offset(number, confirmed, known)
        if key is not None and number + key[1] >= 1:
            out[number] = to_roman(number + key[1], lower) if key[0] else str(number + key[1])
    for number, found in pages.items():  # "- A-1 -": labels that are not numbers, page by page
        dashed = [c for c in found if c.number is None]
        if number not in out and dashed:
            out[number] = dashed[-1].text
    return out


def _identity(labels: list[str]) -> bool:
    return all(label == str(i) for i, label in enumerate(labels, 1))


def assign(pages: dict[int, list[Candidate]], n_pages: int, pdf: list[str] | None) -> list[str]:
    """The label of every page, 1..n_pages: /PageLabels, else printed numbers, else the PDF number.

    /PageLabels that merely count 1, 2, 3 … lose to printed numbers that keep another offset on most
    pages (producers write such labels by default)."""
    printed = printed_labels(pages, n_pages)
    if pdf and _identity(pdf):
        differ = sum(label != str(p) for p, label in printed.items())
        if differ > n_pages / 2:
            pdf = None
    if pdf:
        return [pdf[i] or printed.get(i + 1) or str(i + 1) for i in range(n_pages)]
    return [printed.get(p) or str(p) for p in range(1, n_pages + 1)]


def matches(candidate: Candidate, label: str) -> bool:
    """Is this printed number the page's own label (so it can leave the text)?"""
    if candidate.number is None:
        return candidate.text == label
    if candidate.roman:
        return roman_value(label) == candidate.number
    return label.isdigit() and int(label) == candidate.number
