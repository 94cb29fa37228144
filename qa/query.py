"""What a question asks for: its language, the items and fiscal years it names, the answer type,
its separate asks. Items named by topic and the words that only frame a question (the organisation,
the year) come from the documents' own vocabulary (ingest.profile), passed in as a Vocabulary."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ingest.profile import called
from ingest.text import normalize, squash
from ingest.vocabulary import ITEM_REF, OVERVIEW, YEAR, item_id, item_order, western_year, years_in
from qa import lexicon
from qa.glossary import split_terms
from qa.lexicon import romaji
from qa.reader.types import AnswerType, answer_type
from qa.records import DOCUMENT

_LATIN = re.compile(r"[A-Za-z]")
_KANA = re.compile(r"[\u3041-\u30ff]")
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_BRACKETED = re.compile(r"[(（「『\"“‘'][^)）」』\"”’']*[)）」』\"”’']")  # a quoted name, in any language
TITLE_KEY = 8  # leading characters of an item title that name the item when a question quotes them


@dataclass(frozen=True)
class Vocabulary:
    """The indexed documents' own words: item topics, frame terms, covered fiscal years."""

    titles: tuple[tuple[str, str], ...] = ()  # (an item title's first characters, item id)
    topics: tuple[tuple[str, str], ...] = ()  # (lowercased term, item id)
    frame: frozenset[str] = frozenset({"令和", "平成", "年度", "fy"})
    years: tuple[int, ...] = ()  # fiscal years the documents report on
    report_year: int | None = None
    called: tuple[str, str] = DOCUMENT  # what answers call the documents: (ja, en)
    items: tuple[str, ...] = ()  # the documents' numbered items (I-1 … IV), in report order
    # token -> number of chunks holding it: which dictionary translations of English words the
    # documents actually use (qa.lexicon). Filled by the Assistant from its index.
    words: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, profiles) -> Vocabulary:
        """Merged from every document's profile (ingest.profile.DocProfile)."""
        profiles = list(profiles)
        topics = {(t.lower(), item.id) for p in profiles for item in p.items for t in item.topics}
        titles = {(squash(item.title)[:TITLE_KEY].lower(), item.id) for p in profiles for item in p.items
                  if len(squash(item.title)) >= TITLE_KEY}
        frame = {t.lower() for p in profiles for t in p.frame_terms} | cls.frame
        years = tuple(sorted({y for p in profiles for y in p.years}))
        report = max((p.report_year for p in profiles if p.report_year), default=None)
        kinds = {p.kind for p in profiles}  # reports and manuals together are documents
        name = called(kinds.pop() if len(kinds) == 1 else "generic")
        items = sorted({item.id for p in profiles for item in p.items if item.id != OVERVIEW}, key=item_order)
        return cls(tuple(sorted(titles)), tuple(sorted(topics)), frozenset(frame), years, report, name,
                   tuple(items))


@dataclass(frozen=True)
class Query:
    text: str
    norm: str
    lang: str  # "ja" or "en"
    items: tuple[str, ...]  # canonical item ids the question names
    items_explicit: bool  # named by number (Ⅰ－２, item II), not only by topic
    years: tuple[int, ...]  # years named, as Western years (令和2年度 -> 2020)
    answer: AnswerType = field(default_factory=AnswerType)
    parts: tuple[str, ...] = ()  # the separate asks of a question that asks several things
    terms: str = ""  # what lexical matching sees: the question, or for English its Japanese terms
    fiscal_years: tuple[int, ...] = ()  # years named as fiscal years (年度, FY): what (ii) refusals check
    part_answers: tuple[AnswerType, ...] = ()  # the answer type of each part

    @property
    def lexical(self) -> str:
        return self.terms or self.norm

    @property
    def kind(self) -> str:
        return self.answer.kind


EN_SHARE = 3  # an English question quoting a Japanese name still has this many times more Latin letters


def language(text: str) -> str:
    """"ja" when the text has hiragana outside brackets and quotes (Japanese grammar: particles);
    else "ja" when it has kana (Japanese sentences always do, whatever Latin names they hold)
    unless Latin letters outnumber its Japanese characters EN_SHARE times over (an English question
    quoting a Japanese name); otherwise "en" when Latin letters outnumber kanji."""
    latin, japanese = len(_LATIN.findall(text)), len(lexicon.JAPANESE.findall(text))
    if len(_HIRAGANA.findall(_BRACKETED.sub("", text))) >= 2:  # particles: 「jfm-ujis.lua って何の JFM？」
        return "ja"
    if _KANA.search(text):
        return "en" if latin > EN_SHARE * japanese else "ja"
    return "en" if latin > japanese else "ja"


def analyse(question: str, vocabulary: Vocabulary | None = None) -> Query:
    vocabulary = vocabulary or Vocabulary()
    norm = normalize(question)
    lang = language(question)
    terms = english_terms(norm, vocabulary.words) if lang == "en" else _with_loanwords(norm, vocabulary.words)
    items = [item_id(m.group(1)) for m in ITEM_REF.finditer(norm)]
    explicit = bool(items)
    if not items:
        text = squash(terms).lower() + " " + squash(norm).lower()
        items = [item for term, item in (*vocabulary.titles, *vocabulary.topics) if term and term in text]
    parts = split_asks(norm)
    return Query(question, norm, lang, tuple(dict.fromkeys(items)), explicit, years_in(norm),
                 answer_type(question, lang), parts, terms, fiscal_years(norm),
                 tuple(answer_type(p, lang) for p in parts))


