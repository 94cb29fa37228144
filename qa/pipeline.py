"""Ingest files into the index: PDF -> pages -> sections -> chunks -> embeddings -> index."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ingest import chunk_sections, split_sections
from ingest.pdf import IngestError, Limits, extract
from ingest.profile import read_profile
from ingest.ratings import rating_rows
from ingest.tables import read_tables
from qa.backends import open_backend
from qa.embed import Embedder
from qa.embed.base import progress
from qa.index.files import sha256_file
from qa.settings import Settings

if TYPE_CHECKING:
    from qa.index.write import DocUpdate

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    path: str
    status: str  # "indexed", "unchanged" or "failed"
    pages: int = 0
    sections: int = 0
    chunks: int = 0
    error: str = ""
    kind: str = ""  # IngestError kind when failed: not_pdf, encrypted, corrupt, timeout, …
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (page, why) left out of the index
    repairs: list[tuple[int, dict]] = field(default_factory=list)  # (page, counts): ingest.glyphs, spaces


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # parse, embed, index, total
    embedded: int = 0  # chunks embedded this run (the rest were reused by content hash)
    sentences: int = 0  # sentences embedded with them (each its own vector)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]


class _TimedEmbedder:
    """Wraps an embedder to count what it embeds and how long it takes."""

    def __init__(self, inner: Embedder):
        self.inner, self.model_name, self.dim = inner, inner.model_name, inner.dim
        self.seconds, self.count = 0.0, 0

    def embed(self, texts, *, query=False):
        start = time.perf_counter()
        try:
            return self.inner.embed(texts, query=query)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += len(texts)


def doc_id(path: Path) -> str:
    return Path(path).name


def parse_file(path: Path, settings: Settings, limits: Limits | None = None,
               password: str | None = None, sha256: str | None = None) -> tuple[DocUpdate, FileResult]:
    """Read one PDF into chunks (parsed in a child process); raises IngestError for unreadable files.
    `sha256`: the file's hash when the caller has it already."""
    from qa.index.write import DocUpdate  # FAISS and bm25s load only when something is written

    with progress(0, unit="page", desc=f"parsing {Path(path).name}", min_total=0) as bar:
        extracted = extract(path, limits=limits, password=password, on_page=_pages_done(bar))
    pages = list(extracted.pages)
    sections = split_sections(pages)
    chunks = [c for c in chunk_sections(sections, doc_id(path), max_chars=settings.chunk_chars)
              if c.text.strip()]  # an empty chunk would still get a vector and match everything a bit
    if not chunks:
        raise IngestError(path, "no_text", "no text left to index once headers and footers are removed")
    tables = read_tables(pages, extracted.tables) + rating_rows(pages)
    update = DocUpdate(
        doc=doc_id(path), path=str(path), sha256=sha256 or sha256_file(path), n_pages=len(pages),
        chunks=chunks, status="ok", pages=tuple(pages),
        profile=read_profile(doc_id(path), pages, sections, tables), tables=tuple(tables),
    )
    result = FileResult(str(path), "indexed", len(pages), len(sections), len(chunks),
                        skipped=[(s.number, s.error or s.status) for s in extracted.skipped],
                        repairs=[(s.number, s.repairs) for s in extracted.statuses if s.repairs])
    return update, result


def _pages_done(bar):
    def update(done: int, total: int) -> None:
        bar.total, bar.n = total, done
        bar.refresh()
    return update


def ingest_files(paths: list[Path], settings: Settings, embedder: Embedder, *,
                 limits: Limits | None = None, rebuild: bool = False,
                 password: str | None = None) -> IngestReport:
    """Ingest each file; a bad file is reported and skipped, the others still land.

    `limits` bounds each file's parse (size, pages, memory, CPU, wall time); None: the defaults.
    `rebuild` starts a new index from these files alone (for an index written with other settings).
    `password` opens encrypted PDFs (the same one for every file).
    """
    report, start = IngestReport(), time.perf_counter()
    known = {} if rebuild else open_backend(settings, embedder).known_documents()
    updates = [u for path in map(Path, paths) if (u := _parse_one(path, settings, limits, password, known,
                                                                  report))]
    report.seconds["parse"] = time.perf_counter() - start
    if updates:
        _write(updates, settings, embedder, rebuild, report)
    report.seconds["total"] = time.perf_counter() - start
    return report


def _parse_one(path: Path, settings: Settings, limits: Limits | None, password: str | None,
               known: dict[str, str], report: IngestReport) -> DocUpdate | None:
    """The file's update, or None when it is unchanged or failed (either way recorded in `report`)."""
    try:
        sha256 = sha256_file(path) if doc_id(path) in known else None
        if sha256 is not None and known[doc_id(path)] == sha256:
            report.files.append(FileResult(str(path), "unchanged"))
            return None
        update, result = parse_file(path, settings, limits, password, sha256)
    except IngestError as exc:
        log.error("%s", exc)
        report.files.append(FileResult(str(path), "failed", error=str(exc), kind=exc.kind))
        return None
    except OSError as exc:  # unreadable or vanished while we read it
        log.error("%s: %s", path, exc)
        report.files.append(FileResult(str(path), "failed", error=f"{path}: {exc}", kind="unreadable"))
        return None
    report.files.append(result)
    return update


def _write(updates: list[DocUpdate], settings: Settings, embedder: Embedder, rebuild: bool,
           report: IngestReport) -> None:
    """Embed what is new and write the index version, timing the embedding apart from the rest."""
    from qa.index.sentences import sentence_embedder  # FAISS loads only when something is written

    apart = sentence_embedder(settings.chunker(), embedder)
    report.seconds["model"] = _load_models(embedder, apart)
    chunks, sentences = _TimedEmbedder(embedder), _TimedEmbedder(apart)  # counted apart
    index_start = time.perf_counter()
    open_backend(settings, chunks).add(updates, chunks, rebuild=rebuild, sentence_embedder=sentences)
    report.seconds["embed"] = chunks.seconds + sentences.seconds
    report.seconds["index"] = time.perf_counter() - index_start - report.seconds["embed"]
    report.embedded, report.sentences = chunks.count, sentences.count


def _load_models(*embedders) -> float:
    """Load models that load on first use (qa.embed.LazyEmbedder) before the embedding clock starts:
    on a first run that includes building and exporting the model, which is not embedding."""
    start = time.perf_counter()
    for embedder in embedders:
        if getattr(embedder, "loaded", True) is False:
            embedder.model  # noqa: B018 - the property loads it
    return time.perf_counter() - start
