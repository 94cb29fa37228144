"""Loading an index (qa.index.read, qa.index.manifest): round trips, and refusals by name of a
mismatched, damaged, incomplete, newer or pickled index, before FAISS reads a byte."""

import json
import pickle
import sys
from pathlib import Path

import faiss
import numpy as np
import pytest

from ingest.records import Chunk
from qa.embed import FakeEmbedder
from qa.index import (
    DocUpdate,
    Index,
    IndexCorruptError,
    IndexMissingError,
    StaleIndexError,
    UnsupportedIndexFormat,
    read_manifest,
    update_index,
)
from qa.index.tokenize import tokenize
from tests.helpers import CHUNKER, TEXTS, live, update


def edit_manifest(root, **changes):
    path = live(root) / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))


class Boom:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_round_trip(root, built):
    saved = update_index(root, built, CHUNKER, [update("b.pdf", ["別の報告書"], "sha-b")])
    loaded = Index.load(root, built, CHUNKER)
    assert loaded.chunks == saved.chunks
    assert loaded.version == saved.version == (root / "CURRENT").read_text().strip()
    assert np.array_equal(loaded.vector(2), saved.vector(2))
    q = built.embed(["中長期目標"], query=True)[0]
    assert loaded.search_dense(q, 3) == saved.search_dense(q, 3)
    assert loaded.search_bm25(tokenize("中長期目標"), 3) == saved.search_bm25(tokenize("中長期目標"), 3)


def test_manifest_fields(root, built):
    manifest = read_manifest(root)
    assert manifest["complete"] is True and manifest["n_vectors"] == len(TEXTS)
    assert manifest["embed_model"] == "fake-chars-32" and manifest["embed_dim"] == 32
    assert manifest["chunker"] == CHUNKER and manifest["distance"] == "ip"
    assert manifest["documents"] == [{"doc": "a.pdf", "path": "/reports/a.pdf", "sha256": "sha-a",
                                      "n_pages": 5, "n_chunks": 5, "status": "ok"}]
    assert {"index.faiss", "chunks.jsonl", "bm25/vocab.index.json"} <= set(manifest["files"])
    index = Index.load(root, built, CHUNKER)
    assert index.has_document("a.pdf", "sha-a") and not index.has_document("a.pdf", "other")


def test_missing_index(root):
    with pytest.raises(IndexMissingError, match="docqa ingest"):
        Index.load(root, FakeEmbedder(32), CHUNKER)


def test_other_dim_refused(root):
    update_index(root, FakeEmbedder(16), CHUNKER, [update()])
    with pytest.raises(StaleIndexError, match="embed_dim 16 ≠ 32"):
        Index.load(root, FakeEmbedder(32), CHUNKER)


def test_other_model_refused(root, built):
    other = FakeEmbedder(32)
    other.model_name = "intfloat/multilingual-e5-small"
    with pytest.raises(StaleIndexError, match="embed_model fake-chars-32 ≠ intfloat/multilingual-e5-small"):
        Index.load(root, other, CHUNKER)


def test_other_chunker_refused(root, built):
    with pytest.raises(StaleIndexError, match="chunker"):
        Index.load(root, built, {**CHUNKER, "max_chars": 600})


def test_flipped_byte_caught_before_faiss_reads(root, built, monkeypatch):
    path = live(root) / "index.faiss"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    monkeypatch.setattr(faiss, "read_index", lambda *a: pytest.fail("read_index called"))
    with pytest.raises(IndexCorruptError, match="index.faiss") as err:
        Index.load(root, built, CHUNKER)
    assert err.value.file == "index.faiss"


def test_truncated_chunks_caught_before_faiss_reads(root, built, monkeypatch):
    path = live(root) / "chunks.jsonl"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    monkeypatch.setattr(faiss, "read_index", lambda *a: pytest.fail("read_index called"))
    with pytest.raises(IndexCorruptError, match="chunks.jsonl"):
        Index.load(root, built, CHUNKER)


