"""Japanese words for an English question's words, from a dictionary (JMdict), kept to the words the
indexed documents actually use: "followers" -> フォロワー, "venues" -> 会場. English questions need them
for BM25 and term overlap against Japanese text; there is no translation model offline.

The table (en-ja.tsv.gz, built by qa.lexicon.build) lists every form of a gloss's entries; most are
not in a given report, so filtering by the index's own vocabulary does most of the disambiguation.
"""

from __future__ import annotations

import functools
import gzip
import re
from collections.abc import Mapping
from pathlib import Path

LEXICON_FILE = Path(__file__).with_name("en-ja.tsv.gz")
WORDS_FILE = Path(__file__).with_name("en-words.txt.gz")  # ordinary English words (qa.lexicon.build)
SYNONYMS_FILE = Path(__file__).with_name("synonyms.tsv.gz")  # Japanese synonym groups (qa.lexicon.build)
JAPANESE = re.compile(r"[\u3041-\u30ff\u3400-\u9fff]")  # kana or kanji: a word is written in Japanese
MAX_FORMS = 2  # Japanese forms kept per English word: the best-ranked ones the documents use
# Question and function words, words that name the kind of answer (a number, a name, people, times,
# a year) or introduce a name (called, known as): they say how something is asked, not what about,
# and their dictionary senses (people -> 国民, called -> コール) would match the wrong passages.
STOP = frozenset("""
a about above after all also an and any are as at be been before being between both but by can could
did do does doing during each either every for from had has have having how i if in into is it its
many may more most much my no not now of on only or other our out over own per several should so some
such than that the their them then there these they this those through to too under until up very was
we were what when where which while who whom why will with within would yes you your
amount amounts called item items kind kinds known name named names number numbers people person persons
thing things time times total type types way ways year years
""".split())
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]", re.I)
# Plural and inflected forms back to a dictionary headword, tried in order ("studies" -> "study").
_SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"))
MIN_TYPO_LETTERS = 5  # shorter unknown words are as often abbreviations as misspellings
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@functools.cache
def table() -> dict[str, str]:
    """english -> "form:rank form:rank …" (parsed per lookup: a question looks up a handful)."""
    out = {}
    with gzip.open(LEXICON_FILE, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                en, _, forms = line.rstrip("\n").partition("\t")
                out[en] = forms
    return out


def headwords(word: str) -> list[str]:
    out = [word]
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.append(word[: -len(suffix)] + repl)
    return out


def ranks(word: str) -> dict[str, int]:
    """Every Japanese form the table gives for an English word or phrase (as spelt, lowercase), with
    its best rank over the word's headwords, in the table's order."""
    out: dict[str, int] = {}
    for head in headwords(word):
        for item in table().get(head, "").split():
            form, _, rank = item.rpartition(":")
            out[form] = min(out.get(form, int(rank)), int(rank))
    return out


def all_forms(word: str) -> list[str]:
    """Every Japanese form the table gives for an English word or phrase, best rank first."""
    found = ranks(word.lower())
    return sorted(found, key=found.__getitem__)


def forms_of(word: str, known: Mapping[str, int], respell: bool = False) -> list[str]:
    """Up to MAX_FORMS Japanese forms for one English word (or two-word phrase) that `known` (the
    documents' token frequencies) holds: the dictionary's best rank first, then the commoner in the
    documents. `respell`: a word the table lacks is looked up by its spelling() instead."""
    found = ranks(word) or (ranks(spelling(word)) if respell else {})
    used = {form: (rank, -known[form]) for form, rank in found.items() if known.get(form)}
    return sorted(used, key=used.__getitem__)[:MAX_FORMS]


@functools.lru_cache(maxsize=1024)
def spelling(word: str) -> str:
    """The table's word one edit away (a letter dropped, doubled, swapped or mistyped: "langauge",
    "adress") for a word the table lacks; "" when there is none or the word is short. Questions are
    typed in a hurry, and an unknown word would otherwise bring no Japanese terms at all."""
    if len(word) < MIN_TYPO_LETTERS or " " in word or ranks(word):
        return ""
    return next((e for e in _edits(word) if e != word and ranks(e)), "")


def _edits(word: str) -> list[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]  # swapped, the likeliest slip
    edits += [a + b[1:] for a, b in splits if b]
    edits += [a + c + b for a, b in splits for c in _LETTERS]
    return edits + [a + c + b[1:] for a, b in splits if b for c in _LETTERS]


@functools.cache
def _synonym_groups() -> dict[str, tuple[str, ...]]:
    """word -> the other words of its synonym groups (SudachiDict); empty if the file is missing."""
    if not SYNONYMS_FILE.exists():
        return {}
    out: dict[str, list[str]] = {}
    with gzip.open(SYNONYMS_FILE, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            words = line.rstrip("\n").split("\t")
            plain = [w.lstrip("~") for w in words]
            for word in words:
                if not word.startswith("~"):  # "~": only expanded to, never from
                    out.setdefault(word, []).extend(p for p in plain if p != word)
    return {w: tuple(dict.fromkeys(s)) for w, s in out.items()}


def synonyms(word: str) -> tuple[str, ...]:
    """Other words for the same thing (年収: 年間収入, 所得 …), as SudachiDict's synonym groups give them."""
    return _synonym_groups().get(word, ())


@functools.cache
def english_words() -> frozenset[str]:
    """Ordinary English words (empty if the file is missing)."""
    if not WORDS_FILE.exists():
        return frozenset()
    with gzip.open(WORDS_FILE, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if not line.startswith("#"))


_LATIN = re.compile(r"(?<![\w.-])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")


def unknown_words(text: str) -> list[str]:
    """Latin words that are no ordinary English word, nor a slip of one: names and jargon (Grafana,
    Terraform, KeePassXC) that a document about them would print as they are. Words of five letters
    or more, or with a digit (riscv64); every part of a hyphenated word must be unknown (not
    user-based). Not counted, because a Japanese document prints them in Japanese: romanised Japanese
    (Hanko for 判子) and a lowercase run of two English words (keymanager, logfiles). Without the
    word list every uncommon word would look like a name, so then none is."""
    if not english_words():
        return []
    out = []
    for word in _LATIN.findall(text):
        if len(word) < MIN_TYPO_LETTERS and not re.search(r"\d", word) or ROMAJI.fullmatch(word.lower()):
            continue
        if all(_unknown(p, joined=word.islower()) for p in word.lower().split("-")):
            out.append(word)
    return list(dict.fromkeys(out))


# Hepburn syllables, with a doubled consonant for っ (kitte) and n for ん.
ROMAJI = re.compile(r"(?:(?:[kgsztdnhbpmr]y?|sh|ch|ts|j|f|y|w)?[aiueo]|n|[kstpc](?=[kstpc]))+")
# Suffixes that make a word from an ordinary one (modernisation from modern).
_DERIVED = ("isation", "ization", "ation", "ise", "ize", "ness", "ment", "ity", "ally", "ly", "able",
            "er", "ers")
MIN_PART = 3  # the shortest English word a run of two may begin or end with


def known_english(word: str) -> bool:
    """A stop word, a number, or an ordinary English word (in any inflection) or one in the table."""
    words = english_words()
    return word in STOP or word.isdigit() or bool(ranks(word)) or any(h in words for h in headwords(word))


def _unknown(word: str, joined: bool) -> bool:
    """Neither an ordinary English word (in any inflection), a slip of one, nor in the table; with
    `joined`, nor two ordinary words run together."""
    words = english_words()
    if known_english(word):
        return False
    if len(word) >= MIN_TYPO_LETTERS and any(e in words for e in _edits(word)):
        return False
    if any(word.endswith(x) and word[: -len(x)] in words for x in _DERIVED):  # modernisation
        return False
    return not joined or not any(word[:i] in words and any(h in words for h in headwords(word[i:]))
                                 for i in range(MIN_PART, len(word) - MIN_PART + 1))


def translate(text: str, known: Mapping[str, int]) -> list[str]:
    """Japanese forms the documents use for the content words of an English `text`; two-word
    phrases ("white paper") are looked up as well as their words."""
    if not known:
        return []
    # Capitalised words are names (ISMAP, CyberREX): looked up as spelt, never respelt.
    spelt = [(w.lower(), w.islower()) for w in _WORD.findall(text) if w.lower() not in STOP]
    out: list[str] = []
    for i, (word, plain) in enumerate(spelt):
        out += forms_of(word, known, respell=plain)
        if i + 1 < len(spelt):
            out += forms_of(f"{word} {spelt[i + 1][0]}", known)
    return list(dict.fromkeys(out))
