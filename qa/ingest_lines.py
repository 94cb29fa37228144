"""What `docqa ingest` prints: one line per file (pages skipped and why, text repaired) and one
summary line (files by outcome, chunks and sentences embedded, where the time went)."""

from __future__ import annotations

from ingest.pdf import page_ranges


def summary_line(report, where) -> str:
    """One line: files by outcome, what was embedded (chunks and sentences apart), where time went."""
    counts = {s: sum(f.status == s for f in report.files) for s in ("indexed", "unchanged", "failed")}
    parts = [", ".join(f"{n} {s}" for s, n in counts.items())]
    if report.embedded or report.sentences:
        parts.append(f"embedded {report.embedded:,} chunks + {report.sentences:,} sentences")
    steps = [(k, v) for k, v in report.seconds.items() if k != "total" and (k != "model" or v >= 0.05)]
    if "embed" in report.seconds:
        parts.append(", ".join(f"{k} {v:.1f} s" for k, v in steps))
    parts.append(f"{report.seconds.get('total', 0):.1f} s in all; index at {where}")
    return "; ".join(parts)


MAX_LISTED_PAGES = 8  # repairs on more pages than this are reported as a page count
_REASONS = {"blank": "blank", "scanned": "scanned images without a text layer (OCR is not available)",
            "unmapped": "fonts without a Unicode mapping (no ToUnicode map): text unreadable"}
_REPAIRS = (("mapped", "unmapped glyphs mapped"), ("dropped", "unmappable glyphs dropped"),
            ("accents", "accents joined"), ("spaces", "word spaces restored"),
            ("hidden", "hidden characters left out"), ("ruby", "ruby (furigana) characters left out"),
            ("vertical", "pages read as vertical text"), ("plain", "radicals or vertical forms made plain"))


def file_line(f) -> str:
    """One line per file: what was indexed, which pages were skipped and why, what text was repaired,
    or why it failed."""
    if f.status == "failed":
        return f"failed    [{f.kind}] {f.error}"
    line = f"{f.status:9} {f.path}"
    if f.status == "indexed":
        line += f": {f.pages} pages, {f.sections} sections, {f.chunks} chunks"
    reasons: dict[str, list[int]] = {}
    for page, why in f.skipped:
        reasons.setdefault(_REASONS.get(why, why), []).append(page)
    for why, pages in reasons.items():
        line += f"; skipped page(s) {page_ranges(pages)}: {why}"
    return line + _repair_note(getattr(f, "repairs", []))


def _repair_note(repairs: list[tuple[int, dict]]) -> str:
    """'; repaired: 12 unmapped glyphs mapped (p. 3-5), …': per kind, its total and its pages
    (their number, when there are many)."""
    parts = []
    for key, words in _REPAIRS:
        pages = [page for page, counts in repairs if counts.get(key)]
        if pages:
            total = sum(counts.get(key, 0) for _, counts in repairs)
            where = f"p. {page_ranges(pages)}" if len(pages) <= MAX_LISTED_PAGES else f"{len(pages)} pages"
            parts.append(f"{total} {words} ({where})")
    return "; repaired: " + ", ".join(parts) if parts else ""
