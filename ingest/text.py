"""Text normalisation: one place decides what 'the same text' means for search and checks."""

from __future__ import annotations

import re
import unicodedata

# Dashes, minus signs and long-vowel look-alikes that reports mix freely; folded to "-" for search.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\u2500\u2501\u2043\ufe63"
_TILDES = "\u301c\uff5e\u223c\u02dc"
_FOLD = str.maketrans({**{c: "-" for c in _DASHES}, **{c: "~" for c in _TILDES}})
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC, one form for dashes and tildes. Keeps whitespace."""
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


def squash(text: str) -> str:
    """normalize() with all whitespace removed: the form used to test containment."""
    return _SPACE.sub("", normalize(text))


_SENTENCE_END = re.compile(r"(?<=[。！？])")


def split_sentences(text: str) -> list[str]:
    """Lines, then 。-ended sentences inside each line; empty pieces dropped."""
    out = []
    for line in text.split("\n"):
        out.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return out
