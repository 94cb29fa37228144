"""The reader end to end on a made-up agency report (tests/made_up_report.py) with the fast fake
embedder: candidates from sentences and table rows, the named cell and its span, and each refusal
reason; plus the reasons on their own."""

import dataclasses

import pytest

from ingest.profile import DocProfile
from qa.embed import FakeEmbedder
from qa.query import Vocabulary, analyse
from qa.reader import model
from qa.reader.refusal import Assessment, _no_item, reason, unnamed
from qa.settings import Settings
from tests import made_up_report

REPORT = Vocabulary(called=("報告書", "report"))  # a self-evaluation report's wording


@pytest.fixture(scope="module")
def mera(tmp_path_factory):
    from qa.assistant import Assistant
    from qa.pipeline import ingest_files

    folder = tmp_path_factory.mktemp("mera")
    pdf = made_up_report.build(folder / "mera.pdf")
    settings = Settings(index_dir=folder / "index")
    embedder = FakeEmbedder(64)
    assert not ingest_files([pdf], settings, embedder).failed
    # The fake embedder's cosines are nothing like e5's, which the learned refusal model reads: here the
    # model never refuses, so what is tested is the rest of the reader and the refusal rules.
    weights = dataclasses.replace(model.load(), refuse_below=0.0)
    return Assistant.load(settings=settings, embedder=embedder, weights=weights)


def test_the_index_holds_the_documents_vocabulary(mera):
    assert mera.vocabulary.years == (2020, 2021, 2022)
    assert {"mera", "海洋環境研究機構"} <= mera.vocabulary.frame
    assert any(r.label == "予算額(千円)" for r in mera.index.tables["mera.pdf"])


def test_table_rows_are_candidates_and_the_cell_is_named(mera):
    query, reading, _ = mera.read("沿岸防災に資する研究開発の令和3年度の予算額はいくら？")
    rows = [c for c in reading.ranked if c.row is not None]
    assert rows and all(c.features["row"] == 1.0 for c in rows)
    answer = mera.ask("沿岸防災に資する研究開発の令和3年度の予算額はいくら？")
    assert not answer.refused and "令和3年度: 3,200千円" in answer.text
    assert answer.span is not None and answer.span.text == "3,200"
    quote = answer.citations[answer.span.n - 1].quote
    assert quote[answer.span.start : answer.span.end] == "3,200"


def test_a_named_row_of_a_named_item_brings_its_passage(mera):
    from qa.query import analyse

    query = analyse("Ⅰ－３の令和3年度の従事人員数は？", mera.vocabulary)
    found = mera._row_passages(query, [])
    assert found and all(h.chunk.item == "I-3" and "従事人員数" in h.chunk.text for h in found)
    assert mera._row_passages(query, found) == []  # passages already read are not read twice
    assert mera._row_passages(analyse("令和3年度の従事人員数は？", mera.vocabulary), []) == []  # which item's?


def test_typed_spans_of_sentences(mera):
    _, reading, _ = mera.read("令和4年度の説明会には延べ何名が参加した？")
    with_unit = [c for c in reading.ranked if c.features.get("unit_match")]
    assert with_unit and all(any(s.unit == "名" for s in c.spans) for c in with_unit)


def test_a_year_the_report_does_not_cover_is_refused_with_its_reason(mera):
    answer = mera.ask("令和5年度の予算額はいくら？")
    assert answer.refused and not answer.citations and answer.passages
    assert answer.reason == "この報告書は令和2〜令和4年度を対象としており、令和5年度の実績は記載がありません。"
    english = mera.ask("What was the budget in FY2023?")
    assert english.refused and english.reason.startswith("The report covers FY2020–FY2022")
    assert not mera.ask("令和5年度の目標は？").reason.startswith("この報告書は")  # a plan may be stated



def test_an_item_the_report_does_not_have_is_refused_with_its_reason(mera):
    answer = mera.ask("Ⅰ－８の評定と、その理由は？")
    assert answer.refused and answer.passages
    assert answer.reason.startswith("この報告書に項目Ⅰ－８はありません（項目はⅠ－１、")
    assert mera.ask("What was item I-8 rated?").reason.startswith("The report has no item I-8; its items are I-1")
    assert not mera.ask("Ⅰ－２の評定は？").reason  # an item it has


