"""`docqa bench --scale N`: ingest throughput of N synthetic reports in-process and on Ray, and query
latency against corpus size for the local backend (flat, HNSW) and Qdrant's local mode.

Ingest runs `docqa ingest` as the user would (a fresh process each: model load, and for Ray the local
cluster's start, are in the time). Query latency is retrieval as qa.search does it (both legs, fusion)
with the question already embedded; large corpora are synthetic (qa.bench.synthetic).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from qa.bench import synthetic
from qa.evaluation.metrics import load_set, percentile
from qa.settings import DEFAULT_SET, SAMPLE_TEXT, Settings

log = logging.getLogger(__name__)

SIZES = (1_000, 10_000, 50_000, 100_000, 250_000)
QDRANT_LOCAL_MAX = 10_000  # qdrant-client's local mode scores sparse vectors in Python: ~1 s a query at 5k
_SECONDS = re.compile(r"(\w+) ([\d.]+)s")


def ingest_rows(pdfs: list[Path], work: Path) -> list[dict]:
    """`docqa ingest` of the PDFs into a new index, in-process then on Ray; wall time of each."""
    rows = []
    for engine in ("local", "ray"):
        folder = work / f"index-{engine}"
        command = [sys.executable, "-m", "qa.cli", "ingest", "--engine", engine, "--index", str(folder),
                   *map(str, pdfs)]
        start = time.perf_counter()
        env = {**os.environ, "DOCQA_BACKEND": "local"}
        out = subprocess.run(command, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - start
        if out.returncode:
            raise RuntimeError(f"{engine} ingest failed: {out.stderr[-2000:]}")
        summary = out.stdout.strip().splitlines()[-1]
        rows.append({"engine": engine, "wall_s": round(wall, 1), "folder": str(folder),
                     "seconds": {k: float(v) for k, v in _SECONDS.findall(summary)}})
    return rows


def ingest_figures(rows: list[dict], embedder, settings: Settings) -> dict:
    """Chunks, pages, per-core throughput, the Ray/in-process ratio, and whether the vectors agree."""
    from qa.index import Index

    a, b = (Index.load(r["folder"], embedder, settings.chunker()) for r in rows)
    chunks, pages = len(a.chunks), sum(d["n_pages"] for d in a.documents)
    cores = len(os.sched_getaffinity(0))
    for row in rows:
        row.update(chunks_per_core_s=round(chunks / row["wall_s"] / cores, 2),
                   pages_per_core_min=round(pages / row["wall_s"] / cores * 60, 1))
    same = a.chunks == b.chunks and np.array_equal(a.vectors.reconstruct_n(0, chunks),
                                                   b.vectors.reconstruct_n(0, chunks)) \
        and np.array_equal(a.sentences.vectors, b.sentences.vectors)
    return {"engines": rows, "reports": len(a.documents), "pages": pages, "chunks": chunks,
            "sentences": len(a.sentences.vectors), "cores": cores, "identical_vectors": bool(same),
            "ray_over_local": round(rows[1]["wall_s"] / rows[0]["wall_s"], 3)}


def base_corpus(index) -> synthetic.Corpus:
    from qa.index.write import bm25_tokens

    vectors = index.vectors.reconstruct_n(0, len(index.chunks))
    return synthetic.Corpus(list(index.chunks), vectors, bm25_tokens(index.chunks))


def _timed(fn) -> tuple[object, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def local_indexes(corpus: synthetic.Corpus) -> dict:
    """The local backend's two dense indexes over one BM25 index: {kind: (Index, build seconds)}."""
    import bm25s

    from qa.index import Index, dense

    bm25 = bm25s.BM25()
    _, bm25_s = _timed(lambda: bm25.index(corpus.tokens, show_progress=False))
    out = {}
    dim = corpus.vectors.shape[1]
    for kind, threshold in (("local flat", len(corpus.chunks)), ("local hnsw", 0)):
        (vectors, spec), seconds = _timed(lambda t=threshold: dense.build(corpus.vectors, dim, t))
        out[kind] = (Index(corpus.chunks, vectors, bm25, {"dense_index": spec}), seconds + bm25_s)
    return out


