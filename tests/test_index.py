import errno
import json
import os
import pickle
import sys
from pathlib import Path

import faiss
import numpy as np
import pytest

from ingest.records import Chunk
from qa.embed import FakeEmbedder
from qa.index import (
    DocqaIndexError,
    DocUpdate,
    Index,
    IndexCorruptError,
    IndexLockedError,
    IndexMissingError,
    StaleIndexError,
    UnsupportedIndexFormat,
    read_manifest,
    remove_document,
    rows,
    update_index,
    write,
)
from qa.index import files as store
from qa.index.tokenize import tokenize
from qa.search import search

CHUNKER = {"max_chars": 400, "version": 1}
TEXTS = [
    "売上高は6,449,878千円であった。",
    "研究開発法人の中長期目標の評定はAである。",
    "職員の人数は273人である。",
    "Deep learning models are trained on GPUs.",
    "The budget increased by 2.2 percent.",
]


class CountingEmbedder:
    """FakeEmbedder that records every text it embeds."""

    def __init__(self, dim=32):
        self.inner = FakeEmbedder(dim)
        self.model_name, self.dim = self.inner.model_name, dim
        self.embedded: list[str] = []

    def embed(self, texts, *, query=False):
        self.embedded.extend(texts)
        return self.inner.embed(texts, query=query)


def chunks_of(doc, texts, section="概要"):
    return [Chunk(Chunk.make_id(doc, section, t), doc, "I-1", section, n, n, t) for n, t in enumerate(texts, 1)]


def update(doc="a.pdf", texts=TEXTS, sha="sha-a"):
    return DocUpdate(doc, f"/reports/{doc}", sha, len(texts), chunks_of(doc, texts))


def versions(root):
    return sorted(p.name for p in root.glob("v-*"))


@pytest.fixture
def root(tmp_path):
    return tmp_path / "index"


@pytest.fixture
def built(root):
    embedder = CountingEmbedder()
    update_index(root, embedder, CHUNKER, [update()])
    return embedder


# --- round trip and retrieval ------------------------------------------------------------------


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


@pytest.mark.parametrize(("query", "row"), [("中長期目標", 1), ("6,449,878千円", 0), ("273人", 2),
                                            ("GPUs deep", 3), ("budget 2.2", 4)])
def test_bm25_exact_top(root, built, query, row):
    index = Index.load(root, built, CHUNKER)
    assert [r for r, _ in index.search_bm25(tokenize(query), 5)] == [row]


@pytest.mark.parametrize("row", range(len(TEXTS)))
def test_dense_finds_identical_text_first(root, built, row):
    index = Index.load(root, built, CHUNKER)
    hits = index.search_dense(built.embed([TEXTS[row]], query=True)[0], 5)
    assert hits[0][0] == row and hits[0][1] == pytest.approx(1.0)
    assert len(hits) == 5 and [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_fused_search(root, built):
    index = Index.load(root, built, CHUNKER)
    hits = search(index, built, "研究開発法人の中長期目標の評定", k=3)
    assert hits[0].chunk.text == TEXTS[1]
    assert (hits[0].dense_rank, hits[0].bm25_rank) == (1, 1)
    assert hits[0].score == pytest.approx(2 / 61)
    assert len(hits) == 3 and all(h.bm25_rank is None for h in hits[1:])


def test_empty_index_searches_nothing():
    index = Index.empty(FakeEmbedder(8), CHUNKER)
    assert index.search_dense(np.ones(8, dtype=np.float32), 5) == []
    assert index.search_bm25(["x"], 5) == []


# --- refusals ----------------------------------------------------------------------------------


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


def test_stale_index_refused_by_writer_unless_rebuild(root, built):
    small = FakeEmbedder(16)
    with pytest.raises(StaleIndexError):
        update_index(root, small, CHUNKER, [update("b.pdf", ["別"], "sha-b")])
    rebuilt = update_index(root, small, CHUNKER, [update("b.pdf", ["別"], "sha-b")], rebuild=True)
    assert [c.doc for c in rebuilt.chunks] == ["b.pdf"]
    assert Index.load(root, small, CHUNKER).vectors.d == 16


def live(root):
    return root / (root / "CURRENT").read_text().strip()


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


def edit_manifest(root, **changes):
    path = live(root) / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))


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