def test_a_breakdown_by_what_no_passage_names_is_refused_with_its_reason(mera):
    answer = mera.ask("令和4年度の説明会の参加者、都道府県別だとどうなってる？")
    assert answer.refused and answer.passages
    assert answer.reason == "関連する箇所に「都道府県」別の内訳の記載が見つかりませんでした。"
    _, reading, _ = mera.read("観測ブイの設置数を項目別に教えて")  # each item's page names its item
    assert reading.assessment.breakdown == ""
    _, reading, _ = mera.read("観測ブイの設置数は資料別紙にある？")  # 別紙 is a word, not a breakdown
    assert reading.assessment.breakdown == ""
    english = mera.ask("How many people attended the briefings in FY2022, by region?")
    assert english.refused and english.reason == "The passages found give no breakdown by “region”."
    _, reading, _ = mera.read("What was the breakdown by prefecture?")  # no dictionary forms: not judged
    assert reading.assessment.breakdown == ""


def test_a_breakdown_phrase_the_document_prints_is_quoted_not_asked():
    from qa.reader.refusal import _breakdown

    query = analyse("利用者別マニュアルの配布数、そのうち学校向けは何部？")
    passages = "マニュアルの配布数は 1,200 部、うち学校向けは 300 部。"
    assert _breakdown(query, passages, "…利用者別マニュアルを改訂し…") == ""  # the document's own phrase
    assert _breakdown(query, passages, "…マニュアルを改訂し…") == "利用者"


@pytest.mark.parametrize(("question", "quotes", "count"), [
    # The count quoted, no names: refused with the count.
    ("令和4年度に採択された4つのプロジェクト、名前は？", ["令和 4 年度は 4 つのプロジェクトを採択した。"], 4),
    ("表彰された12人の名前を教えて", ["特に優れた 12 名を表彰。", "表彰式は 3 月に開催した。"], 12),
    # Names given in brackets, quoted in a series, numbered, or as list items: answered.
    ("選んだ3分野って具体的にどこ？", ["3 分野（農業、漁業、林業）を選定。"], 0),
    ("連携した2団体の名称は？", ["「海の会」、「山の会」の 2 団体と連携。"], 0),
    ("整理した3つの課題はどれ？", ["課題を①人材、②資金、③設備の 3 つに整理。"], 0),
    ("新たに加わった2つの窓口ってどこ？", ["2 つの窓口が加わった。", "- 港湾相談窓口", "- 河川相談窓口"], 0),
    # Not this rule: no count stated, a kind rather than names asked, the count not quoted, English.
    ("採択されたプロジェクトの名前は？", ["令和 4 年度は 4 つのプロジェクトを採択した。"], 0),
    ("4つに整理した課題はどのようなもの？", ["課題を 4 つに整理した。"], 0),
    ("5つのサービスの名前は？", ["民間サービスを登録した。"], 0),
    # English: the same, with number words; a year is no count.
    ("Which four projects were selected?", ["令和 4 年度は 4 つのプロジェクトを採択した。"], 4),
    ("Which three sites were merged?", ["3 つのサイト（a.example、b.example、c.example）を統合。"], 0),
    ("Which projects were selected in 2022?", ["2022 年度は 4 つのプロジェクトを採択した。"], 0),
    ("Which of the 1,004 applicants passed?", ["1,004 名のうち 4 名が合格。"], 0),  # 1,004 is no 4
])
def test_names_asked_of_a_count_the_answer_quotes_without_names(question, quotes, count):
    assert unnamed(analyse(question), quotes) == count


def test_reason_names_not_given():
    query = analyse("採択された4つのプロジェクト、名前は？")
    text = reason(query, Assessment({"type_found": 1.0, "missing_document": 0.0}, None, "", unnamed=4), REPORT)
    assert text == "報告書は数（4）を記載していますが、個々の名称の記載は見つかりませんでした。"


