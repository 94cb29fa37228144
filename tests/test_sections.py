"""Sections from the report's own structure, boilerplate found statistically, heading rules."""

from __future__ import annotations

import re

import pytest

from ingest import Page, find_boilerplate, split_sections, squash
from ingest.boilerplate import strip_boilerplate
from ingest.headings import CIRCLED, ITEM, MAX_TITLE, PART, SUB, SUBTOPIC, TOPIC, Context, find_heading
from ingest.pages import split_report_pages
from ingest.styles import doc_style_of
from tests.helpers import REPORT_TXT

PAGE_HEADER = "３．各事業年度の業務に係る目標、計画、業務実績、年度評価に係る自己評価及び主務大臣による評価"
COLUMN_ROW = "中期目標 中期計画 年度計画 主な評価指標 法人の業務実績・自己評価 主務大臣による評価"
# Where each item starts in the report (pages as split_report_pages and the sample PDF number them):
# the 1-1-x overview forms on p.1-3; the I-1 and II forms open with a 1-1-4-N line naming the item,
# I-2, I-3, III and IV with their own Ⅰ－２ / Ⅲ … line at the top of a page.
FIRST_PAGES = {"overview": 1, "I-1": 4, "I-2": 27, "I-3": 42, "II": 66, "III": 75, "IV": 82}
ITEM_TITLES = {
    "I-1": "Ⅰ－１ 新たな脅威への迅速な対応等のセキュリティ対策の強化",
    "I-2": "Ⅰ－２ 高度な能力を持つＩＴ人材の発掘・育成",
    "I-3": "Ⅰ－３ ＩＣＴに関する新しい流れを常に捉え",
    "II": "Ⅱ 業務運営の効率化に関する事項",
    "III": "Ⅲ 財務内容の改善に関する事項",
    "IV": "Ⅳ その他業務運営に関する重要事項",
}


def report_pages() -> list[Page]:
    """The sample's pages as load_pdf will give them, minus its line rejoining."""
    pages = split_report_pages(REPORT_TXT.read_text(encoding="utf-8"))
    return [
        Page(i + 1, str(i + 1), "\n".join(ln for ln in lines if ln.strip())) for i, lines in enumerate(pages)
    ]


@pytest.fixture(scope="module")
def pages() -> list[Page]:
    return report_pages()


@pytest.fixture(scope="module")
def sections(pages):
    return split_sections(pages)


def first_pages(sections) -> dict[str, int]:
    found: dict[str, int] = {}
    for section in sections:
        found.setdefault(section.item, section.page_start)
    return found


def test_every_item_found_at_its_first_page(sections):
    assert first_pages(sections) == FIRST_PAGES


def test_items_run_in_report_order_without_interleaving(sections):
    order = [s.item for s in sections]
    runs = [item for i, item in enumerate(order) if i == 0 or item != order[i - 1]]
    assert runs == list(FIRST_PAGES)


def test_item_titles_come_from_the_report(sections):
    for item, title in ITEM_TITLES.items():
        paths = {s.path[0] for s in sections if s.item == item}
        assert len(paths) == 1 and paths.pop().startswith(title[: MAX_TITLE - 1])


def test_each_item_has_the_four_numbered_parts_in_order(sections):
    for item in ITEM_TITLES:
        parts = [s.path[1][:1] for s in sections if s.item == item and len(s.path) > 1]
        assert sorted(set(parts)) == ["１", "２", "３", "４"], item
        assert parts == sorted(parts), item  # a part never comes back after the next one starts


def test_topics_nest_under_their_part(sections):
    paths = {s.path[1:] for s in sections if s.item == "I-1"}
    part3 = next(p[0] for p in paths if p[0].startswith("３．"))
    assert (part3, "＜評定と根拠＞", "[定量的指標の実績]") in paths
    assert (part3, "＜主要な業務実績＞", "［主な成果等］") in paths
    overview = {s.path for s in sections if s.item == "overview"}
    assert ("１－１－２ 中期目標管理法人 年度評価 総合評定様式", "１．全体の評定") in overview


def test_titles_are_short(sections):
    titles = {title for s in sections for title in s.path}
    assert all(0 < len(t) <= MAX_TITLE and t == t.strip() for t in titles)


