"""Ingest: PDF in, pages, sections and chunks out. Pure: no torch, no FAISS.

pdf opens PDFs (a child process with limits; load_pdf, extract); layout turns a page's characters into
text; boilerplate finds repeated page furniture; sections the document's own headings; chunks cuts
sections; vocabulary the report's item ids and fiscal years; text what "the same text" means; records the
frozen records; sample and pages rebuild the sample report's PDF from its text.
"""

from ingest.boilerplate import find_boilerplate
from ingest.chunks import chunk_sections
from ingest.pdf import IngestError, load_pdf
from ingest.records import Chunk, Page, Section
from ingest.sections import split_sections
from ingest.text import normalize, squash

__all__ = [
    "Chunk",
    "IngestError",
    "Page",
    "Section",
    "chunk_sections",
    "find_boilerplate",
    "load_pdf",
    "normalize",
    "split_sections",
    "squash",
]