def test_reason_type_absent():
    query = analyse("理事長は誰？")
    text = reason(query, Assessment({"type_found": 0.0, "missing_document": 0.0}, None, ""), Vocabulary())
    assert text == "質問の語句の近くに、求められている人名の記載が見つかりませんでした。"


def test_reason_term_absent_from_the_document_and_from_the_passages():
    query = analyse("相談者の男女比は？")
    nowhere = reason(query, Assessment({"type_found": 1.0, "missing_document": 1.0}, None, "男女"), REPORT)
    assert nowhere == "報告書には「男女」の記載がありません。"
    unseen = reason(query, Assessment({"type_found": 1.0, "missing_document": 0.0}, None, "男女"), Vocabulary())
    assert unseen == "関連する箇所に「男女」の記載が見つかりませんでした。"
    english = reason(analyse("What was the Laspeyres index?"),
                     Assessment({"type_found": 1.0, "missing_document": 1.0}, None, "Laspeyres"), REPORT)
    assert english == "The report never mentions “Laspeyres”."


def test_reason_names_what_the_documents_are():
    query = analyse("相談者の男女比は？")
    assessment = Assessment({"type_found": 1.0, "missing_document": 1.0}, None, "男女")
    assert reason(query, assessment, Vocabulary()) == "文書には「男女」の記載がありません。"  # a manual
    assert reason(query, assessment, REPORT) == "報告書には「男女」の記載がありません。"
    english = reason(analyse("What was the Laspeyres index?"),
                     Assessment({"type_found": 1.0, "missing_document": 1.0}, None, "Laspeyres"), Vocabulary())
    assert english == "The document never mentions “Laspeyres”."


def test_documents_are_called_by_their_profile():
    report, manual = DocProfile("a.pdf", "self-evaluation"), DocProfile("b.pdf", "generic")
    assert Vocabulary.of([report]).called == ("報告書", "report")
    assert Vocabulary.of([manual]).called == Vocabulary.of([report, manual]).called == ("文書", "document")


def test_the_documents_items_are_all_their_numbered_items_in_report_order():
    from ingest.profile import Item

    items = (Item("overview", "概要", "概要"), Item("II", "Ⅱ", "業務運営"), Item("I-2", "Ⅰ－２", "研究開発の推進と成果の普及"),
             Item("I-1", "Ⅰ－１", "観測"))  # short titles too: 「業務運営」 names item Ⅱ as well
    vocabulary = Vocabulary.of([DocProfile("x", "self-evaluation", items=items)])
    assert vocabulary.items == ("I-1", "I-2", "II")
    assert _no_item(analyse("Ⅱの評定は？", vocabulary), vocabulary) == ""
    assert _no_item(analyse("Ⅲの評定は？", vocabulary), vocabulary) == "III"


def test_reason_year_outside_comes_first():
    vocabulary = Vocabulary.of([DocProfile("x", "self-evaluation", years=(2018, 2019, 2020), report_year=2020)])
    query = analyse("令和3年度の総合評定は？", vocabulary)
    text = reason(query, Assessment({"type_found": 0.0, "missing_document": 1.0}, 2021, "x"), vocabulary)
    assert text == "この報告書は平成30〜令和2年度を対象としており、令和3年度の実績は記載がありません。"


def test_the_signals_behind_reasons_i_and_iii(mera):
    _, reading, _ = mera.read("観測ブイを設置した担当者は誰？")
    assert reading.assessment.features["type_found"] == 0.0  # no person's name near those terms
    _, reading, _ = mera.read("説明会の男女比は？")
    assert reading.assessment.features["missing_document"] == 1.0
    assert reading.assessment.missing_term == "男女"
    _, reading, _ = mera.read("観測ブイは何基設置した？")
    assert reading.assessment.features["type_found"] == 1.0 and reading.assessment.missing_term == ""
    # Two asks: no name is given, but the count is, and the count is answered.
    _, reading, _ = mera.read("観測ブイは何基設置して、担当者は誰？")
    assert len(reading.parts) == 2 and reading.assessment.features["type_found"] == 1.0


