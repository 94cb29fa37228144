"""Split pages into sections from the report's own headings.

Levels: 0 the evaluation item (Ⅰ－１ … Ⅳ, and the overview forms １－１－１…３), 1 numbered
parts (１．, 第1章), 2 sub-parts (1.1, 第1節), 3 topics (【…】, ＜…＞), 4 sub-topics (［…］, （１）):
in the forms ［定量的指標の実績］ sits under ＜主要な業務実績＞ or ＜評定と根拠＞. A section is the
text between two accepted headings; its path is the current title at each level. A PDF with no
such headings gets one section per page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.boilerplate import find_boilerplate, is_edge, strip_boilerplate
from ingest.records import Page, Section
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
# Opening bracket -> (closing bracket, level); after NFKC ＜ is < and ［ is [.
_OPEN = {"【": ("】", TOPIC), "<": (">", TOPIC), "〔": ("〕", TOPIC), "[": ("]", SUBTOPIC)}
# A number followed by a counter is a quantity ("1.2 万人"), not a heading number.
_COUNTER = re.compile(r"^[0-9]+(?:[.,][0-9]+)*\s*[万億千百十倍件社名人回年月日%円点か]")
_SENTENCE_END = "。"


@dataclass(frozen=True)
class Heading:
    level: int
    title: str  # display title, cut to MAX_TITLE
    key: str  # what makes two headings at this level the same heading
    number: int | None = None  # for sequence checks: (5) without (4) before it is prose
    item: str = ""  # canonical item id, level 0 only
    size: int = 1  # lines the heading takes (wrapped topic labels take more)


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


def _numbered_heading(line: str) -> Heading | None:
    norm = normalize(line.strip())
    if len(norm) > MAX_HEADING or _SENTENCE_END in norm or _COUNTER.match(norm):
        return None
    title, key = short(line), squash(short(line))
    if m := _SUB.match(norm):
        return Heading(SUB, title, key, int(m.group(2)))
    if m := _PART.match(norm):
        return Heading(PART, title, key, int(m.group(1)))
    if m := _CHAPTER.match(norm):
        return Heading(PART if m.group(1) == "章" else SUB, title, key)
    if m := _PAREN.match(norm):
        return Heading(SUBTOPIC, title, key, int(m.group(1)))
    return None


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
    if re.search(r"[0-9]", label):  # 【ほか 38】, 【参考：… 2 回以上…】: figures, not topics
        return None
    if rest[:1].isdigit() or any(word in label for word in TABLE_LABELS):  # a table cell
        return None
    title = short("".join(line.strip() for line in lines[i : i + size]))
    return Heading(level, title, squash(text[: end + 1]), size=size)


def find_heading(lines: list[str], i: int) -> Heading | None:
    """The heading starting at lines[i], if that line looks like one."""
    return _item_heading(lines, i) or _topic_heading(lines, i) or _numbered_heading(lines[i])


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
        if head.number is None or head.level == ITEM:
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


def _entries(pages: list[Page]) -> list[tuple[int, str, str]]:
    """(page number, line, line without boilerplate or "") for every non-blank line, in order.

    Headings are looked for in the whole line: the report's page header is boilerplate and
    also the heading of part ３.
    """
    boilerplate = find_boilerplate(pages)
    out = []
    for page in pages:
        # A broken ToUnicode map can leave lone surrogates, which UTF-8 (and so Chunk ids) refuse.
        clean = page.text.encode("utf-8", "replace").decode("utf-8")
        lines = [line.strip() for line in clean.splitlines() if line.strip()]
        kept = [strip_boilerplate(line, boilerplate, is_edge(i, len(lines))) for i, line in enumerate(lines)]
        if not any(kept):
            kept = lines  # a page of nothing but repeats still gets a section
        out += [(page.number, line, text) for line, text in zip(lines, kept, strict=True)]
    return out


def _section(item: str, path: tuple[str, ...], lines: list[tuple[int, str]]) -> Section:
    path = path or (short(lines[0][1]),)  # text before the first heading: named by its first line
    return Section(item, path, lines[0][0], lines[-1][0], tuple(lines))


def _by_headings(entries: list[tuple[int, str, str]]) -> tuple[list[Section], int]:
    texts = [line for _, line, _ in entries]
    outline, sections, lines, found = _Outline(), [], [], 0
    bare = None  # level of the current heading while lines hold nothing but that heading
    i = 0
    while i < len(entries):
        head = find_heading(texts, i)
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
        new = [(page, text) for page, _, text in entries[i : i + size] if text]
        lines += new
        bare = head.level if accepted else (bare if head or not new else None)
        i += size
    if lines:
        sections.append(_section(outline.item, outline.path, lines))
    return sections, found


def _by_page(entries: list[tuple[int, str, str]]) -> list[Section]:
    pages: dict[int, list[tuple[int, str]]] = {}
    for page, _, text in entries:
        if text:
            pages.setdefault(page, []).append((page, text))
    return [_section("", (), lines) for lines in pages.values()]


def split_sections(pages: list[Page]) -> list[Section]:
    """Sections in reading order; boilerplate lines left out. One per page if no headings."""
    entries = _entries(pages)
    sections, found = _by_headings(entries)
    return sections if found else _by_page(entries)
