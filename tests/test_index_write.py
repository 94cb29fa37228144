"""Writing an index (qa.index.write): updates reuse vectors, old versions are pruned, and a writer
killed at any moment, two writers at once or a failing disk leave the previous or the new version."""

import errno
import multiprocessing
import os
import random
import signal
import time
from pathlib import Path

import faiss
import numpy as np
import pytest

from qa.embed import FakeEmbedder
from qa.index import (
    DocqaIndexError,
    DocUpdate,
    Index,
    IndexLockedError,
    StaleIndexError,
    read_manifest,
    remove_document,
    rows,
    update_index,
    write,
)
from qa.index import files as store
from qa.index.tokenize import tokenize
from tests.helpers import CHUNKER, TEXTS, chunks_of, doc_update, update, versions

SPAWN = multiprocessing.get_context("spawn")  # a clean child: no faiss/OpenMP state forked mid-use


def check_invariants(root: Path, embedder) -> Index:
    """The live version loads (checksums, ntotal == chunks, ids unique) and every row is a real doc."""
    index = Index.load(root, embedder, CHUNKER)
    assert index.vectors.ntotal == len(index.chunks) == index.manifest["n_vectors"]
    by_doc = {d["doc"]: d["n_chunks"] for d in index.documents}
    assert {c.doc for c in index.chunks} == set(by_doc)
    assert all(sum(c.doc == doc for c in index.chunks) == n for doc, n in by_doc.items())
    return index


def _writer(root: str, first: int, conn) -> None:
    """Child: write one new document after another, acknowledging each once update_index returned."""
    embedder = FakeEmbedder(32)
    conn.send("ready")
    for n in range(first, first + 1000):
        update_index(root, embedder, CHUNKER, [doc_update(n)])
        conn.send(n)


def _drain(conn) -> list[int]:
    acked = []
    while conn.poll(0):
        try:
            message = conn.recv()
        except EOFError:
            break
        if isinstance(message, int):
            acked.append(message)
    return acked


def _kill_inside_a_write(root: Path, first: int) -> tuple[list[int], bool]:
    """Kill a writer the moment a version folder without a manifest appears (or after 10 s)."""
    receiver, sender = SPAWN.Pipe(duplex=False)
    child = SPAWN.Process(target=_writer, args=(str(root), first, sender), daemon=True)
    child.start()
    sender.close()
    assert receiver.poll(30) and receiver.recv() == "ready"
    deadline, hit = time.monotonic() + 10, False
    while time.monotonic() < deadline and not hit:
        hit = any(not (v / store.MANIFEST).exists() for v in versions(root))
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    done = _drain(receiver)
    receiver.close()
    return done, hit and any(not (v / store.MANIFEST).exists() for v in versions(root))


def _racer(root: str, n: int, start_at: float, conn, lock_timeout: float) -> None:
    time.sleep(max(0.0, start_at - time.time()))  # all racers leave the start line together
    try:
        update_index(root, FakeEmbedder(32), CHUNKER, [doc_update(n)], lock_timeout=lock_timeout)
        conn.send("ok")
    except IndexLockedError:
        conn.send("locked")


def run_racers(root: Path, numbers: list[int], lock_timeout: float) -> list[str]:
    start_at = time.time() + 1.5  # time for each child to start and import
    pipes = [SPAWN.Pipe(duplex=False) for _ in numbers]
    procs = [SPAWN.Process(target=_racer, args=(str(root), n, start_at, sender, lock_timeout), daemon=True)
             for n, (_, sender) in zip(numbers, pipes, strict=True)]
    for proc in procs:
        proc.start()
    results = [receiver.recv() if receiver.poll(60) else "no answer" for receiver, _ in pipes]
    for proc in procs:
        proc.join(10)
    return results


def fail_with(exc):
    def raiser(*args, **kwargs):
        raise exc
    return raiser


def enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.slow
def test_killed_writer_leaves_previous_or_new_version(tmp_path):
    root, embedder = tmp_path / "index", FakeEmbedder(32)
    update_index(root, embedder, CHUNKER, [doc_update(0)])
    acked, next_doc, mid_write = {0}, 1, 0
    landed = {"d0.pdf"}  # acked, plus in-flight docs of earlier runs that made it in unacknowledged
    for seed in range(24):
        rng = random.Random(seed)
        receiver, sender = SPAWN.Pipe(duplex=False)
        child = SPAWN.Process(target=_writer, args=(str(root), next_doc, sender), daemon=True)
        child.start()
        sender.close()
        assert receiver.poll(30) and receiver.recv() == "ready"
        time.sleep(rng.uniform(0.0, 0.5))
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
        done = _drain(receiver)
        receiver.close()
        acked |= set(done)
        in_flight = f"d{max(done, default=next_doc - 1) + 1}.pdf"
        mid_write += any(not (v / store.MANIFEST).exists() for v in versions(root))
        index = check_invariants(root, embedder)
        held = {d["doc"] for d in index.documents}
        expected = landed | {f"d{n}.pdf" for n in acked}
        assert held in (expected, expected | {in_flight}), (seed, sorted(held ^ expected))
        landed = held
        next_doc = max(acked | {next_doc - 1}) + 2  # skip the in-flight number: it may have landed
    print(f"{mid_write} of 24 random kills landed inside a write")
    # Random timing depends on machine load; make sure some kills hit a half-written version.
    for _ in range(20):
        if mid_write >= 3:
            break
        done, hit = _kill_inside_a_write(root, next_doc)
        acked |= set(done)
        mid_write += hit
        held = {d["doc"] for d in check_invariants(root, embedder).documents}
        assert {f"d{n}.pdf" for n in acked} <= held
        next_doc = max(acked | {next_doc - 1}) + 2
    assert mid_write >= 3, "too few kills landed inside a write to exercise recovery"
    update_index(root, embedder, CHUNKER, [doc_update(next_doc)])  # the next write cleans up
    assert all((v / store.MANIFEST).exists() and store.is_complete(v) for v in versions(root))
    assert len(versions(root)) <= 3 and not (root / f"{store.CURRENT}.tmp").exists()
    assert {f"d{n}.pdf" for n in acked} <= {d["doc"] for d in check_invariants(root, embedder).documents}


@pytest.mark.slow
def test_two_writers_are_serialised(tmp_path):
    root, embedder = tmp_path / "index", FakeEmbedder(32)
    update_index(root, embedder, CHUNKER, [doc_update(0)])
    for rep in range(3):
        pair = [2 * rep + 1, 2 * rep + 2]
        assert run_racers(root, pair, lock_timeout=30) == ["ok", "ok"]  # the second waited its turn
        held = {d["doc"] for d in check_invariants(root, embedder).documents}
        assert {f"d{n}.pdf" for n in [0, *pair]} <= held


def test_writer_in_another_process_gets_locked_error(tmp_path):
    root, embedder = tmp_path / "index", FakeEmbedder(32)
    update_index(root, embedder, CHUNKER, [doc_update(0)])
    before = (root / store.CURRENT).read_text()
    with store.locked(root, timeout=1):
        assert run_racers(root, [1], lock_timeout=0.3) == ["locked"]
    assert (root / store.CURRENT).read_text() == before
    assert run_racers(root, [1], lock_timeout=0.3) == ["ok"]


@pytest.mark.parametrize(("target", "name", "exc", "says"), [
    (os, "replace", PermissionError(errno.EACCES, "Permission denied"), "PermissionError"),
    (os, "mkdir", PermissionError(errno.EACCES, "Permission denied"), "PermissionError"),
    (faiss, "write_index", OSError(errno.ENOSPC, "No space left on device"), "disk full"),
    (os, "fsync", OSError(errno.ENOSPC, "No space left on device"), "disk full"),
])
def test_write_error_keeps_current(tmp_path, monkeypatch, target, name, exc, says):
    # Running as root makes chmod 0500 ineffective, so the read-only folder is simulated.
    root, embedder = tmp_path / "index", FakeEmbedder(32)
    update_index(root, embedder, CHUNKER, [doc_update(0)])
    before = (root / store.CURRENT).read_text()
    monkeypatch.setattr(target, name, fail_with(exc))
    with pytest.raises(DocqaIndexError, match=f"{says}.*previous index is kept"):
        update_index(root, embedder, CHUNKER, [doc_update(1)])
    monkeypatch.undo()
    assert (root / store.CURRENT).read_text() == before
    assert all((v / store.MANIFEST).exists() for v in versions(root)) and len(versions(root)) == 1
    assert [d["doc"] for d in check_invariants(root, embedder).documents] == ["d0.pdf"]


def test_unlockable_root_is_a_clear_error(tmp_path, monkeypatch):
    real_open = os.open

    def no_lock(path, *args, **kwargs):
        if str(path).endswith(store.LOCK):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_lock)
    with pytest.raises(DocqaIndexError, match=r"cannot lock the index folder .*\(Permission denied\)"):
        update_index(tmp_path / "index", FakeEmbedder(32), CHUNKER, [doc_update(0)])


def test_stale_index_refused_by_writer_unless_rebuild(root, built):
    small = FakeEmbedder(16)
    with pytest.raises(StaleIndexError):
        update_index(root, small, CHUNKER, [update("b.pdf", ["別"], "sha-b")])
    rebuilt = update_index(root, small, CHUNKER, [update("b.pdf", ["別"], "sha-b")], rebuild=True)
    assert [c.doc for c in rebuilt.chunks] == ["b.pdf"]
    assert Index.load(root, small, CHUNKER).vectors.d == 16


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
