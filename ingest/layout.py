"""What one PDF page's characters become: visible lines, the printed page label, rejoined text."""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

MIN_VISIBLE_SIZE = 2.0  # points
WHITE_LEVEL = 0.95  # fill colour components at or above this read as white
WRAP_TOLERANCE = 2.0  # a line ending within this many font sizes of the text frame was wrapped
_FOOTER = re.compile(r"^\s*[-‐－—]\s*(\S{1,8})\s*[-‐－—]\s*$")
# A line ending in one of these closes a sentence, a heading or a table cell: never joined on.
_CJK = re.compile(r"[\u3041-\u30ff\u3400-\u9fff\uf900-\ufaff々〆、，]")
_OPENS = re.compile(r"[\u3041-\u30ff\u3400-\u9fff\uf900-\ufaff々〆「『（]")
_NOTE = re.compile(r"[（(][^）)]*[）)]")  # a whole-line parenthetical is a cell or note of its own
# Structural starts: headings, bullets, numbered items. Such a line begins a new unit.
_STRUCTURE = re.compile(
    r"^\s*([-‐－・○●■□◆◇▼▶※*＊•①-⑳]|[（(][0-9０-９一二三四五六七八九十]{1,3}[）)]"
    r"|[0-9０-９]{1,2}[．.]|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|【|＜|<|\[|［|第[0-9０-９一二三四五六七八九十]+|注[）)]?|１－)"
)


def starts_unit(text: str) -> bool:
    """Does this line open a unit of its own (heading, bullet, numbered item, note)?"""
    return bool(_STRUCTURE.match(text) or _NOTE.fullmatch(text.strip()))


def _joins(prev: dict, line: dict, frame_right: float) -> bool:
    """Was `line` the continuation of `prev` (a wrapped or mid-sentence break)?"""
    if starts_unit(line["text"]):
        return False
    size = prev.get("size", 9.0)
    if prev["x1"] >= frame_right - WRAP_TOLERANCE * size:
        return True
    if _STRUCTURE.match(prev["text"]) and not re.match(r"^\s*[①-⑳・○●\-]", prev["text"]):
        return False
    return bool(_CJK.match(prev["text"][-1]) and _OPENS.match(line["text"][0]))


def _glue(left: str, right: str) -> str:
    # Latin words keep their space; Japanese text is written without one.
    sep = " " if left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() else ""
    return left.rstrip() + sep + right.lstrip()


def rejoin(lines: list[dict], frame_right: float) -> list[str]:
    """Merge broken lines into logical lines."""
    out: list[str] = []
    prev = None
    for line in lines:
        if prev is not None and out and _joins(prev, line, frame_right):
            out[-1] = _glue(out[-1], line["text"])
        else:
            out.append(line["text"])
        prev = line
    return out


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


def page_lines(page) -> list[dict]:
    hidden = sum(map(is_hidden, page.chars))
    if hidden:
        log.warning("page %d: %d hidden characters (white or tiny) left out", page.page_number, hidden)
        page = page.filter(lambda obj: not is_hidden(obj))
    lines = page.extract_text_lines(return_chars=True, strip=True)
    for line in lines:
        line["size"] = line["chars"][0]["size"] if line["chars"] else 9.0
        del line["chars"]
    return [line for line in lines if line["text"].strip()]


def split_label(lines: list[dict]) -> tuple[list[dict], str | None]:
    if lines and (m := _FOOTER.match(lines[-1]["text"])):
        return lines[:-1], m.group(1)
    return lines, None
