"""The Ray Data embedding actor: loads the model once, then embeds whole plan groups (qa.cluster.plan)."""

from __future__ import annotations

import fcntl
import logging
import os
import tempfile
from pathlib import Path

import numpy as np

from qa.cluster.plan import CHUNKS

log = logging.getLogger(__name__)


class EmbedActor:
    """Embeds batches of groups: columns kind, group, texts -> kind, group, vectors (float32 bytes)."""

    def __init__(self, settings, cpus: int):
        from qa.embed import load_embedder
        from qa.index.sentences import sentence_embedder

        self._slot = claim_cores(cpus)  # before the model: ONNX Runtime sizes its threads by our cores
        self.embedder = load_embedder(settings.embed_model)
        self.sentence_embedder = sentence_embedder(settings.chunker(), self.embedder)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        kinds = [int(k) for k in batch["kind"]]
        texts = [[str(x) for x in t] for t in batch["texts"]]
        vectors: list[bytes] = [b""] * len(kinds)
        for kind in sorted(set(kinds)):
            # Groups of one kind arrive in plan order; embedded together they keep the model batches.
            rows = [i for i, k in enumerate(kinds) if k == kind]
            model = self.embedder if kind == CHUNKS else self.sentence_embedder
            flat = model.embed([t for i in rows for t in texts[i]])
            start = 0
            for i in rows:
                vectors[i] = np.ascontiguousarray(flat[start:start + len(texts[i])], np.float32).tobytes()
                start += len(texts[i])
        return {"kind": batch["kind"], "group": batch["group"], "vectors": np.array(vectors, dtype=object)}


def claim_cores(cpus: int):
    """Pin this process to `cpus` cores of its own: Ray reserves CPUs but does not pin, and each
    model would otherwise run a thread per core of the node. Slots are taken with file locks, so
    actors on one node get disjoint cores; the lock is held for the actor's life."""
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux: leave threads as they are
        return None
    if cpus >= len(allowed):
        return None
    folder = Path(tempfile.gettempdir()) / "docqa-ray-cores"
    folder.mkdir(exist_ok=True)
    for slot in range(len(allowed) // cpus):
        handle = open(folder / f"slot-{slot}", "w")  # noqa: SIM115 - held open for the actor's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        os.sched_setaffinity(0, allowed[slot * cpus:(slot + 1) * cpus])
        return handle
    log.warning("no free core slot: this actor shares cores with another")
    return None
