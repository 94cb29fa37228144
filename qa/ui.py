"""The Gradio app: runtime (the loaded assistant), safe launch settings, and serve().

The layout is in qa.ui_layout; the chat logic in qa.ui_chat; uploads in qa.ui_docs; pages in qa.viewer.
"""

from __future__ import annotations

import importlib
import ipaddress
import logging
import os
import threading
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no telemetry calls

from qa import ui_chat, ui_docs, viewer  # noqa: E402
from qa.assistant import Assistant  # noqa: E402
from qa.index import IndexMissingError  # noqa: E402
from qa.settings import ROOT, Settings  # noqa: E402

log = logging.getLogger(__name__)

QUEUE_CONCURRENCY = 2  # answers are CPU-bound; more workers only slow each other down
QUEUE_MAX_SIZE = 20  # requests waiting beyond this get a clean "queue full" error
AUTH_ENV = "DOCQA_UI_AUTH"  # "user:password"; required to bind anything but loopback
NO_INDEX = ("No index yet: add a PDF in the Documents tab, or run `docqa ingest FILE.pdf`. "
            "/ 索引がありません。「文書」タブで PDF を追加してください。")


class UnsafeLaunchError(ValueError):
    """Launch settings that would expose the app: a network address without auth."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def launch_kwargs(settings: Settings, *, auth=None, share: bool = False,
                  document_paths: tuple[str | Path, ...] = (),
                  max_file_size: int = ui_docs.MAX_UPLOAD_BYTES) -> dict:
    """Arguments for demo.launch(): loopback unless auth is set, never a share link, uploads capped,
    nothing served from disk but Gradio's cache, the index and the documents blocked."""
    if not is_loopback(settings.host) and not auth:
        raise UnsafeLaunchError(
            f"refusing to bind {settings.host} without auth: set {AUTH_ENV}=user:password "
            "(and put a TLS reverse proxy in front), or use 127.0.0.1")
    if share:
        log.warning("share links are public; docqa never opens one")
    index = Path(settings.index_dir).resolve()
    blocked = [index, ui_docs.uploads_dir(settings)] + [Path(p).resolve().parent for p in document_paths]
    return {
        "server_name": settings.host, "server_port": settings.port, "share": False, "auth": auth,
        "max_file_size": max_file_size, "allowed_paths": [],
        "blocked_paths": sorted({str(p) for p in blocked}),
        "show_error": False, "ssr_mode": False, "pwa": False, "mcp_server": False,
        "enable_monitoring": False, "strict_cors": True, "footer_links": [], "run_history": False,
    }


def queue_kwargs() -> dict:
    """Arguments for demo.queue(): few workers, a bounded wait line."""
    return {"default_concurrency_limit": QUEUE_CONCURRENCY, "max_size": QUEUE_MAX_SIZE}


def auth_from_env(environ=os.environ):
    """(user, password) from DOCQA_UI_AUTH, or None."""
    raw = environ.get(AUTH_ENV, "")
    user, sep, password = raw.partition(":")
    return (user, password) if sep and user and password else None


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
        return lambda question, items=None: ask(self.assistant, question, items=items)

    def respond(self, message: str, history=None, item_filter: str | None = "all",
                use_llm: bool = False) -> ui_chat.Reply:
        assistant = self.assistant
        if assistant is None:
            return ui_chat.Reply(message, NO_INDEX)
        ask = self.llm_ask() if use_llm else None
        return ui_chat.respond(assistant, message, history, item_filter, ask=ask)

    def pdf_roots(self) -> list[Path]:
        return [ROOT, Path(self.settings.index_dir).resolve().parent, ui_docs.uploads_dir(self.settings)]

    def source_view(self, source: dict) -> viewer.SourceView:
        index = self.assistant.index
        pages = index.pages.get(source["doc"], [])
        page = int(source["page"])
        text = pages[page - 1].text if 0 < page <= len(pages) else ""
        entry = next((d for d in index.documents if d["doc"] == source["doc"]), {})
        return viewer.show_source(source, text, viewer.resolve_pdf(entry.get("path", ""), self.pdf_roots()))

    def documents(self) -> list[list]:
        return ui_docs.document_rows(self.assistant.index.documents if self.assistant else [])

    def document_paths(self) -> tuple[str, ...]:
        docs = self.assistant.index.documents if self.assistant else []
        roots = self.pdf_roots()
        found = (viewer.resolve_pdf(d.get("path", ""), roots) for d in docs)
        return tuple(str(p) for p in found if p is not None)

    def upload(self, path: str, name: str) -> tuple[bool, str]:
        with self._write:
            ok, message = ui_docs.ingest_upload(path, name, self.settings, self.embedder)
            if ok:
                self.reload()
            return ok, message


def start(runtime: Runtime, *, block: bool = True, auth=None, **overrides):
    """Build the app and launch it with launch_kwargs(); returns (demo, local_url)."""
    from qa.ui_layout import APPEARANCE, build_demo

    demo = build_demo(runtime)
    kwargs = launch_kwargs(runtime.settings, auth=auth, document_paths=runtime.document_paths())
    kwargs.update(overrides)
    demo.queue(**queue_kwargs())
    _app, url, _share = demo.launch(prevent_thread_lock=not block, **APPEARANCE, **kwargs)
    return demo, url


def serve(settings: Settings | None = None) -> int:
    """`docqa serve` and `python app.py`: load once, then serve until interrupted."""
    settings = settings or Settings()
    try:
        auth = auth_from_env()
        launch_kwargs(settings, auth=auth)  # refuse an unsafe address before loading anything
    except UnsafeLaunchError as exc:
        log.error("docqa: %s", exc)
        return 2
    runtime = Runtime(settings)
    log.info("docqa UI on http://%s:%d", settings.host, settings.port)
    start(runtime, block=True, auth=auth)
    return 0
