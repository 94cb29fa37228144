"""Tables printed cell by cell: put their rows back together.

A budget table whose cells hold several lines each often reaches the page (or was typeset from a
text export) column after column, every cell a line of its own:

    区別 予算 決算 主な増減要因
    収入                <- a group label: no figures of its own
    運営費交付金
    計
    8,999               <- the 予算 column, top to bottom
    8,999
    8,999               <- the 決算 column
    8,999

Read that way, no line holds a row, and joining the short label lines makes one word of them. Under
a header naming K value columns (予算 決算 …), a run of L label lines followed by exactly K×L lone
figures (K×(L−1) when the first label heads a group) is such a table: its rows are put back as
printed rows, `運営費交付金 8,999 8,999`, each a line that is never joined to another.

Year-column tables come cell by cell row after row instead: a label, its unit note, then one figure a
line, a note such as 【ほか 3,196,750】 broken over lines of its own. On a page with a fiscal-year
header, a label followed by two lone figures or more is read back as one row the same way.

A cell may also hold a part of its figure under a label of its own, 「うち効率化対象経費：」 (of which
…): each such line takes the figure just above it as the row's cell and the figure just below as the
part's. The row and the part become a row each; figures before the first such cell are the reference
columns (達成目標, the previous term's value) and stay, with the notes, on a line of their own that
the row's label heads (「実績値（千円）（参考） 237,654 (29 年度実績値)」).
"""

from __future__ import annotations

import re

from ingest.tables import VALUE, budget_header, is_label, year_header
from ingest.text import normalize

_LONE = re.compile(rf"^\s*(?:{VALUE.pattern})\s*$")
_RUN = re.compile(rf"^\s*(?:{VALUE.pattern})(?:\s+(?:{VALUE.pattern}))*\s*$")
_ENDS_FIGURE = re.compile(r"[\d－-]\s*$")
_UNIT_NOTE = re.compile(r"^\s*[（(][^）)]{1,12}[）)]\s*$")  # （千円） under its label
_UNIT_ALONE = re.compile(r"^\s*(?:件|社|名|人|回|組織|団体|%|％)\s*$")  # 件 under its figure
_PART = re.compile(r"^\s*(うち[^\d：:（(]{1,20})\s*[：:]?\s*$")  # 「うち効率化対象経費：」 over its figure
_CELL_NOTE = re.compile(r"^\s*[（(][^）)]{1,20}[）)]\s*$")  # (組替後：230,294) under a cell
_LABEL_FIGURES = re.compile(rf"^(.*?)((?:\s*(?:{VALUE.pattern}))*)\s*$")
MIN_PARTS = 2  # cells with a part: fewer is a sentence's aside, not a table's column
MAX_NOTE_LINES = 4  # a 【…】 note broken over more lines than this is not a cell's note


def _is_value(text: str) -> bool:
    return bool(_LONE.match(text))


def _is_label(text: str) -> bool:
    """A row label standing alone on its line: no clause comma either (a cell of prose is not one)."""
    text = text.strip()
    return is_label(text) and not re.search(r"[、，,]", text) and not _is_value(text)


def rows_down(lines: list[dict]) -> list[dict]:
    """A year-column table read cell by cell put back into rows: on joined lines, whose labels are
    whole again (「実績値」 set in a narrow cell as 「実績」「値」)."""
    if year_header("\n".join(line["text"] for line in lines)):
        return _rows_down(_with_parts(_cells(lines)))
    return lines


def _cells(lines: list[dict]) -> list[dict]:
    """Cells broken over lines made whole again: a 【…】 note with its figure, a figure with its unit."""
    out: list[dict] = []
    i = 0
    while i < len(lines):
        line, i = lines[i], i + 1
        text = line["text"].strip()
        end = i
        while text.count("【") > text.count("】") and end < min(len(lines), i + MAX_NOTE_LINES):
            text, end = f"{text} {lines[end]['text'].strip()}", end + 1
        if text.count("【") > text.count("】"):
            text, end = line["text"].strip(), i  # never closed: not a note
        if out and text.startswith("【") and _ENDS_FIGURE.search(out[-1]["text"]):
            out[-1] = {**out[-1], "text": f"{out[-1]['text'].strip()} {text}"}
        elif out and _UNIT_ALONE.match(text) and _is_value(out[-1]["text"]):
            out[-1] = {**out[-1], "text": f"{out[-1]['text'].strip()} {text}"}
        else:
            out.append({**line, "text": text})
        i = end
    return out


def _rows_down(lines: list[dict]) -> list[dict]:
    """A label (and its unit note) followed by lines of figures only, two figures or more: one row."""
    return _runs(lines, _row_down_at)


