"""Cut sections into chunks sized for the embedder, never across a section.

multilingual-e5 reads 512 tokens, and Japanese runs about one token per 1–1.5 characters (more
for digits and Latin). 400 characters is then about 270–400 tokens: it fits with the "passage: "
prefix and a section path to spare, and is about one paragraph of the report, small enough that a
hit points at the passage that answers rather than at a whole page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.records import Chunk, Section
from ingest.text import SENTENCE_END, ends_sentence, squash

MAX_CHARS = 400
# The next chunk starts with up to this many characters of the previous one (and at most
# OVERLAP_SHARE of a chunk): a figure that spans a cut (a table row broken over short lines, a
# sentence running on) is then whole in one chunk.
OVERLAP_CHARS = 80
OVERLAP_SHARE = 0.25
MIN_FILL = 0.5  # end a chunk at a sentence end (。．！？) when that keeps it at least this full
SOFT_BREAKS = "、，,;；  "  # a line longer than a chunk is cut after one of these if it can be
SECTION_SEP = " › "
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class _Unit:
    page: int
    text: str
    starts_line: bool  # joined to the unit before with "\n"; else it continues the same line


def _hard_split(text: str, limit: int) -> list[str]:
    """Cut a piece longer than limit, after a comma or space near the end if there is one."""
    parts = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind(c) for c in SOFT_BREAKS) + 1
        cut = cut if cut > limit * MIN_FILL else limit
        parts.append(text[:cut])
        text = text[cut:]
    return [*parts, text] if text else parts


def _sentences(line: str) -> list[str]:
    """A line cut after each sentence end (and after a bracket that closes right behind it)."""
    return [part for part in SENTENCE_END.split(line) if part.strip()]


def _units(section: Section, max_chars: int) -> list[_Unit]:
    units = []
    for page, line in section.lines:
        pieces = [p for sentence in _sentences(line) for p in _hard_split(sentence, max_chars)]
        units += [_Unit(page, piece, i == 0) for i, piece in enumerate(pieces)]
    return units


def _join(units: list[_Unit]) -> str:
    text = "".join(("\n" if u.starts_line and i else "") + u.text for i, u in enumerate(units))
    return text.strip()


def _size(units: list[_Unit]) -> int:
    return sum(len(u.text) for u in units) + sum(u.starts_line for u in units[1:])


def _ends_sentence(unit: _Unit) -> bool:
    return ends_sentence(unit.text)


def _end(units: list[_Unit], start: int, first_new: int, max_chars: int) -> int:
    """Exclusive end of the chunk starting at `start`: as full as fits, moved back to the last
    sentence end if that keeps it MIN_FILL full. Always past first_new."""
    end = first_new + 1
    while end < len(units) and _size(units[start : end + 1]) <= max_chars:
        end += 1
    if end == len(units):
        return end
    for cut in range(end, first_new, -1):
        if _ends_sentence(units[cut - 1]):
            return cut if _size(units[start:cut]) >= MIN_FILL * max_chars else end
    return end


def _overlap_start(units: list[_Unit], start: int, end: int, max_chars: int) -> int:
    """Where the next chunk starts: a few units back from `end`, leaving room for units[end].

    After a cut at a sentence end the overlap, if any, starts at a sentence start too.
    """
    limit = min(OVERLAP_CHARS, OVERLAP_SHARE * max_chars)
    back, best = end, end
    while back - 1 > start and _size(units[back - 1 : end + 1]) <= max_chars:
        if _size(units[back - 1 : end]) > limit:
            break
        back -= 1
        if not _ends_sentence(units[end - 1]) or _ends_sentence(units[back - 1]):
            best = back
    return best


def _pack(units: list[_Unit], max_chars: int) -> list[list[_Unit]]:
    groups, start, first_new = [], 0, 0
    while first_new < len(units):
        end = _end(units, start, first_new, max_chars)
        groups.append(units[start:end])
        start, first_new = _overlap_start(units, start, end, max_chars), end
    return groups


def _says_nothing(text: str, path: tuple[str, ...]) -> bool:
    """True for a chunk of nothing but its own headings and dashes (＜その他の指標＞ / －).

    Only under a path of two or more titles: a lone title may be the page's first line (the
    fallback names sections so), and then it is the content.
    """
    if len(path) < 2:
        return False
    rest = squash(text)
    for title in path:
        rest = rest.replace(squash(title.rstrip("…")), "")
    return not _WORD.search(rest)


def chunk_sections(sections: list[Section], doc: str, max_chars: int = MAX_CHARS) -> list[Chunk]:
    """Chunks in reading order; each within one section, with its page range and path.

    The same text under the same path (a criterion repeated on several pages) has the same id
    and is kept once, at its first page.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    chunks, seen = [], set()
    for section in sections:
        path = SECTION_SEP.join(section.path)
        for group in _pack(_units(section, max_chars), max_chars):
            text = _join(group)
            chunk_id = Chunk.make_id(doc, path, text)
            if not text or chunk_id in seen or _says_nothing(text, section.path):
                continue
            seen.add(chunk_id)
            pages = [u.page for u in group]
            chunks.append(Chunk(chunk_id, doc, section.item, path, min(pages), max(pages), text))
    return chunks
