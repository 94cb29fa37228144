"""Typing slips in Japanese questions: a word the documents never print that an IME or a hurried hand
made from one they do (意外 for 以外, 保障 for 保証, カート for カード). The refusal check counts it as
present; search does not use it (the word meant, added to the query, moved no figure). A loanword left
in hiragana (こすと for コスト) is different: its katakana is added to the question's lexical terms."""

from __future__ import annotations

import re
from collections.abc import Mapping

from qa.reader.morph import reading

MIN_SLIP = 3  # katakana words shorter than this are too many one edit apart (ペア, ベア)
_KATAKANA = re.compile(r"[ァ-ヺー]+")


def slipped_from(term: str, words: Mapping[str, int]) -> list[str]:
    """The documents' words that `term` (missing from them) may be a typing slip of: the same reading
    (an IME's wrong kanji: 意外 for 以外, 保障 for 保証), or katakana one edit away (カート for カード,
    ネトワーク for ネットワーク)."""
    if term in words or not words:
        return []
    by_reading, katakana = _word_forms(words)
    sound = reading(term)
    out = [w for r in {sound, *_long_or_short(sound)} for w in by_reading.get(r, ()) if w != term]
    if len(term) >= MIN_SLIP and _KATAKANA.fullmatch(term):
        near = (w for n in (len(term) - 1, len(term), len(term) + 1) for w in katakana.get(n, []))
        out += [w for w in near if _one_edit(term, w)]
    return list(dict.fromkeys(out))


_LENGTH_MARKS = "ウーッ"  # a vowel held long or a stop, the sounds typed wrong most (個数 for 工数)


_HIRAGANA_RUN = re.compile(r"[ぁ-ゖー]{3,}")
_TO_KATAKANA = str.maketrans({chr(c): chr(c + 0x60) for c in range(ord("ぁ"), ord("ゖ") + 1)})


def loanwords_in_hiragana(text: str, words: Mapping[str, int]) -> list[str]:
    """Loanwords typed in hiragana, the IME left unconverted (行政こすと, のぽーたるで): the longest
    katakana spellings of three letters or more inside a hiragana run that the documents print."""
    out = []
    for run in _HIRAGANA_RUN.findall(text):
        kana, start = run.translate(_TO_KATAKANA), 0
        while start <= len(kana) - MIN_SLIP:
            ends = range(len(kana), start + MIN_SLIP - 1, -1)
            end = next((e for e in ends if kana[start:e] in words), None)
            if end is None:
                start += 1
                continue
            out.append(kana[start:end])
            start = end
    return list(dict.fromkeys(out))


def _long_or_short(sound: str) -> set[str]:
    """The reading with one length mark dropped or added (コスウ -> コウスウ)."""
    out = {sound[:i] + sound[i + 1:] for i in range(len(sound)) if sound[i] in _LENGTH_MARKS}
    return out | {sound[:i] + mark + sound[i:] for i in range(1, len(sound) + 1) for mark in _LENGTH_MARKS}


# id(words) -> (words, readings, katakana by length): built once per index, for the last few indexes
# (an app reloading its index gets a new word table; the old one need not be kept)
_FORMS: dict[int, tuple] = {}
KEPT_INDEXES = 4


def _word_forms(words: Mapping[str, int]) -> tuple[dict[str, list[str]], dict[int, list[str]]]:
    cached = _FORMS.get(id(words))
    if cached is None or cached[0] is not words:
        by_reading: dict[str, list[str]] = {}
        katakana: dict[int, list[str]] = {}
        for w in words:
            if len(w) >= 2 and not w.isascii():
                by_reading.setdefault(reading(w), []).append(w)
            if len(w) >= MIN_SLIP - 1 and _KATAKANA.fullmatch(w):
                katakana.setdefault(len(w), []).append(w)
        if len(_FORMS) >= KEPT_INDEXES:
            del _FORMS[next(iter(_FORMS))]
        cached = _FORMS[id(words)] = (words, by_reading, katakana)
    return cached[1], cached[2]


def _one_edit(a: str, b: str) -> bool:
    """One character dropped, added or changed (ジ for チ, ッ dropped)."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


MIN_COMPOUND = 5  # katakana compounds this long are looked for in the text itself, slips and all
_SMALL = "ッー・ン"  # the marks a hurried hand drops or adds: プライバシポリシー
_VOICED = str.maketrans("カキクケコサシスセソタチツテトハヒフヘホガギグゲゴザジズゼゾダヂヅデドバビブベボ",
                        "ガギグゲゴザジズゼゾダヂヅデドバビブベボカキクケコサシスセソタチツテトハヒフヘホ")


def printed_as(term: str, text: str) -> bool:
    """A long katakana compound the tokens miss (プライバシーポリシー is two tokens) is printed in
    `text` with one small mark more or less (ッ, ー, ・, ン) or one sound voiced the other way."""
    if len(term) < MIN_COMPOUND or not _KATAKANA.fullmatch(term):
        return False
    variants = {term[:i] + term[i + 1:] for i in range(len(term)) if term[i] in _SMALL}
    variants |= {term[:i] + mark + term[i:] for i in range(1, len(term)) for mark in _SMALL}
    variants |= {term[:i] + term[i].translate(_VOICED) + term[i + 1:] for i in range(len(term))}
    return any(v != term and v in text for v in variants)
