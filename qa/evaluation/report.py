"""Eval output for people: the terminal table, the Markdown report and the per-item chart."""

from __future__ import annotations

from pathlib import Path

from qa.evaluation.metrics import EvalRow

RATES = ("hit@1", "hit@5", "mrr", "accuracy", "cite@1", "cite_any", "item@1", "false_refusal", "refusal")
COLUMNS = ("n", *RATES, "median_chars")
# kind: the answer type the reader read each question as (count, money, name, list …); type: the set's
BREAKDOWNS = (("item", "by_item"), ("type", "by_type"), ("lang", "by_lang"), ("kind", "by_kind"))


def _cell(value) -> str:
    if value is None:
        return "–"
    return str(value) if isinstance(value, int) or value > 1 else f"{value:.3f}"


def _table_rows(metrics: dict) -> list[tuple[str, dict]]:
    """(label, group metrics) in print order: overall first, then each breakdown."""
    rows = [("overall", metrics["overall"])]
    for label, key in BREAKDOWNS:
        rows += [(f"{label} {name}", group) for name, group in metrics.get(key, {}).items()]
    return rows


def _latency_line(metrics: dict) -> str:
    p50, p95 = metrics["latency_ms"]["p50"], metrics["latency_ms"]["p95"]
    return f"latency ms: p50 {p50}, p95 {p95}"


def format_table(metrics: dict) -> str:
    """Fixed-width table: one line per group, rates over answerable questions, refusal over unanswerable."""
    rows = _table_rows(metrics)
    width = max(len(label) for label, _ in rows)
    widths = [max(len(c), 5) + 2 for c in COLUMNS]
    header = "group".ljust(width) + "".join(c.rjust(w) for c, w in zip(COLUMNS, widths, strict=True))
    lines = [header, "-" * len(header)]
    for label, group in rows:
        cells = (_cell(group.get(c)).rjust(w) for c, w in zip(COLUMNS, widths, strict=True))
        lines.append(label.ljust(width) + "".join(cells))
    return "\n".join(lines + ["", _latency_line(metrics)])


def _markdown_table(metrics: dict) -> list[str]:
    lines = ["| group | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for label, group in _table_rows(metrics):
        lines.append(f"| {label} | " + " | ".join(_cell(group.get(c)) for c in COLUMNS) + " |")
    return lines


def _misses(o: dict) -> list[str]:
    """Which checks one question failed, in words."""
    if not o["answerable"]:
        return [] if o["refused"] else ["answered an unanswerable question"]
    misses = [] if o["rank"] and o["rank"] <= 5 else [f"gold page rank {o['rank'] or '>all'}"]
    if o["refused"]:
        misses.append("refused")
    elif not o["answer_ok"]:
        misses.append("answer lacks must_contain")
    if not o["cite@1"]:
        misses.append("first citation off gold")
    return misses


def write_report(metrics: dict, rows: list[EvalRow], path: str | Path) -> None:
    """Markdown: the table, latency, and each question that missed a check, with its gold pages."""
    lines = ["# docqa eval", "", _latency_line(metrics), "", *_markdown_table(metrics), "", "## Misses", ""]
    for row in rows:
        o = metrics["questions"][row.id]
        misses = _misses(o)
        if misses:
            gold = ", ".join(map(str, o["gold"])) or "–"
            lines.append(f"- **{row.id}** ({row.item}, {row.type}; gold p. {gold}): {'; '.join(misses)}")
            lines.append(f"  — {row.question}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_chart(metrics: dict, path: str | Path) -> None:
    """Grouped bars per item: answer accuracy and page hit@1 (items with answerable questions only)."""
    import warnings

    import matplotlib

    matplotlib.use("Agg")  # files only: eval runs in CI without a display
    import matplotlib.pyplot as plt

    with warnings.catch_warnings():  # japanize_matplotlib still imports distutils' LooseVersion
        warnings.simplefilter("ignore", DeprecationWarning)
        import japanize_matplotlib  # noqa: F401  (registers IPAexGothic for the Japanese title)

    groups = {k: v for k, v in metrics["by_item"].items() if v["n_answerable"]}
    names = list(groups)
    xs = range(len(names))
    fig, ax = plt.subplots(figsize=(max(4, 1.1 * len(names)), 3.5))
    for offset, key in ((-0.2, "accuracy"), (0.2, "hit@1")):
        ax.bar([x + offset for x in xs], [groups[n][key] for n in names], width=0.4, label=key)
    ax.set_xticks(list(xs), [f"{n}\n(n={groups[n]['n_answerable']})" for n in names])
    ax.set_ylim(0, 1)
    ax.set_title("項目別の回答正答率と page hit@1")
    ax.legend(loc="upper right")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
