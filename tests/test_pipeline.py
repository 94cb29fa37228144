"""Ingest into the index (qa.pipeline): a bad file in a batch adds nothing while the good ones land;
pages without text are left out."""

import pytest

from ingest.pdf import IngestError, Limits, extract
from qa.embed import FakeEmbedder
from qa.index import Index, read_manifest
from qa.pipeline import ingest_files, parse_file
from qa.settings import Settings
from tests.hostile_pdfs import (
    report_pdf,
    text_pdf,
)

# Tests run with lowered budgets so a runaway parse ends in seconds.
FAST = Limits(memory_bytes=512 << 20, cpu_seconds=5, wall_seconds=20)


def failure(path, limits=FAST, **kwargs) -> IngestError:
    with pytest.raises(IngestError) as err:
        extract(path, limits=limits, **kwargs)
    assert path.name in str(err.value) and err.value.path == str(path)
    return err.value


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
    assert [(s.number, s.status) for s in result.statuses] == [(1, "ok"), (2, "scanned"), (3, "ok")]
    assert [p.number for p in result.pages] == [1, 2, 3] and result.pages[1].text == ""
    update, file_result = parse_file(path, Settings(index_dir=tmp_path / "index"), FAST)
    assert update.chunks and all(c.text.strip() for c in update.chunks)
    assert {c.page_start for c in update.chunks} | {c.page_end for c in update.chunks} <= {1, 3}
    assert file_result.skipped == [(2, "scanned")]


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
