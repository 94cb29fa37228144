"""Ingest: PDF in, pages, sections and chunks out. Pure: no torch, no FAISS."""

from ingest.records import Chunk, Page, Section
from ingest.text import normalize, squash

__all__ = ["Chunk", "Page", "Section", "normalize", "squash"]
