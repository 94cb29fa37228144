"""Text normalisation: one place decides what 'the same text' means for search and checks."""

from __future__ import annotations

import functools
import re
import unicodedata

# Dashes, minus signs and long-vowel look-alikes that reports mix freely; folded to "-" for search.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\u2500\u2501\u2043\ufe63"
_TILDES = "\u301c\uff5e\u223c\u02dc"
_FOLD = str.maketrans({**{c: "-" for c in _DASHES}, **{c: "~" for c in _TILDES}})
_SPACE = re.compile(r"\s+")


# Some producers' ToUnicode maps (Chromium, Word on macOS) give ordinary kanji as Kangxi radicals
# or CJK radicals of the same shape: 用 as ⽤ (U+2F64), 民 as ⺠ (U+2EA0). They look the same, but
# search, sentence checks and quotes do not match them. NFKC knows the Kangxi ones; the others are
# those the J-/simplified radical block shares with a whole kanji.
_KANGXI = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0x2F00, 0x2FD6)}
_RADICAL_KANJI = dict(zip("⺟⺠⻁⻄⻆⻑⻘⻝⻤⻨⻩⻫⻭⻯⻲",
                          "母民虎西角長青食鬼麦黄斉歯竜亀", strict=True))
_RADICALS = str.maketrans({**_KANGXI, **_RADICAL_KANJI})
# Vertical presentation forms: what a vertical page draws for the punctuation and brackets of
# horizontal text (on a horizontal page they are meant as they are).
_VERTICAL = str.maketrans(dict(zip("︐︑︒︓︔︕︖︗︘︙︰︱︲︵︶︷︸︹︺︻︼︽︾︿﹀﹁﹂﹃﹄﹇﹈",
                                   "，、。：；！？〖〗…‥—–（）｛｝〔〕【】《》〈〉「」『』［］",
                                   strict=True)))


def plain_chars(text: str, vertical: bool = False) -> str:
    """Radicals standing for kanji as the kanji; on a vertical page, vertical forms as horizontal."""
    text = text.translate(_RADICALS)
    return text.translate(_VERTICAL) if vertical else text


def normalize(text: str) -> str:
    """NFKC, one form for dashes and tildes. Keeps whitespace."""
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


def squash(text: str) -> str:
    """normalize() with all whitespace removed: the form used to test containment."""
    return _SPACE.sub("", normalize(text))


# A bullet or heading mark before a sentence: a report's two columns repeat a sentence under
# different marks (・ in the results, ○ in the self-evaluation).
_MARK = re.compile(r"^[・･○●◯◎■□◆◇▼▶※\-－‐–—•]+")


def one_holds_other(a: str, b: str) -> bool:
    """Either text, squashed and without its leading mark, contains the other: the same words quoted
    twice."""
    a, b = _MARK.sub("", squash(a)), _MARK.sub("", squash(b))
    return bool(a and b) and (a in b or b in a)


# Where a sentence ends inside a line: after 。．！？ (and a bracket closing right behind one); after
# ! or ? before a space; after ". " ahead of a capital, behind a lowercase word. "．" after a
# digit or numeral is numbering (１．基本情報), not an end; a mark quoted alone (「？」) is named, not an end.
SENTENCE_END = re.compile(
    r"(?:(?<=[。！？])|(?<=(?<![0-9０-９ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩIVX])．))(?![）」』)］\]])"
    r"|(?<=[。．！？][）」』)］\]])(?<![「『（(［\[][。．！？][）」』)］\]])"
    r"|(?<=[!?])(?=\s)"
    r"|(?<=[a-z]{2}\.)(?=\s+[A-Z])"
)


def split_sentences(text: str) -> list[str]:
    """Lines, then the sentences inside each line; empty pieces dropped."""
    return list(_split(text))


@functools.lru_cache(maxsize=8192)
def _split(text: str) -> tuple[str, ...]:
    # Cached: answering a question splits the same retrieved chunks again and again.
    out = []
    for line in _bracketed(text.split("\n")):
        out.extend(part.strip() for part in SENTENCE_END.split(line) if part.strip())
    return tuple(out)


BRACKET_LINES = 3  # lines a bracket left open at a line end may run over (（令和 3 年 3 / 月）)


def _bracketed(lines: list[str]) -> list[str]:
    """The lines, each joined to the next while it leaves a bracket open: a date or a note in brackets
    wrapped by the layout is one sentence, not two fragments."""
    out: list[str] = []
    joined = 0
    for line in lines:
        if out and joined and _open(out[-1]):
            gap = " " if out[-1][-1:].isascii() and line[:1].isascii() and line[:1].isalnum() else ""
            out[-1] = out[-1].rstrip() + gap + line.lstrip()
            joined -= 1
            continue
        out.append(line)
        joined = BRACKET_LINES - 1
    return out


def _open(line: str) -> bool:
    return line.count("（") + line.count("(") > line.count("）") + line.count(")")


def ends_sentence(text: str) -> bool:
    """Does the text end where split_sentences would cut?"""
    text = text.rstrip()
    return bool(text) and any(m.start() == len(text) for m in SENTENCE_END.finditer(text))
