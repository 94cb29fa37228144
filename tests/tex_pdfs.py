"""PDFs set like old TeX output, built at test time: Type1 fonts named CMR10, CMSY10 … with no
ToUnicode map and no Encoding, so pdfminer reads their codes through StandardEncoding (or cannot read
them at all) exactly as it does real dvips/dvipdfm output. No binary fixtures."""

from __future__ import annotations

from pathlib import Path

from tests.hostile_pdfs import raw_pdf

FONTS = {"F1": "CMR10", "F2": "CMSY10", "F3": "XYATIP10", "F4": "CMTT10"}
WIDTH = 500  # every glyph 0.5 em wide: at 10 pt, 5 pt


def _literal(data: bytes) -> bytes:
    out = bytearray(b"(")
    for byte in data:
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif 32 <= byte < 127:
            out.append(byte)
        else:
            out += b"\\%03o" % byte
    return bytes(out + b")")


def _font(name: str, program: int | None) -> bytes:
    """A Type1 font dictionary with its descriptor inline: no Encoding, no ToUnicode; its program,
    when given, is a FontFile3 (CFF, as dvipdfmx embeds Type1 fonts)."""
    widths = b" ".join([b"%d" % WIDTH] * 256)
    embedded = b" /FontFile3 %d 0 R" % program if program else b""
    descriptor = (b"<< /Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [0 -250 1000 750] /ItalicAngle 0"
                  b" /Ascent 750 /Descent -250 /CapHeight 700 /StemV 80%s >>" % (name.encode(), embedded))
    return (b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /FirstChar 0 /LastChar 255 /Widths [%s]"
            b" /FontDescriptor %s >>" % (name.encode(), widths, descriptor))


def tex_pdf(path: Path, pages: list[list[tuple[str, float, float, bytes]]], embedded: bool = False) -> Path:
    """One page per entry: runs of (font key F1-F4, x, y, raw codes) at 10 pt. A run's codes are
    set one after another, each WIDTH wide; several runs on a line make word gaps. `embedded`: the
    fonts carry a (dummy) FontFile3 program, which pdfminer does not read an encoding from."""
    n_fonts = len(FONTS)
    program = 3 + n_fonts  # catalog, pages, fonts, a font program, then a page and its contents per page
    first_page = program + 1
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(len(pages)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages))]
    objects += [_font(name, program if embedded else None) for name in FONTS.values()]
    objects.append(b"<< /Subtype /Type1C /Length 4 >>\nstream\nCFF!\nendstream")
    fonts = b" ".join(b"/%s %d 0 R" % (key.encode(), 3 + i) for i, key in enumerate(FONTS))
    for i, runs in enumerate(pages):
        body = b"".join(b"BT /%s 10 Tf %.2f %.2f Td %s Tj ET\n" % (font.encode(), x, y, _literal(codes))
                        for font, x, y, codes in runs)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << %s >> >>"
                       b" /Contents %d 0 R >>" % (fonts, first_page + 2 * i + 1))
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(body), body))
    path.write_bytes(raw_pdf(objects))
    return path


def words(font: str, x: float, y: float, *texts: bytes, gap: float = 2.5) -> list[tuple[str, float, float, bytes]]:
    """Runs for words set `gap` points apart (TeX's shrunk interword space is about 2.2-3.3 pt)."""
    runs = []
    for text in texts:
        runs.append((font, x, y, text))
        x += len(text) * WIDTH / 100 + gap
    return runs
