"""Romanised Japanese in English questions (Mitou, warichu, jinzai): the documents print it in
Japanese (未踏, 割注, 人材), and no dictionary lists it. The documents' own words are read by
Sudachi and romanised (jaconv, Hepburn); a romanised word is the one whose reading spells it, long
vowels loose (Tokyo, Toukyou and Tōkyō are one spelling)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import jaconv

from qa import lexicon
from qa.reader.morph import reading

MIN_LETTERS = 4  # shorter romaji (kai, sen) spells too many words to tell which
_LATIN = re.compile(rf"(?<![\w\\.-])[A-Za-z]{{{MIN_LETTERS},}}(?![\w.-])")
_LONG = ((r"ou|oo", "o"), (r"uu", "u"), (r"m(?=[bp])", "n"), (r"-", ""))
CACHED = 4  # document sets whose readings are kept (one per loaded index)
_cache: dict[int, tuple[Mapping[str, int], dict[str, str]]] = {}


def spelling_key(romaji: str) -> str:
    """A romanisation with long vowels and ん before b/p written one way (toukyou, tōkyō: tokyo)."""
    text = unicodedata.normalize("NFKD", romaji.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    for pattern, plain in _LONG:
        text = re.sub(pattern, plain, text)
    return text


def romanised(text: str) -> list[str]:
    """The words of an English text that read as romanised Japanese and are no English word."""
    return [w for w in dict.fromkeys(_LATIN.findall(text))
            if lexicon.ROMAJI.fullmatch(w.lower()) and not lexicon.known_english(w.lower())]


def japanese_of(word: str, words: Mapping[str, int]) -> str:
    """The commonest of the documents' words that a romanised `word` spells; "" for none. One word,
    not a run of them: runs of short words spell almost anything (kintou: 金 + 等)."""
    key = spelling_key(word)
    if len(key) < MIN_LETTERS or not words:
        return ""
    return _readings(words).get(key, "")


def _readings(words: Mapping[str, int]) -> dict[str, str]:
    """Spelling key -> the commonest Japanese word of the documents that reads so."""
    held = _cache.get(id(words))
    if held is not None and held[0] is words:
        return held[1]
    out: dict[str, str] = {}
    for surface, count in words.items():
        if not lexicon.JAPANESE.search(surface):
            continue
        key = spelling_key(jaconv.kana2alphabet(jaconv.kata2hira(reading(surface))))
        if key and (key not in out or words[out[key]] < count):
            out[key] = surface
    if len(_cache) >= CACHED:
        _cache.pop(next(iter(_cache)))
    _cache[id(words)] = (words, out)
    return out