def _with_loanwords(norm: str, words: Mapping[str, int]) -> str:
    """The question, the katakana of loanwords typed in hiragana (こすと: コスト) that the documents
    print, and the documents' words for its nouns they never use, for lexical matching."""
    from qa.reader.slips import loanwords_in_hiragana

    found = loanwords_in_hiragana(norm, words) if words else []
    return " ".join([norm, *found, *_printed_otherwise(norm, words)])


def _printed_otherwise(norm: str, words: Mapping[str, int]) -> list[str]:
    """For a noun of the question the documents never use, the synonyms they do use (パーツ: 部品)."""
    from qa.reader.morph import tag

    if not words:
        return []
    nouns = [m.surface for m in tag(norm) if m.pos[0] == "名詞" and len(m.surface) > 1]
    return [s for n in nouns if n not in words for s in lexicon.synonyms(n) if s in words]


def fiscal_years(norm: str) -> tuple[int, ...]:
    """Years named as fiscal years (令和3年度, FY2021, fiscal 2021), not calendar dates (令和3年4月)."""
    out = []
    for m in YEAR.finditer(norm):
        form = m.group(0)
        if "年度" in form or form.upper().startswith("FY") or form.lower().startswith("fiscal"):
            out.append(western_year(form))
    return tuple(dict.fromkeys(y for y in out if y is not None))


# Capitalised words, acronyms and codes in an English question are names the Japanese text shares.
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b(?:[A-Z][\w.-]*[A-Za-z0-9]|[A-Z]{2,}|\w*\d[\w.,%]*)")
_NOT_NAMES = {"What", "Which", "How", "When", "Who", "Where", "Why", "Did", "Does", "Do", "Is", "Was",
              "Were", "Are", "In", "Of", "For", "By", "The", "And", "To", "At", "On"}
# A quoted word is a name whatever its case: 'parbdd', "kanjiskip".
_QUOTED = re.compile(r"""(?:(?<=\s)|^)['"`‘“]([^\s'"`’”]{2,40})['"`’”]""")
_PATH = re.compile(r"(?<![\w/])/[\w.+-]+(?:/[\w.*+-]+)*")  # a file path: /dev/full, /var/lib/dpkg


def english_names(norm: str) -> list[str]:
    """Names, acronyms, codes, quoted words and file paths an English question shares with the
    Japanese text."""
    names = [m.group(0) for m in _NAME.finditer(norm) if m.group(0) not in _NOT_NAMES]
    quoted = [m.group(1) for m in _QUOTED.finditer(norm)]
    return list(dict.fromkeys([*names, *quoted, *_PATH.findall(norm)]))


def english_terms(norm: str, words: Mapping[str, int] | None = None) -> str:
    """Japanese report terms for an English question: the report glossary's, the dictionary's that
    the documents use (`words`: their token frequencies), the names it shares with the text, and the
    documents' words that its romanised Japanese spells (Mitou: 未踏)."""
    # The glossary's phrases first ("internal control" -> 内部統制), the dictionary for the other words.
    japanese, rest = split_terms(norm)
    found = lexicon.translate(rest, words or {})
    names = english_names(norm)
    said = {n.lower() for n in names}
    more = [w for w in jargon(norm, words or {}) if w not in said]
    japanese_names = [j for w in romaji.romanised(norm) if (j := romaji.japanese_of(w, words or {}))]
    return " ".join([japanese, *found, *names, *more, *japanese_names])


_JARGON = re.compile(r"\\?[A-Za-z][A-Za-z0-9_]*(?:[-.][A-Za-z0-9_]+)*")
_JOINED = re.compile(r"[_.]|^\\")  # an identifier: luatexja.set_width, \ltjsetparameter


def jargon(norm: str, words: Mapping[str, int]) -> list[str]:
    """Lowercase words that are no English word but that the documents print as they are: commands,
    options, package and font names (\\ltjenableadjust, luatexja-fontspec, hiragino), and every part
    of an identifier (luatexja.set_width: set and width too). A manual's users type them as written;
    the dictionary has nothing for them. Capitalised words are names already (english_names).
    (English words the documents print in Latin were tried as a fallback too: no better.)"""
    english = lexicon.english_words()
    out = []
    for word in _JARGON.findall(norm):
        if not (word.islower() or word.startswith("\\")):
            continue
        joined = bool(_JOINED.search(word))
        for part in re.split(r"[-_.]", word.lstrip("\\").lower()):
            if len(part) < 2 or part not in words or part in lexicon.STOP or part.isdigit():
                continue
            if joined or not any(h in english for h in lexicon.headwords(part)):
                out.append(part)
    return list(dict.fromkeys(out))


# An ask: a clause with its own question word. "何件で、…何名ですか" asks two things.
_ASK = re.compile(r"何|なん|なに|いくら|いくつ|いつ|どの|どう|どれ|どこ|誰|だれ|名前|名称|"
                  r"how|what|which|when|who|where", re.I)
_JOINTS = re.compile(
    r"(?<=[でかとして])、|、(?=そのうち)|[?？]\s*(?=\S)|,\s*and\s+|\s+and\s+(?=how|what|which|when|who)", re.I
)


def split_asks(norm: str) -> tuple[str, ...]:
    """The clauses of a question that each ask something; () when it asks one thing."""
    parts = [p.strip() for p in _JOINTS.split(norm) if p and p.strip()]
    asks = [p for p in parts if _ASK.search(p)]
    return tuple(asks) if len(asks) >= 2 else ()
