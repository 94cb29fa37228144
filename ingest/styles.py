"""How a document sets its headings apart: larger type, or a bold face beside a regular body.

Page.styles holds each line's (font size, font). The body is the size and font that set most of the
text; a line set HEADING_RATIO times larger, or in a bold face the body does not use, stands out. A
document with enough such lines is "structured": there, numbered lines set like the body are list
items, not headings (ingest.sections).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

HEADING_RATIO = 1.12  # a heading is set at least this much larger than the body …
MIN_STYLED = 3  # … and a document needs this many lines that stand out to count as structured
MAX_STYLED_CHARS = 60  # longer lines that stand out are displays or tables, not headings
SIZE_STEP = 0.5  # heading sizes closer than this are the same size
_BOLD = re.compile(
    r"bold|black|heavy|demi|semi|medium|gothic|goth|sans-?serif|W[5-9]\b|-B$|^CMBX|^ECBX|^SFBX", re.I)


def is_bold(font: str) -> bool:
    """Does the font's name say a bold (or gothic, heading) face?"""
    return bool(_BOLD.search(font))


@dataclass(frozen=True)
class DocStyle:
    body_size: float
    body_font: str
    structured: bool

    def larger(self, style: tuple[float, str] | None) -> bool:
        return style is not None and style[0] >= HEADING_RATIO * self.body_size

    def stands_out(self, style: tuple[float, str] | None) -> bool:
        """Set larger than the body, or in a bold face where the body is not bold."""
        if style is None:
            return False
        bolder = style[1] != self.body_font and is_bold(style[1]) and not is_bold(self.body_font)
        return self.larger(style) or bolder and style[0] >= self.body_size / HEADING_RATIO


def size_key(size: float) -> float:
    return round(size / SIZE_STEP) * SIZE_STEP


def doc_style_of(lines) -> DocStyle | None:
    """The body's size and font, weighted by characters, from items with .line and .style (None
    when unknown); None when no line has a style."""
    sizes: Counter = Counter()
    fonts: Counter = Counter()
    for item in lines:
        if item.style is not None:
            sizes[size_key(item.style[0])] += len(item.line)
            fonts[item.style[1]] += len(item.line)
    if not sizes:
        return None
    style = DocStyle(sizes.most_common(1)[0][0], fonts.most_common(1)[0][0], False)
    styled = sum(style.stands_out(item.style) and len(item.line) <= MAX_STYLED_CHARS for item in lines)
    return DocStyle(style.body_size, style.body_font, styled >= MIN_STYLED)
