"""English -> Japanese words (qa.lexicon): the builder on a tiny JMdict-shaped SQLite, the lookup kept
to the documents' own words, and English questions getting those words for lexical matching."""

import gzip
import sqlite3

import pytest

from qa import lexicon
from qa.lexicon import build
from qa.query import Vocabulary, analyse, english_terms

SCHEMA = """
CREATE TABLE Sense (ID INTEGER PRIMARY KEY, idseq INTEGER);
CREATE TABLE SenseGloss (sid INTEGER, lang TEXT, gend TEXT, text TEXT);
CREATE TABLE pos (sid INTEGER, text TEXT);
CREATE TABLE Kanji (ID INTEGER PRIMARY KEY, idseq INTEGER, text TEXT);
CREATE TABLE Kana (ID INTEGER PRIMARY KEY, idseq INTEGER, text TEXT, nokanji BOOLEAN);
CREATE TABLE KJP (kid INTEGER, text TEXT);
CREATE TABLE KNP (kid INTEGER, text TEXT);
"""
# (entry, forms, common, senses: [(pos, glosses)])
ENTRIES = [
    (1, ["会場", "かいじょう"], True, [("noun (common) (futsuumeishi)", ["venue", "meeting place"])]),
    (2, ["証券"], True, [("noun (common) (futsuumeishi)", ["bond"]),
                         ("noun (common) (futsuumeishi)", ["bill"]),
                         ("noun (common) (futsuumeishi)", ["security"])]),  # third sense: dropped
    (3, ["受け取る"], True, [("transitive verb", ["to receive"])]),  # a verb: dropped
    (4, ["フォロワー"], False, [("noun (common) (futsuumeishi)", ["follower"])]),
    (5, ["安全"], True, [("noun (common) (futsuumeishi)", ["security", "safety"])]),
]


@pytest.fixture
def jmdict(tmp_path):
    db = tmp_path / "jmdict.db"
    con = sqlite3.connect(db)
    con.executescript(SCHEMA)
    sid = kid = 0
    for entry, forms, common, senses in ENTRIES:
        for form in forms:
            kid += 1
            con.execute("INSERT INTO Kanji VALUES (?, ?, ?)", (kid, entry, form))
            if common:
                con.execute("INSERT INTO KJP VALUES (?, 'news1')", (kid,))
        for pos, glosses in senses:
            sid += 1
            con.execute("INSERT INTO Sense VALUES (?, ?)", (sid, entry))
            con.execute("INSERT INTO pos VALUES (?, ?)", (sid, pos))
            con.executemany("INSERT INTO SenseGloss VALUES (?, 'eng', NULL, ?)", [(sid, g) for g in glosses])
    con.commit()
    con.close()
    return db


def test_build_keeps_first_noun_senses_and_ranks_common_words_first(jmdict, tmp_path):
    table = build.read_table(jmdict)
    assert table["venue"] == {"会場": 0}  # the all-hiragana reading is left out
    assert table["meeting place"] == {"会場": 0}
    assert table["security"] == {"安全": 0}  # 証券 only as its third sense
    assert table["bill"] == {"証券": 2}  # second sense of a common word
    assert table["follower"] == {"フォロワー": 1}  # not a common word
    assert "receive" not in table  # verbs say how a question is put
    out = tmp_path / "en-ja.tsv.gz"
    build.write_table(table, out)
    lines = gzip.decompress(out.read_bytes()).decode().splitlines()
    assert lines[0].startswith("# English -> Japanese") and "venue\t会場:0" in lines
    build.write_table(table, tmp_path / "again.gz")
    assert (tmp_path / "again.gz").read_bytes() == out.read_bytes()  # reproducible


def test_translate_keeps_the_documents_words_best_ranked_first(monkeypatch):
    monkeypatch.setattr(lexicon, "table", lambda: {"security": "安全:0 保安:0 証券:2 セキュリティ:1",
                                                   "venue": "会場:0", "white paper": "白書:0"})
    known = {"セキュリティ": 40, "安全": 3, "会場": 5, "白書": 2}
    assert lexicon.translate("How many venues had security staff?", known) == ["会場", "安全", "セキュリティ"]
    assert lexicon.translate("the white papers", known) == ["白書"]  # a two-word gloss
    assert lexicon.translate("How many venues?", {}) == []  # no documents, no guesses


def test_shipped_table_translates_common_report_words():
    known = {"会場": 1, "フォロワー": 1, "受講者": 1}
    found = lexicon.translate("How many venues, followers and trainees?", known)
    assert set(found) == {"会場", "フォロワー", "受講者"}


