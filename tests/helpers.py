"""What several test modules share: paths, a small index corpus, and helpers to look inside an index."""

from __future__ import annotations

import shutil
from pathlib import Path

from ingest.records import Chunk
from qa.embed import FakeEmbedder
from qa.index import DocUpdate

ROOT = Path(__file__).resolve().parent.parent
REPORT_TXT = ROOT / "data" / "ipa-fy2020" / "report.txt"
TINY = ROOT / "tests" / "data" / "tiny.pdf"
LUATEXJA = ROOT / "data" / "luatexja" / "luatexja-ja.pdf"  # a real TeX-typeset manual (112 pages)
CHUNKER = {"max_chars": 400, "version": 1}  # chunker settings recorded in test indexes
TEXTS = [
    "売上高は6,449,878千円であった。",
    "研究開発法人の中長期目標の評定はAである。",
    "職員の人数は273人である。",
    "Deep learning models are trained on GPUs.",
    "The budget increased by 2.2 percent.",
]


class CountingEmbedder:
    """FakeEmbedder that records every text it embeds."""

    def __init__(self, dim=32):
        self.inner = FakeEmbedder(dim)
        self.model_name, self.dim = self.inner.model_name, dim
        self.embedded: list[str] = []

    def embed(self, texts, *, query=False):
        self.embedded.extend(texts)
        return self.inner.embed(texts, query=query)


def chunks_of(doc, texts, section="概要"):
    return [Chunk(Chunk.make_id(doc, section, t), doc, "I-1", section, n, n, t) for n, t in enumerate(texts, 1)]


def update(doc="a.pdf", texts=TEXTS, sha="sha-a") -> DocUpdate:
    """One document of `texts`, a chunk each, as ingest would hand it to the index."""
    return DocUpdate(doc, f"/reports/{doc}", sha, len(texts), chunks_of(doc, texts))


def doc_update(n: int, n_chunks: int = 40) -> DocUpdate:
    """Document number n: n_chunks distinct sentences with figures."""
    doc = f"d{n}.pdf"
    texts = [f"報告書{n}の第{i}段落。売上高は{n * 1000 + i}千円、職員は{i}人であった。" for i in range(n_chunks)]
    return DocUpdate(doc, f"/reports/{doc}", f"sha-{n}", n_chunks, chunks_of(doc, texts))


def versions(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("v-*") if p.is_dir())


def live(root: Path) -> Path:
    return root / (root / "CURRENT").read_text().strip()


def copy_index(index: Path, dest: Path) -> Path:
    shutil.copytree(index, dest, ignore=shutil.ignore_patterns(".lock"))
    return dest
