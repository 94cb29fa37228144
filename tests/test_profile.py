"""A document's own vocabulary (ingest.profile), read from a made-up self-evaluation report of
another agency: its items, fiscal years and organisation, stored per document in the index and
read by query analysis and refusals."""

import pytest

from ingest.pdf import load_pdf
from ingest.profile import DocProfile, match_profile, read_profile
from ingest.records import Page
from ingest.sections import split_sections
from ingest.tables import read_tables
from qa.query import Vocabulary, analyse
from tests import made_up_report


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = made_up_report.build(tmp_path_factory.mktemp("agency") / "mera.pdf")
    pages = load_pdf(path)
    tables = read_tables(pages)
    return path, pages, tables, read_profile("mera.pdf", pages, split_sections(pages), tables)


def test_the_self_evaluation_profile_is_recognised(report):
    _, pages, _, profile = report
    assert match_profile(pages)["name"] == profile.kind == "self-evaluation"
    assert match_profile([Page(1, "1", "An English manual about typesetting.")])["name"] == "generic"


def test_items_come_from_the_documents_own_headings(report):
    profile = report[3]
    assert [i.id for i in profile.items] == ["overview", "I-1", "I-2", "I-3", "I-4", "I-5", "II", "III"]
    assert profile.item("I-3").title == "沿岸防災に資する研究開発"
    assert profile.item("I-3").label == "Ⅰ－３"
    assert "予算" in profile.item("III").topics and "一般管理費" in profile.item("II").topics


def test_years_and_organisation(report):
    profile = report[3]
    assert profile.report_year == 2022
    assert profile.years == (2020, 2021, 2022)
    assert profile.org[:3] == ("独立行政法人海洋環境研究機構", "海洋環境研究機構", "機構")
    assert "MERA" in profile.org and "mera" in profile.frame_terms


def test_table_rows_of_the_report(report):
    rows = {(r.page, r.label): r for r in report[2]}
    assert rows[(4, "予算額(千円)")].year_cell(2021) == ("令和3年度", "3,200")
    assert rows[(8, "自己収入")].cell("決算") == "135"
    assert rows[(8, "運営費交付金")].cell("予算") == "900"  # the header line ran into this row


def test_profile_round_trips_as_json(report):
    profile = report[3]
    assert DocProfile.from_dict(profile.to_dict()) == profile


def test_query_analysis_reads_the_vocabulary(report):
    vocabulary = Vocabulary.of([report[3]])
    assert vocabulary.years == (2020, 2021, 2022) and vocabulary.report_year == 2022
    assert analyse("一般管理費の効率化は何%？", vocabulary).items == ("II",)
    assert analyse("沿岸防災に資する研究開発の予算額は？", vocabulary).items[0] == "I-3"  # title before topic
    assert "mera" in vocabulary.frame
    assert analyse("一般管理費の効率化は何%？").items == ()  # without the document's vocabulary
