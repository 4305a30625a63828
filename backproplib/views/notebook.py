"""Small helpers for the chapter notebooks that must also work outside the book build."""
from __future__ import annotations

import base64
import html
import io
import math
from typing import Any

from .figure import make_legible
from .png import page_png

__all__ = ["glue", "glue_number", "glue_setting", "glue_math", "number", "significant", "FigureImage"]

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def number(value: float, digits: int = 4) -> str:
    """Format a computed number for prose: ``digits`` decimals, no negative zero.

    >>> number(0.08216704), number(-0.0000001, 3), number(3.0, 2)
    ('0.0822', '0.000', '3.00')
    """
    text = f"{float(value):.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def significant(value: float, figures: int = 3) -> str:
    """A measured number for a reader: ``figures`` significant figures in plain decimals, thousands
    separated; below 0.0001 a power of ten written out, since a run of zeros is unreadable and
    ``1.7e+04`` is notation readers of prose do not share.

    >>> significant(17412.3), significant(928.04), significant(0.0253149), significant(0.14, 2)
    ('17,400', '928', '0.0253', '0.14')
    >>> significant(1.1102e-16, 2), significant(-2.4e-05, 2), significant(0.0)
    ('1.1 × 10⁻¹⁶', '−2.4 × 10⁻⁵', '0')
    """
    value = float(value)
    if not math.isfinite(value) or isinstance(figures, bool) or not isinstance(figures, int) or figures < 1:
        raise ValueError(f"significant needs a finite value and figures >= 1; got {value!r}, {figures!r}")
    if value == 0:
        return "0"
    sign = "−" if value < 0 else ""
    exponent = math.floor(math.log10(abs(round(abs(value), figures - 1 - math.floor(math.log10(abs(value)))))))
    if exponent < -4:
        mantissa = f"{abs(value) / 10.0 ** exponent:.{figures - 1}f}"
        return f"{sign}{mantissa} × 10{str(exponent).translate(_SUPERSCRIPT)}"
    decimals = max(0, figures - 1 - exponent)
    return f"{sign}{round(abs(value), figures - 1 - exponent):,.{decimals}f}"


def glue(name: str, value: Any, display: bool = False) -> None:
    """Record ``value`` under ``name`` for the book's ``{glue}`` roles.

    In the book build this is myst-nb's ``glue``; in a plain notebook (Colab, a laptop without
    myst-nb) the value is simply not recorded, so chapters run anywhere.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # pragma: no cover - depends on what the reader installed
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)


def glue_number(name: str, value: float, digits: int = 4) -> None:
    """Glue a computed number for the prose, rounded to ``digits`` decimals (see :func:`number`).

    >>> glue_number("loss", 0.825939, 3)  # recorded for {glue:text}`loss` as '0.826'
    """
    glue(name, number(value, digits))


def glue_setting(name: str, value: float) -> None:
    """Glue a setting exactly as it was given: ``0.1`` stays ``0.1``, ``3.0`` becomes ``3``.

    >>> glue_setting("eta", 0.1)
    """
    glue(name, f"{float(value):g}")


def glue_math(name: str, latex: str) -> None:
    r"""Glue inline maths (``$latex$``) as Markdown, for the role ``{glue:md}`name:myst```.

    Names a chapter computes (the weight it follows, a neuron) then read as maths in the prose,
    like the symbols typed beside them.

    >>> glue_math("W_o", r"w_{o h_1}")  # shown as $w_{o h_1}$ by {glue:md}`W_o:myst`
    """
    from IPython.display import Markdown

    glue(name, Markdown(f"${latex}$"))


class FigureImage:
    """A rendered figure with alt text, shown as an image by Jupyter and by the built book.

    A bare matplotlib ``Figure`` made without pyplot has no image form outside pyplot's inline
    backend, and a plain ``image/png`` output carries no alt text. This wraps the PNG bytes and
    the description together: notebooks show the PNG, the HTML book an ``<img>`` with ``alt``.

    Parameters
    ----------
    figure : matplotlib.figure.Figure or bytes
        The figure to render (at ``dpi``), or PNG bytes already rendered.
    alt : str
        What the figure shows, for readers who cannot see it; must not be empty.

    >>> from matplotlib.figure import Figure
    >>> image = FigureImage(Figure(figsize=(1, 1)), alt="An empty square")
    >>> image.png[:4] == b"\\x89PNG"
    True
    >>> image._repr_html_()[:60]
    '<img alt="An empty square" src="data:image/png;base64,iVBORw'
    >>> FigureImage(b"", alt=" ")
    Traceback (most recent call last):
    ...
    ValueError: alt must describe the figure in words; got ' '
    """

    def __init__(self, figure: Any, alt: str, dpi: int = 100) -> None:
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError(f"alt must describe the figure in words; got {alt!r}")
        if isinstance(figure, (bytes, bytearray)):
            self.png = bytes(figure)
        else:
            buffer = io.BytesIO()
            make_legible(figure, dpi)  # the book's one rule: no text under 12 px on the page
            figure.savefig(buffer, format="png", dpi=dpi)
            self.png = buffer.getvalue()
        self.alt = alt

    def _repr_png_(self) -> bytes:
        return self.png

    def _repr_html_(self) -> str:
        data = base64.b64encode(page_png(self.png)).decode("ascii")  # the page stores it: palette PNG
        return f'<img alt="{html.escape(self.alt)}" src="data:image/png;base64,{data}" style="max-width: 100%;"/>'

    def __repr__(self) -> str:
        return f"FigureImage({len(self.png)} bytes, alt={self.alt!r})"
