"""Unmapped glyphs (ingest.glyphs): TeX fonts without ToUnicode read through their own encoding."""

import pytest

from ingest.glyphs import FontInfo, font_encoding, repair
from ingest.pdf import extract
from tests.tex_pdfs import tex_pdf, words


@pytest.mark.parametrize(("name", "encoding"), [
    ("CMR10", "OT1"), ("ABCDEF+CMBX12", "OT1"), ("CMTI10", "OT1"), ("CMTT10", "OT1TT"),
    ("CMSY10", "OMS"), ("ABCDEF+CMMI10", "OML"), ("SFRM1000", "T1"), ("ECRM1000", "T1"), ("HaranoAjiMincho-Regular", None),
    ("LinLibertineO", None), ("XYATIP10", None),
])
def test_font_encoding_from_the_name(name, encoding):
    assert font_encoding(name) == encoding


def char(text, x, font="unknown", size=10.0):
    return {"text": text, "fontname": font, "x0": x, "x1": x + 5, "top": 100.0, "size": size}


def test_ligature_codes_inside_words_reveal_an_unnamed_ot1_font():
    """A Type3 or renamed font: '(cid:12)' between letters of its own is OT1's fi."""
    text = "(cid:12)lename and other words in the same face"
    chars = [char(c, 5 * i) for i, c in enumerate(["(cid:12)", *text[len("(cid:12)"):]])]
    fixed, counts = repair(chars, {"unknown": FontInfo(to_unicode=False, standard=False)})
    assert "".join(c["text"] for c in fixed).startswith("filename")
    assert counts == {"mapped": 1}


def test_symbol_fonts_without_letters_are_not_guessed_and_their_glyphs_drop():
    chars = [char("(cid:15)", 0, "XYATIP10"), char("a", 10, "CMR10"), char("(cid:47)", 20, "XYATIP10")]
    fixed, counts = repair(chars, {})
    assert [c["text"] for c in fixed] == ["a"] and counts == {"dropped": 2}


def test_maths_italic_periods_are_periods():
    """Old LaTeX's contents leaders are cmmi periods (code 58): read as StandardEncoding they were
    colons, so ': : : :' hid the contents page from the leader test."""
    leader = [char(":", 10 * i, "CMMI10") for i in range(4)] + [char(";", 40, "CMMI10")]
    fixed, counts = repair(leader, {"CMMI10": FontInfo(to_unicode=False, standard=True)})
    assert [c["text"] for c in fixed] == [".", ".", ".", ".", ","] and counts == {"mapped": 5}


def test_trusted_text_is_left_alone():
    """A font with a ToUnicode map says what its glyphs are: '\\' and '"' stay."""
    chars = [char("\\", 0, "CMR10"), char('"', 10, "CMR10")]
    fixed, counts = repair(chars, {"CMR10": FontInfo(to_unicode=True, standard=False)})
    assert [c["text"] for c in fixed] == ["\\", '"'] and not counts


@pytest.fixture(scope="module", params=[False, True], ids=["not-embedded", "cff-embedded"])
def tex_page(tmp_path_factory, request):
    path = tmp_path_factory.mktemp("tex") / "tex.pdf"
    tex_pdf(path, embedded=request.param, pages=[[
        *words("F1", 72, 700, b"The", b"\x0clename", b"is", b"\\quoted\"", b"on", b"pages", b"1{5", b"|", b"so."),
        *words("F2", 72, 680, b"\x00", b"\x0f"), *words("F1", 100, 680, b"minus", b"bullet"),
        ("F3", 72, 660, b"\x0f"), ("F1", 90, 660, b"arrow"),
        ("F1", 72, 640, b"M"), ("F1", 77, 640, b"\x7f"), ("F1", 77, 640, b"u"), ("F1", 82, 640, b"ller"),
        *words("F4", 72, 620, b"\\verb{x}\""),
    ]])
    result = extract(path)
    return result.pages[0], result.statuses[0]


def test_tex_output_reads_as_printed(tex_page):
    page, status = tex_page
    assert "The filename is “quoted” on pages 1–5 — so." in page.text  # OT1 ligature, quotes, dashes
    assert "− • minus bullet" in page.text  # CMSY's minus and bullet
    assert "Müller" in page.text  # the dieresis TeX sets over the u
    assert "\\verb{x}\"" in page.text  # typewriter type keeps its ASCII
    assert "(cid:" not in page.text and "\n arrow" not in page.text
    assert status.repairs["mapped"] >= 8 and status.repairs["dropped"] == 1 and status.repairs["accents"] == 1


def test_word_spaces_come_back_from_gaps(tex_page):
    """Words 2.5 pt apart (TeX's shrunk interword space): pdfplumber's 3 pt rule glued them."""
    page, status = tex_page
    assert "filename is" in page.text and status.repairs["spaces"] >= 8


@pytest.mark.slow
def test_no_unmapped_glyph_reaches_the_manuals_text(luatexja):
    """Its xy-pic arrow tips (XYATIP10 …) have no Unicode mapping: dropped, and counted."""
    assert not any("(cid:" in p.text for p in luatexja.pages)
    assert luatexja.repairs["dropped"] >= 50 and luatexja.repairs["spaces"] > 1000
    page9 = luatexja.pages[8].text
    assert "LuaTEX 1.10.0 (or later)" in page9 and "recent luaotfload (v3.1 or later recommended)" in page9
