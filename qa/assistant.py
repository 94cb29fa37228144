"""The public API: Assistant.load(index_dir).ask(question) -> Answer."""

from __future__ import annotations

import functools
import gc
import logging
import re
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from ingest.text import split_sentences, squash
from qa import extractive, lexicon
from qa.backends import open_index
from qa.embed import Embedder, load_embedder
from qa.index import Index
from qa.index.sentences import sentence_embedder
from qa.query import Query, Vocabulary, analyse
from qa.reader import model as reader_model
from qa.reader.candidates import PASSAGES_READ, Context
from qa.reader.compose import answer_text
from qa.reader.morph import tag
from qa.reader.reading import Reading, read
from qa.reader.terms import Tokens, idf_of, sentence_tokens
from qa.records import Answer, Hit, refusal_line
from qa.search import search
from qa.settings import Settings

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000  # longer input is cut: no report question needs more
K_MAX = 50
SEARCH_DEPTH = 5  # chunks searched per passage shown: several chunks often share one page
RATING_PASSAGES = 2
ROW_PASSAGES = 2  # passages printing a table row the question names, read besides the hits
MIN_ROW_NAME = 3  # shorter row labels (計, 合計) name no row on their own
_RATING_LINE = re.compile(r"評定\s*[:：]\s*[SABCD](?![A-Za-z])")


class QuestionError(ValueError):
    """A question that cannot be asked (empty)."""


