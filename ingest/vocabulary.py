"""Patterns every report shares: item numerals (Ⅰ－１, Ⅲ) and fiscal years (令和2年度, FY2020).

What one report calls its items, which years it covers and what its organisation is called is
not here: ingest.profile reads that from each document and the index stores it per document.

Patterns run on normalize()d text, where NFKC turns Ⅲ into III, １ into 1 and dashes into "-".
"""

from __future__ import annotations

import re

OVERVIEW = "overview"  # the item id of a report's overview forms (no numeral of its own)
OVERVIEW_LABEL = "概要"

# An item number: Ⅰ－１ … Ⅰ－９ and Ⅱ … Ⅵ, as the self-evaluation forms number their items.
ITEM_NUMERAL = r"I\s*[-.]\s*[1-9](?!\d)|VI|IV|V|III|II"
# An item named in running text: 「Ⅰ－２」, 「項目Ⅲ」, "item II"; group 1 is the numeral.
ITEM_REF = re.compile(rf"(?:項目\s*|(?i:item)\s+)?(?<![A-Za-z])({ITEM_NUMERAL})(?![A-Za-z0-9-])")

# A fiscal year as Japanese reports and English questions write it.
YEAR = re.compile(r"令和\s*(?:元|\d+)\s*年度?|平成\s*(?:元|\d+)\s*年度?|FY\s*\d{4}|"
                  r"(?:fiscal\s+(?:year\s+)?)?(?<!\d)(?:19|20)\d\d(?!\d)\s*(?:年度)?", re.IGNORECASE)
_REIWA, _HEISEI = 2018, 1988  # 令和1 = 2019, 平成1 = 1989
_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ", "VI": "Ⅵ"}
_WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


def item_label(item: str) -> str:
    """How a report prints a canonical item id: 'I-1' -> 'Ⅰ－１', 'III' -> 'Ⅲ', 'overview' -> '概要'."""
    if item == OVERVIEW:
        return OVERVIEW_LABEL
    head, _, tail = (item or "").partition("-")
    if head not in _ROMAN:
        return item or "—"
    return _ROMAN[head] + (f"－{tail.translate(_WIDE)}" if tail else "")


def item_order(item: str) -> tuple[int, str]:
    """A sort key in the report's order: Ⅰ－１ … Ⅰ－９, then Ⅱ, Ⅲ, Ⅳ (the numeral's value first)."""
    head = item.partition("-")[0]
    return (list(_ROMAN).index(head) if head in _ROMAN else len(_ROMAN), item)


def item_id(numeral: str) -> str:
    """'I . 2' -> 'I-2', 'iii' -> 'III': the canonical id of an item numeral."""
    return re.sub(r"\s+", "", numeral).upper().replace(".", "-")


def western_year(form: str) -> int | None:
    """The Western year of a fiscal-year form: 令和元年度 -> 2019, 平成30年度 -> 2018, FY2020 -> 2020."""
    form = re.sub(r"\s+", "", form)
    if m := re.search(r"令和(元|\d+)", form):
        return _REIWA + (1 if m.group(1) == "元" else int(m.group(1)))
    if m := re.search(r"平成(元|\d+)", form):
        return _HEISEI + (1 if m.group(1) == "元" else int(m.group(1)))
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


def year_span(years: tuple[int, ...] | list[int], english: bool = False) -> str:
    """'平成30〜令和2年度' (or 'FY2018–FY2020'): the fiscal years a report covers, for messages."""
    if not years:
        return ""
    first, last = min(years), max(years)
    if first == last:
        return year_form(first, english)
    if english:
        return f"FY{first}–FY{last}"
    return f"{year_form(first).removesuffix('年度')}〜{year_form(last)}"
