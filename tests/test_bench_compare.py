"""`docqa bench` plumbing: the table, the ratios, the JSON file, and the ingest measurements on the
tiny PDF with the fake embedder. Bench prints figures; nothing here asserts speed."""

import json

from qa.bench import compare as bench
from qa.bench import measure
from tests.helpers import TINY

DOCQA = {"ingest_s": 10.0, "parse_s": 2.0, "embed_s": 7.5, "index_s": 0.5, "model_load_s": 4.0,
         "chunks": 500, "sentences": 3000, "warm_cli_s": 0.4, "changed_s": 3.0, "changed_embedded": 8,
         "changed_total": 500, "cold_wall_s": 15.0,
         "peak_rss_mb": 900.0, "index_mb": 2.2, "query_ms_p50": 20.0, "query_ms_p95": 40.0,
         "hit@1": 0.65, "hit@5": 0.9, "mrr": 0.75, "n": 46, "model": "fake-chars-64", "changed_page": 48}
PEER = {"ingest_s": 40.0, "parse_s": 5.0, "embed_s": 35.0, "chunks": 200, "peak_rss_mb": 1800.0,
        "query_ms_p50": 25.0, "query_ms_p95": 50.0, "hit@1": 0.5, "hit@5": 0.0, "mrr": None, "n": 46}
ST_PEER = {**PEER, "cold_wall_s": 60.0, "ingest_s": 50.0}


def _result() -> dict:
    return {"timestamp": "2026-01-01T00:00:00+00:00", "machine": {"cores": 2, "load_before": [1.0, 1, 1],
                                                                  "load_after": [2.0, 1, 1]},
            "pdf": "x.pdf", "set": "qa.jsonl", "docqa": DOCQA, "peer": PEER, "ratios": bench.ratios(DOCQA, PEER),
            "st_peer": ST_PEER, "st_ratios": bench.ratios(DOCQA, ST_PEER)}


def test_ratios_only_where_both_rows_have_a_nonzero_figure():
    ratios = bench.ratios(DOCQA, PEER)
    assert ratios["ingest_s"] == 0.25
    assert ratios["chunks"] == 2.5
    assert "hit@5" not in ratios  # the peer's is zero
    assert "mrr" not in ratios  # the peer's is missing
    assert "warm_s" not in ratios and "model" not in ratios


def test_table_lists_docqa_both_peers_and_the_ratios():
    table = bench.format_table(_result())
    lines = {line[:36].strip(): line for line in table.splitlines()}
    assert "same backend" in table.splitlines()[0] and "sent.-transf." in table.splitlines()[0]
    assert lines["cold ingest, model loaded, s"].split()[-5:] == ["10.0", "40.0", "0.25", "50.0", "0.20"]
    assert lines["cold ingest, process start→index, s"].split()[-5:] == ["15.0", "-", "-", "60.0", "0.25"]
    assert lines["chunks re-embedded"].split()[-5:] == ["8/500", "-", "-", "-", "-"]
    assert lines["+ sentence vectors"].split()[-5:] == ["3000", "-", "-", "-", "-"]
    assert lines["page hit@5"].split()[-5:] == ["0.900", "0.000", "-", "0.000", "-"]
    assert lines["warm re-ingest, `docqa ingest`, s"].split()[-5:] == ["0.40", "-", "-", "-", "-"]
    assert "one-page change on p.48" in table and "load 1.0 before, 2.0 after" in table


def test_table_without_the_sentence_transformers_peer():
    result = {**_result(), "st_peer": {}, "st_ratios": {}}
    assert "sent.-transf." not in bench.format_table(result)


def test_result_is_written_as_json(tmp_path):
    path = bench.write_result(_result(), tmp_path / "results")
    assert path.name.startswith("bench-") and path.suffix == ".json"
    assert json.loads(path.read_text(encoding="utf-8"))["ratios"]["ingest_s"] == 0.25


def test_measure_ingest_cold_then_warm_on_the_tiny_pdf(tmp_path):
    figures = measure.measure_ingest(TINY, tmp_path, "fake", changed_pdf=None, started=0.0)
    assert figures["model"] == "fake-chars-64"
    assert figures["chunks"] > 0 and figures["pages"] > 0
    assert figures["index_mb"] > 0
    assert {"ingest_s", "parse_s", "embed_s", "index_s", "warm_s", "peak_rss_mb", "cold_wall_s"} <= figures.keys()
    assert figures["sentences"] >= figures["chunks"]
    assert "changed_embedded" not in figures
    json.dumps(figures)  # the child process hands these back as JSON
