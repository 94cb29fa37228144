"""Hostile and broken PDFs: each gets a typed error or a per-page status, in a child process with
limits, and a bad file in a batch adds nothing to the index while the good ones still land."""

import os
import signal
import time

import pytest

from ingest import pdf as pdf_mod
from ingest.pdf import IngestError, Limits, extract, load_pdf, page_ranges
from qa.cli import main
from qa.embed import FakeEmbedder
from qa.index import Index, read_manifest
from qa.pipeline import ingest_files, parse_file
from qa.settings import Settings
from tests.conftest import ROOT
from tests.hostile_pdfs import (
    blank_pages_pdf,
    encrypted_pdf,
    flate_bomb_pdf,
    recursive_pages_pdf,
    report_pdf,
    text_pdf,
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


# --- not a PDF, truncated, encrypted ----------------------------------------------------------


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


# --- pages without text -----------------------------------------------------------------------


def test_scanned_only_is_no_text_and_indexes_nothing(tmp_path):
    path = text_pdf(tmp_path / "scan.pdf", [None, None])
    err = failure(path)
    assert err.kind == "no_text" and "pages 1-2 skipped as scanned" in str(err)
    settings = Settings(index_dir=tmp_path / "index")
    report = ingest_files([path], settings, FakeEmbedder(32), limits=FAST)
    assert [(f.status, f.kind) for f in report.files] == [("failed", "no_text")]
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_mixed_pages_chunk_only_the_text_pages(tmp_path):
    lines = ["Budget report for the year.", "Spending rose by three percent overall."]
    path = text_pdf(tmp_path / "mixed.pdf", [lines, None, [*lines[:1], "Staff numbered 273."]])
    result = extract(path, limits=FAST)
    assert [(s.number, s.status) for s in result.statuses] == [(1, "ok"), (2, "no_text_layer"), (3, "ok")]
    assert [p.number for p in result.pages] == [1, 2, 3] and result.pages[1].text == ""
    update, file_result = parse_file(path, Settings(index_dir=tmp_path / "index"), FAST)
    assert update.chunks and all(c.text.strip() for c in update.chunks)
    assert {c.page_start for c in update.chunks} | {c.page_end for c in update.chunks} <= {1, 3}
    assert file_result.skipped == [(2, "no_text_layer")]


def test_many_blank_pages_within_limit_are_no_text(tmp_path):
    path = blank_pages_pdf(tmp_path / "blank.pdf", 30)
    err = failure(path)
    assert err.kind == "no_text" and "pages 1-30" in str(err)


def test_extract_matches_load_pdf():
    tiny = ROOT / "tests" / "data" / "tiny.pdf"
    result = extract(tiny, limits=FAST)
    assert list(result.pages) == load_pdf(tiny) and result.skipped == []


# --- hostile structures, limits and hangs -----------------------------------------------------


def test_recursive_page_tree(tmp_path):
    assert failure(recursive_pages_pdf(tmp_path / "loop.pdf")).kind in {"corrupt", "resource_limit"}


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    return flate_bomb_pdf(tmp_path_factory.mktemp("bomb") / "bomb.pdf")


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


# --- a batch with a bad file ------------------------------------------------------------------


def test_batch_keeps_good_files_and_drops_the_bad(tmp_path):
    a = report_pdf(tmp_path / "a.pdf", "Alpha")
    bad = tmp_path / "b.pdf"
    bad.write_bytes(b"<html>not a report</html>")
    c = report_pdf(tmp_path / "c.pdf", "Gamma", n_pages=3)
    settings = Settings(index_dir=tmp_path / "index")
    report = ingest_files([a, bad, c], settings, FakeEmbedder(32), limits=FAST)
    assert [(f.status, f.kind) for f in report.files] == [("indexed", ""), ("failed", "not_pdf"), ("indexed", "")]
    manifest = read_manifest(settings.index_dir)
    assert [d["doc"] for d in manifest["documents"]] == ["a.pdf", "c.pdf"]
    good_chunks = report.files[0].chunks + report.files[2].chunks
    assert manifest["n_vectors"] == good_chunks
    index = Index.load(settings.index_dir, FakeEmbedder(32), settings.chunker())
    assert index.vectors.ntotal == good_chunks and {c.doc for c in index.chunks} == {"a.pdf", "c.pdf"}


def test_cli_ingest_reports_failures_and_skipped_pages(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DOCQA_EMBED_MODEL", "fake-chars-32")
    mixed = text_pdf(tmp_path / "mixed.pdf", [["Budget report for the year 2020."], None])
    locked = encrypted_pdf(report_pdf(tmp_path / "plain.pdf", "Beta"), tmp_path / "locked.pdf", "pw")
    index = tmp_path / "index"
    code = main(["ingest", str(mixed), str(locked), "--index", str(index)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "skipped page(s) 2: no text layer (scanned?)" in out
    assert "failed    [encrypted]" in out and "locked.pdf" in out and "a password is required" in out
    assert "1 indexed, 0 unchanged, 1 failed" in out and "1 file(s) failed" in err
    assert [d["doc"] for d in read_manifest(index)["documents"]] == ["mixed.pdf"]
    assert main(["ingest", str(mixed), "--index", str(index)]) == 0
    assert "unchanged" in capsys.readouterr().out


def test_cli_ingest_opens_an_encrypted_pdf_with_its_password(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DOCQA_EMBED_MODEL", "fake-chars-32")
    locked = encrypted_pdf(report_pdf(tmp_path / "plain.pdf", "Beta"), tmp_path / "locked.pdf", "pw")
    index = tmp_path / "index"
    assert main(["ingest", str(locked), "--password", "pw", "--index", str(index)]) == 0
    assert [d["doc"] for d in read_manifest(index)["documents"]] == ["locked.pdf"]
