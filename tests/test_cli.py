"""The command line (qa.cli): bad files and damaged or mismatched indexes get clear messages and exit codes."""

import json

import pytest

from qa.cli import main
from qa.embed import FakeEmbedder
from qa.index import files as store
from qa.index import (
    read_manifest,
    update_index,
)
from qa.settings import Settings
from tests.helpers import doc_update, live
from tests.hostile_pdfs import encrypted_pdf, report_pdf, text_pdf


@pytest.fixture
def cli_index(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCQA_EMBED_MODEL", "fake-chars-32")
    root = tmp_path / "index"
    update_index(root, FakeEmbedder(32), Settings(index_dir=root).chunker(), [doc_update(0)])
    return root


def flip_byte(root):
    path = live(root) / store.FAISS_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def cut_chunks(root):
    path = live(root) / store.CHUNKS_FILE
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def drop_manifest(root):
    (live(root) / store.MANIFEST).unlink()


def mark_incomplete(root):
    path = live(root) / store.MANIFEST
    path.write_text(json.dumps({**json.loads(path.read_text()), "complete": False}))


def garbage_current(root):
    (root / store.CURRENT).write_text("\x00\x01 not a version\n")


@pytest.mark.parametrize(("damage", "names"), [(flip_byte, "index.faiss"), (cut_chunks, "chunks.jsonl"),
                                               (drop_manifest, "manifest.json"),
                                               (mark_incomplete, "incomplete"), (garbage_current, "CURRENT")])
@pytest.mark.parametrize("command", [["status"], ["search", "売上高"]])
def test_damaged_index_is_a_clear_cli_error(cli_index, capsys, damage, names, command):
    damage(cli_index)
    assert main([*command, "--index", str(cli_index)]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("docqa: ") and names in err and "Traceback" not in out + err
    assert "docqa ingest" in err or "re-ingest" in err or "rebuild" in err


def test_reingest_with_another_embedder_is_refused_by_name(cli_index, tmp_path, monkeypatch, capsys):
    from tests.hostile_pdfs import report_pdf

    monkeypatch.setenv("DOCQA_EMBED_MODEL", "fake-chars-16")
    before = (cli_index / store.CURRENT).read_text()
    pdf = report_pdf(tmp_path / "new.pdf", "Delta")
    assert main(["ingest", str(pdf), "--index", str(cli_index)]) == 2
    err = capsys.readouterr().err
    assert "embed_model fake-chars-32 ≠ fake-chars-16" in err and "embed_dim 32 ≠ 16" in err
    assert (cli_index / store.CURRENT).read_text() == before
    assert [d["doc"] for d in read_manifest(cli_index)["documents"]] == ["d0.pdf"]


def test_cli_ingest_reports_failures_and_skipped_pages(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DOCQA_EMBED_MODEL", "fake-chars-32")
    mixed = text_pdf(tmp_path / "mixed.pdf", [["Budget report for the year 2020."], None])
    locked = encrypted_pdf(report_pdf(tmp_path / "plain.pdf", "Beta"), tmp_path / "locked.pdf", "pw")
    index = tmp_path / "index"
    code = main(["ingest", str(mixed), str(locked), "--index", str(index)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "skipped page(s) 2: scanned images without a text layer (OCR is not available)" in out
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


def test_ingest_summary_counts_chunks_and_sentences_apart(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DOCQA_EMBED_MODEL", "fake-chars-32")
    pdf = report_pdf(tmp_path / "a.pdf", "Alpha", n_pages=3)
    index = tmp_path / "index"
    assert main(["ingest", str(pdf), "--index", str(index)]) == 0
    first = capsys.readouterr().out.splitlines()
    assert main(["ingest", str(pdf), "--index", str(index)]) == 0
    second = capsys.readouterr().out.splitlines()
    n_chunks = read_manifest(index)["n_vectors"]
    assert len(first) == 2 and first[0].startswith("indexed")
    assert f"embedded {n_chunks} chunks + " in first[1] and " sentences; parse " in first[1]
    assert second[0].startswith("unchanged") and "embedded" not in second[1]
    assert second[1].startswith("0 indexed, 1 unchanged, 0 failed; ")


UNCHANGED_PROBE = """
import sys
from qa.cli import main
code = main(["ingest", {pdf!r}, "--index", {index!r}])
heavy = {{"onnxruntime", "faiss", "torch", "transformers", "sentence_transformers", "bm25s", "sudachipy"}}
print(code, sorted(heavy & {{m.split(".")[0] for m in sys.modules}}))
"""


def test_an_unchanged_file_loads_no_model_and_no_index_engine(tmp_path):
    """`docqa ingest` of a file the index holds: the default model's name is checked, nothing loaded."""
    import subprocess
    import sys

    from qa.embed import load_embedder
    from qa.index.files import sha256_file
    from qa.index.write import DocUpdate
    from tests.helpers import ROOT, chunks_of

    pdf = report_pdf(tmp_path / "a.pdf", "Alpha")
    index = tmp_path / "index"
    named = FakeEmbedder(384)
    named.model_name = load_embedder("default").model_name  # the default's name, without its weights
    update = DocUpdate("a.pdf", str(pdf), sha256_file(pdf), 1, chunks_of("a.pdf", ["売上は増えた。"]))
    update_index(index, named, Settings(index_dir=index).chunker(), [update])
    probe = UNCHANGED_PROBE.format(pdf=str(pdf), index=str(index))
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "0 []", out.stdout + out.stderr
    assert out.stdout.splitlines()[0].startswith("unchanged")


def test_third_party_info_lines_stay_out_unless_verbose(capsys):
    import logging

    from qa.logs import setup_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    root.handlers = []
    try:
        setup_logging(verbose=False)
        chatty = logging.getLogger("bm25s")
        chatty.setLevel(logging.DEBUG)  # as bm25s does to its own logger at import
        chatty.debug("Building index from tokens")
        logging.getLogger("fontTools.subset").info("Glyph names: [...]")
        logging.getLogger("httpx").info("HTTP Request: GET http://127.0.0.1:7860/")
        logging.getLogger("qa.pipeline").info("ours")
        logging.getLogger("onnxruntime").warning("theirs, but a warning")
        err = capsys.readouterr().err
        assert err.splitlines() == ["ours", "theirs, but a warning"]
    finally:
        root.handlers, root.level = saved


def test_search_and_ask_keep_to_the_documents_named(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DOCQA_EMBED_MODEL", "fake-chars-32")
    root = tmp_path / "index"
    update_index(root, FakeEmbedder(32), Settings(index_dir=root).chunker(), [doc_update(0), doc_update(1)])
    capsys.readouterr()
    assert main(["search", "売上高", "--index", str(root), "--doc", "d1.pdf", "--json", "-k", "5"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 5 and {r["doc"] for r in rows} == {"d1.pdf"} and all("label" in r for r in rows)
    assert main(["search", "売上高", "--index", str(root), "-k", "8"]) == 0
    assert "d0.pdf · " in capsys.readouterr().out  # several documents: each hit names its own
    assert main(["ask", "売上高は？", "--index", str(root), "--doc", "d0.pdf", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert {p["doc"] for p in answer["passages"]} == {"d0.pdf"}
    assert all(c["doc"] == "d0.pdf" and "label" in c for c in answer["citations"])
    for command in (["search", "売上高"], ["ask", "売上高は？"]):
        assert main([*command, "--index", str(root), "--doc", "nope.pdf"]) == 2
        assert "unknown document nope.pdf; the index holds d0.pdf, d1.pdf" in capsys.readouterr().err
