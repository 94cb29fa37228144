"""Vertical Japanese (tategaki): columns of characters read top to bottom, columns right to left.

pdfminer reports each character where it is drawn, so a vertical page read as rows comes out one
character of every column per "line". A page whose Japanese characters mostly follow each other
downwards is turned a quarter to the left here: its columns become lines read top to bottom (the
rightmost column first) and each column's characters run left to right, so the horizontal layout
code reads it as it reads any page. Ruby, set beside its column, lands above its line there.
"""

from __future__ import annotations

import re

_JAPANESE = re.compile(r"[\u3041-\u30ff\u3400-\u9fff\uf900-\ufaff々〆、。，．「」『』（）ー]")
MIN_PAIRS = 20  # pairs of successive Japanese characters a page needs before it can be called vertical
VERTICAL_SHARE = 0.6  # share of those pairs set one below the other
ALIGN = 0.25  # ems: two characters of one column (or line) share their left (or top) edge this closely
STEP = 1.5  # ems: the next character of a column starts within this far below the last one


def _step(a: dict, b: dict) -> str:
    """'down' when b follows a in a column, 'right' when it follows in a line, else ''."""
    size = a["size"] or 1.0
    dx, dy = b["x0"] - a["x0"], b["top"] - a["top"]
    if abs(dx) <= ALIGN * size and 0 < dy <= STEP * size:
        return "down"
    if abs(dy) <= ALIGN * size and 0 < dx <= STEP * size:
        return "right"
    return ""


def is_vertical(chars: list[dict]) -> bool:
    """Do the page's Japanese characters, in drawing order, mostly run downwards?"""
    japanese = [c for c in chars if _JAPANESE.match(c["text"])]
    steps = [_step(a, b) for a, b in zip(japanese, japanese[1:], strict=False)]
    down, right = steps.count("down"), steps.count("right")
    return down + right >= MIN_PAIRS and down >= VERTICAL_SHARE * (down + right)


def turned(chars: list[dict], width: float) -> list[dict]:
    """The characters turned a quarter to the left: a column at x becomes a line at width - x."""
    out = []
    for c in chars:
        top, bottom = width - c["x1"], width - c["x0"]
        out.append({**c, "x0": c["top"], "x1": c["bottom"], "top": top, "bottom": bottom,
                    "doctop": top, "y0": width - bottom, "y1": width - top, "upright": True,
                    "matrix": (1, 0, 0, 1, c["top"], width - bottom)})
    return out
