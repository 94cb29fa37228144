"""The source viewer: a cited page as an image with the passage highlighted, and its text marked.

Quotes are found on the page by normalised text (ingest.text.squash), so line breaks, spaces and
full-width forms in the PDF do not stop a match. A quote that does not match whole (a table row
glued across cells, a passage running onto the next page) is found piece by piece.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.text import squash

log = logging.getLogger(__name__)

RENDER_SCALE = 1.6  # pixels per PDF point: Japanese body text stays legible in the panel
HIGHLIGHT = (255, 214, 0, 110)  # translucent yellow, RGBA
CROP_ASPECT = 0.6  # the crop around a passage: this high for its width, so the text reads at panel size
CROP_MARGIN = 60  # PDF points kept above and below the passage in the crop
TRIM_PAD = 18  # PDF points of margin kept around the printed area
MIN_PIECE = 12  # shortest piece of a quote we trust to mark on its own (shorter ones recur by chance)
PIECE = 24  # length of the windows a non-matching quote is cut into
_SENTENCE = re.compile(r"(?<=[。！？\n])")


@dataclass(frozen=True)
class SourceView:
    image: object | None  # PIL.Image of the page, None when the PDF file is not at hand
    text_html: str  # the page text, escaped, with the passage in <mark>
    meta_html: str  # item, section path, document, page
    found: bool  # the passage was located on the page


def find_spans(units: Sequence[str], needle: str) -> list[tuple[int, int]]:
    """Index ranges [start, end) of `units` (characters, or pdfplumber char texts) that spell `needle`.

    Matching is on squash()ed text. Returns one range when the needle matches whole, else the ranges
    of its sentences and windows that do, merged; [] when nothing of it is there.
    """
    flat, owner = [], []
    for i, unit in enumerate(units):
        for ch in squash(unit):
            flat.append(ch)
            owner.append(i)
    hay = "".join(flat)
    target = squash(needle)
    if not target or not hay:
        return []
    spans = []
    for piece in _pieces(target, hay):
        at = hay.find(piece)
        while at >= 0:
            spans.append((owner[at], owner[at + len(piece) - 1] + 1))
            at = hay.find(piece, at + len(piece))
            if len(piece) < len(target):
                break  # a window marks its first occurrence only
    return _merge(spans)


def _pieces(target: str, hay: str) -> list[str]:
    if target in hay:
        return [target]
    pieces = []
    for sentence in (s for s in _SENTENCE.split(target) if len(s) >= MIN_PIECE):
        if sentence in hay:
            pieces.append(sentence)
            continue
        windows = [sentence[i:i + PIECE] for i in range(0, len(sentence), PIECE)]
        pieces.extend(w for w in windows if len(w) >= MIN_PIECE and w in hay)
    return pieces


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mark_text(text: str, needle: str) -> tuple[str, bool]:
    """`text` escaped for HTML with the needle's spans wrapped in <mark>; and whether any matched."""
    spans = find_spans(list(text), needle)
    out, pos = [], 0
    for start, end in spans:
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out), bool(spans)


def char_boxes(pdf_path: Path, page_number: int, needle: str) -> list[tuple[float, float, float, float]]:
    """(x0, top, x1, bottom) boxes, in PDF points, one per line run of the needle's characters."""
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        if not 1 <= page_number <= len(pdf.pages):
            return []
        page = pdf.pages[page_number - 1]
        try:
            chars = [c for c in page.chars if c.get("upright", True)]
        finally:
            page.close()
    boxes = []
    for start, end in find_spans([c["text"] for c in chars], needle):
        boxes.extend(_line_boxes(chars[start:end]))
    return boxes


def _line_boxes(chars: list[dict]) -> list[tuple[float, float, float, float]]:
    """One box per visual line: a new line starts when a char sits below the previous one."""
    boxes: list[list[float]] = []
    for c in chars:
        if not c["text"].strip():
            continue
        box = boxes[-1] if boxes else None
        if box and abs(c["top"] - box[1]) < c["size"] * 0.5 and c["x0"] >= box[0] - 1:
            box[2], box[3] = max(box[2], c["x1"]), max(box[3], c["bottom"])
        else:
            boxes.append([c["x0"], c["top"], c["x1"], c["bottom"]])
    return [tuple(b) for b in boxes]


