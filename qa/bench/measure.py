"""docqa's side of `docqa bench`: ingest in a child process (its RSS and its model load are its own),
the warm `docqa ingest` from the shell, and queries through the Assistant.

The child ingests into a new temporary index folder (no stored vectors to reuse), re-ingests the
unchanged file, then ingests a copy of the PDF with one page's text altered.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from qa.evaluation.metrics import (
    EvalRow,
    RetrievedPage,
    first_gold_rank,
    gold_pages,
    percentile,
    rank_metrics,
)
from qa.settings import ROOT, Settings

CHANGE_MARK = "（改訂）"  # appended to one line of one page to make the "one page changed" copy


def changed_copy(text_path: Path, out_dir: Path, name: str) -> tuple[Path, int]:
    """Rebuild the sample PDF from its text with one line of one middle page altered.
    Returns (the PDF, saved under the original file name so it replaces that document; 1-based page)."""
    from ingest.pages import split_report_pages
    from ingest.sample import build_sample_pdf

    text = Path(text_path).read_text(encoding="utf-8")
    pages = split_report_pages(text)
    number = len(pages) // 2 + 1
    line = max((ln for ln in pages[number - 1] if text.count(ln) == 1), key=len)
    altered = out_dir / "report-changed.txt"
    altered.write_text(text.replace(line, line.rstrip() + CHANGE_MARK, 1), encoding="utf-8")
    return build_sample_pdf(altered, out_dir / name), number


def dir_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def live_version(index_dir: Path) -> Path:
    return index_dir / (index_dir / "CURRENT").read_text(encoding="utf-8").strip()


def peak_rss_mb() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kib / 1024 * (1 / 1024 if sys.platform == "darwin" else 1)


def cpu_s() -> float:
    """CPU seconds of this process and its finished children (the PDF parsers): on a busy machine a
    steadier figure than wall time."""
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def measure_ingest(pdf: Path, workdir: Path, embed_model: str, changed_pdf: Path | None,
                   started: float | None = None) -> dict:
    """Cold, warm and one-page-changed ingests into `workdir`/index; the live index stays the cold one.
    `started`: time.time() when the parent started this process, for "process start -> index written"."""
    from qa.embed import load_embedder
    from qa.pipeline import ingest_files

    start = time.perf_counter()
    embedder = load_embedder(embed_model)
    embedder.embed(["warm-up"])  # the model loads on first use; time that apart from the ingest
    out: dict = {"model": embedder.model_name, "model_load_s": time.perf_counter() - start}
    settings = Settings(index_dir=workdir / "index", embed_model=embed_model)
    cold = ingest_files([pdf], settings, embedder)
    if started is not None:
        out["cold_wall_s"], out["cold_cpu_s"] = time.time() - started, cpu_s()
    if cold.failed:
        raise RuntimeError(f"bench ingest failed: {cold.failed[0].error}")
    out.update({f"{k}_s" if k != "total" else "ingest_s": v for k, v in cold.seconds.items()})
    out["chunks"], out["sentences"] = cold.embedded, cold.sentences
    out["pages"] = cold.files[0].pages
    out["index_mb"] = dir_mb(live_version(settings.index_dir))
    out["warm_s"] = ingest_files([pdf], settings, embedder).seconds["total"]
    if changed_pdf is not None:
        copy = Settings(index_dir=workdir / "index-changed", embed_model=embed_model)
        shutil.copytree(settings.index_dir, copy.index_dir)
        changed = ingest_files([changed_pdf], copy, embedder)
        out["changed_s"] = changed.seconds["total"]
        out["changed_embedded"] = changed.embedded
        out["changed_total"] = cold.embedded  # same units: chunks
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def ingest_in_child(pdf: Path, workdir: Path, embed_model: str, changed_pdf: Path | None) -> dict:
    """measure_ingest in a fresh interpreter: its RSS, imports and model load are its own."""
    args = json.dumps([str(pdf), str(workdir), embed_model, str(changed_pdf) if changed_pdf else None,
                       time.time()])
    proc = subprocess.run([sys.executable, "-m", "qa.bench.measure", args], stdout=subprocess.PIPE,
                          check=True, text=True, cwd=ROOT)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def warm_cli_s(pdf: Path, index_dir: Path, embed_model: str) -> float:
    """Wall seconds of `docqa ingest PDF` on an index that already holds it, as from the shell."""
    env = {**os.environ, "DOCQA_EMBED_MODEL": embed_model}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qa.cli", "ingest", str(pdf), "--index", str(index_dir)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def query_figures(latencies: list[float], ranks: list) -> dict:
    """Query p50/p95 (ms) and page hit@k of one side of the bench, the same way for docqa and peers."""
    return {"query_ms_p50": percentile(latencies, 50), "query_ms_p95": percentile(latencies, 95),
            "n": len(ranks), **rank_metrics(ranks)}


def measure_queries(index_dir: Path, settings: Settings, rows: list[EvalRow], pages) -> dict:
    """Warm latency over every row (after one warm-up) and page hit@k over the answerable rows."""
    from qa.assistant import Assistant

    assistant = Assistant.load(index_dir, settings=settings)
    assistant.ask(rows[0].question)
    latencies, ranks = [], []
    for row in rows:
        start = time.perf_counter()
        retrieved = list(assistant.ask(row.question).pages)
        latencies.append((time.perf_counter() - start) * 1000)
        if row.answerable:
            entries = [RetrievedPage(doc="", item="", page=p, score=0.0) for p in retrieved]
            ranks.append(first_gold_rank(entries, gold_pages(row, pages)))
    return query_figures(latencies, ranks)


if __name__ == "__main__":  # the child process of ingest_in_child
    from qa.logs import setup_logging

    setup_logging()
    logging.getLogger("qa").setLevel(logging.WARNING)  # stdout carries the figures, stderr stays quiet
    pdf_arg, work_arg, model_arg, changed_arg, started_at = json.loads(sys.argv[1])
    changed_path = Path(changed_arg) if changed_arg else None
    print(json.dumps(measure_ingest(Path(pdf_arg), Path(work_arg), model_arg, changed_path, started_at)))
