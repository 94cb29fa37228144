"""Eval harness: gold pages, answer checks, ranking metrics, the baseline gate, the peer pipeline."""

import json
from pathlib import Path

import pytest

from ingest.records import Page
from qa.evaluation.metrics import (
    EvalRow,
    RetrievedPage,
    check_set,
    compute_metrics,
    contains_all,
    first_gold_rank,
    gold_pages,
    load_results,
    load_set,
    percentile,
    question_lang,
)
from qa.evaluation.runner import check_baseline, eval_command, run_eval, write_baseline

PAGES = [
    Page(1, "1", "Ⅰ－１ 情報セキュリティ対策の強化\n重要インフラ関連の企業数は 273 社 となった。"),
    Page(2, "2", "＜評定と根拠＞ 評定：A\n重要インフラ関連の企業数は\n273 社となった。"),
    Page(3, "3", "Ⅱ 業務運営の効率化\n一般管理費は前年度比 3.0% 減少。関係会社株式評価損が主な要因。"),
    Page(4, "4", "Ⅲ 財務内容の改善\n繰越欠損金は関係会社株式評価損による。"),
]


def row(id="Q1", question="質問ですか？", must=(), item="I-1", evidence="", type="fact") -> EvalRow:
    return EvalRow(id=id, question=question, must_contain=list(must), item=item, evidence=evidence, type=type)


def retrieved(*page_numbers: int) -> list[dict]:
    return [
        {"doc": "r", "item": "I-1", "page": p, "score": 1.0 - i / 100} for i, p in enumerate(page_numbers)
    ]


def result(id="Q1", answer="", refused=False, cited=(), ranked=(), item="I-1", latency=10.0) -> dict:
    citations = [{"doc": "r", "item": item, "section": "s", "page": p} for p in cited]
    return {
        "id": id,
        "question": "q",
        "answer": answer,
        "refused": refused,
        "citations": citations,
        "retrieved": retrieved(*ranked),
        "latency_ms": latency,
    }


# --- gold pages ---------------------------------------------------------------------------------------


def test_gold_pages_evidence_found_across_whitespace_and_width():
    # Page 2 breaks the line inside the evidence; full-width digits normalise to ASCII.
    gold = gold_pages(row(evidence="重要インフラ関連の企業数は２７３社"), PAGES)
    assert gold == {1, 2}


def test_gold_pages_must_contain_fallback_needs_every_string_of_four_chars():
    long_strings = row(evidence="一般管理費は前年度比3.0%減少", must=["関係会社株式評価損"])
    assert gold_pages(long_strings, PAGES) == {3, 4}
    short_string = row(evidence="一般管理費は前年度比3.0%減少", must=["関係会社株式評価損", "3.0"])
    assert gold_pages(short_string, PAGES) == {3}


def test_gold_pages_of_evidence_copied_cell_by_cell_is_the_page_holding_every_line():
    # The set author copied a table column by column; ingest prints it row by row.
    pages = [*PAGES, Page(5, "5", "区別 予算 決算\n会費収入 410 398\n寄附金収入 25 31")]
    assert gold_pages(row(evidence="会費収入\n寄附金収入\n410\n25"), pages) == {5}
    assert gold_pages(row(evidence="会費収入\n410\n999"), pages) == set()


def test_gold_pages_empty_for_unanswerable_and_check_set_reports_missing_evidence():
    assert gold_pages(row(type="unanswerable"), PAGES) == set()
    rows = [
        row(id="ok", evidence="評定：A"),
        row(id="bad", evidence="存在しない文"),
        row(id="u", type="unanswerable"),
    ]
    assert check_set(rows, PAGES) == ["bad: evidence not found on any page"]


