"""Whether to answer at all, and if not, why, in one line in the question's language:
(ii) the question names a fiscal year outside what the documents cover (a rule: recorded at ingest);
the question asks for a breakdown (業種別, SIGごと) by something no retrieved passage names (a rule);
the question asks the names of things it counts (「5つのサービス、名前は？」, "which seven companies")
and the answer quotes the count but no names (a rule, checked on the composed answer: `unnamed`);
(i) the asked type is absent from every candidate near the question's terms; (iii) a distinctive
question term occurs in no retrieved passage. The decision itself is learned (qa.reader.model):
these signals are among its features, and the strongest one present names the reason."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import ends_sentence, normalize
from ingest.vocabulary import item_label, year_form, year_span
from qa import lexicon
from qa.glossary import to_japanese
from qa.query import Query, Vocabulary, english_names
from qa.reader.candidates import Candidate, Context
from qa.reader.morph import tag
from qa.reader.slips import printed_as, slipped_from
from qa.reader.terms import asked_part, content_terms
from qa.reader.types import stated_count
from qa.records import Hit

FEATURES = ("top_prob", "second_prob", "top_lexical", "top_context", "top_dense", "type_found",
            "missing_passages", "missing_document", "typed", "en")
NEAR = 10  # candidates with the most of the question's terms (in and around them) that count as near
PASSAGES_CHECKED = 10  # retrieved passages a distinctive term is looked for in
# An English name worth looking for in Japanese text: an acronym or mixed case (ISMAP, CyberREX),
# a code with digits (ISO27400), or Japanese; a capitalised word (Security, Regional) is a translation.
_DISTINCTIVE = re.compile(r"[A-Z].*[A-Z]|[A-Za-z].*\d|\d.*[A-Za-z]|[\u3041-\u30ff\u3400-\u9fff]")
_FISCAL = re.compile(r"FY\s*\d+|\d{4}", re.I)
_ENGLISH_WORD = re.compile(r"[A-Za-z][a-z]+")  # a common word in an English aside, not a name
# Nouns that work as adverbs or adjectives (一度, 最初, 面倒) say when or how, not what about: a report
# that never prints them may still answer the question.
_NOT_TOPICS = ("副詞可能", "形状詞可能")
_PLAN = re.compile(r"目標|計画|予定|見込|target|plan|goal", re.I)
# A breakdown asked for: the word before 別/ごと is what it is broken down by (業種別, 都道府県ごと).
# One letter is a word's own ending (特別, 個別, 区別), not a breakdown; nor is 別 of 別紙, 別途 ….
_BREAKDOWN = re.compile(r"([A-Za-z\u30a1-\u30ff\u3400-\u9fff]{2,8})(?:別(?![紙途添表冊名件個物館枠])|ごと)")
_BREAKDOWN_EN = re.compile(r"\b(?:broken down|breakdown|split|divided)\b.*?\bby\s+([a-z]+)"
                           r"|\bfor each\s+([a-z]+)"
                           r"|\bby\s+([a-z]+)(?:\s+(?:group|groups|type|category))?\s*[?.]?\s*$", re.I)
_TYPE_WORDS = {
    "count": ("数", "number"), "money": ("金額", "amount"), "percent": ("割合", "percentage"),
    "date": ("時期・日付", "date"), "version": ("バージョン", "version"),
    "name": ("名称", "name"), "person": ("人名", "person's name"),
    "place": ("場所", "place"), "rating": ("評定", "rating"),
}


@dataclass(frozen=True)
class Assessment:
    features: dict[str, float]
    year_outside: int | None  # a fiscal year the question names that the documents do not cover
    missing_term: str  # a question term no retrieved passage holds ("" when none)
    breakdown: str = ""  # what the question asks a breakdown by, when no retrieved passage names it
    unnamed: int = 0  # the count whose names the question asks and the answer does not give
    item_missing: str = ""  # an item the question names by number that the documents do not have


def assess(query: Query, ranked: list[Candidate], hits: list[Hit], ctx: Context,
           document_text: str, parts: list[list[Candidate]] = ()) -> Assessment:
    """The signals the refusal decision reads. `document_text`: every chunk, lowercased; `parts`: the
    candidates as read for each ask of a question that asks several things."""
    vocabulary = ctx.vocabulary
    top = ranked[0] if ranked else None
    passages = frozenset().union(*(ctx.chunk_tokens(h.chunk) for h in hits[:PASSAGES_CHECKED]))
    passage_text = " ".join(h.chunk.text for h in hits[:PASSAGES_CHECKED]).lower()
    missing, term = _missing(query, vocabulary, passages, passage_text, document_text)
    features = {
        "top_prob": top.score if top else 0.0,
        "second_prob": ranked[1].score if len(ranked) > 1 else 0.0,
        "top_lexical": max((c.features.get("lexical", 0.0) for c in ranked), default=0.0),
        "top_context": max((c.features.get("context", 0.0) for c in ranked), default=0.0),
        "top_dense": hits[0].dense_score if hits else 0.0,
        "type_found": float(not query.answer.typed or any(map(_type_near, [ranked, *parts]))),
        "missing_passages": missing[0], "missing_document": missing[1],
        "typed": float(query.answer.typed), "en": float(query.lang == "en"),
    }
    return Assessment(features, _outside(query, vocabulary), term,
                      _breakdown(query, passage_text, document_text),
                      item_missing=_no_item(query, vocabulary))


def _type_near(cands: list[Candidate]) -> bool:
    """Does a candidate near the question's terms hold the asked type? For a question of several asks,
    each ask's candidates are checked for its own type: the ones found are answered."""
    near = sorted(cands, key=lambda c: -c.features.get("before", 0.0))[:NEAR]
    named = [c for c in cands if c.features.get("row_named")]  # a row the question names: near enough
    return any(c.features.get("type_has") for c in near + named)


