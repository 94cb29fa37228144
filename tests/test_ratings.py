"""The rating summary of the self-evaluation form read as rows (ingest.ratings), on a made-up page."""

from ingest.ratings import rating_rows
from ingest.records import Page

SUMMARY = Page(3, "3", """項目別評定総括表
令和2年度令和3年度令和
4 年度
観測網の整備
S A B I-1
業務運営の効率化 B B C II
全体として A A 良好
評定は前年と同じ。
""")


def test_each_items_line_of_ratings_is_a_row_under_the_years():
    rows = rating_rows([SUMMARY])
    assert [(r.item, r.label, r.values, r.line) for r in rows] == [
        ("I-1", "", ("S", "A", "B"), "S A B I-1"),  # its title is the line above
        ("II", "業務運営の効率化", ("B", "B", "C"), "業務運営の効率化 B B C II")]
    assert rows[0].headers == ("令和2年度", "令和3年度", "令和4年度") and rows[0].context == "観測網の整備"
    assert rows[1].year_cell(2022) == ("令和4年度", "C")


def test_no_rating_rows_without_a_header_of_years():
    page = Page(4, "4", "業務運営の効率化 B B C II\n")
    assert not rating_rows([page])
