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
"""

from __future__ import annotations

import re

from ingest.tables import MAX_LABEL, VALUE, budget_header

_LONE = re.compile(rf"^\s*(?:{VALUE.pattern})\s*$")
_LETTER = re.compile(r"[A-Za-z\u3041-\u30ff\u3400-\u9fff]")


def _is_value(text: str) -> bool:
    return bool(_LONE.match(text))


def _is_label(text: str) -> bool:
    text = text.strip()
    return 0 < len(text) <= MAX_LABEL and bool(_LETTER.search(text)) and not re.search(r"[。、，,]", text) \
        and not _is_value(text)


def unstack(lines: list[dict]) -> list[dict]:
    """The page's lines with stacked table cells put back into rows (see the module docstring)."""
    out: list[dict] = []
    columns = 0  # value columns of the budget header in force on this page
    i = 0
    while i < len(lines):
        if found := budget_header(lines[i]["text"]):
            columns = len(found)
            out.append(lines[i])
            i += 1
            continue
        rows = _rows_at(lines, i, columns) if columns else None
        if rows is None:
            out.append(lines[i])
            i += 1
            continue
        made, i = rows
        out += made
    return out


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
