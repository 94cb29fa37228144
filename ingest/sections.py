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
from dataclasses import dataclass, field
from typing import NamedTuple

from ingest.boilerplate import find_boilerplate, is_edge, strip_boilerplate
from ingest.records import Page, Section
from ingest.styles import DocStyle, doc_style_of, size_key
from ingest.text import normalize, squash
from ingest.vocabulary import ITEM_NUMERAL, item_id

MAX_TITLE = 40  # path titles are cut here: long heading lines are table rows or whole sentences
MAX_HEADING = 80  # a longer line is prose, not a heading (room for a rejoined wrap)
MAX_TOPIC = 40  # a bracketed topic must close within this many characters
WRAP_LINES = 3  # a topic label wrapped in a narrow column may take this many more lines
WRAP_CHARS = 20  # … each of them this short
ITEM_LOOKAHEAD = 3  # lines after a １－１－４－N form line that name its item
# Bracketed labels that sit in table cells of the report's forms, not topics.
TABLE_LABELS = ("基幹目標", "重要度", "ほか")

ITEM, PART, SUB, TOPIC, SUBTOPIC = 0, 1, 2, 3, 4

# Patterns run on normalize()d text: NFKC turns Ⅲ into III, １ into 1, and dashes into "-".
_OVERVIEW_FORM = re.compile(r"^1-1-([1-3])\s")
_ITEM_FORM = re.compile(r"^1-1-4-[0-9]\s")
_ITEM = re.compile(rf"^({ITEM_NUMERAL})\s+(?=[^\s\d.])")
_PART = re.compile(r"^([0-9]{1,2})\.\s*(?=[^\s\d.%])")
_SUB = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.?\s*(?=[^\s\d.%])")
_CHAPTER = re.compile(r"^第[0-9一二三四五六七八九十]+([章節])")
_PAREN = re.compile(r"^\(([0-9]{1,2})\)\s*(?=\S)")
_SUB3 = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{1,2})\.?\s*(?=[^\s\d.%])")
_BARE = re.compile(r"^([0-9]{1,2})\s+(?=[^\W\d_])")  # "1 はじめに": a chapter without a dot
_BOOK_PART = re.compile(
    r"^(?:第\s*(?:[0-9]+|[IVX]+|[一二三四五六七八九十]+)\s*部|Part\s+(?:[0-9]+|[IVX]+)(?=[\s.:]|$))", re.I)
_CHAPTER_EN = re.compile(r"^(?:Chapter\s+[0-9]+|(?:付録|Appendix)\s*[A-Z0-9])(?=\s|$|[^\w])", re.I)
_WORDS = re.compile(r"[^\W\d_]{2,}")  # a heading holds a word, not just symbols or a formula
_LISTED = re.compile(r"[,、，\\{}$%]")  # enumerations and code are not unnumbered headings
_LEADER = re.compile(r"(?:\.\s?){4,}|[…‥・·]{3,}")  # dot leaders of a table of contents
SAME_SIZE = 0.97  # a numbered heading is never set smaller than the body (code, notes, examples are)
TOC_SHARE = 0.3  # a page whose lines are this often table-of-contents entries is a contents page
MIN_TOC_ENTRIES = 3
# Opening bracket -> (closing bracket, level); after NFKC ＜ is < and ［ is [.
_OPEN = {"【": ("】", TOPIC), "<": (">", TOPIC), "〔": ("〕", TOPIC), "[": ("]", SUBTOPIC)}
# A number followed by a counter is a quantity ("1.2 万人"), not a heading number.
_COUNTER = re.compile(r"^[0-9]+(?:[.,][0-9]+)*\s*[万億千百十倍件社名人回年月日%円点か]")
_SENTENCE_END = "。"
_SENTENCE_MARKS = ("。", "．")  # in a heading's raw text: a numbered sentence, not a heading


@dataclass(frozen=True)
class Heading:
    level: int
    title: str  # display title, cut to MAX_TITLE
    key: str  # what makes two headings at this level the same heading
    number: int | None = None  # for sequence checks: (5) without (4) before it is prose
    item: str = ""  # canonical item id, level 0 only
    size: int = 1  # lines the heading takes (wrapped topic labels take more)
    styled: bool = False  # set apart by type (ingest.styles): no numbering sequence to check


