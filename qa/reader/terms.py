"""The question's terms as the reader weighs them: content terms (what is asked about) apart from
frame terms (the organisation, the fiscal year: they say who and when), and the idf-weighted share
of the content terms a text holds."""

from __future__ import annotations

import functools
import math
import re

from ingest.text import normalize, split_sentences
from ingest.vocabulary import ITEM_REF
from qa.index.tokenize import joined_names, tokenize
from qa.query import Query, Vocabulary

# Question words and light verbs: they say what is asked, not what the answer contains.
QUESTION_WORDS = frozenset({
    "何", "如何", "幾ら", "幾つ", "何時", "何処", "誰", "為る", "有る", "居る", "成る", "ある", "いる",
    "なる", "教える", "どの", "どう", "どれ", "どんな", "どのよう", "です", "ます", "か", "何れ", "ちゃう",
    "くらい", "位", "程", "って", "けど", "聞く", "知る", "いう", "言う", "思う", "的", "等", "こと", "もの",
})
# Words that name the kind of answer asked for, not what it is about: the text rarely repeats them.
TYPE_WORDS = frozenset({
    "名前", "名称", "数", "件数", "人数", "金額", "額", "理由", "割合", "率", "時期", "日付", "全部", "具体",
    "一番", "一体", "全て", "総額", "合計", "number", "name", "amount", "ゃう", "っけ", "だっけ", "かな",
    "社名", "団体名", "氏名", "人名", "組織名", "企業名", "名簿", "内訳", "内分け", "詳細", "概要",
    "マイナス", "プラス", "ゼロ",  # a figure's sign: printed as △121,171 or −, not in words
})
_INTERROGATIVE = re.compile(r"^(?:何|なに|なん|どの|どう|どれ|どこ|どんな|いく|いつ|誰|だれ)")
# "Ⅱ－３（業務運営の改善）", "項目Ⅲ": the item is steered by search, not matched in sentences.
_ITEM_REF = re.compile(ITEM_REF.pattern + r"(?:\s*[（(][^）)]*[）)])?")


class Tokens:
    """Lexical tokens of texts (qa.index.tokenize), kept: the same passages come back for many
    questions. The assistant fills it with every sentence of the index at load."""

    def __init__(self, texts=()) -> None:
        from qa.index.tokenize import tokenize_many

        todo = list(dict.fromkeys(texts))
        self._known = {t: frozenset(toks) for t, toks in zip(todo, tokenize_many(todo), strict=True)}

    def __call__(self, text: str) -> frozenset[str]:
        found = self._known.get(text)
        if found is None:
            found = frozenset(tokenize(text))
            if len(self._known) < MAX_KEPT:  # question-time texts are kept too, up to a bound
                self._known[text] = found
        return found


MAX_KEPT = 1 << 17


def sentence_tokens(text: str, tokens) -> frozenset[str]:
    """The tokens of all of a text's sentences, each tokenized on its own by `tokens` (a Tokens): the
    sentences are what Tokens holds from the index, so a passage costs no new tokenizing."""
    return frozenset().union(*(tokens(s) for s in split_sentences(text)))


@functools.lru_cache(maxsize=1024)
def content_terms(text: str, frame: frozenset[str]) -> tuple[str, ...]:
    """Tokens that say what is asked about: no question words, item numbers, years or frame words."""
    # Cached: each ask of a multi-part question takes the whole question's terms again.
    text = _ITEM_REF.sub(" ", normalize(text))
    out = []
    joined = set(joined_names(text))  # for search: the reader weighs their parts, as a sentence may cut them
    for token in tokenize(text):
        if token in QUESTION_WORDS or token in TYPE_WORDS or token in frame or _INTERROGATIVE.match(token) \
                or (token.isdigit() and len(token) <= 2) or token in joined:
            continue
        out.append(token)
    return tuple(dict.fromkeys(out))


FOCUS_REACH = 2  # content words on each side of a question word that say what is counted or named
_SKIP = ("助詞", "助動詞", "補助記号", "空白", "接尾辞")