@lru_cache(maxsize=32)
def _render(pdf_path: str, mtime: float, page_number: int, needle: str, scale: float, whole: bool = False):
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    pdf = pdfium.PdfDocument(pdf_path)
    try:
        bitmap = pdf[page_number - 1].render(scale=scale)
        image = bitmap.to_pil().convert("RGBA")
    finally:
        pdf.close()
    boxes = char_boxes(Path(pdf_path), page_number, needle) if needle else []
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    pad = 1.5
    for x0, top, x1, bottom in boxes:
        draw.rectangle([(x0 - pad) * scale, (top - pad) * scale, (x1 + pad) * scale, (bottom + pad) * scale],
                       fill=HIGHLIGHT, outline=(230, 120, 0, 255), width=2)
    crop = _printed_area(image.convert("RGB"), int(TRIM_PAD * scale))
    if boxes and not whole:
        crop = _around(crop, min(b[1] for b in boxes) * scale, max(b[3] for b in boxes) * scale,
                       int(CROP_MARGIN * scale))
    return Image.alpha_composite(image, overlay).convert("RGB").crop(crop), bool(boxes)


def _around(crop: tuple[int, int, int, int], top: float, bottom: float,
            margin: int) -> tuple[int, int, int, int]:
    """A readable window around the passage (CROP_ASPECT of the page's width high, or the passage and
    a margin): a whole tall page shrinks its text below reading size in the panel."""
    x0, y0, x1, y1 = crop
    window = max(int((x1 - x0) * CROP_ASPECT), int(bottom - top) + 2 * margin)
    if y1 - y0 <= window:
        return crop
    start = int((top + bottom) / 2 - window / 2)
    start = min(max(start, y0), y1 - window)
    return (x0, start, x1, start + window)


def _printed_area(image, pad: int) -> tuple[int, int, int, int]:
    """The box around everything printed, plus `pad`: wide blank margins shrink the text in the panel."""
    from PIL import Image, ImageChops

    bbox = ImageChops.difference(image, Image.new("RGB", image.size, (255, 255, 255))).getbbox()
    if not bbox:
        return (0, 0, image.width, image.height)
    x0, y0, x1, y1 = bbox
    return (max(x0 - pad, 0), max(y0 - pad, 0), min(x1 + pad, image.width), min(y1 + pad, image.height))


def render_page(pdf_path: Path, page_number: int, needle: str = "", scale: float = RENDER_SCALE,
                whole: bool = False):
    """The page as a PIL image with the needle's lines highlighted, cut to a readable window around
    them unless `whole`; and whether any was found."""
    path = Path(pdf_path)
    return _render(str(path), path.stat().st_mtime, page_number, needle, scale, whole)


def resolve_pdf(recorded: str, roots: Sequence[Path]) -> Path | None:
    """The PDF a manifest entry names: as recorded if absolute, else under one of `roots`."""
    if not recorded:
        return None
    path = Path(recorded)
    candidates = [path] if path.is_absolute() else [root / path for root in roots] + [Path.cwd() / path]
    return next((p for p in candidates if p.is_file()), None)


def show_source(source: dict, page_text: str, pdf_path: Path | None, whole: bool = False) -> SourceView:
    """Everything the source panel shows for one citation or passage (see qa.ui.chat.source_of):
    the page cut around the passage, or the `whole` page."""
    needle = source.get("quote") or source.get("text", "")
    text_html, found = mark_text(page_text, needle)
    image = None
    if pdf_path is not None:
        try:
            image, found_on_image = render_page(pdf_path, int(source["page"]), needle, whole=whole)
            found = found or found_on_image
        except Exception as exc:  # a damaged or replaced file: the text view still works
            log.warning("cannot render %s p.%s: %s", pdf_path, source.get("page"), exc)
    return SourceView(image, text_html, _meta_html(source, pdf_path is not None), found)


def _meta_html(source: dict, have_pdf: bool) -> str:
    from ingest.vocabulary import item_label
    from qa.records import page_text

    where = page_text(int(source.get("page", 0)), str(source.get("page_label", "")))
    item = source.get("item", "")
    parts = [f"<b>{html.escape(item_label(item))}</b>" if item else "",
             html.escape(source.get("section", "")),
             f"{html.escape(source.get('doc', ''))} · {html.escape(where)}"]
    note = "" if have_pdf else "<br><i>The PDF file is not available here; showing its text.</i>"
    return "<div class='docqa-meta'>" + "<br>".join(p for p in parts if p) + note + "</div>"
