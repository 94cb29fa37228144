"""Glyphs without a Unicode mapping: TeX's old fonts carry none, so pdfminer reports their codes.

A simple font with no ToUnicode map gives either `(cid:N)` (a code its encoding does not name) or
the character StandardEncoding puts at that code: TeX's OT1 text fonts then print “ as `\\`, ” as
`"`, – as `{` and — as `|`, and their fi ligature as `(cid:12)`. When the font's TeX encoding is
known (from its name, CMR10 / ECRM1000 / CMSY10 …, or from ligature codes inside words) the code is
looked up in that encoding; glyphs still unknown are dropped from the text (a reader cannot search
for `(cid:23)`). `repair(chars, fonts)` returns the chars and counts of what it did.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from pdfminer.encodingdb import EncodingDB

_CID = re.compile(r"^\(cid:(\d+)\)$")
_UPPER = "ΓΔΘΛΞΠΣΥΦΨΩ"
# OT1 (Knuth's cmr, cmbx, cmti, cmsl, cmss …): codes that are not ASCII in it.
OT1 = {**dict(enumerate(_UPPER)), 11: "ff", 12: "fi", 13: "fl", 14: "ffi", 15: "ffl", 16: "ı", 17: "ȷ",
       18: "`", 19: "´", 20: "ˇ", 21: "˘", 22: "¯", 23: "˚", 24: "¸", 25: "ß", 26: "æ", 27: "œ", 28: "ø",
       29: "Æ", 30: "Œ", 31: "Ø", 32: "", 34: "”", 39: "’", 60: "¡", 62: "¿", 92: "“", 94: "ˆ", 95: "˙",
       96: "‘", 123: "–", 124: "—", 125: "˝", 126: "˜", 127: "¨"}
# OT1 typewriter (cmtt): ASCII where the text fonts have quotes and dashes, no ligatures.
OT1_TT = {**dict(enumerate(_UPPER)), 11: "↑", 12: "↓", 13: "'", 14: "¡", 15: "¿", 16: "ı", 17: "ȷ",
          18: "`", 19: "´", 20: "ˇ", 21: "˘", 22: "¯", 23: "˚", 24: "¸", 25: "ß", 26: "æ", 27: "œ",
          28: "ø", 29: "Æ", 30: "Œ", 31: "Ø", 32: "␣", 39: "’", 96: "‘", 127: "¨"}
# T1 (Cork: ec, cm-super sf*, lm* in T1): accents, quotes and dashes below 32, ligatures 27-31,
# Latin-1-like letters above 127.
T1 = {0: "`", 1: "´", 2: "ˆ", 3: "˜", 4: "¨", 5: "˝", 6: "˚", 7: "ˇ", 8: "˘", 9: "¯", 10: "˙", 11: "¸",
      12: "˛", 13: "‚", 14: "‹", 15: "›", 16: "“", 17: "”", 18: "„", 19: "«", 20: "»", 21: "–", 22: "—",
      23: "", 24: "", 25: "ı", 26: "ȷ", 27: "ff", 28: "fi", 29: "fl", 30: "ffi", 31: "ffl", 32: "␣",
      39: "’", 96: "‘", 127: "-",
      **dict(zip(range(128, 192), "ĂĄĆČĎĚĘĞĹĽŁŃŇŊŐŔŘŚŠŞŤŢŰŮŸŹŽŻĲİđ§ăąćčďěęğĺľłńňŋőŕřśšşťţűůÿźžżĳ¡¿£",
                 strict=True)),
      **dict(zip(range(192, 256),
                 [*"ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖŒØÙÚÛÜÝÞ", "SS", *"àáâãäåæçèéêëìíîïðñòóôõöœøùúûüýþß"],
                 strict=True))}
# OMS (cmsy: maths symbols): the minus sign, bullets, arrows, relations.
OMS = dict(enumerate(
    "−·×∗÷⋄±∓⊕⊖⊗⊘⊙○∘•≍≡⊆⊇≤≥⪯⪰∼≈⊂⊃≪≫≺≻←→↑↓↔↗↘≃⇐⇒⇑⇓⇔↖↙∝′∞∈∋△▽/ ∀∃¬∅ℜℑ⊤⊥ℵ"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ∪∩⊎∧∨⊢⊣⌊⌋⌈⌉{}⟨⟩|‖↕⇕\\≀√⨿∇∫⊔⊓⊑⊒§†‡¶♣♦♥♠"))
# OML (cmmi: maths italic): Greek and arrows below 48, its own punctuation at 58-64. Old LaTeX sets
# table-of-contents leaders as maths periods: code 58, a colon in StandardEncoding.
OML = {**dict(enumerate(f"{_UPPER}αβγδϵζηθικλμνξπρστυϕχψωεϑϖϱςφ↼↽⇀⇁")), 44: "", 45: "", 46: "▷", 47: "◁",
       58: ".", 59: ",", 60: "<", 61: "/", 62: ">", 63: "⋆", 64: "∂", 91: "♭", 92: "♮", 93: "♯",
       94: "⌣", 95: "⌢", 96: "ℓ", 123: "ı", 124: "ȷ", 125: "℘", 126: "⃗", 127: "⁀"}
ENCODINGS = {"OT1": OT1, "OT1TT": OT1_TT, "T1": T1, "OMS": OMS, "OML": OML}
# TeX font names (after the subset tag) by encoding. Typewriter first: CMTT is a CM font too.
_NAMES = [
    ("OT1TT", re.compile(r"^CM(S?L?I?TT|TCSC|VTT)\d+$", re.I)),
    ("OMS", re.compile(r"^(CMSY|CMBSY|LMSY)\d*", re.I)),
    ("OML", re.compile(r"^(CMMIB?|LMMIB?)\d+$", re.I)),
    ("T1", re.compile(r"^(EC[A-Z]{2}|SF[A-Z]{2}|TC[A-Z]{2})\d{4}$|-T1$", re.I)),
    ("OT1", re.compile(r"^CM(R|BX|SL|TI|BXSL|BXTI|SS|SSBX|SSI|SSDC|SSQ|SSQI|CSC|U|DUNH|B|FIB|FF|TEX)\d+$",
                       re.I)),
]
# Spacing accents TeX sets over a letter as a glyph of their own; combined back onto the letter.
COMBINING = {"`": "\u0300", "´": "\u0301", "ˆ": "\u0302", "˜": "\u0303", "¯": "\u0304", "˘": "\u0306",
             "˙": "\u0307", "¨": "\u0308", "˚": "\u030a", "˝": "\u030b", "ˇ": "\u030c", "¸": "\u0327",
             "˛": "\u0328"}
_STD_CODE = {char: code for code, char in EncodingDB.std2unicode.items()}  # StandardEncoding inverted
_LETTER = re.compile(r"[A-Za-z]")
MIN_LETTERS = 20  # a font guessed to be a TeX text font must set at least this many letters itself


@dataclass(frozen=True)
class FontInfo:
    """What the font's dictionary says about how its codes become text."""

    to_unicode: bool  # has a ToUnicode map: its text is the producer's own, trusted as is
    standard: bool  # a Type1 font pdfminer reads through StandardEncoding (no Encoding, no FontFile)


