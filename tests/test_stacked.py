"""Tables printed cell by cell (ingest.stacked): rows put back together, on made-up pages."""

from ingest.layout import merge_lines
from ingest.records import Page
from ingest.stacked import rows_down, unstack
from ingest.tables import rows_from_text


def lines(text: str) -> list[dict]:
    return [{"text": t, "x0": 36.0, "x1": 36.0 + 9 * len(t), "size": 9.0, "font": "Gothic"}
            for t in text.split("\n")]


def unstacked(text: str) -> list[str]:
    return [line["text"] for line in unstack(lines(text))]


def down(text: str) -> list[str]:
    return [line["text"] for line in rows_down(lines(text))]


def rows_by_label(out: list[str], page: int) -> dict:
    """The table reader's rows of the lines `out`, printed on page `page`, by their label."""
    return {r.label: r for r in rows_from_text([Page(page, str(page), "\n".join(out))])}


STACKED = """○会館勘定 （単位：百万円）
区別 予算 決算 主な増減要因
収入
会費収入
寄附金収入
計
410
25
435
398
31
429
・会費収入の減少は、会員数の減によるものである。
支出
運営経費
計
435
435
402
402"""


def test_stacked_cells_become_rows_under_the_budget_header():
    out = unstacked(STACKED)
    assert out[:7] == ["○会館勘定 （単位：百万円）", "区別 予算 決算 主な増減要因", "収入",
                       "会費収入 410 398", "寄附金収入 25 31", "計 435 429",
                       "・会費収入の減少は、会員数の減によるものである。"]
    assert out[7:] == ["支出", "運営経費 435 402", "計 435 402"]  # the header above is still in force


def test_rows_put_back_are_never_joined_and_the_table_reader_names_their_cells():
    text = "\n".join(line["text"] for line in merge_lines(unstack(lines(STACKED)), 800.0))
    assert "収入\n会費収入 410 398\n" in text  # not 「収入会費収入…」
    rows = {(r.label, r.values): r for r in rows_from_text([Page(3, "3", text)])}
    row = rows[("寄附金収入", ("25", "31"))]
    assert (row.cell("予算"), row.cell("決算"), row.unit) == ("25", "31", "百万円")


def test_without_a_budget_header_or_with_a_count_that_does_not_divide_nothing_changes():
    plain = "研修の参加者\n受講者\n120\n80"
    assert unstacked(plain) == plain.split("\n")
    odd = "区別 予算 決算\n会費収入\n寄附金収入\n410\n25\n398"  # three figures for two rows of two
    assert unstacked(odd) == odd.split("\n")


YEAR_CELLS = """指標等 平成 30 年度 令和元年度 令和 2 年度
予算額
（千円）
120,500
【ほか
45,000】
130,250
【ほか
47,500
】
実績値
3 件 5 件 8 件
従事人員数 12
【ほか 4】 13 【ほか 5】
受講者数
40
名
52
名"""


def test_year_cells_broken_over_lines_become_one_row_each_with_their_notes_and_units():
    out = down(YEAR_CELLS)
    assert out[1:] == ["予算額（千円） 120,500 【ほか 45,000】 130,250 【ほか 47,500 】",
                       "実績値 3 件 5 件 8 件",
                       "従事人員数 12 【ほか 4】 13 【ほか 5】",
                       "受講者数 40 名 52 名"]
    rows = rows_by_label(out, 2)
    assert rows["予算額(千円)"].year_cell(2019) == ("令和元年度", "130,250 【ほか 47,500 】")
    assert rows["受講者数"].values == ("40 名", "52 名")


def test_without_a_year_header_figures_a_line_each_stay_as_they_are():
    plain = "受講者数\n40\n52"
    assert down(plain) == plain.split("\n")


PARTS = """評価対象となる指標 達成目標 基準値 令和2年度 令和3年度 令和4年度
管理経費（人件費を除く）
実績値（千円） － 512,300
(元年度実績値)
498,100
うち削減対象経費：
450,200
(組替後：499,000)
487,650
うち削減対象経費：
441,900
475,020
うち削減対象経費
430,010
（注） 上記は物件費相当額。"""


def test_cells_holding_a_part_become_a_row_and_a_part_row_with_the_reference_columns_apart():
    out = down(PARTS)
    assert out[2:] == ["実績値(千円) 498,100 487,650 475,020",
                       "うち削減対象経費 450,200 441,900 430,010",
                       "実績値(千円)（参考） 512,300 (元年度実績値) (組替後:499,000)",
                       "（注） 上記は物件費相当額。"]
    rows = rows_by_label(out, 3)
    assert rows["実績値(千円)"].year_cell(2022) == ("令和4年度", "475,020")
    assert rows["うち削減対象経費"].year_cell(2020) == ("令和2年度", "450,200")
    assert "管理経費" in rows["実績値(千円)"].context
    assert not any("参考" in label for label in rows)  # the reference columns are not fiscal years


def test_a_lone_part_is_an_aside_and_figures_that_fit_no_cell_leave_the_lines_alone():
    aside = "令和2年度 令和3年度\n受講者数 40\nうち女性：\n12\n52"
    assert down(aside)[1] == "受講者数 40"
    stray = PARTS.replace("475,020\n", "475,020\n9,999\n")  # a figure between a part and the next cell
    assert "うち削減対象経費 450,200 441,900 430,010" not in down(stray)
