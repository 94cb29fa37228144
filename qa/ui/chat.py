"""Chat logic behind the UI: follow-up questions, safe answer text, sources to click. No Gradio here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.text import normalize
from ingest.vocabulary import ITEM_REF, OVERVIEW, YEAR, item_label, western_year, year_form
from qa.assistant import QuestionError
from qa.records import Answer, label_of, page_text, place

DOC_CHARS = 20  # a document's name on a chip is cut here
MAX_NEAREST = 3  # passages shown with a refusal
SHORT_FOLLOW_UP = 12  # characters of content below which a message leans on the previous question

_PREVIOUS_YEAR = re.compile(r"前年度|前の年|昨年度|previous (?:fiscal )?year|prior year|year before", re.I)
_NEXT_YEAR = re.compile(r"翌年度|次の年度|next (?:fiscal )?year|following year", re.I)
_LEAD = re.compile(r"^(?:その|それ|では|じゃあ|なら|あと|また|and\b|what about|how about|and what about)",
                   re.I)
_FILLER = re.compile(r"[はのでもをにとかへ、。？！?!.,\s]|について|では|だと|なら|どう|です|ですか|"
                     r"\b(?:what|about|how|and|the|in|for|of|then|year|fiscal|item)\b", re.I)
_MARKDOWN = re.compile(r"([*_`#|~\\])")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_URL = re.compile(r"\b(?:https?|ftp|file|data|javascript):[^\s)\]>]*", re.I)


@dataclass(frozen=True)
class Reply:
    question: str  # the question asked, after resolving a follow-up
    text: str  # markdown for the chat: sanitized answer, then the citation chips
    sources: list[dict] = field(default_factory=list)  # what the chips open, in chip order
    refused: bool = False
    answer: Answer | None = None


# --- follow-up questions -----------------------------------------------------------------------


def _year_key(text: str) -> int | None:
    match = YEAR.search(normalize(text))
    return western_year(match.group(0)) if match else None


def is_follow_up(message: str) -> bool:
    """Elliptical: starts with その/それ/では/what about…, or says little beyond a year or an item."""
    text = normalize(message).strip()
    if _LEAD.match(text):
        return True
    rest = _FILLER.sub("", ITEM_REF.sub("", YEAR.sub("", _PREVIOUS_YEAR.sub("", _NEXT_YEAR.sub("", text)))))
    named = bool(YEAR.search(text) or _PREVIOUS_YEAR.search(text) or _NEXT_YEAR.search(text)
                 or ITEM_REF.search(text))
    return named and len(rest) <= SHORT_FOLLOW_UP // 2 or not rest


def rewrite(message: str, previous: str | None, report_year: int | None = None) -> str:
    """The question a follow-up stands for: the previous question with the year or item swapped.

    「その前年度は？」 after 「令和2年度における一般管理費は？」 -> 「令和元年度における一般管理費は？」.
    A message that is not a follow-up, or has no previous question, is returned as is.
    `report_year`: the year "the previous year" counts from when the previous question names none.
    """
    message = message.strip()
    if not previous or not is_follow_up(message):
        return message
    norm_msg, norm_prev = normalize(message), normalize(previous)
    english = not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", previous)
    prev_year = _year_key(norm_prev)
    new_year = _year_key(norm_msg)
    base = prev_year or report_year
    if new_year is None and base and _PREVIOUS_YEAR.search(norm_msg):
        new_year = base - 1
    elif new_year is None and base and _NEXT_YEAR.search(norm_msg):
        new_year = base + 1
    new_item = ITEM_REF.search(norm_msg)
    question, changed = norm_prev, False
    if new_year:
        form = year_form(new_year, english)
        question, n = YEAR.subn(form, question, count=1)
        if not n:
            question = f"{form}の{question}" if not english else f"{question} ({form})"
        changed = True
    if new_item:
        question = _swap_item(question, new_item.group(1))
        changed = True
    return question if changed else f"{previous.strip()} {message}"


def _swap_item(question: str, numeral: str) -> str:
    """Replace the item number the question names (keeping 項目/item before it), or prefix one."""
    found = ITEM_REF.search(question)
    if not found:
        return f"{numeral} {question}"
    return question[: found.start(1)] + numeral + question[found.end(1) :]


def _text_of(content) -> str:
    """Message content as text: a string, or Gradio 6's list of {"type": "text", "text": ...}."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, list | tuple):
        return " ".join(_text_of(part) for part in content)
    return ""


def user_messages(history) -> list[str]:
    """The user's messages in order, from messages dicts or (user, bot) pairs."""
    out = []
    for turn in history or []:
        if isinstance(turn, dict):
            if turn.get("role") == "user":
                out.append(_text_of(turn.get("content")))
        elif isinstance(turn, list | tuple) and turn:
            out.append(_text_of(turn[0]))
    return [m for m in out if m.strip()]


def resolve(message: str, history, report_year: int | None = None) -> str:
    """Resolve `message` against the conversation, follow-ups of follow-ups included."""
    context = None
    for earlier in user_messages(history):
        context = rewrite(earlier, context, report_year)
    return rewrite(message, context, report_year)


# --- output -----------------------------------------------------------------------------------


