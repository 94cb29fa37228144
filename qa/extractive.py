"""Quotes checked in code: the whole sentence around a piece of a chunk, and the page of the chunk
that prints it. Every citation, extractive or written by an LLM, goes through `locate`.
The reader that chooses what to quote is qa.reader."""

from __future__ import annotations

import functools
import re

from ingest.headings import find_heading
from ingest.layout import starts_unit
from ingest.records import Chunk, Page
from ingest.text import SENTENCE_END, ends_sentence, squash

EXPAND_LINES = 2  # lines a sentence may run on past its first line
MAX_SENTENCE_CHARS = 240  # a whole sentence longer than this (glued table rows): quote the piece alone
_HEADING = re.compile(r"[＜<【\[［].*[＞>】\]］]")  # a bracketed heading line is not part of a sentence


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


def join_lines(lines: list[str]) -> str:
    """Lines run together as one text, joined as a sentence that runs over them is (`_joint`)."""
    out = ""
    for line in lines:
        out += (_joint(out, line) if out else "") + line
    return out


def _joint(left: str, right: str) -> str:
    """Japanese runs on without a space; a Latin letter or digit at the seam keeps one."""
    edge = left[-1:] + right[:1]
    return " " if any(c.isascii() and c.isalnum() for c in edge) else ""


def _sentence_around(lines: list[str], row: int, at: int, size: int) -> str:
    """Join the neighbouring lines a sentence runs over, then cut at the sentence ends around it."""
    text, at = lines[row], at
    if at == 0 and row > 0 and _runs_on(lines[row - 1], text):
        head = lines[row - 1] + _joint(lines[row - 1], text)
        text, at = head + text, at + len(head)
    for nxt in lines[row + 1 : row + 1 + EXPAND_LINES]:
        if ends_sentence(text[at + size - 1 :]) or starts_unit(nxt):
            break
        text += _joint(text, nxt) + nxt
    cuts = [m.start() for m in SENTENCE_END.finditer(text)]  # where ingest.text ends sentences
    start = max((c for c in cuts if c <= at), default=0)
    stop = min((c for c in cuts if c >= at + size), default=len(text))
    whole = text[start:stop].strip()
    return whole if len(whole) <= MAX_SENTENCE_CHARS else ""


def _runs_on(previous: str, line: str) -> bool:
    """Does a sentence run from `previous` into `line`? Not past a sentence end, a heading, or into a
    line that opens a unit of its own (a bullet, a numbered item)."""
    return not (ends_sentence(previous) or starts_unit(line) or _HEADING.fullmatch(previous.strip())
                or find_heading([previous.strip()], 0))


def locate(quote: str, chunk: Chunk, pages: list[Page]) -> int | None:
    """The page of `chunk` that holds `quote`, or None: the check behind every citation."""
    needle = squash(quote)
    for page in pages:
        if chunk.page_start <= page.number <= chunk.page_end and needle in flat(page.text):
            return page.number
    return None


@functools.lru_cache(maxsize=1024)
def flat(text: str) -> str:
    """squash(text), kept: each question checks its quotes against the same few pages."""
    return squash(text)
