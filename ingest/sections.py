"""Split pages into sections from the report's own headings.

Levels: 0 the evaluation item (Ⅰ－１ … Ⅳ, and the overview forms １－１－１…３) or a part of a book
(第I部, Part II), 1 numbered parts and chapters (１．, 1 はじめに, 第1章, 付録A), 2 sub-parts (1.1,
第1節), 3 topics (【…】, ＜…＞, 1.1.1), 4 sub-topics (［…］, （１）): in the forms ［定量的指標の実績］
sits under ＜主要な業務実績＞ or ＜評定と根拠＞. A section is the text between two accepted
headings; its path is the current title at each level. A PDF with no such headings gets one
section per page.

Where a document sets its headings apart (ingest.styles: larger or bold), numbered lines set like
the body are list items, and unnumbered lines set larger are headings too, at the level of the
numbered headings of their size. Table-of-contents pages give no headings, and their entries
(dot leaders, page numbers) stay out of the sections.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from ingest.boilerplate import find_boilerplate, is_edge, strip_boilerplate
from ingest.headings import (  # noqa: F401 (find_heading and the levels are this module's API too)
    ITEM,
    LEADER,
    MAX_TITLE,
    PART,
    SUB,
    SUBTOPIC,
    TOPIC,
    Context,
    Heading,
    bare_label,
    find_heading,
    is_chapter,
    is_sentence,
    line_numbering,
    numbering,
    short,
)
from ingest.records import Page, Section
from ingest.styles import doc_style_of, size_key
from ingest.text import normalize

TOC_SHARE = 0.3  # a page whose lines are this often table-of-contents entries is a contents page
MIN_TOC_ENTRIES = 3
_PAGE_AT_END = re.compile(r"\S\s+(?:[0-9]{1,4}|[ivxlc]{1,6})$")  # a contents entry without leaders


@dataclass
class _Outline:
    """The headings in force: one per level, deeper ones cleared when a shallower one starts."""

    item: str = ""
    titles: dict[int, str] = field(default_factory=dict)
    keys: dict[int, str] = field(default_factory=dict)
    numbers: dict[int, int] = field(default_factory=dict)

    def accepts(self, head: Heading) -> bool:
        if head.key == self.keys.get(head.level):
            return False  # the page header or item row printed again: same section goes on
        if head.number is None or head.level == ITEM or head.styled:
            return True
        last = self.numbers.get(head.level)
        return head.number == 1 or (last is not None and head.number == last + 1)

    def placed(self, head: Heading) -> Heading:
        """A numbered heading under an open 第N部/章/節 of its level or deeper goes below it (第１節 ›
        １ › （１）), keeping the order of the numbered kinds: their usual levels would put １ beside
        第１章. Unnumbered headings keep the level of their size."""
        open_levels = [level for level, title in self.titles.items() if is_chapter(title)]
        if not open_levels or is_chapter(head.title) or (head.number is None and not head.item):
            return head
        deepest = max(open_levels)
        if head.level > deepest:
            return head
        return replace(head, level=deepest + (head.level + 1) / 10)  # stays above TOPIC (【…】, 1.1.1)

    def enter(self, head: Heading) -> None:
        for table in (self.titles, self.keys, self.numbers):
            for level in [level for level in table if level > head.level]:
                del table[level]
        self.titles[head.level], self.keys[head.level] = head.title, head.key
        if head.number is not None:
            self.numbers[head.level] = head.number
        if head.level == ITEM:
            self.item = head.item

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.titles[level] for level in sorted(self.titles))


class _Entry(NamedTuple):
    page: int
    line: str  # the whole line: headings are looked for here
    text: str  # the line without boilerplate, or "" when it is all boilerplate or a contents entry
    style: tuple[float, str] | None  # (font size, font), when the page carries styles
    contents: bool  # on a table-of-contents page: gives no heading


def _toc(lines: list[str]) -> int:
    """How many of the page's first lines are its table of contents (0 on other pages): through the
    last entry with leaders and the unleadered entries ("7 付録 106") right after it. The first
    chapter often starts on the page where the contents end, and its headings count."""
    entries = [i for i, line in enumerate(lines) if LEADER.search(line)]
    if len(entries) < MIN_TOC_ENTRIES or len(entries) < TOC_SHARE * (entries[-1] + 1):
        return 0  # the share counts the lines down to the last entry: body text may follow
    end = entries[-1] + 1
    while end < len(lines) and _PAGE_AT_END.search(normalize(lines[end])):
        end += 1
    return end


def _entry(line: str) -> bool:
    """A contents entry: with leaders, or ending in its page number as a LaTeX contents prints its
    chapters and parts (「第 I 部 ユーザーズマニュアル 5」「1 はじめに 5」); left in, they read as a
    passage of titles and numbers."""
    text = normalize(line)
    return bool(LEADER.search(text) or _PAGE_AT_END.search(text))


def _entries(pages: list[Page]) -> list[_Entry]:
    """Every non-blank line, in order, with what ingest knows about it.

    Headings are looked for in the whole line: the report's page header is boilerplate and
    also the heading of part ３.
    """
    boilerplate = find_boilerplate(pages)
    out = []
    for page in pages:
        # A broken ToUnicode map can leave lone surrogates, which UTF-8 (and so Chunk ids) refuse.
        clean = page.text.encode("utf-8", "replace").decode("utf-8")
        raw = clean.splitlines()
        styles = page.styles if len(page.styles) == len(raw) else [None] * len(raw)
        kept_styles = [st for line, st in zip(raw, styles, strict=True) if line.strip()]
        lines = [line.strip() for line in raw if line.strip()]
        kept = [strip_boilerplate(line, boilerplate, is_edge(i, len(lines))) for i, line in enumerate(lines)]
        if not any(kept):
            kept = lines  # a page of nothing but repeats still gets a section
        toc = _toc(lines)
        kept = ["" if i < toc and _entry(text) else text for i, text in enumerate(kept)]
        out += [_Entry(page.number, line, text, style, i < toc)
                for i, (line, text, style) in enumerate(zip(lines, kept, kept_styles, strict=True))]
    return out


def _context(entries: list[_Entry]) -> Context:
    """The document's heading style, and the level each heading size has in its numbered headings."""
    style = doc_style_of(entries)
    if style is None or not style.structured:
        return Context(style)
    levels: dict[float, Counter] = {}
    fonts = set()
    first = None  # the first numbered heading
    for i, e in enumerate(entries):
        found = None if e.contents or not style.stands_out(e.style) else line_numbering(e.line)
        if found and style.larger(e.style) and not is_sentence(e.line):
            first = i if first is None else first
            # "Chapter 1" alone on its line: the title below it is set in the chapter's size too
            title = entries[i + 1] if i + 1 < len(entries) and bare_label(e.line) else e
            for line in {id(x): x for x in (e, title) if x.style}.values():
                levels.setdefault(size_key(line.style[0]), Counter())[found[0]] += 1
                fonts.add(line.style[1])
    if not levels:
        return _unnumbered(entries, style)
    return Context(style, tuple((size, c.most_common(1)[0][0]) for size, c in sorted(levels.items())),
                   frozenset(fonts), _front(entries, style, first, max(levels)))


