"""Answer typing (qa.reader.types) and typed candidates (qa.reader.spans) on made-up questions and
sentences with known answers."""

import pytest

from qa.query import analyse, language
from qa.reader.spans import causes, figures, names, ratings, spans, versions
from qa.reader.types import answer_type


@pytest.mark.parametrize(("question", "kind", "unit"), [
    ("協議会に参加した団体は何団体ですか？", "count", "団体"),
    ("説明会には何人が来た？", "count", "人"),
    ("検定の受験者数は？", "count", "人"),  # what a 〜数 counts: people
    ("窓口の問い合わせ件数は？", "count", "件"),
    ("海外の何か国と連携した？", "count", "か国"),
    ("How many people attended the seminar?", "count", "人"),
    ("How many companies joined in FY2021?", "count", "社"),
    ("How many 受講者 joined 「情報セキュリティ実践講座オンライン」?", "count", ""),  # English about Japanese names
    ("研修事業の予算額はいくら？", "money", "円"),
    ("What was the budget of the training program?", "money", "円"),
    ("満足度の割合は？", "percent", ""),
    ("What percentage of sessions were held online?", "percent", ""),
    ("新制度はいつ始まった？", "date", ""),
    ("When did the new scheme start?", "date", ""),
    ("事務局を務めた組織の名称は？", "name", ""),
    ("What is the name of the new portal?", "name", ""),
    ("式典で表彰されたのは誰？", "person", ""),
    ("Who received the award?", "person", ""),
    ("大会はどこで開かれた？", "place", ""),
    ("なぜ方式を変更したのですか？", "reason", ""),
    ("Why was the exam moved online?", "reason", ""),
    ("重点的に取り組んだ4つの分野は？", "list", ""),
    ("受講者数は前年度と比べてどう変化した？", "compare", ""),
    ("項目Ⅱの評定は？", "rating", ""),
    ("Did the rating stay the same every year?", "rating", ""),
    ("新しい窓口は開設された？", "yes_no", ""),
    ("この命令に渡せる値は何ですか？", "fact", ""),  # 何です is "what is", not 何で ("why")
    ("How many people left early because of the storm?", "count", "人"),  # "because": a condition
    ("申請から何日後に公開される？", "count", "日"),  # a length of time is counted
    ("審査には何週間かかる？", "count", "週間"),
    ("説明会は何月何日に開かれた？", "date", ""),
    ("How long does the review take?", "count", ""),
    ("Which ratings did item II get?", "rating", ""),
    ("Guide revision - downloads?", "count", "件"),  # terse: ends on what it counts
    ("What is the login shell for new users?", "fact", ""),  # a full question ending on a noun: not terse
    ("Sales went up by how much?", "count", ""),
    ("And what % of them were online?", "percent", ""),
    ("What happens when you delete the cache?", "fact", ""),  # "when" states a condition here
    ("How do I change the page-size ratio?", "how", ""),  # a procedure, whatever it names
    ("How does this year's turnout compare with last year's?", "compare", ""),
    ("The fair ran from when til when?", "date", ""),
    ("この機能はどのバージョンから使える？", "version", ""),  # a manual answers "since when" with a release
    ("その命令っていつのばーじょんで入ったの？", "version", ""),
    ("動かすのに要るエンジンのバージョンは？", "version", ""),
    ("Which plugin version does the guide require?", "version", ""),
    ("What is the minimum compiler version needed?", "version", ""),
])
def test_answer_type(question, kind, unit):
    t = answer_type(question, language(question))
    assert (t.kind, t.unit) == (kind, unit)


def test_list_count_and_what_the_question_wants():
    assert answer_type("重点的に取り組んだ4つの分野は？", "ja").count == 4
    assert answer_type("Which three websites were merged?", "en").count == 3
    assert answer_type("令和2年度の目標値は何件？", "ja").wants == "plan"
    assert answer_type("令和2年度の実績は何件？", "ja").wants == "result"


def test_units_that_read_the_same():
    assert set(answer_type("何人が参加した？", "ja").units()) >= {"人", "名"}


def test_multi_part_questions_type_each_ask():
    q = analyse("説明会はいつ開かれて、何人が参加した？")
    assert len(q.parts) == 2
    assert [p.kind for p in q.part_answers] == ["date", "count"]


def test_fiscal_years_are_not_calendar_dates():
    assert analyse("令和3年度の実績は？").fiscal_years == (2021,)
    assert analyse("令和3年4月時点の登録者数は？").fiscal_years == ()
    assert analyse("What was the budget in FY2021?").fiscal_years == (2021,)


def test_an_english_question_quoting_japanese_is_english():
    assert language("How many entries did the contest (ひろげよう情報モラル) receive this year?") == "en"
    assert language("SECURITY ACTIONの自己宣言者は何件？") == "ja"
    assert language("mkconf-tool.conf って何の config file？") == "ja"  # Japanese particles, Latin names
    assert language("What does 「はじめに」 say about the config file format?") == "en"