class Assistant:
    def __init__(self, index: Index, embedder: Embedder, settings: Settings,
                 weights: reader_model.Weights | None = None):
        self.index, self.embedder, self.settings = index, embedder, settings
        # Replaceable: cross-validation swaps them. Trained on one embedder's cosines (see for_embedder).
        self.weights = (weights or reader_model.load()).for_embedder(embedder.model_name)
        self.sentence_embedder = sentence_embedder(index.manifest.get("chunker", {}), embedder)
        # Every sentence and section path tokenized once, now: answering reads them over and over.
        self._tokens = Tokens([*(s for c in index.chunks for s in split_sentences(c.text)),
                               *(c.section for c in index.chunks)])
        self._df = Counter(t for c in index.chunks for t in sentence_tokens(c.text, self._tokens))
        self._idf_of: dict[str, float] = {}  # the index is fixed for this Assistant, so is each idf
        # The documents' words, so English questions get the dictionary translations they use.
        self.vocabulary = replace(Vocabulary.of(index.profiles.values()), words=self._df)
        self._tables: dict[tuple[str, int], list] = {}
        for doc, rows in index.tables.items():
            for row in rows:
                self._tables.setdefault((doc, row.page), []).append(row)
        self._text = "\n".join(c.text for c in index.chunks).lower()  # is a term anywhere at all?
        tag("何件")  # loads the part-of-speech dictionary now, not on the first question
        lexicon.table()  # and the English -> Japanese word table (0.15 s)
        lexicon.synonyms("")  # and the Japanese synonym groups (0.15 s)

    @classmethod
    def load(cls, index_dir: str | Path | None = None, *, settings: Settings | None = None,
             embedder: Embedder | None = None, weights: reader_model.Weights | None = None) -> Assistant:
        settings = settings or Settings()
        if index_dir is not None:
            settings = settings.model_copy(update={"index_dir": Path(index_dir)})
        embedder = embedder or load_embedder(settings.embed_model)
        assistant = cls(open_index(settings, embedder), embedder, settings, weights)  # index folder or Qdrant
        # The loaded index and caches stay for the assistant's life: frozen, the collector's full passes
        # no longer walk them (a ~50 ms pause every few hundred questions before).
        gc.collect()
        gc.freeze()
        return assistant

    def _idf(self, token: str) -> float:
        if (idf := self._idf_of.get(token)) is None:
            idf = self._idf_of[token] = idf_of(self._df, len(self.index.chunks), token)
        return idf

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
        """Answer from the report with verified citations, or refuse, say why, and show the nearest
        passages. `items` keeps to those items, `docs` to those documents (file names, as `docqa
        status` lists them)."""
        question = (question or "").strip()[:MAX_QUESTION_CHARS]
        if not question:
            raise QuestionError("the question is empty")
        start = time.perf_counter()
        query, reading, hits = self.read(question, items=items, k=k, docs=docs)
        k = _clamp(k)
        timings = {"retrieve_ms": reading.timings["retrieve_ms"]}
        evidence = reading.chosen[0].hit if reading.composed else None
        hits = _evidence_first(hits, evidence)
        hits, pages = _one_per_page(hits, [self._page_of(h, reading.ranked) for h in hits], k)
        timings["total_ms"] = (time.perf_counter() - start) * 1000
        kind = query.answer.kind
        if reading.composed is None:
            text = f"{refusal_line(query.lang, self.vocabulary.called)} {reading.reason}".strip()
            return Answer(question, text, (), hits, True, query.lang, timings, pages=pages,
                          reason=reading.reason, kind=kind)
        composed = reading.composed
        text = answer_text(composed, query.lang, self.vocabulary.called[1])
        return Answer(question, text, composed.citations, hits, False, query.lang, timings, pages=pages,
                      span=composed.span, kind=kind)

    def read(self, question: str, *, items=None, k: int = 10,
             docs=None) -> tuple[Query, Reading, list[Hit]]:
        """The question analysed, the reader's work on it (every candidate with its features), and
        the hits searched: what `ask` shows, and what training learns from."""
        start = time.perf_counter()
        docs = self._docs(docs)
        query = analyse(question, self.vocabulary)
        # One text per call: batched, each ask is padded to the whole question's length, which costs the
        # model a third more work on a question of three (the vectors then differ in the 8th digit).
        vectors = [self.embedder.embed([text], query=True)[0] for text in (query.text, *query.parts)]
        hits = search(self.index, self.embedder, query, k=SEARCH_DEPTH * _clamp(k),
                      items=tuple(items) if items else None, qvec=vectors[0], docs=docs)
        retrieved = time.perf_counter()
        ctx = Context(self._idf, self._similarity(query.text, vectors[0]), self.vocabulary, self._tables,
                      tuple(self._similarity(p, v) for p, v in zip(query.parts, vectors[1:], strict=True)),
                      self._tokens)
        extra = self._rating_passages(query, hits, docs)
        reading = read(query, hits, ctx, self.weights, self.index.pages, self._text,
                       extra=extra + self._row_passages(query, [*hits[:PASSAGES_READ], *extra], docs))
        reading.timings["retrieve_ms"] = (retrieved - start) * 1000
        return query, reading, hits

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

    def _similarity(self, text: str, qvec):
        """sim(chunk_id, i): the question's cosine with a chunk's i-th sentence; None without vectors."""
        if self.index.sentences is None:
            return None
        svec = qvec if self.sentence_embedder is self.embedder else \
            self.sentence_embedder.embed([text], query=True)[0]
        return lambda chunk_id, i: float(self.index.sentences.of(chunk_id)[i] @ svec)

    def _rating_passages(self, query: Query, hits: list[Hit], docs=None) -> list[Hit]:
        """A rating question about an item also reads the item's own rating statement (評定：B) and
        the passage printing the item's line of the rating summary (ingest.ratings: its rating by
        year), which a short question seldom retrieves on its own."""
        if query.kind != "rating" or not query.items:
            return []
        seen = {h.chunk.id for h in hits[:PASSAGES_READ]}
        found = [c for c in self.index.chunks if c.item in query.items and c.id not in seen
                 and (not docs or c.doc in docs) and _RATING_LINE.search(c.text)][:RATING_PASSAGES]
        done: set[int] = set()
        for row, chunk in self._row_chunks:  # the first passage printing each asked item's line
            if row.item in query.items and id(row) not in done and (not docs or chunk.doc in docs):
                done.add(id(row))
                if chunk.id not in seen:
                    seen.add(chunk.id)
                    found.append(chunk)
        return [Hit(c, 0.0, None, None) for c in found]

    def _row_passages(self, query: Query, read: list[Hit], docs=None) -> list[Hit]:
        """A question that names a table row (経常費用, 予算額) of an item it names also reads the
        passages that print that row: a line of figures seldom retrieves on its own."""
        if not query.items:  # every item's table has a 予算額 row: without an item, which one?
            return []
        asked, seen, out = squash(query.lexical), {h.chunk.id for h in read}, []
        for row, chunk in self._row_chunks:
            if row.named_in(asked) and chunk.item in query.items and chunk.id not in seen \
                    and (not docs or chunk.doc in docs):
                seen.add(chunk.id)
                out.append(Hit(chunk, 0.0, None, None))
        return out[:ROW_PASSAGES]

    @functools.cached_property
    def _row_chunks(self) -> list[tuple[object, object]]:
        """(table row, a chunk that prints the row) for every table row with a name or an item (a line
        of the rating summary), in page order: worked out once, on the first question that needs it."""
        on_page: dict[tuple[str, int], list] = {}
        for chunk in self.index.chunks:
            for page in range(chunk.page_start, chunk.page_end + 1):
                on_page.setdefault((chunk.doc, page), []).append(chunk)
        out = []
        for (doc, page), rows in self._tables.items():
            named = [r for r in rows if len(r.name) >= MIN_ROW_NAME or r.item]
            for chunk in on_page.get((doc, page), []):
                text = squash(chunk.text)
                out += [(r, chunk) for r in named if squash(r.line) in text]
        return out

    def _page_of(self, hit: Hit, ranked) -> int:
        """The page where the passage's best candidate is, else its first page."""
        best = next((c for c in ranked if c.hit is hit), None)
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


_default: Assistant | None = None


def ask(question: str, **kwargs) -> Answer:
    """Ask the default index (DOCQA_INDEX_DIR, else ./index); the assistant is loaded once."""
    global _default  # one model and index per process, for scripts that call qa.ask repeatedly
    if _default is None:
        _default = Assistant.load()
    return _default.ask(question, **kwargs)
