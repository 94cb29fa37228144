"""manifest.json: what a version holds and what it was built with. One home for the fields that
decide whether an index fits the running embedder, chunker and tokenizer."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

from qa.embed import Embedder
from qa.index import files
from qa.index import tokenize as tok
from qa.index.errors import (
    REBUILD_HINT,
    IndexCorruptError,
    IndexMissingError,
    StaleIndexError,
    UnsupportedIndexFormat,
)

SCHEMA_VERSION = 2  # 2: profiles.jsonl and tables.jsonl (each document's vocabulary, its table rows)
REQUIRED = ("schema_version", "complete", "embed_model", "embed_dim", "normalize_embeddings",
            "distance", "chunker", "tokenizer", "documents", "files", "n_vectors")


def compatibility(embedder: Embedder, chunker: dict) -> dict:
    """The fields an index must share with the running embedder, chunker and tokenizer to be used."""
    return {
        "embed_model": embedder.model_name,
        "embed_dim": embedder.dim,
        "normalize_embeddings": True,
        "distance": "ip",
        "chunker": plain(chunker),
        "tokenizer": tok.info(),
    }


def new_manifest(embedder: Embedder, chunker: dict, documents: list[dict]) -> dict:
    return {"schema_version": SCHEMA_VERSION, "app_version": app_version(), "created_at": None,
            **compatibility(embedder, chunker),
            "documents": documents, "files": {}, "n_vectors": 0, "complete": False}


def check_compatible(manifest: dict, embedder: Embedder, chunker: dict) -> None:
    """StaleIndexError naming each field where the index differs from the running embedder/chunker."""
    expected = compatibility(embedder, chunker)
    wrong = [f"{field} {manifest[field]} ≠ {value}" for field, value in expected.items()
             if manifest[field] != value]
    if wrong:
        raise StaleIndexError(f"the index does not match the running settings ({'; '.join(wrong)}); "
                              f"{REBUILD_HINT} with the current embedder and settings")


def plain(settings: dict) -> dict:
    """Settings as they read back from JSON, so a loaded manifest compares equal."""
    return json.loads(json.dumps(settings, sort_keys=True))


def app_version() -> str:
    try:
        return importlib.metadata.version("docqa")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def read_manifest(root: str | Path, *, verify: bool = True) -> dict:
    """The live manifest without loading the index. IndexMissingError when there is none.

    `verify` also checks every file's checksum (reads the files, parses none), so a damaged index
    is reported as damaged rather than described from its manifest.
    """
    version = live_version(Path(root))
    manifest = read_manifest_file(version)
    if verify:
        verify_version(version, manifest)
    return manifest


def has_document(manifest: dict, doc: str, sha256: str) -> bool:
    """True when the index already holds `doc` built from a source file with this sha256."""
    return any(d["doc"] == doc and d["sha256"] == sha256 for d in manifest["documents"])


def live_version(root: Path) -> Path:
    try:
        name = files.read_current(root)
    except ValueError as e:
        raise IndexCorruptError(files.CURRENT, str(e)) from None
    if name is None:
        refuse_pickle(root)
        raise IndexMissingError(f"no index at {root}; run `docqa ingest` first")
    version = root / name
    refuse_pickle(version)
    if not version.is_dir():
        raise IndexCorruptError(name, "CURRENT names a version folder that does not exist")
    return version


def refuse_pickle(folder: Path) -> None:
    """A folder from the old pickle format (or LangChain save_local) is refused, never unpickled."""
    if any(folder.glob("*.pkl")) or any(folder.glob("*.pickle")):
        raise UnsupportedIndexFormat(
            f"{folder} holds a legacy pickle index, which docqa no longer reads (loading pickle can "
            f"run arbitrary code); re-ingest the documents into a new index folder"
        )


def read_manifest_file(version: Path) -> dict:
    path = version / files.MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorruptError(files.MANIFEST, f"missing in {version.name}, so the version is "
                                "incomplete") from None
    except (OSError, ValueError) as e:
        raise IndexCorruptError(files.MANIFEST, f"not readable JSON ({e})") from None
    missing = [field for field in REQUIRED if not isinstance(manifest, dict) or field not in manifest]
    if missing:
        raise IndexCorruptError(files.MANIFEST, f"missing field(s) {', '.join(missing)}")
    schema = manifest["schema_version"]
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        raise UnsupportedIndexFormat(
            f"index written by a newer version of docqa (schema {schema}, this version reads up to "
            f"{SCHEMA_VERSION}); upgrade docqa or {REBUILD_HINT}"
        )
    if schema < SCHEMA_VERSION:  # schema 1 lacks the document profiles and table rows
        raise UnsupportedIndexFormat(f"index schema {schema} is too old for this version of docqa "
                                     f"(it reads schema {SCHEMA_VERSION}); {REBUILD_HINT}")
    if manifest["complete"] is not True:
        raise IndexCorruptError(files.MANIFEST, "the version is marked incomplete")
    return manifest


def verify_version(version: Path, manifest: dict) -> None:
    try:
        files.verify_files(version, manifest["files"])
    except files.FileProblem as e:
        raise IndexCorruptError(e.name, e.problem) from None
    except (KeyError, TypeError, AttributeError):
        raise IndexCorruptError(files.MANIFEST, "its file list is malformed") from None
