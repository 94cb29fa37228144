"""A document's own vocabulary, read at ingest: its items (ids and titles from its headings), the
fiscal years it reports on, its organisation's name and abbreviations, and the report profile it
matches. The index stores one DocProfile per document; query analysis and scoring read it there.

Report profiles (report_profiles.json) are data: the 独立行政法人 self-evaluation form is one named
profile, "generic" covers every other document.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.records import Page, Section
from ingest.tables import TableRow
from ingest.text import normalize, squash
from ingest.vocabulary import ITEM_NUMERAL, OVERVIEW, OVERVIEW_LABEL, YEAR, item_label, western_year

PROFILES_FILE = Path(__file__).with_name("report_profiles.json")
FRONT_PAGES = 3  # the title, the organisation and the year under review are printed up front
LABEL_REACH = 40  # characters after a label such as 法人名 where its value is looked for
MIN_SELF_REFERENCES = 3  # "IPA 内", "IPA 自身": this often before an acronym counts as the org's
MIN_YEAR_SHARE = 0.3  # a generic document's report year must be this share of its 年度 mentions
_LEGAL_FORM = re.compile(r"^(?:独立行政法人|国立研究開発法人|地方独立行政法人|国立大学法人|一般社団法人|"
                         r"一般財団法人|公益社団法人|公益財団法人|株式会社)")
_ORG_NAME = re.compile(_LEGAL_FORM.pattern.lstrip("^") + r"\s*([^\s、。，,（(「」）)の]{2,30})")
_ORG_SUFFIX = re.compile(r"(機構|研究所|センター|大学|協会|機関|公庫|基金|法人)$")
_ACRONYM = r"[A-Z][A-Za-z-]{1,9}"
_SELF_REFERENCE = re.compile(rf"(?<![A-Za-z])({_ACRONYM})\s*(?:内|自身|役職員|理事長)")
_ITEM_HEAD = re.compile(rf"^({ITEM_NUMERAL})\s+")


@dataclass(frozen=True)
class Item:
    id: str  # canonical: "I-1", "III", "overview"
    label: str  # as printed: "Ⅰ－１"
    title: str  # the heading's words: "新たな脅威への迅速な対応等のセキュリティ対策の強化"
    topics: tuple[str, ...] = ()  # words that name this item without its number (from the profile)


@dataclass(frozen=True)
class DocProfile:
    doc: str
    kind: str = "generic"  # the report profile's name
    items: tuple[Item, ...] = ()
    years: tuple[int, ...] = ()  # fiscal years whose results the document reports, in order
    report_year: int | None = None  # the fiscal year under review
    org: tuple[str, ...] = ()  # the organisation: name, short forms, abbreviations
    frame_terms: tuple[str, ...] = field(default=())  # words that say who and when, not what

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict) -> DocProfile:
        items = tuple(Item(i["id"], i["label"], i["title"], tuple(i.get("topics", ()))) for i in row["items"])
        return cls(row["doc"], row["kind"], items, tuple(row["years"]), row["report_year"],
                   tuple(row["org"]), tuple(row["frame_terms"]))


@functools.cache
def report_profiles() -> tuple[dict, ...]:
    """The named report profiles, most specific first; the last one is the generic fallback."""
    return tuple(json.loads(PROFILES_FILE.read_text(encoding="utf-8"))["profiles"])


def called(kind: str) -> tuple[str, str]:
    """What a kind of document is called in answers (報告書, "report"; 文書, "document"), (ja, en)."""
    profile = next((p for p in report_profiles() if p["name"] == kind), report_profiles()[-1])
    return profile["called"]["ja"], profile["called"]["en"]


def match_profile(pages: list[Page]) -> dict:
    """The first profile whose detect phrases the document holds (detect_min of them), else generic."""
    flat = squash("\n".join(p.text for p in pages))
    for profile in report_profiles():
        hits = sum(squash(phrase) in flat for phrase in profile["detect"])
        if profile["detect"] and hits >= profile["detect_min"]:
            return profile
    return report_profiles()[-1]


def read_profile(doc: str, pages: list[Page], sections: list[Section],
                 tables: list[TableRow] = ()) -> DocProfile:
    """What this document calls its items, which years it covers and who wrote it."""
    profile = match_profile(pages)
    report_year = _report_year(pages, profile)
    org = _organisation(pages, profile)
    return DocProfile(
        doc=doc, kind=profile["name"], items=_items(sections, profile),
        years=_covered_years(tables, report_year), report_year=report_year, org=org,
        frame_terms=tuple(dict.fromkeys([*profile["frame_terms"], *_frame_words(org)])),
    )


def _items(sections: list[Section], profile: dict) -> tuple[Item, ...]:
    """Each item once, in order, titled by its first heading."""
    seen: dict[str, Item] = {}
    for section in sections:
        if not section.item or section.item in seen:
            continue
        head = normalize(section.path[0]) if section.path else ""
        title = _ITEM_HEAD.sub("", head).strip() if section.item != OVERVIEW else OVERVIEW_LABEL
        topics = tuple(t for rule in profile["item_topics"] if squash(rule["title"]) in squash(title)
                       for t in rule["topics"])
        seen[section.item] = Item(section.item, item_label(section.item), title.rstrip("…"), topics)
    return tuple(seen.values())


def _after_label(pages: list[Page], labels: list[str]) -> str:
    """The text after the first of `labels` on a front page, to the line end."""
    for page in pages[:FRONT_PAGES]:
        for line in normalize(page.text).split("\n"):
            for label in labels:
                at = line.find(label)
                if at >= 0:
                    return line[at + len(label) : at + len(label) + LABEL_REACH].strip()
    return ""


def _report_year(pages: list[Page], profile: dict) -> int | None:
    """The profile's label (評価対象事業年度 …), else the fiscal year the front pages name most."""
    if (value := _after_label(pages, profile["report_year_labels"])) and (m := YEAR.search(value)):
        return western_year(m.group(0))
    front = normalize("\n".join(p.text for p in pages[:FRONT_PAGES]))
    counts = Counter(western_year(m.group(0)) for m in YEAR.finditer(front) if "年度" in m.group(0))
    counts.pop(None, None)
    if not counts:
        return None
    year, n = counts.most_common(1)[0]
    return year if n >= MIN_YEAR_SHARE * sum(counts.values()) and n >= 2 else None


