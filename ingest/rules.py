"""The side borders a ruled table leaves out. LaTeX's `tabular{l|l|l}` draws a rule above and below
every row and between the columns, but no border at either side; pdfplumber's table finder needs
closed cells, so it finds only the middle column (or nothing) and the table is read as side-by-side
text, its cells far from their rows. Rows stacked one on another whose rules all end at the same x
imply a border there: it is handed to the finder as an explicit vertical line."""

from __future__ import annotations

from collections import defaultdict

MIN_RULES = 3  # rules ending at one x that imply a border: a table's top, header and bottom at least
MAX_ROW = 60.0  # points between one rule and the next within a table (a few wrapped lines of a cell)
MIN_RULE = 10.0  # points: shorter horizontal strokes are no rules (underlines, dashes)
THIN = 1.5  # points: a rectangle this thin is drawn as a rule
SAME_X = 2.0  # points: a drawn vertical edge this close to a border already closes it
COVERED = 0.8  # share of the border's height that drawn vertical edges already cover


def implied_borders(page) -> list[dict]:
    """Vertical lines (pdfplumber line objects) where stacked horizontal rules end and no drawn
    edge closes them."""
    rules = [o for o in [*page.lines, *page.rects]
             if o["bottom"] - o["top"] < THIN and o["x1"] - o["x0"] >= MIN_RULE]
    verticals = [o for o in [*page.lines, *page.rects] if o["x1"] - o["x0"] < THIN and o["bottom"] > o["top"]]
    ends: dict[int, set[float]] = defaultdict(set)
    for rule in rules:
        for x in (rule["x0"], rule["x1"]):
            ends[round(x)].add(round(rule["top"], 1))
    borders = []
    for x, tops in sorted(ends.items()):
        for run in _runs(sorted(tops)):
            if len(run) >= MIN_RULES and not _closed(x, run[0], run[-1], verticals):
                borders.append({"x0": x, "x1": x, "top": run[0], "bottom": run[-1], "width": 0,
                                "height": run[-1] - run[0], "object_type": "line", "orientation": "v"})
    return borders


def _runs(tops: list[float]) -> list[list[float]]:
    """The rules' tops cut where one row is too tall to be a table's."""
    runs: list[list[float]] = []
    for top in tops:
        if runs and top - runs[-1][-1] <= MAX_ROW:
            runs[-1].append(top)
        else:
            runs.append([top])
    return runs


def _closed(x: float, top: float, bottom: float, verticals: list[dict]) -> bool:
    """Do drawn vertical edges at x already cover most of top..bottom?"""
    covered = sum(max(0.0, min(v["bottom"], bottom) - max(v["top"], top))
                  for v in verticals if abs((v["x0"] + v["x1"]) / 2 - x) <= SAME_X)
    return covered >= COVERED * (bottom - top)
