"""Reading order of a page's words: rows top to bottom, except where the page sets blocks side by side.

Two text columns, or a source listing beside its typeset output, share rows with a vertical strip of
white (a gutter) that no word crosses. Read across, their lines interleave; here such a band of rows
is read left side first, then right side (each side may hold a band of its own). A table also has
white strips between its columns, but its cells sit on shared baselines row by row, and its rows
must be read across: a band counts as side-by-side only when the two sides keep their own baselines
(independent text flows), or when both sides are full lines of prose.
"""

from __future__ import annotations

from dataclasses import dataclass

from pdfplumber.utils import cluster_objects

ROW_TOLERANCE = 3.0  # points: words whose tops differ by less share a row (pdfplumber's default)
GUTTER = 1.2  # a gutter is at least this many font sizes wide
BLOCK_GAP = 1.0  # white between rows, in font sizes, that ends a band (a new block or paragraph)
MIN_ROWS = 3  # rows a side-by-side band holds at least
ALIGNED = 0.8  # share of one side's rows with a partner on the same baseline: a table, read across
BASELINE_TOLERANCE = 0.6  # points
PROSE_CHARS = 18  # median characters per row on both sides for two columns of prose
CELLED_SHARE = 0.1  # …and at most this share of their rows parted by white like table cells
MAX_DEPTH = 3  # bands inside bands: a column holding a side-by-side example


@dataclass
class _Band:
    start: int  # rows[start:stop] form the band
    stop: int
    left: float  # the gutter: no word of the band between these x
    right: float


def rows_of(words: list[dict]) -> list[list[dict]]:
    """Words grouped into rows by their top, top to bottom, each row left to right."""
    rows = cluster_objects(words, "top", ROW_TOLERANCE) if words else []
    rows.sort(key=lambda row: min(w["top"] for w in row))
    return [sorted(row, key=lambda w: w["x0"]) for row in rows]


def reading_order(words: list[dict], depth: int = 0, tables: tuple = ()) -> list[list[dict]]:
    """The words as lines (lists of words, left to right) in reading order. `tables`: the (x0, top,
    x1, bottom) boxes of the page's ruled tables, whose rows are read across (a cell's wrapped text
    leaves white like a gutter beside it)."""
    rows = rows_of(words)
    band = None if depth >= MAX_DEPTH else _first_band(rows, tables)
    if band is None:
        return rows
    inside = [w for row in rows[band.start : band.stop] for w in row]
    left = [w for w in inside if w["x1"] <= band.left]
    right = [w for w in inside if w["x0"] >= band.right]
    rest = [w for row in rows[band.stop :] for w in row]
    sides = reading_order(left, depth + 1, tables) + reading_order(right, depth + 1, tables)
    return rows[: band.start] + sides + reading_order(rest, depth, tables)


def in_table(row: list[dict], tables: tuple) -> bool:
    """Does the row lie inside one of the table boxes?"""
    return any(all(x0 <= (w["x0"] + w["x1"]) / 2 <= x1 and top <= (w["top"] + w["bottom"]) / 2 <= bottom
                   for w in row) for x0, top, x1, bottom in tables)


def _size(rows: list[list[dict]]) -> float:
    sizes = sorted(w["size"] for row in rows for w in row)
    return sizes[len(sizes) // 2] if sizes else 10.0


def _gaps(row: list[dict], width: float) -> list[tuple[float, float]]:
    return [(a["x1"], b["x0"]) for a, b in zip(row, row[1:], strict=False) if b["x0"] - a["x1"] >= width]


def _first_band(rows: list[list[dict]], tables: tuple = ()) -> _Band | None:
    width = GUTTER * _size(rows)
    for start, row in enumerate(rows):
        if in_table(row, tables):
            continue
        for gap in _gaps(row, width):
            band = _grow(rows, start, gap, width, tables)
            if band and _side_by_side(rows, band):
                return band
    return None


def _fit(row: list[dict], left: float, right: float, width: float) -> tuple[float, float] | None:
    """The gutter narrowed to this row's white, or None when a word crosses it."""
    mid = (left + right) / 2
    for w in row:
        if w["x0"] < mid < w["x1"]:
            return None
        if w["x1"] <= mid:
            left = max(left, w["x1"])
        else:
            right = min(right, w["x0"])
    return (left, right) if right - left >= width else None


def _grow(rows: list[list[dict]], start: int, gap: tuple[float, float], width: float,
          tables: tuple = ()) -> _Band | None:
    left, right = gap
    stop = start + 1
    while stop < len(rows) and not in_table(rows[stop], tables):
        fit = _fit(rows[stop], left, right, width)
        if fit is None or _gap_above(rows, stop) > BLOCK_GAP * _size(rows[stop - 1 : stop + 1]):
            break  # a word crosses the gutter, or white parts this row from the band: another block
        left, right = fit
        stop += 1
    while stop - 1 > start and _one_sided(rows[stop - 1], left) and _gap_above(rows, stop - 1) > \
            BLOCK_GAP * _size(rows[stop - 1 : stop]):
        stop -= 1  # a one-sided row after white: the next paragraph, not the band
    return _Band(start, stop, left, right) if stop - start >= MIN_ROWS else None


def _one_sided(row: list[dict], left: float) -> bool:
    return all(w["x1"] <= left for w in row) or all(w["x0"] > left for w in row)


def _gap_above(rows: list[list[dict]], i: int) -> float:
    return min(w["top"] for w in rows[i]) - max(w["bottom"] for w in rows[i - 1])


def _side_by_side(rows: list[list[dict]], band: _Band) -> bool:
    inside = rows[band.start : band.stop]
    left = [[w for w in row if w["x1"] <= band.left] for row in inside]
    right = [[w for w in row if w["x0"] >= band.right] for row in inside]
    left, right = [r for r in left if r], [r for r in right if r]
    if not left or not right:
        return False
    width = GUTTER * _size(inside)
    if _prose(left, width) and _prose(right, width) and min(len(left), len(right)) >= MIN_ROWS:
        return True
    return max(_aligned(left, right), _aligned(right, left)) < ALIGNED


def _baseline(row: list[dict]) -> float:
    return row[0].get("baseline", row[0]["bottom"])


def _aligned(rows: list[list[dict]], others: list[list[dict]]) -> float:
    """Share of `rows` with a row of `others` on the same baseline."""
    lines = [_baseline(r) for r in others]
    hits = sum(any(abs(_baseline(r) - b) <= BASELINE_TOLERANCE for b in lines) for r in rows)
    return hits / len(rows)


def _prose(rows: list[list[dict]], width: float) -> bool:
    """Lines of running text: long enough, and without white wide enough to part table cells."""
    lengths = sorted(sum(len(w["text"]) for w in row) for row in rows)
    celled = sum(bool(_gaps(row, width)) for row in rows)
    return lengths[len(lengths) // 2] >= PROSE_CHARS and celled <= CELLED_SHARE * len(rows)
