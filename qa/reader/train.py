"""Training the reader's weights (dev only: scikit-learn is a dev dependency, never imported at run
time). `make train` runs qa.reader.crossval, which calls these.

Data: every question of the eval sets, read once by the real pipeline (Assistant.read), with every
candidate's features. Labels come from the sets: a candidate is positive when its quote holds one of
the row's must_contain strings; a question is answerable unless its type is unanswerable. No
question text reaches the model, only features.
"""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from qa.evaluation.metrics import EvalRow, contains_all, gold_pages
from qa.query import Query
from qa.reader import refusal
from qa.reader.candidates import Candidate
from qa.reader.compose import answer_text, compose
from qa.reader.features import FEATURES
from qa.reader.model import Linear, Weights
from qa.reader.reading import Reading
from qa.reader.select import pick
from qa.reader.terms import query_terms

log = logging.getLogger(__name__)

MAX_FALSE_REFUSAL = 0.03  # calibrate the refusal threshold below the 0.05 target, for margin
MEDIAN_CHARS = 300  # selection thresholds must keep the median answer at most this (the target)
SECOND_RATIOS = (0.3, 0.5, 0.7, 0.85, 1.01)
PART_FLOORS = (0.0, 0.05, 0.3, 1.01)
TYPE_RATIOS = (0.3, 0.6, 1.01)
LENGTH_STEP = 10  # mean answer lengths closer than this many characters count as equal
C = 1.0  # inverse regularisation strength of both regressions


@dataclass
class Sample:
    """One question as the pipeline read it, with what the set says about it."""

    set: str
    row: EvalRow
    query: Query
    reading: Reading
    assistant: object  # the Assistant that read it (its pages and vocabulary compose answers)
    labels: dict[int, float] = field(default_factory=dict)  # id(candidate) -> label: lists get re-sorted

    def groups(self):
        """(candidates, their labels): the whole question's, then each ask's."""
        for cands in [self.reading.ranked, *self.reading.parts]:
            yield cands, [self.labels[id(c)] for c in cands]


def collect(set_name: str, rows: list[EvalRow], assistant) -> list[Sample]:
    out = []
    for row in rows:
        query, reading, _hits = assistant.read(row.question)
        sample = Sample(set_name, row, query, reading, assistant)
        gold = _gold(row, assistant)
        for cands in [reading.ranked, *reading.parts]:
            sample.labels.update((id(c), label(c, row, query, assistant, gold)) for c in cands)
        out.append(sample)
    return out


def _gold(row: EvalRow, assistant) -> set[int]:
    pages = next(iter(assistant.index.pages.values()), [])
    return gold_pages(row, pages) if row.answerable else set()


def label(c: Candidate, row: EvalRow, query: Query, assistant, gold: set[int]) -> float:
    """The share of must_contain strings in what quoting this candidate alone would answer (its
    sentence, a table row with its named cell, a list with its items), counted only when cited on a
    gold page: short figures such as "12" are in many sentences that do not answer. 0 for
    unanswerable rows."""
    if not row.answerable or not row.must_contain:
        return 0.0
    composed = compose([c], query, assistant.index.pages, assistant.vocabulary, _terms(query, assistant))
    if not composed.citations or composed.citations[0].page not in gold:
        return 0.0
    text = answer_text(composed, "ja")
    return sum(contains_all(text, [m]) for m in row.must_contain) / len(row.must_contain)


def _terms(query: Query, assistant) -> tuple[str, ...]:
    return tuple(query_terms(query, assistant.vocabulary.frame))


def _fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray, names: tuple[str, ...]) -> Linear:
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
    model.fit(scaler.transform(x), y, sample_weight=weight)
    return Linear(names, model.coef_[0], float(model.intercept_[0]), scaler.mean_, scaler.scale_)


def _groups(samples: list[Sample]):
    """(candidates, labels) of the whole question and of each ask, for answerable rows."""
    for s in samples:
        if s.row.answerable and s.row.must_contain:
            yield from s.groups()


def fit_answer(samples: list[Sample]) -> Linear:
    """Which candidate holds the answer, learned from pairs within a question (a positive against
    each negative of the same question: logistic regression on their difference), then calibrated
    to a probability on all candidates (Platt scaling)."""
    groups = [([[c.features.get(f, 0.0) for f in FEATURES] for c in cands], labels)
              for cands, labels in _groups(samples)]
    scaler = StandardScaler().fit(np.asarray([x for xs, _ in groups for x in xs]))
    diffs, ys, ws = [], [], []
    for xs, labels in groups:
        z = scaler.transform(np.asarray(xs))
        pos = [i for i, label in enumerate(labels) if label > 0]
        neg = [i for i, label in enumerate(labels) if label <= 0]
        for i in pos:
            for j in neg:
                diffs += [z[i] - z[j], z[j] - z[i]]
                ys += [1, 0]
                ws += [labels[i], labels[i]]
    pairwise = LogisticRegression(C=C, max_iter=2000, fit_intercept=False)
    pairwise.fit(np.asarray(diffs), np.asarray(ys), sample_weight=np.asarray(ws))
    w = pairwise.coef_[0]
    raw = np.asarray([[scaler.transform(np.asarray([x]))[0] @ w] for xs, _ in groups for x in xs])
    y = np.asarray([int(label > 0) for _, labels in groups for label in labels])
    platt = LogisticRegression(C=1e4, max_iter=2000).fit(raw, y)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    return Linear(FEATURES, w * a, b, scaler.mean_, scaler.scale_)


