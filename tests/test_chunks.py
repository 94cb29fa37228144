"""Chunks: within one section, bounded, deterministic, and holding the eval questions' evidence."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import Chunk, Page, Section, chunk_sections, split_sections, squash
from ingest.chunks import MAX_CHARS, SECTION_SEP
from ingest.pages import split_report_pages
from tests.helpers import ROOT

QA = ROOT / "eval" / "qa.jsonl"
PAGE_HEADER = "３．各事業年度の業務に係る目標、計画、業務実績、年度評価に係る自己評価及び主務大臣による評価"
DOC = "ipa-fy2020"
# Questions whose evidence may be missing from every chunk, and why. None today: keep it that way.
ALLOWED_MISSES: dict[str, str] = {}
MIN_ITEM_RATE = 0.9


def report_pages() -> list[Page]:
    """The sample's pages as load_pdf will give them, minus its line rejoining."""
    pages = split_report_pages((ROOT / "data" / "ipa-fy2020" / "report.txt").read_text(encoding="utf-8"))
    return [
        Page(i + 1, str(i + 1), "\n".join(ln for ln in lines if ln.strip())) for i, lines in enumerate(pages)
    ]


@pytest.fixture(scope="module")
def sections() -> list[Section]:
    return split_sections(report_pages())


@pytest.fixture(scope="module")
def chunks(sections) -> list[Chunk]:
    return chunk_sections(sections, DOC)


def qa_rows() -> list[dict]:
    rows = [json.loads(line) for line in QA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row["evidence"]]


def evidence_hits(chunks: list[Chunk]) -> dict[str, list[Chunk]]:
    texts = [squash(c.text) for c in chunks]
    return {
        row["id"]: [c for c, t in zip(chunks, texts, strict=True) if squash(row["evidence"]) in t]
        for row in qa_rows()
    }


def check_coverage(chunks: list[Chunk]) -> None:
    hits = evidence_hits(chunks)
    missed = {qid for qid, found in hits.items() if not found}
    assert missed <= set(ALLOWED_MISSES), f"evidence in no chunk: {sorted(missed - set(ALLOWED_MISSES))}"
    items = {row["id"]: row["item"] for row in qa_rows()}
    right = [qid for qid, found in hits.items() if any(c.item == items[qid] for c in found)]
    rate = len(right) / len(hits)
    print(f"evidence in a chunk: {len(hits) - len(missed)}/{len(hits)}; with the row's item: {rate:.1%}")
    assert rate >= MIN_ITEM_RATE, sorted(set(hits) - set(right))


def test_eval_evidence_lies_inside_a_chunk(chunks):
    assert len(qa_rows()) >= 40  # the dev set is there: a vacuous pass is no pass
    check_coverage(chunks)


def test_eval_evidence_lies_inside_a_chunk_of_the_sample_pdf(sample_pages):
    check_coverage(chunk_sections(split_sections(sample_pages), DOC))


def test_chunks_are_non_empty_bounded_and_carry_metadata(chunks, sections):
    assert len(chunks) > len(sections) / 2
    for c in chunks:
        assert c.text and c.text == c.text.strip() and len(c.text) <= MAX_CHARS
        assert 1 <= c.page_start <= c.page_end <= 94
        assert c.doc == DOC and c.item and c.section


def test_no_chunk_crosses_a_section(chunks, sections):
    by_path: dict[tuple[str, str], list[Section]] = {}
    for s in sections:
        by_path.setdefault((s.item, SECTION_SEP.join(s.path)), []).append(s)
    for c in chunks:
        homes = [
            s
            for s in by_path[(c.item, c.section)]
            if squash(c.text) in squash(s.text) and s.page_start <= c.page_start <= c.page_end <= s.page_end
        ]
        assert homes, c


def test_page_range_is_that_of_the_lines_held():
    lines = [(7, "前の頁から続く文の終わり。"), (8, "次の頁の一行目。"), (8, "二行目。"), (9, "最後。")]
    chunks = chunk_sections([Section("I-1", ("Ⅰ－１ 項目",), 7, 9, tuple(lines))], "d", max_chars=20)
    assert [(c.page_start, c.page_end) for c in chunks] == [(7, 7), (8, 9)]  # not the section's 7-9


def test_boilerplate_header_is_in_no_chunk(chunks):
    assert not any(squash(PAGE_HEADER) in squash(c.text) for c in chunks)


def test_ids_are_content_hashes_deterministic_and_unique(chunks, sections):
    assert all(c.id == Chunk.make_id(c.doc, c.section, c.text) for c in chunks)
    assert len({c.id for c in chunks}) == len(chunks)
    assert chunk_sections(split_sections(report_pages()), DOC) == chunks


def section(*lines: str, path=("１．本文",)) -> Section:
    return Section("", path, 1, 1, tuple((1, line) for line in lines))


def test_a_long_line_is_hard_split_and_nothing_is_lost():
    line = "".join(chr(0x4E00 + i) for i in range(500))  # no sentence end, no comma, no space
    chunks = chunk_sections([section(line)], "d", max_chars=100)
    assert all(len(c.text) <= 100 for c in chunks)
    assert "".join(c.text for c in chunks) == line  # no overlap inside a single unbroken line


def test_chunks_end_at_sentence_ends_when_they_can():
    sentences = [f"第{i}の文はここで終わる。" for i in range(30)]
    chunks = chunk_sections([section("".join(sentences))], "d", max_chars=60)
    assert all(c.text.endswith("。") for c in chunks)
    joined = "".join(c.text for c in chunks)
    assert all(s in joined for s in sentences)


def test_overlap_keeps_a_fact_broken_over_lines_whole():
    lines = [f"項目{i}の説明文です" for i in range(40)] + ["実", "績", "値", "139 社 175 社 273 社"]
    lines += [f"後続{i}の説明文です" for i in range(40)]
    chunks = chunk_sections([section(*lines)], "d", max_chars=120)
    assert any("実績値139社175社273社" in squash(c.text) for c in chunks)


def test_the_same_text_under_the_same_path_is_kept_once():
    chunks = chunk_sections([section("同じ評価の視点。"), section("同じ評価の視点。")], "d")
    assert len(chunks) == 1


def test_heading_only_chunks_are_dropped():
    path = ("３．評価", "＜その他の指標＞")
    assert chunk_sections([section("＜その他の指標＞", "－", path=path)], "d") == []
    assert len(chunk_sections([section("ページ一行目", path=("ページ一行目",))], "d")) == 1


def test_bad_max_chars():
    with pytest.raises(ValueError):
        chunk_sections([section("本文")], "d", max_chars=0)


STRUCTURE = "１２３．.【】＜＞［］（）()-－ⅠⅡⅢ第章 。、\n"
lines = st.text(alphabet=st.sampled_from(STRUCTURE) | st.characters(), max_size=60)
page_texts = st.lists(st.lists(lines, max_size=8).map("\n".join), max_size=6)


@settings(max_examples=150, deadline=None)
@given(page_texts, st.integers(min_value=1, max_value=400))
def test_any_pages_give_sections_and_bounded_chunks(texts, max_chars):
    pages = [Page(i + 1, str(i + 1), text) for i, text in enumerate(texts)]
    sections = split_sections(pages)
    covered = {n for s in sections for n in range(s.page_start, s.page_end + 1)}
    assert covered >= {p.number for p in pages if p.text.strip()}
    for c in chunk_sections(sections, "d", max_chars=max_chars):
        assert c.text.strip() and len(c.text) <= max_chars
        assert 1 <= c.page_start <= c.page_end <= len(pages)
