"""`docqa bench`: docqa beside two LangChain-style peers on the same weights, in one run.

- docqa (qa.bench.measure): cold ingest in a child process (process start → index written, and the
  same with the model already loaded, by step), the warm `docqa ingest` from the shell, a one-page
  change, peak RSS; queries through the Assistant here.
- peer "same backend" (qa.bench.peer): pdfplumber pages → RecursiveCharacterTextSplitter(1000, 200)
  → docqa's own ONNX embedder → FAISS, here, with the model docqa's queries use.
- peer "sentence-transformers" (qa.bench.st_peer): the same pipeline on sentence-transformers and
  torch, as a LangChain user builds it, in its own process.

Each peer column is followed by docqa / peer. Bench prints figures; nothing asserts speed. The
machine's load average is printed with them: figures from a busy machine are only good as ratios.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import platform
import sys
import tempfile
from pathlib import Path

from qa.bench.measure import (
    changed_copy,
    ingest_in_child,
    measure_queries,
    peak_rss_mb,
    query_figures,
    warm_cli_s,
)
from qa.evaluation.metrics import (
    RetrievedPage,
    first_gold_rank,
    gold_pages,
    load_set,
)
from qa.settings import DEFAULT_SET, ROOT, SAMPLE_PDF, SAMPLE_TEXT, Settings

log = logging.getLogger(__name__)

RESULTS_DIR = ROOT / "eval" / "results"
PEERS = (("peer", "ratios", "same backend"), ("st_peer", "st_ratios", "sent.-transf."))

# (key, label, format) in table order; a key missing from a row prints as "-".
ROWS = [
    ("cold_wall_s", "cold ingest, process start→index, s", "{:.1f}"),
    ("cold_cpu_s", "  CPU time of it, s", "{:.1f}"),
    ("ingest_s", "cold ingest, model loaded, s", "{:.1f}"),
    ("parse_s", "  parse + sections, s", "{:.1f}"),
    ("embed_s", "  embed, s", "{:.1f}"),
    ("index_s", "  index write, s", "{:.1f}"),
    ("model_load_s", "model load, s", "{:.1f}"),
    ("chunks", "chunks embedded, cold", "{:d}"),
    ("sentences", "  + sentence vectors", "{:d}"),
    ("warm_cli_s", "warm re-ingest, `docqa ingest`, s", "{:.2f}"),
    ("changed_s", "re-ingest, one page changed, s", "{:.1f}"),
    ("changed_embedded", "  chunks re-embedded", "{:d}"),
    ("peak_rss_mb", "peak RSS, MB", "{:.0f}"),
    ("index_mb", "index size on disk, MB", "{:.1f}"),
    ("query_ms_p50", "query p50, ms", "{:.1f}"),
    ("query_ms_p95", "query p95, ms", "{:.1f}"),
    ("hit@1", "page hit@1", "{:.3f}"),
    ("hit@5", "page hit@5", "{:.3f}"),
    ("mrr", "MRR", "{:.3f}"),
]


def ratios(docqa: dict, peer: dict) -> dict:
    """docqa / peer for every figure both rows have (and the peer's is not zero)."""
    return {key: round(docqa[key] / peer[key], 3) for key, _, _ in ROWS
            if isinstance(docqa.get(key), int | float) and isinstance(peer.get(key), int | float)
            and peer[key]}


def run_bench(pdf: Path = SAMPLE_PDF, set_path: Path = DEFAULT_SET, embed_model: str = "default",
              text_path: Path | None = None, st_peer: bool = True) -> dict:
    """One side-by-side run. `text_path`: the PDF's source text, for the one-page-changed copy."""
    from ingest.pdf import load_pdf
    from qa.bench.peer import run_peer
    from qa.embed import load_embedder

    pdf, rows = Path(pdf).resolve(), load_set(set_path)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="docqa-bench-") as tmp:
        work = Path(tmp)
        changed, changed_page = (None, None)
        if text_path is not None:
            (work / "changed").mkdir()
            changed, changed_page = changed_copy(text_path, work / "changed", pdf.name)
        docqa = ingest_in_child(pdf, work, embed_model, changed)
        docqa["changed_page"] = changed_page
        settings = Settings(index_dir=work / "index", embed_model=embed_model)
        docqa["warm_cli_s"] = warm_cli_s(pdf, settings.index_dir, embed_model)
        pages = load_pdf(pdf)
        other = run_st_peer(pdf, rows, pages) if st_peer else {}
        embedder = load_embedder(embed_model)
        peer = run_peer(pdf, embedder, rows, pages)
        peer["peak_rss_mb"] = peak_rss_mb()  # this process so far: model + peer, no docqa index yet
        docqa.update(measure_queries(settings.index_dir, settings, rows, pages))
    return {"timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": _machine(load_before), "pdf": str(pdf), "set": str(set_path), "docqa": docqa,
            "peer": peer, "ratios": ratios(docqa, peer), "st_peer": other, "st_ratios": ratios(docqa, other)}


def run_st_peer(pdf: Path, rows, pages) -> dict:
    """The sentence-transformers peer in its own process; its page hit@k on the answerable rows."""
    from qa.bench.st_peer import run_in_child

    answerable = [r for r in rows if r.answerable]
    out = run_in_child(pdf, [r.question for r in answerable])
    ranks = [first_gold_rank([RetrievedPage(doc="peer", item="", page=p, score=0.0) for p in found],
                             gold_pages(row, pages))
             for row, found in zip(answerable, out.pop("retrieved"), strict=True)]
    latencies = out.pop("latencies_ms")
    return {**out, **query_figures(latencies, ranks)}


def _machine(load_before: tuple[float, float, float]) -> dict:
    return {"cores": len(os.sched_getaffinity(0)), "python": platform.python_version(),
            "platform": platform.platform(), "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()]}


def _cell(value, fmt: str) -> str:
    if value is None:
        return "-"
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


def format_table(result: dict) -> str:
    """One figure per line: docqa, then each peer and docqa/peer."""
    docqa = result["docqa"]
    peers = [(result.get(key) or {}, result.get(rkey) or {}, name) for key, rkey, name in PEERS
             if result.get(key)]
    head = f"{'':36} {'docqa':>9}" + "".join(f" {name:>13} {'docqa/it':>8}" for _, _, name in peers)
    lines = [head]
    for key, label, fmt in ROWS:
        if key == "changed_embedded" and docqa.get("changed_total") is not None:
            mine = f"{docqa.get(key)}/{docqa['changed_total']}"
        else:
            mine = _cell(docqa.get(key), fmt)
        cells = "".join(f" {_cell(peer.get(key), fmt):>13} {_cell(ratio.get(key), '{:.2f}'):>8}"
                        for peer, ratio, _ in peers)
        lines.append(f"{label:36} {mine:>9}{cells}")
    machine = result["machine"]
    load = machine.get("load_before")
    lines.append(f"model {docqa.get('model', '?')}; {machine['cores']} cores"
                 + (f", load {load[0]:.1f} before, {machine['load_after'][0]:.1f} after" if load else "")
                 + f"; {docqa.get('n', '?')} answerable questions; "
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
