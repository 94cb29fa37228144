"""Question answering over an ingested index: `qa.ask("…")` or `qa.Assistant.load(dir).ask("…")`."""

from qa.assistant import Assistant, QuestionError, ask
from qa.records import Answer, Citation
from qa.settings import Settings

__all__ = ["Answer", "Assistant", "Citation", "QuestionError", "Settings", "ask"]
