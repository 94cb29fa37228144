"""docqa's retrieval as a langchain-core BaseRetriever, for use in other LangChain pipelines."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict


class DocqaRetriever(BaseRetriever):
    """Chunks for a query, best first; metadata carries doc, item, section, pages and score."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    assistant: Any
    k: int = 10
    items: tuple[str, ...] | None = None
    docs: tuple[str, ...] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun
                                ) -> list[Document]:
        hits = self.assistant.retrieve(query, items=self.items, k=self.k, docs=self.docs)
        return [
            Document(
                page_content=h.chunk.text,
                metadata={"id": h.chunk.id, "doc": h.chunk.doc, "item": h.chunk.item,
                          "section": h.chunk.section, "page_start": h.chunk.page_start,
                          "page_end": h.chunk.page_end, "score": h.score},
            )
            for h in hits
        ]