def test_page_ranges_are_valid_and_in_reading_order(sections, pages):
    starts = [s.page_start for s in sections]
    assert starts == sorted(starts)
    for s in sections:
        assert 1 <= s.page_start <= s.page_end <= len(pages)
        assert s.lines and all(s.page_start <= page <= s.page_end and line for page, line in s.lines)
        assert s.lines[0][0] == s.page_start and s.lines[-1][0] == s.page_end


def test_every_page_is_covered(sections, pages):
    covered = {n for s in sections for n in range(s.page_start, s.page_end + 1)}
    assert covered == {p.number for p in pages if p.text.strip()}


def test_boilerplate_is_found_and_left_out(pages, sections):
    found = find_boilerplate(pages)
    assert {squash(PAGE_HEADER), squash(COLUMN_ROW), squash("（経済産業省で記載）")} <= found
    # Topic labels repeat on 40% of pages but are headings, and sentence tails are content.
    assert not {squash("＜評価の視点＞"), squash("［主な成果等］"), "る。"} & found
    lines = {squash(line) for s in sections for _, line in s.lines}
    assert not lines & found


def test_no_text_is_lost(pages, sections):
    """Every line is in exactly one section, less any boilerplate (whole lines or glued ends)."""
    found = find_boilerplate(pages)
    kept = [strip_boilerplate(ln, found) for p in pages for ln in p.text.splitlines()]
    assert [squash(line) for s in sections for _, line in s.lines] == [squash(ln) for ln in kept if ln]


def test_sample_pdf_gives_the_same_items(sample_pages):
    sections = split_sections(sample_pages)
    assert first_pages(sections) == FIRST_PAGES
    text = "".join(squash(line) for s in sections for _, line in s.lines)
    assert squash(COLUMN_ROW) not in text and squash(PAGE_HEADER) not in text


HEADINGS = [
    # (lines, expected (level, title, item, size) or None)
    (
        ["１－１－２ 中期目標管理法人 年度評価 総合評定様式"],
        (ITEM, "１－１－２ 中期目標管理法人 年度評価 総合評定様式", "overview", 1),
    ),
    (
        [
            "１－１－４－２ 中期目標管理法人 年度評価 項目別評定調書（業務運営の効率化に関",
            "Ⅱ 業務運営の効率化に関する事項",
        ],
        (ITEM, "Ⅱ 業務運営の効率化に関する事項", "II", 1),
    ),
    ([" Ⅲ 財務内容の改善に関する事項 "], (ITEM, "Ⅲ 財務内容の改善に関する事項", "III", 1)),
    (
        ["I-1 新たな脅威への迅速な対応等のセキュリティ対策の強化"],
        (ITEM, "I-1 新たな脅威への迅速な対応等のセキュリティ対策の強化", "I-1", 1),
    ),
    (["III．財務内容の改善に関する事項"], None),  # a row of the 1-1-3 summary table
    (["１．当事務及び事業に関する基本情報 "], (PART, "１．当事務及び事業に関する基本情報", "", 1)),
    ([PAGE_HEADER], (PART, PAGE_HEADER[: MAX_TITLE - 1] + "…", "", 1)),
    (
        ["3．項目別評価における主要な課題、改善事項など"],
        (PART, "3．項目別評価における主要な課題、改善事項など", "", 1),
    ),
    (["1.2 万人を輩出する高度 IT 人材の育成に貢献したこと"], None),
    (["51.9% 72.4% 81.6%"], None),
    (["2．主要な成果を達成した。"], None),  # a sentence
    (["第2章 調査の方法"], (PART, "第2章 調査の方法", "", 1)),
    (["1.1 背景"], (SUB, "1.1 背景", "", 1)),
    (["（１）目的"], (SUBTOPIC, "（１）目的", "", 1)),
    (["＜評定と根拠＞ "], (TOPIC, "＜評定と根拠＞", "", 1)),
    (["［定量的指標の実績］"], (SUBTOPIC, "［定量的指標の実績］", "", 1)),
    (["[主な成果等]"], (SUBTOPIC, "[主な成果等]", "", 1)),
    (["＜主な定量的指標", "＞"], (TOPIC, "＜主な定量的指標＞", "", 2)),
    (
        ["【機動的・効率的", "な組織及び人材", "育成の強化等】", "-中期目標 P.18-"],
        (TOPIC, "【機動的・効率的な組織及び人材育成の強化等】", "", 3),
    ),
    (["【機動的・効率的", "な組織及び人材の強化について詳しく述べた長い一行です"], None),  # never closes
    (["[モデル契約(解説付)]     10,692 件"], None),  # a table row
    (["【ほか 38】"], None),
    (["【基幹目標】"], None),
    (["［重要度高・", "優先度高・難", "易度高］"], None),
    (["【事業化勘定】 財政投融資特別会計から出資され、事業を実施。"], None),
    (["・J-CSIP の運用継続の中で参加組織からの情報提供を受"], None),
    (["○標的型サイバー攻撃への対応（J-CSIP、J-CRAT）"], None),
    (["評価。"], None),
]


