"""Choosing what to quote (qa.reader.select), on made-up candidates."""

from ingest.tables import TableRow
from qa.reader import model
from qa.reader.candidates import Candidate
from qa.reader.select import pick


def cand(text, score, row=None, **features):
    return Candidate(text, hit=None, rank=0, index=0, row=row, features=features, score=score)


def row(label):
    return TableRow(5, label, ("1", "2"), ("令和元年度", "令和2年度"))


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


def test_the_table_row_the_question_names_is_quoted_first():
    weights = model.Weights.of(model.FALLBACK, "fallback")
    other = cand("経常費用（千円） 700 800 900", 0.9, lexical=0.3, type_has=1.0)
    named = cand("予算額（千円） 1,000 1,100 1,200", 0.8, row("予算額（千円）"), lexical=0.3, type_has=1.0,
                 row_named=1.0)
    assert pick([other, named], [], weights)[0].text == named.text


def test_every_row_the_question_names_is_quoted_before_near_ties():
    weights = model.Weights.of(model.FALLBACK, "fallback")
    budget = cand("予算額（千円） 1,000 1,100 1,200", 0.8, row("予算額（千円）"), row_named=1.0)
    near = cand("経常費用（千円） 700 800 900", 0.79, lexical=0.3, type_has=1.0)
    again = cand("予算額（千円） 5 6 7", 0.7, row("予算額（千円）"), row_named=1.0)  # another table's
    spent = cand("決算額（千円） 900 1,000 1,100", 0.5, row("決算額（千円）"), row_named=1.0)
    chosen = [c.text for c in pick([budget, near, again, spent], [], weights)]
    assert chosen[:2] == [budget.text, spent.text] and again.text not in chosen


def test_a_bracketed_label_alone_is_never_quoted_even_with_a_question_word():
    weights = model.Weights.of(model.FALLBACK, "fallback")
    label = cand("（実績の詳細）", 0.9, lexical=0.4)  # 実績 is in the question
    answer = cand("研修の受講者は120名となった。", 0.8, lexical=0.3, type_has=1.0)
    near = cand("＜主な実績＞", 0.79, lexical=0.4)
    assert [c.text for c in pick([label, answer, near], [], weights)] == [answer.text]


def test_a_sentence_about_another_term_than_the_one_asked_is_not_quoted():
    weights = model.Weights.of(model.FALLBACK, "fallback")
    other = cand("第 5 回には 80 名が参加した。", 0.9, lexical=0.8, type_has=1.0, ordinal_other=1.0)
    asked = cand("第 2 回の参加者は 35 名。", 0.8, lexical=0.8, type_has=1.0)
    assert [c.text for c in pick([other, asked], [], weights)] == [asked.text]


def test_the_ordinal_a_question_asks_for():
    from qa.reader.features import _ordinal_other, _ordinals

    asked = _ordinals("第2回の講座には何名が来ましたか？")
    assert _ordinal_other("第 5 回には 80 名が参加した。", asked)
    assert not _ordinal_other("第 2 回と第 5 回の参加者", asked)
    assert not _ordinal_other("第 5 回には 80 名が参加した。", _ordinals("参加者は何名？"))  # no term asked
    assert not _ordinal_other("第 5 期の募集", asked)  # another counter


def test_a_part_row_is_quoted_after_the_row_it_is_part_of():
    from ingest.records import Chunk
    from qa.records import Hit

    text = "管理経費\n実績値（千円） 498 487 475\nうち削減対象経費 450 441 430\n（注） 物件費相当額。"
    hit = Hit(Chunk("c1", "x.pdf", "Ⅱ", "Ⅱ", 3, 3, text), 1.0, 1, 1, 0.8)
    weights = model.Weights.of(model.FALLBACK, "fallback")

    def at(line, score, label):
        return Candidate(line, hit=hit, rank=0, index=0, row=row(label), features={"type_has": 1.0},
                         score=score)

    part = at("うち削減対象経費 450 441 430", 0.9, "うち削減対象経費")
    whole = at("実績値（千円） 498 487 475", 0.2, "実績値（千円）")  # far from a near-tie
    assert [c.text for c in pick([part, whole], [], weights)] == [whole.text, part.text]
    assert [c.text for c in pick([part], [], weights)] == [part.text]  # its row not among the candidates
