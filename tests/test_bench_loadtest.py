"""The loopback load test (issue 6, "Load") and the overload check (RELIABILITY-PLAN check 21).

Both start the real Gradio app on a free loopback port and drive its `/ask` endpoint through
gradio_client, as qa.load does for `docqa bench --load`.
"""

import threading
import time
import types

import pytest

from qa.bench.loadtest import UnsafeTargetError, classify, run_load, start_app
from qa.records import refusal_line
from qa.settings import Settings
from qa.ui import chat as ui_chat
from qa.ui import launch
from qa.ui.runtime import Runtime
from tests.helpers import ROOT, copy_index

CLIENTS, PER_CLIENT = 8, 25


def _questions() -> list[str]:
    from qa.evaluation.metrics import load_set

    return [row.question for row in load_set(ROOT / "eval" / "qa.jsonl")]


@pytest.mark.parametrize("url", ["http://10.0.0.5:7860", "http://example.com/", "http://0.0.0.0:7860",
                                 "http://127.0.0.1.evil.test:7860", "file:///etc/passwd"])
def test_only_loopback_targets_are_load_tested(url):
    with pytest.raises(UnsafeTargetError):
        run_load(url, ["q"], clients=1, per_client=1, timeout=1)


def _chat(text: str):
    return ([{"role": "user", "content": [{"type": "text", "text": "q"}]},
             {"role": "assistant", "content": [{"type": "text", "text": text}]}], "", {})


def test_classify_replies():
    assert classify(_chat("SECURITY ACTION … [1]\n\n出典: **[1] …**"))[0] == "answered"
    assert classify(_chat(f"**{refusal_line('ja')}**\n\n近い箇所（回答ではありません）:"))[0] == "refused"
    assert classify(_chat(f"**{refusal_line('en', ('報告書', 'report'))}**"))[0] == "refused"
    assert classify(_chat("Sorry — answering failed; see the server log."))[0] == "error"
    assert classify(([], "", {}))[0] == "error"


@pytest.mark.slow
def test_eight_clients_times_25_questions_are_all_answered_or_refused(sample_index, tmp_path):
    # The default queue holds QUEUE_MAX_SIZE waiting requests; with at most one request in
    # flight per client, 8 clients never fill it, so none may be turned away as busy.
    assert launch.QUEUE_MAX_SIZE >= CLIENTS
    runtime = Runtime(Settings(index_dir=copy_index(sample_index, tmp_path / "index")))
    result = run_load(runtime, _questions(), clients=CLIENTS, per_client=PER_CLIENT, timeout=60)
    print(result)
    assert result["errors"] == 0, result["error_samples"]
    assert result["answered"] + result["refused"] + result["busy"] == CLIENTS * PER_CLIENT
    assert result["busy"] == 0
    assert result["answered"] >= 0.75 * CLIENTS * PER_CLIENT  # the set is mostly answerable
    assert result["p50_ms"] <= result["p95_ms"] and result["throughput_rps"] > 0


class SlowRespond:
    """Stands in for Runtime.respond: sleeps 0.2 s and records how many calls overlap."""

    def __init__(self, seconds: float = 0.2):
        self.seconds, self.inside, self.most, self.calls = seconds, 0, 0, 0
        self._lock = threading.Lock()

    def __call__(self, message, history=None, item_filter="all", use_llm=False):
        with self._lock:
            self.inside += 1
            self.calls += 1
            self.most = max(self.most, self.inside)
        try:
            time.sleep(self.seconds)
            return ui_chat.Reply(message, "ok")
        finally:
            with self._lock:
                self.inside -= 1


@pytest.mark.slow
def test_overload_gets_clean_busy_replies_and_the_server_stays_up(monkeypatch, tmp_path):
    """Check 21: concurrency 1, 5 waiting, 20 requests at once from threads."""
    monkeypatch.setattr(launch, "QUEUE_CONCURRENCY", 1)
    monkeypatch.setattr(launch, "QUEUE_MAX_SIZE", 5)
    no_docs = types.SimpleNamespace(embedder=object(), index=types.SimpleNamespace(documents=[], pages={}))
    runtime = Runtime(Settings(index_dir=tmp_path / "index"), assistant=no_docs)
    slow = SlowRespond()
    runtime.respond = slow
    demo, url = start_app(runtime)
    try:
        started = time.perf_counter()
        burst = run_load(url, ["令和2年度における一般管理費は？"], clients=20, per_client=1, timeout=15)
        later = run_load(url, ["その前年度は？"], clients=1, per_client=1, timeout=15)
        wall = time.perf_counter() - started
    finally:
        demo.close()
    print(burst, later, slow.most, slow.calls)
    assert slow.most <= 1
    assert burst["errors"] == 0, burst["error_samples"]
    assert burst["busy"] >= 10  # 14 when all 20 arrive within the first 0.2 s
    assert burst["answered"] + burst["busy"] == 20
    assert slow.calls == burst["answered"] + 1
    assert later["answered"] == 1
    assert wall < 15