@pytest.mark.parametrize(("lines", "expected"), HEADINGS)
def test_heading_detection(lines, expected):
    head = find_heading(lines, 0)
    got = head and (head.level, head.title, head.item, head.size)
    assert got == expected


def page(number: int, *lines: str) -> Page:
    return Page(number, str(number), "\n".join(lines))


def test_numbered_heading_out_of_sequence_is_prose():
    pages = [
        page(
            1,
            "1. はじめに",
            "本文。",
            "(5)組込み/IoT 産業の事業環境の改善についてアンケー",
            "ト調査を行った。",
        )
    ]
    assert [s.path for s in split_sections(pages)] == [("1. はじめに",)]


def test_repeated_page_header_continues_the_section():
    header = "１．各年度の評価"
    pages = [page(n, header, "＜評定と根拠＞" if n == 1 else "続きの本文", f"本文 {n}") for n in range(1, 5)]
    sections = split_sections(pages)
    assert [(s.path, s.page_start, s.page_end) for s in sections] == [((header, "＜評定と根拠＞"), 1, 4)]
    assert all(header not in line for s in sections for _, line in s.lines)


def test_without_headings_one_section_per_page():
    pages = [page(n, "社外秘", f"ページ {n} の本文です。", "続きです") for n in range(1, 6)]
    sections = split_sections(pages)
    assert [(s.item, s.page_start, s.page_end) for s in sections] == [("", n, n) for n in range(1, 6)]
    assert all(line != "社外秘" for s in sections for _, line in s.lines)  # on every page: boilerplate


def test_a_page_of_nothing_but_repeats_still_gets_a_section():
    pages = [page(n, "社外秘", "本文") for n in range(1, 5)] + [page(5, "社外秘"), page(6, "")]
    assert [s.page_start for s in split_sections(pages)] == [1, 2, 3, 4, 5]


def test_no_pages():
    assert split_sections([]) == []
    assert split_sections([page(1, ""), page(2, "  \n ")]) == []


def test_page_labels_are_boilerplate_at_page_edges_only():
    pages = [page(n, f"第{n}節の本文です。", f"- {n} -") for n in range(1, 5)]
    assert "#page#" in find_boilerplate(pages)
    lines = [line for s in split_sections(pages) for _, line in s.lines]
    assert lines == [f"第{n}節の本文です。" for n in range(1, 5)]


BODY, H1, H2, CODE = (10.0, "Mincho"), (14.4, "Gothic-Medium"), (12.0, "Gothic-Medium"), (8.0, "Mono")


def styled(number: int, *lines: tuple[str, tuple[float, str]]) -> Page:
    return Page(number, str(number), "\n".join(t for t, _ in lines), tuple(s for _, s in lines))


