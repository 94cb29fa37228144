"""The refusal threshold's calibration (qa.reader.train.threshold), on made-up probabilities."""

from types import SimpleNamespace

import pytest

pytest.importorskip("sklearn")  # dev only, as make train is

from qa.reader import train  # noqa: E402


class Model:  # P(answerable) is the sample's own number
    def prob(self, features):
        return features["p"]


def sample(name, p, answerable=True):
    s = SimpleNamespace(set=name, row=SimpleNamespace(answerable=answerable))
    s.reading = SimpleNamespace(assessment=SimpleNamespace(features={"p": p}), ranked=[])
    return s


def test_false_refusals_stay_under_the_limit_on_every_set_not_only_pooled():
    # Set a: 40 answerable questions, one of them unsure (0.2); set b: 40 sure ones and 10 unanswerable.
    samples = [sample("a", 0.2)] + [sample("a", 0.5 + i / 100) for i in range(39)]
    samples += [sample("b", 0.6 + i / 200) for i in range(40)] + [sample("b", 0.1, False)] * 10
    # 3% of 40 allows one false refusal per set: set a refuses its 0.2 and no more, so the threshold
    # is a's second lowest (0.5). Pooled, the allowance (2 of 80) would refuse a's 0.5 as well.
    assert train.threshold(Model(), samples) == 0.5
    pooled = sorted(s.reading.assessment.features["p"] for s in samples if s.row.answerable)
    assert pooled[int(train.MAX_FALSE_REFUSAL * len(pooled))] == 0.51


def test_refusal_only_training_keeps_the_answer_model_and_learns_the_refusal_model():
    from qa.reader import refusal
    from qa.reader.model import FALLBACK, Weights

    def question(name, dense, answerable):
        s = sample(name, 0.5, answerable)
        s.reading.assessment.features = {f: 0.0 for f in refusal.FEATURES} | {"top_dense": dense}
        s.reading.parts = []
        return s

    # Answerable questions find close passages (cosine 0.85+), unanswerable ones do not (0.80).
    samples = [question("a", 0.85 + i / 1000, True) for i in range(40)]
    samples += [question("a", 0.80 + i / 1000, False) for i in range(10)]
    shipped = Weights.of(FALLBACK, "fallback")
    learned = train.train_refusal(samples, shipped, "test")
    assert learned.answer is shipped.answer and learned.second_ratio == shipped.second_ratio
    assert learned.refusal.features == refusal.FEATURES and learned.source == "test"
    weights = dict(zip(learned.refusal.features, learned.refusal.weights, strict=True))
    assert weights["top_dense"] > 0  # closer passages: more likely answerable
    assert all(learned.refusal.prob(s.reading.assessment.features) < learned.refuse_below
               for s in samples if not s.row.answerable)
