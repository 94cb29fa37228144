"""The public API: Assistant.load(index_dir).ask(question) -> Answer."""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from pathlib import Path

from qa import extractive
from qa.backends import open_index
from qa.embed import Embedder, load_embedder
from qa.index import Index
from qa.index.sentences import sentence_embedder
from qa.index.tokenize import tokenize_many
from qa.query import Query, analyse
from qa.records import REFUSAL, Answer, Citation, Hit
from qa.search import search
from qa.settings import Settings

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000  # longer input is cut: no report question needs more
K_MAX = 50
SEARCH_DEPTH = 5  # chunks searched per passage shown: several chunks often share one page
# Refuse when the best sentence holds too little of the question's weighted terms (IDF share plus
# answer-type bonus). Calibrated on eval/qa.jsonl: English questions match only through glossary
# terms and names, so their floor is lower.
MIN_COVERAGE = {"ja": 0.22, "en": 0.05}


RATING_PASSAGES = 2
_RATING_LINE = re.compile(r"評定\s*[:：]\s*[SABCD](?![A-Za-z])")


class QuestionError(ValueError):
    """A question that cannot be asked (empty)."""


class Assistant:
    def __init__(self, index: Index, embedder: Embedder, settings: Settings):
        self.index, self.embedder, self.settings = index, embedder, settings
        self.sentence_embedder = sentence_embedder(index.manifest.get("chunker", {}), embedder)
        self._df = Counter(t for toks in tokenize_many([c.text for c in index.chunks]) for t in set(toks))

    @classmethod
    def load(cls, index_dir: str | Path | None = None, *, settings: Settings | None = None,
             embedder: Embedder | None = None) -> Assistant:
        settings = settings or Settings()
        if index_dir is not None:
            settings = settings.model_copy(update={"index_dir": Path(index_dir)})
        embedder = embedder or load_embedder(settings.embed_model)
        return cls(open_index(settings, embedder), embedder, settings)  # index folder or Qdrant

    def _idf(self, token: str) -> float:
        return extractive._idf(self._df, len(self.index.chunks), token)

    def retrieve(self, question: str | Query, *, items=None, k: int = 10, docs=None) -> list[Hit]:
        """Top-k chunks for a question (hybrid search), best first; `docs` keeps to those documents."""
        return search(self.index, self.embedder, question, k=_clamp(k), items=items, docs=self._docs(docs))

    def as_retriever(self, *, k: int = 10, items: tuple[str, ...] | None = None,
                     docs: tuple[str, ...] | None = None):
        """A langchain-core BaseRetriever over this index."""
        from qa.retriever import DocqaRetriever

        return DocqaRetriever(assistant=self, k=k, items=items, docs=docs)

    def ask(self, question: str, *, items: tuple[str, ...] | None = None, k: int = 10,
            docs: tuple[str, ...] | None = None) -> Answer:
        """Answer from the report with verified citations, or refuse and show the nearest passages.
        `items` keeps to those items, `docs` to those documents (file names, as `docqa status` lists)."""
        question = (question or "").strip()[:MAX_QUESTION_CHARS]
        if not question:
            raise QuestionError("the question is empty")
        start = time.perf_counter()
        query = analyse(question)
        qvec = self.embedder.embed([query.text], query=True)[0]
        k = _clamp(k)
        # More than shown: passages on a page already shown are dropped below.
        docs = self._docs(docs)
        hits = search(self.index, self.embedder, query, k=SEARCH_DEPTH * k,
                      items=tuple(items) if items else None, qvec=qvec, docs=docs)
        t_retrieve = time.perf_counter()
        sentences = extractive.candidate_sentences(hits, query, self._idf, self._similarity(query, qvec),
                                                extra=self._rating_passages(query, hits, docs))
        chosen = extractive.pick(sentences, query, self._idf)
        citations = extractive.cite(chosen, self.index.pages)
        refused = not citations or self._weak(query, hits, chosen)
        hits = _evidence_first(hits, chosen[0].hit if chosen and not refused else None)
        hits, pages = _one_per_page(hits, [self._page_of(h, sentences) for h in hits], k)
        timings = {"retrieve_ms": (t_retrieve - start) * 1000,
                   "total_ms": (time.perf_counter() - start) * 1000}
        if refused:
            return Answer(question, REFUSAL[query.lang], (), hits, True, query.lang, timings, pages=pages)
        return Answer(question, _compose(citations, query.lang), tuple(citations), hits, False,
                      query.lang, timings, pages=pages)

    def _docs(self, docs) -> tuple[str, ...] | None:
        """A document filter as a tuple of indexed documents (a lone name is one), None for all."""
        if not docs:
            return None
        docs = (docs,) if isinstance(docs, str) else tuple(docs)
        held = {c.doc for c in self.index.chunks}
        unknown = [d for d in docs if d not in held]
        if unknown:
            raise QuestionError(f"unknown document {', '.join(unknown)}; "
                                f"the index holds {', '.join(sorted(held))}")
        return docs

    def _similarity(self, query: Query, qvec):
        """sim(chunk_id, i): the question's cosine with a chunk's i-th sentence; None without vectors."""
        if self.index.sentences is None:
            return None
        svec = qvec if self.sentence_embedder is self.embedder else \
            self.sentence_embedder.embed([query.text], query=True)[0]
        return lambda chunk_id, i: float(self.index.sentences.of(chunk_id)[i] @ svec)

    def _rating_passages(self, query: Query, hits: list[Hit], docs=None) -> list[Hit]:
        """A rating question about an item also reads the item's own rating statement (評定：B),
        which a short question seldom retrieves on its own."""
        if query.kind != "rating" or not query.items:
            return []
        seen = {h.chunk.id for h in hits[: extractive.PASSAGES_READ]}
        found = [c for c in self.index.chunks if c.item in query.items and c.id not in seen
                 and (not docs or c.doc in docs) and _RATING_LINE.search(c.text)]
        return [Hit(c, 0.0, None, None) for c in found[:RATING_PASSAGES]]

    def _weak(self, query: Query, hits: list[Hit], chosen) -> bool:
        if not hits or not chosen:
            return True
        # The answer as a whole must hold enough of the question: its sentences together.
        text = "\n".join(s.text for s in chosen)
        coverage = extractive.score_sentence(text, extractive.content_tokens(query), query, self._idf)
        return coverage < MIN_COVERAGE[query.lang]

    def _page_of(self, hit: Hit, sentences) -> int:
        """The page where the passage's best sentence is, else its first page."""
        best = next((s for s in sentences if s.hit is hit), None)
        if best is not None:
            page = extractive.locate(best.text, hit.chunk, self.index.pages.get(hit.chunk.doc, []))
            if page is not None:
                return page
        return hit.chunk.page_start


