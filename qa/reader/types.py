"""What kind of answer a question asks for: a count with its unit, money, a percentage, a date, a
name, a person, a place, a list (with the count asked), a reason, a comparison over years, yes/no,
a rating, how-to, or a plain fact. Japanese questions are typed by their question words and
SudachiPy's parts of speech (何 + a counter: 何件, 何か国); English questions map to the same types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import normalize
from qa.reader.morph import tag

KINDS = ("count", "money", "percent", "date", "version", "name", "person", "place", "list", "reason",
         "compare", "yes_no", "rating", "how", "fact")
# Types whose answer is a span the reader can find in a sentence (the rest are whole sentences).
TYPED = frozenset({"count", "money", "percent", "date", "version", "name", "person", "place", "rating"})

_KANJI_NUMBER = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_WORD_NUMBER = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10}
# Counters that read the same: a question's 何人 is answered by 名 in the text.
UNIT_GROUPS = (("人", "名", "者"), ("社", "企業"), ("件",), ("回", "度"), ("団体", "組織", "機関", "法人"),
               ("か国", "カ国", "ヶ国"), ("か所", "カ所", "ヶ所", "箇所"), ("校",), ("点",), ("倍",), ("本",),
               ("時間",), ("日",), ("種類",), ("人月",), ("円", "千円", "百万円", "億円", "万円"))
_EN_UNITS = {
    "people": "人", "persons": "人", "participants": "人", "attendees": "人", "applicants": "人",
    "members": "人", "users": "人", "staff": "人", "employees": "人", "students": "人", "trainees": "人",
    "specialists": "人", "graduates": "人", "examinees": "人", "visitors": "人", "viewers": "人",
    "followers": "人", "registrants": "人", "instructors": "人", "lecturers": "人",
    "companies": "社", "firms": "社", "businesses": "社", "enterprises": "社", "vendors": "社",
    "cases": "件", "reports": "件", "incidents": "件", "consultations": "件", "applications": "件",
    "entries": "点", "works": "点", "items": "件", "downloads": "件", "inquiries": "件", "contracts": "件",
    "times": "回", "sessions": "回", "meetings": "回", "events": "回", "rounds": "回",
    "organizations": "組織", "organisations": "組織", "groups": "団体", "bodies": "団体",
    "institutions": "機関", "countries": "か国", "venues": "か所", "locations": "か所", "sites": "か所",
    "schools": "校", "services": "件", "days": "日", "hours": "時間",
}


@dataclass(frozen=True)
class AnswerType:
    kind: str = "fact"  # one of KINDS
    unit: str = ""  # the counter asked for (件, 人, 社 …), or a money unit (円)
    count: int = 0  # how many items a list question asks for (0: not said)
    wants: str = ""  # "result" (実績) or "plan" (目標, 計画) when the question says which

    @property
    def typed(self) -> bool:
        return self.kind in TYPED

    def units(self) -> tuple[str, ...]:
        """The asked unit and the counters that read the same."""
        if not self.unit:
            return ()
        return next((g for g in UNIT_GROUPS if self.unit in g), (self.unit,))


# Counters that count the items of a list: 「3つの」「5分野は」. A question may also say 個; an answer's
# lead-in (qa.reader.features) also counts テーマ and プロジェクト.
LIST_COUNTERS = "つ|分野|項目|点|件|社|組織|団体|機関|窓口|種類"
_ASKED_COUNTERS = LIST_COUNTERS + "|個"
_JA = [  # (kind, pattern) in priority order, on normalize()d text
    ("rating", re.compile(r"評定|評価は(?:何|どう)|何評価")),
    ("reason", re.compile(r"なぜ|なんで|何で(?![すしあ])|理由|どうして|原因|要因")),
    ("person", re.compile(r"誰|だれ|どなた|氏名|人物")),
    # A manual answers "since when" with a release: いつのバージョンから, どの版で.
    ("version", re.compile(r"(?:どの|何|なん|いつの)\s*(?:バージョン|ばーじょん|版|リリース)|"
                           r"バージョン(?:番号)?(?:は|って|を)\s*(?:何|いくつ|教え|[?？]?\s*$)")),
    ("percent", re.compile(r"何\s*[%％]|何割|何パーセント|割合|比率|[^効]率は|率って|率を|何倍")),
    ("money", re.compile(r"いくら|金額|何円|何千円|何百万円|何億円|予算額?は|決算額?は|"
                         r"費用は|経費は|コストは")),
    # A length of time is counted (何日後, 何時間, 何日かかる); 何日 alone is a date (何月何日).
    ("count", re.compile(r"(?:何|なん)\s*(?:日(?=間|後|前|以内|以上|まで|遅|も|ほど|くらい|ぐらい|かか)"
                         r"|時間|週間|か月|カ月|ヶ月|年間|年後|分間|秒)")),
    ("date", re.compile(r"いつ|何月|何日|何年(?!度)|時期|時点は|開始日|期間は")),
    ("place", re.compile(r"どこで|どこに|どこの(?:国|地域|都市|県)|どの(?:国|地域|都市|都道府県|県)|場所")),
    ("list", re.compile(r"(?:[0-9]+|[一二三四五六七八九十])\s*"
                        rf"(?:{_ASKED_COUNTERS})(?:の|って|は|を|と)|どのような|どんな|どれ(?!くらい|ぐらい|だけ|ほど)|全部|すべて|挙げ|"
                        r"列挙|一覧")),
    ("name", re.compile(r"何という|なんという|名前|名称|何て|なんて|どこ|"
                        r"どの(?:組織|団体|機関|企業|会社|サービス|制度|システム|ガイド|ツール|プログラム|製品|コマンド|パッケージ|オプション|ファイル)|"
                        r"社名|団体名|何の略|略称|どの\S{1,8}?(?:に|を|が|で|の|は|から)")),
    ("compare", re.compile(r"推移|比べ|比較|前年度比|前年比|増え|減っ|増加|減少|変化|経年|並べ")),
    ("count", re.compile(r"(?:何|なん)\s*"
                         r"(?:件|名|人|社|団体|法人|回|組織|か国|カ国|校|か所|機関|本|種類|点|万|千)|"
                         r"いくつ|幾つ|どれくらい|どのくらい|どれだけ|どの程度|数は|数って|数を|人数|件数")),
    ("how", re.compile(r"どうやって|どうすれば|どのように|どうやる|方法|やり方|手順")),
    ("yes_no", re.compile(r"^(?!.*(?:何|なに|なん|いつ|どこ|誰|だれ|どの|どう|どれ|どんな|いくら|いくつ))"
                          r".*(?<!は)(?<!って)(?<!とは)(?:か|の|[?？])\s*[?？]?\s*$")),
]
_EN = [
    ("rating", re.compile(r"\brat(?:ings?|ed)\b|\bgrades?\b")),
    # "because" in a question states a condition ("how many failed because …"): not a why-question.
    ("reason", re.compile(r"\bwhy\b|\breasons?\b|\bwhat caused\b|\bcauses? of\b")),
    ("person", re.compile(r"^(?:\w+ ){0,2}who\b|\bwho (?:is|was|were|are|did|does|received|won|leads?)\b|"
                          r"name of the (?:person|president|chair)")),
    # "How do I change the size ratio?" asks a procedure, whatever it names (a ratio, a budget).
    ("how", re.compile(r"\bhow (?:do|can|should|to)\b|\bhow does\b(?!.*\bcompare)|\bway to\b")),
    ("version", re.compile(r"\b(?:which|what|minimum|required|earliest|latest)(?: [\w.-]+){0,2} versions?\b|"
                           r"\bversion (?:number|of)\b|\bsince (?:version|release)\b")),
    # "when" asks a time before a verb (when did, when was) or at the end (from when til when?); "what
    # happens when you …" states a condition.
    ("date", re.compile(r"\bwhen\b(?=\s+(?:did|does|do|was|were|is|are|will|would|has|have|had|can|could)\b"
                        r"|\s*(?:til|till|until|to|and|\?|$))"
                        r"|what date|which date|what month|which month|what year|since when")),
    ("place", re.compile(r"\bwhere\b|which (?:country|countries|city|cities|region|prefecture)")),
    ("percent", re.compile(r"what (?:percentage|share|proportion|ratio|rate)|\bpercent|what %|"
                           r"how many times (?:more|higher|larger)")),
    ("count", re.compile(r"how many|number of|how often|how long|by how much")),
    ("money", re.compile(r"how much (?:money|did|was|were|is|are)|\bbudget|\bcosts?\b|\bexpenses?\b|"
                         r"\bspend|\byen\b|\brevenue|\bexpenditure|\bamount\b")),
    ("percent", re.compile(r"percentage|\bshare\b|\bratio\b|\brate\b|proportion")),
    ("list", re.compile(r"\bwhich (?:\w+ ){0,3}(?:were|are|did)\b|what (?:kinds?|types?|are the|were the)\b|"
                        r"\blist\b|\bname (?:the|all)\b|"
                        r"\b(?:two|three|four|five|six|seven|eight|nine|ten) \w+")),
    ("name", re.compile(r"what (?:is|was) (?:the )?name|\bcalled\b|\bwhich\b|\bwhat\b (?:tool|system|"
                        r"command|package|option|file|service|program|scheme)")),
    ("compare", re.compile(r"\bcompare|\bchange[ds]?\b|\btrend\b|over the years|from fy\s*\d+ to|"
                           r"year before|previous year|increase|decrease")),
    ("yes_no", re.compile(r"^(?:is|was|were|are|did|does|do|has|have|can|could)\b")),
]
_RESULT = re.compile(r"実績|結果|達成|actual|result|achieved")
_PLAN = re.compile(r"目標|計画|予定|見込|target|plan|goal")
# A terse English question that ends on what it counts: "… - downloads?", "FY2020 applicants?"
_WH = re.compile(r"\b(?:what|which|who|whom|whose|where|when|why|how)\b")
_EN_LEAD = re.compile(r"\s*" + _WH.pattern, re.I)  # a question word first, in any case
_TERSE_COUNT = re.compile(rf"\b({'|'.join(_EN_UNITS)})\s*\??\s*$")
_LIST_COUNT = re.compile(rf"([0-9]+|[一二三四五六七八九十])\s*(?:{_ASKED_COUNTERS})")
_EN_COUNT = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten)\s+[a-z]+")


def answer_type(question: str, lang: str) -> AnswerType:
    """The type of answer `question` asks for (its language decides which patterns read it)."""
    norm = normalize(question)
    if _EN_LEAD.match(norm):  # "How many 受講者 joined …?": asked in English, about Japanese names
        lang = "en"
    text = norm.lower() if lang == "en" else norm
    kind = next((k for k, p in (_EN if lang == "en" else _JA) if p.search(text)), "fact")
    unit = _unit(text, lang) if kind in ("count", "list", "compare", "fact", "yes_no") else ""
    if kind == "money" or (kind == "count" and re.search(r"円|yen", text)):
        kind, unit = "money", "円"
    terse = lang == "en" and not _WH.search(text)  # "ITSS+ revision - downloads?", not "What is … for users?"
    if kind == "fact" and terse and (m := _TERSE_COUNT.search(text)):
        kind, unit = "count", _EN_UNITS[m.group(1)]
    if kind == "count" and not unit and lang == "ja" and (m := _COUNTED.search(text)):  # 合格者数は？
        unit = "人" if m.group(1) in ("者", "人") else m.group(1)
    if kind in ("fact", "yes_no", "compare") and unit:
        kind = "count" if kind == "fact" else kind
    result = bool(_RESULT.search(text))
    wants = "plan" if _PLAN.search(text) and not result else "result" if result else ""
    return AnswerType(kind, unit, _list_count(text, lang) if kind == "list" else 0, wants)


def _unit(text: str, lang: str) -> str:
    """The counter asked for: 何 + a counter noun (Sudachi), or the noun after "how many"."""
    if lang == "en":
        m = re.search(r"(?:how many|number of)\s+(?:\w+\s+){0,2}?(\w+)", text)
        return _EN_UNITS.get(m.group(1), "") if m else ""
    morphemes = tag(text)
    for prev, m in zip(morphemes, morphemes[1:], strict=False):
        if prev.surface == "何" and m.counter:
            return m.surface
    if m := _COUNTER.search(text):
        return m.group(1)
    return ""


_COUNTER = re.compile(r"(?:何|なん)\s*(件|名|人|社|団体|法人|回|組織|か国|カ国|校|か所|機関|本|種類|点"
                      r"|時間|週間|日|か月|カ月|ヶ月)")


# What a 〜数 counts: 応募者数, 相談件数, 参加社数, 開催回数.
_COUNTED = re.compile(r"(者|人|件|社|回|団体|組織|機関|校|か国|カ国)数")


# A count a Japanese question states of what it asks about: 「5つのサービス」「17人」「3地域」.
_STATED_COUNT = re.compile(rf"([0-9]+|[一二三四五六七八九十])\s*(?:{_ASKED_COUNTERS}"
                           r"|人|名|地域|サービス|テーマ|か所|カ所|ヵ所|校|か国|カ国)")


# In English: a number word or a small figure before a noun (「the 5 services」, 「seven companies」);
# four digits are a year, and 16,477 is no 477.
_STATED_COUNT_EN = re.compile(
    r"\b(two|three|four|five|six|seven|eight|nine|ten|(?<![\d,.])\d{1,3})\s+(?=[a-z])", re.I)


def stated_count(norm: str, lang: str = "ja") -> int:
    """The count a (normalised) question states, 0 when none."""
    m = (_STATED_COUNT_EN if lang == "en" else _STATED_COUNT).search(norm)
    return number_word(m.group(1)) if m else 0


def _list_count(text: str, lang: str) -> int:
    m = (_EN_COUNT if lang == "en" else _LIST_COUNT).search(text)
    return number_word(m.group(1)) if m else 0


def number_word(word: str) -> int:
    """A count as written: 5, 五, five (0 for a word that is none)."""
    word = word.lower()
    return int(word) if word.isdigit() else _KANJI_NUMBER.get(word) or _WORD_NUMBER.get(word, 0)
