"""What one PDF page's characters become: visible, repaired characters -> words -> lines in reading
order, the printed page number candidates at its edges, and broken lines rejoined.

`read_page(page)` is the whole per-page step, a pure function of the pdfplumber page: any caller (the
child process in ingest.pdf, a pool of them) can run it.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field

import ingest.glyphs as glyphs
import ingest.vertical as vertical
from ingest.columns import in_table, reading_order
from ingest.labels import Candidate, candidates
from ingest.styles import is_bold
from ingest.tables import ruled, table_boxes
from ingest.text import plain_chars

log = logging.getLogger(__name__)

MIN_VISIBLE_SIZE = 2.0  # points
WHITE_LEVEL = 0.95  # fill colour components at or above this read as white
SIZE_CHANGE = 0.1  # lines whose font sizes differ by more than this share are never joined
WRAP_TOLERANCE = 2.0  # a line ending within this many font sizes of the text frame was wrapped
SHORT_LAST = 8.0  # font sizes short of the wrapped line above: the last line of its paragraph
# Characters further apart than this share of the font size are separate words. TeX's interword
# space shrinks to about 0.22 em and kerns stay under about 0.1 em; pdfplumber's fixed 3 pt glued
# words set tighter than that ("FreeSoftwareFoundation").
WORD_GAP = 0.15
# Justified Japanese spreads its characters by up to about a third of an em: no space there. White
# wider than this between Japanese words parts table cells or columns, and keeps a space.
JAPANESE_GAP = 0.5
PDFPLUMBER_GAP = 3.0  # pdfplumber's default x_tolerance: spaces in narrower gaps count as restored
RAISED = 0.35  # TeX lowers the E of its logo by about a third of an em: still the same word
MAX_DESCENT = 0.5  # ems below the baseline no real font reaches: a descriptor's Descent taken from a
# huge FontBBox (Ghostscript writes -1050 for CJK fonts) that hangs the glyph box an em down
EM_DESCENT = 0.12  # where an ideographic em box sits instead: 0.88 em up, 0.12 em down
RUBY_SIZE = 0.6  # ruby (furigana) is set at about half the size of the text it reads
SAME_BASELINE = 0.02  # ems: characters whose baselines differ less are on one line
MIN_INLINE = 0.6  # a raised letter at least this share of its neighbour's size is inline (LaTeX's A)
# A line ending in one of these closes a sentence, a heading or a table cell: never joined on.
# Full-width letters and digits (ＮＰＯ, １２) are Japanese text too: a line may break after them.
_WIDE = r"\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
_CJK = re.compile(rf"[\u3041-\u30ff\u3400-\u9fff\uf900-\ufaff々〆、，{_WIDE}]")
_OPENS = re.compile(rf"[\u3041-\u30ff\u3400-\u9fff\uf900-\ufaff々〆「『（{_WIDE}]")
# Japanese script and full-width punctuation: no space is ever put between two of these.
_JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff60\uffe0-\uffe6々〆]")
_NOTE = re.compile(r"[（(][^）)]*[）)]")  # a whole-line parenthetical is a cell or note of its own
# Structural starts: headings, bullets, numbered items. Such a line begins a new unit.
_STRUCTURE = re.compile(
    r"^\s*([-‐－・○●■□◆◇▼▶※*＊•①-⑳]|[（(][0-9０-９一二三四五六七八九十]{1,3}[）)]"
    r"|[0-9０-９]{1,2}[．.]|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|【|＜|<|\[|［|第[0-9０-９一二三四五六七八九十]+|注[）)]?|１－)"
)
# For rejoining lines only (starts_unit is also a feature the reader was trained on, so it stays as it
# is): a decimal (１．４倍, 92.6%) opens no unit; ア and （ア） number list items in official documents.
_DECIMAL = re.compile(r"^\s*[0-9０-９]{1,2}[．.][0-9０-９]+[^\s0-9０-９.．]")
_KANA_ITEM = re.compile(r"^\s*(?:[（(][ア-ン][）)]|[ア-ン]\s(?=[^\x00-\x7f]))")
# A line that ends complete whatever its width: a contents entry (leaders, then its page number) or a
# table row ending in a run of figures (right-aligned cells reach the frame like a wrapped line).
_ENTRY = re.compile(r"(?:(?:\.\s?){4,}|[…‥・·]{3,})\s*[0-9０-９ivxlcIVXLCⅰ-ⅻⅠ-Ⅻ]{1,5}$")
_FIGURE = r"[△▲-]?[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?[%％]?"
_ROW_END = re.compile(rf"(?:^|\s){_FIGURE}\s+{_FIGURE}$")
_SUBSET = re.compile(r"^[A-Z]{6}\+")
_KANA = re.compile(r"^[\u3041-\u30ff\s]+$")
_SPACES = re.compile(r"\s+")


@dataclass
class PageRead:
    """What read_page found on one page. Plain data: it crosses from the child process to the parent."""

    lines: list[dict]  # text, x0, x1, top, size, font, cell (inside a ruled table): in reading order
    candidates: list[Candidate]  # printed page numbers at the page's edges
    # glyph repairs (ingest.glyphs), word spaces restored, hidden and ruby characters left out,
    # vertical: 1 when the page was read as vertical text (ingest.vertical), plain: characters made
    # plain (ingest.text.plain_chars)
    repairs: dict[str, int] = field(default_factory=dict)
    image_share: float = 0.0  # share of the page under images (a scan is one big image)
    tables: list = field(default_factory=list)  # the ruled tables' cells (ingest.tables.rows_from_cells)


def starts_unit(text: str) -> bool:
    """Does this line open a unit of its own (heading, bullet, numbered item, note)?"""
    return bool(_STRUCTURE.match(text) or _NOTE.fullmatch(text.strip()))


def _structure(text: str) -> bool:
    return bool(_STRUCTURE.match(text) and not _DECIMAL.match(text) or _KANA_ITEM.match(text))


def _joins(prev: dict, line: dict, frame_right: float, above: dict | None = None) -> bool:
    """Was `line` the continuation of `prev` (a wrapped or mid-sentence break)? `above`: the line
    that reached the frame and went on into prev, if any."""
    if _structure(line["text"]) or _NOTE.fullmatch(line["text"].strip()):
        return False
    if line.get("row") or prev.get("row"):
        return False  # a table row put back together by ingest.stacked stands alone
    if _ENTRY.search(prev["text"]) or _ROW_END.search(prev["text"]) or _NOTE.fullmatch(prev["text"].strip()):
        return False  # a contents entry, a table row, a note ("（単位：千円）"): complete at any width
    size = prev.get("size", 9.0)
    if abs(size - line.get("size", size)) > SIZE_CHANGE * size:
        return False  # a heading above body text, body text above a note: not one sentence
    if prev.get("cell", False) != line.get("cell", False):
        return False  # a ruled table's rows and the text around it
    if _wrapped(prev, frame_right) and not prev.get("cell"):  # cells end anywhere
        return True
    if above is not None and prev["x1"] < above["x1"] - SHORT_LAST * size and \
            line.get("x0", 0) >= prev.get("x0", 0) - size / 2:
        return False  # the short last line of a wrapped paragraph: what follows starts a new one
        # (unless it starts further left: TeX's text after a list item)
    if is_bold(prev.get("font", "")) != is_bold(line.get("font", "")):
        return False  # a short bold heading above body text set close to its size (Latin larger)
    if _structure(prev["text"]) and not re.match(r"^\s*[①-⑳・○●\-]", prev["text"]):
        return False
    return bool(_CJK.match(prev["text"][-1]) and _OPENS.match(line["text"][0]))


def _wrapped(line: dict, frame_right: float) -> bool:
    """Does the line reach the text frame's right edge (so it was wrapped there)?"""
    return line["x1"] >= frame_right - WRAP_TOLERANCE * line.get("size", 9.0)


