"""PDFs built at test time: text pages (fpdf2), image-only "scanned" pages, encrypted and many-page
files (pypdf), and hostile structures written as raw objects with an xref table. No binary fixtures."""

from __future__ import annotations

import zlib
from pathlib import Path

from fpdf import FPDF
from PIL import Image


def text_pdf(path: Path, pages: list[list[str] | None]) -> Path:
    """One page per entry: lines of text, or None for a page that is only an image (a scan)."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for lines in pages:
        pdf.add_page()
        if lines is None:
            pdf.image(Image.new("RGB", (120, 160), (200, 200, 190)), x=20, y=20, w=160)
            continue
        for row, text in enumerate(lines):
            pdf.text(20, 30 + 10 * row, text)
    pdf.output(str(path))
    return path


def report_pdf(path: Path, name: str, n_pages: int = 2) -> Path:
    """A small English report whose pages all carry text."""
    pages = [[f"{name} annual report, page {n}.", f"The {name} budget grew by {n}.{n} percent this year.",
              f"Staff of {name} numbered {100 + n} people."] for n in range(1, n_pages + 1)]
    return text_pdf(path, pages)


def encrypted_pdf(source: Path, path: Path, password: str) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(password)
    writer.write(path)
    return path


def blank_pages_pdf(path: Path, n_pages: int) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(n_pages):
        writer.add_blank_page(width=595, height=842)
    writer.write(path)
    return path


def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """Objects numbered from 1, a correct xref table and trailer: the parser gets past the framing."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def recursive_pages_pdf(path: Path) -> Path:
    """A page tree whose /Kids point back at themselves."""
    path.write_bytes(raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1 >>",
    ]))
    return path


def flate_bomb_pdf(path: Path, mib: int = 600) -> Path:
    """One page whose content stream inflates to `mib` MiB of zeros (about 600 KB on disk).

    Fed 1 MiB at a time, so building it never holds more than one block in memory."""
    compressor, block = zlib.compressobj(9), bytes(1 << 20)
    data = b"".join(compressor.compress(block) for _ in range(mib)) + compressor.flush()
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    path.write_bytes(raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        stream,
    ]))
    return path