def rescore(samples: list[Sample], answer: Linear) -> None:
    """Score every candidate with `answer` and re-sort, as the reader would with these weights."""
    for s in samples:
        for group in [s.reading.ranked, *s.reading.parts]:
            for c in group:
                c.score = answer.prob(c.features)
            group.sort(key=lambda c: (-c.score, c.rank, c.index))


def refusal_features(s: Sample) -> dict[str, float]:
    """The assessment's features with the top probabilities of the current scores."""
    f = dict(s.reading.assessment.features)
    scores = [c.score for c in s.reading.ranked]
    f["top_prob"] = scores[0] if scores else 0.0
    f["second_prob"] = scores[1] if len(scores) > 1 else 0.0
    return f


def fit_refusal(samples: list[Sample]) -> tuple[Linear, float]:
    """P(answerable), and its threshold (`threshold`)."""
    rows = [refusal_features(s) for s in samples]
    x = np.asarray([[r[f] for f in refusal.FEATURES] for r in rows])
    y = np.asarray([int(s.row.answerable) for s in samples])
    model = _fit(x, y, np.ones(len(y)), refusal.FEATURES)
    return model, threshold(model, samples)


def threshold(model: Linear, samples: list[Sample]) -> float:
    """The highest refusal threshold that keeps false refusals under MAX_FALSE_REFUSAL on every
    training set, not only pooled: a pooled share lets one set's answerable questions pay for all."""
    limits = []
    for name in {s.set for s in samples}:
        held = [s for s in samples if s.set == name and s.row.answerable]
        answerable = sorted(model.prob(refusal_features(s)) for s in held)
        if answerable:  # refuse strictly below: `allowed` refused
            limits.append(answerable[int(MAX_FALSE_REFUSAL * len(answerable))])
    return float(min(limits)) if limits else 0.5


def _answer(s: Sample, weights: Weights) -> str:
    chosen = pick(s.reading.ranked, s.reading.parts, weights)
    composed = compose(chosen, s.query, s.assistant.index.pages, s.assistant.vocabulary,
                       _terms(s.query, s.assistant))
    return answer_text(composed, s.query.lang) if composed.citations else ""


def fit_selection(samples: list[Sample], weights: Weights) -> Weights:
    """The second-sentence ratio, part floor and typed-first ratio: the shortest answers (mean
    characters, median at most MEDIAN_CHARS) whose training accuracy is within one standard error of
    the best (the one-SE rule): more quotes always contain the answer more often, and users want the
    short answer."""
    answerable = [s for s in samples if s.row.answerable and s.row.must_contain]
    trials = []
    for ratio, floor, typed in [(r, f, t) for r in SECOND_RATIOS for f in PART_FLOORS for t in TYPE_RATIOS]:
        trial = Weights(weights.answer, weights.refusal, weights.refuse_below, ratio, floor, "trial", typed)
        texts = [_answer(s, trial) for s in answerable]
        ok = sum(contains_all(t, s.row.must_contain) for t, s in zip(texts, answerable, strict=True))
        lengths = [len(t) for t in texts] or [0]
        if statistics.median(lengths) <= MEDIAN_CHARS:
            trials.append((ok / max(1, len(texts)), statistics.mean(lengths), trial))
    if not trials:
        return weights
    best = max(acc for acc, _, _ in trials)
    error = (best * (1 - best) / max(1, len(answerable))) ** 0.5
    for acc, mean, trial in trials:
        log.debug("selection %.2f/%.2f/%.2f: accuracy %.3f, mean %d chars", trial.second_ratio,
                 trial.part_floor, trial.type_ratio, acc, mean)
    # Lengths within LENGTH_STEP characters are a tie; then the most accurate, then the fewest near-ties.
    near = [t for t in trials if t[0] >= best - error]
    return min(near, key=lambda t: (round(t[1] / LENGTH_STEP), -t[0], -t[2].second_ratio))[2]


def train_refusal(samples: list[Sample], shipped: Weights, source: str = "trained") -> Weights:
    """`shipped` with its refusal model and threshold learned again from these samples, scored by its
    answer model: for a new refusal feature, without moving the answers."""
    rescore(samples, shipped.answer)
    refusal_model, threshold = fit_refusal(samples)
    return replace(shipped, refusal=refusal_model, refuse_below=threshold, source=source)


def train(samples: list[Sample], source: str = "trained") -> Weights:
    """All weights from these samples: answer model, selection thresholds, refusal model."""
    answer = fit_answer(samples)
    rescore(samples, answer)
    refusal_model, threshold = fit_refusal(samples)
    weights = Weights(answer, refusal_model, threshold, 0.8, 0.3, source)
    chosen = fit_selection(samples, weights)
    return Weights(answer, refusal_model, threshold, chosen.second_ratio, chosen.part_floor, source,
                   chosen.type_ratio)