def sanitize(text: str) -> str:
    """Answer text safe to render as markdown: no images, no links out, no HTML."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _URL.sub("(link removed)", text)
    text = _MARKDOWN.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _doc_name(doc: str) -> str:
    stem = doc.rsplit(".", 1)[0] if doc.lower().endswith(".pdf") else doc
    return stem if len(stem) <= DOC_CHARS else stem[: DOC_CHARS - 1] + "…"


def source_of_citation(c, show_doc: bool = False) -> dict:
    """What a citation chip shows and opens: "[1] Ⅰ－１ · p.5", "[2] manual · 8.5 JFM … · p.37 · PDF 38"."""
    doc = f"{_doc_name(c.doc)} · " if show_doc else ""
    label = f"[{c.n}] {doc}{place(c.item, c.section)} · {c.pages_text}"
    return {"kind": "citation", "label": label, "doc": c.doc, "item": c.item, "section": c.section,
            "page": c.page, "page_label": c.page_label, "quote": c.quote, "chunk_id": c.chunk_id}


def source_of_passage(n: int, hit, page: int, page_label: str = "", show_doc: bool = False) -> dict:
    ch = hit.chunk
    doc = f"{_doc_name(ch.doc)} · " if show_doc else ""
    label = f"({n}) {doc}{place(ch.item, ch.section)} · {page_text(page, page_label)}"
    return {"kind": "passage", "label": label, "doc": ch.doc, "item": ch.item, "section": ch.section,
            "page": page, "page_label": page_label, "text": ch.text, "chunk_id": ch.id}


def _snippet(text: str, n: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= n else flat[:n] + "…"


def format_answer(answer: Answer, question: str, asked: str, pages_by_doc=None) -> Reply:
    """The reply's markdown and its source chips: the answer with its span in bold, or the refusal, its
    reason and the nearest passages. `pages_by_doc` (the index's pages) gives passages their printed
    page labels; chips name the document when the index holds several."""
    pages_by_doc = pages_by_doc or {}
    show_doc = len(pages_by_doc) > 1
    lines = []
    if question != asked.strip():
        lines.append(f"*{'Read as' if answer.lang == 'en' else '解釈'}: {sanitize(question)}*\n")
    if answer.refused:
        head = answer.text.removesuffix(answer.reason).strip() if answer.reason else answer.text
        lines.append(f"**{sanitize(head)}**")
        if answer.reason:
            lines.append(f"\n{'Why' if answer.lang == 'en' else '理由'}: {sanitize(answer.reason)}")
        shown = list(zip(answer.passages, answer.pages, strict=True))[:MAX_NEAREST]
        sources = [source_of_passage(i, h, p, label_of(pages_by_doc.get(h.chunk.doc, []), p), show_doc)
                   for i, (h, p) in enumerate(shown, 1)]
        if sources:
            lines.append("\n" + ("Nearest passages (not an answer):" if answer.lang == "en"
                                 else "近い箇所（回答ではありません）:"))
            lines.extend(f"- **{s['label']}** {sanitize(_snippet(s['text']))}" for s in sources)
    else:
        lines.append(with_span(answer))
        sources = [source_of_citation(c, show_doc) for c in answer.citations]
        lines.append("\n" + ("Sources: " if answer.lang == "en" else "出典: ")
                     + " · ".join(f"**{s['label']}**" for s in sources))
    return Reply(question, "\n".join(lines), sources, answer.refused, answer)


def known_items(assistant) -> tuple[str, ...]:
    """The item ids of the indexed documents, in order (read from their profiles at ingest)."""
    index = getattr(assistant, "index", None)
    profiles = getattr(index, "profiles", {}) or {}
    return tuple(dict.fromkeys(i.id for p in profiles.values() for i in p.items))


def item_choices(assistant) -> list[tuple[str, str]]:
    """(label, id) for the item filter: all, then every item the indexed documents have."""
    items = known_items(assistant)
    labels = [("すべて / all", "all")]
    labels += [("概要 / overview" if i == OVERVIEW else item_label(i), i) for i in items]
    return labels


def with_span(answer: Answer) -> str:
    """The answer text, sanitized, with its span (the figure, name or cell) in bold inside its quote."""
    span, text = answer.span, answer.text
    cited = next((c for c in answer.citations if span and c.n == span.n), None)
    body = " ".join(cited.quote.split("\n")) if cited else ""
    at = text.find(body) if body else -1
    if span is None or at < 0 or body[span.start : span.end] != span.text:
        return sanitize(text)
    start, end = at + span.start, at + span.end
    return f"{sanitize(text[:start])}**{sanitize(text[start:end])}**{sanitize(text[end:])}"


def filter_items(item_filter: str | None, known: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    if not item_filter or item_filter == "all":
        return None
    if item_filter not in known:
        raise QuestionError(f"unknown item {item_filter!r}")
    return (item_filter,)


def filter_docs(doc_filter: str | None) -> tuple[str, ...] | None:
    return None if not doc_filter or doc_filter == "all" else (doc_filter,)


def respond(assistant, message: str, history=None, item_filter: str | None = "all", ask=None,
            doc_filter: str | None = "all") -> Reply:
    """Answer one chat message. `ask` replaces assistant.ask (the LLM mode); QuestionError if empty.
    `doc_filter` names the one document to answer from ("all": every indexed document)."""
    if not (message or "").strip():
        raise QuestionError("the question is empty")
    vocabulary = getattr(assistant, "vocabulary", None)
    question = resolve(message, history, getattr(vocabulary, "report_year", None))
    ask = ask or assistant.ask
    docs = filter_docs(doc_filter)
    answer = ask(question, items=filter_items(item_filter, known_items(assistant)),
                 **({"docs": docs} if docs else {}))
    return format_answer(answer, question, message, assistant.index.pages)