def test_an_english_name_printed_in_japanese_is_not_missing():
    from qa.reader.refusal import _missing

    query = analyse("How many trainees came from the Indo-Pacific region for the Japan-US week?")
    (share, nowhere), term = _missing(query, Vocabulary(), frozenset(), "", "インド太平洋地域から日米共催の…")
    assert (share, nowhere, term) == (0.0, 0.0, "")  # the dictionary's and the glossary's words are there
    (share, nowhere), term = _missing(query, Vocabulary(), frozenset(), "", "日米共催の…")
    assert (share, nowhere, term) == (0.5, 1.0, "Indo-Pacific")


def test_only_topic_nouns_can_be_missing_terms():
    from qa.reader.refusal import _missing, _nouns

    # 最初 and 一度 work as adverbs (Sudachi: 副詞可能); a report that never prints them may still answer.
    query = analyse("最初に一度だけ登録された相談窓口の男女比は？")
    assert _nouns(query.norm, Vocabulary()) == ["登録", "男女"]
    (share, nowhere), term = _missing(query, Vocabulary(), frozenset({"登録"}), "", "相談窓口 登録")
    assert (share, nowhere, term) == (0.5, 1.0, "男女")


def test_a_latin_name_the_document_never_prints_is_missing():
    from qa.reader.refusal import _missing

    # English: "Terraform" is no English word; "deploy" and "cluster" are, and are not looked for.
    query = analyse("How do I deploy a cluster with Terraform?")
    assert _missing(query, Vocabulary(), frozenset(), "", "クラスタの構築") == ((1.0, 1.0), "Terraform")
    assert _missing(query, Vocabulary(), frozenset(), "", "terraform のクラスタ") == ((0.0, 0.0), "")
    # Japanese: looked for as printed in the passages (the tokenizer may cut riscv64 into riscv and 64).
    query = analyse("riscv64 で使えるパッケージ数は？")
    (share, nowhere), term = _missing(query, Vocabulary(), frozenset({"パッケージ", "数"}), "riscv64 の",
                                      "riscv64 の パッケージ")
    assert (nowhere, term) == (0.0, "")
    (share, nowhere), term = _missing(query, Vocabulary(), frozenset({"パッケージ"}), "amd64 の", "amd64")
    assert (nowhere, term) == (1.0, "riscv64")


def test_words_that_ask_for_a_breakdown_or_details_are_not_what_the_question_is_about():
    from qa.reader.terms import content_terms

    terms = content_terms("会員って何人？内訳と詳細も", frozenset())
    assert "会員" in terms and not {"内訳", "詳細"} & set(terms)


def test_a_lead_in_about_the_asker_is_no_part_of_what_is_asked():
    from qa.reader.terms import asked_part

    assert asked_part("課長に頼まれたんだけど、説明会には何人来た？") == "説明会には何人来た？"
    assert asked_part("報告書を書いているんですが、説明会の満足度は？") == "説明会の満足度は？"
    # A lead-in that names the topic is what is asked about.
    assert asked_part("説明会の件なんだけど、何人来た？") == "説明会の件なんだけど、何人来た？"
    assert asked_part("説明会には何人来た？") == "説明会には何人来た？"


def test_a_word_only_the_lead_in_uses_is_no_term_the_report_lacks():
    from qa.reader.refusal import _missing

    vocabulary = Vocabulary(words={"説明会": 3, "人": 5})
    text = "説明会には 394 名が視聴した。"
    query = analyse("同僚に頼まれたんだけど、説明会には何人来た？", vocabulary)
    (share, nowhere), term = _missing(query, vocabulary, frozenset({"説明会"}), text, text)
    assert (nowhere, term) == (0.0, "")


def test_a_figures_sign_asked_in_words_is_not_what_the_question_is_about():
    from qa.reader.terms import content_terms

    terms = content_terms("試験勘定の経常利益はマイナスになってる？", frozenset())  # printed △121,171
    assert "利益" in terms and "マイナス" not in terms


def test_a_loanword_typed_in_hiragana_is_matched_in_katakana():
    words = {"コスト": 3, "ポータル": 1, "ステップ": 1, "アップ": 2}
    assert analyse("行政こすとはいくら？", Vocabulary(words=words)).lexical == "行政こすとはいくら? コスト"
    assert analyse("にすてっぷあっぷした", Vocabulary(words=words)).lexical.split()[1:] == ["ステップ", "アップ"]
    assert analyse("ひつようだった？", Vocabulary(words=words)).lexical == "ひつようだった?"  # no such word


