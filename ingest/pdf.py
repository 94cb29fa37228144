"""The one way PDFs are opened: a child process with hard limits reads every page.

`extract(path) -> ExtractResult` (pages and a status per page) is what ingest uses;
`load_pdf(path) -> list[Page]` is the same path for callers that only want the pages.

A hostile or broken PDF (a decompression bomb, a recursive structure, a parser hang) then kills
only the child. The parent checks size and magic bytes before any parsing, the child sets its own
memory and CPU limits and streams pages back, and the parent kills it at a wall-clock deadline.
signal.alarm is not used: it fails outside the main thread (Gradio runs handlers in threads).

Errors are IngestError with kind: not_pdf, encrypted, corrupt, too_large, too_many_pages,
resource_limit (memory or CPU limit hit), timeout (wall deadline), no_text (no page has text).

The child (ingest.pdf_child) reads each page with ingest.layout.read_page (a pure function of the
page); the parent decides what needs the whole document: printed page labels (ingest.labels) and
the text frame.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.labels import assign, matches
from ingest.layout import PageRead, merge_lines
from ingest.pdf_child import MIB, IngestError, Limits, child_main
from ingest.records import Page
from ingest.stacked import rows_down, unstack

log = logging.getLogger(__name__)

SCANNED_SHARE = 0.5  # a page without text counts as a scan when images cover this share of it
OCR_NOTE = "OCR is not available: run OCR on the file first"
# Text drawn in fonts without a ToUnicode map whose codes say nothing (Identity-H CID fonts): there
# is text, but no way to know which characters. Not "blank": OCR or a re-export could recover it.
UNMAPPED_NOTE = "set in fonts without a Unicode mapping (no ToUnicode map): their text cannot be read"
# Test hook: seconds the child sleeps before each page, to simulate a parser that hangs.
PAGE_DELAY_ENV = "DOCQA_TEST_PAGE_DELAY"
# forkserver: children fork from a small clean server (safe from a threaded parent, and fast,
# as pdfplumber is preloaded there) instead of each starting a fresh interpreter.
_CTX = multiprocessing.get_context("forkserver")
_CTX.set_forkserver_preload(["ingest.pdf_child", "pdfplumber"])


@dataclass(frozen=True)
class PageStatus:
    number: int  # 1-based
    status: str  # "ok", "blank" (no text, no large image), "scanned" (no text, an image covers most
    # of it), "unmapped" (glyphs, but none with a Unicode value: fonts without a ToUnicode map) or
    # "failed" (the parser raised)
    chars: int = 0  # non-space characters found
    error: str = ""
    repairs: dict[str, int] = field(default_factory=dict)  # ingest.glyphs counts, word spaces restored


@dataclass(frozen=True)
class ExtractResult:
    path: str
    pages: tuple[Page, ...]  # every page in order; pages that are not "ok" have empty text
    statuses: tuple[PageStatus, ...]
    tables: dict[int, list] = field(default_factory=dict)  # page -> ruled tables' cells (ingest.tables)

    @property
    def skipped(self) -> list[PageStatus]:
        """Pages left out of the index, each with its reason."""
        return [s for s in self.statuses if s.status != "ok"]

    @property
    def repairs(self) -> Counter:
        """Repairs over all pages (see PageStatus.repairs)."""
        return sum((Counter(s.repairs) for s in self.statuses), Counter())


def extract(path: Path | str, *, password: str | None = None, limits: Limits | None = None,
            on_page: Callable[[int, int], None] | None = None) -> ExtractResult:
    """Read every page of `path` in a child process; raises IngestError naming the file and why.
    `on_page(done, total)` is called as pages arrive (for a progress bar)."""
    path, limits = Path(path), limits or Limits()
    _precheck(path, limits)
    delay = float(os.environ.get(PAGE_DELAY_ENV) or 0)  # read here: forkserver children keep the
    # server's environment, not the caller's
    messages = _run_child(path, password, limits, delay, on_page)
    return _assemble(path, messages, limits)


def load_pdf(path: Path | str, password: str | None = None, limits: Limits | None = None) -> list[Page]:
    """Every page, 1-based, with its printed label; pages without a text layer are empty."""
    return list(extract(path, password=password, limits=limits).pages)


def _precheck(path: Path, limits: Limits) -> None:
    """Refuse what is not a PDF or too big before a parser sees a byte of it."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise IngestError(path, "not_pdf", "not a regular file")
        if size > limits.max_bytes:
            raise IngestError(path, "too_large", f"{size / MIB:.1f} MiB is over the limit of "
                              f"{limits.max_bytes / MIB:.0f} MiB; nothing was parsed")
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as e:
        raise IngestError(path, "not_pdf", f"cannot read the file ({e.strerror or e})") from e
    if not head.lstrip().startswith(b"%PDF-"):
        kind = "empty file" if not head else "no %PDF- header"
        raise IngestError(path, "not_pdf", f"not a PDF file ({kind})")


def _spawn(target, args):
    """Start the child (a seam for tests that count or watch children)."""
    proc = _CTX.Process(target=target, args=args, daemon=True, name="docqa-extract")
    proc.start()
    return proc