def test_headings_set_apart_by_type_and_list_items_set_like_the_body():
    """A LaTeX-style book: '1 はじめに' without a dot, '1.1', unnumbered '参考文献'; the numbered list
    and the numbered code lines are set like the body (or smaller) and stay text."""
    pages = [
        styled(1, ("第 I 部", H1), ("ユーザーズマニュアル", (20.7, "Gothic-Medium")), ("1 はじめに", H1),
               ("本文です．", BODY), ("1.1 背景", H2), ("背景の本文です．", BODY),
               ("1. ソースを取得する．", BODY), ("2. 展開する", BODY), ("1 \\input line", CODE)),
        styled(2, ("2 使い方", H1), ("使い方の本文です．", BODY), ("2.1 インストール", H2), ("手順です．", BODY),
               ("参考文献", H1), ("[1] 文献．", BODY)),
    ]
    paths = [s.path for s in split_sections(pages)]
    assert paths == [
        ("第 I 部 ユーザーズマニュアル", "1 はじめに"),
        ("第 I 部 ユーザーズマニュアル", "1 はじめに", "1.1 背景"),
        ("第 I 部 ユーザーズマニュアル", "2 使い方"),
        ("第 I 部 ユーザーズマニュアル", "2 使い方", "2.1 インストール"),
        ("第 I 部 ユーザーズマニュアル", "参考文献"),
    ]
    text = "\n".join(s.text for s in split_sections(pages))
    assert "1. ソースを取得する．" in text and "2. 展開する" in text and "1 \\input line" in text


def test_contents_pages_give_no_headings_and_their_entries_stay_out():
    toc = styled(1, ("目次", H1), ("1 はじめに . . . . . . . . 3", BODY), ("1.1 背景 . . . . . . . . 3", BODY),
                 ("2 使い方 . . . . . . . . 5", BODY))
    body = styled(2, ("1 はじめに", H1), ("本文です．", BODY), ("1.1 背景", H2), ("背景です．", BODY),
                  ("2 使い方", H1), ("使い方です．", BODY))
    sections = split_sections([toc, body])
    assert [s.path[-1] for s in sections] == ["目次", "1 はじめに", "1.1 背景", "2 使い方"]
    assert all(". . ." not in line for s in sections for _, line in s.lines)


def test_the_first_chapter_on_the_last_contents_page_keeps_its_headings():
    """A short manual: the contents end, and section 1 starts, on the same page."""
    toc = styled(1, ("目次", H1), ("1 はじめに 1", H2), ("1.1 背景 . . . . . . . . 1", BODY),
                 ("1.2 目的 . . . . . . . . 1", BODY), ("1.3 範囲 . . . . . . . . 1", BODY), ("2 使い方 2", H2),
                 ("1 はじめに", H1), ("本文です．", BODY), ("1.1 背景", H2), ("背景です．", BODY), ("1.2 目的", H2),
                 ("目的です．", BODY), ("1.3 範囲", H2), ("範囲です．", BODY))
    body = styled(2, ("2 使い方", H1), ("使い方です．", BODY))
    sections = split_sections([toc, body])
    assert [s.path[-1] for s in sections] == ["目次", "1 はじめに", "1.1 背景", "1.2 目的", "1.3 範囲", "2 使い方"]
    # Its entries stay out, those without leaders too: they would read as a passage of titles and numbers.
    assert sections[0].text == "目次" and sections[1].text == "1 はじめに\n本文です．"


def test_appendix_references_in_a_sentence_are_no_headings():
    assert find_heading(["資料１のとおり実施した"], 0) is None and find_heading(["資料編"], 0) is None
    assert find_heading(["第2 回目の会合"], 0) is None and find_heading(["第１条の規定により"], 0) is None


def test_numbered_items_nest_under_a_guides_bare_chapter_numbers():
    """A 手引き: "第１ 総則" is a chapter without 章, and its "１．目的" sits below it."""
    pages = [styled(1, ("第１ 総則", H2), ("１．目的", GOTHIC), (TEXT, BODY), ("２．定義", GOTHIC), (TEXT, BODY),
                    ("第２ 手続", H2), ("１．申請", GOTHIC), (TEXT, BODY))]
    assert [s.path for s in split_sections(pages)] == [
        ("第１ 総則", "１．目的"), ("第１ 総則", "２．定義"), ("第２ 手続", "１．申請")]


