"""`docqa bench --load`: a loopback load test of the running app through its `/ask` endpoint.

N clients (threads, each its own gradio_client session) ask M questions each, one after another,
all starting together. Every request is bounded by a timeout. Each outcome is one of: answered;
refused (docqa's "the report does not say" — a clean answer); busy (the bounded queue said
"queue full" — a clean rejection); error (anything else: timeout, crash, "answering failed").
Only loopback targets are accepted: this is a test of one's own app, never of someone else's server.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from qa.evaluation.metrics import load_set, percentile
from qa.records import REFUSAL_ENDS
from qa.settings import DEFAULT_SET, Settings

log = logging.getLogger(__name__)

ENDPOINT = "/ask"  # send.click(on_ask, ..., api_name="ask") in qa.ui.layout
LOOPBACK = ("127.0.0.1", "localhost", "::1")
DEFAULT_TIMEOUT = 60.0  # seconds one request may take, queue wait included
START_TIMEOUT = 60.0  # seconds for every client to connect before the clock starts
FAILED_PREFIX = "Sorry — answering failed"  # on_ask's reply when respond() raised
MAX_SAMPLES = 5  # error messages kept in the report


class UnsafeTargetError(ValueError):
    """A load-test target that is not this machine's loopback."""


@dataclass(frozen=True)
class Outcome:
    kind: str  # "answered" | "refused" | "busy" | "error"
    ms: float
    detail: str = ""


def check_loopback(url: str) -> str:
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise UnsafeTargetError(f"refusing to load-test {host or url!r}: only {', '.join(LOOPBACK)}")
    return url


def reply_text(result) -> str:
    """The last assistant message of the chat output (the first output of /ask)."""
    chat = result[0] if isinstance(result, list | tuple) and result else []
    for message in reversed(chat or []):
        if isinstance(message, dict) and message.get("role") == "assistant":
            content = message.get("content")
            if isinstance(content, list):
                return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            return str(content or "")
    return ""


def classify(result) -> tuple[str, str]:
    """(kind, detail) of one /ask result."""
    from qa.ui.runtime import NO_INDEX

    text = reply_text(result)
    if not text.strip():
        return "error", "no reply in the chat output"
    if text.startswith(FAILED_PREFIX) or text == NO_INDEX:
        return "error", text[:120]
    if any(end in text for end in REFUSAL_ENDS):
        return "refused", ""
    return "answered", ""


def _ask_once(client, question: str, timeout: float) -> Outcome:
    from gradio_client.utils import QueueError

    start = time.perf_counter()
    job = client.submit(question, [], "all", False, api_name=ENDPOINT)
    try:
        kind, detail = classify(job.result(timeout=timeout))
    except QueueError as exc:
        kind, detail = "busy", str(exc)
    except TimeoutError:
        job.cancel()
        kind, detail = "error", f"no result within {timeout:.0f} s"
    except Exception as exc:  # every other failure is what the test counts
        kind, detail = "error", f"{type(exc).__name__}: {exc}"[:200]
    return Outcome(kind, (time.perf_counter() - start) * 1000, detail)


def _client_loop(url: str, questions: list[str], first: int, count: int, timeout: float,
                 barrier: threading.Barrier, out: list[Outcome]) -> None:
    """One client: connect, wait for the others, then ask `count` questions in turn."""
    from gradio_client import Client

    client, failure = None, ""
    try:
        client = Client(url, verbose=False, download_files=False, httpx_kwargs={"timeout": timeout})
    except Exception as exc:  # counted as errors below, not raised
        failure = f"connect: {type(exc).__name__}: {exc}"[:200]
    try:
        barrier.wait(timeout=START_TIMEOUT)
    except threading.BrokenBarrierError:
        failure = failure or "the other clients did not connect in time"
    try:
        for j in range(count):
            if failure:
                out.append(Outcome("error", 0.0, failure))
                continue
            out.append(_ask_once(client, questions[(first + j) % len(questions)], timeout))
    finally:
        if client is not None:
            client.close()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def start_app(runtime):
    """Launch `runtime` on a free loopback port; returns (demo, url)."""
    from qa.ui.launch import start

    return start(runtime, block=False, server_name="127.0.0.1", server_port=free_port())


