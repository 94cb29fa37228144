"""What a question asks for: its language, the items and fiscal years it names, the answer type."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import normalize
from ingest.vocabulary import ITEM_REF, ITEM_TOPICS, item_id, years_in
from qa.glossary import to_japanese

_JAPANESE = re.compile(r"[\u3041-\u30ff\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_KANA = re.compile(r"[\u3041-\u30ff]")

_TYPES = [
    ("rating", re.compile(r"評定|\brating\b|\brated?\b|\bgrade\b")),
    ("when", re.compile(r"いつ|何月|時期|when\b|what date")),
    ("number", re.compile(
        r"何件|何名|何人|何社|何%|何％|何団体|何法人|何回|何倍|何組織|何億|何万|いくら|金額|割合|"
        r"どれくらい|どのくらい|どの程度|何千円|推移|数は|率は|"
        r"how many|how much|what percentage|what share|what proportion|how did .* perform|number of"
    )),
    ("name", re.compile(
        r"何という|名称|どこ|どの(?:組織|団体|機関|企業)|社名|which|what (?:was|is) the name|who"
    )),
    ("reason", re.compile(r"なぜ|理由|why|reason")),
    ("list", re.compile(r"どのような|どんな|what (?:kinds?|types?)|which .* were")),
]


@dataclass(frozen=True)
class Query:
    text: str
    norm: str
    lang: str  # "ja" or "en"
    items: tuple[str, ...]  # canonical item ids the question names
    items_explicit: bool  # named by number (Ⅰ－２, item II), not only by topic
    years: tuple[int, ...]  # fiscal years named, as Western years (令和2年度 -> 2020)
    kind: str  # rating, when, number, name, reason, list or "fact"
    parts: tuple[str, ...] = ()  # the separate asks of a question that asks several things
    terms: str = ""  # what lexical matching sees: the question, or for English its Japanese terms

    @property
    def lexical(self) -> str:
        return self.terms or self.norm


def language(text: str) -> str:
    """"ja" when the text has kana (Japanese sentences always do, whatever Latin names they hold);
    otherwise "en" when Latin letters outnumber kanji."""
    if _KANA.search(text):
        return "ja"
    return "en" if len(_LATIN.findall(text)) > len(_JAPANESE.findall(text)) else "ja"


def analyse(question: str) -> Query:
    norm = normalize(question)
    items = [item_id(m.group(1)) for m in ITEM_REF.finditer(norm)]
    explicit = bool(items)
    if not items:
        items = [item for pattern, item in ITEM_TOPICS if pattern.search(norm.lower())]
    years = years_in(norm)
    lowered = norm.lower()
    kind = next((name for name, pattern in _TYPES if pattern.search(lowered)), "fact")
    items = tuple(dict.fromkeys(items))
    lang = language(question)
    terms = english_terms(norm) if lang == "en" else norm
    return Query(question, norm, lang, items, explicit, years, kind, split_asks(norm), terms)


# Capitalised words, acronyms and codes in an English question are names the Japanese text shares.
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b(?:[A-Z][\w.-]*[A-Za-z0-9]|[A-Z]{2,}|\w*\d[\w.,%]*)")
_NOT_NAMES = {"What", "Which", "How", "When", "Who", "Where", "Why", "Did", "Does", "Do", "Is", "Was",
              "Were", "Are", "In", "Of", "For", "By", "The", "And", "To", "At", "On"}


def english_terms(norm: str) -> str:
    """Japanese report terms for an English question, plus the names it shares with the text."""
    names = [m.group(0) for m in _NAME.finditer(norm) if m.group(0) not in _NOT_NAMES]
    return " ".join([to_japanese(norm), *names])


# An ask: a clause with its own question word. "何件で、…何名ですか" asks two things.
_ASK = re.compile(r"何|いくら|いつ|どの|どう|どれ|どこ|誰|how|what|which|when|who|where", re.I)
_JOINTS = re.compile(
    r"(?<=[でかとし])、|、(?=そのうち)|,\s*and\s+|\s+and\s+(?=how|what|which|when|who)", re.I
)


def split_asks(norm: str) -> tuple[str, ...]:
    """The clauses of a question that each ask something; () when it asks one thing."""
    parts = [p.strip() for p in _JOINTS.split(norm) if p and p.strip()]
    asks = [p for p in parts if _ASK.search(p)]
    return tuple(asks) if len(asks) >= 2 else ()