def test_a_noun_the_documents_never_use_is_searched_in_their_words_for_it():
    words = {"部品": 3, "数": 9}
    assert analyse("パーツの数は？", Vocabulary(words=words)).lexical.split()[1:] == ["部品"]
    # A noun the documents use is searched as it is, not widened to its synonyms.
    assert analyse("部品の数は？", Vocabulary(words={**words, "パーツ": 1})).lexical == "部品の数は?"


def test_a_typing_slip_is_not_a_missing_term():
    from qa.reader.refusal import _missing
    from qa.reader.slips import slipped_from as _slipped_from

    words = {"保証": 3, "カード": 1, "ネットワーク": 2, "評定": 4}
    assert _slipped_from("保障", words) == ["保証"]  # the IME's other kanji for ホショウ
    assert _slipped_from("カート", words) == ["カード"] and _slipped_from("ネトワーク", words) == ["ネットワーク"]
    assert _slipped_from("男女", words) == []
    assert _slipped_from("個数", {"工数": 1}) == ["工数"]  # コスウ typed for コウスウ: a vowel held short
    query = analyse("製品の保障期間は何年？")
    vocabulary = Vocabulary(words=words)
    assert _missing(query, vocabulary, frozenset({"保証", "製品", "期間"}), "", "保証")[0][1] == 0.0


def test_a_word_the_document_prints_in_other_words_is_not_missing():
    from qa import lexicon
    from qa.reader.refusal import _missing

    assert "日付" in lexicon.synonyms("年月日") and "部品" in lexicon.synonyms("パーツ")  # SudachiDict's groups
    text = "申込書には提出の日付を書く。"
    query = analyse("申込書にはどの年月日を書く？")
    assert _missing(query, Vocabulary(), frozenset({"申込書", "日付"}), text, text)[0] == (0.0, 0.0)
    # A synonym in Latin letters is not looked for inside English words: TEL is not in "hotel".
    assert "TEL" in lexicon.synonyms("電話")
    (share, nowhere), term = _missing(analyse("電話の件数は？"), Vocabulary(), frozenset(), "hotel", "hotel")
    assert (nowhere, term) == (1.0, "電話")


def test_a_slip_inside_a_katakana_compound_and_an_english_plural_are_not_missing():
    from qa.reader.refusal import _missing
    from qa.reader.slips import printed_as

    text = "・プライバシーポリシーの改定。ポイント・カードシステムを導入。url の一覧"
    assert printed_as("プライバシポリシー", text) and printed_as("ポイントカードシステム", text)
    assert not printed_as("カスタマーサポート", text)
    query = analyse("Which URLs does the appendix list?")  # URLs is printed as URL
    assert _missing(query, Vocabulary(), frozenset(), "", text) == ((0.0, 0.0), "")


def test_an_items_ratings_over_the_years_come_from_the_rating_summary(mera):
    answer = mera.ask("Ⅰ－４の評定は令和2年度から令和4年度までどうだった？")
    assert answer.citations[0].quote == "S A A I-4"
    assert "令和2年度: S、令和3年度: A、令和4年度: A" in answer.text and answer.span.text == "S"
    # An item named by number, no year: its line too, not another item's or the overall rating.
    answer = mera.ask("Ⅰ－５の評定は？")
    assert answer.citations[0].quote == "B B A I-5" and "令和4年度: A" in answer.text


def test_a_row_and_item_named_by_number_are_looked_up_first(mera):
    # The fake embedder ranks passages at random: the lookup, not the ranking, finds the cells.
    answer = mera.ask("Ⅰ－２の令和3年度の予算額と従事人員数は？")
    quotes = [c.quote for c in answer.citations[:2]]
    assert not answer.refused and all(c.item == "I-2" for c in answer.citations[:2])
    assert any("予算額" in q for q in quotes) and any(q.startswith("従事人員数") for q in quotes)
    assert "2,200" in answer.text and "21" in answer.text
