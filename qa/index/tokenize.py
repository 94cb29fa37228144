"""Japanese tokens for BM25: SudachiPy (core dictionary, split mode B) over normalize()d text.

Mode B, not C: C keeps long compounds whole (科学技術, 研究開発), so a question that uses one part
of a compound would miss it; B splits those into words but, unlike A, keeps units such as 中長期 and
前年比 that users type as one word.

Tokens are Sudachi's normalized_form, lowercased: it folds spelling variants (附属/付属, 行なう/行う)
and inflections, so a question and a report that word things differently still share tokens.
Numbers are the exception: normalized_form turns "6,449,878千" into "6449878000", which no one
types, so numbers are taken from the surface with thousands commas removed ("6449878", "2.2").
Punctuation, symbols, whitespace, particles and auxiliary verbs are dropped: they carry no topic.
A technical name joined by / . _ - (/dev/full, dpkg-buildpackage, jfm-ujis.lua) is a token as well
as its parts: its parts (dev, full) are common words of a manual, the whole names one thing.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterable

from ingest.text import normalize

log = logging.getLogger(__name__)

MODE = "B"
RULES_VERSION = 2  # bump when the token rules change: the index manifest records it
DROP_POS = frozenset({"補助記号", "空白", "助詞", "助動詞"})
# Sudachi refuses very long inputs (~49 KB); texts are cut at line breaks below this many chars.
MAX_PIECE = 4000

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W_]")  # a letter or digit of any script
# Latin parts joined by / . _ - (a leading / or ~ kept: a path), one part a word of two letters or
# more: not an item number (I-3), an abbreviation (e.g.) or a date.
_JOINED = re.compile(r"(?<![\w./~-])[/~]?[a-z0-9][a-z0-9+]*(?:[./_-][a-z0-9+]+)+")
_LETTERS = re.compile(r"[a-z]{2}")


def info() -> dict:
    """What the index manifest records about tokenization; a change makes the BM25 index stale."""
    return {"name": "sudachi-core", "mode": MODE, "rules": RULES_VERSION}


class JapaneseTokenizer:
    """BM25 tokens. One Dictionary, one Sudachi tokenizer per thread (they are not thread-safe)."""

    def __init__(self) -> None:
        from sudachipy import Dictionary, SplitMode  # here: the dictionary takes a moment to load

        self._dictionary, self._mode = Dictionary(dict="core"), SplitMode.B
        self._local = threading.local()
        self._drop: dict[int, bool] = {}  # part-of-speech id -> dropped; filled lazily

    def _sudachi(self):
        tok = getattr(self._local, "tok", None)
        if tok is None:
            tok = self._dictionary.tokenizer(self._mode, fields={"pos", "normalized_form"})
            self._local.tok = tok
        return tok

    def _dropped(self, morpheme) -> bool:
        pos_id = morpheme.part_of_speech_id()
        drop = self._drop.get(pos_id)
        if drop is None:
            drop = self._drop[pos_id] = morpheme.part_of_speech()[0] in DROP_POS
        return drop

    def tokenize(self, text: str) -> list[str]:
        tokens: list[str] = []
        sudachi = self._sudachi()
        text = normalize(text)
        for piece in _pieces(text):
            for morpheme in sudachi.tokenize(piece):
                if not self._dropped(morpheme):
                    tokens.extend(_terms(morpheme.surface(), morpheme.normalized_form()))
        return tokens + joined_names(text)

    def tokenize_many(self, texts: Iterable[str]) -> list[list[str]]:
        return [self.tokenize(text) for text in texts]


def joined_names(text: str) -> list[str]:
    """Names of Latin parts joined by / . _ - in a normalized text, lowercased (/dev/full)."""
    return [m for m in _JOINED.findall(text.lower()) if _LETTERS.search(m)]


def _terms(surface: str, normalized: str) -> list[str]:
    """The search terms of one morpheme."""
    if _DIGIT.search(surface):
        plain = _THOUSANDS.sub("", surface.lower())
        words = _NUMBER.sub(" ", plain).split()
        return _NUMBER.findall(plain) + [w for w in words if _WORD.search(w)]
    return [w for w in normalized.lower().split() if _WORD.search(w)]


def _pieces(text: str) -> list[str]:
    """Cut text at line breaks into pieces Sudachi accepts."""
    if len(text) <= MAX_PIECE:
        return [text]
    pieces, current = [], ""
    for line in text.splitlines(keepends=True):
        while len(line) > MAX_PIECE:  # one huge line: cut it blindly
            pieces.append(line[:MAX_PIECE])
            line = line[MAX_PIECE:]
        if len(current) + len(line) > MAX_PIECE:
            pieces.append(current)
            current = ""
        current += line
    return [p for p in [*pieces, current] if p]


@functools.cache
def default_tokenizer() -> JapaneseTokenizer:
    """The shared tokenizer: loading the dictionary takes a moment, so it is built once."""
    return JapaneseTokenizer()


def tokenize(text: str) -> list[str]:
    return default_tokenizer().tokenize(text)


def tokenize_many(texts: Iterable[str]) -> list[list[str]]:
    return default_tokenizer().tokenize_many(texts)
