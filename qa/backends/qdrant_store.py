"""Qdrant mechanics for qa.backends.qdrant: connecting, the collections' schema, paged reads and writes."""

from __future__ import annotations

import atexit
import functools
import hashlib
import logging
import re
import warnings
from pathlib import Path

from ingest.records import Chunk
from qa.backends.base import Found, Where
from qa.index import DocqaIndexError

log = logging.getLogger(__name__)

SCROLL_PAGE = 2048  # points per scroll request
RETRIEVE_PAGE = 1024
TIMEOUT_S = 60  # per request to a server; large upserts and scrolls take seconds


def collection_name(settings) -> str:
    """DOCQA_QDRANT_COLLECTION, else docqa_ + the index folder's name: one index, one collection."""
    name = settings.qdrant_collection or "docqa_" + Path(settings.index_dir).name
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def connect(settings):
    """The client for DOCQA_QDRANT_URL (a server) or DOCQA_QDRANT_PATH (local mode, one process)."""
    if not (settings.qdrant_url or settings.qdrant_path):
        raise DocqaIndexError("DOCQA_BACKEND=qdrant needs DOCQA_QDRANT_URL (a server) or "
                              "DOCQA_QDRANT_PATH (a folder for qdrant-client's local mode)")
    return _client(settings.qdrant_url, str(settings.qdrant_path or ""))


@functools.lru_cache(maxsize=8)
def _client(url: str, path: str):
    # One client per target and process: local mode locks its folder against a second client,
    # and a server client holds a connection pool worth sharing.
    try:
        from qdrant_client import QdrantClient
    except ImportError:
        raise DocqaIndexError("DOCQA_BACKEND=qdrant needs the scale extra: pip install 'docqa[scale]'") \
            from None
    try:
        client = QdrantClient(url=url, timeout=TIMEOUT_S) if url else QdrantClient(path=path)
    except RuntimeError as e:  # "already accessed by another instance": local mode is one process
        reason = str(e).rstrip(".")
        raise DocqaIndexError(f"cannot open the Qdrant folder {path}: {reason}. Local mode serves one "
                              "process; run a Qdrant server (README, 'Scale out') for several") from None
    atexit.register(client.close)  # before interpreter shutdown, where its __del__ fails noisily
    return client


def create(client, chunks: str, sentences: str, docs: str, dim: int) -> None:
    from qdrant_client import models

    cosine = models.Distance.COSINE
    client.create_collection(
        chunks, vectors_config={"dense": models.VectorParams(size=dim, distance=cosine)},
        sparse_vectors_config={"bm25": models.SparseVectorParams(modifier=models.Modifier.IDF)})
    with warnings.catch_warnings():  # local mode: "payload indexes have no effect" (it scans anyway)
        warnings.filterwarnings("ignore", message="Payload indexes have no effect")
        for field in ("doc", "item"):
            client.create_payload_index(chunks, field, models.PayloadSchemaType.KEYWORD)
        client.create_collection(sentences, vectors_config={"sentences": models.VectorParams(
            size=dim, distance=cosine,
            multivector_config=models.MultiVectorConfig(comparator=models.MultiVectorComparator.MAX_SIM))})
        client.create_payload_index(sentences, "doc", models.PayloadSchemaType.KEYWORD)
        client.create_collection(docs, vectors_config={})


def payload_filter(where: Where):
    if where.empty:
        return None
    from qdrant_client import models

    must = [models.FieldCondition(key=key, match=models.MatchAny(any=list(values)))
            for key, values in (("doc", where.docs), ("item", where.items)) if values is not None]
    return models.Filter(must=must)


def scroll(client, collection: str, *, where: Where | None = None, include=None, exclude=None) -> list[dict]:
    """Every point's payload (no vectors), page by page."""
    from qdrant_client import models

    selector = True
    if include:
        selector = models.PayloadSelectorInclude(include=include)
    elif exclude:
        selector = models.PayloadSelectorExclude(exclude=exclude)
    out, offset = [], None
    while True:
        points, offset = client.scroll(collection, scroll_filter=payload_filter(where or Where()),
                                       limit=SCROLL_PAGE, offset=offset, with_payload=selector,
                                       with_vectors=False)
        out.extend(p.payload for p in points)
        if offset is None:
            return out


def retrieve(client, collection: str, ids: list[int], *, vectors=False, exclude=None) -> list:
    from qdrant_client import models

    selector = models.PayloadSelectorExclude(exclude=exclude) if exclude else True
    out = []
    for start in range(0, len(ids), RETRIEVE_PAGE):
        out += client.retrieve(collection, ids[start:start + RETRIEVE_PAGE], with_payload=selector,
                               with_vectors=vectors)
    return out


def upsert(client, collection: str, points: list, batch: int) -> None:
    for start in range(0, len(points), batch):
        client.upsert(collection, points[start:start + batch], wait=True)


def delete(client, collection: str, ids: list[int]) -> None:
    for start in range(0, len(ids), RETRIEVE_PAGE):
        client.delete(collection, points_selector=ids[start:start + RETRIEVE_PAGE], wait=True)


# -- points: a chunk's id, payload and the Found it becomes ----------------------------------------


def point_id(chunk_id: str) -> int:
    return int(chunk_id, 16)  # chunk ids are 16 hex digits (ingest.records.Chunk.make_id)


def doc_point_id(doc: str) -> int:
    return 1 + int(hashlib.sha256(doc.encode()).hexdigest()[:15], 16)  # never 0, the manifest's point


def payload(chunk: Chunk, row: int) -> dict:
    return {"id": chunk.id, "doc": chunk.doc, "item": chunk.item, "section": chunk.section,
            "page_start": chunk.page_start, "page_end": chunk.page_end, "text": chunk.text, "row": row}


def chunk_of(p: dict) -> Chunk:
    return Chunk(p["id"], p["doc"], p["item"], p["section"], p["page_start"], p["page_end"], p["text"])


def found(point) -> Found:
    return Found(chunk_of(point.payload), float(point.score), int(point.payload["row"]))
