"""Logging for the command line and the UI: our own lines at INFO, other libraries' at WARNING."""

from __future__ import annotations

import logging

OWN_LOGGERS = ("docqa", "qa", "ingest", "app")


def setup_logging(verbose: bool = False) -> None:
    """Our own loggers at INFO (DEBUG with -v); everyone else's (fontTools, onnxruntime, httpx,
    transformers, torch, faiss, bm25s …) at WARNING unless -v: their INFO lines are not for users.
    A filter on the handler, not only levels: some libraries set their own logger to DEBUG."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(message)s")
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.INFO)
    if not verbose:
        for handler in logging.getLogger().handlers:
            handler.addFilter(_own_or_warning)


def _own_or_warning(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING or record.name.split(".")[0] in OWN_LOGGERS
