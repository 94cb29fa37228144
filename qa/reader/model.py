"""The learned weights: two logistic regressions (which candidate answers; whether to answer at all)
and the selection thresholds, trained offline by `make train` (qa.reader.train) and shipped as plain
JSON next to this file. Read with numpy: no scikit-learn at run time. Without the file the reader
falls back to FALLBACK, a small hand-set model, and says so in the log."""

from __future__ import annotations

import functools
import json
import logging
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

WEIGHTS_FILE = Path(__file__).with_name("weights.json")
RAW_COSINES = ("dense", "dense_en", "top_dense")  # features whose scale belongs to one embedder
FORMAT = 1


@dataclass(frozen=True)
class Linear:
    """Logistic regression over named features, standardised as in training."""

    features: tuple[str, ...]
    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def of(cls, spec: dict) -> Linear:
        n = len(spec["features"])
        mean = np.asarray(spec.get("mean") or [0.0] * n, dtype=float)
        scale = np.asarray(spec.get("scale") or [1.0] * n, dtype=float)
        return cls(tuple(spec["features"]), np.asarray(spec["weights"], dtype=float), float(spec["bias"]),
                   mean, np.where(scale > 0, scale, 1.0))

    def to_dict(self) -> dict:
        return {"features": list(self.features), "weights": self.weights.round(6).tolist(),
                "bias": round(self.bias, 6), "mean": self.mean.round(6).tolist(),
                "scale": self.scale.round(6).tolist()}

    def without(self, names) -> Linear:
        """The same model with these features' weights zeroed (they read as neutral)."""
        kept = np.asarray([0.0 if f in names else 1.0 for f in self.features])
        return Linear(self.features, self.weights * kept, self.bias, self.mean, self.scale)

    def logit(self, values: dict[str, float]) -> float:
        x = np.array([values.get(f, 0.0) for f in self.features], dtype=float)  # fromiter is slower
        return float(((x - self.mean) / self.scale) @ self.weights + self.bias)

    def prob(self, values: dict[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.logit(values)))))


@dataclass(frozen=True)
class Weights:
    answer: Linear  # P(candidate holds the answer)
    refusal: Linear  # P(the question is answerable from what was found)
    refuse_below: float  # refuse when P(answerable) is below this (calibrated on false refusals)
    second_ratio: float  # a further sentence must score this share of the best one's probability
    part_floor: float  # a further ask's best sentence needs at least this probability
    source: str = "fallback"
    type_ratio: float = 1.01  # a candidate of the asked type goes first when it scores this share of the best
    embed_model: str = ""  # the embedder whose cosines the weights were trained on ("" for any)

    def for_embedder(self, model_name: str) -> Weights:
        """These weights for another embedder: its raw cosines mean something else, so the features
        that read them are neutralised (relative ones, like dense_rel, still count)."""
        if not self.embed_model or self.embed_model == model_name:
            return self
        log.info("reader weights were trained with %s, not %s: raw cosine features left out",
                 self.embed_model, model_name)
        return replace(self, answer=self.answer.without(RAW_COSINES),
                       refusal=self.refusal.without(RAW_COSINES), embed_model=model_name)

    def to_dict(self) -> dict:
        return {"format": FORMAT, "embed_model": self.embed_model,
                "answer": self.answer.to_dict(), "refusal": self.refusal.to_dict(),
                "select": {"refuse_below": self.refuse_below, "second_ratio": self.second_ratio,
                           "part_floor": self.part_floor, "type_ratio": self.type_ratio}}

    @classmethod
    def of(cls, spec: dict, source: str) -> Weights:
        if spec.get("format") != FORMAT:
            raise ValueError(f"weights format {spec.get('format')} is not {FORMAT}")
        select = spec["select"]
        return cls(Linear.of(spec["answer"]), Linear.of(spec["refusal"]), float(select["refuse_below"]),
                   float(select["second_ratio"]), float(select["part_floor"]), source,
                   float(select.get("type_ratio", 1.01)), spec.get("embed_model", ""))


# Hand-set stand-in when no trained weights are shipped: similarity, term coverage, the asked type.
FALLBACK = {
    "format": FORMAT,
    "answer": {"features": ["dense_rel", "lexical", "lexical_rel", "type_has", "type_near", "unit_match",
                            "year_match", "item_match", "overview", "rank", "short", "rating_line"],
               "weights": [20.0, 3.0, 2.0, 0.8, 0.8, 0.6, 0.4, 0.3, -0.5, 0.8, -1.0, 2.0], "bias": -2.0},
    "refusal": {"features": ["top_prob", "top_lexical"], "weights": [3.0, 4.0], "bias": -1.5},
    "select": {"refuse_below": 0.5, "second_ratio": 0.85, "part_floor": 0.3},
}


def load(path: Path | None = None) -> Weights:
    """The shipped weights; FALLBACK when the file is absent or unreadable."""
    return _load(str(path or WEIGHTS_FILE))


@functools.cache
def _load(path: str) -> Weights:
    try:
        return Weights.of(json.loads(Path(path).read_text(encoding="utf-8")), path)
    except FileNotFoundError:
        log.warning("no trained reader weights at %s: using the hand-set fallback (run `make train`)", path)
    except (ValueError, KeyError, TypeError) as e:
        log.warning("reader weights %s unreadable (%s): using the hand-set fallback", path, e)
    return Weights.of(FALLBACK, "fallback")
