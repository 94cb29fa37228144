"""`docqa ingest --engine ray`: the same ingest as qa.pipeline, with the work spread over a Ray cluster.

1. Each file is parsed by a Ray task (qa.pipeline.parse_file: the same sandboxed child-process parser).
2. The backend says which chunks it lacks (`pending`); their texts and sentences are cut into the
   embedder's own batches (qa.cluster.plan) and embedded by a Ray Data actor pool, one model per actor.
3. The backend writes as it always does (index folder: atomic, checksummed; or Qdrant), taking the
   vectors from a PrecomputedEmbedder. So the vectors equal those of an in-process ingest.

Paths must be readable on every node (a shared folder) when the cluster has more than one machine.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import numpy as np

from ingest.pdf import Limits
from qa.backends import open_backend
from qa.cluster import plan
from qa.cluster.actors import EmbedActor
from qa.cluster.precomputed import PrecomputedEmbedder
from qa.embed.base import cores
from qa.index.files import sha256_file
from qa.index.sentences import sentence_embedder
from qa.pipeline import FileResult, IngestReport, doc_id, parse_file
from qa.settings import Settings

log = logging.getLogger(__name__)

LOCAL_OBJECT_STORE = 512 * 2**20  # bytes: a local cluster holds texts and vectors, not models


def ingest_files(paths: list[Path], settings: Settings, embedder, *, limits: Limits | None = None,
                 rebuild: bool = False, password: str | None = None,
                 address: str | None = None) -> IngestReport:
    """As qa.pipeline.ingest_files, on Ray: `address` None starts a local cluster, 'auto' joins the
    running one, 'ray://host:10001' connects a client."""
    report, start = IngestReport(), time.perf_counter()
    ray = connect(address)
    log.info("ray: %.1f s to connect", time.perf_counter() - start)
    backend = open_backend(settings, embedder)
    known = {} if rebuild else backend.known_documents()
    updates = _parse_all(ray, [Path(p) for p in paths], settings, limits, password, known, report)
    report.seconds["parse"] = time.perf_counter() - start
    if updates:
        pending = backend.pending(updates, rebuild=rebuild)
        texts = [c.text for c in pending.chunks]
        sentences = plan.sentence_texts(pending.sentence_chunks)
        embed_start = time.perf_counter()
        chunk_vecs, sentence_vecs = embed_on_cluster(texts, sentences, settings, embedder)
        report.seconds["embed"] = time.perf_counter() - embed_start
        report.embedded, report.sentences = len(texts), len(sentences)
        sentence_model = sentence_embedder(settings.chunker(), embedder)
        index_start = time.perf_counter()
        backend.add(updates, PrecomputedEmbedder(embedder, chunk_vecs), rebuild=rebuild,
                    sentence_embedder=PrecomputedEmbedder(sentence_model, sentence_vecs))
        report.seconds["index"] = time.perf_counter() - index_start
    report.seconds["total"] = time.perf_counter() - start
    return report


def connect(address: str | None):
    """Ray, initialised: a new local cluster of this machine's cores (no dashboard), or `address`."""
    import ray

    if not ray.is_initialized():
        logging.getLogger("ray").setLevel(logging.ERROR)  # the local cluster's startup notices
        # Ray's C++ core logs notices users cannot act on (an actor pool's restart policy) at error
        # level; real failures still reach us as exceptions.
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
        quiet = {"logging_level": logging.ERROR, "log_to_driver": False}
        if address:
            try:
                ray.init(address=address, **quiet)
            except ConnectionError as exc:  # no cluster there: say so, not a traceback
                from qa.index import DocqaIndexError

                raise DocqaIndexError(f"cannot reach a Ray cluster at {address}: {exc}") from None
        else:
            ray.init(num_cpus=cores(), include_dashboard=False, object_store_memory=LOCAL_OBJECT_STORE,
                     **quiet)
    return ray


def _parse_all(ray, paths, settings, limits, password, known, report: IngestReport) -> list:
    """Parse every changed file as a Ray task; results recorded in `report` in the order of `paths`."""
    task = ray.remote(num_cpus=1)(_parse_task)
    pending = {}
    for path in paths:
        try:
            sha256 = sha256_file(path) if doc_id(path) in known else None
        except OSError as exc:
            pending[path] = ("failed", "unreadable", f"{path}: {exc}")
            continue
        if sha256 is not None and known[doc_id(path)] == sha256:
            pending[path] = ("unchanged",)
        else:
            pending[path] = task.remote(str(path), settings, limits, password, sha256)
    updates = []
    for path, outcome in pending.items():
        outcome = outcome if isinstance(outcome, tuple) else ray.get(outcome)
        if outcome[0] == "ok":
            updates.append(outcome[1])
            report.files.append(outcome[2])
        elif outcome[0] == "unchanged":
            report.files.append(FileResult(str(path), "unchanged"))
        else:
            log.error("%s", outcome[2])
            report.files.append(FileResult(str(path), "failed", error=outcome[2], kind=outcome[1]))
    return updates


def _parse_task(path: str, settings: Settings, limits, password, sha256):
    """One file, on a Ray worker. Errors come back as values: exceptions with custom arguments do not
    always survive pickling."""
    from ingest.pdf import IngestError

    try:
        update, result = parse_file(Path(path), settings, limits, password, sha256)
    except IngestError as exc:
        return ("failed", exc.kind, str(exc))
    except OSError as exc:
        return ("failed", "unreadable", f"{path}: {exc}")
    return ("ok", update, result)


def embed_on_cluster(texts: list[str], sentences: list[str], settings: Settings,
                     embedder) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """text -> vector for the chunk texts and the sentences, embedded by the actor pool."""
    import ray
    from ray.data import ActorPoolStrategy

    size = plan.group_size(embedder)
    groups = plan.groups(plan.CHUNKS, texts, size) + plan.groups(plan.SENTENCES, sentences, size)
    if not groups:
        return {}, {}
    rows = [{"kind": g.kind, "group": g.number, "texts": list(g.texts)} for g in groups]
    actors = settings.ray_actors or max(1, int(ray.cluster_resources().get("CPU", 1)) //
                                        settings.ray_actor_cpus)
    _quiet_ray_data()
    dataset = ray.data.from_items(rows).map_batches(
        EmbedActor, fn_constructor_kwargs={"settings": settings, "cpus": settings.ray_actor_cpus},
        batch_size=max(1, settings.ray_batch_size // size), batch_format="numpy",
        compute=ActorPoolStrategy(size=min(actors, len(groups))), num_cpus=settings.ray_actor_cpus)
    tables: tuple[dict, dict] = ({}, {})
    by_key = {(g.kind, g.number): g for g in groups}
    for row in dataset.iter_rows():
        group = by_key[(int(row["kind"]), int(row["group"]))]
        vectors = np.frombuffer(row["vectors"], dtype=np.float32).reshape(len(group.texts), -1)
        tables[group.kind].update(zip(group.texts, vectors, strict=True))
    return tables


def _quiet_ray_data() -> None:
    """Ray Data logs each execution and warns when its bars are off; docqa prints its own summary."""
    import sys

    from ray.data import DataContext

    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)
    context = DataContext.get_current()
    context.enable_progress_bars = sys.stderr.isatty()
    context.print_on_execution_start = False