def _run_child(path: Path, password: str | None, limits: Limits, delay: float, on_page) -> list[tuple]:
    """Run the child, collect its messages until it says done; kill it at the deadline."""
    receiver, sender = _CTX.Pipe(duplex=False)
    proc = _spawn(child_main, (sender, str(path), password, limits, delay))
    sender.close()  # the parent keeps only its end, so a dead child reads as EOF
    try:
        return _collect(path, proc, receiver, time.monotonic() + limits.wall_seconds, limits, on_page)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        receiver.close()


def _collect(path: Path, proc, receiver, deadline: float, limits: Limits, on_page) -> list[tuple]:
    messages: list[tuple] = []
    total = done = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            proc.kill()
            raise IngestError(path, "timeout", f"parsing took longer than {limits.wall_seconds:g} s "
                              f"(stopped after {done} pages); the parser was killed")
        if not receiver.poll(min(remaining, 0.2)):
            continue
        try:
            message = receiver.recv()
        except EOFError:
            proc.join(5)
            raise _died(path, proc.exitcode, limits) from None
        if message[0] == "error":
            raise IngestError(path, message[1], message[2])
        if message[0] == "done":
            return messages
        messages.append(message)
        if message[0] == "count":
            total = message[1]
        elif message[0] == "page":
            done += 1
            if on_page:
                on_page(done, total)


def _died(path: Path, exitcode: int | None, limits: Limits) -> IngestError:
    """The child ended without a result: say which limit (or crash) ended it."""
    if exitcode in (-signal.SIGXCPU, -signal.SIGKILL):  # SIGKILL: the hard CPU limit or the OOM killer
        return IngestError(path, "resource_limit", f"parsing exceeded the CPU limit of "
                           f"{limits.cpu_seconds} s or ran out of memory; the file is too heavy to parse")
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        return IngestError(path, "corrupt", f"the PDF parser crashed ({name}) on this file")
    return IngestError(path, "corrupt", f"the PDF parser stopped unexpectedly (exit code {exitcode})")


def _assemble(path: Path, messages: list[tuple], limits: Limits) -> ExtractResult:
    """Pages from the child's raw lines; pages without a text layer are kept empty and reported."""
    raw = [m[1:] for m in messages if m[0] == "page"]  # (number, PageRead, error)
    printed = next((m[1] for m in messages if m[0] == "labels"), None)
    labels = assign({number: read.candidates for number, read, _ in raw}, len(raw), printed)
    frame_right = max((line["x1"] for _, read, _ in raw for line in read.lines), default=0.0)
    pages, statuses = [], []
    for (number, read, error), label in zip(raw, labels, strict=True):
        lines = rows_down(merge_lines(unstack(_without_labels(read, label)), frame_right))
        text = "\n".join(line["text"] for line in lines)
        chars = sum(not c.isspace() for c in text)
        status = "failed" if error else "ok" if chars >= limits.min_chars else \
            "scanned" if read.image_share >= SCANNED_SHARE else \
            "unmapped" if chars + read.repairs.get("dropped", 0) >= limits.min_chars else "blank"
        ok = status == "ok"
        styles = tuple((line["size"], line["font"]) for line in lines) if ok else ()
        pages.append(Page(number, label, text if ok else "", styles))
        statuses.append(PageStatus(number, status, chars, error, read.repairs))
    if not any(s.status == "ok" for s in statuses):
        raise _nothing_readable(path, statuses)
    log.debug("%s: %d pages, %d skipped", path.name, len(pages), sum(s.status != "ok" for s in statuses))
    tables = {number: read.tables for number, read, _ in raw if read.tables}
    return ExtractResult(str(path), tuple(pages), tuple(statuses), tables)


def _without_labels(read: PageRead, label: str) -> list[dict]:
    """The page's lines less its printed page number: a line of its own, else the number in a running
    head ("第1章 はじめに 13"). A page with both keeps the head whole ("1 はじめに" opening page 1)."""
    lines = list(read.lines)
    found = [c for c in read.candidates if matches(c, label) and c.line < len(lines)]
    whole = [c for c in found if c.whole]
    for c in whole or found[:1]:
        text = lines[c.line]["text"]
        rest = "" if c.whole else (text[: c.start] + text[c.end :]).strip()
        lines[c.line] = {**lines[c.line], "text": rest} if rest else None
    return [line for line in lines if line is not None]


def _nothing_readable(path: Path, statuses: list[PageStatus]) -> IngestError:
    failed = [s for s in statuses if s.status == "failed"]
    if failed:
        return IngestError(path, "corrupt", f"no page could be read (page {failed[0].number}: "
                           f"{failed[0].error}); nothing indexed")
    scanned = [s.number for s in statuses if s.status == "scanned"]
    blank = [s.number for s in statuses if s.status == "blank"]
    unmapped = [s.number for s in statuses if s.status == "unmapped"]
    parts = ([f"pages {page_ranges(scanned)} skipped as scanned images"] if scanned else []) + \
        ([f"pages {page_ranges(blank)} blank"] if blank else []) + \
        ([f"pages {page_ranges(unmapped)} {UNMAPPED_NOTE}"] if unmapped else [])
    note = f" — {OCR_NOTE}" if scanned else ""
    return IngestError(path, "no_text",
                       f"no page has a text layer ({', '.join(parts)}); nothing indexed{note}")


def page_ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> "1-3, 5": page lists stay short in messages."""
    spans: list[list[int]] = []
    for n in sorted(numbers):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
