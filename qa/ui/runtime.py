"""What the app holds between requests: settings, the embedder and the current Assistant, and the
calls the layout makes on them. No Gradio here."""

from __future__ import annotations

import importlib
import logging
import threading
from pathlib import Path

from qa.assistant import Assistant
from qa.index import IndexMissingError
from qa.settings import ROOT, Settings
from qa.ui import chat, documents, viewer

log = logging.getLogger(__name__)

NO_INDEX = ("No index yet: add a PDF in the Documents tab, or run `docqa ingest FILE.pdf`. "
            "/ 索引がありません。「文書」タブで PDF を追加してください。")


class Runtime:
    """What the app holds between requests: settings, the embedder, the current Assistant."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None, embedder=None):
        self.settings = settings
        self.assistant = assistant
        self.embedder = embedder or (assistant.embedder if assistant else None)
        self._write = threading.Lock()  # one upload at a time; readers keep the old Assistant
        if assistant is None:
            self.reload()

    def reload(self) -> None:
        if self.embedder is None:
            from qa.embed import load_embedder

            self.embedder = load_embedder(self.settings.embed_model)
        try:
            self.assistant = Assistant.load(settings=self.settings, embedder=self.embedder)
        except IndexMissingError:
            log.warning("no index at %s yet", self.settings.index_dir)
            self.assistant = None

    @property
    def llm_configured(self) -> bool:
        return bool(self.settings.llm)

    def llm_ask(self):
        """The LLM answerer, qa.llm.ask(assistant, question, items=...), when configured and present."""
        if not self.llm_configured:
            return None
        try:
            ask = importlib.import_module("qa.llm").ask
        except (ImportError, AttributeError):
            log.warning("DOCQA_LLM is set but qa.llm is not available; answering extractively")
            return None
        return lambda question, items=None, docs=None: ask(self.assistant, question, items=items, docs=docs)

    def respond(self, message: str, history=None, item_filter: str | None = "all",
                use_llm: bool = False, doc_filter: str | None = "all") -> chat.Reply:
        assistant = self.assistant
        if assistant is None:
            return chat.Reply(message, NO_INDEX)
        ask = self.llm_ask() if use_llm else None
        return chat.respond(assistant, message, history, item_filter, ask=ask, doc_filter=doc_filter)

    def document_names(self) -> list[str]:
        """The indexed documents, for the document filter."""
        return [d["doc"] for d in self.assistant.index.documents] if self.assistant else []

    def pdf_roots(self) -> list[Path]:
        return [ROOT, Path(self.settings.index_dir).resolve().parent, documents.uploads_dir(self.settings)]

    def source_view(self, source: dict, whole: bool = False) -> viewer.SourceView:
        index = self.assistant.index
        pages = index.pages.get(source["doc"], [])
        page = int(source["page"])
        text = pages[page - 1].text if 0 < page <= len(pages) else ""
        entry = next((d for d in index.documents if d["doc"] == source["doc"]), {})
        pdf = viewer.resolve_pdf(entry.get("path", ""), self.pdf_roots())
        return viewer.show_source(source, text, pdf, whole)

    def documents(self) -> list[list]:
        return documents.document_rows(self.assistant.index.documents if self.assistant else [])

    def document_paths(self) -> tuple[str, ...]:
        docs = self.assistant.index.documents if self.assistant else []
        roots = self.pdf_roots()
        found = (viewer.resolve_pdf(d.get("path", ""), roots) for d in docs)
        return tuple(str(p) for p in found if p is not None)

    def upload(self, path: str, name: str) -> tuple[bool, str]:
        with self._write:
            ok, message = documents.ingest_upload(path, name, self.settings, self.embedder)
            if ok:
                self.reload()
            return ok, message
