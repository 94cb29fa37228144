"""The answering API on the sample report with the real embedder, and the eval regression gate."""


import pytest

from ingest.text import squash
from qa import Assistant, QuestionError
from qa.evaluation.runner import eval_command
from qa.records import refusal_line
from tests.helpers import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assistant(sample_index):
    return Assistant.load(sample_index)


def test_every_citation_is_on_its_page_and_in_its_item(assistant):
    answer = assistant.ask("令和2年度における一般管理費は前年度比で何%減少しましたか？")
    assert not answer.refused and answer.citations
    pages = {p.number: p for p in assistant.index.pages["report.pdf"]}
    chunks = {c.id: c for c in assistant.index.chunks}
    for c in answer.citations:
        assert squash(c.quote) in squash(pages[c.page].text)
        assert c.item == chunks[c.chunk_id].item == "II"
        assert f"[{c.n}]" in answer.text
    assert "3.0" in answer.text


def test_english_question_is_answered_from_the_japanese_text(assistant):
    answer = assistant.ask("How many followers did IPA's Twitter account gain in FY2020?")
    assert answer.lang == "en" and not answer.refused
    assert "Twitter" in answer.text and answer.citations[0].item == "IV"


def test_rating_question_finds_the_items_rating(assistant):
    answer = assistant.ask("What rating did IPA give itself for item II?")
    assert not answer.refused and answer.span.text == "B"
    # the item's own statement (評定：B), or its line of the rating summary (業務運営の効率化 B B B II)
    first = answer.citations[0]
    assert first.item == "II" and "評定：B" in first.quote or first.quote.endswith("B B B II")


def test_question_outside_the_report_is_refused_with_passages(assistant):
    answer = assistant.ask("火星探査機の打ち上げ費用はいくら？")
    assert answer.refused and answer.text.startswith(refusal_line("ja", ("報告書", "report"))) and answer.reason in answer.text
    assert answer.reason == "報告書には「火星」の記載がありません。"
    assert not answer.citations and len(answer.passages) >= 3


def test_a_year_after_the_report_is_refused_saying_which_years_it_covers(assistant):
    answer = assistant.ask("令和3年度の一般管理費はいくら？")
    assert answer.refused and answer.passages
    assert answer.reason == "この報告書は平成30〜令和2年度を対象としており、令和3年度の実績は記載がありません。"


def test_a_table_question_quotes_the_row_and_names_the_cell(assistant):
    answer = assistant.ask("法人全体の積立金、令和2年度末ではいくら？")
    assert not answer.refused and "2,177" in answer.text
    assert answer.span is not None and answer.span.text == "2,177"


def test_bad_questions(assistant):
    with pytest.raises(QuestionError):
        assistant.ask("   ")
    long = assistant.ask("一般管理費" * 50_000, k=10_000)
    assert len(long.question) <= 1000 and len(long.passages) <= 50


def test_passages_are_on_different_pages(assistant):
    answer = assistant.ask("情報処理安全確保支援士になるための試験、応募者と合格者はそれぞれ何人？")
    assert len(answer.passages) == 10
    assert len(set(zip((h.chunk.doc for h in answer.passages), answer.pages, strict=True))) == 10
    assert answer.pages[0] == answer.citations[0].page  # the evidence comes first


def test_item_filter_keeps_to_the_item(assistant):
    answer = assistant.ask("予算額はいくらですか？", items=("I-3",))
    assert {h.chunk.item for h in answer.passages} == {"I-3"}


def test_retriever_returns_documents_with_metadata(assistant):
    docs = assistant.as_retriever(k=4).invoke("情報処理安全確保支援士になるための試験の応募者数")
    assert len(docs) == 4
    assert {"doc", "item", "section", "page_start", "page_end", "score"} <= set(docs[0].metadata)


@pytest.mark.parametrize(("index", "doc", "question_set", "baseline"), [
    ("sample_index", "report.pdf", "qa.jsonl", "baseline.json"),
    ("luatexja_index", "luatexja-ja.pdf", "luatexja-dev.jsonl", "baseline-luatexja.json"),
])
def test_eval_set_holds_the_baseline(request, index, doc, question_set, baseline, tmp_path):
    """The regression gate of `docqa eval --baseline`: fails when a metric drops past tolerance. The
    sample report and a real TeX-typeset manual, each against its own baseline."""
    from qa.evaluation.runner import answer_row

    if index == "sample_index":
        held = request.getfixturevalue("assistant")  # the module's, loaded once
    else:
        held = Assistant.load(request.getfixturevalue(index))
    code = eval_command(ROOT / "eval" / question_set, tmp_path / "results.jsonl", True,
                        ROOT / "eval" / baseline, False, lambda q: answer_row(held.ask(q)),
                        held.index.pages[doc], results_dir=tmp_path)
    assert code == 0
