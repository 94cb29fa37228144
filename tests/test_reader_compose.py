"""Composing the answer (qa.reader.compose), on a made-up page."""

from ingest.records import Chunk, Page
from qa.query import Vocabulary, analyse
from qa.reader.candidates import Candidate
from qa.reader.compose import _with_cause, compose
from qa.records import Hit

PAGE = Page(5, "4", "設定は起動時に一度だけ読まれる。\n"
                    "その値はマクロであってトークンではない。従って，\n"
                    "\\show のような命令はエラーとなる．")


def cand(text):
    chunk = Chunk("c1", "doc.pdf", "", "§1", 5, 5, text)  # the passage opens with the consequence
    return Candidate(text, Hit(chunk, 1.0, 1, 1), rank=0, index=0)


def test_a_consequence_is_quoted_with_its_cause_from_the_page():
    quote = "従って，\\show のような命令はエラーとなる．"
    assert _with_cause(quote, 5, cand(quote), [PAGE]) == (
        "その値はマクロであってトークンではない。" + quote, 5)


def test_a_quote_that_is_no_consequence_is_kept():
    quote = "設定は起動時に一度だけ読まれる。"
    assert _with_cause(quote, 5, cand(quote), [PAGE]) == (quote, 5)


def test_the_line_pointed_at_on_the_next_page_is_cited_on_that_page():
    sentence = "寸法を得るには，代わりに次の命令を使用する．"
    pages = [Page(5, "4", "\\wd は組方向に依存しない．\n" + sentence), Page(6, "5", "\\ltjgetwd⟨num⟩\n寸法を返す．")]
    chunk = Chunk("c1", "doc.pdf", "", "§1", 5, 5, sentence)  # the passage ends with its page
    composed = compose([Candidate(sentence, Hit(chunk, 1.0, 1, 1), rank=0, index=0)],
                       analyse("寸法を得るには？"), {"doc.pdf": pages}, Vocabulary())
    assert [(c.quote, c.page, c.page_label) for c in composed.citations] == [
        (sentence, 5, "4"), ("\\ltjgetwd⟨num⟩", 6, "5")]


def test_a_cell_gets_the_rows_unit_only_when_it_is_a_bare_figure():
    from ingest.tables import TableRow
    from qa.reader.compose import _cells

    headers = ("令和元年度", "令和2年度")
    share = TableRow(81, "残存率 (b÷a)", ("19.2%", "51.7%"), headers, unit="百万円", line="残存率 (b÷a) 19.2% 51.7%")
    money = TableRow(81, "交付額 (a)", ("6,527 【ほか 43】", "-"), headers, unit="百万円",
                     line="交付額 (a) 6,527 【ほか 43】 -")
    query = analyse("令和元年度と令和2年度は？")
    assert _cells(share, query, Vocabulary())[0] == "令和元年度: 19.2%、令和2年度: 51.7%"
    assert _cells(money, query, Vocabulary())[0] == "令和元年度: 6,527百万円 【ほか 43】、令和2年度: -"


def test_the_command_printed_under_a_sentence_is_quoted_with_it():
    sentence = "保守用の運用モードでは端末から電源を安全に停止できます。"
    pages = [Page(32, "4", "電源を切る前に手順を取ります。\n" + sentence + "\n# halt -p\n次の節。")]
    chunk = Chunk("c1", "doc.pdf", "", "§1", 32, 32, "電源を切る前に手順を取ります。\n" + sentence)
    composed = compose([Candidate(sentence, Hit(chunk, 1.0, 1, 1), rank=0, index=1)],
                       analyse("停止するにはどのコマンド？"), {"doc.pdf": pages}, Vocabulary())
    assert [c.quote for c in composed.citations] == [sentence, "# halt -p"]


def test_a_long_quote_is_cut_to_clauses_but_never_inside_brackets():
    from qa.reader.compose import trim
    from qa.reader.spans import Span

    text = ("・換気や座席間隔の確保等の取組を公表するとともに、消毒液と検温器を試験会場に用意するなど、"
            "10 月試験（応募者約 8.3 万人、213 会場、6 区分実施）において感染予防対策を徹底し、"
            "大きな混乱やクラスターを発生させることなく着実に実施し、合格者約 1.2 万人を輩出する高度 IT 人材の"
            "育成に貢献したことを評価するとともに、次の試験に向けて会場の確保を進めた。")
    at = text.index("8.3")
    c = Candidate(text, Hit(Chunk("c1", "doc.pdf", "", "§1", 5, 5, text), 1.0, 1, 1), rank=0, index=0,
                  spans=(Span("number", at, at + 6, "人"),))
    assert trim(text, c) == "10 月試験（応募者約 8.3 万人、213 会場、6 区分実施）において感染予防対策を徹底し、"


def test_a_short_quote_goes_on_with_the_sentence_after_it_on_its_line():
    line = "version=⟨version⟩（任意，既定値は 1） JFM のバージョン．1,2,3 がサポートされる．"
    head = "version=⟨version⟩（任意，既定値は 1） JFM のバージョン．"
    text = "JFM は次の書式で書く．\n" + line + "\n• 次の項目．"
    pages = [Page(5, "4", text)]
    chunk = Chunk("c1", "doc.pdf", "", "§1", 5, 5, text)
    composed = compose([Candidate(head, Hit(chunk, 1.0, 1, 1), rank=0, index=1)],
                       analyse("JFM の version に書ける値は？"), {"doc.pdf": pages}, Vocabulary())
    assert [c.quote for c in composed.citations] == [line]


def test_a_short_quote_keeps_apart_from_a_new_item_and_from_a_sentence_already_quoted():
    text = "• 文字コードは UTF-8 固定である．EUC-JP は使用できない．\n• 動作が遅い．\n• 次の項目．"
    pages = [Page(5, "4", text)]
    chunk = Chunk("c1", "doc.pdf", "", "§1", 5, 5, text)
    chosen = [Candidate(t, Hit(chunk, 1.0, 1, 1), rank=0, index=i) for i, t in
              enumerate(["EUC-JP は使用できない．", "• 動作が遅い．", "• 文字コードは UTF-8 固定である．"])]
    composed = compose(chosen, analyse("EUC-JP で書いてもいい？"), {"doc.pdf": pages}, Vocabulary())
    assert [c.quote for c in composed.citations] == [
        "EUC-JP は使用できない．", "• 動作が遅い．", "• 文字コードは UTF-8 固定である．"]
