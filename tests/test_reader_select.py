"""Choosing what to quote (qa.reader.select), on made-up candidates."""

from qa.reader import model
from qa.reader.candidates import Candidate
from qa.reader.select import pick


def cand(text, score, **features):
    return Candidate(text, hit=None, rank=0, index=0, features=features, score=score)


def test_a_near_tie_without_the_questions_terms_or_the_asked_type_is_not_quoted():
    weights = model.Weights.of(model.FALLBACK, "fallback")
    best = cand("受講者数は120名となった。", 0.9, lexical=0.8, type_has=1.0)
    header = cand("（実績の詳細）", 0.88)  # a heading scored as high as the answer
    related = cand("前年度の受講者数は95名。", 0.85, lexical=0.5, type_has=1.0)
    assert [c.text for c in pick([best, header, related], [], weights)] == [best.text, related.text]


def test_a_near_tie_of_the_asked_type_is_quoted_even_without_the_terms():
    weights = model.Weights.of(model.FALLBACK, "fallback")
    best = cand("評定はAとした。", 0.9, lexical=0.6, type_has=1.0)
    rating = cand("S A A", 0.89, type_has=1.0)
    assert [c.text for c in pick([best, rating], [], weights)] == [best.text, rating.text]
