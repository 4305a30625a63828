"""Figures to PNG bytes, the way a kernel sends them and the precomputed slider frames store them.

Every figure class in the book ends in one of these two functions, so the encoding (and the
64-colour palette that makes precomputed frames a third of the size) is decided in one place.
"""
from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage

__all__ = ["figure_png", "canvas_png", "encode_png", "page_png"]

FRAME_COLOURS = 64  # palette size of small PNGs: no visible banding in line plots
PAGE_COLOURS = 256  # palette of a figure stored in a page: enough for a colour bar's gradient


def encode_png(image: PILImage.Image, small: bool = False) -> bytes:
    """Encode ``image`` as PNG; ``small=True`` quantises to a 64-colour palette first.

    Full-colour PNGs are compressed lightly (they are sent once, speed matters); small ones
    harder (they are stored in the page, bytes matter).

    >>> red = PILImage.new("RGB", (4, 4), "red")
    >>> encode_png(red)[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    >>> PILImage.open(io.BytesIO(encode_png(red, small=True))).mode
    'P'
    """
    if small:
        image = image.quantize(FRAME_COLOURS)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=6 if small else 1)
    return buffer.getvalue()


def page_png(png: bytes) -> bytes:
    """Re-encode a PNG for storing in a web page: a 256-colour palette, compressed hard.

    A static figure is written into the page's HTML, so every reader downloads it on every visit;
    line plots and diagrams use few colours, and the palette makes them about a third of the size.
    Bytes that are not a PNG are returned unchanged.

    >>> red = encode_png(PILImage.new("RGB", (40, 40), "red"))
    >>> PILImage.open(io.BytesIO(page_png(red))).mode, page_png(b"not a png")
    ('P', b'not a png')
    """
    if not png.startswith(b"\x89PNG"):
        return png
    image = PILImage.open(io.BytesIO(png)).convert("RGB").quantize(PAGE_COLOURS)
    buffer = io.BytesIO()
    image.save(buffer, format="png", optimize=True)
    return buffer.getvalue()


def canvas_png(canvas: FigureCanvasAgg, small: bool = False) -> bytes:
    """PNG of what the Agg ``canvas`` holds now, without redrawing (for blitted figures)."""
    image = PILImage.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    return encode_png(image.convert("RGB"), small)


def figure_png(figure: Figure, small: bool = False) -> bytes:
    """Draw ``figure`` on its Agg canvas and return it as PNG bytes.

    >>> fig = Figure(figsize=(2, 1), dpi=50)
    >>> _ = FigureCanvasAgg(fig)
    >>> PILImage.open(io.BytesIO(figure_png(fig))).size
    (100, 50)
    """
    figure.canvas.draw()
    return canvas_png(figure.canvas, small)