def qdrant_local(corpus: synthetic.Corpus, embedder, settings: Settings):
    """The corpus in qdrant-client's in-memory local mode, points written as the backend writes them."""
    from qdrant_client import QdrantClient

    import qa.backends.qdrant_store as store
    from qa.backends.qdrant import QdrantBackend

    backend = QdrantBackend(QdrantClient(location=":memory:"), "scale", embedder=embedder,
                            chunker=settings.chunker())
    start = time.perf_counter()
    store.create(backend.client, "scale", "scale_sentences", "scale_docs", corpus.vectors.shape[1])
    dense = {c.id: v for c, v in zip(corpus.chunks, corpus.vectors, strict=True)}
    avgdl = sum(map(len, corpus.tokens)) / len(corpus.tokens)
    backend._upsert_chunks(corpus.chunks, dense, corpus.tokens, avgdl, 0)  # bench-only bulk load
    return SimpleNamespace(backend=backend), time.perf_counter() - start


def query_times(index, queries, embedder) -> list[float]:
    """Milliseconds per question for qa.search over `index`, the question vector given."""
    from qa.search import search

    search(index, embedder, queries[0][0], qvec=queries[0][1])  # warm caches
    times = []
    for question, qvec in queries:
        start = time.perf_counter()
        search(index, embedder, question, qvec=qvec)
        times.append((time.perf_counter() - start) * 1000)
    return times


def recall(index, exact, queries, k: int = 50) -> float:
    hits = [len({r for r, _ in index.search_dense(q, k)} & {r for r, _ in exact.search_dense(q, k)}) / k
            for _, q in queries]
    return round(float(np.mean(hits)), 4)


def top10_overlap(index, exact, queries, embedder) -> float:
    """Share of qa.search's top 10 (both legs fused) that the exact index also returns."""
    from qa.search import search

    shares = []
    for question, qvec in queries:
        got = {h.chunk.id for h in search(index, embedder, question, qvec=qvec)}
        want = {h.chunk.id for h in search(exact, embedder, question, qvec=qvec)}
        shares.append(len(got & want) / max(1, len(want)))
    return round(float(np.mean(shares)), 4)


