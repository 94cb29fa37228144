"""The peer pipeline for `docqa bench`: what a LangChain user builds first, with our embedder.

pdfplumber page text → RecursiveCharacterTextSplitter(1000, 200) per page → FAISS flat inner product.
No sections, no cleaning: it is the baseline docqa must beat, so keep it plain.
"""

from __future__ import annotations

import time
from pathlib import Path

from ingest.records import Page
from qa.bench.measure import query_figures
from qa.embed import Embedder
from qa.evaluation.metrics import (
    EvalRow,
    RetrievedPage,
    first_gold_rank,
    gold_pages,
)

CHUNK_SIZE = 1000  # LangChain's documented defaults for RecursiveCharacterTextSplitter
CHUNK_OVERLAP = 200
TOP_K = 10


def split_pdf(pdf_path: str | Path) -> list[tuple[int, str]]:
    """(1-based page, chunk text) for every chunk the splitter makes, page by page."""
    import pdfplumber
    from langchain_text_splitters import RecursiveCharacterTextSplitter  # dev dependency: import late

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    with pdfplumber.open(pdf_path) as pdf:
        texts = [page.extract_text() or "" for page in pdf.pages]
    metadatas = [{"page": number} for number in range(1, len(texts) + 1)]
    docs = splitter.create_documents(texts, metadatas=metadatas)
    return [(doc.metadata["page"], doc.page_content) for doc in docs]


def build_index(chunks: list[tuple[int, str]], embedder: Embedder):
    import faiss

    index = faiss.IndexFlatIP(embedder.dim)
    if chunks:
        index.add(embedder.embed([text for _, text in chunks]))
    return index


def search(index, chunks: list[tuple[int, str]], embedder: Embedder, question: str) -> list[RetrievedPage]:
    """Top-k chunks for one question, as results-format entries (the peer knows no items)."""
    scores, ids = index.search(embedder.embed([question], query=True), TOP_K)
    return [
        RetrievedPage(doc="peer", item="", page=chunks[i][0], score=float(s))
        for s, i in zip(scores[0], ids[0], strict=True)
        if i >= 0
    ]


def run_peer(pdf_path: str | Path, embedder: Embedder, rows: list[EvalRow], pages: list[Page]) -> dict:
    """Ingest seconds and page hit@k of the peer on the answerable rows; gold pages come from `pages`."""
    start = time.perf_counter()
    chunks = split_pdf(pdf_path)
    parsed = time.perf_counter()
    index = build_index(chunks, embedder)
    built = time.perf_counter()
    ranks, latencies = [], []
    for row in (r for r in rows if r.answerable):
        asked = time.perf_counter()
        retrieved = search(index, chunks, embedder, row.question)
        latencies.append((time.perf_counter() - asked) * 1000)
        ranks.append(first_gold_rank(retrieved, gold_pages(row, pages)))
    return {
        "chunks": len(chunks),
        "parse_s": round(parsed - start, 3),
        "embed_s": round(built - parsed, 3),
        "ingest_s": round(built - start, 3),
        **query_figures(latencies, ranks),
    }