def test_current_pointing_outside_root(root, built):
    (root / "CURRENT").write_text("../../etc\n")
    with pytest.raises(IndexCorruptError, match="CURRENT"):
        Index.load(root, built, CHUNKER)


class Boom:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


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


# --- updates -----------------------------------------------------------------------------------


def test_reingest_is_idempotent(root, built):
    first = Index.load(root, built, CHUNKER)
    built.embedded.clear()
    second = update_index(root, built, CHUNKER, [update()])
    assert built.embedded == []
    assert [c.id for c in second.chunks] == [c.id for c in first.chunks]
    assert np.array_equal(second.vector(4), first.vector(4))


def test_changed_chunk_alone_is_embedded(root, built):
    texts = [*TEXTS[:2], "職員の人数は275人である。", *TEXTS[3:]]
    built.embedded.clear()
    index = update_index(root, built, CHUNKER, [update(texts=texts, sha="sha-a2")])
    # the chunk, then its one sentence; nothing else is embedded again
    assert built.embedded == ["職員の人数は275人である。", "職員の人数は275人である。"]
    assert [r for r, _ in index.search_bm25(tokenize("275"), 5)] == [2]
    assert index.search_bm25(tokenize("273"), 5) == []
    assert read_manifest(root)["documents"][0]["sha256"] == "sha-a2"


def test_second_doc_keeps_first(root, built):
    update_index(root, built, CHUNKER, [update("b.pdf", ["第二の報告書の本文"], "sha-b")])
    index = Index.load(root, built, CHUNKER)
    assert [c.doc for c in index.chunks] == ["a.pdf"] * 5 + ["b.pdf"]
    assert [d["doc"] for d in index.documents] == ["a.pdf", "b.pdf"]
    assert index.search_bm25(tokenize("中長期目標"), 5)[0][0] == 1


def test_remove_document(root, built):
    update_index(root, built, CHUNKER, [update("b.pdf", ["第二の報告書の本文"], "sha-b")])
    built.embedded.clear()
    index = remove_document(root, built, CHUNKER, "a.pdf")
    assert [c.doc for c in index.chunks] == ["b.pdf"] and built.embedded == []
    assert [d["doc"] for d in read_manifest(root)["documents"]] == ["b.pdf"]
    with pytest.raises(ValueError, match="a.pdf"):
        remove_document(root, built, CHUNKER, "a.pdf")


def test_symbol_only_and_emptied_index(root):
    embedder = FakeEmbedder(32)
    symbols = DocUpdate("a.pdf", "/reports/a.pdf", "sha-a", 1, chunks_of("a.pdf", ["。。・"], section="・"))
    index = update_index(root, embedder, CHUNKER, [symbols])
    assert index.bm25 is None and Index.load(root, embedder, CHUNKER).search_bm25(["x"], 3) == []
    index = remove_document(root, embedder, CHUNKER, "a.pdf")
    loaded = Index.load(root, embedder, CHUNKER)
    assert loaded.chunks == [] and loaded.documents == [] and loaded.vectors.ntotal == 0


def test_duplicate_chunk_ids_kept_once(root):
    index = update_index(root, FakeEmbedder(32), CHUNKER, [update(texts=["同じ文", "同じ文", "別の文"])])
    assert len(index.chunks) == 2 and index.documents[0]["n_chunks"] == 2


