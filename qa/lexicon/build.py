"""`make lexicon`: rebuild qa/lexicon/en-ja.tsv.gz from JMdict (the jamdict-data wheel's SQLite copy).

    python -m qa.lexicon.build [--db PATH] [--out FILE]

One line per English gloss: `english<TAB>form:rank form:rank …`, forms best first. Only the first two
noun senses of an entry count (later senses are rare uses: "security" as 証券; verbs and adverbs are
how a question is put, not what it asks about), and only forms of two or more characters with a kanji
or katakana and no Latin letters or digits (all-hiragana forms are grammar words or readings, and
Latin names an English question already shares with the text).
rank = 2 × sense position + (1 if the entry carries no JMdict priority tag, i.e. is not a common word).
Dev only: jamdict-data is 300 MB installed, the table it yields is 4 MB.

With --synonyms (SudachiDict's src/main/text/synonyms.txt, Apache-2.0), it writes synonyms.tsv.gz:
one synonym group per line, tab-separated, a word that only others expand to marked "~"; the words
the dictionary never expands are left out.

It also writes en-words.txt.gz: the English words common enough to be ordinary English (wordfreq's
Zipf frequency ≥ MIN_ZIPF), verbs and adverbs included, so a word outside both files is a name or
jargon (Grafana, Terraform, syncthing). wordfreq is 60 MB installed and needed only here.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sqlite3
from collections import defaultdict
from pathlib import Path

from qa.lexicon import LEXICON_FILE, SYNONYMS_FILE, WORDS_FILE

SENSES = 2  # senses of an entry whose glosses are kept
MIN_ZIPF = 2.5  # about once per 300 million words: rarer words are jargon to a Japanese reader
MAX_WORDS = 2  # glosses of more words are definitions, not translations
HEADER = ("# English -> Japanese forms derived from JMdict (EDRDG, https://www.edrdg.org/), "
          "CC BY-SA 4.0; built by qa/lexicon/build.py\n")
_GLOSS = re.compile(r"[a-z][a-z' -]*[a-z]")
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9Ａ-Ｚａ-ｚ０-９]")
_KANJI_OR_KATAKANA = re.compile(r"[\u30a1-\u30ff\u3400-\u9fff]")


def default_db() -> Path:
    import jamdict_data  # dev only: pip install jamdict-data

    return Path(jamdict_data.__file__).with_name("jamdict.db")


def gloss_key(text: str) -> str:
    """"(to) apply (for)" -> "apply": parentheses and a leading article or "to" dropped."""
    text = re.sub(r"\([^)]*\)", "", text.lower()).strip()
    return re.sub(r"^(?:to|a|an|the)\s+", "", text)


def read_table(db: Path) -> dict[str, dict[str, int]]:
    """english -> {form: rank} from a JMdict SQLite file (jamdict's schema)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    position: dict[int, tuple[int, int]] = {}  # sense id -> (entry, position in the entry)
    counts: dict[int, int] = defaultdict(int)
    for sid, entry in con.execute("SELECT ID, idseq FROM Sense ORDER BY ID"):
        position[sid] = (entry, counts[entry])
        counts[entry] += 1
    forms: dict[int, list[str]] = defaultdict(list)
    for entry, text in con.execute("SELECT idseq, text FROM Kanji UNION ALL SELECT idseq, text FROM Kana"):
        if len(text) >= 2 and _KANJI_OR_KATAKANA.search(text) and not _LATIN_OR_DIGIT.search(text):
            forms[entry].append(text)
    nouns = {sid for (sid,) in con.execute("SELECT DISTINCT sid FROM pos WHERE text LIKE 'noun%'")}
    common = {e for (e,) in con.execute(  # entries with a priority tag (news1, ichi1, …) on any form
        "SELECT k.idseq FROM KJP p JOIN Kanji k ON p.kid = k.ID "
        "UNION SELECT k.idseq FROM KNP p JOIN Kana k ON p.kid = k.ID")}
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for text, sid in con.execute("SELECT text, sid FROM SenseGloss WHERE lang = 'eng'"):
        entry, sense = position[sid]
        key = gloss_key(text)
        if sense >= SENSES or sid not in nouns or not _GLOSS.fullmatch(key) or len(key.split()) > MAX_WORDS:
            continue
        rank = 2 * sense + (entry not in common)
        for form in forms.get(entry, ()):
            table[key][form] = min(table[key].get(form, rank), rank)
    con.close()
    return {k: v for k, v in table.items() if v}


def read_words() -> list[str]:
    """Ordinary English words, lowercase, from wordfreq's large English list."""
    from wordfreq import iter_wordlist, zipf_frequency  # dev only: pip install wordfreq

    words = (w for w in iter_wordlist("en", "large") if _GLOSS.fullmatch(w) or len(w) == 1 and w.isalpha())
    return sorted(w for w in words if zipf_frequency(w, "en", "large") >= MIN_ZIPF)


def write_words(words: list[str], out: Path) -> None:
    header = (f"# English words with a wordfreq (CC BY-SA 4.0) Zipf frequency >= {MIN_ZIPF}; "
              "built by qa/lexicon/build.py\n")
    with open(out, "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as f:
        f.write((header + "\n".join(words) + "\n").encode("utf-8"))


def write_table(table: dict[str, dict[str, int]], out: Path) -> None:
    lines = (f"{en}\t{' '.join(f'{f}:{r}' for f, r in sorted(forms.items(), key=lambda x: (x[1], x[0])))}\n"
             for en, forms in sorted(table.items()))
    # No name or time in the header: the same dictionary gives the same bytes, so a rebuild shows no diff.
    with open(out, "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as f:
        f.write((HEADER + "".join(lines)).encode("utf-8"))


def write_synonyms(source: Path, out: Path) -> int:
    """SudachiDict's synonym source -> one group per line; the number of groups written."""
    import csv

    groups: dict[str, list[str]] = {}
    with open(source, encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            if len(row) < 9 or row[2] == "2":  # 2: never used for expansion
                continue
            groups.setdefault(row[0], []).append(("~" if row[2] == "1" else "") + row[8])
    lines = ["\t".join(words) + "\n" for words in groups.values() if len(words) > 1]
    header = ("# synonym groups from SudachiDict (Works Applications), Apache-2.0; "
              "built by qa/lexicon/build.py\n")
    with open(out, "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as f:
        f.write((header + "".join(lines)).encode("utf-8"))
    return len(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="JMdict SQLite (default: the jamdict-data wheel's)")
    parser.add_argument("--out", type=Path, default=LEXICON_FILE)
    parser.add_argument("--words", type=Path, default=WORDS_FILE)
    parser.add_argument("--synonyms", type=Path,
                        help="SudachiDict's src/main/text/synonyms.txt: build only the synonym table")
    args = parser.parse_args(argv)
    if args.synonyms:
        n = write_synonyms(args.synonyms, SYNONYMS_FILE)
        print(f"{n} synonym groups -> {SYNONYMS_FILE} ({SYNONYMS_FILE.stat().st_size // 1024} KB)")
        return 0
    table = read_table(args.db or default_db())
    write_table(table, args.out)
    print(f"{len(table)} English glosses -> {args.out} ({args.out.stat().st_size // 1024} KB)")
    words = read_words()
    write_words(words, args.words)
    print(f"{len(words)} English words -> {args.words} ({args.words.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