def test_deleted_manifest(root, built):
    (live(root) / "manifest.json").unlink()
    with pytest.raises(IndexCorruptError, match="manifest.json"):
        Index.load(root, built, CHUNKER)


def test_incomplete_manifest(root, built):
    edit_manifest(root, complete=False)
    with pytest.raises(IndexCorruptError, match="incomplete"):
        Index.load(root, built, CHUNKER)


def test_manifest_missing_field(root, built):
    path = live(root) / "manifest.json"
    manifest = json.loads(path.read_text())
    del manifest["embed_dim"]
    path.write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError, match="embed_dim"):
        Index.load(root, built, CHUNKER)


def test_newer_schema_refused(root, built):
    edit_manifest(root, schema_version=99)
    with pytest.raises(UnsupportedIndexFormat, match="newer version of docqa"):
        Index.load(root, built, CHUNKER)


def test_older_schema_is_refused_with_a_rebuild_message(root, built):
    """Schema 1 indexes lack the per-document profiles and table rows: rebuild, not crash."""
    edit_manifest(root, schema_version=1)
    with pytest.raises(UnsupportedIndexFormat, match=r"schema 1 is too old.*rebuild"):
        Index.load(root, built, CHUNKER)


def test_profiles_and_tables_are_stored_per_document(root, built):
    index = Index.load(root, built, CHUNKER)
    assert set(index.profiles) == {"a.pdf"} and index.profiles["a.pdf"].kind == "generic"
    assert index.tables.get("a.pdf", []) == []


def test_current_pointing_outside_root(root, built):
    (root / "CURRENT").write_text("../../etc\n")
    with pytest.raises(IndexCorruptError, match="CURRENT"):
        Index.load(root, built, CHUNKER)


def test_pickle_never_loaded(tmp_path):
    unpickled = []
    sys.addaudithook(lambda event, args: unpickled.append(args) if event == "pickle.find_class" else None)
    marker = tmp_path / "pwned"
    legacy = tmp_path / "legacy"  # the layout of a LangChain save_local folder
    legacy.mkdir()
    (legacy / "index.faiss").write_bytes(b"")
    (legacy / "index.pkl").write_bytes(pickle.dumps(Boom(marker)))
    with pytest.raises(UnsupportedIndexFormat, match="re-ingest"):
        Index.load(legacy, FakeEmbedder(32), CHUNKER)
    with pytest.raises(UnsupportedIndexFormat):
        read_manifest(legacy)
    assert not marker.exists() and unpickled == []


def test_pickle_in_version_folder_refused(root, built):
    (live(root) / "index.pkl").write_bytes(b"not even a pickle")
    with pytest.raises(UnsupportedIndexFormat):
        Index.load(root, built, CHUNKER)


def test_pages_are_stored_and_kept_per_document(tmp_path):
    from ingest.records import Page
    from qa.index import Index, update_index

    emb = FakeEmbedder(16)
    a = [Chunk(Chunk.make_id("a.pdf", "s", "本文A"), "a.pdf", "I-1", "s", 1, 1, "本文A")]
    b = [Chunk(Chunk.make_id("b.pdf", "s", "本文B"), "b.pdf", "II", "s", 2, 2, "本文B")]
    pages_a = (Page(1, "1", "本文A"),)
    pages_b = (Page(1, "i", "表紙"), Page(2, "ii", "本文B"))
    update_index(tmp_path, emb, {}, [DocUpdate("a.pdf", "a.pdf", "h1", 1, a, pages=pages_a)])
    update_index(tmp_path, emb, {}, [DocUpdate("b.pdf", "b.pdf", "h2", 2, b, pages=pages_b)])
    index = Index.load(tmp_path, emb, {})
    assert index.pages == {"a.pdf": list(pages_a), "b.pdf": list(pages_b)}
