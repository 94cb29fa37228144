"""Typed candidates in a sentence: figures with their unit, money, percentages, dates, ratings,
and names (quoted 「…」, bracketed （…）, Latin and katakana names, SudachiPy proper nouns: people,
places, organisations). Offsets refer to the sentence as given, so the UI can bold the span."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from qa.reader.morph import tag

_UNIT = (r"百万円|千円|億円|万円|円|%|％|ポイント|割|件|社|名|人|者|回|度|倍|組織|団体|法人|機関|"
         r"か国|カ国|ヶ国|か所|カ所|ヶ所|箇所|校|点|本|種類|時間|週間|日|か月|カ月|ヶ月|人月|URL|サービス|PJ|"
         r"テーマ|分野|項目")
# Thousands grouped by commas (16,477; not the comma after it). A figure joined to a Latin word by a
# hyphen is part of a name (3-Clause BSD, MPL-2.0), no figure.
_NUMBER = re.compile(rf"(?<![A-Za-z0-9.,])(?<![A-Za-z]-)(?<![A-Za-z]\d-)\d+(?:,\d{{3}})*"
                     rf"(?![\d,]*-[A-Za-z])(?:\.\d+)?\s*(?:(?:万|億|千)(?!円))?\s*({_UNIT})?")
_DATE = re.compile(r"(?:令和|平成)\s*(?:元|\d+)\s*年度?(?:\s*\d+\s*月)?(?:\s*\d+\s*日)?|"
                   r"(?<!\d)(?:19|20)\d\d\s*年(?:\s*\d+\s*月)?(?:\s*\d+\s*日)?|\d+\s*月\s*\d+\s*日|(?<![\d.])\d{1,2}\s*月(?![\d日])|"
                   r"年度末|上期|下期|上半期|下半期|第\s*\d\s*四半期")
# A release as printed: 1.10.0, 20150420.0, 2.9-3+b1, バージョン 2, v1.5. A bare x.y is a decimal
# (0.5 倍) unless named a version or followed by 以降 / or later.
_RELEASE_TAIL = r"(?:[-+~][0-9A-Za-z.+~]*[0-9A-Za-z])?(?![\d.]*\d)"
_VERSION = re.compile(
    r"(?:バージョン|[Vv]ersion|ver\.|(?<![A-Za-z0-9])[vV](?=\d))\s*\d+(?:\.\d+)*" + _RELEASE_TAIL
    + r"|(?<![\d.])(?:\d+(?:\.\d+){2,}|\d{8}\.\d+|\d+\.\d+(?=[-+~]\w))" + _RELEASE_TAIL
    + r"|(?<![\d.])\d+\.\d+(?=\s*(?:以降|以上|から|より|or later|and later|or newer))")
_RATING = re.compile(r"(?:評定|評価)\s*[:：は]?\s*([SABCD])(?![A-Za-z])|(?<![A-Za-z])([SABCD])\s*評定")
# A bracketed cross-reference (項1.1.12参照, 図3参照, see section 2) points elsewhere: it names nothing.
_SEE = re.compile(r"参照|参考|^(?:項|節|章|図|表|付録|p\.)\s*[\dA-Z]|^see\b", re.I)
_QUOTED = re.compile(r"[「『]([^「」『』]{1,60})[」』]")
_BRACKETED = re.compile(r"[（(]([^（）()]{2,40})[）)]")
_LATIN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9.&+/-]*[A-Za-z0-9](?:\s+[A-Z][A-Za-z0-9.-]*)*")
_KATAKANA = re.compile(r"[ァ-ヶー・]{3,}")
# A cause said in so many words: the clause before ため, によるもの, が原因 …, a connective whose cause is the
# sentence just before (従って，), or the clause after because, due to ….
_CAUSE = re.compile(r"[^、，,。．]*?(?:ため|によるもの|に起因|が(?:主な)?(?:原因|要因|理由)|ことから"
                    r"|ので(?![はも])|の結果)|(?:従って|したがって|そのため|このため|それゆえ|よって)[，,、]"
                    r"|(?i:\b(?:therefore|thus|hence),"
                    r"|\b(?:because|due to|owing to|as a result of|caused by|so that)\b[^,.;]*)")
_DIGIT = re.compile(r"[0-9０-９]")
_YEAR_LIKE = re.compile(r"(?:19|20)\d\d")
MONEY_UNITS = frozenset({"円", "千円", "百万円", "億円", "万円"})
PERCENT_UNITS = frozenset({"%", "％", "ポイント", "割"})
_PROPER = {"人名": "person", "地名": "place", "組織名": "name", "一般": "name"}


@dataclass(frozen=True)
class Span:
    kind: str  # number, money, percent, year, date, version, rating, name, person, place
    start: int  # offsets in the sentence
    end: int
    unit: str = ""  # the counter or money unit after a figure

    def text(self, sentence: str) -> str:
        return sentence[self.start : self.end]


class _FoldTable(dict):
    """str.translate table for _folded, filled one character at a time as characters are met:
    translate then loops in C instead of normalising every character in Python."""

    def __missing__(self, code: int) -> str:
        c = chr(code)
        n = unicodedata.normalize("NFKC", c)
        self[code] = folded = n if len(n) == 1 else c
        return folded


_FOLD = _FoldTable()


def _folded(text: str) -> str:
    """Character-wise NFKC (full-width digits and letters to ASCII) keeping every offset."""
    return text.translate(_FOLD)


def figures(sentence: str) -> list[Span]:
    """Figures, money, percentages and dates."""
    text = _folded(sentence)
    dates = [Span("date", m.start(), m.end()) for m in _DATE.finditer(text)]
    taken = [(d.start, d.end) for d in dates]
    out = list(dates)
    for m in _NUMBER.finditer(text):
        # ① folds to 1, but a circled digit numbers a list item: it is no figure.
        if any(a <= m.start() < b for a, b in taken) or not _DIGIT.match(sentence, m.start()):
            continue
        unit = (m.group(1) or "").replace("％", "%")
        kind = "money" if unit in MONEY_UNITS else "percent" if unit in PERCENT_UNITS else "number"
        if not unit and _YEAR_LIKE.fullmatch(m.group(0).strip()):
            kind = "year"  # a bare 2021 names a year or an edition (戦略 2021), it counts nothing
        out.append(Span(kind, m.start(), m.end(), unit))
    return out


def versions(sentence: str) -> list[Span]:
    text = _folded(sentence)
    return [Span("version", m.start(), m.end()) for m in _VERSION.finditer(text)]


def ratings(sentence: str) -> list[Span]:
    text = _folded(sentence)
    out = []
    for m in _RATING.finditer(text):
        group = 1 if m.group(1) else 2
        out.append(Span("rating", m.start(group), m.end(group)))
    return out


def names(sentence: str, proper_nouns: bool = True) -> list[Span]:
    """Quoted and bracketed names, Latin and katakana names, and (with `proper_nouns`) Sudachi's
    proper nouns as people, places or organisations."""
    text = _folded(sentence)
    out = [Span("name", m.start(1), m.end(1)) for m in _QUOTED.finditer(text)]
    out += [Span("name", m.start(1), m.end(1)) for m in _BRACKETED.finditer(text)
            if not re.fullmatch(r"[\d,.%\s]+.*", m.group(1)) and not _SEE.search(m.group(1))]
    out += [Span("name", m.start(), m.end()) for m in _LATIN.finditer(text) if len(m.group(0)) >= 2]
    out += [Span("name", m.start(), m.end()) for m in _KATAKANA.finditer(text)]
    if proper_nouns:
        out += [Span(_PROPER[m.proper], m.start, m.end) for m in tag(text) if m.proper in _PROPER
                and len(m.surface) >= 2]
    return out


def causes(sentence: str) -> list[Span]:
    text = _folded(sentence)
    return [Span("reason", m.start(), m.end()) for m in _CAUSE.finditer(text) if m.end() > m.start()]


def spans(sentence: str, kind: str) -> list[Span]:
    """Candidates of the type a question asks for (see qa.reader.types.KINDS), in text order."""
    return list(_spans(sentence, kind))


@functools.lru_cache(maxsize=8192)
def _spans(sentence: str, kind: str) -> tuple[Span, ...]:
    # Cached: each ask of a multi-part question reads the same sentences again, and the same passages
    # come back for many questions. Spans are frozen, so sharing them is safe.
    if kind in ("count", "money", "percent", "date", "compare"):
        found = figures(sentence)
    elif kind == "rating":
        found = ratings(sentence)
    elif kind == "version":
        found = versions(sentence)
    elif kind in ("name", "person", "place", "list"):
        found = names(sentence, proper_nouns=kind != "list")
    elif kind == "reason":
        found = causes(sentence)
    else:
        return ()
    return tuple(sorted(found, key=lambda s: (s.start, -s.end)))
