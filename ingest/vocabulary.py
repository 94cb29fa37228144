"""The report's vocabulary, in one place: item ids and labels, item topics, fiscal years, the
organisation's name. Today these are the sample's (IPA's self-evaluation form); a report's own
vocabulary is meant to be read from it at ingest and replace what is report-specific here.

Patterns run on normalize()d text, where NFKC turns Ⅲ into III, １ into 1 and dashes into "-".
"""

from __future__ import annotations

import re

# Canonical item ids and how the report prints them.
ITEM_LABELS = {
    "overview": "概要",
    "I-1": "Ⅰ－１",
    "I-2": "Ⅰ－２",
    "I-3": "Ⅰ－３",
    "II": "Ⅱ",
    "III": "Ⅲ",
    "IV": "Ⅳ",
}

# An item number: Ⅰ－１ … Ⅰ－９ and Ⅱ … Ⅵ, as the self-evaluation form numbers its items.
ITEM_NUMERAL = r"I\s*[-.]\s*[1-9](?!\d)|VI|IV|V|III|II"
# An item named in running text: 「Ⅰ－２」, 「項目Ⅲ」, "item II"; group 1 is the numeral.
ITEM_REF = re.compile(rf"(?:項目\s*|(?i:item)\s+)?(?<![A-Za-z])({ITEM_NUMERAL})(?![A-Za-z0-9-])")

# Topic words that name an item without its number (the report's own item titles), lowercased text.
ITEM_TOPICS = [
    (re.compile(r"財務内容|financial|財務|繰越欠損金|運営費交付金"), "III"),
    (re.compile(r"業務運営の効率化|一般管理費|業務経費|operating expenses|administrative expenses"), "II"),
    (re.compile(r"その他業務運営|内部統制|internal control"), "IV"),
]

# Words that frame a question (its year, the organisation) rather than say what it asks.
FRAME_TERMS = frozenset({"令和", "平成", "年度", "fy", "ipa", "機構"})

REPORT_YEAR = 2020  # the fiscal year the report is about: 令和2年度
# A fiscal year as Japanese reports and English questions write it.
YEAR = re.compile(r"令和\s*(?:元|\d+)\s*年度?|平成\s*\d+\s*年度?|FY\s*\d{4}|"
                  r"(?:fiscal\s+(?:year\s+)?)?(?<!\d)(?:19|20)\d\d(?!\d)\s*(?:年度)?", re.IGNORECASE)
_REIWA, _HEISEI = 2018, 1988  # 令和1 = 2019, 平成1 = 1989


def item_label(item: str) -> str:
    return ITEM_LABELS.get(item, item or "—")


def item_id(numeral: str) -> str:
    """'I . 2' -> 'I-2', 'iii' -> 'III': the canonical id of an item numeral."""
    return re.sub(r"\s+", "", numeral).upper().replace(".", "-")


def western_year(form: str) -> int | None:
    """The Western year of a fiscal-year form: 令和元年度 -> 2019, 平成30年度 -> 2018, FY2020 -> 2020."""
    form = form.replace(" ", "")
    if m := re.search(r"令和(元|\d+)", form):
        return _REIWA + (1 if m.group(1) == "元" else int(m.group(1)))
    if m := re.search(r"平成(\d+)", form):
        return _HEISEI + int(m.group(1))
    if m := re.search(r"(\d{4})", form):
        return int(m.group(1))
    return None


def years_in(text: str) -> tuple[int, ...]:
    """The fiscal years a normalize()d text names, as Western years, in order of appearance."""
    found = (western_year(m.group(0)) for m in YEAR.finditer(text))
    return tuple(dict.fromkeys(y for y in found if y is not None))


def year_form(year: int, english: bool = False) -> str:
    """2019 -> 令和元年度 (or FY2019), 2018 -> 平成30年度."""
    if english:
        return f"FY{year}"
    if year > _REIWA:
        n = year - _REIWA
        return f"令和{'元' if n == 1 else n}年度"
    return f"平成{year - _HEISEI}年度"
