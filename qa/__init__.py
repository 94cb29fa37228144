"""Question answering over an ingested index: `qa.ask("…")` or `qa.Assistant.load(dir).ask("…")`.

Rooms: settings, records (Hit, Citation, Answer), query (what a question asks), search (hybrid
retrieval), extractive (the answer quoted from the report), assistant (the public API), retriever
(langchain-core), llm (optional chat model), pipeline (ingest into the index), cli; embed/ (models),
index/ (the folder on disk), ui/ (Gradio), evaluation/ (question sets, metrics, gate), bench/ (speed).
"""

from __future__ import annotations

from qa.lazy import exports

_PUBLIC = {
    "Assistant": "qa.assistant",
    "QuestionError": "qa.assistant",
    "ask": "qa.assistant",
    "Answer": "qa.records",
    "Citation": "qa.records",
    "Hit": "qa.records",
    "Settings": "qa.settings",
}
__all__ = sorted(_PUBLIC)
__getattr__ = exports(__name__, _PUBLIC)