def _front(entries: list[_Entry], style, first: int, top: float) -> frozenset[float]:
    """Sizes above the largest numbered heading's (top) set only before the first numbered heading."""
    def sizes(part):
        return {size_key(e.style[0]) for e in part if e.style and not e.contents and style.larger(e.style)}
    return frozenset(size for size in sizes(entries[:first]) - sizes(entries[first:]) if size > top)


def _unnumbered(entries: list[_Entry], style) -> Context:
    """A document whose headings carry no numbers (a web page printed, a memo): its short lines set
    larger than the body are its headings, a level for each size, the largest first."""
    larger = [e.style for e in entries
              if not e.contents and style.larger(e.style) and len(e.line) <= MAX_TITLE]
    sizes = sorted({size_key(size) for size, _ in larger}, reverse=True)
    levels = tuple((size, min(PART + rank, TOPIC)) for rank, size in enumerate(sizes))
    return Context(style, levels, frozenset(font for _, font in larger))


def _section(item: str, path: tuple[str, ...], lines: list[tuple[int, str]]) -> Section:
    path = path or (short(lines[0][1]),)  # text before the first heading: named by its first line
    return Section(item, path, lines[0][0], lines[-1][0], tuple(lines))


def _by_headings(entries: list[_Entry], ctx: Context) -> tuple[list[Section], int]:
    texts = [e.line for e in entries]
    styles = [e.style for e in entries]
    outline, sections, lines, found = _Outline(), [], [], 0
    bare = None  # level of the current heading while lines hold nothing but that heading
    i = 0
    while i < len(entries):
        head = None if entries[i].contents else find_heading(texts, i, styles, ctx)
        head = head and outline.placed(head)
        accepted = head is not None and outline.accepts(head)
        # A heading straight above a deeper one (＜主要な業務実績＞ then ［定量的指標の実績］)
        # makes no section of its own: its line opens the child's section.
        if accepted and lines and not (bare is not None and head.level > bare):
            sections.append(_section(outline.item, outline.path, lines))
            lines = []
        if accepted:
            outline.enter(head)
            found += 1
        size = head.size if head else 1
        new = [(e.page, e.text) for e in entries[i : i + size] if e.text]
        lines += new
        bare = head.level if accepted else (bare if head or not new else None)
        i += size
    if lines:
        sections.append(_section(outline.item, outline.path, lines))
    return sections, found


def _by_page(entries: list[_Entry]) -> list[Section]:
    pages: dict[int, list[tuple[int, str]]] = {}
    for e in entries:
        if e.text:
            pages.setdefault(e.page, []).append((e.page, e.text))
    return [_section("", (), lines) for lines in pages.values()]


def split_sections(pages: list[Page]) -> list[Section]:
    """Sections in reading order; boilerplate lines left out. One per page if no headings."""
    entries = _entries(pages)
    sections, found = _by_headings(entries, _context(entries))
    return sections if found else _by_page(entries)