def test_headings_without_numbers_are_found_by_their_size():
    """A web page printed to PDF: '名前', '概要', '説明' set larger, no numbering anywhere."""
    pages = [styled(1, ("aptitude", H1), ("名前", H2), ("aptitude — パッケージマネージャ", BODY), ("概要", H2),
                    ("aptitude [options] update", CODE), ("説明", H2), ("本文です。", BODY)),
             styled(2, ("オプション", H2), ("以下のオプションがある。", BODY))]
    paths = [s.path for s in split_sections(pages)]
    assert paths == [("aptitude", "名前"), ("aptitude", "概要"), ("aptitude", "説明"), ("aptitude", "オプション")]


def test_chapter_numbers_without_a_dot_need_type_that_stands_out():
    """In type set all alike, '3 分の 2 以上' is a table row as often as a chapter."""
    pages = [page(1, "3 分の 2 以上", "本文。"), page(2, "1 はじめに", "本文。")]
    assert find_heading(["1 はじめに"], 0) is None
    assert all(len(s.path) == 1 and s.path[0] in ("3 分の 2 以上", "1 はじめに") for s in split_sections(pages))


@pytest.mark.parametrize(("line", "level"), [
    ("第5章 結果", PART), ("付録A 用語集", PART), ("Appendix B Data", PART), ("Chapter 3 Methods", PART),
    ("第II部 リファレンス", ITEM), ("Part II Reference", ITEM), ("1.2.3 詳細", TOPIC),
    ("資料１ 市民満足度調査の結果", PART), ("参考資料2 用語集", PART), ("別紙３", PART),
    ("第１ 総則", PART), ("第十 雑則", PART), ("第２節 方針", SUB),
])
def test_book_numbering(line, level):
    head = find_heading([line], 0)
    assert head is not None and head.level == level and head.item == ""


@pytest.mark.slow
def test_the_manuals_parts_chapters_and_sections(luatexja):
    sections = split_sections(list(luatexja.pages))
    paths = [" › ".join(s.path) for s in sections]
    assert "第 I 部 ユーザーズマニュアル › 1 はじめに › 1.1 背景" in paths
    assert "第 II 部 リファレンス › 8 フォントメトリックと和文フォント › 8.5 JFM ファイルの構造" in paths
    assert "第 III 部 実装 › 22 縦組の実装 › 22.2 dir box › 22.2.1 異方向のボックスの整合" in paths
    assert not any("ソースを以下のいずれかの方法で取得する" in s.title for s in sections)  # a list item
    numbered = [s for s in sections if s.page_start >= 6]
    assert all(re.match(r"\d+(\.\d+)* ", s.title) or s.title == "参考文献" for s in numbered), \
        [s.title for s in numbered if not re.match(r"\d", s.title)]


GOTHIC = (10.0, "IPAexGothic")  # a Word report's headings: the body's size, a gothic face
TEXT = "本文は明朝体で、見出しより多くの文字を組んでいます。"


def test_a_reports_numbered_headings_nest_under_its_chapters_and_sections():
    """A white paper: 第１章 › 第１節 › １ › （１） › ①; "１ 人口…" starts with a counter word but is set
    apart, so it is a heading; "Ⅰ" under 第Ⅱ部 sits below the part."""
    pages = [
        styled(1, ("第１章 現状と課題", H1), ("第１節 人口の変化", H2), ("１ 人口減少の進行", GOTHIC),
               (TEXT, BODY), ("（１）高齢者の移動", GOTHIC), ("① 通院の足", GOTHIC), (TEXT, BODY),
               ("② 買物の足", GOTHIC), (TEXT, BODY), ("２ 移動需要の変化", GOTHIC), (TEXT, BODY)),
        styled(2, ("第２節 事業者の経営", H2), ("１ 収支", GOTHIC), (TEXT, BODY),
               ("第Ⅱ部 講じた施策", H1), ("Ⅰ 計画の策定支援", H2), (TEXT, BODY), ("Ⅱ 交通ＤＸ", H2),
               (TEXT, BODY)),
    ]
    paths = [s.path for s in split_sections(pages)]
    assert paths == [
        ("第１章 現状と課題", "第１節 人口の変化", "１ 人口減少の進行"),
        ("第１章 現状と課題", "第１節 人口の変化", "１ 人口減少の進行", "（１）高齢者の移動", "① 通院の足"),
        ("第１章 現状と課題", "第１節 人口の変化", "１ 人口減少の進行", "（１）高齢者の移動", "② 買物の足"),
        ("第１章 現状と課題", "第１節 人口の変化", "２ 移動需要の変化"),
        ("第１章 現状と課題", "第２節 事業者の経営", "１ 収支"),
        ("第Ⅱ部 講じた施策", "Ⅰ 計画の策定支援"),
        ("第Ⅱ部 講じた施策", "Ⅱ 交通ＤＸ"),
    ]


