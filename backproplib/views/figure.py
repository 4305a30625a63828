"""What every figure of the book shares: the canvas, PNG and HTML output, axis limits, sweep checks.

The nine figure classes (the loss explorer, the lessons' figures) each keep only what they draw;
:class:`FigureView` gives them a canvas, PNG bytes through :mod:`backproplib.views.png`, an
``<img>`` with alt text, and axis limits that never collapse to a single value.
The sweep checks live here too, because every figure and the pure function behind it check the
swept values the same way.

The colours, line styles and font sizes are in :mod:`backproplib.views.palette`. Whatever size a
figure asks for, :meth:`FigureView.legible` raises every text to :data:`MIN_TEXT_PX` pixels as the
page shows it: the content column is :data:`PAGE_PX` wide and scales a wider PNG down, so the
points needed depend on the figure's width and resolution (:func:`legible_points`). One rule for
every figure, instead of a font size per figure that is right at one size only.
"""
from __future__ import annotations

import base64
import html
from typing import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from ..engine.training import check_epochs
from .png import figure_png

__all__ = [
    "image_html", "checked_values", "curve_grid", "checked_range", "checked_epochs",
    "symmetric_limit", "FigureView", "PAGE_PX", "MIN_TEXT_PX", "shown_pixels_per_inch", "legible_points",
    "make_legible",
]

PAGE_PX = 720  # width of the book's content column in CSS pixels; a wider image is scaled down to it
MIN_TEXT_PX = 12  # smallest text height, in page pixels, a reader is asked to read


def shown_pixels_per_inch(width_inches: float, dpi: float) -> float:
    """Page pixels per inch of a figure ``width_inches`` wide rendered at ``dpi``, once the page shows it.

    >>> shown_pixels_per_inch(7.0, 100), shown_pixels_per_inch(9.0, 100)
    (100.0, 80.0)
    """
    return min(float(dpi), PAGE_PX / float(width_inches))


def legible_points(width_inches: float, dpi: float) -> float:
    """The smallest font size, in points, that shows :data:`MIN_TEXT_PX` pixels high on the page.

    >>> round(legible_points(7.2, 100), 2), round(legible_points(9.0, 80), 2)
    (8.64, 10.8)
    """
    return MIN_TEXT_PX * 72.0 / shown_pixels_per_inch(width_inches, dpi)


def make_legible(figure: Figure, dpi: float | None = None) -> Figure:
    """Raise every text of ``figure`` (titles, labels, tick labels, legends, annotations) that the page
    would show under :data:`MIN_TEXT_PX` to :func:`legible_points`; larger text is left as it is.

    ``dpi`` is the resolution the PNG is written at (the figure's own by default).

    >>> fig = Figure(figsize=(7.2, 2.0), dpi=100)
    >>> axes = fig.subplots()
    >>> note = axes.text(0, 0, "small", fontsize=6)
    >>> _ = make_legible(fig)
    >>> note.get_fontsize(), round(axes.xaxis.get_ticklabels()[0].get_fontsize(), 2)
    (8.64, 10.0)
    """
    least = legible_points(figure.get_figwidth(), dpi or figure.dpi)
    for axes in figure.axes:
        # Tick labels are made afresh when ticks change: set the axis's size, not just today's labels.
        for axis in (axes.xaxis, axes.yaxis):
            if max((t.get_fontsize() for t in axis.get_ticklabels()), default=least) < least:
                axes.tick_params(axis=axis.axis_name, labelsize=least)
    raised = [text for text in figure.findobj(Text) if text.get_fontsize() < least]
    for text in raised:
        text.set_fontsize(least)
    if raised:
        _keep_inside(figure)
    return figure


def _keep_inside(figure: Figure, pad: float = 0.01) -> None:
    """Widen the subplot margins by what larger text now puts outside the canvas (clipped labels).

    Only margins set by the figure's subplot parameters move; a suptitle or a figure-level text
    stays where its figure wrote it.
    """
    if not figure.axes:
        return
    if not hasattr(figure.canvas, "get_renderer"):  # a bare Figure: give it the canvas savefig would use
        FigureCanvasAgg(figure)
    box = figure.get_tightbbox(figure.canvas.get_renderer())
    width, height = figure.get_size_inches()
    over = {"left": -box.x0 / width, "bottom": -box.y0 / height,
            "right": (box.x1 - width) / width, "top": (box.y1 - height) / height}
    if max(over.values()) <= 0:
        return
    p = figure.subplotpars
    figure.subplots_adjust(
        left=p.left + max(0.0, over["left"]) + (pad if over["left"] > 0 else 0.0),
        bottom=p.bottom + max(0.0, over["bottom"]) + (pad if over["bottom"] > 0 else 0.0),
        right=p.right - max(0.0, over["right"]) - (pad if over["right"] > 0 else 0.0),
        top=p.top - max(0.0, over["top"]) - (pad if over["top"] > 0 else 0.0),
    )



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
    DPI: float | None = None  # None: as many pixels as the page's column, so nothing is scaled down

    def __init__(self, size: tuple[float, float] | None = None, dpi: float | None = None) -> None:
        width, height = size or self.SIZE
        self.figure = Figure(figsize=(width, height), dpi=dpi or self.DPI or PAGE_PX / width)
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
        """The figure as PNG bytes, every text legible on the page; ``small=True`` quantises to 64 colours."""
        return figure_png(make_legible(self.figure), small)

    def html(self, alt: str) -> str:
        """The figure as an ``<img>`` element whose alt text is ``alt``."""
        return image_html(self.png(), alt)