def run_load(url_or_runtime, questions: list[str], clients: int = 8, per_client: int = 25,
             timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Run the load against a loopback URL, or several (replicas: client i talks to URL i mod n), or
    against a Runtime started here (and stopped after)."""
    if not questions or clients < 1 or per_client < 1:
        raise ValueError("need questions, clients >= 1 and per_client >= 1")
    if isinstance(url_or_runtime, str | list | tuple):
        urls = [url_or_runtime] if isinstance(url_or_runtime, str) else list(url_or_runtime)
        return _run([check_loopback(u) for u in urls], questions, clients, per_client, timeout)
    demo, url = start_app(url_or_runtime)
    try:
        return _run([check_loopback(url)], questions, clients, per_client, timeout)
    finally:
        demo.close()


def _run(urls: list[str], questions: list[str], clients: int, per_client: int, timeout: float) -> dict:
    barrier = threading.Barrier(clients + 1)
    results: list[list[Outcome]] = [[] for _ in range(clients)]
    threads = [threading.Thread(target=_client_loop, daemon=True, name=f"load-client-{i}",
                                args=(urls[i % len(urls)], questions, i * per_client, per_client, timeout,
                                      barrier, results[i]))
               for i in range(clients)]
    for t in threads:
        t.start()
    try:
        barrier.wait(timeout=START_TIMEOUT)
    except threading.BrokenBarrierError:
        log.warning("not every client connected within %.0f s", START_TIMEOUT)
    start = time.perf_counter()
    deadline = start + per_client * (timeout + 5) + START_TIMEOUT  # each request is bounded too
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.perf_counter()))
    wall = time.perf_counter() - start
    outcomes = [o for r in results for o in r]
    missing = clients * per_client - len(outcomes)
    outcomes += [Outcome("error", 0.0, "client thread did not finish")] * missing
    return summarize(outcomes, wall, clients=clients, per_client=per_client, timeout_s=timeout,
                     replicas=len(urls))


def summarize(outcomes: list[Outcome], wall: float, **config) -> dict:
    counts = {k: sum(o.kind == k for o in outcomes) for k in ("answered", "refused", "busy", "error")}
    served = [o.ms for o in outcomes if o.kind in ("answered", "refused")]
    samples = list(dict.fromkeys(o.detail for o in outcomes if o.kind == "error"))[:MAX_SAMPLES]
    return {
        **config, "requests": len(outcomes), "answered": counts["answered"],
        "refused": counts["refused"], "busy": counts["busy"], "errors": counts["error"],
        "p50_ms": percentile(served, 50), "p95_ms": percentile(served, 95),
        "max_ms": round(max(served), 1) if served else None,
        "throughput_rps": round(len(served) / wall, 2) if wall > 0 else None,
        "wall_s": round(wall, 2), "error_samples": samples,
    }


ROWS = [("requests", "requests", "{:d}"), ("answered", "answered", "{:d}"),
        ("refused", "refused (not in the report)", "{:d}"), ("busy", "busy (queue full)", "{:d}"),
        ("errors", "errors", "{:d}"), ("p50_ms", "latency p50, ms", "{:.0f}"),
        ("p95_ms", "latency p95, ms", "{:.0f}"), ("max_ms", "latency max, ms", "{:.0f}"),
        ("throughput_rps", "throughput, answers/s", "{:.2f}"), ("wall_s", "wall, s", "{:.1f}")]


def format_table(result: dict) -> str:
    lines = [f"load: {result['clients']} clients × {result['per_client']} questions, loopback, "
             f"{result.get('replicas', 1)} replica(s), "
             f"queue concurrency {result.get('queue', {}).get('default_concurrency_limit', '?')}, "
             f"max waiting {result.get('queue', {}).get('max_size', '?')}"]
    for key, label, fmt in ROWS:
        value = result.get(key)
        lines.append(f"  {label:30} {'-' if value is None else fmt.format(value):>8}")
    lines += [f"  error: {s}" for s in result.get("error_samples", [])]
    return "\n".join(lines)


def load_command(settings: Settings, clients: int, per_client: int, set_path: str | None,
                 json_mode: bool, urls: list[str] | None = None) -> int:
    """Everything `docqa bench --load` does after argparse: start the app (or take the running
    replicas at `urls`), load it, stop it."""
    from qa.ui.launch import queue_kwargs

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per HTTP request otherwise
    questions = [row.question for row in load_set(set_path or DEFAULT_SET)]
    if urls:
        result = run_load(urls, questions, clients=clients, per_client=per_client)
        index = "replicas at " + ", ".join(urls)
    else:
        from qa.ui.runtime import Runtime

        runtime = Runtime(settings)
        if runtime.assistant is None:
            print(f"docqa: no index at {settings.index_dir} (run `docqa ingest`)", file=sys.stderr)
            return 2
        result = run_load(runtime, questions, clients=clients, per_client=per_client)
        index = str(settings.index_dir)
    result.update(timestamp=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), index=index,
                  backend=settings.backend, questions=len(questions), queue=queue_kwargs(),
                  cores=len(os.sched_getaffinity(0)), load_avg=os.getloadavg()[0])
    print(json.dumps(result, ensure_ascii=False, indent=1) if json_mode else format_table(result))
    from qa.bench.compare import write_result

    print(f"wrote {write_result(result, prefix='load')}", file=sys.stderr)
    return 1 if result["errors"] else 0
