"""Synthetic data for `docqa bench --scale`: reports made from the sample, and large corpora made from
an index's real chunks.

Reports: the sample report's pages (ingest.pages) in a shuffled order, every number replaced by
another of the same length, built into a PDF as the sample is. They parse, chunk and embed like
real reports; their text is not real.

Corpora (for query latency at sizes no one can embed on 2 cores): copy c of a real chunk keeps its
text, item and section; its vector is the real vector plus Gaussian noise (cosine ~0.93 with it),
re-normalised; its BM25 tokens are the real tokens with every number replaced. So the vectors have
the clustering of real text and the tokens its vocabulary and lengths, but nothing here is embedded.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.pages import split_report_pages
from ingest.records import Chunk

# Figures (two digits or more): single digits number the report's sections (１．, （２）) and stay.
_DIGITS = re.compile(r"[0-9]{2,}|[０-９]{2,}")
_NUMBER_TOKEN = re.compile(r"\d+(?:\.\d+)?")
NOISE = 0.02  # per-dimension sigma on 384-dim unit vectors: |noise| ~ 0.39, cosine with the original ~0.93


def _new_number(match: re.Match, rng: random.Random) -> str:
    digits = match.group()
    zero = "０" if "０" <= digits[0] <= "９" else "0"
    out = [chr(ord(zero) + rng.randrange(10)) for _ in digits]
    if len(out) > 1 and out[0] == zero:
        out[0] = chr(ord(zero) + 1 + rng.randrange(9))
    return "".join(out)


def synthetic_text(text: str, seed: int) -> str:
    """The report with its pages after the first shuffled and its figures changed; the line that
    starts a page (a form or item header) is kept as it is, so the pages stay the same."""
    rng = random.Random(seed)
    pages = split_report_pages(text)
    body = pages[1:]
    rng.shuffle(body)
    lines = []
    for page in [pages[0], *body]:
        lines += page[:1] + [_DIGITS.sub(lambda m: _new_number(m, rng), line) for line in page[1:]]
    return "\n".join(lines)


def synthetic_reports(text_path: Path, n: int, folder: Path) -> list[Path]:
    """n synthetic report PDFs in `folder` (synthetic-1.pdf …)."""
    from ingest.sample import build_sample_pdf

    folder.mkdir(parents=True, exist_ok=True)
    text = Path(text_path).read_text(encoding="utf-8")
    paths = []
    for i in range(1, n + 1):
        source = folder / f"synthetic-{i}.txt"
        source.write_text(synthetic_text(text, seed=i), encoding="utf-8")
        paths.append(build_sample_pdf(source, folder / f"synthetic-{i}.pdf"))
    return paths


@dataclass
class Corpus:
    chunks: list[Chunk]
    vectors: np.ndarray  # (n, dim) float32, L2-normalised
    tokens: list[list[str]]


def synthetic_corpus(base: Corpus, size: int, seed: int = 0) -> Corpus:
    """`size` chunks: the base chunks first, then noisy copies of them (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = len(base.chunks)
    picks = np.arange(size) % n
    vectors = base.vectors[picks].copy()
    copies = np.arange(size) >= n
    vectors[copies] += rng.normal(0, NOISE, size=(int(copies.sum()), vectors.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunks, tokens = [], []
    for i, b in enumerate(picks):
        chunk, copy = base.chunks[b], i // n
        chunks.append(Chunk(f"{i:016x}", f"synthetic-{copy}.pdf", chunk.item, chunk.section,
                            chunk.page_start, chunk.page_end, chunk.text))
        toks = base.tokens[b]
        if copy:
            numbers = rng.integers(0, 10_000, size=len(toks))
            toks = [str(numbers[j]) if _NUMBER_TOKEN.fullmatch(t) else t for j, t in enumerate(toks)]
        tokens.append(toks)
    return Corpus(chunks, np.ascontiguousarray(vectors, dtype=np.float32), tokens)
