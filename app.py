"""docqa's web UI. `python app.py` (or `docqa serve`) loads the index once and serves the chat.

    respond(message, history, item_filter) -> qa.ui.chat.Reply   # what the chat calls; tests call it too
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qa.settings import Settings

_runtime = None


def load(index_dir: str | Path | None = None, *, settings: Settings | None = None, embedder=None,
         reload: bool = False):
    """The app's Runtime (settings, embedder, Assistant), loaded once."""
    global _runtime
    if _runtime is None or reload:
        from qa.ui.runtime import Runtime

        settings = settings or Settings()
        if index_dir is not None:
            settings = settings.model_copy(update={"index_dir": Path(index_dir)})
        _runtime = Runtime(settings, embedder=embedder)
    return _runtime


def respond(message: str, history=None, item_filter: str = "all", use_llm: bool = False,
            doc_filter: str = "all"):
    """Answer one chat message in the context of `history` (Gradio messages or (user, bot) pairs);
    `doc_filter` names the one indexed document to answer from ("all": every one)."""
    return load().respond(message, history, item_filter, use_llm=use_llm, doc_filter=doc_filter)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="docqa web UI (same as `docqa serve`)")
    parser.add_argument("--index", help="index folder (default: DOCQA_INDEX_DIR or ./index)")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 7860)")
    args = parser.parse_args(argv)
    from qa.logs import setup_logging
    from qa.ui.launch import serve

    setup_logging(verbose=False)

    overrides = {k: v for k, v in {"index_dir": args.index, "host": args.host, "port": args.port}.items()
                 if v is not None}
    return serve(Settings(**overrides))


if __name__ == "__main__":
    sys.exit(main())
