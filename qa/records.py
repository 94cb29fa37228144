"""Records that answers are made of: retrieved chunks (Hit), citations and the answer itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.records import Chunk, Page
from ingest.vocabulary import item_label

CHIP_PLACE_CHARS = 24  # a section title on a chip is cut here

REFUSAL_ENDS = ("には該当する記載が見つかりませんでした。", " does not say.")  # how every refusal line ends
DOCUMENT = ("文書", "document")  # what answers call documents of no known kind, (ja, en)


def refusal_line(lang: str, called: tuple[str, str] = DOCUMENT) -> str:
    """The refusal's first line; `called`: what the documents are (Vocabulary.called: 報告書, report)."""
    return f"{called[0]}{REFUSAL_ENDS[0]}" if lang == "ja" else f"The {called[1]}{REFUSAL_ENDS[1]}"


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused score: weighted sum of 1 / (k + rank) over the legs, times boosts (qa.search)
    dense_rank: int | None  # 1-based rank in the dense leg, None when outside the leg's depth
    bm25_rank: int | None
    dense_score: float = 0.0  # cosine with the question


@dataclass(frozen=True)
class Citation:
    n: int  # the [n] marker in the answer text
    doc: str
    item: str
    section: str
    page: int  # 1-based PDF page, verified: the quote is on this page
    quote: str  # the cited text, as printed
    chunk_id: str
    page_label: str = ""  # the page's printed label (Page.label): "60" where the PDF page is 74

    @property
    def pages_text(self) -> str:
        """'p.60 · PDF 74' where the printed label differs from the PDF page, else 'p.74'."""
        return page_text(self.page, self.page_label)

    @property
    def label(self) -> str:
        """'[1] Ⅰ－１ · p.5': what a reader sees on the chip."""
        return f"[{self.n}] {place(self.item, self.section)} · {self.pages_text}"

    @property
    def long_label(self) -> str:
        item = f"{item_label(self.item)} " if self.item else ""
        return f"[{self.n}] {item}{self.section} · {self.pages_text}"

    def to_dict(self) -> dict:
        return {"n": self.n, "doc": self.doc, "item": self.item, "section": self.section,
                "page": self.page, "label": self.page_label, "quote": self.quote}


def page_text(page: int, label: str = "") -> str:
    return f"p.{label} · PDF {page}" if label and label != str(page) else f"p.{page}"


def place(item: str, section: str) -> str:
    """Where a passage sits, for a chip: the report's item, else the innermost section title."""
    if item:
        return item_label(item)
    title = section.rsplit(" › ", 1)[-1].strip()
    return title if len(title) <= CHIP_PLACE_CHARS else title[: CHIP_PLACE_CHARS - 1] + "…"


def label_of(pages: list[Page], number: int) -> str:
    """The printed label of page `number` among `pages`, or "" when unknown."""
    return next((p.label for p in pages if p.number == number), "")


@dataclass(frozen=True)
class AnswerSpan:
    """The answer itself inside a quote: citation n's quote[start:end] (a figure, a name, a cell)."""

    text: str
    n: int
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"text": self.text, "n": self.n, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # the answer with [n] markers; the refusal message when refused
    citations: tuple[Citation, ...]
    passages: tuple[Hit, ...]  # retrieved chunks, best first: shown to the reader, also on refusal
    refused: bool
    lang: str  # "ja" or "en": the question's language
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds
    warnings: tuple[str, ...] = ()
    pages: tuple[int, ...] = ()  # page of each passage (where its best sentence is), same order
    span: AnswerSpan | None = None  # the answer inside the first quote, when the reader found one
    reason: str = ""  # why it refused, one line in the question's language ("" when answered)
    kind: str = ""  # the answer type the question asked for (qa.reader.types.KINDS)

    def to_dict(self) -> dict:
        return {
            "question": self.question, "answer": self.text, "refused": self.refused, "lang": self.lang,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [
                {"doc": h.chunk.doc, "item": h.chunk.item, "section": h.chunk.section, "page": page,
                 "score": round(h.score, 4), "text": h.chunk.text}
                for h, page in zip(self.passages, self.pages, strict=True)
            ],
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
            "warnings": list(self.warnings),
            "span": self.span.to_dict() if self.span else None,
            "reason": self.reason,
            "kind": self.kind,
        }
