"""Table rows kept as structure: row label, column headers, values, unit and page.

Two sources. Reconstructed or untagged pages reach us as text lines such as
`経常費用（千円） 7,000,076 7,567,344 7,888,095` under a header naming fiscal years (平成30年度 …)
or 予算/決算 columns: `rows_from_text` reads those. Real PDFs with ruled tables also give
pdfplumber's `page.find_tables()` cells (`ruled`, run by ingest.layout.read_page): `rows_from_cells`
reads those. Either way a row's `line` is what the page prints, so a quote of it can be checked.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass

from ingest.records import Page
from ingest.rules import implied_borders
from ingest.text import normalize, squash
from ingest.vocabulary import YEAR, western_year, year_form

log = logging.getLogger(__name__)

_UNIT_NOTE = re.compile(r"[（(][^）)]*[）)]")
_RUN_IN = re.compile(r"^.*\d(?:件|名|社|人|%)?")  # up to the last figure (and its counter) in a label

MIN_VALUES = 2  # a label with fewer figures is a sentence, not a row
MAX_LABEL = 40  # longer "labels" are prose that happens to end in figures
HEADER_WINDOW = 8  # header cells wrap over this many short lines ("平成\n30 年度令和元年度…")
CONTEXT_CHARS = 120  # text above a row kept to say what it is about (the indicator, the account)
MIN_RULED_EDGES = 4  # fewer drawn lines or boxes than this: no ruled table to look for
FILLED = 0.5  # share of a ruled table's cells that hold text (a diagram's boxes mostly do not)

_UNITS = r"%|件|社|名|人|回|組織|団体|校|か国|カ国|億円|百万円|千円|万円|円|倍|点|時間|日|か所|ヵ所|機関|者"
_NUMBER = r"[△▲-]?\d[\d,]*(?:\.\d+)?"
_NOTE = r"(?:\s*【[^】]{0,20}】)?"  # 22 【ほか 43】: an extra figure kept with its value
VALUE = re.compile(rf"(?:{_NUMBER}\s*(?:{_UNITS})?|[-－―—ー]){_NOTE}")
# A run of values, each standing alone (space or line edge before it).
_RUN = re.compile(rf"(?:(?<=\s)|^|(?<=[）)】]))(?:{VALUE.pattern})(?:\s+(?:{VALUE.pattern}))+\s*$"
                  rf"|(?:(?<=\s)|^)(?:{VALUE.pattern})(?:\s+(?:{VALUE.pattern}))+(?=[^\d\s,.%])")
_LETTER = re.compile(r"[A-Za-z\u3041-\u30ff\u3400-\u9fff]")
_UNIT_OF = re.compile(r"[（(]\s*(?:単位\s*[:：]\s*)?(千円|百万円|億円|円|人|件|%)\s*[）)]")
_COLUMNS = ("予算", "決算", "差額", "計画", "実績")  # column words of budget tables
_COLUMN_RUN = re.compile(rf"(?:(?:{'|'.join(_COLUMNS)})\s*){{2,}}(?=\S)")


@dataclass(frozen=True)
class TableRow:
    page: int
    label: str  # the row's label as printed: 経常費用（千円）
    values: tuple[str, ...]  # the cells as printed: ("7,000,076", "7,567,344", "7,888,095")
    headers: tuple[str, ...]  # one per value, "" where unknown: ("平成30年度", "令和元年度", …)
    unit: str = ""  # 千円, 百万円 …, from the label or a 単位 note above
    context: str = ""  # the lines above the row: its indicator, account or caption
    line: str = ""  # the row as the page prints it: what a citation quotes
    source: str = "text"  # "text" (page lines) or "ruled" (find_tables cells)
    item: str = ""  # the item a row of the rating summary rates (ingest.ratings), else ""

    @property
    def name(self) -> str:
        """The label without its unit note, squashed: 経常費用（千円） -> 経常費用; without figures of the
        cell beside run into it (「延べ 50 件予算額」 -> 予算額) when a name is left."""
        name = squash(_UNIT_NOTE.sub("", self.label))
        tail = _RUN_IN.sub("", name)
        return tail if len(tail) >= 2 else name

    def named_in(self, said: str) -> bool:
        """Does a (squashed) question name this row? 予算額 also as 予算 ("budget")."""
        name = self.name
        return bool(name) and (name in said or len(name) > 2 and name.endswith("額") and name[:-1] in said)

    def cell(self, header: str) -> str | None:
        """The value under a header, or None."""
        for head, value in zip(self.headers, self.values, strict=True):
            if head and head == header:
                return value
        return None

    def year_cell(self, year: int) -> tuple[str, str] | None:
        """(header, value) of the column for a fiscal year, or None."""
        for head, value in zip(self.headers, self.values, strict=True):
            if head and western_year(head) == year and YEAR.search(head):
                return head, value
        return None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict) -> TableRow:
        row = dict(row)
        row["values"], row["headers"] = tuple(row["values"]), tuple(row["headers"])
        return cls(**row)


def year_header(text: str) -> tuple[str, ...]:
    """Fiscal years a header names in order, as forms: ("平成30年度", "令和元年度", …); the first
    run of consecutive years only (tables print the input side's years a second time)."""
    years = [western_year(m.group(0)) for m in YEAR.finditer(normalize(text)) if "年" in m.group(0)
             or m.group(0).upper().startswith("FY")]
    run: list[int] = []
    for year in years:
        if year is None:
            continue
        if run and year != run[-1] + 1:
            if len(run) >= MIN_VALUES:
                break
            run = []
        run.append(year)
    return tuple(year_form(y) for y in run) if len(run) >= MIN_VALUES else ()


def budget_header(line: str) -> tuple[str, ...]:
    words = [w for w in re.split(r"\s+", normalize(line)) if w]
    found = tuple(w for w in words if w in _COLUMNS)
    return found if len(found) >= MIN_VALUES and not re.search(r"\d", line) else ()


def _segments(line: str) -> tuple[list[tuple[str, list[str], str]], str]:
    """(label, values, printed text) for each run of figures on a line, with the text before it; and
    the text after the last run ("" when there is none)."""
    out, start = [], 0
    text = normalize(line)
    for m in _RUN.finditer(text):
        label = text[start : m.start()].strip()
        values = [v.strip() for v in VALUE.findall(m.group(0))]
        out.append((label, values, text[start : m.end()].strip()))
        start = m.end()
    return out, text[start:].strip() if out else ""


def is_label(label: str) -> bool:
    """Can this text be a row's label (short, with letters, not a sentence)?"""
    return 0 < len(label) <= MAX_LABEL and bool(_LETTER.search(label)) and "。" not in label


def rows_from_text(pages: list[Page]) -> list[TableRow]:
    """Rows of year-column and budget tables read from page lines, in page order."""
    rows: list[TableRow] = []
    state = _State()
    for page in pages:
        lines = [line.strip() for line in page.text.split("\n") if line.strip()]
        ending = ""  # a label that ended the row line above, after its figures
        for i, line in enumerate(lines):
            segments, tail = _segments(line)
            state.see(lines, i, bool(segments))
            for n, (label, values, printed) in enumerate(segments):
                label = state.header_in(_LEADING_VALUES.sub("", label).strip())
                if n == 0 and not is_label(label) and is_label(ending):
                    label = ending  # 「286,023 件 401,360 件決算額（千円）」 above: two tables side by side
                above = _LEADING_VALUES.sub("", state.above[-1][-MAX_LABEL:]).strip() if state.above else ""
                if not is_label(label) and is_label(above):
                    label = above  # 「159,661 件予算額（千円）」: the figure beside is not the label
                if is_label(label):
                    rows.append(state.row(page.number, label, values, printed))
            ending = tail
    return rows


_LEADING_VALUES = re.compile(rf"^(?:(?:{VALUE.pattern})\s*)+(?=\D)")
_CAPTION = re.compile(r"^[○●■□◆◇【（(]|単位")
_PARTICLE = re.compile(r"^[にのをがとへでや][\u3041-\u30ff\u3400-\u9fff]")  # a wrapped name's tail
SUBJECT_LETTERS = 8  # a line opening with a word, with this many letters, names what rows below count
_SUBJECT = re.compile(
    rf"^[A-Za-z\u30a1-\u30ff\u3400-\u9fff](?:.*?{_LETTER.pattern}){{{SUBJECT_LETTERS - 1}}}")


class _State:
    """What is in force above a row: the column header, the unit note, the caption, the lines."""

    def __init__(self) -> None:
        self.header: tuple[str, ...] = ()
        self.unit, self.caption = "", ""
        self.subject = ""  # the indicator whose 計画値/実績値 rows follow: 「研修の受講者数」
        self.above: list[str] = []
        self.in_header = 0  # lines left of a header just read: its wrapped cells start no new one

    def see(self, lines: list[str], i: int, is_row: bool) -> None:
        line = normalize(lines[i])
        self.in_header = 0 if is_row else max(0, self.in_header - 1)
        starts = YEAR.search(line) and (i == 0 or not YEAR.search(normalize(lines[i - 1])))
        if starts and not is_row and not self.in_header:
            found = year_header("".join(lines[max(0, i - 1) : i + HEADER_WINDOW]))
            if found:
                self.header, self.in_header = found, HEADER_WINDOW
        if budget := budget_header(line):
            self.header = budget
        self._subject(line, lines[i], is_row)
        if not is_row:
            # A bracketed cell of the header being read (（最終年度）) is no caption: the table's is above it.
            if _CAPTION.search(line) and len(line) <= CONTEXT_CHARS and not self.in_header:
                self.caption, self.subject = lines[i], ""
                self.unit = ""  # a new table: its own 単位 note, if any, follows or is on this line
            if "単位" in line and (m := _UNIT_OF.search(line)):
                self.unit = m.group(1)
            self.above = (self.above + [lines[i]])[-2:]

    def _subject(self, line: str, printed: str, is_row: bool) -> None:
        """A line that names an indicator starts a new subject, and so does a "row" whose label is that
        long (an indicator with its target figures); a line opening with a particle goes on with the
        name above. `line` is normalised, `printed` as the page prints it."""
        head = printed[: m.start()].strip() if is_row and (m := _RUN.search(line)) else printed
        if not is_row and self.subject and _PARTICLE.match(line):
            self.subject = f"{self.subject} {printed}"
        elif _SUBJECT.match(normalize(head)) and "。" not in head and (not is_row or len(head) > MAX_LABEL):
            self.subject = head

    def header_in(self, label: str) -> str:
        """A header line run into the row's label (「令和2年度 令和3年度予算額」,
        「区別 予算 決算運営費交付金」): read it as the header, keep the rest as the label."""
        if found := year_header(label):
            self.header = found
            return label[list(YEAR.finditer(normalize(label)))[-1].end() :].strip()
        if m := _COLUMN_RUN.search(label):
            self.header = tuple(re.findall("|".join(_COLUMNS), m.group(0)))
            return label[m.end() :].strip()
        return label

    def row(self, page: int, label: str, values: list[str], printed: str) -> TableRow:
        heads = tuple(self.header[: len(values)]) + ("",) * max(0, len(values) - len(self.header))
        own = _UNIT_OF.search(normalize(label))
        context = " ".join(x for x in dict.fromkeys([self.caption, self.subject, *self.above]) if x)
        context = context[-CONTEXT_CHARS:]
        return TableRow(page, label, tuple(values), heads, own.group(1) if own else self.unit, context,
                        printed)


def rows_from_cells(page_number: int, tables: list[list[list[str | None]]], page_text: str) -> list[TableRow]:
    """Rows of ruled tables (find_tables cells): the first row heads the columns. Rows whose text
    the page does not print in that order are left out: a citation could not be checked."""
    flat = squash(page_text)
    out = []
    for table in tables:
        cells = [[(c or "").strip() for c in row] for row in table if row]
        if len(cells) < 2 or len(cells[0]) < MIN_VALUES + 1:
            continue
        heads = tuple(normalize(h) for h in cells[0][1:])
        for row in cells[1:]:
            label, values = row[0], tuple(row[1:])
            line = " ".join(c for c in row if c)
            if is_label(label) and sum(bool(v) for v in values) >= 1 and squash(line) in flat:
                own = _UNIT_OF.search(normalize(label))
                out.append(TableRow(page_number, label, values, heads, own.group(1) if own else "",
                                    " ".join(c for c in cells[0] if c), line, "ruled"))
    return out


def ruled(page) -> list[tuple[tuple, list[list[str | None]]]]:
    """pdfplumber's ruled tables of a page, found once: (bounding box, cells as text) each, with the
    side borders a table leaves out implied (ingest.rules). [] when the page draws too few lines, or
    when the table finder fails: a table it chokes on loses its structure, not the page."""
    if len(page.lines) + len(page.rects) < MIN_RULED_EDGES:
        return []
    try:
        settings = {"explicit_vertical_lines": borders} if (borders := implied_borders(page)) else None
        return [(table.bbox, table.extract()) for table in page.find_tables(settings)]
    except (MemoryError, RecursionError):
        raise
    except Exception as e:
        log.debug("find_tables failed: %s", e)
        return []


def table_boxes(found: list[tuple[tuple, list]]) -> tuple:
    """The bounding boxes of those ruled tables that are tables: two columns and rows at least, most
    cells filled. Boxes and arrows of a diagram are found as "tables" too, with few cells holding text."""
    boxes = []
    for box, cells in found:
        filled = sum(bool(cell and cell.strip()) for row in cells for cell in row)
        if len(cells) >= 2 and max(map(len, cells)) >= 2 and filled >= FILLED * sum(map(len, cells)):
            boxes.append(box)
    return tuple(boxes)


def read_tables(pages: list[Page], ruled: dict[int, list] | None = None) -> list[TableRow]:
    """Every table row of a document: from page text, and from ruled cells by page number."""
    rows = rows_from_text(pages)
    texts = {p.number: p.text for p in pages}
    for number, tables in sorted((ruled or {}).items()):
        rows += rows_from_cells(number, tables, texts.get(number, ""))
    return rows