def font_encoding(name: str) -> str | None:
    """The TeX encoding a font name says, or None: 'CMR10' -> 'OT1', 'ABCDEF+ECRM1000' -> 'T1'."""
    base = name.split("+", 1)[-1]
    return next((enc for enc, pattern in _NAMES if pattern.search(base)), None)


def page_fonts(page) -> dict[str, FontInfo]:
    """Font name -> FontInfo for the fonts of a pdfplumber page's resources."""
    from pdfminer.pdftypes import resolve1

    out: dict[str, FontInfo] = {}
    try:
        fonts = resolve1((page.page_obj.resources or {}).get("Font")) or {}
        for ref in fonts.values():
            spec = resolve1(ref)
            if not isinstance(spec, dict):
                continue
            descriptor = resolve1(spec.get("FontDescriptor")) or {}
            # pdfminer names a char's font by its descriptor's FontName, else "unknown"
            name = _name(descriptor.get("FontName") or "unknown")
            # pdfminer reads a Type1 font's own encoding only from a FontFile (not the CFF of a
            # FontFile3, as dvipdfmx embeds them): otherwise StandardEncoding stands in.
            type1 = _name(spec.get("Subtype")) in ("Type1", "MMType1")
            encoding = resolve1(spec.get("Encoding"))
            standard = type1 and "FontFile" not in descriptor and (
                encoding is None or _name(encoding) == "StandardEncoding")
            out[name] = FontInfo("ToUnicode" in spec, standard)
    except Exception:  # a broken resource dictionary: no font knowledge, nothing remapped
        return out
    return out


