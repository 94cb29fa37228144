"""The one way PDFs are opened: a child process with hard limits reads every page.

`extract(path) -> ExtractResult` (pages and a status per page) is what ingest uses;
`load_pdf(path) -> list[Page]` is the same path for callers that only want the pages.

A hostile or broken PDF (a decompression bomb, a recursive structure, a parser hang) then kills
only the child. The parent checks size and magic bytes before any parsing, the child sets its own
memory and CPU limits and streams pages back, and the parent kills it at a wall-clock deadline.
signal.alarm is not used: it fails outside the main thread (Gradio runs handlers in threads).

Errors are IngestError with kind: not_pdf, encrypted, corrupt, too_large, too_many_pages,
resource_limit (memory or CPU limit hit), timeout (wall deadline), no_text (no page has text).

The child reads each page with ingest.layout.read_page (a pure function of the page); the parent
decides what needs the whole document: printed page labels (ingest.labels) and the text frame.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ingest.labels import assign, matches, pdf_labels
from ingest.layout import PageRead, merge_lines, read_page
from ingest.records import Page

log = logging.getLogger(__name__)

MIB = 1 << 20
MIN_CHARS = 10  # a page with fewer non-space characters has no usable text layer (scanned or blank)
SCANNED_SHARE = 0.5  # a page without text counts as a scan when images cover this share of it
OCR_NOTE = "OCR is not available: run OCR on the file first"
# Test hook: seconds the child sleeps before each page, to simulate a parser that hangs.
PAGE_DELAY_ENV = "DOCQA_TEST_PAGE_DELAY"
# forkserver: children fork from a small clean server (safe from a threaded parent, and fast,
# as pdfplumber is preloaded there) instead of each starting a fresh interpreter.
_CTX = multiprocessing.get_context("forkserver")
_CTX.set_forkserver_preload(["ingest.pdf", "pdfplumber"])


class IngestError(Exception):
    """A file that cannot be ingested; `kind` says why (see the module docstring)."""

    def __init__(self, path: Path | str, kind: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path, self.kind = str(path), kind


@dataclass(frozen=True)
class Limits:
    """Budgets for one file. Tests lower them; the defaults suit reports of a few hundred pages."""

    max_bytes: int = 200 * MIB  # checked before parsing
    max_pages: int = 2000  # checked right after opening
    memory_bytes: int = 1536 * MIB  # RLIMIT_AS of the child
    cpu_seconds: int = 60  # RLIMIT_CPU of the child
    wall_seconds: float = 120.0  # the parent kills the child after this
    min_chars: int = MIN_CHARS


@dataclass(frozen=True)
class PageStatus:
    number: int  # 1-based
    status: str  # "ok", "blank" (no text, no large image), "scanned" (no text, an image covers most
    # of it) or "failed" (the parser raised)
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


def extract(path: Path | str, *, password: str | None = None, limits: Limits | None = None) -> ExtractResult:
    """Read every page of `path` in a child process; raises IngestError naming the file and why."""
    path, limits = Path(path), limits or Limits()
    _precheck(path, limits)
    delay = float(os.environ.get(PAGE_DELAY_ENV) or 0)  # read here: forkserver children keep the
    # server's environment, not the caller's
    messages = _run_child(path, password, limits, delay)
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


def _run_child(path: Path, password: str | None, limits: Limits, delay: float) -> list[tuple]:
    """Run the child, collect its messages until it says done; kill it at the deadline."""
    receiver, sender = _CTX.Pipe(duplex=False)
    proc = _spawn(_child_main, (sender, str(path), password, limits, delay))
    sender.close()  # the parent keeps only its end, so a dead child reads as EOF
    try:
        return _collect(path, proc, receiver, time.monotonic() + limits.wall_seconds, limits)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        receiver.close()


def _collect(path: Path, proc, receiver, deadline: float, limits: Limits) -> list[tuple]:
    messages: list[tuple] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            proc.kill()
            done = len([m for m in messages if m[0] == "page"])
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
        lines = merge_lines(_without_labels(read, label), frame_right)
        text = "\n".join(line["text"] for line in lines)
        chars = sum(not c.isspace() for c in text)
        status = "failed" if error else "ok" if chars >= limits.min_chars else \
            "scanned" if read.image_share >= SCANNED_SHARE else "blank"
        ok = status == "ok"
        styles = tuple((line["size"], line["font"]) for line in lines) if ok else ()
        pages.append(Page(number, label, text if ok else "", styles))
        statuses.append(PageStatus(number, status, chars, error, read.repairs))
    if not any(s.status == "ok" for s in statuses):
        raise _nothing_readable(path, statuses)
    hidden = {s.number: s.repairs["hidden"] for s in statuses if s.repairs.get("hidden")}
    if hidden:
        log.warning("%s: %d hidden characters (white or tiny) left out, pages %s", path.name,
                    sum(hidden.values()), page_ranges(list(hidden)))
    log.info("%s: %d pages, %d skipped", path.name, len(pages), sum(s.status != "ok" for s in statuses))
    tables = {m[1]: m[2] for m in messages if m[0] == "tables"}
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
    parts = ([f"pages {page_ranges(scanned)} skipped as scanned images"] if scanned else []) + \
        ([f"pages {page_ranges(blank)} blank"] if blank else [])
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


# --- the child ---------------------------------------------------------------------------------


def _child_main(conn, path: str, password: str | None, limits: Limits, delay: float) -> None:
    """Entry point of the child: limits first, then parse; every outcome is one message."""
    _set_limits(limits)
    try:
        _parse(conn, Path(path), password, limits, delay)
        conn.send(("done",))
    except IngestError as e:
        conn.send(("error", e.kind, str(e).removeprefix(f"{e.path}: ")))
    except MemoryError:
        conn.send(("error", "resource_limit", _memory_message(limits)))
    except RecursionError:
        conn.send(("error", "corrupt", "the PDF structure is nested too deeply (recursive objects?)"))
    except Exception as e:  # any other parser failure means the file is broken
        conn.send(("error", "corrupt", f"the PDF could not be parsed ({type(e).__name__}: {e})"))
    finally:
        conn.close()


def _set_limits(limits: Limits) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash must not leave a core dump behind
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    # Soft limit sends SIGXCPU; the hard one, a little later, SIGKILL if that was ignored.
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 2))


def _memory_message(limits: Limits) -> str:
    return (f"parsing needed more than {limits.memory_bytes / MIB:.0f} MiB of memory "
            "(a decompression bomb or a huge image?); the parser was stopped")


def _parse(conn, path: Path, password: str | None, limits: Limits, delay: float) -> None:
    with _open(path, password) as pdf:
        n_pages = len(pdf.pages)
        if n_pages > limits.max_pages:
            raise IngestError(path, "too_many_pages", f"{n_pages} pages is over the limit of "
                              f"{limits.max_pages}; nothing was parsed")
        if n_pages == 0:
            raise IngestError(path, "corrupt", "the PDF has no pages (its page tree is empty or broken)")
        conn.send(("labels", pdf_labels(pdf.doc, n_pages)))
        for number, page in enumerate(pdf.pages, start=1):
            if delay:
                time.sleep(delay)
            conn.send(("page", number, *_read_page(page)))
            if tables := _ruled_tables(page):
                conn.send(("tables", number, tables))
            page.close()  # frees the page's layout cache: memory stays flat on long reports


def _read_page(page) -> tuple[PageRead, str]:
    """(what the page holds, error). A page the parser chokes on is reported, not fatal."""
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        return read_page(page), ""
    except PdfminerException as e:
        if isinstance(e.args[0] if e.args else None, MemoryError):
            raise MemoryError from e  # one page over the memory limit stops the whole file
        return PageRead([], []), f"{type(e.args[0]).__name__ if e.args else 'error'}: {e}"
    except (MemoryError, RecursionError):
        raise
    except Exception as e:
        return PageRead([], []), f"{type(e).__name__}: {e}"


def _ruled_tables(page) -> list:
    """Cells of the page's ruled tables; [] when it has none or the table finder fails."""
    from ingest.tables import ruled_tables

    try:
        return ruled_tables(page)
    except (MemoryError, RecursionError):
        raise
    except Exception as e:  # a table the finder chokes on loses its structure, not the page
        log.debug("find_tables failed: %s", e)
        return []


def _open(path: Path, password: str | None):
    """pdfplumber.open with its failures classified; pdfplumber's own str() is often empty."""
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        return pdfplumber.open(path, password=password or "")
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc.__cause__
        name = type(cause).__name__
        if isinstance(cause, MemoryError):
            raise MemoryError from exc
        if "Password" in name:
            needed = "the password given does not open it" if password else "a password is required"
            raise IngestError(path, "encrypted", f"the PDF is encrypted: {needed}") from exc
        if "Encryption" in name:
            raise IngestError(path, "encrypted", f"the PDF is encrypted in a way the parser cannot "
                              f"read ({cause})") from exc
        raise IngestError(path, "corrupt", f"the PDF could not be parsed ({name}: {cause})") from exc