def _outside(query: Query, vocabulary: Vocabulary) -> int | None:
    """A fiscal year past the one under review (or before the first covered), unless a plan is asked."""
    if not vocabulary.years or _PLAN.search(query.norm):
        return None
    return next((y for y in query.fiscal_years if y > max(vocabulary.years) or y < min(vocabulary.years)),
                None)


def _no_item(query: Query, vocabulary: Vocabulary) -> str:
    """An item the question names by number (Ⅰ－４) among none of the documents' own items; "" when
    the documents have no numbered items (a manual) or the question names none."""
    if not vocabulary.items or not query.items_explicit:
        return ""
    return next((item for item in query.items if item not in vocabulary.items), "")


def _breakdown(query: Query, passage_text: str, document_text: str = "") -> str:
    """What a Japanese question asks a breakdown by (業種 of 業種別) when no retrieved passage names
    it. The word is taken from the end (「登録者数業種別」: 業種), and any tail of two letters or more
    found counts as named: a breakdown the report may give under another head is never refused. Nor
    is a phrase the document prints (「対象者別ガイドライン」): the question quotes it."""
    if query.lang == "en":
        return _breakdown_en(query.norm, passage_text)
    for m in _BREAKDOWN.finditer(query.norm):
        if m.group(0).lower() in document_text:
            continue
        word = m.group(1).lower()
        if not any(word[-n:] in passage_text for n in range(2, len(word) + 1)):
            return m.group(1)
    return ""


def _breakdown_en(norm: str, passage_text: str) -> str:
    """An English question's breakdown (by prefecture, for each region) when none of the dimension's
    dictionary forms (都道府県, 地域 …) is in a retrieved passage; a word without forms is not judged."""
    m = _BREAKDOWN_EN.search(norm)
    word = next((g for g in m.groups() if g), "").lower() if m else ""
    if not word or word in lexicon.STOP:
        return ""
    forms = [f for w in lexicon.headwords(word) for f in lexicon.all_forms(w)]
    if not forms or word in passage_text or any(f.lower() in passage_text for f in forms):
        return ""
    return word


_NAMES_ASKED = re.compile(r"名前|名称|どこ|どれ|どの(?!よう)|具体的|社名|テーマ名|何という"  # not どのような
                          r"|\bwhich\b|\bnames?\b|\bwho (?:are|were)\b|\blist\b", re.I)
# Names given: two or more in brackets (（A、B）), quoted in a series (「A」、「B」) or numbered (①A、②B).
_NAMES_GIVEN = re.compile(r"[（(「『][^）)」』]*[、，,・/][^）)」』]*[）)」』]|[」』]\s*[、，・]\s*[「『]"
                          r"|[①-⑳].*[①-⑳]")
ITEM_CHARS = 50  # a quote this short, not a sentence, and without the count: a list's item, a name given


def unnamed(query: Query, quotes: list[str]) -> int:
    """The count a question asks the names of (「5つのサービス、名前は？」, "which seven companies") when
    the answer quotes that count but gives no names: in brackets or quotes beside it, or as list items
    (short quotes that are no sentence). 0 otherwise, and whenever the answer does not quote the count."""
    if not _NAMES_ASKED.search(query.norm) or not (n := stated_count(query.norm, query.lang)):
        return 0
    count = re.compile(rf"(?<![\d,.]){n}(?![\d,.])")
    texts = [normalize(q) for q in quotes]
    holding = [t for t in texts if count.search(t)]
    # As printed too: NFKC makes ①② plain digits.
    if not holding or any(_NAMES_GIVEN.search(q) or _NAMES_GIVEN.search(t)
                          for q, t in zip(quotes, texts, strict=True) if t in holding):
        return 0
    items = [t for t in texts if t not in holding and len(t) <= ITEM_CHARS and not ends_sentence(t)]
    return 0 if items else n


