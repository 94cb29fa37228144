"""Lazy package exports (PEP 562): a name is imported from its module on first use, so a command that
needs little (`docqa status`, `docqa sample`) does not load FAISS, Sudachi or a model."""

from __future__ import annotations

import importlib


def exports(package: str, table: dict[str, str]):
    """A module-level `__getattr__` for `package` that serves each name in `table` from its module."""

    def __getattr__(name: str):
        if name in table:
            return getattr(importlib.import_module(table[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
