"""BM25 tokens (qa.index.tokenize): SudachiPy mode B, normalised forms, numbers as typed."""

import threading

from qa.index.tokenize import JapaneseTokenizer, info, joined_names, tokenize, tokenize_many


def test_japanese_sentence_drops_particles_and_punctuation():
    assert tokenize("国立研究開発法人の中長期目標を達成した。") == [
        "国立", "研究", "開発", "法人", "中長期", "目標", "達成", "為る",
    ]


def test_numbers_survive_without_thousands_commas():
    tokens = tokenize("売上高は6,449,878千円で、前年比2.2%増加し、273件を採択した。")
    assert "6449878" in tokens
    assert "2.2" in tokens
    assert "273" in tokens
    assert "%" not in tokens and "、" not in tokens


def test_question_and_report_share_number_tokens():
    report = set(tokenize("売上高は６，４４９，８７８千円"))  # full-width digits, as PDFs often have
    assert set(tokenize("6449878")) <= report
    assert set(tokenize("6,449,878千円")) <= report


def test_english_lowercased_and_split():
    assert tokenize("Deep Learning on GPUs") == ["deep", "learning", "on", "gpus"]


def test_spelling_variants_fold_to_one_form():
    assert tokenize("シュミレーション") == tokenize("シミュレーション")


def test_empty_and_symbol_only_texts():
    assert tokenize("") == []
    assert tokenize("。、・（）──") == []


def test_long_text_is_cut_for_sudachi():
    text = "評価を実施した。\n" * 8000  # ~72k chars, past Sudachi's input limit
    assert tokenize(text).count("評価") == 8000


def test_tokenize_many_matches_tokenize():
    texts = ["中長期目標", "Deep learning", ""]
    assert tokenize_many(texts) == [tokenize(t) for t in texts]


def test_threads_share_one_tokenizer():
    tokenizer, results = JapaneseTokenizer(), []
    text = "研究開発の成果を最大化する。" * 50

    def work():
        results.append(tokenizer.tokenize_many([text] * 20))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r == results[0] for r in results)


def test_info_names_mode():
    assert info()["mode"] == "B"


def test_latin_matches_whatever_its_case():
    """Users type "LuaTeX-ja"; the manual prints its logo as "LuaTEX-ja"."""
    assert tokenize("LuaTeX-ja を使う") == tokenize("LuaTEX-ja を使う") == tokenize("luatex-ja を使う")
    assert tokenize("pTeX") == tokenize("PTEX") == ["ptex"]


def test_a_name_joined_by_slashes_dots_or_hyphens_is_one_token_too():
    tokens = tokenize("/dev/full に書き込むと ENOSPC。dpkg-buildpackage と jfm-ujis.lua を使う")
    # Whole, beside its parts: "dev" alone is a common word of a manual.
    assert {"/dev/full", "dpkg-buildpackage", "jfm-ujis.lua"} <= set(tokens)
    assert {"dev", "dpkg", "buildpackage", "jfm", "ujis", "lua"} <= set(tokens)
    # Item numbers, abbreviations, dates, times and figures are not names.
    assert joined_names("e.g. I-1 と A-2") == [] and "i-3" not in tokenize("Ⅰ－３の人員")
    assert tokenize("2023-02-04 11:59:01 に 6,449,878 千円") == tokenize("2023 02 04 11 59 01 に 6449878 千円")
