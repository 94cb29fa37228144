"""Eval rows, gold pages, per-question outcomes and metrics. Format: eval/README.md."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ingest.records import Page
from ingest.text import normalize, squash

UNANSWERABLE = "unanswerable"
MIN_FALLBACK_CHARS = 4  # shorter must_contain strings ("3", "A") match too many pages to mark gold
RATING_LETTERS = frozenset("SABCD")
HIT_KS = (1, 5)

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_LATIN = re.compile(r"[A-Za-z]")


class EvalRow(BaseModel):
    """One question of an eval set (one line of eval/qa.jsonl)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    question: str
    answer: str = ""
    must_contain: list[str] = Field(default_factory=list)
    item: str = ""
    evidence: str = ""
    line: int | None = None
    type: str = "fact"

    @property
    def answerable(self) -> bool:
        return self.type != UNANSWERABLE


class CitedPage(BaseModel):
    doc: str
    item: str
    section: str
    page: int  # the PDF page (gold pages are PDF pages)
    label: str = ""  # the page's printed label, as the citation shows it


class RetrievedPage(BaseModel):
    doc: str
    item: str
    page: int
    score: float


class ResultRow(BaseModel):
    """One line of the results jsonl. Other tools read it: keep the fields stable."""

    id: str
    question: str
    answer: str
    refused: bool
    citations: list[CitedPage]
    retrieved: list[RetrievedPage]
    latency_ms: float
    kind: str = ""  # the answer type the reader read the question as (qa.reader.types.KINDS)
    reason: str = ""  # why it refused, when it did


def load_set(path: str | Path) -> list[EvalRow]:
    """Read a question set; blank lines are skipped, duplicate ids refused."""
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(EvalRow.model_validate_json(line))
            except ValueError as err:
                raise ValueError(f"{path}:{number}: {err}") from err
    ids = [row.id for row in rows]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{path}: duplicate ids {duplicates}")
    return rows


def load_results(path: str | Path) -> list[ResultRow]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [ResultRow.model_validate_json(line) for line in lines if line.strip()]


@functools.lru_cache(maxsize=4096)
def _squashed(text: str) -> str:
    return squash(text)


def gold_pages(row: EvalRow, pages: list[Page]) -> set[int]:
    """Pages holding the row's evidence, plus pages holding every must_contain string when all are long."""
    evidence = squash(row.evidence)
    gold = {p.number for p in pages if evidence and evidence in _squashed(p.text)}
    parts = [squash(line) for line in row.evidence.splitlines() if line.strip()]
    if not gold and len(parts) >= 2:  # table cells copied one per line: ingest may print them as rows
        gold = {p.number for p in pages if all(part in _squashed(p.text) for part in parts)}
    needles = [squash(s) for s in row.must_contain]
    if needles and all(len(n) >= MIN_FALLBACK_CHARS for n in needles):
        gold |= {p.number for p in pages if all(n in _squashed(p.text) for n in needles)}
    return gold


def check_set(rows: list[EvalRow], pages: list[Page]) -> list[str]:
    """Problems a set author should fix: answerable rows whose evidence is on no page."""
    return [
        f"{row.id}: evidence not found on any page"
        for row in rows
        if row.answerable and not gold_pages(row, pages)
    ]


def contains_all(answer: str, must_contain: list[str]) -> bool:
    """Every string appears in the squashed answer; a rating letter must also stand alone."""
    flat, spaced = squash(answer), normalize(answer)
    for needle in must_contain:
        want = squash(needle)
        if want not in flat:
            return False
        # Spaces are kept for the rating test: squash would glue "rated B and" into "ratedBand".
        if want in RATING_LETTERS and not re.search(rf"(?<![A-Za-z]){want}(?![A-Za-z])", spaced):
            return False
    return True


