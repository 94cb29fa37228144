"""Opening PDFs (ingest.pdf): the committed tiny PDF exactly, then hostile and broken PDFs, each a typed
error or a per-page status from a child process with limits."""

import json
import os
import signal
import time

import pytest

from ingest import pdf as pdf_mod
from ingest.pdf import IngestError, Limits, extract, load_pdf, page_ranges
from tests.helpers import ROOT, TINY
from tests.hostile_pdfs import (
    blank_pages_pdf,
    encrypted_pdf,
    flate_bomb_pdf,
    recursive_pages_pdf,
    report_pdf,
)

# Tests run with lowered budgets so a runaway parse ends in seconds.
FAST = Limits(memory_bytes=512 << 20, cpu_seconds=5, wall_seconds=20)

MIB = 1 << 20


def failure(path, limits=FAST, **kwargs) -> IngestError:
    with pytest.raises(IngestError) as err:
        extract(path, limits=limits, **kwargs)
    assert path.name in str(err.value) and err.value.path == str(path)
    return err.value


def rss_bytes() -> int:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    return report_pdf(tmp_path_factory.mktemp("good") / "good.pdf", "Alpha", n_pages=3)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    return flate_bomb_pdf(tmp_path_factory.mktemp("bomb") / "bomb.pdf")


def test_tiny_pdf_matches_expected():
    """Pages, sections and chunks of a committed PDF, exactly (regenerate: tests/make_tiny_pdf.py)."""
    from ingest import chunk_sections, split_sections

    expected = json.loads(TINY.with_suffix(".expected.json").read_text(encoding="utf-8"))
    pages = load_pdf(TINY)
    assert [{"number": p.number, "label": p.label, "text": p.text} for p in pages] == expected["pages"]
    sections = split_sections(pages)
    assert [{"item": s.item, "path": list(s.path), "page_start": s.page_start, "page_end": s.page_end,
             "text": s.text} for s in sections] == expected["sections"]
    chunks = chunk_sections(sections, "tiny.pdf", max_chars=80)
    assert [{"id": c.id, "item": c.item, "section": c.section, "page_start": c.page_start,
             "page_end": c.page_end, "text": c.text} for c in chunks] == expected["chunks"]


