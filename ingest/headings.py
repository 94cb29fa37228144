"""What a heading looks like: the report's own numbering (Ⅰ－１, １．, （１）, 【…】, ＜…＞), a book's
(1 はじめに, 1.1, 第I部, Part II, 第5章, 付録A) and, where a document sets its headings apart
(ingest.styles), larger or bolder type. `find_heading(lines, i, styles, ctx)` says whether lines[i]
opens a heading; ingest.sections builds the outline from them.

Levels: 0 the evaluation item (Ⅰ－１ … Ⅳ, and the overview forms １－１－１…３) or a part of a book,
1 numbered parts and chapters, 2 sub-parts (1.1, 第1節), 3 topics (【…】, ＜…＞, 1.1.1), 4 sub-topics
(［…］, （１）). Thresholds are module constants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.styles import DocStyle, size_key
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

ITEM, PART, SUB, TOPIC, SUBTOPIC, CIRCLED = 0, 1, 2, 3, 4, 5

# Patterns run on normalize()d text: NFKC turns Ⅲ into III, １ into 1, and dashes into "-".
_OVERVIEW_FORM = re.compile(r"^1-1-([1-3])\s")
_ITEM_FORM = re.compile(r"^1-1-4-[0-9]\s")
_ITEM = re.compile(rf"^({ITEM_NUMERAL})\s+(?=[^\s\d.])")
_PART = re.compile(r"^([0-9]{1,2})\.\s*(?=[^\s\d.%])")
_SUB = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.?\s*(?=[^\s\d.%])")
_COUNTS = "[回期号条項版位次者弾段週日年月]"  # 第2 回: a count, not a heading
# 第N章, 第N節, and 第N alone before its title (要綱, 手引き: "第１ 総則"; not "第2 回目", a count).
_CHAPTER = re.compile(rf"^第[0-9一二三四五六七八九十]+(?:([章節])|\s+(?=[^\W\d_])(?!{_COUNTS}))")
_PAREN = re.compile(r"^\(([0-9]{1,2})\)\s*(?=\S)")
_SUB3 = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{1,2})\.?\s*(?=[^\s\d.%])")
_CIRCLED = re.compile(r"^([①-⑳])\s*(?=\S)")  # before NFKC, which makes ① a bare 1
_BARE = re.compile(r"^([0-9]{1,2})\s+(?=[^\W\d_])")  # "1 はじめに": a chapter without a dot
_BOOK_PART = re.compile(
    r"^(?:第\s*(?:[0-9]+|[IVX]+|[一二三四五六七八九十]+)\s*部|Part\s+(?:[0-9]+|[IVX]+)(?=[\s.:]|$))", re.I)
# Appendices: 付録A, Appendix B, and an office report's 資料１, 参考資料２, 別紙３, 別添1, 別表2.
_CHAPTER_EN = re.compile(
    r"^(?:Chapter\s+[0-9]+|(?:付録|Appendix|参考資料|資料|別紙|別添|別表)\s*[A-Z0-9])(?=\s|$|[^\w])", re.I)
_WORDS = re.compile(r"[^\W\d_]{2,}")  # a heading holds a word, not just symbols or a formula
_LISTED = re.compile(r"[,、，\\{}$%]")  # enumerations and code are not unnumbered headings
LEADER = re.compile(r"(?:\.\s?){4,}|[…‥・·]{3,}")  # dot leaders of a table of contents
SAME_SIZE = 0.97  # a numbered heading is never set smaller than the body (code, notes, examples are)
# Opening bracket -> (closing bracket, level); after NFKC ＜ is < and ［ is [.
_OPEN = {"【": ("】", TOPIC), "<": (">", TOPIC), "〔": ("〕", TOPIC), "[": ("]", SUBTOPIC)}
# A number followed by a counter is a quantity ("1.2 万人"), not a heading number.
_COUNTER = re.compile(r"^[0-9]+(?:[.,][0-9]+)*\s*[万億千百十倍件社名人回年月日%円点か]")
_SENTENCE_END = "。"
_SENTENCE_MARKS = ("。", "．")  # in a heading's raw text: a numbered sentence, not a heading


@dataclass(frozen=True)
class Heading:
    level: float  # fractional below an open 第N章 (ingest.sections)
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
    front: frozenset[float] = frozenset()  # sizes above every numbered heading's, set only before the first
    # of them: a cover's title, 序章

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
        if size_key(size) in self.front:  # the document's title opens it, it is no level above its chapters
            return min(level for _, level in self.levels)
        return max(min((level for _, level in self.levels), default=PART + 1) - 1, ITEM)


def numbering(norm: str) -> tuple[int, int | None] | None:
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
        return (SUB if m.group(1) == "節" else PART), None
    if _CHAPTER_EN.match(norm):
        return PART, None
    if m := _PAREN.match(norm):
        return SUBTOPIC, int(m.group(1))
    if m := _BARE.match(norm):
        return PART, int(m.group(1))
    return None


def line_numbering(line: str) -> tuple[int, int | None] | None:
    """numbering() of a raw line; ① (a step below （１） in Japanese reports) is told from 1 here."""
    if m := _CIRCLED.match(line.strip()):
        return CIRCLED, ord(m.group(1)) - ord("①") + 1
    return numbering(normalize(line.strip()))


def is_chapter(title: str) -> bool:
    """第N部, 第N章, 第N節: the outer levels of a Japanese report, above its １, Ⅰ and （１）."""
    norm = normalize(title.strip())
    return bool(_CHAPTER.match(norm) or _BOOK_PART.match(norm))


def is_sentence(line: str) -> bool:
    """A numbered sentence or list item, not a heading: a sentence mark after the numbering."""
    body = re.sub(r"^\s*[0-9０-９.．\s]+", "", line)
    return any(mark in body for mark in _SENTENCE_MARKS) or body.rstrip().endswith(".")


def _numbered_heading(line: str, style=None, ctx: Context | None = None) -> Heading | None:
    norm = normalize(line.strip())
    if len(norm) > MAX_HEADING or _SENTENCE_END in norm or LEADER.search(norm):
        return None
    found = line_numbering(line)
    if found is None:
        return None
    level, number = found
    ctx = ctx or Context()
    styled = ctx.structured and ctx.style.stands_out(style) and style[0] >= ctx.style.body_size * SAME_SIZE
    if ctx.structured and not styled or is_sentence(line):
        return None  # set like the body (or smaller) where headings stand out: a list item, code
    if _COUNTER.match(norm) and not styled:
        return None  # "1.2 万人": a quantity; set apart, "１ 人口減少の進行" is a heading
    if (_BARE.match(norm) or level == CIRCLED) and not styled:
        return None  # "3 分の 2 以上", "① …": in plain type a table row or list item as often as a heading
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
    if not _WORDS.search(norm) or is_sentence(line) or LEADER.search(norm) or _LISTED.search(norm):
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
    if head is not None and i + 1 < len(lines) and bare_label(lines[i]):
        return _with_title(head, lines[i + 1])
    return head


def bare_label(line: str) -> bool:
    """"第 I 部", "Chapter 3", "付録A" alone on a line: the title is on the next line."""
    norm = normalize(line.strip())
    m = _BOOK_PART.match(norm) or _CHAPTER_EN.match(norm) or _CHAPTER.match(norm)
    return bool(m) and not norm[m.end() :].strip()


def _with_title(head: Heading, line: str) -> Heading:
    norm = normalize(line.strip())
    if not 1 <= len(norm) <= MAX_TITLE or is_sentence(line) or numbering(norm):
        return head
    title = short(f"{head.title} {line.strip()}")
    return Heading(head.level, title, squash(title), head.number, head.item, 2, head.styled)
