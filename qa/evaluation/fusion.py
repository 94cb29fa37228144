"""`make fusion`: are the search's hand-set fusion constants (qa.search: RRF_K, BM25_WEIGHT) as good
as ones learned from the dev sets?

    python -m qa.evaluation.fusion --sample-index IDX --manual-index IDX [--folds 5]

Each question's dense and BM25 legs are searched once. Every grid point (RRF constant, BM25 weight)
is scored by where the first chunk on a gold page lands in the fused order; the best point is chosen
per language on k-1 folds and scored on the held-out fold. Prints hit@1/hit@5 per set for the
shipped constants, the in-sample best and the cross-validated choice. Retrieval only: the reader
re-ranks what search finds, so these figures are not the answer metrics. Dev only.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import random
from dataclasses import dataclass

from qa.evaluation.metrics import gold_pages, load_set
from qa.reader.crossval import SEED, SETS
from qa.search import BM25_WEIGHT, LEG_DEPTH, RRF_K, _boost
from qa.settings import ROOT

RRF_GRID = (10, 20, 40, 60, 100)
BM25_GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
DEPTH = 10  # ranks past this count as a miss


@dataclass
class Legs:
    set: str
    lang: str
    dense: list[str]  # chunk ids, best first
    bm25: list[str]
    boost: dict[str, float]  # chunk id -> the item boost search would apply
    good: set[str]  # chunks on a gold page


def collect(indexes: dict[str, str]) -> list[Legs]:
    from qa.assistant import Assistant
    from qa.backends.base import Where
    from qa.backends.local import as_backend
    from qa.index.tokenize import tokenize
    from qa.query import analyse

    out = []
    for key, path in indexes.items():
        assistant = Assistant.load(path)
        index, backend = assistant.index, as_backend(assistant.index)
        for name, (set_path, set_key) in SETS.items():
            if set_key != key:
                continue
            for row in load_set(ROOT / set_path):
                pages = index.pages.get(index.chunks[0].doc, [])
                gold = gold_pages(row, pages) if row.answerable else set()
                if not gold:
                    continue
                query = analyse(row.question, assistant.vocabulary)
                qvec = assistant.embedder.embed([query.text], query=True)[0]
                dense = [f.chunk.id for f in backend.search_dense(qvec, LEG_DEPTH, Where())]
                tokens = tokenize(query.lexical)
                bm25 = [f.chunk.id for f in backend.search_lexical(tokens, LEG_DEPTH, Where())]
                good = {c.id for c in index.chunks if gold & set(range(c.page_start, c.page_end + 1))}
                boost = {c.id: _boost(c, query) for c in index.chunks if c.item in query.items}
                out.append(Legs(name, query.lang, dense, bm25, boost, good))
    return out


def rank(q: Legs, rrf_k: float, bm25_weight: float) -> int | None:
    """1-based rank of the first good chunk in the fused order, None past DEPTH."""
    score: dict[str, float] = {}
    for weight, ids in ((1.0, q.dense), (bm25_weight, q.bm25)):
        for r, cid in enumerate(ids, 1):
            score[cid] = score.get(cid, 0.0) + weight / (rrf_k + r)
    order = sorted(score, key=lambda c: -score[c] * q.boost.get(c, 1.0))[:DEPTH]
    return next((i for i, c in enumerate(order, 1) if c in q.good), None)


def mrr(qs: list[Legs], point: tuple[float, float]) -> float:
    return sum(1 / r for q in qs if (r := rank(q, *point))) / max(1, len(qs))


def choose(qs: list[Legs]) -> dict[str, tuple[float, float]]:
    """Per language, the grid point with the best mean reciprocal rank (ties: the shipped-like one
    that comes first on the grid)."""
    grid = list(itertools.product(RRF_GRID, BM25_GRID))
    return {lang: max(grid, key=lambda p: mrr([q for q in qs if q.lang == lang], p)) for lang in ("ja", "en")}


def table(qs: list[Legs], ranks: list[int | None]) -> dict[str, tuple[float, float, int]]:
    out = {}
    for name in [*dict.fromkeys(q.set for q in qs), "all"]:
        rs = [r for q, r in zip(qs, ranks, strict=True) if name in ("all", q.set)]
        top5 = sum(bool(r and r <= 5) for r in rs)
        out[name] = (sum(r == 1 for r in rs) / len(rs), top5 / len(rs), len(rs))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample-index", required=True)
    parser.add_argument("--manual-index", required=True)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    qs = collect({"sample": args.sample_index, "manual": args.manual_index})
    shipped = {lang: (RRF_K, BM25_WEIGHT[lang]) for lang in ("ja", "en")}
    best = choose(qs)
    order = list(range(len(qs)))
    random.Random(SEED).shuffle(order)
    fold = {i: n % args.folds for n, i in enumerate(order)}
    cv: list[int | None] = [None] * len(qs)
    for f in range(args.folds):
        picked = choose([q for i, q in enumerate(qs) if fold[i] != f])
        print(f"fold {f}: " + ", ".join(f"{lang} rrf_k={k} bm25={w}" for lang, (k, w) in picked.items()))
        for i, q in enumerate(qs):
            if fold[i] == f:
                cv[i] = rank(q, *picked[q.lang])
    print("in-sample best: " + ", ".join(f"{lang} rrf_k={k} bm25={w}" for lang, (k, w) in best.items()))
    rows = {"shipped": table(qs, [rank(q, *shipped[q.lang]) for q in qs]),
            "in-sample": table(qs, [rank(q, *best[q.lang]) for q in qs]), "cross-validated": table(qs, cv)}
    print(f"{'set':15s}" + "".join(f"{k:>26s}" for k in rows))
    for name in rows["shipped"]:
        cells = [f"{h1:.3f} / {h5:.3f}" for h1, h5, _ in (rows[k][name] for k in rows)]
        print(f"{name:15s}" + "".join(f"{c:>26s}" for c in cells) + f"   n={rows['shipped'][name][2]}")
    print("(retrieval hit@1 / hit@5 of the first chunk on a gold page; answerable questions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
