"""Lists: a sentence that announces a list (「重点的に取り組む4つの分野は次のとおり」, 「以下の団体」,
a colon) is quoted with the bullet lines that follow it, up to the number asked or announced; a
bullet line chosen on its own is quoted with its sibling bullets. A sentence that ends by pointing
at what follows (「代わりに次の命令を使用する．」, a colon) is quoted with the line it points at."""

from __future__ import annotations

import re

from ingest.records import Page
from ingest.text import ends_sentence, normalize, squash
from qa.reader.types import LIST_COUNTERS, number_word

LIST_MAX = 8  # items quoted when neither the question nor the text says how many
ITEM_MAX_CHARS = 120  # a longer "item" is a paragraph: the list has ended
_ANNOUNCED = re.compile(r"([0-9]+|[一二三四五六七八九十])\s*"
                        rf"(?:{LIST_COUNTERS}|テーマ|プロジェクト|PJ|サービス|か国|カ国)")
_SAYS_LIST = re.compile(r"次の|以下の|下記の|次のとおり|以下のとおり|(?:次|以下|下記)に(?:記す|示す|挙げる)"
                        r"|(?:次|以下|下記)を|[:：]\s*$")
_INTRO = re.compile(f"{_ANNOUNCED.pattern}|{_SAYS_LIST.pattern}")
# A sentence whose last words point at what follows: 「次の命令を使用する．」「以下のとおり。」, a colon.
_LEADS_ON = re.compile(r"(?:次|以下|下記)の?[^。．、，]{0,16}[。．:：]\s*$|[:：]\s*$")
# Bullet markers; items of one list share their marker's class.
_MARKERS = (("-", "‐", "－", "—", "–"), ("・", "･"), ("●", "○", "◯"), ("■", "□"), ("◆", "◇"), ("▼", "▶", "※"),
            ("•", "∙", "◦", "▪", "►", "*", "＊", "∗"), tuple("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"))
# The bullets an outline sets under its numbered items (①…, and 1） (1) 1.: marker() gives those
# len(_MARKERS)).
_SUB_BULLETS = tuple(i for i, group in enumerate(_MARKERS) if group[0] in "-・•")
_NUMBERED_CLASSES = (len(_MARKERS) - 1, len(_MARKERS))
_NUMBERED = re.compile(r"^\s*(?:[（(][0-9０-９]{1,2}[）)]|[0-9０-９]{1,2}[.．)）])")


def announces(sentence: str, explicit: bool = False) -> bool:
    """Whether a sentence announces a list; `explicit`: in words (次の, 以下の, a colon), not only by
    a count (「412 社に送付」 counts companies, it lists none)."""
    return bool((_SAYS_LIST if explicit else _INTRO).search(sentence))


def announced_count(sentence: str) -> int:
    m = _ANNOUNCED.search(normalize(sentence))
    return number_word(m.group(1)) if m else 0


def marker(line: str) -> int | None:
    """Which bullet class a line starts with, or None for a line that is no list item."""
    text = line.lstrip()
    if _NUMBERED.match(text):
        return len(_MARKERS)
    return next((i for i, group in enumerate(_MARKERS) if text[:1] in group), None)


def items_after(sentence: str, page: Page, wanted: int = 0) -> list[str]:
    """The bullet lines right after `sentence` on its page (same marker as the first), up to `wanted`
    (or the count the sentence announces, or LIST_MAX)."""
    lines = _lines(page)
    row = _line_of(sentence, lines)
    if row is None:
        return []
    limit = wanted or announced_count(sentence) or LIST_MAX
    return _run(lines[row + 1 :], limit)


ENUMERATED_CHARS = 30  # longest piece of an inline enumeration (「\\kuten, \\jis, \\euc」)
_ENUM_SEP = re.compile(r"\s*[,，、]\s*")


def enumeration_after(sentence: str, page: Page) -> list[str]:
    """The line after a sentence's paragraph when it enumerates, on one line, what the sentence
    announces (「以下の命令は…実装されている．…」「\\kuten, \\jis, \\euc, \\sjis」): two or more short
    pieces between commas, and no sentence. [] otherwise."""
    lines = _lines(page)
    row = _line_of(sentence, lines)
    if row is None or row + 1 >= len(lines):
        return []
    line = lines[row + 1]
    pieces = _ENUM_SEP.split(line)
    if len(pieces) < 2 or len(line) > ITEM_MAX_CHARS or ends_sentence(line) or \
            any(not p or len(p) > ENUMERATED_CHARS for p in pieces):
        return []
    return [line]