@pytest.mark.parametrize("content", [b"", b"hello", b"<!DOCTYPE html><html><body>report</body></html>",
                                     b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'])
def test_not_a_pdf(tmp_path, content):
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    assert failure(path).kind == "not_pdf"


def test_truncated_at_half_is_corrupt(tmp_path, good):
    path = tmp_path / "cut.pdf"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert failure(path).kind == "corrupt"


def test_missing_file_and_folder(tmp_path):
    assert failure(tmp_path / "gone.pdf").kind == "not_pdf"
    folder = tmp_path / "dir.pdf"
    folder.mkdir()
    assert failure(folder).kind == "not_pdf"


@pytest.mark.parametrize(("password", "says"), [(None, "a password is required"),
                                                ("wrong", "the password given does not open it")])
def test_encrypted_without_the_password(tmp_path, good, password, says):
    path = encrypted_pdf(good, tmp_path / "locked.pdf", "s3cret")
    err = failure(path, password=password)
    assert err.kind == "encrypted" and says in str(err)


def test_encrypted_with_the_password(tmp_path, good):
    path = encrypted_pdf(good, tmp_path / "locked.pdf", "s3cret")
    result = extract(path, password="s3cret", limits=FAST)
    assert result.pages == extract(good, limits=FAST).pages and len(result.pages) == 3


def test_many_blank_pages_within_limit_are_no_text(tmp_path):
    path = blank_pages_pdf(tmp_path / "blank.pdf", 30)
    err = failure(path)
    assert err.kind == "no_text" and "pages 1-30 blank" in str(err) and "OCR" not in str(err)


def test_pages_of_glyphs_without_unicode_values_are_not_called_blank(tmp_path):
    """Text in a font whose codes map to nothing (no ToUnicode, no known encoding) is there but
    unreadable: the message says so instead of 'blank'."""
    from tests.tex_pdfs import tex_pdf

    path = tex_pdf(tmp_path / "unmapped.pdf", pages=[[("F3", 72, 700, bytes(range(1, 31)))]])
    err = failure(path)
    assert err.kind == "no_text" and "pages 1 set in fonts without a Unicode mapping" in str(err)
    assert "blank" not in str(err)


def test_blank_and_scanned_pages_are_told_apart(tmp_path):
    """No text and no image: blank. No text under a page-sized image: a scan, and OCR is not here."""
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.text(20, 30, "A page with enough text on it.")
    pdf.add_page()  # blank
    pdf.add_page()
    pdf.image(Image.new("RGB", (60, 40), (90, 90, 90)), x=20, y=20, w=30)  # a logo: still blank
    pdf.add_page()
    pdf.image(Image.new("RGB", (210, 297), (220, 220, 210)), x=0, y=0, w=210)  # a scan
    pdf.output(str(tmp_path / "mixed.pdf"))
    result = extract(tmp_path / "mixed.pdf", limits=FAST)
    assert [s.status for s in result.statuses] == ["ok", "blank", "blank", "scanned"]
    err = failure(text_only_scans(tmp_path))
    assert err.kind == "no_text" and "skipped as scanned images" in str(err) and "OCR is not available" in str(err)


def text_only_scans(tmp_path):
    from tests.hostile_pdfs import text_pdf

    return text_pdf(tmp_path / "scans.pdf", [None, None])


def test_extract_matches_load_pdf():
    tiny = ROOT / "tests" / "data" / "tiny.pdf"
    result = extract(tiny, limits=FAST)
    assert list(result.pages) == load_pdf(tiny) and result.skipped == []


def test_recursive_page_tree(tmp_path):
    assert failure(recursive_pages_pdf(tmp_path / "loop.pdf")).kind in {"corrupt", "resource_limit"}


def test_decompression_bomb_stopped_in_the_child(bomb):
    assert bomb.stat().st_size < 2 * MIB
    before, start = rss_bytes(), time.monotonic()
    err = failure(bomb, limits=Limits(memory_bytes=384 * MIB, cpu_seconds=5, wall_seconds=15))
    assert err.kind in {"corrupt", "resource_limit"}, err
    assert time.monotonic() - start < 15
    assert rss_bytes() - before < 50 * MIB  # the 600 MiB were the child's problem


def test_hang_is_killed_at_the_deadline(tmp_path, good, monkeypatch):
    children = []
    real_spawn = pdf_mod._spawn
    monkeypatch.setattr(pdf_mod, "_spawn", lambda *a: children.append(real_spawn(*a)) or children[-1])
    monkeypatch.setenv(pdf_mod.PAGE_DELAY_ENV, "60")
    start = time.monotonic()
    err = failure(good, limits=Limits(wall_seconds=2))
    elapsed = time.monotonic() - start
    assert err.kind == "timeout" and "longer than 2 s" in str(err)
    assert 2 <= elapsed < 6
    (child,) = children
    with pytest.raises(ProcessLookupError):
        os.kill(child.pid, 0)  # killed and reaped: no orphan keeps parsing


def test_oversize_rejected_before_parsing(tmp_path, monkeypatch):
    path = tmp_path / "huge.pdf"
    with open(path, "wb") as fh:
        fh.write(b"%PDF-1.7\n")
        fh.truncate(201 * MIB)  # sparse: no disk space used
    monkeypatch.setattr(pdf_mod, "_spawn", lambda *a: pytest.fail("the parser was started"))
    err = failure(path, limits=Limits())
    assert err.kind == "too_large" and "201.0 MiB" in str(err) and "200 MiB" in str(err)


def test_over_page_limit(tmp_path):
    path = blank_pages_pdf(tmp_path / "long.pdf", 60)
    err = failure(path, limits=Limits(max_pages=50, wall_seconds=20))
    assert err.kind == "too_many_pages" and "60 pages" in str(err) and "50" in str(err)


@pytest.mark.parametrize(("exitcode", "kind"), [(-signal.SIGXCPU, "resource_limit"),
                                                (-signal.SIGKILL, "resource_limit"),
                                                (-signal.SIGSEGV, "corrupt"), (1, "corrupt")])
def test_child_death_is_classified(tmp_path, exitcode, kind):
    assert pdf_mod._died(tmp_path / "a.pdf", exitcode, Limits()).kind == kind


@pytest.mark.parametrize(("numbers", "text"), [([1], "1"), ([3, 1, 2], "1-3"), ([1, 2, 4, 6, 7], "1-2, 4, 6-7")])
def test_page_ranges(numbers, text):
    assert page_ranges(numbers) == text


def test_progress_is_reported_page_by_page(tmp_path):
    path = report_pdf(tmp_path / "long.pdf", "Delta", n_pages=12)
    progress = []
    result = extract(path, on_page=lambda done, total: progress.append((done, total)))
    assert result == extract(path)
    assert progress == [(n, 12) for n in range(1, 13)]


def test_parser_warnings_do_not_reach_the_terminal(tmp_path, capfd):
    """A font descriptor without a FontBBox (Chromium's print to PDF) made pdfminer warn once per
    glyph, straight to stderr from the child."""
    from fpdf import FPDF

    from ingest.sample import font_path

    pdf = FPDF()
    pdf.add_font("ipaexg", fname=str(font_path()))
    pdf.add_page()
    pdf.set_font("ipaexg", size=12)
    pdf.text(20, 30, "フォントの記述に FontBBox がない文書です。")
    data = bytes(pdf.output())
    assert b"/FontBBox" in data
    path = tmp_path / "nobbox.pdf"
    path.write_bytes(data.replace(b"/FontBBox", b"/XontBBox"))  # same length: the xref holds
    assert "FontBBox がない" in extract(path, limits=FAST).pages[0].text
    assert "FontBBox" not in capfd.readouterr().err