def first_gold_rank(retrieved: Iterable[RetrievedPage], gold: set[int]) -> int | None:
    """1-based position of the first retrieved entry whose page is gold (no de-duplication)."""
    for rank, entry in enumerate(retrieved, start=1):
        if entry.page in gold:
            return rank
    return None


def question_lang(question: str) -> str:
    """'en' when Latin letters outnumber Japanese characters, else 'ja' ("… (業務経費) …" stays en)."""
    return "en" if len(_LATIN.findall(question)) > len(_JAPANESE.findall(question)) else "ja"


def outcome(row: EvalRow, result: ResultRow, gold: set[int]) -> dict:
    """Per-question pass/fail flags; the gate compares these to name flipped questions."""
    rank = first_gold_rank(result.retrieved, gold)
    cited = [c.page for c in result.citations]
    first = result.citations[0] if result.citations else None
    return {
        "item": row.item,
        "type": row.type,
        "lang": question_lang(row.question),
        "answerable": row.answerable,
        "gold": sorted(gold),
        "rank": rank,
        "refused": result.refused,
        "answer_ok": row.answerable and not result.refused and contains_all(result.answer, row.must_contain),
        "cite@1": first is not None and first.page in gold,
        "cite_any": any(page in gold for page in cited),
        "item@1": first is not None and first.item == row.item,
        "latency_ms": result.latency_ms,
        "kind": result.kind or "–",
        "chars": None if result.refused else len(result.answer),
    }


def _rate(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def rank_metrics(ranks: list[int | None]) -> dict:
    """hit@k and MRR from the rank of each question's first gold entry (None = not retrieved)."""
    metrics = {f"hit@{k}": _rate([r is not None and r <= k for r in ranks]) for k in HIT_KS}
    metrics["mrr"] = round(sum(1 / r for r in ranks if r) / len(ranks), 4) if ranks else None
    return metrics


def group_metrics(outcomes: list[dict]) -> dict:
    """Rates over one group of questions; None where the group has no question of that kind."""
    ans = [o for o in outcomes if o["answerable"]]
    unans = [o for o in outcomes if not o["answerable"]]
    metrics = {"n": len(outcomes), "n_answerable": len(ans), **rank_metrics([o["rank"] for o in ans])}
    metrics["accuracy"] = _rate([o["answer_ok"] for o in ans])
    for key in ("cite@1", "cite_any", "item@1"):
        metrics[key] = _rate([o[key] for o in ans])
    metrics["false_refusal"] = _rate([o["refused"] for o in ans])
    metrics["refusal"] = _rate([o["refused"] for o in unans])
    chars = [o["chars"] for o in outcomes if o.get("chars") is not None]
    metrics["median_chars"] = percentile(chars, 50)
    return metrics


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: a value that was actually measured."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 1)


def _by(outcomes: dict[str, dict], key: str) -> dict[str, dict]:
    groups: dict[str, list[dict]] = {}
    for o in outcomes.values():
        groups.setdefault(o[key], []).append(o)
    return {name: group_metrics(groups[name]) for name in sorted(groups)}


def compute_metrics(rows: list[EvalRow], results: list[ResultRow | dict], pages: list[Page]) -> dict:
    """Overall metrics, breakdowns by item, type and language, and per-question outcomes."""
    by_id = {r.id: r for r in (ResultRow.model_validate(x) for x in results)}
    missing = [row.id for row in rows if row.id not in by_id]
    if missing:
        raise ValueError(f"no result for questions {missing}")
    outcomes = {row.id: outcome(row, by_id[row.id], gold_pages(row, pages)) for row in rows}
    latencies = [o["latency_ms"] for o in outcomes.values()]
    return {
        "overall": group_metrics(list(outcomes.values())),
        "latency_ms": {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95)},
        "by_item": _by(outcomes, "item"),
        "by_type": _by(outcomes, "type"),
        "by_lang": _by(outcomes, "lang"),
        "by_kind": _by(outcomes, "kind"),
        "questions": outcomes,
    }