def _covered_years(tables: list[TableRow], report_year: int | None) -> tuple[int, ...]:
    """From the first year of the document's year-column tables up to the year under review."""
    if report_year is None:
        return ()
    first = min((y for row in tables for head in row.headers if head and (y := western_year(head))
                 and YEAR.search(head) and y <= report_year), default=report_year)
    return tuple(range(first, report_year + 1))


def _organisation(pages: list[Page], profile: dict) -> tuple[str, ...]:
    """Full name, name without its legal form, its suffix word (機構), and abbreviations."""
    name = _named(_after_label(pages, profile["org_labels"])) if profile["org_labels"] else ""
    if not name:
        front = normalize("\n".join(p.text for p in pages[:FRONT_PAGES]))
        m = _ORG_NAME.search(front)
        name = m.group(0).replace(" ", "") if m else ""
    names = [name] if name else []
    if name and (short := _LEGAL_FORM.sub("", name)) != name:
        names.append(short)
    if name and (m := _ORG_SUFFIX.search(name)):
        names.append(m.group(1))
    return tuple(dict.fromkeys([*names, *_abbreviations(pages, name)]))


def _named(value: str) -> str:
    """The organisation's name at the start of a label's value: up to its suffix word (機構 …), as
    page lines often run on into the next label."""
    first = value.split(" ")[0]
    m = re.match(rf"\S*{_ORG_SUFFIX.pattern.rstrip('$')}", first)
    return m.group(0) if m else first


def _abbreviations(pages: list[Page], name: str) -> list[str]:
    """Acronyms defined for the name (名称（ABC）) or used as the organisation's self (ABC 内, ABC 自身)."""
    text = normalize("\n".join(p.text for p in pages))
    found = []
    if name:
        found += re.findall(re.escape(name) + rf"\s*[（(]\s*(?:以下\s*[「『]?)?({_ACRONYM})", text)
        counts = Counter(_SELF_REFERENCE.findall(text))  # only for a document that names its org
        found += [a for a, n in counts.most_common(1) if n >= MIN_SELF_REFERENCES]
    return list(dict.fromkeys(found))


def _frame_words(org: tuple[str, ...]) -> list[str]:
    """The organisation's names, lowercased as the lexical tokens compare them."""
    return [o.lower() for o in org]
