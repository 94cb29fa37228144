"""The fusion check (qa.evaluation.fusion) on made-up leg rankings: where the gold chunk lands, and
that the grid search picks the BM25 weight the questions reward."""

from qa.evaluation.fusion import Legs, choose, rank


def legs(dense, bm25, good, lang="ja", boost=None):
    return Legs("made-up", lang, dense, bm25, boost or {}, set(good))


def test_rank_follows_the_bm25_weight():
    q = legs(["a", "b", "c"], ["c", "b"], {"c"})
    assert rank(q, 60, 0.0) == 3
    assert rank(q, 60, 2.0) == 1
    assert rank(legs(["a"], [], {"z"}), 60, 1.0) is None


def test_rank_applies_the_item_boost():
    q = legs(["a", "b"], [], {"b"}, boost={"b": 1.5})
    assert rank(q, 10, 1.0) == 1


def test_choose_rewards_bm25_only_where_it_helps():
    ja = [legs(["a", "b", "c"], ["c"], {"c"}) for _ in range(3)]
    en = [legs(["c", "a"], ["a"], {"c"}, lang="en") for _ in range(3)]
    picked = choose(ja + en)
    assert picked["ja"][1] > 0
    assert picked["en"][1] == 0.0