COMMAND_LINES = 3  # command lines quoted after the sentence that announces them
_PROMPT = re.compile(r"^\s*[$#%]\s+\S")  # a shell prompt: the line is a command to type


def commands_after(sentence: str, page: Page) -> list[str]:
    """The command lines ($ …, # …) right after a sentence that announces them (「次のコマンドを実行
    します:」, 「次を代わりに実行して下さい。」): in a manual, they are the answer."""
    lines = _lines(page)
    row = _line_of(sentence, lines)
    out: list[str] = []
    for line in lines[row + 1 :] if row is not None else []:
        if not _PROMPT.match(line) or len(out) >= COMMAND_LINES:
            break
        out.append(line)
    return out


def line_after(sentence: str, page: Page, next_page: Page | None = None) -> tuple[str, Page] | None:
    """The line a sentence points at when it ends by pointing at what follows and no bullet or command
    follows it (a definition 「\\ltjgetwd⟨num⟩」, a setting, a figure after 「満足度平均：」), with its
    page: the next page's first line when the sentence ends its page. None when it points at nothing
    or the line is a paragraph (longer than ITEM_MAX_CHARS)."""
    if not _LEADS_ON.search(sentence.strip()):
        return None
    lines = _lines(page)
    row = _line_of(sentence, lines)
    if row is None or not squash(lines[row]).endswith(squash(sentence)[-TAIL_KEY:]):
        return None  # the sentence does not end its line: what follows it is the same paragraph
    if row + 1 < len(lines):
        line, where = lines[row + 1], page
    elif next_page is not None and (following := _lines(next_page)):
        line, where = following[0], next_page
    else:
        return None
    return (line, where) if len(line) <= ITEM_MAX_CHARS else None


def siblings(line: str, page: Page, wanted: int = 0) -> list[str]:
    """The bullet block a bullet line belongs to: the items before and after it with its marker."""
    lines = _lines(page)
    row = _line_of(line, lines)
    if row is None or marker(lines[row]) is None:
        return []
    start = row
    while start > 0 and marker(lines[start - 1]) == marker(lines[row]):
        start -= 1
    return _run(lines[start:], wanted or LIST_MAX)


def _lines(page: Page) -> list[str]:
    """The page's non-empty lines, stripped."""
    return [line.strip() for line in page.text.split("\n") if line.strip()]


TAIL_KEY = 20  # a sentence run over several lines is found by the line that ends it


def _line_of(text: str, lines: list[str]) -> int | None:
    key = squash(text)
    found = next((i for i, line in enumerate(lines) if key and key in squash(line)), None)
    if found is None and len(key) > TAIL_KEY:
        ends = [i for i, line in enumerate(lines) if squash(line).endswith(key[-TAIL_KEY:])]
        # Of lines that end alike (「…のシャットダウンがコマンドラインから出来ます。」 twice), the one
        # that shares the most of the sentence.
        found = max(ends, key=lambda i: _shared_tail(squash(lines[i]), key), default=None)
    if found is None and len(key) > TAIL_KEY:  # a sentence begun on a line above, going on after
        found = next((i for i, line in enumerate(lines) if key[-TAIL_KEY:] in squash(line)), None)
    return found


def _shared_tail(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _run(lines: list[str], limit: int) -> list[str]:
    """The items with the first line's marker, up to `limit`; a line without a marker between two
    items is the first one's wrapped end (「- …コンテンツ整備」「（コンテンツ充実）」「- …」). Numbered
    items keep the bullets under them (「1）…分野」「・ドローン PJ」「2）…」): the outline is the list."""
    out: list[str] = []
    first = marker(lines[0]) if lines else None
    top = 0  # items with the first marker
    for i, line in enumerate(lines):
        if out and marker(line) is None and i + 1 < len(lines) and marker(lines[i + 1]) == first \
                and len(out[-1]) + len(line) <= ITEM_MAX_CHARS:
            out[-1] = f"{out[-1]}\n{line}"
            continue
        if first is None or len(line) > ITEM_MAX_CHARS:
            break
        if marker(line) == first:
            if top >= limit:
                break
            top += 1
        elif not (first in _NUMBERED_CLASSES and marker(line) in _SUB_BULLETS):
            break
        out.append(line)
    return out
