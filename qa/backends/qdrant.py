"""The Qdrant backend (DOCQA_BACKEND=qdrant): one index is three collections.

    <name>             one point per chunk, id = the chunk id (64-bit hash) as an integer: a named dense
                       vector "dense" (384, cosine) and a named sparse vector "bm25" (qa.backends.sparse,
                       Modifier.IDF); payload id, doc, item, section, page_start, page_end, text, row
                       (ingest order, the last tie-break); keyword payload indexes on doc and item
    <name>_sentences   one point per chunk, same id: a multivector "sentences" (its sentences' vectors
                       in order), payload doc
    <name>_docs        no vectors: point 0 holds the manifest (embedder, chunker, tokenizer, BM25 length
                       statistics), one point per document its entry and its pages

Upserts are idempotent by chunk id; re-ingesting a changed document upserts its new chunks, then
deletes the points it no longer has, then rewrites its entry. Qdrant has no transactions: a writer
that dies midway leaves the old entry (old sha256), so the next ingest of that file redoes it.
One writer at a time; any number of readers (a server) or one process (local mode).
"""

from __future__ import annotations

import logging

import faiss
import numpy as np

import qa.backends.qdrant_store as store
from ingest.profile import DocProfile
from ingest.records import Chunk, Page
from ingest.tables import TableRow
from ingest.text import split_sentences
from qa.backends.base import ANYWHERE, Found, Where
from qa.backends.local import Pending
from qa.backends.sparse import bm25_totals, doc_vector, query_vector
from qa.index import DocUpdate, IndexMissingError, check_compatible
from qa.index.manifest import new_manifest
from qa.index.write import bm25_tokens, merge

log = logging.getLogger(__name__)

DENSE, SPARSE, SENTENCES = "dense", "bm25", "sentences"
MANIFEST_ID = 0
DOC_EXTRAS = ["pages", "profile", "tables"]  # per-document payload read only when asked for
UPSERT_BATCH = 256  # points per request: ~0.5 MB of JSON with vectors and text


