"""Regenerate tests/data/tiny.pdf and its expected output (run by hand, then review the diff)."""

import json
from pathlib import Path

from fpdf import FPDF

from ingest import chunk_sections, split_sections
from ingest.pdf import load_pdf
from ingest.sample import FIXED_DATE, font_path

HERE = Path(__file__).parent / "data"
PAGES = [
    ["Ⅰ－１ 情報セキュリティ対策の強化", "１．基本情報", "【基幹目標】",
     "重要インフラ関連の企業数は令和２年度に 273 社となり、計画値を",
     "大きく上回った。", "２．主要な経年データ", "予算額（千円） 8,043,390 7,498,156 15,963,788"],
    ["＜評定と根拠＞", "評定：A", "根拠：以下のとおり、年度計画における評価指標において",
     "計画を達成した。", "- SECURITY ACTION の自己宣言者は累計で 20 万件を超えた。"],
    ["Ⅱ 業務運営の効率化に関する事項", "一般管理費は前年度比 3.0% 減少した。"],
]


def main() -> None:
    pdf = FPDF(unit="pt", format=(595, 420))
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_font("ipaexg", fname=str(font_path()))
    pdf.set_font("ipaexg", size=10)
    for number, lines in enumerate(PAGES, start=1):
        pdf.add_page()
        for row, text in enumerate(lines):
            pdf.text(40, 50 + row * 16, text)
        pdf.text(280, 400, f"- {number} -")
    pdf.output(str(HERE / "tiny.pdf"))
    pages = load_pdf(HERE / "tiny.pdf")
    sections = split_sections(pages)
    chunks = chunk_sections(sections, "tiny.pdf", max_chars=80)
    expected = {
        "pages": [{"number": p.number, "label": p.label, "text": p.text} for p in pages],
        "sections": [{"item": s.item, "path": list(s.path), "page_start": s.page_start,
                      "page_end": s.page_end, "text": s.text} for s in sections],
        "chunks": [{"id": c.id, "item": c.item, "section": c.section, "page_start": c.page_start,
                    "page_end": c.page_end, "text": c.text} for c in chunks],
    }
    (HERE / "tiny.expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
