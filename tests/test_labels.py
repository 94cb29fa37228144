"""Printed page labels (ingest.labels): /PageLabels first, else printed numbers that keep one offset."""

import pytest

from ingest.labels import Candidate, assign, candidates, printed_labels, roman_value, to_roman
from ingest.pdf import load_pdf


def lines(*texts):
    return [{"text": t} for t in texts]


@pytest.mark.parametrize(("texts", "found"), [
    (["本文。", "- 14 -"], [("14", 14, False, True)]),
    (["本文。", "14"], [("14", 14, False, True)]),
    (["本文。", "p. 14"], [("14", 14, False, True)]),
    (["本文。", "１４ページ"], [("１４", 14, False, True)]),
    (["xii", "Preface text."], [("xii", 12, True, True)]),
    (["第1章 はじめに 13", "本文。"], [("13", 13, False, False)]),
    (["13 Introduction", "Body."], [("13", 13, False, False)]),
    (["- A-1 -", "本文。"], [("A-1", None, False, True)]),
    (["本文の中の 3 件。", "本文。", "本文。", "本文。"], []),  # not at the edge, and a sentence
    (["mild", "text"], []),  # not a roman numeral
    (["Chapter 1", "GNU/Linux チュートリアル"], []),  # a chapter's number, not a page's
    (["Debian リファレンス 2 / 244", "本文。"], [("2", 2, False, False)]),  # page 2 of 244
    (["本文。", "本文。", "本文。", "図 3"], []),  # a figure's
])
def test_candidates_at_the_page_edges(texts, found):
    got = [(c.text, c.number, c.roman, c.whole) for c in candidates(lines(*texts))]
    assert got == found


def test_roman_numerals_round_trip():
    assert [roman_value(to_roman(n)) for n in (1, 4, 9, 14, 40, 90, 400, 1994)] == [1, 4, 9, 14, 40, 90, 400, 1994]
    assert roman_value("iiii") is None and roman_value("") is None


def cand(number, roman=False):
    return [Candidate(0, 0, 2, to_roman(number) if roman else str(number), number, roman)]


def test_offset_numbers_roman_front_matter_and_unnumbered_pages():
    """A book: title page, front matter i-iii, then printed 1 on PDF page 5; PDF page 7 (a blank page
    in the run) prints nothing; a stray number on page 9 disagrees and is outvoted."""
    pages = {2: cand(1, True), 3: cand(2, True), 4: cand(3, True), 5: cand(1), 6: cand(2), 8: cand(4),
             9: cand(77), 10: cand(6)}
    labels = printed_labels(pages, 11)
    assert labels == {2: "i", 3: "ii", 4: "iii", 5: "1", 6: "2", 7: "3", 8: "4", 9: "5", 10: "6", 11: "7"}
    assert assign(pages, 11, None) == ["1", "i", "ii", "iii", "1", "2", "3", "4", "5", "6", "7"]


def test_page_labels_of_the_pdf_win_unless_they_only_count():
    pages = {n: cand(n - 2) for n in range(3, 9)}
    assert assign(pages, 8, ["i", "ii", "1", "2", "3", "4", "5", "6"])[:3] == ["i", "ii", "1"]
    counting = [str(n) for n in range(1, 9)]  # a producer's default: the PDF numbers again
    assert assign(pages, 8, counting) == ["1", "2", "1", "2", "3", "4", "5", "6"]


def test_without_printed_numbers_labels_are_pdf_numbers():
    assert assign({1: cand(40)}, 3, None) == ["1", "2", "3"]


def _fpdf_pages(path, footers):
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(595, 420))
    pdf.set_font("helvetica", size=10)
    for footer in footers:
        pdf.add_page()
        pdf.text(40, 50, "Body text of the page.")
        if footer:
            pdf.text(290, 400, footer)
    pdf.output(str(path))
    return path


def test_printed_numbers_become_labels_and_leave_the_text(tmp_path):
    path = _fpdf_pages(tmp_path / "book.pdf", ["", "i", "ii", "1", "2", "", "4", "5"])
    pages = load_pdf(path)
    assert [p.label for p in pages] == ["1", "i", "ii", "1", "2", "3", "4", "5"]
    assert all(p.text == "Body text of the page." for p in pages)


def test_pdf_page_labels_are_read(tmp_path):
    from pypdf import PdfReader, PdfWriter

    source = _fpdf_pages(tmp_path / "plain.pdf", ["", "", "", ""])
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.set_page_label(0, 1, style="/r")
    writer.set_page_label(2, 3, style="/D", start=1)
    writer.write(tmp_path / "labelled.pdf")
    assert [p.label for p in load_pdf(tmp_path / "labelled.pdf")] == ["i", "ii", "1", "2"]


@pytest.mark.slow
def test_the_manuals_printed_pages_are_one_less_than_its_pdf_pages(luatexja):
    """data/luatexja: an unnumbered title page, then printed 1 on PDF page 2 (its /PageLabels)."""
    labels = [p.label for p in luatexja.pages]
    assert labels[1:] == [str(n - 1) for n in range(2, 113)]
    assert all(not p.text.endswith(f"\n{p.label}") for p in luatexja.pages)  # the folio left the text


def test_a_chapter_heading_opening_its_page_keeps_its_number():
    """'1 Introduction' at the top of printed page 1, whose folio '1' is at the foot: the folio goes."""
    from ingest.layout import PageRead
    from ingest.pdf import _without_labels

    page_lines = lines("1 Introduction", "Body text.", "1")
    read = PageRead(page_lines, candidates(page_lines))
    assert [line["text"] for line in _without_labels(read, "1")] == ["1 Introduction", "Body text."]
    running = lines("Chapter 1 Introduction 13", "Body text.")
    read = PageRead(running, candidates(running))
    assert [line["text"] for line in _without_labels(read, "13")] == ["Chapter 1 Introduction", "Body text."]


def test_a_chapter_label_on_its_own_line_keeps_its_number():
    """DocBook's chapter opener: 'Chapter 1' over the title on printed page 1. The 1 is the chapter's."""
    from ingest.layout import PageRead
    from ingest.pdf import _without_labels

    page_lines = lines("Debian リファレンス 1 / 244", "Chapter 1", "GNU/Linux チュートリアル", "本文。")
    read = PageRead(page_lines, candidates(page_lines))
    assert [line["text"] for line in _without_labels(read, "1")] == ["Debian リファレンス", "Chapter 1",
                                                                   "GNU/Linux チュートリアル", "本文。"]