# --- answer accuracy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "must", "ok"),
    [
        ("A評定です。", ["A"], True),  # kanji next to the letter is fine
        ("評定はＡです", ["A"], True),  # full-width letter normalises
        ("It was rated B in FY2020.", ["B"], True),
        ("DATA を参照", ["A"], False),  # A inside a word is no rating
        ("BBB", ["B"], False),  # a run of letters is a word, not a rating: decided so on purpose
        ("B B B", ["B"], True),  # a table row of yearly ratings
        ("6, 449, 878千円", ["6,449,878"], True),  # spaces do not matter
        ("6,449,878千円", ["6,449,878", "15,963,788"], False),  # every string is required
        ("繰越欠損金", [], True),
    ],
)
def test_contains_all(answer, must, ok):
    assert contains_all(answer, must) is ok


# --- ranks, hit@k, MRR ------------------------------------------------------------------------------------


def test_first_gold_rank_counts_every_entry_without_dedupe():
    ranked = [RetrievedPage(**r) for r in retrieved(7, 7, 3, 2)]
    assert first_gold_rank(ranked, {2, 3}) == 3
    assert first_gold_rank(ranked, {9}) is None


def test_hit_at_k_and_mrr_on_hand_made_rankings():
    rows = [row(id=f"Q{i}", evidence="評定：A") for i in range(4)]  # gold = {2}
    results = [
        result("Q0", ranked=(2, 1, 3)),  # rank 1
        result("Q1", ranked=(1, 3, 4, 1, 2)),  # rank 5
        result("Q2", ranked=(1, 2)),  # rank 2
        result("Q3", ranked=(1, 3, 4, 1, 3, 2)),  # rank 6
    ]
    overall = compute_metrics(rows, results, PAGES)["overall"]
    assert overall["hit@1"] == 0.25
    assert overall["hit@5"] == 0.75
    assert overall["mrr"] == round((1 + 1 / 5 + 1 / 2 + 1 / 6) / 4, 4)


def test_citation_and_item_metrics():
    rows = [row(id="Q0", evidence="評定：A"), row(id="Q1", evidence="評定：A")]
    results = [result("Q0", cited=(2, 1)), result("Q1", cited=(1, 2), item="II")]
    overall = compute_metrics(rows, results, PAGES)["overall"]
    assert (overall["cite@1"], overall["cite_any"], overall["item@1"]) == (0.5, 1.0, 0.5)


def test_refusal_metrics_split_answerable_and_unanswerable():
    rows = [
        row(id="a1", evidence="評定：A", must=["A"]),
        row(id="a2", evidence="評定：A", must=["A"]),
        row(id="u1", type="unanswerable", item="none"),
        row(id="u2", type="unanswerable", item="none"),
    ]
    results = [
        result("a1", answer="A評定", refused=True),  # a refused answer never counts as accurate
        result("a2", answer="A評定"),
        result("u1", refused=True),
        result("u2", answer="適当な答え"),
    ]
    metrics = compute_metrics(rows, results, PAGES)
    overall = metrics["overall"]
    assert (overall["accuracy"], overall["false_refusal"], overall["refusal"]) == (0.5, 0.5, 0.5)
    assert metrics["by_type"]["unanswerable"]["accuracy"] is None
    assert metrics["by_item"]["none"]["refusal"] == 0.5


def test_missing_result_is_an_error():
    with pytest.raises(ValueError, match="Q2"):
        compute_metrics([row(id="Q1"), row(id="Q2")], [result("Q1")], PAGES)


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("財務内容の改善の評定は何ですか？", "ja"),
        ("36道県のSECURITY ACTION参加企業数は何社ですか？", "ja"),
        ("For operating expenses (業務経費), how much was cut?", "en"),
        ("How many followers did IPA's Twitter account have?", "en"),
    ],
)
def test_question_lang(question, lang):
    assert question_lang(question) == lang


