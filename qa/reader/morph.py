"""Parts of speech for the reader: SudachiPy (core dictionary, split mode C, so 兵庫県神戸市 and
官房長官 stay whole). Names of people, places and organisations are 固有名詞 and its subclasses;
a counter after 何 (何件, 何か国) is a noun that may be a counter (助数詞可能)."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

MAX_CHARS = 4000  # Sudachi refuses very long inputs; the reader's texts are sentences and questions


@dataclass(frozen=True)
class Morpheme:
    surface: str
    pos: tuple[str, ...]  # Sudachi's first three part-of-speech fields
    start: int  # character offset in the text given
    end: int

    @property
    def proper(self) -> str:
        """'人名', '地名', '組織名' or '一般' for a proper noun (固有名詞), else ''."""
        return self.pos[2] if self.pos[:2] == ("名詞", "固有名詞") else ""

    @property
    def counter(self) -> bool:
        return self.pos[:1] == ("名詞",) and self.pos[2:3] == ("助数詞可能",) or self.pos[1:2] == ("助数詞",)


class _Tagger:
    def __init__(self) -> None:
        from sudachipy import Dictionary, SplitMode  # here: the dictionary takes a moment to load

        self._dictionary, self._mode = Dictionary(dict="core"), SplitMode.C
        self._local = threading.local()
        self._read = threading.local()

    def tag(self, text: str) -> list[Morpheme]:
        tok = getattr(self._local, "tok", None)
        if tok is None:  # Sudachi tokenizers are not thread-safe: one per thread
            tok = self._local.tok = self._dictionary.tokenizer(self._mode, fields={"pos"})
        return [Morpheme(m.surface(), tuple(m.part_of_speech()[:3]), m.begin(), m.end())
                for m in tok.tokenize(text[:MAX_CHARS])]

    def reading(self, text: str) -> str:
        tok = getattr(self._read, "tok", None)
        if tok is None:
            tok = self._read.tok = self._dictionary.tokenizer(self._mode, fields={"reading_form"})
        return "".join(m.reading_form() for m in tok.tokenize(text[:MAX_CHARS]))


@functools.cache
def _tagger() -> _Tagger:
    return _Tagger()


@functools.lru_cache(maxsize=4096)
def tag(text: str) -> tuple[Morpheme, ...]:
    """The text's morphemes with offsets; cached, as the same passages come back for many questions."""
    return tuple(_tagger().tag(text))


@functools.lru_cache(maxsize=1 << 15)
def reading(text: str) -> str:
    """The text's reading in katakana (発信 -> ハッシン), as Sudachi reads it."""
    return _tagger().reading(text)
