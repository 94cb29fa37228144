"""The documents tab behind the UI: validate an upload on the server, store it, ingest it. No Gradio here.

The browser's file-type filter is only a hint (gradio issue #3767), so the server checks the size
and the `%PDF-` magic bytes itself before anything parses the file.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

from qa.settings import Settings

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # a long report with images is ~10-30 MB; the UI is for reports
PDF_MAGIC = b"%PDF-"
_UNSAFE = re.compile(r"[^\w.\- ]+")  # \w keeps Japanese letters in file names


class UploadError(ValueError):
    """An uploaded file that will not be ingested; the message is shown to the user."""


def uploads_dir(settings: Settings) -> Path:
    """Where uploaded PDFs are kept: next to the index (not inside it, so rebuilding keeps them)."""
    root = Path(settings.index_dir).resolve()
    return root.parent / f"{root.name}-uploads"


def validate_upload(path: str | Path, max_bytes: int = MAX_UPLOAD_BYTES) -> Path:
    """The file, if it is a PDF within the size limit; UploadError otherwise."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(len(PDF_MAGIC))
    except OSError as exc:
        raise UploadError(f"cannot read the upload: {exc.strerror or exc}") from None
    if size == 0:
        raise UploadError("the file is empty")
    if size > max_bytes:
        raise UploadError(f"the file is {size / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB")
    if head != PDF_MAGIC:
        raise UploadError("not a PDF: the file does not start with %PDF-")
    return path


def safe_name(name: str) -> str:
    """A plain file name ending in .pdf: no folders, no control or shell characters."""
    stem = _UNSAFE.sub("_", Path(name).name).strip(" .") or "document"
    stem = stem[:-4] if stem.lower().endswith(".pdf") else stem
    return f"{stem[:120]}.pdf"


def store_upload(path: str | Path, original_name: str, settings: Settings) -> Path:
    """Validate and copy the upload into uploads_dir under a safe name; returns the stored path."""
    source = validate_upload(path)
    folder = uploads_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / safe_name(original_name)
    tmp = dest.with_suffix(".part")
    shutil.copyfile(source, tmp)
    tmp.replace(dest)
    return dest


def ingest_upload(path: str | Path, original_name: str, settings: Settings, embedder) -> tuple[bool, str]:
    """Validate, store and ingest one upload. (ok, message for the user)."""
    from qa.pipeline import ingest_files

    try:
        stored = store_upload(path, original_name, settings)
    except UploadError as exc:
        return False, f"Rejected {Path(original_name).name}: {exc}"
    report = ingest_files([stored], settings, embedder)
    result = report.files[0]
    if result.status == "failed":
        stored.unlink(missing_ok=True)
        return False, f"Could not ingest {stored.name}: {result.error}"
    if result.status == "unchanged":
        return True, f"{stored.name} is already in the index (same content)."
    return True, (f"Added {stored.name}: {result.pages} pages, {result.sections} sections, "
                  f"{result.chunks} chunks. It is searchable now.")


def document_rows(documents: list[dict]) -> list[list]:
    """The documents table: name, pages, chunks, status."""
    return [[d.get("doc", ""), d.get("n_pages", 0), d.get("n_chunks", 0), d.get("status", "")]
            for d in documents]