def test_by_lang_breakdown():
    rows = [
        row(id="ja", question="評定は？", evidence="評定：A"),
        row(id="en", question="Which rating?", evidence="評定：A"),
    ]
    metrics = compute_metrics(rows, [result("ja", ranked=(2,)), result("en", ranked=(1,))], PAGES)
    assert metrics["by_lang"]["ja"]["hit@1"] == 1.0
    assert metrics["by_lang"]["en"]["hit@1"] == 0.0


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 21)]
    assert (percentile(values, 50), percentile(values, 95), percentile([], 50)) == (10.0, 19.0, None)


def test_metrics_are_deterministic_and_json_ready():
    rows = [row(id=f"Q{i}", evidence="評定：A", must=["A"]) for i in range(3)]
    results = [result(f"Q{i}", answer="A", ranked=(i + 1, 2)) for i in range(3)]
    first = json.dumps(compute_metrics(rows, results, PAGES), sort_keys=True)
    assert first == json.dumps(compute_metrics(list(reversed(rows)), results[::-1], PAGES), sort_keys=True)


# --- the gate -----------------------------------------------------------------------------------------


def _metrics_with(answer_q2: str) -> dict:
    rows = [row(id=f"Q{i}", evidence="評定：A", must=["A"]) for i in range(3)]
    results = [result("Q0", answer="A"), result("Q1", answer="A"), result("Q2", answer=answer_q2)]
    return compute_metrics(rows, results, PAGES)


def test_gate_names_metric_values_and_flipped_question():
    baseline, worse = _metrics_with("A評定"), _metrics_with("DATA")
    failures = check_baseline(worse, baseline, tolerance=0.02)
    assert failures == ["accuracy: baseline 1.0000, now 0.6667; flipped pass→fail: Q2"]
    assert check_baseline(baseline, baseline) == []
    assert check_baseline(worse, baseline, tolerance=0.5) == []


def test_gate_on_refusals_goes_the_right_way():
    rows = [row(id="a", evidence="評定：A"), row(id="u", type="unanswerable")]
    good = compute_metrics(rows, [result("a"), result("u", refused=True)], PAGES)
    bad = compute_metrics(rows, [result("a", refused=True), result("u")], PAGES)
    failures = check_baseline(bad, good)
    assert any(
        f.startswith("false_refusal: baseline 0.0000, now 1.0000; flipped pass→fail: a") for f in failures
    )
    assert any(f.startswith("refusal: baseline 1.0000, now 0.0000; flipped pass→fail: u") for f in failures)
    assert not any(f.startswith("refusal") or f.startswith("false") for f in check_baseline(good, bad))


def test_write_baseline_round_trips(tmp_path):
    metrics = _metrics_with("A")
    write_baseline(metrics, tmp_path / "b.json")
    assert json.loads((tmp_path / "b.json").read_text()) == json.loads(json.dumps(metrics))


# --- the runner -------------------------------------------------------------------------------------------


def fake_ask(question: str) -> dict:
    refused = "社名" in question
    return {
        "answer": "" if refused else "評定はA",
        "refused": refused,
        "extra": "ignored",
        "citations": [] if refused else [{"doc": "r", "item": "I-1", "section": "s", "page": 2, "text": "x"}],
        "retrieved": retrieved(2, 1, 3, 4, 1, 2, 3, 4, 1, 2),
    }


def write_set(path: Path) -> Path:
    rows = [
        row(id="Q1", question="評定は？", evidence="評定：A", must=["A"]),
        row(id="Q2", question="社名は？", type="unanswerable", item="none"),
    ]
    path.write_text("".join(r.model_dump_json() + "\n" for r in rows), encoding="utf-8")
    return path


def test_run_eval_writes_stable_results_format(tmp_path):
    out = tmp_path / "out" / "results.jsonl"
    run_eval(load_set(write_set(tmp_path / "set.jsonl")), fake_ask, out)
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert list(first) == ["id", "question", "answer", "refused", "citations", "retrieved", "latency_ms", "kind",
                           "reason"]
    assert list(first["citations"][0]) == ["doc", "item", "section", "page", "label"]
    assert list(first["retrieved"][0]) == ["doc", "item", "page", "score"]
    assert [r.id for r in load_results(out)] == ["Q1", "Q2"]


