"""/kodeku's printables: the organizer's QR code with the code under it, and an A4 poster.

Drawn with matplotlib's object API (no pyplot, no global state), so both can run in a worker
thread, and with segno's matrix, so the poster's QR code is vector and stays sharp at any
print size. The words come from the caller (the handler translates them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

import segno

if TYPE_CHECKING:
    from matplotlib.figure import Figure

QR_SCALE = 16  # pixels per module: about 600 px wide, sharp on paper and after compression
QR_BORDER = 4  # the quiet zone scanners need, in modules
PNG_DPI = 64  # a power of two: the PNG's size in pixels divides exactly into inches
CODE_BAND = 7 * QR_SCALE  # pixels under the QR code for the code in the PNG
A4 = (8.27, 11.69)  # inches, portrait (210 x 297 mm)
INK = "#111111"
ACCENT = "#0a6ebd"


@dataclass(frozen=True)
class PosterWords:
    """What the poster says, already translated."""

    title: str  # the union's name
    headline: str
    lines: Sequence[str]  # what the bot does, one short line each (three)
    scan: str  # under the code: scan, or type the code when registering


def qr_matrix(link: str) -> list[list[bool]]:
    """The link's QR code as dark (True) and light modules, without the quiet zone."""
    return [[bool(module) for module in row]
            for row in segno.make(link, error="m", micro=False).matrix]


def qr_png(link: str, code: str) -> bytes:
    """The link as a QR code PNG (QR_SCALE pixels per module, quiet zone included) with the
    code printed under it, so a print-out still shows what to type without a camera."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    modules = np.array(qr_matrix(link), dtype=bool)
    padded = np.pad(modules, QR_BORDER, constant_values=False)
    pixels = np.kron(np.where(padded, 0.0, 1.0), np.ones((QR_SCALE, QR_SCALE)))
    width = pixels.shape[1]
    height = width + CODE_BAND
    figure = Figure(figsize=(width / PNG_DPI, height / PNG_DPI), dpi=PNG_DPI,
                    facecolor="white")
    FigureCanvasAgg(figure)
    figure.figimage(pixels, xo=0, yo=CODE_BAND, cmap="gray", vmin=0, vmax=1, origin="upper")
    # Under the quiet zone, about as tall as four modules.
    figure.text(0.5, (CODE_BAND - QR_SCALE) / 2 / height, code, ha="center", va="center",
                color=INK, fontsize=4 * QR_SCALE * 72 / PNG_DPI, fontweight="bold",
                family="DejaVu Sans Mono")
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=PNG_DPI, facecolor="white")
    return buffer.getvalue()


def poster_pdf(link: str, code: str, words: PosterWords) -> bytes:
    """An A4 portrait PDF: the union's name, a headline, the QR code large (vector), the code
    under it, and the lines on what the bot does."""
    buffer = BytesIO()
    draw_poster(link, code, words).savefig(
        buffer, format="pdf", metadata={"Title": f"{words.title}: {code}", "Creator": "Sinergi"})
    return buffer.getvalue()


def draw_poster(link: str, code: str, words: PosterWords) -> Figure:
    """The poster's figure on a PDF-capable canvas, before it is saved. Positions are in
    figure fractions from the bottom; the QR code's side is 62% of the page's width."""
    from matplotlib.backends.backend_pdf import FigureCanvasPdf
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    figure = Figure(figsize=A4, facecolor="white")
    FigureCanvasPdf(figure)
    width, height = A4
    figure.text(0.5, 0.94, words.title, ha="center", va="center", fontsize=26,
                fontweight="bold", color=ACCENT, wrap=True)
    figure.text(0.5, 0.885, words.headline, ha="center", va="center", fontsize=17,
                color=INK, wrap=True)
    side = 0.62 * width  # inches
    bottom = 0.35 * height
    axes = figure.add_axes((0.5 - side / width / 2, bottom / height, side / width,
                            side / height))
    axes.set_axis_off()
    matrix = qr_matrix(link)
    size = len(matrix)
    # One filled path of the dark runs of each row: no seams between modules, small file.
    vertices: list[tuple[float, float]] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            top = size - y
            vertices += [(start, top), (x, top), (x, top - 1), (start, top - 1), (start, top)]
    rectangle = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]
    path = Path(vertices, rectangle * (len(vertices) // len(rectangle)))
    axes.add_patch(PathPatch(path, facecolor="black", edgecolor="none", antialiased=False))
    axes.set_xlim(-QR_BORDER / 2, size + QR_BORDER / 2)
    axes.set_ylim(-QR_BORDER / 2, size + QR_BORDER / 2)
    axes.set_aspect("equal")
    figure.text(0.5, 0.315, code, ha="center", va="center", fontsize=40, fontweight="bold",
                family="DejaVu Sans Mono", color=INK)
    figure.text(0.5, 0.265, words.scan, ha="center", va="center", fontsize=13, color=INK,
                wrap=True)
    for index, line in enumerate(words.lines):
        figure.text(0.1, 0.195 - index * 0.045, f"✓  {line}", ha="left", va="center",
                    fontsize=15, color=INK, wrap=True)
    return figure