def short(text: str, limit: int = MAX_TITLE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _item_id(norm: str) -> str:
    return item_id(m.group(1)) if (m := _ITEM.match(norm)) else ""


def _item_heading(lines: list[str], i: int) -> Heading | None:
    norm = normalize(lines[i].strip())
    if m := _OVERVIEW_FORM.match(norm):
        return Heading(ITEM, short(lines[i]), f"1-1-{m.group(1)}", item="overview")
    if _ITEM_FORM.match(norm):
        # The form line opens the item; the line naming it follows.
        for ahead in lines[i + 1 : i + 1 + ITEM_LOOKAHEAD]:
            if item := _item_id(normalize(ahead.strip())):
                return Heading(ITEM, short(ahead), item, item=item)
        return None
    if (item := _item_id(norm)) and len(norm) <= MAX_HEADING and _SENTENCE_END not in norm:
        return Heading(ITEM, short(lines[i]), item, item=item)
    return None


@dataclass(frozen=True)
class Context:
    """What the whole document says about its headings."""

    style: DocStyle | None = None
    levels: tuple[tuple[float, int], ...] = ()  # heading size -> level, from its numbered headings
    fonts: frozenset[str] = frozenset()  # the faces numbered headings are set in

    @property
    def structured(self) -> bool:
        return self.style is not None and self.style.structured

    def level_of(self, size: float) -> int:
        """The level of an unnumbered heading of this size: that of numbered headings of its size,
        one above the largest of them when larger, else by rank among the sizes."""
        levels = dict(self.levels)
        if size_key(size) in levels:
            return levels[size_key(size)]
        larger = [level for s, level in self.levels if s > size]
        if larger:
            return min(max(larger), TOPIC)
        return max(min((level for _, level in self.levels), default=PART + 1) - 1, ITEM)


def _numbering(norm: str) -> tuple[int, int | None] | None:
    """(level, number) of a numbered heading's numbering, or None."""
    if m := _SUB3.match(norm):
        return TOPIC, int(m.group(3))
    if m := _SUB.match(norm):
        return SUB, int(m.group(2))
    if m := _PART.match(norm):
        return PART, int(m.group(1))
    if _BOOK_PART.match(norm):
        return ITEM, None
    if m := _CHAPTER.match(norm):
        return (PART if m.group(1) == "章" else SUB), None
    if _CHAPTER_EN.match(norm):
        return PART, None
    if m := _PAREN.match(norm):
        return SUBTOPIC, int(m.group(1))
    if m := _BARE.match(norm):
        return PART, int(m.group(1))
    return None


def _sentence(line: str) -> bool:
    """A numbered sentence or list item, not a heading: a sentence mark after the numbering."""
    body = re.sub(r"^\s*[0-9０-９.．\s]+", "", line)
    return any(mark in body for mark in _SENTENCE_MARKS) or body.rstrip().endswith(".")


def _numbered_heading(line: str, style=None, ctx: Context | None = None) -> Heading | None:
    norm = normalize(line.strip())
    if len(norm) > MAX_HEADING or _SENTENCE_END in norm or _COUNTER.match(norm) or _LEADER.search(norm):
        return None
    found = _numbering(norm)
    if found is None:
        return None
    level, number = found
    ctx = ctx or Context()
    styled = ctx.structured and ctx.style.stands_out(style) and style[0] >= ctx.style.body_size * SAME_SIZE
    if ctx.structured and not styled or _sentence(line):
        return None  # set like the body (or smaller) where headings stand out: a list item, code
    if _BARE.match(norm) and not styled:
        return None  # "3 分の 2 以上": in type set all alike, a table row as often as a chapter
    title, key = short(line), squash(short(line))
    return Heading(level, title, key, number, styled=styled)


def _styled_heading(line: str, style, ctx: Context) -> Heading | None:
    """An unnumbered line set larger than the body in a face the numbered headings use: "はじめに",
    "参考文献". Examples set large in the body's face are not."""
    norm = normalize(line.strip())
    if not ctx.structured or not ctx.style.larger(style) or not 2 <= len(norm) <= MAX_TITLE:
        return None
    if style[1] not in ctx.fonts:
        return None
    if not _WORDS.search(norm) or _sentence(line) or _LEADER.search(norm) or _LISTED.search(norm):
        return None
    title = short(line)
    return Heading(ctx.level_of(style[0]), title, squash(title), styled=True)


def _topic_heading(lines: list[str], i: int) -> Heading | None:
    """【…】, ＜…＞, ［…］ at line start, closed on this line or a few short lines on."""
    first = normalize(lines[i].strip())
    if first[:1] not in _OPEN:
        return None
    close, level = _OPEN[first[:1]]
    text, size = first, 1
    while close not in text and size <= WRAP_LINES and i + size < len(lines):
        more = normalize(lines[i + size].strip())
        if len(more) > WRAP_CHARS:
            return None
        text, size = text + more, size + 1
    end = text.find(close)
    label, rest = text[1:end], text[end + 1 :].strip()
    if end < 0 or end > MAX_TOPIC or len(text) > MAX_HEADING or _SENTENCE_END in text:
        return None
    if re.search(r"[0-9]", label) or not re.search(r"[^\W\d_]", label):  # 【ほか 38】, [␣]: figures
        return None  # or symbols, not topics
    if rest[:1].isdigit() or any(word in label for word in TABLE_LABELS):  # a table cell
        return None
    title = short("".join(line.strip() for line in lines[i : i + size]))
    return Heading(level, title, squash(text[: end + 1]), size=size)


def find_heading(lines: list[str], i: int, styles=None, ctx: Context | None = None) -> Heading | None:
    """The heading starting at lines[i], if that line looks like one. `styles[i]` is the line's
    (size, font) when known; `ctx` what the document says about its headings."""
    style = styles[i] if styles else None
    head = _item_heading(lines, i) or _topic_heading(lines, i) or _numbered_heading(lines[i], style, ctx)
    if head is None and ctx is not None:
        head = _styled_heading(lines[i], style, ctx)
    if head is not None and i + 1 < len(lines) and _bare_label(lines[i]):
        return _with_title(head, lines[i + 1])
    return head


def _bare_label(line: str) -> bool:
    """"第 I 部", "Chapter 3", "付録A" alone on a line: the title is on the next line."""
    norm = normalize(line.strip())
    m = _BOOK_PART.match(norm) or _CHAPTER_EN.match(norm) or _CHAPTER.match(norm)
    return bool(m) and not norm[m.end() :].strip()


def _with_title(head: Heading, line: str) -> Heading:
    norm = normalize(line.strip())
    if not 1 <= len(norm) <= MAX_TITLE or _sentence(line) or _numbering(norm):
        return head
    title = short(f"{head.title} {line.strip()}")
    return Heading(head.level, title, squash(title), head.number, head.item, 2, head.styled)


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


def _toc(lines: list[str]) -> bool:
    entries = sum(bool(_LEADER.search(line)) for line in lines)
    return entries >= MIN_TOC_ENTRIES and entries >= TOC_SHARE * len(lines)


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
        kept = ["" if toc and _LEADER.search(normalize(text)) else text for text in kept]
        out += [_Entry(page.number, line, text, style, toc)
                for line, text, style in zip(lines, kept, kept_styles, strict=True)]
    return out


def _context(entries: list[_Entry]) -> Context:
    """The document's heading style, and the level each heading size has in its numbered headings."""
    style = doc_style_of(entries)
    if style is None or not style.structured:
        return Context(style)
    levels: dict[float, Counter] = {}
    fonts = set()
    for e in entries:
        found = None if e.contents or not style.stands_out(e.style) else _numbering(normalize(e.line))
        if found and style.larger(e.style) and not _sentence(e.line):
            levels.setdefault(size_key(e.style[0]), Counter())[found[0]] += 1
            fonts.add(e.style[1])
    return Context(style, tuple((size, c.most_common(1)[0][0]) for size, c in sorted(levels.items())),
                   frozenset(fonts))


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
