"""What 'the same text' and 'a sentence' mean (ingest.text)."""

import pytest

from ingest.text import ends_sentence, one_holds_other, plain_chars, split_sentences


@pytest.mark.parametrize(("text", "sentences"), [
    ("計画を達成した。次の文。", ["計画を達成した。", "次の文。"]),
    ("組版を行う．これは例である．", ["組版を行う．", "これは例である．"]),  # the manual's full-width period
    ("本当か？そうだ！", ["本当か？", "そうだ！"]),
    ("「感謝いたします。」との声。", ["「感謝いたします。」", "との声。"]),  # the bracket stays with its sentence
    ("１．基本情報", ["１．基本情報"]),  # numbering, not a sentence end
    ("「？」「！」の直後に空白を入れる．次．", ["「？」「！」の直後に空白を入れる．", "次．"]),  # marks named, not ends
    ("Ⅲ．財務内容", ["Ⅲ．財務内容"]),
    ("See 4.1 for details. Then continue! Really? yes", ["See 4.1 for details.", "Then continue!", "Really?", "yes"]),
    ("e.g. Fig. 3 shows it", ["e.g. Fig. 3 shows it"]),
    ("一行目\n二行目。", ["一行目", "二行目。"]),
    ("開設した（令和 3 年 3\n月）。次の文。", ["開設した（令和 3 年 3月）。", "次の文。"]),  # a bracket wrapped
    ("see (page\n12) now\n(a) b", ["see (page 12) now", "(a) b"]),
    ("（閉じない\n二\n三\n四", ["（閉じない二三", "四"]),  # an unclosed bracket runs over three lines at most
])
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


def test_ends_sentence():
    assert ends_sentence("終わる。") and ends_sentence("終わる．") and ends_sentence("「終わる。」")
    assert not ends_sentence("１．") and not ends_sentence("続く、")


def test_radicals_standing_for_kanji_become_the_kanji():
    """Chromium's and the IPA report's ToUnicode maps give ⽬ (Kangxi) for 目 and ⺠ for 民."""
    assert plain_chars("⽬的と⺠間事業者の⻑期") == "目的と民間事業者の長期"
    assert plain_chars("本文。") == "本文。"


def test_vertical_forms_are_plain_on_vertical_pages_only():
    assert plain_chars("学ぶ︒﹁例﹂︑", vertical=True) == "学ぶ。「例」、"
    assert plain_chars("︑ (U+FE11)") == "︑ (U+FE11)"  # a horizontal page showing the form itself


def test_the_same_sentence_under_another_mark_is_the_same_quote():
    assert one_holds_other("・説明会を開催。", "○説明会を開催。")  # the results and self-evaluation columns
    assert one_holds_other("説明会を開催。", "- 説明会を開催。その結果、好評。")
    assert not one_holds_other("・説明会を開催。", "○研修を開催。")
    assert not one_holds_other("・", "○説明会を開催。")  # a bare mark holds nothing