def test_old_versions_pruned_and_orphans_removed(root, built):
    for n in range(4):
        update_index(root, built, CHUNKER, [update("b.pdf", [f"版{n}"], f"sha-{n}")])
    assert len(versions(root)) == 3  # live + 2 previous
    orphan = root / "v-20000101T000000000000Z-abcdef"
    orphan.mkdir()
    (orphan / "index.faiss").write_bytes(b"half")
    update_index(root, built, CHUNKER, [update("b.pdf", ["版5"], "sha-5")])
    assert not orphan.exists() and len(versions(root)) == 3


# --- failures while saving ---------------------------------------------------------------------


def enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(("module", "step"), [(faiss, "write_index"), (rows, "write_chunks"),
                                              (write, "write_bm25"), (write, "write_manifest"),
                                              (store, "switch_current")])
def test_failed_save_keeps_previous_version(root, built, monkeypatch, module, step):
    before_current, before_versions = (root / "CURRENT").read_text(), versions(root)
    monkeypatch.setattr(module, step, enospc)
    with pytest.raises(DocqaIndexError, match="disk full.*previous index is kept"):
        update_index(root, built, CHUNKER, [update("b.pdf", ["新しい文書"], "sha-b")])
    assert (root / "CURRENT").read_text() == before_current
    assert versions(root) == before_versions
    assert [c.doc for c in Index.load(root, built, CHUNKER).chunks] == ["a.pdf"] * 5


def test_faiss_write_error_keeps_previous_version(root, built, monkeypatch):
    def broken(*args):
        raise RuntimeError("Error in faiss::FileIOWriter: write failed")

    monkeypatch.setattr(faiss, "write_index", broken)
    with pytest.raises(DocqaIndexError, match="previous index is kept"):
        update_index(root, built, CHUNKER, [update("b.pdf", ["新しい文書"], "sha-b")])
    assert len(versions(root)) == 1 and Index.load(root, built, CHUNKER).chunks


def test_second_writer_gets_locked_error(root, built):
    with store.locked(root, timeout=1):
        with pytest.raises(IndexLockedError, match="another docqa process"):
            update_index(root, built, CHUNKER, [update("b.pdf", ["別"], "sha-b")], lock_timeout=0.1)
    update_index(root, built, CHUNKER, [update("b.pdf", ["別"], "sha-b")], lock_timeout=0.1)


def test_pages_are_stored_and_kept_per_document(tmp_path):
    from ingest.records import Page
    from qa.index import DocUpdate, Index, update_index

    emb = FakeEmbedder(16)
    a = [Chunk(Chunk.make_id("a.pdf", "s", "本文A"), "a.pdf", "I-1", "s", 1, 1, "本文A")]
    b = [Chunk(Chunk.make_id("b.pdf", "s", "本文B"), "b.pdf", "II", "s", 2, 2, "本文B")]
    pages_a = (Page(1, "1", "本文A"),)
    pages_b = (Page(1, "i", "表紙"), Page(2, "ii", "本文B"))
    update_index(tmp_path, emb, {}, [DocUpdate("a.pdf", "a.pdf", "h1", 1, a, pages=pages_a)])
    update_index(tmp_path, emb, {}, [DocUpdate("b.pdf", "b.pdf", "h2", 2, b, pages=pages_b)])
    index = Index.load(tmp_path, emb, {})
    assert index.pages == {"a.pdf": list(pages_a), "b.pdf": list(pages_b)}


def test_sentence_vectors_round_trip_and_match_their_chunks(root, built):
    index = Index.load(root, built, CHUNKER)
    assert index.sentences is not None
    for chunk in index.chunks:
        from ingest.text import split_sentences

        expected = built.inner.embed(split_sentences(chunk.text))
        assert np.allclose(index.sentences.of(chunk.id), expected, atol=1e-6)


def test_sentence_model_int8_applies_only_to_the_default_model():
    from qa.index.sentences import sentence_embedder

    fake = FakeEmbedder(16)
    assert sentence_embedder({"sentence_model": "int8"}, fake) is fake
    assert sentence_embedder({"sentence_model": "same"}, fake) is fake
    assert sentence_embedder({}, fake) is fake
