"""Build the sample PDF from the report's text: a reconstruction, not the original PDF.

One PDF page per rebuilt page (ingest.pages), lines drawn as printed and wrapped at the page
width the way a word processor would, footer "- N -", IPAexGothic embedded as a subset.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import re
from contextlib import contextmanager
from pathlib import Path

from ingest.pages import split_report_pages

log = logging.getLogger(__name__)

PAGE_WIDTH = 842.0  # A4 landscape, like the original forms (pt)
MARGIN = 36.0
FONT_SIZE = 9.0
LINE_HEIGHT = 13.0
MIN_PAGE_HEIGHT = 595.0  # A4 landscape height; taller pages grow to fit their lines
LATIN_BACKOFF = 20  # chars to look back for a space so Latin words are not cut
FIXED_DATE = dt.datetime(2021, 6, 30, tzinfo=dt.UTC)  # deterministic output bytes


def font_path() -> Path:
    """IPAexGothic from japanize-matplotlib, or Debian's fonts-ipaexfont-gothic."""
    # find_spec, not import: importing japanize_matplotlib pulls in all of matplotlib.
    spec = importlib.util.find_spec("japanize_matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "fonts" / "ipaexg.ttf"
        if path.exists():
            return path
    path = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
    if path.exists():
        return path
    raise FileNotFoundError("IPAexGothic not found: pip install japanize-matplotlib")


# Private-use glyphs (Wingdings bullets in the source PDF) have no IPAexGothic glyph.
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def _wrap(pdf, line: str, width: float) -> list[str]:
    """Greedy wrap by character; a cut inside a Latin word backs off to the last space."""
    out: list[str] = []
    while pdf.get_string_width(line) > width:
        cut = 1
        while pdf.get_string_width(line[: cut + 1]) <= width:
            cut += 1
        if line[cut - 1 : cut + 1].isascii() and line[cut - 1 : cut + 1].isalnum():
            space = line.rfind(" ", max(0, cut - LATIN_BACKOFF), cut)
            cut = space + 1 if space > 0 else cut
        out.append(line[:cut].rstrip())
        line = line[cut:]
    out.append(line)
    return out


@contextmanager
def _quiet_subsetter():
    """fontTools logs every glyph it keeps while fpdf2 subsets the font (hundreds of lines at INFO)."""
    logger = logging.getLogger("fontTools")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


def build_sample_pdf(text_path: Path, out_path: Path) -> Path:
    """Write the sample PDF for the report text; same input, same bytes."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_producer("docqa sample builder")
    pdf.set_auto_page_break(False)
    pdf.add_font("ipaexg", fname=str(font_path()))
    pdf.set_font("ipaexg", size=FONT_SIZE)
    width = PAGE_WIDTH - 2 * MARGIN
    pages = split_report_pages(Path(text_path).read_text(encoding="utf-8"))
    for number, lines in enumerate(pages, start=1):
        lines = [_PRIVATE_USE.sub("・", line).rstrip() for line in lines if line.strip()]
        drawn = [part for line in lines for part in _wrap(pdf, line, width)]
        height = max(MIN_PAGE_HEIGHT, 2 * MARGIN + (len(drawn) + 2) * LINE_HEIGHT)
        pdf.add_page(format=(PAGE_WIDTH, height))
        for row, text in enumerate(drawn):
            pdf.text(MARGIN, MARGIN + (row + 1) * LINE_HEIGHT, text)
        footer = f"- {number} -"
        pdf.text((PAGE_WIDTH - pdf.get_string_width(footer)) / 2, height - MARGIN / 2, footer)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with _quiet_subsetter():
        pdf.output(str(out_path))
    log.debug("wrote %s (%d pages)", out_path, len(pages))
    return out_path