def _glue(left: str, right: str) -> str:
    # Latin words keep their space; Japanese text is written without one.
    sep = " " if left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() else ""
    return left.rstrip() + sep + right.lstrip()


def merge_lines(lines: list[dict], frame_right: float) -> list[dict]:
    """Broken lines merged into logical lines; a merged line keeps its first line's style."""
    out: list[dict] = []
    prev = above = None
    for line in lines:
        joined = prev is not None and out and _joins(prev, line, frame_right, above)
        if joined:
            out[-1] = {**out[-1], "text": _glue(out[-1]["text"], line["text"])}
        wrapped = joined and _wrapped(prev, frame_right)
        out += [] if joined else [line]
        prev, above = line, (prev if wrapped else None)
    return out


def rejoin(lines: list[dict], frame_right: float) -> list[str]:
    """Merge broken lines into logical lines."""
    return [line["text"] for line in merge_lines(lines, frame_right)]


def is_hidden(obj: dict) -> bool:
    """A character a reader cannot see: near-white fill or under MIN_VISIBLE_SIZE points. Such text
    is a classic vehicle for instructions aimed at a language model, and nobody could check a
    citation of it, so it is left out of the text."""
    if obj.get("object_type") != "char":
        return False
    if obj.get("size", MIN_VISIBLE_SIZE) < MIN_VISIBLE_SIZE:
        return True
    color = obj.get("non_stroking_color")
    if not isinstance(color, (list, tuple)) or not color:
        return False
    if len(color) == 4:  # CMYK: white is no ink at all
        return all(c <= 1 - WHITE_LEVEL for c in color)
    return all(c >= WHITE_LEVEL for c in color)  # gray or RGB


