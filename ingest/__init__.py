"""Ingest: PDF in, pages, sections and chunks out. Pure: no torch, no FAISS."""

from ingest.boilerplate import find_boilerplate
from ingest.chunks import chunk_sections
from ingest.records import Chunk, Page, Section
from ingest.sections import split_sections
from ingest.text import normalize, squash

__all__ = [
    "Chunk",
    "Page",
    "Section",
    "chunk_sections",
    "find_boilerplate",
    "normalize",
    "split_sections",
    "squash",
]