def _missing(query: Query, vocabulary: Vocabulary, passages: frozenset[str], passage_text: str,
             document_text: str) -> tuple[tuple[float, float], str]:
    """(share of distinctive terms missing from the passages, 1.0 if one is missing from the whole
    document) and that term. Distinctive: nouns of two or more characters that name a topic, or names
    in English."""
    # A Japanese lead-in about the asker (「課長に頼まれたんだけど、」) is no part of what is asked.
    asked = query.norm if query.lang == "en" else asked_part(query.norm)
    unknown = [w for w in lexicon.unknown_words(asked) if not _FISCAL.fullmatch(w)]
    if query.lang == "en":
        names = [n for n in english_names(query.norm) if _DISTINCTIVE.search(n) and not _FISCAL.fullmatch(n)]
        names = list(dict.fromkeys([*names, *unknown]))
        # "Indo-Pacific" is printed インド太平洋: a name is there when one of its translations is.
        absent = [n for n in names if not any(h in document_text for h in lexicon.headwords(n.lower()))
                  and not any(f in document_text for f in [*to_japanese(n).split(), *lexicon.all_forms(n)])]
        share = len(absent) / len(names) if names else 0.0
        return (share, float(bool(absent))), (absent[0] if absent else "")
    # Latin names are looked for as printed: the tokenizer may cut them (riscv64 -> riscv, 64).
    latin = [w.lower() for w in unknown]
    nouns = list(dict.fromkeys(_nouns(asked, vocabulary) + latin))
    # A slip of the keyboard (意外 for 以外, カート for カード) is there when the word it slipped from is.
    forms = {n: [n, *slipped_from(n, vocabulary.words)] for n in nouns if n not in latin}

    def found(n: str, tokens, text: str) -> bool:
        if n in latin:
            return n in text
        # Or in other words for it (年間収入 for 年収): the document never mentioning a word is no sign
        # that it lacks what the word names. Only synonyms in Japanese: as substrings, Latin ones are in
        # every English word that holds them (TEL for 電話 in hoTEL).
        return (any(f in tokens for f in forms[n]) or printed_as(n, text)
                or any(s in text for s in lexicon.synonyms(n) if lexicon.JAPANESE.search(s)))

    absent = [n for n in nouns if not found(n, passages, passage_text)]
    nowhere = [n for n in absent if not found(n, document_text, document_text)]
    share = len(absent) / len(nouns) if nouns else 0.0
    return (share, float(bool(nowhere))), (nowhere or absent or [""])[0]


def _nouns(text: str, vocabulary: Vocabulary) -> list[str]:
    """The content nouns (Sudachi) of a question's text, as the lexical tokens spell them."""
    terms = content_terms(text, vocabulary.frame)  # in the question's order: the reason names the first
    nouns = {normalize(m.surface).lower() for m in tag(text)
             if m.pos[0] == "名詞" and m.pos[1] in ("普通名詞", "固有名詞") and len(m.surface) >= 2
             and m.pos[2] not in _NOT_TOPICS and not _ENGLISH_WORD.fullmatch(m.surface)}
    return [t for t in terms if t in nouns]


def reason(query: Query, assessment: Assessment, vocabulary: Vocabulary) -> str:
    """The one-line reason for a refusal, in the question's language."""
    en = query.lang == "en"
    ja_name, en_name = vocabulary.called  # 報告書 / report, 文書 / document
    if (year := assessment.year_outside) is not None:
        if en:
            span = year_span(vocabulary.years, True)
            return f"The {en_name} covers {span}; it has no results for FY{year}."
        return (f"この{ja_name}は{year_span(vocabulary.years)}を対象としており、{year_form(year)}の実績は"
                f"記載がありません。")
    if item := assessment.item_missing:
        if en:
            return f"The {en_name} has no item {item}; its items are {', '.join(vocabulary.items)}."
        listed = "、".join(map(item_label, vocabulary.items))
        return f"この{ja_name}に項目{item_label(item)}はありません（項目は{listed}）。"
    if assessment.unnamed:
        if en:
            return f"The {en_name} gives the number ({assessment.unnamed}) but not their names."
        return (f"{ja_name}は数（{assessment.unnamed}）を記載していますが、"
                "個々の名称の記載は見つかりませんでした。")
    if assessment.breakdown:
        by = assessment.breakdown
        return (f"The passages found give no breakdown by “{by}”." if en
                else f"関連する箇所に「{by}」別の内訳の記載が見つかりませんでした。")
    if assessment.missing_term and assessment.features["missing_document"]:
        term = assessment.missing_term
        return (f"The {en_name} never mentions “{term}”." if en
                else f"{ja_name}には「{term}」の記載がありません。")
    if not assessment.features["type_found"]:
        ja, english = _TYPE_WORDS[query.answer.kind]
        return (f"No {english} of the kind asked appears near the question's terms in the {en_name}." if en
                else f"質問の語句の近くに、求められている{ja}の記載が見つかりませんでした。")
    if assessment.missing_term:
        term = assessment.missing_term
        return (f"No passage found mentions “{term}”." if en
                else f"関連する箇所に「{term}」の記載が見つかりませんでした。")
    return ("No passage holds enough of the question's terms." if en
            else "質問の語句を十分に含む箇所が見つかりませんでした。")