class QdrantBackend:
    name = "qdrant"

    def __init__(self, client, name: str, *, embedder=None, chunker: dict | None = None):
        self.client, self.name_ = client, name
        self.embedder, self.chunker = embedder, chunker
        self.sentences_name, self.docs_name = f"{name}_sentences", f"{name}_docs"

    # -- the manifest and documents --------------------------------------------------------------
    def exists(self) -> bool:
        return self.client.collection_exists(self.docs_name) and \
            self._point(self.docs_name, MANIFEST_ID) is not None

    def manifest(self) -> dict:
        """The manifest with its documents (no pages). IndexMissingError when there is no index."""
        record = self._point(self.docs_name, MANIFEST_ID) if self.client.collection_exists(
            self.docs_name) else None
        if record is None:
            raise IndexMissingError(f"no Qdrant index {self.name_!r}; run `docqa ingest` first")
        manifest = dict(record.payload)
        manifest["documents"] = self.documents()
        manifest["n_vectors"] = self.client.count(self.name_, exact=True).count
        return manifest

    def documents(self) -> list[dict]:
        entries = store.scroll(self.client, self.docs_name, exclude=DOC_EXTRAS)
        docs = [p for p in entries if p.get("kind") == "document"]
        return [{k: v for k, v in d.items() if k not in ("kind", "seq")}
                for d in sorted(docs, key=lambda d: d["seq"])]

    def known_documents(self) -> dict[str, str]:
        try:
            manifest = self.manifest()
            check_compatible(manifest, self.embedder, self.chunker)
        except Exception:  # none yet, or one the next write refuses with a clear message
            return {}
        return {d["doc"]: d["sha256"] for d in manifest["documents"]}

    def pages(self, doc: str) -> list[Page]:
        record = self._point(self.docs_name, store.doc_point_id(doc))
        if record is None:
            return []
        return [Page(*row) for row in record.payload.get("pages", [])]  # number, label, text[, styles]

    def profile(self, doc: str) -> DocProfile:
        """The document's own vocabulary, read at ingest (ingest.profile)."""
        record = self._point(self.docs_name, store.doc_point_id(doc))
        row = record.payload.get("profile") if record is not None else None
        return DocProfile.from_dict(row) if row else DocProfile(doc)

    def tables(self, doc: str) -> list[TableRow]:
        record = self._point(self.docs_name, store.doc_point_id(doc))
        return [TableRow.from_dict(r) for r in (record.payload.get("tables", []) if record else [])]

    def all_chunks(self) -> list[Chunk]:
        """Every chunk in ingest order (payloads only, no vectors)."""
        payloads = store.scroll(self.client, self.name_)
        return [store.chunk_of(p) for p in sorted(payloads, key=lambda p: p["row"])]

    def sentence_vectors(self, chunk_id: str) -> np.ndarray:
        record = self._point(self.sentences_name, store.point_id(chunk_id), vectors=True)
        if record is None:
            return np.zeros((0, 0), dtype=np.float32)
        return np.asarray(record.vector[SENTENCES], dtype=np.float32)

    # -- writing ---------------------------------------------------------------------------------
    def pending(self, docs: list[DocUpdate], *, rebuild: bool = False) -> Pending:
        """The chunks `add(docs)` would embed: those whose id is not stored yet."""
        _, chunks = merge([], [], docs)
        stored = set() if rebuild or not self.exists() else self._stored_ids(chunks)
        fresh = [c for c in chunks if c.id not in stored]
        return Pending(fresh, fresh)

    def add(self, docs: list[DocUpdate], embedder=None, *, sentence_embedder=None,
            rebuild: bool = False) -> None:
        embedder = embedder or self.embedder
        manifest = self._prepare(embedder, rebuild)
        entries, chunks = merge([], [], docs)
        stored = self._stored_dense(chunks)
        fresh = [c for c in chunks if c.id not in stored]
        log.debug("embedding %d new chunks, reusing %d", len(fresh), len(chunks) - len(fresh))
        dense = {**stored, **_embed(embedder, [c.text for c in fresh], [c.id for c in fresh])}
        tokens = bm25_tokens(chunks)
        doc_tokens = {d.doc: 0 for d in docs}
        for chunk, toks in zip(chunks, tokens, strict=True):
            doc_tokens[chunk.doc] += len(toks)
        old_stats = self._doc_stats([d.doc for d in docs])
        manifest["bm25"] = bm25_totals(manifest["bm25"], old_stats, [len(t) for t in tokens])
        first_row = manifest["next_row"]
        manifest["next_row"] = first_row + len(chunks)
        self._upsert_chunks(chunks, dense, tokens, manifest["bm25"]["avgdl"], first_row)
        self._upsert_sentences(fresh, sentence_embedder or embedder)
        self._drop_stale({d.doc for d in docs}, {c.id for c in chunks})
        self._write_entries(docs, entries, doc_tokens, manifest)

    def delete_doc(self, doc: str) -> None:
        manifest = self.manifest()
        if not any(d["doc"] == doc for d in manifest["documents"]):
            raise ValueError(f"the index holds no document named {doc!r}")
        manifest["bm25"] = bm25_totals(manifest["bm25"], self._doc_stats([doc]), [])
        self._drop_stale({doc}, set())
        self.client.delete(self.docs_name, points_selector=[store.doc_point_id(doc)], wait=True)
        self._put_manifest(manifest)

    def _prepare(self, embedder, rebuild: bool) -> dict:
        """The manifest to update: the stored one (checked against the running settings) or a new one."""
        if rebuild:
            for name in (self.name_, self.sentences_name, self.docs_name):
                if self.client.collection_exists(name):
                    self.client.delete_collection(name)
        if self.exists():
            manifest = self.manifest()
            check_compatible(manifest, embedder, self.chunker)
            manifest.pop("documents")
            manifest.pop("n_vectors")
            return manifest
        store.create(self.client, self.name_, self.sentences_name, self.docs_name, embedder.dim)
        manifest = new_manifest(embedder, self.chunker, [])
        for field in ("documents", "files", "n_vectors"):
            manifest.pop(field)
        manifest.update(backend="qdrant", complete=True, next_row=0, next_seq=0,
                        bm25={"chunks": 0, "tokens": 0, "avgdl": 0.0})
        return manifest

    def _stored_ids(self, chunks: list[Chunk]) -> set[str]:
        records = store.retrieve(self.client, self.name_, [store.point_id(c.id) for c in chunks])
        return {r.payload["id"] for r in records}

    def _stored_dense(self, chunks: list[Chunk]) -> dict[str, list[float]]:
        ids = [store.point_id(c.id) for c in chunks]
        records = store.retrieve(self.client, self.name_, ids, vectors=[DENSE])
        return {r.payload["id"]: r.vector[DENSE] for r in records}

    def _doc_stats(self, docs: list[str]) -> tuple[int, int]:
        """(chunks, tokens) the index holds now for these docs: they leave the length statistics."""
        entries = store.retrieve(self.client, self.docs_name, [store.doc_point_id(d) for d in docs],
                                 exclude=DOC_EXTRAS)
        return (sum(e.payload["n_chunks"] for e in entries), sum(e.payload["n_tokens"] for e in entries))

    def _upsert_chunks(self, chunks, dense, tokens, avgdl: float, first_row: int) -> None:
        from qdrant_client import models

        points = []
        for row, (chunk, toks) in enumerate(zip(chunks, tokens, strict=True), first_row):
            indices, values = doc_vector(toks, avgdl)
            vector = {DENSE: list(map(float, dense[chunk.id])),
                      SPARSE: models.SparseVector(indices=indices, values=values)}
            points.append(models.PointStruct(id=store.point_id(chunk.id), vector=vector,
                                             payload=store.payload(chunk, row)))
        store.upsert(self.client, self.name_, points, UPSERT_BATCH)

    def _upsert_sentences(self, chunks: list[Chunk], embedder) -> None:
        from qdrant_client import models

        texts = [s for c in chunks for s in split_sentences(c.text)]
        log.debug("embedding %d new sentences", len(texts))
        vectors = _embed(embedder, texts, list(range(len(texts))))
        points, start = [], 0
        for chunk in chunks:
            n = len(split_sentences(chunk.text))
            if n:
                rows = [list(map(float, vectors[i])) for i in range(start, start + n)]
                points.append(models.PointStruct(id=store.point_id(chunk.id), vector={SENTENCES: rows},
                                                 payload={"doc": chunk.doc}))
            start += n
        store.upsert(self.client, self.sentences_name, points, UPSERT_BATCH // 4)

    def _drop_stale(self, docs: set[str], keep: set[str]) -> None:
        """Delete the points of `docs` whose chunk is not in `keep`: a changed document's old chunks."""
        for doc in docs:
            stale = [p["id"] for p in store.scroll(self.client, self.name_, where=Where(docs=(doc,)),
                                                   include=["id"]) if p["id"] not in keep]
            for name in (self.name_, self.sentences_name):
                store.delete(self.client, name, [store.point_id(cid) for cid in stale])
            if stale:
                log.info("%s: deleted %d old chunks", doc, len(stale))

    def _write_entries(self, docs: list[DocUpdate], entries: list[dict], doc_tokens: dict[str, int],
                       manifest: dict) -> None:
        from qdrant_client import models

        old = {e.payload["doc"]: e.payload["seq"] for e in store.retrieve(
            self.client, self.docs_name, [store.doc_point_id(d.doc) for d in docs], exclude=DOC_EXTRAS)}
        points = []
        for update, entry in zip(docs, entries, strict=True):
            if update.doc not in old:
                old[update.doc] = manifest["next_seq"]
                manifest["next_seq"] += 1
            pages = [[p.number, p.label, p.text, [list(s) for s in p.styles]] for p in update.pages]
            payload = {**entry, "kind": "document", "seq": old[update.doc],
                       "n_tokens": doc_tokens[update.doc], "pages": pages,
                       "profile": (update.profile or DocProfile(update.doc)).to_dict(),
                       "tables": [row.to_dict() for row in update.tables]}
            points.append(models.PointStruct(id=store.doc_point_id(update.doc), vector={}, payload=payload))
        store.upsert(self.client, self.docs_name, points, 16)
        self._put_manifest(manifest)

    def _put_manifest(self, manifest: dict) -> None:
        from qdrant_client import models

        payload = {k: v for k, v in manifest.items() if k != "documents"}
        payload["kind"] = "manifest"
        point = models.PointStruct(id=MANIFEST_ID, vector={}, payload=payload)
        self.client.upsert(self.docs_name, [point], wait=True)

    def _point(self, collection: str, pid: int, vectors=False):
        found = self.client.retrieve(collection, [pid], with_payload=True, with_vectors=vectors)
        return found[0] if found else None

    # -- searching -------------------------------------------------------------------------------
    def search_dense(self, qvec: np.ndarray, k: int, where: Where = ANYWHERE) -> list[Found]:
        points = self.client.query_points(self.name_, query=list(map(float, qvec)), using=DENSE, limit=k,
                                          query_filter=store.payload_filter(where), with_payload=True)
        return [store.found(p) for p in points.points]

    def search_lexical(self, tokens: list[str], k: int, where: Where = ANYWHERE) -> list[Found]:
        from qdrant_client import models

        if not tokens or k <= 0:
            return []
        indices, values = query_vector(tokens)
        sparse = models.SparseVector(indices=indices, values=values)
        points = self.client.query_points(self.name_, query=sparse, using=SPARSE, limit=k,
                                          query_filter=store.payload_filter(where), with_payload=True)
        return [store.found(p) for p in points.points if p.score > 0]

    def search_hybrid(self, qvec: np.ndarray, tokens: list[str], k: int, where: Where = ANYWHERE,
                      *, depth: int = 50, rrf_k: int = 60) -> list[Found]:
        """Server-side fusion with the Query API: prefetch both legs, fuse by RRF."""
        from qdrant_client import models

        filt = store.payload_filter(where)
        prefetch = [models.Prefetch(query=list(map(float, qvec)), using=DENSE, limit=depth, filter=filt)]
        if tokens:
            indices, values = query_vector(tokens)
            prefetch.append(models.Prefetch(query=models.SparseVector(indices=indices, values=values),
                                            using=SPARSE, limit=depth, filter=filt))
        # Qdrant scores position p (from 0) as 1 / (p + k); docqa scores rank r (from 1) as
        # 1 / (rrf_k + r). Equal when k = rrf_k + 1. Qdrant's default k is 2, not 60: pinned here.
        fusion = models.RrfQuery(rrf=models.Rrf(k=rrf_k + 1))
        points = self.client.query_points(self.name_, prefetch=prefetch, query=fusion, limit=k,
                                          with_payload=True)
        return [store.found(p) for p in points.points]


def _embed(embedder, texts: list[str], keys: list) -> dict:
    """key -> L2-normalised vector, in one embed call (as qa.index.write does)."""
    if not texts:
        return {}
    vectors = np.ascontiguousarray(embedder.embed(texts), dtype=np.float32)
    faiss.normalize_L2(vectors)  # as qa.index.write does: the same vectors in both backends
    return dict(zip(keys, vectors, strict=True))