def focus_terms(text: str, frame: frozenset[str]) -> dict[str, float]:
    """The words next to the question word: 「応募何人」 counts applicants, 「積立金はいくら」 asks the
    reserve. Japanese only (an English question's word order has no such anchor); {} when none."""
    from qa.reader.morph import tag

    morphemes = [m for m in tag(normalize(text)) if m.pos[0] not in _SKIP]
    near: list[str] = []
    for i, m in enumerate(morphemes):
        if _INTERROGATIVE.match(m.surface) or m.surface in ("幾ら", "幾つ"):
            near += [x.surface for x in morphemes[max(0, i - FOCUS_REACH) : i]]
            near += [x.surface for x in morphemes[i + 1 : i + 1 + FOCUS_REACH]]
    terms = set(content_terms(" ".join(near), frame)) if near else set()
    return dict.fromkeys(sorted(terms), 1.0)


# A clause joined on by けど/が/ので/から that ends in a verb or adjective says what happened to the
# asker (「課長に頼まれたんだけど、」「報告書を書いているんですが、」); one ending in a noun
# (「ISMAP の件なんだけど、」) names the topic. Auxiliaries and the ん/の before the particle are looked
# through.
_JOINS = frozenset({"けど", "けれど", "けれども", "が", "ので", "から"})
_LOOKED_THROUGH = ("助動詞", "補助記号", "空白")


def asked_part(text: str) -> str:
    """The question without a lead-in about the asker's situation: 「課長に頼まれたんだけど、X は何人？」 ->
    「X は何人？」. Such lead-ins carry words (課長, 同僚) no document prints; the text is kept whole when
    there is none, or when the lead-in names the topic."""
    from qa.reader.morph import tag

    morphemes = tag(text)
    cut = 0
    for i, m in enumerate(morphemes):
        if m.pos[:2] != ("助詞", "接続助詞") or m.surface not in _JOINS or i + 1 >= len(morphemes):
            continue
        j = i - 1
        while j >= 0 and (morphemes[j].pos[0] in _LOOKED_THROUGH or morphemes[j].pos[1] == "準体助詞"
                          or morphemes[j].pos[2:3] == ("助動詞語幹",)):
            j -= 1
        if j >= 0 and morphemes[j].pos[0] in ("動詞", "形容詞"):
            cut = morphemes[i + 1].start
    return text[cut:].lstrip("、，, ") if cut else text


def query_terms(query: Query, frame: frozenset[str]) -> dict[str, float]:
    """Content terms of the whole question, weight 1 each."""
    return dict.fromkeys(content_terms(query.lexical, frame), 1.0)


def part_terms(part: str, query: Query, vocabulary: Vocabulary, context: float) -> dict[str, float]:
    """One ask's own terms count fully; the rest of the question gives its topic at `context`."""
    from qa.query import english_terms

    frame = vocabulary.frame
    own = english_terms(part, vocabulary.words) if query.lang == "en" else part
    weights = dict.fromkeys(content_terms(query.lexical, frame), context)
    weights.update(dict.fromkeys(content_terms(own, frame), 1.0))
    return weights


def coverage(tokens: frozenset[str], terms: dict[str, float], idf) -> float:
    """The idf-weighted share of `terms` found in `tokens` (0 when there are no terms)."""
    return Coverage(terms, idf)(tokens)


class Coverage:
    """coverage() against fixed terms, their idf weights taken once: the reader measures every
    candidate against the same terms, several times each."""

    def __init__(self, terms: dict[str, float], idf) -> None:
        self.weighted = [(t, idf(t) * w) for t, w in terms.items()]
        self.total = sum(v for _, v in self.weighted)

    def __call__(self, tokens: frozenset[str]) -> float:
        if not self.total:
            return 0.0
        return sum([v for t, v in self.weighted if t in tokens]) / self.total


def idf_of(df: dict[str, int], n_docs: int, token: str) -> float:
    return math.log(1 + (n_docs - df.get(token, 0) + 0.5) / (df.get(token, 0) + 0.5))