def _row_down_at(lines: list[dict], i: int) -> tuple[list[dict], int] | None:
    j = i + 1 + bool(i + 1 < len(lines) and _UNIT_NOTE.match(lines[i + 1]["text"]))
    k = j
    while k < len(lines) and _RUN.match(lines[k]["text"]):
        k += 1
    figures = sum(len(VALUE.findall(line["text"])) for line in lines[j:k])
    if not _is_label(lines[i]["text"]) or figures < 2:
        return None
    label = "".join(line["text"].strip() for line in lines[i:j])
    return [{**lines[i], "text": " ".join([label, *(x["text"].strip() for x in lines[j:k])])}], k


def _with_parts(lines: list[dict]) -> list[dict]:
    """Rows whose cells each hold a part (「うち…：」) put back as a row and a part row (module doc)."""
    return _runs(lines, _parts_at)


def _runs(lines: list[dict], at) -> list[dict]:
    """The lines with each run that `at(lines, i)` reads as rows, (rows, index after) or None,
    replaced by those rows."""
    out: list[dict] = []
    i = 0
    while i < len(lines):
        found = at(lines, i)
        if found is None:
            out.append(lines[i])
            i += 1
        else:
            made, i = found
            out += made
    return out


def _parts_at(lines: list[dict], i: int) -> tuple[list[dict], int] | None:
    """(the row, its part row, the rest of its cells; index after) when such a row starts at line i:
    its label (with figures or not), then lines of figures, part labels and cell notes only."""
    # Matched on normalised text: cells print ％ as often as %.
    label, figures = _LABEL_FIGURES.match(normalize(lines[i]["text"]).strip()).groups()
    if not _is_label(label) or _PART.match(label):
        return None
    stream = [("figure", v.strip()) for v in VALUE.findall(figures)]
    k = i + 1
    while k < len(lines):
        text = normalize(lines[k]["text"]).strip()
        if _RUN.match(text):
            stream += [("figure", v.strip()) for v in VALUE.findall(text)]
        elif m := _PART.match(text):
            stream.append(("part", m.group(1).strip()))
        elif _CELL_NOTE.match(text):
            stream.append(("note", text))
        else:
            break
        k += 1
    figures_at = {n: text for n, (kind, text) in enumerate(stream) if kind == "figure"}
    parts = [n for n, (kind, _) in enumerate(stream) if kind == "part"]
    if len(parts) < MIN_PARTS:
        return None
    mains, shares, used = [], [], set()
    for n in parts:
        before = max((m for m in figures_at if m < n), default=None)
        after = min((m for m in figures_at if m > n), default=None)
        if before is None or after is None or {before, after} & used:
            return None
        mains.append(figures_at[before])
        shares.append(figures_at[after])
        used |= {before, after}
    if any(m > parts[0] and m not in used for m in figures_at):
        return None  # a figure that is neither a cell nor its part: not this shape
    # The other cells, but for lone dashes (a column left empty): a run of two figures would be a row.
    rest = [text for n, (kind, text) in enumerate(stream)
            if kind == "note" or kind == "figure" and n not in used and any(c.isdigit() for c in text)]
    made = [{**lines[i], "text": " ".join([label.strip(), *mains]), "row": True},
            {**lines[i], "text": " ".join([stream[parts[0]][1], *shares]), "row": True}]
    if rest:
        made.append({**lines[i], "text": " ".join([f"{label.strip()}（参考）", *rest])})
    return made, k


def unstack(lines: list[dict]) -> list[dict]:
    """A budget table read column after column (see the module docstring) put back into rows: on the
    page's lines as read, before broken lines are joined (that would make one word of the labels)."""
    columns = 0  # value columns of the budget header in force on this page

    def at(lines: list[dict], i: int) -> tuple[list[dict], int] | None:
        nonlocal columns
        if found := budget_header(lines[i]["text"]):
            columns = len(found)
            return [lines[i]], i + 1
        return _rows_at(lines, i, columns) if columns else None

    return _runs(lines, at)


def _rows_at(lines: list[dict], i: int, columns: int) -> tuple[list[dict], int] | None:
    """(rows, index after the run) when a stacked run of labels and values starts at line i."""
    j = i
    while j < len(lines) and _is_label(lines[j]["text"]):
        j += 1
    k = j
    while k < len(lines) and _is_value(lines[k]["text"]):
        k += 1
    labels, values = lines[i:j], [line["text"].strip() for line in lines[j:k]]
    if len(labels) < 1 or len(values) < columns:
        return None
    for group in (0, 1):
        named = labels[group:]
        if named and len(values) == columns * len(named):
            rows = [{**line, "text": " ".join([line["text"].strip(), *values[n::len(named)]]), "row": True}
                    for n, line in enumerate(named)]
            return [{**line, "row": True} for line in labels[:group]] + rows, k
    return None
