"""Reading order (ingest.columns): side-by-side blocks one side at a time, table rows across."""

import pytest

from ingest.columns import reading_order


def word(text, x0, top, size=10.0, baseline=None):
    width = len(text) * size * 0.5
    return {"text": text, "x0": x0, "x1": x0 + width, "top": top, "bottom": top + size, "size": size,
            "baseline": baseline if baseline is not None else top + size * 0.8}


def lines_of(words):
    return [" ".join(w["text"] for w in line) for line in reading_order(words)]


def test_source_beside_its_output_is_read_source_first():
    """A listing (8 pt, 10 pt apart) beside its typeset output (10 pt, 15 pt apart): baselines differ."""
    words = [word("before the example", 70, 80)]
    words += [word(f"code{i}", 70, 100 + 10 * i, size=8) for i in range(4)]
    words += [word(f"out{i}", 300, 102 + 15 * i) for i in range(3)]
    words += [word("after the example", 70, 160)]
    assert lines_of(words) == ["before the example", "code0", "code1", "code2", "code3",
                               "out0", "out1", "out2", "after the example"]


def test_table_rows_on_shared_baselines_are_read_across():
    words = []
    for row, cells in enumerate([("name", "value", "unit"), ("alpha", "12", "kg"), ("beta", "7", "m"),
                                 ("gamma", "3", "s")]):
        words += [word(text, 70 + 120 * col, 100 + 14 * row) for col, text in enumerate(cells)]
    assert lines_of(words) == ["name value unit", "alpha 12 kg", "beta 7 m", "gamma 3 s"]


def test_two_columns_of_prose_are_read_column_by_column():
    left = ["the left column starts here", "and runs on for a while", "until the column ends"]
    right = ["the right column comes next", "after the left one is read", "and finishes the page"]
    words = []
    for row, (a, b) in enumerate(zip(left, right, strict=True)):
        words += [word(a, 60, 100 + 14 * row), word(b, 320, 100 + 14 * row)]
    assert lines_of(words) == left + right


def test_a_wrapped_table_cell_keeps_its_rows():
    """A description wrapping over lines beside a short name: rows share baselines, so rows stay."""
    words = [word("key", 70, 100), word("the description of the key", 200, 100),
             word("wraps onto a second line", 200, 114),
             word("other", 70, 128), word("a second description", 200, 128)]
    assert lines_of(words) == ["key the description of the key", "wraps onto a second line",
                               "other a second description"]


def test_a_single_column_page_keeps_its_order():
    words = [word(f"line {i} of running text in one column", 70, 100 + 14 * i) for i in range(6)]
    assert lines_of(words) == [f"line {i} of running text in one column" for i in range(6)]


@pytest.mark.slow
def test_the_manuals_listings_come_before_their_output(luatexja):
    """PDF page 15: numbered source lines beside their typeset output, read source first."""
    lines = luatexja.pages[14].text.splitlines()
    source = lines.index("2 \\[ y=(x-1)^2+2\\quad よって\\quad y>0 \\]")
    output = lines.index("𝑦 = (𝑥 − 1)2 + 2 よって 𝑦 > 0")
    assert source < output and lines[source + 1].startswith("3 $5\\in 素")


def test_a_ruled_tables_rows_are_read_across_though_a_wrapped_cell_leaves_a_gutter():
    """A Word table: short names on the left, a description wrapped over several lines beside them.
    Without its box the sides read as two blocks, and the heading under the table joins the left one."""
    words = [word("name", 70, 100), word("description", 200, 100)]
    for i, (name, lines) in enumerate([("alpha", ["alpha does", "many things", "well"]),
                                       ("beta", ["beta does", "fewer"])]):
        top = 114 + 14 * 3 * i
        words += [word(name, 70, top)] + [word(text, 200, top + 14 * j) for j, text in enumerate(lines)]
    words.append(word("Next heading", 60, 186))
    order = ["name description", "alpha alpha does", "many things", "well", "beta beta does", "fewer",
             "Next heading"]
    assert lines_of(words) != order
    box = (65.0, 95.0, 330.0, 182.0)
    assert [" ".join(w["text"] for w in line) for line in reading_order(words, tables=(box,))] == order
