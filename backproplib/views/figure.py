"""What every figure of the book shares: the canvas, PNG and HTML output, axis limits, sweep checks.

The nine figure classes (the loss explorer, the lessons' figures) each keep only what they draw;
:class:`FigureView` gives them a canvas, PNG bytes through :mod:`backproplib.views.png`, an
``<img>`` with alt text, and axis limits that never collapse to a single value.
The sweep checks live here too, because every figure and the pure function behind it check the
swept values the same way.

The colours, line styles and font sizes are in :mod:`backproplib.views.palette`.
"""
from __future__ import annotations

import base64
import html
from typing import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..engine.training import check_epochs
from .png import figure_png

__all__ = [
    "image_html", "checked_values", "curve_grid", "checked_range", "checked_epochs",
    "symmetric_limit", "FigureView",
]


def image_html(png: bytes, alt: str) -> str:
    """An ``<img>`` element with ``png`` inlined and ``alt`` as its text alternative.

    >>> image_html(b"\\x89PNG", 'Loss "before" & after')
    '<img alt="Loss &quot;before&quot; &amp; after" src="data:image/png;base64,iVBORw==" style="max-width: 100%">'
    >>> image_html(b"", " ")
    Traceback (most recent call last):
    ...
    ValueError: alt must describe the figure in words; got ' '
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must describe the figure in words; got {alt!r}")
    encoded = base64.b64encode(bytes(png)).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}" style="max-width: 100%">'


def checked_values(values: Sequence[float], name: str = "values") -> np.ndarray:
    """``values`` as a float array, refused unless it is a non-empty 1-D sequence of finite numbers.

    >>> checked_values([0, 0.5]).tolist()
    [0.0, 0.5]
    >>> checked_values([[1.0]])
    Traceback (most recent call last):
    ...
    ValueError: values must be a non-empty 1-D sequence of finite numbers; got [[1.0]]
    """
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be a non-empty 1-D sequence of finite numbers; got {values!r}")
    return array


def curve_grid(values: Sequence[float], points: int, name: str = "values") -> np.ndarray:
    """``points`` evenly spaced values spanning ``values``: where a figure samples its curves.

    >>> curve_grid([1.0, -1.0, 0.0], 5).tolist()
    [-1.0, -0.5, 0.0, 0.5, 1.0]
    >>> curve_grid([2.0, 2.0], 5)
    Traceback (most recent call last):
    ...
    ValueError: values must hold at least two distinct finite numbers; got [2.0, 2.0]
    """
    ends = np.asarray(values, dtype=float)
    if ends.ndim != 1 or ends.size < 2 or not np.all(np.isfinite(ends)) or ends.min() >= ends.max():
        shown = ends.tolist() if isinstance(values, np.ndarray) else values
        raise ValueError(f"{name} must hold at least two distinct finite numbers; got {shown!r}")
    return np.linspace(ends.min(), ends.max(), points)


def checked_range(value_range: tuple[float, float], name: str) -> tuple[float, float]:
    """``(low, high)`` as floats, refused unless both are finite and ``low < high``.

    >>> checked_range((-2, 2), "value_range")
    (-2.0, 2.0)
    >>> checked_range((1.0, 1.0), "z_range")
    Traceback (most recent call last):
    ...
    ValueError: z_range must be two finite numbers, low < high; got (1.0, 1.0)
    """
    low, high = value_range
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{name} must be two finite numbers, low < high; got {value_range!r}")
    return float(low), float(high)


def checked_epochs(epochs: int) -> int:
    """``epochs`` for a figure: :func:`backproplib.engine.training.check_epochs` with at least one epoch to draw.

    >>> checked_epochs(3)
    3
    >>> checked_epochs(True)
    Traceback (most recent call last):
    ...
    ValueError: epochs must be a whole number >= 1 (not a bool); got True
    """
    return check_epochs(epochs, minimum=1)


def symmetric_limit(*arrays: np.ndarray) -> float:
    """A little more than the largest absolute value in ``arrays``, or 1 when all are zero.

    Signed quantities (gradients, contributions) are drawn on an axis from ``-limit`` to ``limit``,
    so zero sits in the middle and the sign of every curve reads at a glance.

    >>> symmetric_limit(np.array([-2.0, 1.0])), symmetric_limit(np.zeros(3))
    (2.3, 1.0)
    """
    reach = max(float(np.max(np.abs(a))) for a in arrays)
    return 1.15 * reach if reach > 0 else 1.0


class FigureView:
    """A figure drawn on its own Agg canvas (no pyplot), shown as PNG bytes or as an ``<img>``.

    Subclasses set their size in inches (``SIZE``) and resolution (``DPI``), build their axes and
    artists once in ``__init__`` and move them in ``show``.

    >>> view = FigureView((2.0, 1.0), dpi=50)
    >>> axes = view.figure.subplots()
    >>> view.set_ylim(axes, 0.5, 0.5)  # a flat curve: padded, no matplotlib warning
    >>> [float(v) for v in axes.get_ylim()]
    [0.25, 0.75]
    >>> view.png()[:4], view.html("An empty plot")[:14]
    (b'\\x89PNG', '<img alt="An e')
    """

    SIZE: tuple[float, float] = (7.2, 2.6)
    DPI = 80

    def __init__(self, size: tuple[float, float] | None = None, dpi: int | None = None) -> None:
        self.figure = Figure(figsize=size or self.SIZE, dpi=dpi or self.DPI)
        FigureCanvasAgg(self.figure)

    @staticmethod
    def set_ylim(axes, low: float, high: float) -> None:
        """Set the y range of ``axes``; a zero-height range (a flat curve) is padded to show it centred.

        Matplotlib warns on identical limits; a flat curve is a valid picture, not a warning.
        """
        low, high = float(low), float(high)
        if not high > low:
            pad = 0.5 * max(abs(low), abs(high)) if max(abs(low), abs(high)) > 0 else 0.5
            low, high = min(low, high) - pad, max(low, high) + pad
        axes.set_ylim(low, high)

    def png(self, small: bool = False) -> bytes:
        """The figure as PNG bytes; ``small=True`` quantises to 64 colours for precomputed frames."""
        return figure_png(self.figure, small)

    def html(self, alt: str) -> str:
        """The figure as an ``<img>`` element whose alt text is ``alt``."""
        return image_html(self.png(), alt)
