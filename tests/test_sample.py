"""The sample PDF (ingest.sample): 94 pages, every character back on its page, byte-for-byte reproducible."""

import hashlib
import re
from collections import Counter

from ingest.pages import split_report_pages
from ingest.sample import build_sample_pdf
from ingest.text import normalize, plain_chars, squash
from tests.helpers import REPORT_TXT


def test_sample_has_94_pages_with_labels(sample_pages):
    assert len(sample_pages) == 94
    assert [p.number for p in sample_pages] == list(range(1, 95))
    assert all(p.label == str(p.number) for p in sample_pages)


def test_sample_text_round_trips(sample_pages):
    """Every character of the report comes back on its own page (the font's ToUnicode map works), in
    order but where a table printed cell by cell is read back as rows (ingest.stacked). A table whose
    cells each hold a part (「うち…：」) prints the part's label once, as its row's label, and leaves
    empty columns' dashes out: there every figure comes back."""
    source = split_report_pages(REPORT_TXT.read_text(encoding="utf-8"))
    reordered, with_parts = [], []
    for page, lines in zip(sample_pages, source, strict=True):
        expected = squash("".join(lines)).replace("\uf09e", "・")  # a Wingdings bullet, drawn as ・
        expected = plain_chars(expected)  # the report's text has radicals for kanji (⺠ for 民)
        if Counter(squash(page.text)) != Counter(expected):
            with_parts.append(page.number)
            assert _figures(page.text) == _figures("\n".join(lines)), page.number
        reordered += [page.number] if squash(page.text) != expected else []
    assert len(reordered) <= 3, reordered
    assert len(with_parts) <= 1, with_parts


def _figures(text: str) -> Counter:
    return Counter(re.findall(r"\d[\d,.]*", normalize(text)))


def test_sample_is_deterministic_and_embeds_the_font(sample_pdf, tmp_path):
    again = build_sample_pdf(REPORT_TXT, tmp_path / "again.pdf")
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(sample_pdf.read_bytes()).digest()
    import pdfplumber

    with pdfplumber.open(sample_pdf) as pdf:
        assert "IPAexGothic" in pdf.pages[0].chars[0]["fontname"]