SENTENCE = "令和2年11月に説明会を開催し、延べ 370 社 654 名が参加、満足度は 92% 、予算は 1,200 千円であった。"


def test_figures_with_their_units():
    found = {(s.kind, s.text(SENTENCE).replace(" ", ""), s.unit) for s in figures(SENTENCE)}
    assert ("number", "370社", "社") in found and ("number", "654名", "名") in found
    assert ("percent", "92%", "%") in found and ("money", "1,200千円", "千円") in found
    assert ("date", "令和2年11月", "") in found


def test_a_bare_year_like_number_counts_nothing():
    sentence = "行動指針（DX 戦略 2021）を策定し、職員 1,998 名に周知。"
    kinds = [(s.kind, s.text(sentence).strip()) for s in figures(sentence)]
    assert kinds == [("year", "2021"), ("number", "1,998 名")]


def test_a_figure_in_a_name_or_before_a_comma_stands_alone():
    sentence = "MIT-2.0 と 4-Clause 形式、配布 12,300 件, 予定 10-20 名"
    found = [(s.kind, s.text(sentence).strip()) for s in figures(sentence)]
    assert found == [("number", "12,300 件"), ("number", "10"), ("number", "20 名")]


def test_a_bracketed_cross_reference_names_nothing():
    sentence = "設定は管理画面で行う（項2.3参照）。新しい窓口（くらし相談室）を開いた（図 4）。"
    assert [s.text(sentence) for s in names(sentence, proper_nouns=False)] == ["くらし相談室"]


def test_a_circled_list_number_is_no_figure():
    sentence = "②研修費について、前年度比 4.0%の削減を達成。"
    assert [(s.kind, s.text(sentence)) for s in figures(sentence)] == [("percent", "4.0%")]
    assert all(s.start > 0 for s in spans(sentence, "money"))  # a money question gets no "②" for an answer


def test_spans_of_the_asked_type_only():
    assert {s.kind for s in spans(SENTENCE, "money")} <= {"money", "number", "percent", "date"}
    assert [s.text(SENTENCE) for s in spans(SENTENCE, "rating")] == []
    assert [s.text("評定：B 根拠は以下") for s in ratings("評定：B 根拠は以下")] == ["B"]


def test_names_quoted_bracketed_latin_and_proper_nouns():
    text = "ゲーム会社「カプコン」の件で、加藤官房長官が IPA の特設ページ（ランサム対策）を紹介した。"
    found = {(s.kind, s.text(text)) for s in names(text)}
    assert ("name", "カプコン") in found and ("name", "ランサム対策") in found
    assert ("name", "IPA") in found and ("person", "加藤") in found


@pytest.mark.parametrize(("sentence", "cause"), [
    ("・会費収入の減少は、会員数の減によるものである。", "会員数の減によるもの"),
    ("窓口を閉じたのは、改修工事を行うためである。", "改修工事を行うため"),
    ("設定は毎回読み直される。従って，変更はすぐ効く。", "従って，"),
    ("The job stopped because the disk was full, and nobody saw it.", "because the disk was full"),
])
def test_a_cause_is_the_span_of_a_reason(sentence, cause):
    found = [s.text(sentence) for s in causes(sentence)]
    assert cause in found
    assert [s.kind for s in spans(sentence, "reason")] == ["reason"] * len(found)


def test_a_sentence_that_gives_no_cause_has_no_reason_span():
    assert causes("窓口は市役所により運営されている。") == []
    assert causes("The office opened in May.") == []


@pytest.mark.parametrize(("sentence", "found"), [
    ("バージョン 20180301.0 以降では既定で有効になった．", ["バージョン 20180301.0"]),
    ("動作には foo 2.4.1 (or later) が必要である．", ["2.4.1"]),
    ("再構築すると 3.1-2+b1 になる。", ["3.1-2+b1"]),
    ("v2 で仕様を改めた。", ["v2"]),
    ("1.8 以降で使える。", ["1.8"]),
    ("縮小率は 0.875 倍、図 4.2 参照、令和3年4月1日に公開。", []),  # decimals, figures and dates are no release
])
def test_versions_as_printed(sentence, found):
    assert [s.text(sentence) for s in versions(sentence)] == found


def test_a_name_the_question_gives_is_no_answer():
    from qa.query import Vocabulary
    from qa.reader.features import _fresh

    query = analyse("Which engine does FooTeX-ja run on?")
    text = "FooTEX-ja は BarTEX の上で動く。"  # the question's name in another case
    assert [s.text(text) for s in _fresh(names(text, proper_nouns=False), text, query)] == ["BarTEX"]
    query = analyse("What suffix do the files take?", Vocabulary(words={"ファイル": 3}))
    text = "ファイル名の末尾はいつもフォーマットの略号である。"  # files: ファイル, the question's own term
    assert [s.text(text) for s in _fresh(names(text, proper_nouns=False), text, query)] == ["フォーマット"]
