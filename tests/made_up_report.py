"""A made-up self-evaluation report of another agency, built at test time (fpdf2, IPAexGothic as the
sample): items Ⅰ－１…Ⅰ－５, Ⅱ and Ⅲ, fiscal years 令和2〜4年度, the organisation 海洋環境研究機構
(MERA). Nothing of the sample report: the per-document vocabulary must come from this file."""

from __future__ import annotations

from pathlib import Path

ORG = "独立行政法人海洋環境研究機構"
RATINGS = {"Ⅰ－１": "B A A", "Ⅰ－２": "A B A", "Ⅰ－３": "A A A", "Ⅰ－４": "S A A", "Ⅰ－５": "B B A"}  # R2 R3 R4
ITEMS = {  # item label -> (title, budget of R2, R3, R4 in thousand yen, staff)
    "Ⅰ－１": ("海洋観測網の整備と運用", (1_100, 1_200, 1_300), (10, 11, 12)),
    "Ⅰ－２": ("海洋データの公開と利活用の促進", (2_100, 2_200, 2_300), (20, 21, 22)),
    "Ⅰ－３": ("沿岸防災に資する研究開発", (3_100, 3_200, 3_300), (30, 31, 32)),
    "Ⅰ－４": ("人材育成と国際協力", (4_100, 4_200, 4_300), (40, 41, 42)),
    "Ⅰ－５": ("研究成果の社会実装", (5_100, 5_200, 5_300), (50, 51, 52)),
}


def _item_page(label: str, title: str, budget, staff) -> list[str]:
    n = "１２３４５".index(label[-1]) + 1
    return [
        "１－１－４－１ 中期目標管理法人 年度評価 項目別評定調書（国民に対して提供するサービスその他業務の質の向上"
        "に関する事項）様式",
        f"{label} {title}",
        "２．主要な経年データ",
        "令和 2 年度 令和 3 年度 令和 4 年度",
        f"予算額（千円） {budget[0]:,} {budget[1]:,} {budget[2]:,}",
        f"従事人員数 {staff[0]} {staff[1]} {staff[2]}",
        "＜評定と根拠＞",
        "評定：A",
        f"MERA 内の体制を強化し、観測ブイ {n}0 基を新たに設置した。",
        f"令和 4 年度は説明会を {n} 回開催し、延べ {n}00 名が参加した。",
    ]


def pages() -> list[list[str]]:
    front = [
        "１－１－１ 中期目標管理法人 年度評価 評価の概要様式",
        "１．評価対象に関する事項",
        f"法人名 {ORG}",
        "評価対象事業年度 年度評価 令和 4 年度（第五期）",
        "中期目標期間 令和 2～令和 6 年度",
        "１－１－３ 中期目標管理法人 年度評価 項目別評定総括表様式",
        "MERA 自身の自己評価として、全ての項目を A 評定とした。",
        "令和 2 年度 令和 3 年度 令和 4 年度",
        # As the sample prints it: each item's title, then its ratings and its number in ASCII.
        *(line for n, (label, ratings) in enumerate(RATINGS.items(), start=1)
          for line in (ITEMS[label][0], f"{ratings} I-{n}")),
    ]
    items = [_item_page(label, *spec) for label, spec in ITEMS.items()]
    efficiency = [
        "１－１－４－２ 中期目標管理法人 年度評価 項目別評定調書（業務運営の効率化に関する事項）様式",
        "Ⅱ 業務運営の効率化に関する事項",
        "一般管理費は前年度比 3.0% の効率化を達成した。",
        "MERA 内の調達手続きを電子化した。",
    ]
    finance = [
        "Ⅲ 財務内容の改善に関する事項",
        "○法人全体 （単位：百万円）",
        "区別 予算 決算",
        "運営費交付金 900 880",
        "自己収入 120 135",
    ]
    return [front, *items, efficiency, finance]


def build(path: Path) -> Path:
    from fpdf import FPDF

    from ingest.sample import font_path

    pdf = FPDF(unit="pt", format=(842, 595))
    pdf.add_font("ipaexg", fname=str(font_path()))
    pdf.set_font("ipaexg", size=9)
    for number, lines in enumerate(pages(), start=1):
        pdf.add_page()
        for row, text in enumerate(lines):
            pdf.text(36, 48 + 14 * row, text)
        pdf.text(410, 570, f"- {number} -")
    pdf.output(str(path))
    return path