def japanese(ch: str) -> bool:
    return bool(_JAPANESE.match(ch))


def _words(chars: list[dict]) -> list[dict]:
    """pdfplumber words split at gaps over WORD_GAP font sizes; spaces the PDF draws stay inside."""
    from pdfplumber.utils.text import WordExtractor

    extractor = WordExtractor(x_tolerance_ratio=WORD_GAP, y_tolerance_ratio=RAISED, keep_blank_chars=True)
    out = []
    for word in extractor.extract_words(chars, return_chars=True):
        inked = [c for c in word["chars"] if c["text"].strip()]
        text = _SPACES.sub(" ", word["text"]).strip()
        if not inked or not text:
            continue
        sizes = sorted(c["size"] for c in inked)
        tops = sorted(c["top"] for c in inked)  # the median: a raised footnote mark (*1) does not lift
        # the word off its row
        out.append({"text": text, "x0": inked[0]["x0"], "x1": max(c["x1"] for c in inked),
                    "top": tops[len(tops) // 2], "bottom": max(c["bottom"] for c in inked),
                    "baseline": inked[0]["matrix"][5], "size": sizes[len(sizes) // 2],
                    "font": _SUBSET.sub("", inked[0]["fontname"]), "n": len(inked)})
    return out


def _on_baseline(chars: list[dict]) -> list[dict]:
    """Glyph boxes hung more than MAX_DESCENT below their baseline moved up onto it. Lines are grouped
    by the tops of boxes: Japanese from such a font read as lines apart from the Latin words beside
    it ("• 成果物の は で公開" above "ε-pTEX http://…")."""
    out = []
    for c in chars:
        baseline = _baseline(c)
        if baseline is not None and baseline - c["y0"] > MAX_DESCENT * c["size"]:
            drop = baseline - c["y0"] - EM_DESCENT * c["size"]  # how far the box hangs below an em box's
            c = {**c, "top": c["top"] - drop, "bottom": c["bottom"] - drop, "y0": c["y0"] + drop,
                 "y1": c["y1"] + drop}
        out.append(c)
    return out


def _baseline(c: dict) -> float | None:
    """The character's baseline when it is drawn unrotated (then it is matrix[5]), else None."""
    xx, xy, yx, yy, _, baseline = c.get("matrix") or (0, 0, 0, 0, 0, 0)
    return baseline if xx > 0 and yy > 0 and not xy and not yx else None


def _on_line(chars: list[dict]) -> list[dict]:
    """Characters put on the line of the character before them when they share its baseline (a
    digit of a Latin face in a Japanese heading: the faces' ascents differ) or are letters raised or
    lowered inside a word (the E of TeX, the A of LaTeX); footnote marks (*1) keep their place.
    pdfplumber groups lines by the tops of boxes within a fixed 3 pt, so in a heading of 14 pt or
    more "第2章 Debian" read as "第" over "2章 Debian", "pTEX" as "pT X" and a line "E"."""
    out = list(chars)
    for i in range(1, len(out)):
        prev, c = chars[i - 1], chars[i]  # as drawn: a neighbour moved already does not move the test
        size = prev["size"]
        shift = c["top"] - prev["top"]
        after = prev["x0"] <= c["x0"] <= prev["x1"] + WORD_GAP * size
        if abs(shift) > RAISED * size or not after or c.get("upright") != prev.get("upright"):
            continue
        same = _baseline(c) is not None and _baseline(prev) is not None and \
            abs(_baseline(c) - _baseline(prev)) < SAME_BASELINE * size
        if not shift or same or c["text"].isalpha() and c["size"] >= MIN_INLINE * size:
            move = c["top"] - out[i - 1]["top"]  # onto the line the neighbour is on now
            out[i] = {**c, "top": c["top"] - move, "bottom": c["bottom"] - move}
    return out


def _line(words: list[dict], counts: Counter) -> dict:
    """One line from its words, left to right: a space where the PDF leaves a gap, except in the
    narrow gaps between two Japanese characters (justified Japanese is spread out, not spaced)."""
    text = words[0]["text"]
    for prev, word in zip(words, words[1:], strict=False):
        if japanese(text[-1]) and japanese(word["text"][0]) and \
                word["x0"] - prev["x1"] < JAPANESE_GAP * word["size"]:
            text += word["text"]
        else:
            text += " " + word["text"]
            counts["spaces"] += word["x0"] - prev["x1"] <= PDFPLUMBER_GAP  # a space 3 pt would lose
    fonts = Counter()
    for w in words:
        fonts[w["font"]] += w["n"]
    sizes = sorted(s for w in words for s in [w["size"]] * w["n"])
    return {"text": text, "x0": words[0]["x0"], "x1": max(w["x1"] for w in words),
            "top": min(w["top"] for w in words), "size": round(sizes[len(sizes) // 2], 1),
            "font": fonts.most_common(1)[0][0]}


def _ruby(line: dict, below: dict | None) -> bool:
    """Is this line the ruby (furigana) of the line below: kana only, at most RUBY_SIZE of its size,
    right over it and within its span? Read as text, readings split every sentence they sit over."""
    if below is None or not _KANA.match(line["text"]) or line["size"] > RUBY_SIZE * below["size"]:
        return False
    near = 0 < below["top"] - line["top"] <= below["size"]
    return near and line["x0"] >= below["x0"] - below["size"] and line["x1"] <= below["x1"] + below["size"]


def _without_ruby(lines: list[dict], counts: Counter) -> list[dict]:
    out = []
    for i, line in enumerate(lines):
        if _ruby(line, lines[i + 1] if i + 1 < len(lines) else None):
            counts["ruby"] += sum(not c.isspace() for c in line["text"])
        else:
            out.append(line)
    return out


def _plain(chars: list[dict], tate: bool, counts: Counter) -> list[dict]:
    """Characters with radicals and (on a vertical page) vertical forms made plain (ingest.text)."""
    out = []
    for c in chars:
        text = plain_chars(c["text"], tate)
        if text != c["text"]:
            counts["plain"] += 1
            c = {**c, "text": text}
        out.append(c)
    return out


def _image_share(page) -> float:
    area = float(page.width * page.height) or 1.0
    covered = 0.0
    for im in page.images:
        w = min(im["x1"], page.width) - max(im["x0"], 0)
        h = min(im["bottom"], page.height) - max(im["top"], 0)
        covered += max(w, 0) * max(h, 0)
    return min(covered / area, 1.0)


def read_page(page) -> PageRead:
    """Lines in reading order, printed page number candidates, repair counts, image coverage."""
    chars = page.chars
    hidden = sum(map(is_hidden, chars))
    if hidden:  # counted: the parent warns once per file
        chars = [c for c in chars if not is_hidden(c)]
    chars, counts = glyphs.repair(chars, glyphs.page_fonts(page))
    counts["hidden"] = hidden
    tate = vertical.is_vertical(chars)
    if tate:
        chars = vertical.turned(chars, float(page.width))
        counts["vertical"] = 1
    chars = _plain(chars, tate, counts)
    words = _words(_on_line(_on_baseline(chars)))
    found = ruled(page)
    boxes = () if tate else table_boxes(found)
    rows = reading_order(words, tables=boxes)
    lines = [{**_line(row, counts), "cell": in_table(row, boxes)} for row in rows]
    lines = _without_ruby([line for line in lines if line["text"].strip()], counts)
    return PageRead(lines, candidates(lines), {k: v for k, v in counts.items() if v},
                    _image_share(page), [cells for _, cells in found])