def test_eval_command_gate_and_outputs(tmp_path, capsys):
    set_path, out, base = (
        write_set(tmp_path / "set.jsonl"),
        tmp_path / "res" / "r.jsonl",
        tmp_path / "base.json",
    )
    assert eval_command(set_path, out, False, base, True, fake_ask, PAGES) == 0
    assert eval_command(set_path, out, True, base, False, fake_ask, PAGES) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed[printed.index("{") :])["overall"]["accuracy"] == 1.0
    assert (tmp_path / "res" / "report.md").exists() and (tmp_path / "res" / "accuracy_by_item.png").exists()

    def worse_ask(question):
        return {**fake_ask(question), "answer": "DATA"}

    assert eval_command(set_path, out, False, base, False, worse_ask, PAGES) == 1
    assert "accuracy: baseline 1.0000, now 0.0000; flipped pass→fail: Q1" in capsys.readouterr().err
    assert eval_command(set_path, out, False, tmp_path / "none.json", False, fake_ask, PAGES) == 2


def test_load_set_rejects_unknown_fields_and_duplicates(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "x", "question": "q", "colour": 1}\n')
    with pytest.raises(ValueError, match="a.jsonl:1"):
        load_set(tmp_path / "a.jsonl")
    (tmp_path / "b.jsonl").write_text('{"id": "x", "question": "q"}\n\n{"id": "x", "question": "r"}\n')
    with pytest.raises(ValueError, match="duplicate"):
        load_set(tmp_path / "b.jsonl")


def test_shipped_dev_set_loads_and_every_answerable_row_has_evidence(sample_pages):
    rows = load_set(Path(__file__).parent.parent / "eval" / "qa.jsonl")
    assert len(rows) == 49 and sum(not r.answerable for r in rows) == 3
    assert check_set(rows, sample_pages) == []
    assert gold_pages(next(r for r in rows if r.id == "A-011"), sample_pages) == {2, 81}  # a repeated fact


# --- the peer pipeline ----------------------------------------------------------------------------------

PEER_PAGES = [
    "情報セキュリティ対策の強化。重要インフラ関連の企業数は二百七十三社となり、計画値を大きく上回った。",
    "情報処理技術者試験の応募者数は増加した。試験はCBT方式に切り替えた。",
    "財務内容の改善。繰越欠損金は関係会社株式評価損が主な要因である。",
]


def tiny_pdf(path: Path) -> Path:
    import japanize_matplotlib
    from fpdf import FPDF

    font = next(Path(japanize_matplotlib.__file__).parent.rglob("ipaexg.ttf"))
    pdf = FPDF()
    pdf.add_font("ipaexg", fname=str(font))
    pdf.set_font("ipaexg", size=12)
    for text in PEER_PAGES:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def test_run_peer_on_tiny_pdf(tmp_path):
    from qa.bench.peer import run_peer, split_pdf
    from qa.embed import FakeEmbedder

    pdf = tiny_pdf(tmp_path / "tiny.pdf")
    assert [page for page, _ in split_pdf(pdf)] == [1, 2, 3]
    pages = [Page(i, str(i), text) for i, text in enumerate(PEER_PAGES, start=1)]
    rows = [
        row(
            id="p3",
            question="繰越欠損金の主な要因は関係会社株式評価損ですか？",
            evidence="関係会社株式評価損が主な要因",
        ),
        row(id="p2", question="情報処理技術者試験、応募者数は？", evidence="試験はCBT方式"),
        row(id="u", question="社名は？", type="unanswerable"),
    ]
    report = run_peer(pdf, FakeEmbedder(), rows, pages)
    assert report["chunks"] == 3 and report["n"] == 2
    assert (report["hit@1"], report["hit@5"], report["mrr"]) == (1.0, 1.0, 1.0)
    assert report["ingest_s"] >= report["parse_s"] >= 0