def _clamp(k: int) -> int:
    return min(max(k, 1), K_MAX)


def _one_per_page(hits: list[Hit], pages: list[int], k: int) -> tuple[tuple[Hit, ...], tuple[int, ...]]:
    """The best passage of each page, up to k: a reader checking sources wants different pages."""
    seen, kept = set(), []
    for hit, page in zip(hits, pages, strict=True):
        if (hit.chunk.doc, page) not in seen:
            seen.add((hit.chunk.doc, page))
            kept.append((hit, page))
    kept = kept[:k]
    return tuple(h for h, _ in kept), tuple(p for _, p in kept)


def _evidence_first(hits: list[Hit], evidence: Hit | None) -> list[Hit]:
    if evidence is None:
        return hits
    return [evidence] + [h for h in hits if h is not evidence]


def _compose(citations: list[Citation], lang: str) -> str:
    body = " ".join(f"{c.quote} [{c.n}]" for c in citations)
    return body if lang == "ja" else f"The report says (in Japanese): {body}"


_default: Assistant | None = None


def ask(question: str, **kwargs) -> Answer:
    """Ask the default index (DOCQA_INDEX_DIR, else ./index); the assistant is loaded once."""
    global _default  # one model and index per process, for scripts that call qa.ask repeatedly
    if _default is None:
        _default = Assistant.load()
    return _default.ask(question, **kwargs)
