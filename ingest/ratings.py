"""The rating summary of the self-evaluation form (項目別評定総括表): each item's rating (S, A, B, C, D)
per fiscal year, printed as a line 「業務運営の効率化 B B B II」 (or 「S A A I-1」 below its title) under a
header of the years. Kept as table rows whose `item` is the item the line ends with, so that "item
I-2's ratings over the years" is answered by quoting that line with the years named."""

from __future__ import annotations

import re

from ingest.records import Page
from ingest.tables import CONTEXT_CHARS, TableRow, is_label, year_header
from ingest.text import normalize
from ingest.vocabulary import ITEM_NUMERAL, item_id

# A label (may be empty), two to five rating letters, the item: 「業務運営の効率化 B B B II」
_ROW = re.compile(r"^(?P<label>.*?)\s*(?P<cells>[SABCD](?:\s+[SABCD]){1,4})\s+"
                  rf"(?P<item>{ITEM_NUMERAL})\s*$")


def rating_rows(pages: list[Page]) -> list[TableRow]:
    """Rows of rating letters under a header of fiscal years, one per item, in page order."""
    out = []
    for page in pages:
        years = year_header(page.text)
        lines = [line.strip() for line in page.text.split("\n") if line.strip()] if years else []
        for i, line in enumerate(lines):
            m = _ROW.match(normalize(line))
            if m is None or len(cells := m.group("cells").split()) > len(years) or \
                    m.group("label").strip() and not is_label(m.group("label").strip()):
                continue  # no row, more cells than years, or a sentence before the letters
            item = item_id(m.group("item"))
            out.append(TableRow(page.number, m.group("label").strip(), tuple(cells),
                                years[: len(cells)], context=lines[i - 1][-CONTEXT_CHARS:] if i else "",
                                line=line, item=item))
    return out

