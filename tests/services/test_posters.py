"""The /kodeku printables: the QR PNG with the code under it, and the A4 poster PDF."""

from __future__ import annotations

import io
import re
import zlib

from PIL import Image

from bot.services.posters import QR_BORDER, QR_SCALE, PosterWords, poster_pdf, qr_matrix, qr_png

LINK, CODE = "https://t.me/SinergiBot?start=SPSI-7K2QX", "SPSI-7K2QX"
WORDS = PosterWords(title="Serikat Pekerja Seluruh Indonesia", headline="Lindungi diri",
                    lines=("Satu", "Dua", "Tiga"), scan="Pindai dengan kamera HP")


def pdf_page_size(pdf: bytes) -> tuple[float, float]:
    """The first page's MediaBox width and height, in points."""
    match = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert match is not None
    return float(match.group(1)), float(match.group(2))


def pdf_text(pdf: bytes) -> str:
    """The text shown by the PDF's content streams (matplotlib's Tj/TJ strings, joined
    across kerning), enough to find a line or a code in it."""
    shown = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            content = stream
        for array in re.findall(rb"\[(.*?)\]\s*TJ|(\(.*?\))\s*Tj", content, re.S):
            parts = re.findall(rb"\(((?:\\.|[^\\)])*)\)", b"".join(array))
            shown.append(b"".join(parts).decode("latin-1"))
    return "\n".join(shown)


def test_the_poster_is_an_a4_pdf_with_the_code_and_the_words() -> None:
    pdf = poster_pdf(LINK, CODE, WORDS)
    assert pdf.startswith(b"%PDF")
    assert pdf_page_size(pdf) == (595.44, 841.68)  # 8.27 x 11.69 inches: A4
    text = pdf_text(pdf)
    for words in (CODE, WORDS.title, WORDS.scan, *WORDS.lines):
        assert words in text


def test_the_qr_png_is_taller_than_the_qr_code_and_keeps_its_modules() -> None:
    image = Image.open(io.BytesIO(qr_png(LINK, CODE))).convert("L")
    modules = qr_matrix(LINK)
    side = (len(modules) + 2 * QR_BORDER) * QR_SCALE
    assert image.width == side and image.height > side
    band = image.crop((0, side, side, image.height))
    assert band.getextrema()[0] < 128  # something dark (the code) is printed under it
    centre = QR_SCALE // 2
    read = [[image.getpixel(((QR_BORDER + x) * QR_SCALE + centre,
                             (QR_BORDER + y) * QR_SCALE + centre)) < 128  # type: ignore[operator]
             for x in range(len(modules))] for y in range(len(modules))]
    assert read == modules
