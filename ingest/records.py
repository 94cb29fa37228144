"""Core records shared by ingest and qa. Pages are 1-based wherever users see them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    number: int  # 1-based position in the PDF
    label: str  # printed page label (/PageLabels, or "- 5 -" -> "5"), else str(number) (ingest.labels)
    text: str  # display text: lines in reading order, broken Japanese lines rejoined
    # (font size, font name) of each line of text: headings set larger or bolder (ingest.sections)
    styles: tuple[tuple[float, str], ...] = ()

    def __post_init__(self):  # read back from JSON, styles are lists
        object.__setattr__(self, "styles", tuple(tuple(s) for s in self.styles))


@dataclass(frozen=True)
class Section:
    item: str  # canonical item id: "overview", "I-1" … "IV", or "" when the report has none
    path: tuple[str, ...]  # titles from the item down, e.g. ("Ⅰ－１ …", "２．主要な経年データ")
    page_start: int
    page_end: int
    lines: tuple[tuple[int, str], ...]  # (page number, display line), boilerplate removed

    @property
    def title(self) -> str:
        return self.path[-1] if self.path else ""

    @property
    def text(self) -> str:
        return "\n".join(line for _, line in self.lines)


@dataclass(frozen=True)
class Chunk:
    id: str  # content hash: re-ingesting the same text gives the same id
    doc: str
    item: str
    section: str  # section path joined with " › "
    page_start: int
    page_end: int
    text: str

    @staticmethod
    def make_id(doc: str, section: str, text: str) -> str:
        digest = hashlib.sha256(f"{doc}\x1f{section}\x1f{text}".encode()).hexdigest()
        return digest[:16]
