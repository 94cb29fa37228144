"""Launching the UI safely: loopback unless auth is set, never a share link, uploads capped, the index
and documents never served; a bounded queue. serve() is `docqa serve` and `python app.py`."""

from __future__ import annotations

import ipaddress
import logging
import os
from pathlib import Path

from qa.settings import Settings
from qa.ui import documents
from qa.ui.runtime import Runtime

log = logging.getLogger(__name__)

QUEUE_CONCURRENCY = 2  # answers are CPU-bound; more workers only slow each other down
QUEUE_MAX_SIZE = 20  # requests waiting beyond this get a clean "queue full" error
AUTH_ENV = "DOCQA_UI_AUTH"  # "user:password"; required to bind anything but loopback


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
                  max_file_size: int = documents.MAX_UPLOAD_BYTES) -> dict:
    """Arguments for demo.launch(): loopback unless auth is set, never a share link, uploads capped,
    nothing served from disk but Gradio's cache, the index and the documents blocked."""
    if not is_loopback(settings.host) and not auth:
        raise UnsafeLaunchError(
            f"refusing to bind {settings.host} without auth: set {AUTH_ENV}=user:password "
            "(and put a TLS reverse proxy in front), or use 127.0.0.1")
    if share:
        log.warning("share links are public; docqa never opens one")
    index = Path(settings.index_dir).resolve()
    blocked = [index, documents.uploads_dir(settings)] + [Path(p).resolve().parent for p in document_paths]
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


def start(runtime: Runtime, *, block: bool = True, auth=None, **overrides):
    """Build the app and launch it with launch_kwargs(); returns (demo, local_url)."""
    from qa.ui.layout import APPEARANCE, build_demo

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