def latency_rows(base: synthetic.Corpus, sizes, queries, embedder, settings, qdrant_max: int) -> list[dict]:
    rows = []
    for size in sizes:
        corpus = synthetic.synthetic_corpus(base, size)
        built = local_indexes(corpus)
        if size <= qdrant_max:
            built["qdrant local mode"] = qdrant_local(corpus, embedder, settings)
        exact = built["local flat"][0]
        for kind, (index, seconds) in built.items():
            times = query_times(index, queries, embedder)
            row = {"size": size, "backend": kind, "build_s": round(seconds, 1),
                   "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95)}
            if kind == "local hnsw":
                row["recall@50"] = recall(index, exact, queries)
                row["top10_overlap"] = top10_overlap(index, exact, queries, embedder)
            rows.append(row)
            log.info("%s", row)
    return rows


def format_table(result: dict) -> str:
    lines = []
    ing = result.get("ingest")
    if ing:
        lines.append(f"ingest: {ing['reports']} synthetic reports, {ing['pages']} pages, "
                     f"{ing['chunks']} chunks, {ing['sentences']} sentences; {ing['cores']} cores; "
                     f"identical vectors: {ing['identical_vectors']}")
        lines.append(f"  {'engine':10} {'wall s':>8} {'chunks/s/core':>14} {'pages/min/core':>15}")
        for row in ing["engines"]:
            lines.append(f"  {row['engine']:10} {row['wall_s']:8.1f} {row['chunks_per_core_s']:14.2f} "
                         f"{row['pages_per_core_min']:15.1f}")
        lines.append(f"  ray / in-process wall time: {ing['ray_over_local']:.3f}")
    lines.append(f"query latency, retrieval only (both legs + fusion; embedding the question: p50 "
                 f"{result['embed_query_ms']:.1f} ms), {result['questions']} questions")
    lines.append(f"  {'chunks':>8} {'backend':18} {'build s':>8} {'p50 ms':>8} {'p95 ms':>8} "
                 f"{'dense recall@50':>16} {'top-10 overlap':>15}")
    for row in result["latency"]:
        rec = f"{row['recall@50']:.3f}" if "recall@50" in row else "-"
        top = f"{row['top10_overlap']:.3f}" if "top10_overlap" in row else "-"
        lines.append(f"  {row['size']:8d} {row['backend']:18} {row['build_s']:8.1f} {row['p50_ms']:8.1f} "
                     f"{row['p95_ms']:8.1f} {rec:>16} {top:>15}")
    lines.append("  (recall and overlap: the HNSW index against the flat one over the same corpus)")
    return "\n".join(lines)


def plot(result: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for backend in dict.fromkeys(r["backend"] for r in result["latency"]):
        rows = [r for r in result["latency"] if r["backend"] == backend]
        sizes = [r["size"] for r in rows]
        line, = ax.plot(sizes, [r["p95_ms"] for r in rows], marker="o", label=f"{backend} p95")
        ax.plot(sizes, [r["p50_ms"] for r in rows], linestyle="--", color=line.get_color(),
                label=f"{backend} p50")
    ax.axhline(150, color="grey", linewidth=0.8, linestyle=":", label="target p95 150 ms")
    ax.set(xscale="log", yscale="log", xlabel="chunks in the corpus", ylabel="retrieval latency, ms",
           title=f"docqa retrieval latency vs corpus size ({result['cores']} cores)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def scale_command(n_reports: int, sizes: list[int] | None, settings: Settings, json_mode: bool,
                  qdrant_max: int = QDRANT_LOCAL_MAX, work: Path | None = None) -> int:
    """Everything `docqa bench --scale N` does after argparse. N = 0: no ingest; the corpora grow
    from the index at settings.index_dir."""
    from qa.bench.compare import RESULTS_DIR, write_result
    from qa.embed import load_embedder
    from qa.index import Index
    from qa.query import analyse

    work = Path(work or tempfile.mkdtemp(prefix="docqa-scale-"))
    embedder = load_embedder(settings.embed_model)
    result = {"timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "cores": len(os.sched_getaffinity(0)), "load_avg": os.getloadavg()[0], "work": str(work)}
    base_index = settings.index_dir
    if n_reports:
        pdfs = synthetic.synthetic_reports(SAMPLE_TEXT, n_reports, work / "reports")
        result["ingest"] = ingest_figures(ingest_rows(pdfs, work), embedder, settings)
        base_index = result["ingest"]["engines"][0]["folder"]
    base = base_corpus(Index.load(base_index, embedder, settings.chunker()))
    result["base_chunks"] = len(base.chunks)
    questions = [row.question for row in load_set(DEFAULT_SET)]
    qvecs, embed_times = [], []
    for q in questions:
        vec, seconds = _timed(lambda q=q: embedder.embed([analyse(q).text], query=True)[0])
        qvecs.append(vec)
        embed_times.append(seconds * 1000)
    result.update(questions=len(questions), embed_query_ms=percentile(embed_times, 50))
    result["latency"] = latency_rows(base, sizes or SIZES, list(zip(questions, qvecs, strict=True)), embedder,
                                     settings, qdrant_max)
    result["load_avg_after"] = os.getloadavg()[0]
    print(json.dumps(result, ensure_ascii=False, indent=1) if json_mode else format_table(result))
    path = write_result(result, prefix="scale")
    print(f"wrote {path} and {plot(result, RESULTS_DIR / (path.stem + '.png'))}", file=sys.stderr)
    return 0 if result.get("ingest", {}).get("identical_vectors", True) else 1
