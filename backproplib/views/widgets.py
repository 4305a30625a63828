"""Slider panels: thin shells over :mod:`backproplib.views.explore`.

:func:`live_explorer` puts every weight, bias, input, the target and the learning rate on
sliders over :class:`LossFigure`, whose artists are drawn once and then updated in place by a
Python callback. It is the kernel's view of the loss explorer: the chapters show it through
:func:`backproplib.views.explorer.browser_explorer`, whose output also carries the browser's
version, the one the built book shows (so no page of the book needs a kernel).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

import numpy as np

from ..engine.network import Network
from .explore import LossCurve, Settings, TrainingCurve, loss_along, training_curve
from .figure import FigureView, checked_epochs, checked_range, image_html
from .palette import BLUE, GREEN, LEGEND_SIZE, PINK, TEXT_SIZE, VERMILLION
from .png import canvas_png

__all__ = [
    "slider_range", "image_html", "described_image", "LossFigure", "round_up",
    "live_explorer",
]


def slider_range(value: float, half_width: float = 2.0) -> tuple[float, float]:
    """A symmetric slider range around ``value`` that always contains ``[-half_width, half_width]``.

    >>> slider_range(0.5)
    (-2.0, 2.5)
    >>> slider_range(3.3, 1.0)
    (-1.0, 4.3)
    """
    low = min(-half_width, round(value - half_width, 6))
    high = max(half_width, round(value + half_width, 6))
    return (low, high)


def described_image(png: bytes, alt: str):
    """A widget showing ``png`` with alt text, for readers who cannot see the figure.

    ipywidgets' ``Image`` has no alt text, and setting its ``tooltip`` breaks the view in the
    browser (ipywidgets issue 3860), so described figures are an ``<img>`` in an ``HTML`` widget.
    The embedded state is the same size: widget state stores image bytes as base64 either way.

    >>> described_image(b"\\x89PNG", "A figure").value
    '<img alt="A figure" src="data:image/png;base64,iVBORw==" style="max-width: 100%">'
    """
    import ipywidgets as w

    return w.HTML(value=image_html(png, alt))


@dataclass(frozen=True)
class LossView:
    """What one redraw showed: the loss curve with its tangent, and the training run."""

    curve: LossCurve
    training: TrainingCurve


class LossFigure(FigureView):
    """Loss along one parameter (with the backprop tangent) beside the training loss curve.

    Built once; :meth:`show` moves the existing lines and texts, it never builds a new figure.
    The static parts (axes, ticks, labels) are rendered once and reused until an axis range has
    to change, so most redraws paint only the moving lines.

    Examples
    --------
    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> fig = LossFigure(ex.network, "w1", (-2.0, 2.0), epochs=20)
    >>> view = fig.show(Settings.of(ex))
    >>> round(view.curve.slope, 4), len(view.training.losses)
    (0.2811, 21)
    """

    SIZE = (7.2, 2.8)

    def __init__(self, network: Network, parameter: str, value_range: tuple[float, float], epochs: int = 100,
                 points: int = 121) -> None:
        network.check_parameter_name(parameter)
        low, high = checked_range(value_range, "value_range")
        self.network, self.parameter, self.epochs = network, parameter, checked_epochs(epochs)
        self.values = np.linspace(low, high, points)
        super().__init__()
        self.loss_axes, self.train_axes = self.figure.subplots(1, 2)
        self.figure.subplots_adjust(left=0.09, right=0.98, bottom=0.17, top=0.96, wspace=0.28)
        a, b = self.loss_axes, self.train_axes
        (self._curve,) = a.plot(self.values, np.zeros_like(self.values), color=BLUE, lw=2, label="loss")
        (self._tangent,) = a.plot([], [], color=GREEN, lw=2.5, ls=(0, (4, 2)),
                                  label="tangent: slope = backprop gradient")
        (self._point,) = a.plot([], [], "o", color=VERMILLION, ms=7, label=f"current {parameter}")
        a.set_xlim(low, high)
        a.set_xlabel(parameter)
        a.set_ylabel("loss")
        a.legend(loc="upper left", fontsize=LEGEND_SIZE, frameon=False)
        self._slope_text = a.text(0.98, 0.04, "", transform=a.transAxes, ha="right", fontsize=TEXT_SIZE)
        (self._training,) = b.plot([], [], color=PINK, lw=2)
        b.set_xlim(0, epochs)
        b.set_xlabel("epoch")
        b.set_ylabel("training loss")
        self._train_text = b.text(0.98, 0.90, "", transform=b.transAxes, ha="right", fontsize=TEXT_SIZE)
        self._moving = [self._curve, self._tangent, self._point, self._slope_text, self._training, self._train_text]
        for artist in self._moving:
            artist.set_animated(True)  # left out of the cached background, painted on top
        self._background = None

    @staticmethod
    def describe(parameter: str, epochs: int) -> str:
        """The figure in words, for readers who cannot see it (the images' alt text).

        >>> LossFigure.describe("w1", 50)[:40]
        'Left: the loss as w1 varies, the current'
        """
        return (f"Left: the loss as {parameter} varies, the current {parameter} marked, and the tangent whose "
                f"slope is the backprop gradient. Right: the training loss over {epochs} epochs from the current "
                "settings")

    def show(self, settings: Settings, parameter_value: float | None = None) -> LossView:
        """Redraw for ``settings`` (optionally with the selected parameter moved to ``parameter_value``)."""
        if parameter_value is not None:
            settings = settings.replace(**{self.parameter: parameter_value})
        curve = loss_along(self.network, settings, self.parameter, self.values)
        training = training_curve(self.network, settings, self.epochs)
        self._curve.set_ydata(curve.losses)
        half = 0.15 * (self.values[-1] - self.values[0])
        self._tangent.set_data(*curve.tangent(half))
        self._point.set_data([curve.current], [curve.loss_at_current])
        self._slope_text.set_text(f"∂L/∂{self.parameter} = {curve.slope:.4g}")
        self._fit(self.loss_axes, curve.losses)
        self._training.set_data(np.arange(len(training.losses)), training.losses)
        self._fit(self.train_axes, training.losses)
        ended = "diverged, last" if len(training.losses) < self.epochs + 1 else "final"
        self._train_text.set_text(f"{ended} loss {training.losses[-1]:.4g}")
        return LossView(curve, training)

    def _fit(self, axes, values: np.ndarray) -> None:
        """Losses are never negative: the y-axis runs from 0 to a round number above the data.

        The top stays put while the data fits under it and reaches a sixth of the way up, so
        the eye can follow what a slider changes and :meth:`png` can reuse the cached background.
        """
        needed = 1.05 * float(np.max(values))
        old_top = axes.get_ylim()[1]
        if self._background is None or not (old_top / 6 <= needed <= old_top):
            self.set_ylim(axes, 0.0, round_up(needed))
            self._background = None

    def png(self, small: bool = False) -> bytes:
        """The figure as PNG bytes, as a kernel would send it.

        ``small=True`` quantises to a 64-colour palette: a third of the bytes, for precomputed frames.
        """
        canvas = self.figure.canvas
        if self._background is None:
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self._moving:
            artist.axes.draw_artist(artist)
        return canvas_png(canvas, small)


def round_up(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × a power of ten that is at least ``value`` (1 for ``value <= 0``).

    >>> round_up(0.0913), round_up(0.26), round_up(3.67), round_up(0.0), round_up(3e-20)
    (0.1, 0.5, 5.0, 1.0, 5e-20)
    """
    if value <= 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * power >= value * (1 - 1e-12):
            # 12 significant digits, not 12 decimals: a loss of 1e-20 must not round to a top of 0
            return float(f"{step * power:.12g}")
    return float(10.0 * power)


def _slider_starts(
    network: Network, settings: Settings, ranges: Mapping[str, tuple[float, float]]
) -> dict[str, tuple[float, tuple[float, float]]]:
    """Each slider's starting value and range, by name. With several outputs the range given for
    ``"y"`` makes one target slider per output, ``y_<output>``.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("two_outputs")
    >>> _slider_starts(ex.network, Settings.of(ex), {"w5": (-1, 1), "y": (0, 1)})
    {'w5': (0.4, (-1, 1)), 'y_o1': (0.01, (0, 1)), 'y_o2': (0.99, (0, 1))}
    """
    targets = dict(zip(network.outputs, (float(t) for t in network.check_targets(settings.y))))
    starts = {}
    for name, span in ranges.items():
        if name == "y" and len(targets) > 1:
            starts.update({f"y_{o}": (t, span) for o, t in targets.items()})
        else:
            starts[name] = (settings.value(name), span)
    return starts


def live_explorer(
    network: Network,
    settings: Settings,
    ranges: Mapping[str, tuple[float, float]],
    parameter: str,
    epochs: int = 100,
):
    """A panel with one slider per entry of ``ranges`` and a dropdown choosing the swept parameter.

    ``ranges`` maps parameter, input names, ``"y"`` and ``"learning_rate"`` to ``(low, high)``.
    Needs a running kernel; the built book shows the browser explorer that
    :func:`backproplib.views.explorer.browser_explorer` delivers beside it.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> ranges = {"w1": (-1, 1), "w2": (-1, 1)}
    >>> panel = live_explorer(ex.network, Settings(ex.params, ex.x, ex.y, 0.1), ranges, "w1", 20)
    >>> panel.children[0].description, [s.description for s in panel.children[1].children]
    ('sweep', ['w1', 'w2'])
    >>> panel.children[2].value.startswith('<img alt="Left: the loss as w1 varies')  # already drawn
    True
    """
    import ipywidgets as w

    figures: dict[str, LossFigure] = {}

    def figure_for(name: str) -> LossFigure:
        if name not in figures:
            figures[name] = LossFigure(network, name, ranges.get(name, slider_range(settings.params[name])), epochs)
        return figures[name]

    sliders = {
        name: w.FloatSlider(
            value=value, min=low, max=high, step=(high - low) / 200,
            description=name, readout_format=".3f", continuous_update=True,
        )
        for name, (value, (low, high)) in _slider_starts(network, settings, ranges).items()
    }
    choice = w.Dropdown(options=list(network.parameters), value=parameter, description="sweep")
    image = w.HTML()

    def redraw(_change: object = None) -> None:
        moved = {name: s.value for name, s in sliders.items()}
        targets = {o: moved.pop(f"y_{o}") for o in network.outputs if f"y_{o}" in moved}  # several outputs
        current = replace(settings, y=targets or settings.y).replace(**moved)
        figure = figure_for(choice.value)
        figure.show(current)
        alt = f"{LossFigure.describe(choice.value, epochs)}; {choice.value} = {current.value(choice.value):.3f}"
        image.value = figure.html(alt)

    for control in [choice, *sliders.values()]:
        control.observe(redraw, names="value")
    redraw()
    grid = w.GridBox(list(sliders.values()), layout=w.Layout(grid_template_columns="repeat(2, 1fr)"))
    return w.VBox([choice, grid, image])

