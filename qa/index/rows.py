"""The row files of a version: chunks.jsonl (row i = FAISS id i), pages.jsonl (page texts by doc),
profiles.jsonl (one DocProfile per doc) and tables.jsonl (table rows by doc)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from ingest.profile import DocProfile
from ingest.records import Chunk, Page
from ingest.tables import TableRow
from qa.index.files import CHUNKS_FILE, PAGES_FILE, PROFILES_FILE, TABLES_FILE, FileProblem, write_bytes


def write_chunks(version: Path, chunks: list[Chunk]) -> None:
    lines = (json.dumps(dataclasses.asdict(c), ensure_ascii=False) + "\n" for c in chunks)
    write_bytes(version / CHUNKS_FILE, "".join(lines).encode())


def read_chunks(path: Path) -> list[Chunk]:
    fields = {f.name for f in dataclasses.fields(Chunk)}
    chunks = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            try:
                row = json.loads(line)
                if set(row) != fields:
                    raise ValueError(f"fields {sorted(row)}")
                chunks.append(Chunk(**row))
            except (ValueError, TypeError) as e:
                raise FileProblem(CHUNKS_FILE, f"line {number} is not a chunk ({e})") from None
    return chunks


def write_pages(version: Path, pages: list[tuple[str, Page]]) -> None:
    rows = ({"doc": doc, **dataclasses.asdict(page)} for doc, page in pages)
    lines = (json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    write_bytes(version / PAGES_FILE, "".join(lines).encode())


def read_pages(path: Path) -> dict[str, list[Page]]:
    """Pages by document; an index written before pages were stored has none."""
    out: dict[str, list[Page]] = {}
    if not path.is_file():
        return out
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            try:
                row = json.loads(line)
                out.setdefault(row.pop("doc"), []).append(Page(**row))
            except (ValueError, TypeError, KeyError) as e:
                raise FileProblem(PAGES_FILE, f"line {number} is not a page ({e})") from None
    return out


def write_profiles(version: Path, profiles: list[DocProfile]) -> None:
    lines = (json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in profiles)
    write_bytes(version / PROFILES_FILE, "".join(lines).encode())


def read_profiles(path: Path) -> dict[str, DocProfile]:
    out = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            try:
                profile = DocProfile.from_dict(json.loads(line))
            except (ValueError, TypeError, KeyError) as e:
                raise FileProblem(PROFILES_FILE, f"line {number} is not a document profile ({e})") from None
            out[profile.doc] = profile
    return out


def write_tables(version: Path, tables: list[tuple[str, TableRow]]) -> None:
    rows = ({"doc": doc, **row.to_dict()} for doc, row in tables)
    lines = (json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    write_bytes(version / TABLES_FILE, "".join(lines).encode())


def read_tables(path: Path) -> dict[str, list[TableRow]]:
    out: dict[str, list[TableRow]] = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            try:
                row = json.loads(line)
                out.setdefault(row.pop("doc"), []).append(TableRow.from_dict(row))
            except (ValueError, TypeError, KeyError) as e:
                raise FileProblem(TABLES_FILE, f"line {number} is not a table row ({e})") from None
    return out