def test_circled_numbers_and_counter_words_in_headings_set_apart():
    """① is a level below （１）, not the 1 NFKC makes of it; "１ 人口…" set apart is a heading, not a
    quantity ("1.2 万人")."""
    lines = [("１ 人口減少の進行", GOTHIC), ("① 通院の足", GOTHIC), ("1.2 万人を育成", BODY), (TEXT, BODY),
             (TEXT, BODY), ("（１）高齢者", GOTHIC)]
    texts, styles = [t for t, _ in lines], [st for _, st in lines]
    entries = [type("E", (), {"line": t, "style": st}) for t, st in lines]
    ctx = Context(doc_style_of(entries))
    found = [find_heading(texts, i, styles, ctx) for i in range(len(lines))]
    assert [(h.level, h.number) if h else None for h in found] == [
        (PART, 1), (CIRCLED, 1), None, None, None, (SUBTOPIC, 1)]


def test_circled_numbers_in_body_type_are_list_items():
    pages = [styled(1, ("第１章 現状", H1), (TEXT, BODY), ("① 通院の足", BODY), ("② 買物の足", BODY),
                    ("１ 概要", GOTHIC), (TEXT, BODY), ("２ 詳細", GOTHIC), (TEXT, BODY))]
    assert [s.path for s in split_sections(pages)] == [
        ("第１章 現状",), ("第１章 現状", "１ 概要"), ("第１章 現状", "２ 詳細")]


def test_a_cover_title_or_preface_set_above_the_chapters_is_no_root_of_their_paths():
    """A cover's title set larger than any chapter opens the document and the first chapter takes
    over; 序章 set like the chapters' titles (below a bare "Chapter 1" label) is a chapter too."""
    cover = styled(1, ("みなと市 事業報告書", (26.0, "Gothic-Medium")), ("令和５年６月", BODY))
    body = [styled(2, ("第１章 概要", H1), (TEXT, BODY), ("第１節 方針", H2), (TEXT, BODY)),
            styled(3, ("第２章 実績", H1), (TEXT, BODY), ("第１節 子育て", H2), (TEXT, BODY))]
    paths = [s.path for s in split_sections([cover, *body])]
    assert paths == [("みなと市 事業報告書",), ("第１章 概要",), ("第１章 概要", "第１節 方針"),
                     ("第２章 実績",), ("第２章 実績", "第１節 子育て")]
    label, title = (20.7, "Sans-Bold"), (24.8, "Sans-Bold")
    book = [styled(1, ("序章", title), (TEXT, BODY), ("免責事項", H2), (TEXT, BODY)),
            styled(2, ("Chapter 1", label), ("チュートリアル", title), (TEXT, BODY), ("1.1 基礎", H2), (TEXT, BODY))]
    assert [s.path for s in split_sections(book)] == [
        ("序章",), ("序章", "免責事項"), ("Chapter 1 チュートリアル",), ("Chapter 1 チュートリアル", "1.1 基礎")]


def test_a_word_reports_12_point_headings_over_a_10_5_point_body_stand_out():
    """Word's common setting: body 10.5 pt, headings 12 pt (1.14 times): はじめに has no number."""
    body, h12 = (10.5, "IPAexMincho"), (12.0, "IPAexGothic")
    pages = [styled(1, (TEXT, body), ("はじめに", h12), (TEXT, body)),
             styled(2, ("第１ 総則", h12), ("１．目的", (10.5, "IPAexGothic")), (TEXT, body), ("第２ 手続", h12),
                    (TEXT, body))]
    assert [s.path for s in split_sections(pages)] == [
        (TEXT,), ("はじめに",), ("第１ 総則", "１．目的"), ("第２ 手続",)]
