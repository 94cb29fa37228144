"""`docqa eval`: run a question set through an ask() callable, score it, gate it against a baseline."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from ingest.records import Page
from qa.evaluation.metrics import EvalRow, ResultRow, check_set, compute_metrics, load_set
from qa.evaluation.report import format_table, write_chart, write_report
from qa.settings import DEFAULT_SET

log = logging.getLogger(__name__)

DEFAULT_OUT = Path("eval/results/results.jsonl")
DEFAULT_BASELINE = Path("eval/baseline.json")
MIN_RETRIEVED = 10  # the results format promises at least this many ranked entries
# Absolute drop allowed on a rate before the gate fails. One question of the 46 answerable dev questions
# is 0.022, so any net loss fails; the margin only absorbs float noise. Latency is never gated.
TOLERANCE = 0.02
LOWER_IS_BETTER = frozenset({"false_refusal"})
GATED = ("hit@1", "hit@5", "mrr", "accuracy", "cite@1", "cite_any", "item@1", "false_refusal", "refusal")

Ask = Callable[[str], dict]
_REPLY_FIELDS = ("answer", "refused", "citations", "retrieved")
_OPTIONAL_FIELDS = ("kind", "reason")  # replies from other answerers (the LangChain peer) may lack them


def answer_row(answer) -> dict:
    """A qa Answer as the reply part of one results row (answer, refused, citations, retrieved)."""
    citations = [{"doc": c.doc, "item": c.item, "section": c.section, "page": c.page, "label": c.page_label}
                 for c in answer.citations]
    retrieved = [{"doc": h.chunk.doc, "item": h.chunk.item, "page": page, "score": round(h.score, 5)}
                 for h, page in zip(answer.passages, answer.pages, strict=True)]
    return {"answer": answer.text, "refused": answer.refused, "citations": citations,
            "retrieved": retrieved, "kind": answer.kind, "reason": answer.reason}


def run_eval(rows: list[EvalRow], ask: Ask, out_path: str | Path) -> list[ResultRow]:
    """Ask every question once, timing each call; write one results line per question."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    results = []
    with out_path.open("w", encoding="utf-8") as out:
        for row in tqdm(rows, desc="eval", disable=not sys.stderr.isatty()):
            start = time.perf_counter()
            reply = ask(row.question)
            latency_ms = round((time.perf_counter() - start) * 1000, 1)
            fields = {key: reply[key] for key in _REPLY_FIELDS}
            fields |= {key: reply[key] for key in _OPTIONAL_FIELDS if reply.get(key)}
            result = ResultRow(id=row.id, question=row.question, latency_ms=latency_ms, **fields)
            if len(result.retrieved) < MIN_RETRIEVED:
                log.warning("%s: only %d retrieved entries", row.id, len(result.retrieved))
            out.write(result.model_dump_json() + "\n")
            results.append(result)
    return results


def _question_score(metric: str, o: dict) -> float | None:
    """How well one question did on one metric (1 = pass); None when the metric does not cover it."""
    if metric == "refusal":
        return None if o["answerable"] else float(o["refused"])
    if not o["answerable"]:
        return None
    rank = o["rank"]
    if metric.startswith("hit@"):
        return float(rank is not None and rank <= int(metric[4:]))
    if metric == "mrr":
        return 1 / rank if rank else 0.0
    if metric == "false_refusal":
        return float(not o["refused"])
    return float(o["answer_ok" if metric == "accuracy" else metric])


def flipped(metric: str, metrics: dict, baseline: dict) -> list[str]:
    """Ids of questions in both runs that scored worse on `metric` than in the baseline."""
    old, new = baseline.get("questions", {}), metrics["questions"]
    worse = []
    for qid in sorted(old.keys() & new.keys()):
        before, after = _question_score(metric, old[qid]), _question_score(metric, new[qid])
        if before is not None and after is not None and after < before:
            worse.append(qid)
    return worse


def check_baseline(metrics: dict, baseline: dict, tolerance: float = TOLERANCE) -> list[str]:
    """One message per gated metric that fell more than `tolerance` below the baseline."""
    failures = []
    for metric in GATED:
        old, new = baseline.get("overall", {}).get(metric), metrics["overall"].get(metric)
        if old is None or new is None:
            continue
        worse = new > old + tolerance if metric in LOWER_IS_BETTER else new < old - tolerance
        if worse:
            names = ", ".join(flipped(metric, metrics, baseline)) or "none (the set changed?)"
            failures.append(f"{metric}: baseline {old:.4f}, now {new:.4f}; flipped pass→fail: {names}")
    return failures


def write_baseline(metrics: dict, path: str | Path) -> None:
    """Accept these metrics: later runs are gated against them."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(metrics, ensure_ascii=False, indent=1, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def _gate(metrics: dict, baseline_path: Path) -> int:
    if not baseline_path.exists():
        print(f"no baseline at {baseline_path}; create it with --update-baseline", file=sys.stderr)
        return 2
    failures = check_baseline(metrics, json.loads(baseline_path.read_text(encoding="utf-8")))
    for failure in failures:
        print(f"REGRESSION {failure}", file=sys.stderr)
    if not failures:
        print(f"baseline {baseline_path}: no metric fell more than {TOLERANCE}", file=sys.stderr)
    return 1 if failures else 0


def eval_command(
    set_path: str | Path | None,
    out_path: str | Path | None,
    json_mode: bool,
    baseline_path: str | Path | None,
    update_baseline: bool,
    ask: Ask,
    pages: list[Page],
    results_dir: str | Path | None = None,
) -> int:
    """Everything `docqa eval` does after argparse; returns the exit code (1 = regression)."""
    rows = load_set(set_path or DEFAULT_SET)
    for problem in check_set(rows, pages):
        log.warning("%s", problem)
    out_path = Path(out_path or DEFAULT_OUT)
    results = run_eval(rows, ask, out_path)
    metrics = compute_metrics(rows, results, pages)
    print(json.dumps(metrics, ensure_ascii=False, indent=1) if json_mode else format_table(metrics))
    results_dir = Path(results_dir or out_path.parent)
    write_report(metrics, rows, results_dir / "report.md")
    write_chart(metrics, results_dir / "accuracy_by_item.png")
    if update_baseline:
        write_baseline(metrics, baseline_path or DEFAULT_BASELINE)
        print(f"wrote baseline {baseline_path or DEFAULT_BASELINE}", file=sys.stderr)
        return 0
    return _gate(metrics, Path(baseline_path)) if baseline_path else 0