def _name(value) -> str:
    name = getattr(value, "name", value)
    return name.decode("latin-1") if isinstance(name, bytes) else str(name or "")


def _guess(group: list[dict]) -> str | None:
    """OT1 or T1 from a text font's own ligature codes between its letters ('(cid:12)lename' is
    OT1's fi). A font with no letters of its own (arrow tips, rules) is no text font: no guess."""
    if sum(bool(_LETTER.fullmatch(c["text"])) for c in group) < MIN_LETTERS:
        return None
    votes: Counter = Counter()
    for i, c in enumerate(group):
        m = _CID.match(c["text"])
        if not m:
            continue
        code = int(m.group(1))
        near = "".join(group[j]["text"] for j in (i - 1, i + 1) if 0 <= j < len(group))
        if _LETTER.search(near):
            votes["OT1" if 11 <= code <= 15 else "T1" if 27 <= code <= 31 else ""] += 1
    votes.pop("", None)
    return votes.most_common(1)[0][0] if votes else None


def _code(text: str, info: FontInfo | None) -> int | None:
    """The font code behind a char's text, when it can be known."""
    if m := _CID.match(text):
        return int(m.group(1))
    if info is not None and info.standard and not info.to_unicode and len(text) == 1:
        return _STD_CODE.get(text, ord(text) if text.isascii() else None)
    return None


def _fix(c: dict, encoding: str | None, info: FontInfo | None, counts: Counter) -> dict | None:
    """The char with its text repaired, or None to drop it."""
    text = c["text"]
    code = _code(text, info)
    if code is None:
        return c
    table = ENCODINGS.get(encoding or "", {})
    if code in table:
        new = table[code]
    elif _CID.match(text):
        new = ""
    else:
        return c  # read through StandardEncoding and the same in the TeX encoding: plain ASCII
    if new == text:
        return c
    counts["mapped" if new else "dropped"] += 1
    return {**c, "text": new} if new else None


def repair(chars: list[dict], fonts: dict[str, FontInfo]) -> tuple[list[dict], Counter]:
    """Chars with unmapped glyphs mapped through their TeX encoding or dropped; accents combined."""
    counts: Counter = Counter()
    by_font: dict[str, list[dict]] = {}
    for c in chars:
        by_font.setdefault(c["fontname"], []).append(c)
    encodings = {}
    for name, group in by_font.items():
        encodings[name] = font_encoding(name) or (_guess(group) if any(_CID.match(c["text"]) for c in group)
                                                 else None)
    out = []
    for c in chars:
        name = c["fontname"]
        info = fonts.get(name) or fonts.get(name.split("+", 1)[-1])
        if (info is None or info.to_unicode) and not _CID.match(c["text"]):
            out.append(c)
            continue
        fixed = _fix(c, encodings.get(name), info, counts)
        if fixed is not None:
            out.append(fixed)
    return _combine_accents(out, counts), counts


def _combine_accents(chars: list[dict], counts: Counter) -> list[dict]:
    """A spacing accent drawn over a letter becomes that letter's accent: ¨ over u -> ü."""
    out = list(chars)
    for i, c in enumerate(chars):
        mark = COMBINING.get(c["text"])
        if mark is None:
            continue
        base = next((b for b in _neighbours(chars, i) if _over(c, b)), None)
        if base is None:
            continue
        composed = unicodedata.normalize("NFC", base["text"] + mark)
        if len(composed) == 1:
            j = next(k for k, o in enumerate(out) if o is base)
            out[j] = {**base, "text": composed}
            out = [o for o in out if o is not c]
            counts["accents"] += 1
    return out


def _neighbours(chars: list[dict], i: int) -> list[dict]:
    return [chars[j] for j in (i + 1, i - 1, i + 2, i - 2) if 0 <= j < len(chars)
            and chars[j]["text"].isalpha() and len(chars[j]["text"]) == 1]


def _over(accent: dict, base: dict) -> bool:
    """The accent's box sits over the letter's: their x ranges overlap by half the narrower one."""
    overlap = min(accent["x1"], base["x1"]) - max(accent["x0"], base["x0"])
    width = min(accent["x1"] - accent["x0"], base["x1"] - base["x0"]) or 1.0
    return overlap >= 0.5 * width and abs(accent["top"] - base["top"]) < base["size"]
