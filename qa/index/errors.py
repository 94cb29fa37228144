"""What can be wrong with an index, each with a message that says how to fix it."""

from __future__ import annotations

REBUILD_HINT = "rebuild it: `docqa ingest --rebuild FILE…` (or delete the index folder and ingest again)"


class DocqaIndexError(Exception):
    """The index cannot be used or written as it is; the message says how to fix it."""


class IndexMissingError(DocqaIndexError):
    """No index has been written at this root yet."""


class IndexCorruptError(DocqaIndexError):
    """A file of the live version is damaged, missing or inconsistent; `file` names it."""

    def __init__(self, file: str, problem: str):
        self.file = file
        super().__init__(f"index file {file} is damaged: {problem}; {REBUILD_HINT}")


class StaleIndexError(DocqaIndexError):
    """The index was built with another embedder, chunker or tokenizer than the running one."""


class UnsupportedIndexFormat(DocqaIndexError):
    """A legacy pickle index or a manifest schema this version cannot read."""


class IndexLockedError(DocqaIndexError):
    """Another writer holds the index lock."""
