"""The child side of ingest.pdf: set hard limits, open the PDF, read each page (ingest.layout.read_page,
its ruled tables' cells included), and stream them to the parent as messages; every outcome is one message.

Messages: ("count", n_pages), ("labels", /PageLabels or None), ("page", number, PageRead, error), then
("done",) or ("error", kind, message).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from ingest.labels import pdf_labels
from ingest.layout import PageRead, read_page

MIB = 1 << 20
MIN_CHARS = 10  # a page with fewer non-space characters has no usable text layer (scanned or blank)


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



def child_main(conn, path: str, password: str | None, limits: Limits, delay: float) -> None:
    """Entry point of the child: limits first, then parse; every outcome is one message."""
    _set_limits(limits)
    quiet_parser()
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


def quiet_parser() -> None:
    """pdfminer's warnings stay in the child: it warns once per glyph about a font descriptor it
    cannot read (Chromium's print to PDF has no FontBBox), 99 lines for a 12-page page print.
    The child has no handler of its own, so they went straight to the terminal."""
    logging.getLogger("pdfminer").setLevel(logging.ERROR)


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
        conn.send(("count", n_pages))
        conn.send(("labels", pdf_labels(pdf.doc, n_pages)))
        for number, page in enumerate(pdf.pages, start=1):
            if delay:
                time.sleep(delay)
            conn.send(("page", number, *_read_page(page)))
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