def test_english_question_gets_the_documents_japanese_words():
    words = {"会場": 3, "シンポジウム": 2}
    query = analyse("How many venues were used for the symposium?", Vocabulary(words=words))
    assert query.lang == "en" and "会場" in query.terms.split() and "シンポジウム" in query.terms.split()
    assert "会場" not in analyse("How many venues were used?").terms  # without the documents' words
    # The glossary's phrase wins over its words: "internal control" is 内部統制, not 内部 + 制御.
    terms = english_terms("What did internal control miss?", {"内部": 9, "制御": 9, "内部統制": 1}).split()
    assert "内部統制" in terms and "制御" not in terms
    # What reports say was done, in the sense they say it: took part is 参加, not 役割 (a part).
    terms = english_terms("How many firms took part?", {"参加": 5, "役割": 5}).split()
    assert "参加" in terms and "役割" not in terms
    terms = english_terms("How many people joined the seminar?", {"参加": 5, "接続": 5}).split()
    assert "参加" in terms and "接続" not in terms  # joined a seminar, not joined two pipes
    # Reports' words for what was done: a system is replaced (リプレース), a contract signed (締結), not a sign.
    terms = english_terms("When was the replacement finished and the contract signed?",
                          {"リプレース": 2, "完了": 4, "締結": 1, "目標": 9}).split()
    assert {"リプレース", "完了", "締結"} <= set(terms) and "目標" not in terms


def test_quoted_words_are_names_whatever_their_case():
    from qa.query import english_names

    question = "In a YAML file, what does 'fastmode' mean, as against “safemode”? (IPA's view)"
    assert english_names(question) == ["YAML", "IPA", "fastmode", "safemode"]


def test_a_misspelt_word_is_looked_up_by_its_spelling():
    known = {"会場": 3, "卒業生": 2}
    assert lexicon.ranks("venue") and lexicon.spelling("venue") == ""  # a known word is not respelt
    assert lexicon.spelling("graduats") == "graduates"  # a dropped letter
    assert lexicon.spelling("vneues") == "venues"  # two letters swapped
    assert lexicon.translate("How many graduats and vneues?", known) == ["卒業生", "会場"]
    assert lexicon.spelling("qzxjvk") == ""  # nothing one edit away
    assert lexicon.spelling("venu") == ""  # too short to guess
    # Capitalised words are names: looked up as spelt, never respelt into a dictionary word.
    assert lexicon.translate("What is Graduats?", known) == []


def test_unknown_words_are_names_and_jargon_not_english_or_japanese():
    found = lexicon.unknown_words(
        "Can I run Grafana, Terraform or KeePassXC on riscv64 with a keymanager and logfiles? The Hanko "
        "modernisation projects had an adress in every langauge.")
    # English words in any inflection, slips of them, run-together English words and romanised
    # Japanese (printed in Japanese by a Japanese document) are not names.
    assert found == ["Grafana", "Terraform", "KeePassXC", "riscv64"]


def test_the_shipped_word_list_holds_ordinary_english():
    words = lexicon.english_words()
    assert len(words) > 40_000
    assert {"compare", "responsible", "automatically", "written"} <= words
    assert not {"grafana", "terraform"} & words


def test_without_the_word_list_no_word_is_taken_for_a_name(monkeypatch):
    monkeypatch.setattr(lexicon, "english_words", lambda: frozenset())
    assert lexicon.unknown_words("Can I run Grafana with a keymanager?") == []


def test_lowercase_jargon_the_documents_print_is_kept_for_search():
    words = {"fontspec": 5, "frobnicate": 2, "mkconfig": 3, "font": 40, "toolkit": 1}
    terms = english_terms("Which option of \\mkconfig does the frob-fontspec toolkit read?", words).split()
    assert "mkconfig" in terms and "fontspec" in terms  # commands and package names, as printed
    assert "frob" not in terms  # not in the documents
    assert "toolkit" not in terms and "option" not in terms  # English words go through the dictionary
    # Every part of an identifier, English or not, as search splits it.
    terms = english_terms("What does frob.font_size set?", {"frob": 1, "font": 40, "size": 9}).split()
    assert {"frob", "font", "size"} <= set(terms)
    # A name already taken as spelt is not counted twice.
    assert english_terms("What does 'fontspec' load?", words).split().count("fontspec") == 1


def test_romanised_japanese_finds_the_documents_own_word():
    from qa.lexicon import romaji

    # Long vowels and ん before b/p are loose: users type Tokyo for toukyou, Shimbun for shinbun.
    assert romaji.spelling_key("Toukyou") == romaji.spelling_key("Tōkyō") == "tokyo"
    assert romaji.spelling_key("shimbun") == "shinbun"
    words = {"人材": 12, "育成": 8, "割引": 2, "研修": 3}
    assert romaji.japanese_of("Jinzai", words) == "人材"
    assert romaji.japanese_of("ikusei", words) == "育成"
    assert romaji.japanese_of("kenshuu", words) == romaji.japanese_of("kenshu", words) == "研修"
    assert romaji.japanese_of("warichu", words) == ""  # 割注 is not among the documents' words
    # A run of words is not read into it (runs of short words spell almost anything) ...
    assert romaji.japanese_of("warihiki", {"割": 3, "引き": 2}) == ""
    assert romaji.japanese_of("kai", {"会": 4}) == ""  # ... and short romaji spells too many words
    # Only words that are no English word are taken for romaji: "same" and "take" are English, and
    # Tokyo is in the dictionary (東京).
    assert romaji.romanised("Did the Jinzai same-day training take place in Tokyo?") == ["Jinzai"]
    terms = english_terms("How many took the Jinzai kenshu?", words).split()
    assert "人材" in terms and "研修" in terms
