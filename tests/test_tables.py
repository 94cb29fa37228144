"""The table reader (ingest.tables): year-column and budget rows from page lines, ruled cells, and
naming the asked cell; known answers on made-up pages."""

from ingest.records import Page
from ingest.tables import TableRow, read_tables, rows_from_cells, rows_from_text, year_header

YEAR_TABLE = """２．主要な経年データ
②主要なインプット情報（財務情報及び人員に関する情報）
平成
30 年度令和元年度令和
2 年度令和
3 年度
予算額（千円） 1,111,000 2,222,000 3,333,000
決算額（千円） 1,000,500 2,000,600 3,000,700
実績値
139 社 175 社 273 社
従事人員数 16 【ほか 38】 18 【ほか 42】 22 【ほか 43】
これは本文の文章であり、数字 12 件 と 3 件 を含むが表ではない。"""

BUDGET = """○一般勘定 （単位：百万円）
区別 予算 決算
運営費交付金 8,999 8,999
国庫補助金 2,200 1,181"""


def _rows(text: str, number: int = 4) -> list[TableRow]:
    return rows_from_text([Page(number, str(number), text)])


def test_year_header_reads_wrapped_cells():
    assert year_header("平成\n30 年度令和元年度令和\n2 年度令和\n3 年度") == ("平成30年度", "令和元年度", "令和2年度",
                                                                     "令和3年度")
    assert year_header("令和 2 年度に開始した") == ()  # one year is prose, not a header


def test_year_rows_with_label_headers_values_and_unit():
    rows = {r.label: r for r in _rows(YEAR_TABLE)}
    budget = rows["予算額(千円)"]
    assert budget.values == ("1,111,000", "2,222,000", "3,333,000")
    assert budget.headers == ("平成30年度", "令和元年度", "令和2年度")
    assert budget.unit == "千円" and budget.page == 4
    assert budget.year_cell(2020) == ("令和2年度", "3,333,000")
    assert budget.year_cell(2021) is None


def test_a_sub_row_takes_its_label_from_the_line_above_and_keeps_notes():
    rows = {r.label: r for r in _rows(YEAR_TABLE)}
    assert rows["実績値"].values == ("139 社", "175 社", "273 社")
    assert rows["従事人員数"].values[2] == "22 【ほか 43】"


def test_prose_with_figures_is_no_row():
    assert not any("本文" in r.label for r in _rows(YEAR_TABLE))


def test_budget_columns():
    rows = {r.label: r for r in _rows(BUDGET)}
    assert rows["国庫補助金"].cell("決算") == "1,181"
    assert rows["国庫補助金"].unit == "百万円"


def test_ruled_cells_are_kept_only_when_the_page_prints_the_row():
    text = "区分 令和元年度 令和2年度\n受講者数 120 150\n"
    cells = [[["区分", "令和元年度", "令和2年度"], ["受講者数", "120", "150"], ["幽霊", "1", "2"]]]
    rows = rows_from_cells(7, cells, text)
    assert [(r.label, r.year_cell(2020)) for r in rows] == [("受講者数", ("令和2年度", "150"))]
    assert rows[0].source == "ruled"


def test_read_tables_merges_both_sources_and_round_trips():
    page = Page(1, "1", "区分 令和元年度 令和2年度\n受講者数 120 150")
    rows = read_tables([page], {1: [[["区分", "令和元年度", "令和2年度"], ["受講者数", "120", "150"]]]})
    assert {r.source for r in rows} == {"text", "ruled"}
    assert TableRow.from_dict(rows[0].to_dict()) == rows[0]


INDICATORS = """指標等 平成 30 年度 令和元年度 令和 2 年度
地域の相談窓口に寄せられた相談の件数
計画値 100 件 100 件 100 件
実績値 120 件 140 件 90 件
出前講座の受講者
に占める若年層の割合
実績値 31% 35% 40%"""


def test_rows_under_an_indicator_carry_its_name_even_when_wrapped():
    rows = _rows(INDICATORS)
    assert "相談の件数" in rows[1].context and rows[1].values[1] == "140 件"
    assert "出前講座の受講者 に占める若年層の割合" in rows[2].context
    assert "相談の件数" not in rows[2].context


def test_a_label_above_its_figures_drops_the_figure_of_the_cell_beside_it():
    text = "指標等 平成 30 年度 令和元年度 令和 2 年度\n計画値\n500 件予算額（千円）\n1,100 1,200 1,300"
    row = _rows(text)[0]
    assert (row.label, row.name, row.values[2]) == ("予算額（千円）", "予算額", "1,300")


def test_a_label_left_at_the_end_of_the_row_line_above_names_the_next_row():
    # Two tables side by side: the input table's label ends the indicator's row of figures.
    text = "指標等 平成 30 年度 令和元年度 令和 2 年度\n実績値\n10 件 12 件 14 件決算額（千円）\n900 950 990"
    rows = _rows(text)
    assert [(r.label, r.values[0]) for r in rows] == [("実績値", "10 件"), ("決算額(千円)", "900")]


def test_a_row_name_leaves_out_figures_of_the_cell_beside_it():
    row = TableRow(3, "件 延べ 50 件予算額（千円）", ("1", "2"), ("平成30年度", "令和元年度"))
    assert row.name == "予算額"
    assert TableRow(3, "IT 人材白書 2020", ("1", "2"), ("", "")).name == "IT人材白書2020"


def test_a_question_names_a_row_by_its_label_or_an_amount_by_its_word():
    budget = TableRow(3, "予算額（千円）", ("1", "2"), ("令和元年度", "令和2年度"))
    assert budget.named_in("Ⅰ－３の予算はいくら") and budget.named_in("Ⅰ－３の予算額は")
    assert not budget.named_in("Ⅰ－３の決算は")
    assert not TableRow(3, "達成度", ("1", "2"), ("", "")).named_in("達成")  # only 額 drops


def test_a_bracketed_cell_of_the_header_does_not_replace_the_tables_caption():
    page = Page(9, "9", "○海洋勘定 （単位：百万円）\n令和 2 年度末\n（初年度）\n令和 3 年度末 令和 4 年度末\n（最終年度）\n"
                        "積立金 10 20 30\n○陸上勘定 （単位：百万円）\n令和 2 年度末 令和 3 年度末 令和 4 年度末\n積立金 1 2 3")
    sea, land = [r for r in rows_from_text([page]) if r.label == "積立金"]
    assert "海洋勘定" in sea.context and "陸上勘定" in land.context
