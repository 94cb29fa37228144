"""Rebuild page breaks for the sample report, whose text lost them when it was extracted."""

from __future__ import annotations

import re

# A page starts at each form header and at each item header (see issue "Foundation" §2).
_FORM_HEADER = re.compile(r"^(３．各事業年度の業務に係る目標|１－１－[0-9０-９])")
_ITEM_HEADER = re.compile(r"^ (Ⅰ－２|Ⅰ－３|Ⅲ|Ⅳ) ")


def _starts_page(line: str) -> bool:
    if _ITEM_HEADER.match(line):
        return True
    return bool(_FORM_HEADER.match(line[1:] if line.startswith(" ") else line))


def split_report_pages(text: str) -> list[list[str]]:
    """Split the report text into pages of lines, breaking before each header line."""
    pages: list[list[str]] = [[]]
    for line in text.splitlines():
        if _starts_page(line) and any(s.strip() for s in pages[-1]):
            pages.append([])
        pages[-1].append(line)
    return pages
