"""`docqa bench`: docqa and the LangChain-style peer (qa.bench.peer) side by side, in one run.

docqa's ingest runs in a child process so its peak RSS is its own; the child ingests into a new
temporary index folder (no stored vectors to reuse), re-ingests the unchanged file, then ingests
a copy of the PDF with one page's text altered. Queries and the peer run here, with one embedder.
Bench prints figures; nothing asserts speed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qa.evaluation.metrics import (
    EvalRow,
    RetrievedPage,
    first_gold_rank,
    gold_pages,
    load_set,
    percentile,
    rank_metrics,
)
from qa.settings import DEFAULT_SET, ROOT, SAMPLE_PDF, SAMPLE_TEXT, Settings

log = logging.getLogger(__name__)

RESULTS_DIR = ROOT / "eval" / "results"
CHANGE_MARK = "（改訂）"  # appended to one line of one page to make the "one page changed" copy

# (key, label, format) in table order; a key missing from a row prints as "-".
ROWS = [
    ("ingest_s", "cold ingest, s", "{:.1f}"),
    ("parse_s", "  parse + sections, s", "{:.1f}"),
    ("embed_s", "  embed, s", "{:.1f}"),
    ("index_s", "  index write, s", "{:.1f}"),
    ("model_load_s", "model load (not in ingest), s", "{:.1f}"),
    ("chunks", "texts embedded, cold", "{:d}"),
    ("warm_s", "warm re-ingest, s", "{:.2f}"),
    ("changed_s", "re-ingest, one page changed, s", "{:.1f}"),
    ("changed_embedded", "  texts re-embedded", "{:d}"),
    ("peak_rss_mb", "peak RSS, MB", "{:.0f}"),
    ("index_mb", "index size on disk, MB", "{:.1f}"),
    ("query_ms_p50", "query p50, ms", "{:.1f}"),
    ("query_ms_p95", "query p95, ms", "{:.1f}"),
    ("hit@1", "page hit@1", "{:.3f}"),
    ("hit@5", "page hit@5", "{:.3f}"),
    ("mrr", "MRR", "{:.3f}"),
]


# --- docqa ingest (child process) ------------------------------------------------------------


def changed_copy(text_path: Path, out_dir: Path, name: str) -> tuple[Path, int]:
    """Rebuild the sample PDF from its text with one line of one middle page altered.
    Returns (the PDF, saved under the original file name so it replaces that document; 1-based page)."""
    from ingest.pages import split_report_pages
    from ingest.sample import build_sample_pdf

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph at INFO
    text = Path(text_path).read_text(encoding="utf-8")
    pages = split_report_pages(text)
    number = len(pages) // 2 + 1
    line = max((ln for ln in pages[number - 1] if text.count(ln) == 1), key=len)
    altered = out_dir / "report-changed.txt"
    altered.write_text(text.replace(line, line.rstrip() + CHANGE_MARK, 1), encoding="utf-8")
    return build_sample_pdf(altered, out_dir / name), number


def _dir_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def _live_version(index_dir: Path) -> Path:
    return index_dir / (index_dir / "CURRENT").read_text(encoding="utf-8").strip()


def measure_ingest(pdf: Path, workdir: Path, embed_model: str, changed_pdf: Path | None) -> dict:
    """Cold, warm and one-page-changed ingests into `workdir`/index; the live index stays the cold one."""
    from qa.embed import load_embedder
    from qa.pipeline import ingest_files

    start = time.perf_counter()
    embedder = load_embedder(embed_model)
    out: dict = {"model": embedder.model_name, "model_load_s": time.perf_counter() - start}
    settings = Settings(index_dir=workdir / "index", embed_model=embed_model)
    cold = ingest_files([pdf], settings, embedder)
    if cold.failed:
        raise RuntimeError(f"bench ingest failed: {cold.failed[0].error}")
    out.update({f"{k}_s" if k != "total" else "ingest_s": v for k, v in cold.seconds.items()})
    out["chunks"] = cold.embedded
    out["pages"] = cold.files[0].pages
    out["index_mb"] = _dir_mb(_live_version(settings.index_dir))
    out["warm_s"] = ingest_files([pdf], settings, embedder).seconds["total"]
    if changed_pdf is not None:
        copy = Settings(index_dir=workdir / "index-changed", embed_model=embed_model)
        shutil.copytree(settings.index_dir, copy.index_dir)
        changed = ingest_files([changed_pdf], copy, embedder)
        out["changed_s"] = changed.seconds["total"]
        out["changed_embedded"] = changed.embedded
        out["changed_total"] = cold.embedded  # same units: chunk and sentence texts
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def _peak_rss_mb() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kib / 1024 * (1 / 1024 if sys.platform == "darwin" else 1)


def ingest_in_child(pdf: Path, workdir: Path, embed_model: str, changed_pdf: Path | None) -> dict:
    """measure_ingest in a fresh interpreter: its RSS and its model load are its own."""
    args = json.dumps([str(pdf), str(workdir), embed_model, str(changed_pdf) if changed_pdf else None])
    proc = subprocess.run([sys.executable, "-m", "qa.bench", args], stdout=subprocess.PIPE, check=True,
                          text=True, cwd=ROOT)
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- queries (this process) ------------------------------------------------------------------


def _asker(index_dir: Path, settings: Settings):
    """question -> retrieved pages in rank order, as `docqa ask` and `docqa eval` see them."""
    from qa.assistant import Assistant

    assistant = Assistant.load(index_dir, settings=settings)
    return lambda q: list(assistant.ask(q).pages)


def measure_queries(index_dir: Path, settings: Settings, rows: list[EvalRow], pages) -> dict:
    """Warm latency over every row (after one warm-up) and page hit@k over the answerable rows."""
    ask = _asker(index_dir, settings)
    ask(rows[0].question)
    latencies, ranks = [], []
    for row in rows:
        start = time.perf_counter()
        retrieved = ask(row.question)
        latencies.append((time.perf_counter() - start) * 1000)
        if row.answerable:
            entries = [RetrievedPage(doc="", item="", page=p, score=0.0) for p in retrieved]
            ranks.append(first_gold_rank(entries, gold_pages(row, pages)))
    return {"query_ms_p50": percentile(latencies, 50), "query_ms_p95": percentile(latencies, 95),
            "n": len(ranks), **rank_metrics(ranks)}


# --- the run ---------------------------------------------------------------------------------


def ratios(docqa: dict, peer: dict) -> dict:
    """docqa / peer for every figure both rows have (and the peer's is not zero)."""
    return {key: round(docqa[key] / peer[key], 3) for key, _, _ in ROWS
            if isinstance(docqa.get(key), int | float) and isinstance(peer.get(key), int | float)
            and peer[key]}


def run_bench(pdf: Path = SAMPLE_PDF, set_path: Path = DEFAULT_SET, embed_model: str = "default",
              text_path: Path | None = None) -> dict:
    """One side-by-side run. `text_path`: the PDF's source text, for the one-page-changed copy."""
    from ingest.pdf import load_pdf
    from qa.bench.peer import run_peer
    from qa.embed import load_embedder

    pdf, rows = Path(pdf).resolve(), load_set(set_path)
    with tempfile.TemporaryDirectory(prefix="docqa-bench-") as tmp:
        work = Path(tmp)
        changed, changed_page = (None, None)
        if text_path is not None:
            (work / "changed").mkdir()
            changed, changed_page = changed_copy(text_path, work / "changed", pdf.name)
        docqa = ingest_in_child(pdf, work, embed_model, changed)
        docqa["changed_page"] = changed_page
        embedder = load_embedder(embed_model)
        pages = load_pdf(pdf)
        peer = run_peer(pdf, embedder, rows, pages)
        peer["peak_rss_mb"] = _peak_rss_mb()  # this process so far: model + peer, no docqa index yet
        settings = Settings(index_dir=work / "index", embed_model=embed_model)
        docqa.update(measure_queries(settings.index_dir, settings, rows, pages))
    return {"timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": _machine(),
            "pdf": str(pdf), "set": str(set_path), "docqa": docqa, "peer": peer,
            "ratios": ratios(docqa, peer)}


def _machine() -> dict:
    import torch

    return {"cores": len(os.sched_getaffinity(0)), "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(), "platform": platform.platform()}


def _cell(value, fmt: str) -> str:
    if value is None:
        return "-"
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


def format_table(result: dict) -> str:
    """Readable side-by-side table: one figure per line, docqa | peer | docqa/peer."""
    docqa, peer, ratio = result["docqa"], result["peer"], result["ratios"]
    lines = [f"{'':32} {'docqa':>10} {'peer':>10} {'docqa/peer':>11}"]
    for key, label, fmt in ROWS:
        if key == "changed_embedded" and docqa.get("changed_total") is not None:
            mine = f"{docqa.get(key)}/{docqa['changed_total']}"
        else:
            mine = _cell(docqa.get(key), fmt)
        theirs, times = _cell(peer.get(key), fmt), _cell(ratio.get(key), "{:.2f}")
        lines.append(f"{label:32} {mine:>10} {theirs:>10} {times:>11}")
    lines.append(f"model {docqa.get('model', '?')}; {result['machine']['cores']} cores; "
                 f"{docqa.get('n', '?')} answerable questions; "
                 f"one-page change on p.{docqa.get('changed_page') or '-'}")
    return "\n".join(lines)


def write_result(result: dict, results_dir: Path = RESULTS_DIR, prefix: str = "bench") -> Path:
    """eval/results/<prefix>-<UTC time>.json (the folder is ignored by git)."""
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = results_dir / f"{prefix}-{stamp}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def bench_command(pdf: str | None, set_path: str | None, json_mode: bool, embed_model: str) -> int:
    """Everything `docqa bench` does after argparse."""
    pdf_path = Path(pdf) if pdf else SAMPLE_PDF
    if not pdf_path.exists():
        print(f"docqa: {pdf_path} not found (build the sample with `docqa sample`)", file=sys.stderr)
        return 2
    text = SAMPLE_TEXT if pdf_path.resolve() == SAMPLE_PDF.resolve() else None
    result = run_bench(pdf_path, Path(set_path) if set_path else DEFAULT_SET, embed_model, text)
    print(json.dumps(result, ensure_ascii=False, indent=1) if json_mode else format_table(result))
    print(f"wrote {write_result(result)}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # the child process of ingest_in_child
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    pdf_arg, work_arg, model_arg, changed_arg = json.loads(sys.argv[1])
    changed_path = Path(changed_arg) if changed_arg else None
    print(json.dumps(measure_ingest(Path(pdf_arg), Path(work_arg), model_arg, changed_path)))
