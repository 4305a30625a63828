"""Cross-entropy against squared error on one sigmoid-output network.

Both losses are evaluated on the same network and the same numbers; only the loss
changes. The point the figure makes: with a sigmoid output, cross-entropy's error
signal at the output is ``δ = ŷ − y``, while half squared error's is
``δ = (ŷ − y)·ŷ(1 − ŷ)``. When the prediction is confidently wrong (ŷ near 1 for
y = 0, or near 0 for y = 1) the sigmoid's slope ``ŷ(1 − ŷ)`` is nearly zero, so the
squared-error gradient flattens exactly where learning is most needed, and the
cross-entropy gradient does not.

:func:`compare_losses` is the pure computation; :class:`LossComparisonFigure` only draws
what it returns, so tests can sweep every slider position without a browser.

Used by the chapter 'A tiny network: ReLU, sigmoid and cross-entropy' (chapters/tiny_network.ipynb).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from ..engine.losses import get_loss
from ..engine.network import Network
from ..engine.numeric import backward, forward, loss_and_gradients
from ..views import lesson_explorer as lx
from ..views.explore import Settings
from ..views.figure import FigureView, checked_values, curve_grid, symmetric_limit
from ..views.palette import LEGEND_SIZE, SERIES_COLOURS, SERIES_STYLES, SHADE, TEXT_SIZE

__all__ = [
    "COMPARED_LOSSES", "SWEEP_VALUES", "TARGETS", "CONFIDENTLY_WRONG", "LossProfile", "LossComparison",
    "compare_losses", "LossComparisonFigure", "loss_comparison_explorer",
]

# The two losses side by side, in drawing order.
COMPARED_LOSSES: tuple[str, ...] = ("binary_cross_entropy", "half_squared_error")
# Slider positions for the output weight, in steps of 1 from -9.5 to 9.5: the document's w2 = 0.5
# is one of them, and with the hidden activation at 0.5 the ends give z_o = ±4.75, where the
# sigmoid has saturated (ŷ = 0.0086 and 0.9914).
SWEEP_VALUES: tuple[float, ...] = tuple(float(v) for v in np.linspace(-9.5, 9.5, 20))
# The targets a binary classifier can be given.
TARGETS: tuple[float, ...] = (0.0, 1.0)
# A prediction this far from its target counts as confidently wrong (ŷ > 0.9 for y = 0).
CONFIDENTLY_WRONG = 0.9

_LABELS = {
    "binary_cross_entropy": "cross-entropy",
    "half_squared_error": "½ squared error",
    "mean_squared_error": "squared error",
}
# The losses are drawn in the first two series colours: blue solid, vermillion dashed.
_DRAWN = 2


@dataclass(frozen=True)
class LossProfile:
    """One loss along the sweep, and its value and gradient at the current setting.

    ``delta_at_current`` is ∂L/∂z at the output neuron, the error signal the loss sends back.
    """

    loss: str
    losses: np.ndarray
    gradients: np.ndarray
    loss_at_current: float
    gradient_at_current: float
    delta_at_current: float

    @property
    def label(self) -> str:
        """A short name for legends."""
        return _LABELS.get(self.loss, self.loss)


@dataclass(frozen=True)
class LossComparison:
    """Every compared loss as ``parameter`` sweeps ``values``, with the others held at ``settings``.

    ``prediction`` is ŷ at the current setting and ``sigmoid_slope`` is ŷ(1 − ŷ) there;
    ``predictions`` is ŷ at every value of the sweep.
    """

    parameter: str
    values: np.ndarray
    predictions: np.ndarray
    current: float
    target: float
    prediction: float
    sigmoid_slope: float
    profiles: tuple[LossProfile, ...]

    @property
    def confidently_wrong(self) -> np.ndarray:
        """True where the prediction is more than :data:`CONFIDENTLY_WRONG` away from the target."""
        return np.abs(self.predictions - self.target) > CONFIDENTLY_WRONG

    def profile(self, loss: str) -> LossProfile:
        """The profile of one loss by name.

        >>> from backproplib.checking.examples import load_example
        >>> ex = load_example("tiny_relu")
        >>> c = compare_losses(ex.network, Settings.of(ex), "w2", [0.5])
        >>> round(c.profile("half_squared_error").gradient_at_current, 4)
        0.0692
        >>> c.profile("hinge")
        Traceback (most recent call last):
        ...
        ValueError: loss must be one of 'binary_cross_entropy', 'half_squared_error'; got 'hinge'
        """
        for p in self.profiles:
            if p.loss == loss:
                return p
        allowed = ", ".join(repr(p.loss) for p in self.profiles)
        raise ValueError(f"loss must be one of {allowed}; got {loss!r}")


def compare_losses(
    network: Network,
    settings: Settings,
    parameter: str,
    values: Sequence[float],
    losses: Sequence[str] = COMPARED_LOSSES,
) -> LossComparison:
    """Evaluate each of ``losses`` on ``network`` as ``parameter`` sweeps ``values``.

    The network's own loss is ignored: each entry of ``losses`` replaces it in turn. The network
    must have a single sigmoid output neuron, which is what makes the comparison meaningful.

    Examples
    --------
    The document's network (doc 000) at its own numbers: cross-entropy's gradient for w2 is
    four times squared error's, because the sigmoid slope there is about 0.246.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> s = Settings.of(ex)
    >>> c = compare_losses(ex.network, s, "w2", [-9.5, 0.5, 9.5])
    >>> [round(p.gradient_at_current, 4) for p in c.profiles]
    [0.2811, 0.0692]
    >>> round(c.sigmoid_slope, 4)
    0.2461

    Confidently wrong at w2 = 9.5 (ŷ ≈ 0.991 for y = 0): squared error's gradient has all but vanished.

    >>> [round(float(p.gradients[-1]), 4) for p in c.profiles]
    [0.4957, 0.0042]
    """
    network.check_parameter_name(parameter)
    _check_comparable(network, losses)
    sweep = checked_values(values)
    output = network.outputs[0]
    swept_params = dict(settings.params, **{parameter: sweep})
    swept = forward(replace(network, loss=losses[0]), swept_params, settings.x, settings.y)
    predictions = np.array(swept.a[output], dtype=float)
    profiles = tuple(_profile(replace(network, loss=name), settings, parameter, swept_params) for name in losses)
    # ŷ and its slope do not depend on the loss; the network's own loss is not one of the compared
    here = backward(replace(network, loss=losses[-1]), settings.params, settings.x, settings.y)
    return LossComparison(
        parameter,
        sweep,
        np.broadcast_to(predictions, sweep.shape).copy(),
        float(settings.params[parameter]),
        float(settings.y),
        float(here.forward.a[output]),
        float(here.da_dz[output]),
        profiles,
    )


def _check_comparable(network: Network, losses: Sequence[str]) -> None:
    if len(network.outputs) != 1 or network.layers[-1].activation != "sigmoid":
        raise ValueError(
            "network must have exactly one output neuron with activation 'sigmoid' to compare losses; "
            f"got outputs {list(network.outputs)} with activation {network.layers[-1].activation!r}"
        )
    if isinstance(losses, str) or not losses:
        raise ValueError(f"losses must be a non-empty sequence of loss names; got {losses!r}")
    for name in losses:
        get_loss(name)  # raises ValueError naming the allowed losses


def _profile(scored: Network, settings: Settings, parameter: str, swept_params: dict) -> LossProfile:
    """One loss (the network's own) along the sweep and at the current setting."""
    swept, gradients = loss_and_gradients(scored, swept_params, settings.x, settings.y)
    here = backward(scored, settings.params, settings.x, settings.y)
    return LossProfile(
        scored.loss,
        np.array(swept, dtype=float),
        np.array(gradients[parameter], dtype=float),
        float(here.loss),
        float(here.gradients[parameter]),
        float(here.delta[scored.outputs[0]]),
    )


class LossComparisonFigure(FigureView):
    """Two panels: each loss against the swept parameter, and each loss's gradient.

    Built once; :meth:`show` moves the lines, points and texts in place.

    Examples
    --------
    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> fig = LossComparisonFigure(ex.network, "w2")
    >>> c = fig.show(Settings.of(ex), 9.5)
    >>> round(c.prediction, 4), fig.png()[:4]
    (0.9914, b'\\x89PNG')
    """

    SIZE = (7.2, 2.9)

    def __init__(self, network: Network, parameter: str, values: Sequence[float] = SWEEP_VALUES,
                 losses: Sequence[str] = COMPARED_LOSSES, points: int = 161) -> None:
        if len(losses) > _DRAWN:
            raise ValueError(f"losses must name at most {_DRAWN} losses; got {len(losses)}")
        self.curve_values = curve_grid(values, points)
        self.network, self.parameter, self.losses = network, parameter, tuple(losses)
        super().__init__()
        self.loss_axes, self.gradient_axes = self.figure.subplots(1, 2)
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.90, wspace=0.30)
        self._curves, self._points, self._gradient_curves, self._gradient_points = [], [], [], []
        values, flat = self.curve_values, 0 * self.curve_values
        for name, colour, style in zip(self.losses, SERIES_COLOURS, SERIES_STYLES):
            label = _LABELS.get(name, name)
            self._curves.append(self.loss_axes.plot(values, flat, color=colour, ls=style, lw=2, label=label)[0])
            self._points.append(self.loss_axes.plot([], [], "o", color=colour, ms=7)[0])
            self._gradient_curves.append(
                self.gradient_axes.plot(values, flat, color=colour, ls=style, lw=2, label=label)[0]
            )
            self._gradient_points.append(self.gradient_axes.plot([], [], "o", color=colour, ms=7)[0])
        self.gradient_axes.axhline(0.0, color="0.6", lw=0.8)
        for axes, ylabel in ((self.loss_axes, "loss"), (self.gradient_axes, f"∂L/∂{parameter}")):
            axes.set_xlim(self.curve_values[0], self.curve_values[-1])
            axes.set_xlabel(parameter)
            axes.set_ylabel(ylabel)
            axes.legend(loc="upper left", fontsize=LEGEND_SIZE, frameon=False)
        self._shading: list = []
        self._title = self.figure.suptitle("", fontsize=9)
        g = self.gradient_axes
        self._gradient_text = g.text(0.98, 0.04, "", transform=g.transAxes, ha="right", fontsize=TEXT_SIZE)

    def show(self, settings: Settings, parameter_value: float | None = None) -> LossComparison:
        """Redraw for ``settings`` (optionally with the swept parameter moved to ``parameter_value``)."""
        if parameter_value is not None:
            settings = settings.replace(**{self.parameter: parameter_value})
        comparison = compare_losses(self.network, settings, self.parameter, self.curve_values, self.losses)
        for k, profile in enumerate(comparison.profiles):
            self._curves[k].set_ydata(profile.losses)
            self._points[k].set_data([comparison.current], [profile.loss_at_current])
            self._gradient_curves[k].set_ydata(profile.gradients)
            self._gradient_points[k].set_data([comparison.current], [profile.gradient_at_current])
        for patch in self._shading:
            patch.remove()
        label = f"confidently wrong (|ŷ − y| > {CONFIDENTLY_WRONG:g})"
        self._shading = [
            axes.fill_between(
                comparison.values, 0, 1, where=comparison.confidently_wrong, transform=axes.get_xaxis_transform(),
                color=SHADE, lw=0, label=label if axes is self.loss_axes else None,
            )
            for axes in (self.loss_axes, self.gradient_axes)
        ]
        self.loss_axes.legend(loc="upper center", fontsize=LEGEND_SIZE, frameon=False)
        top = max(float(np.max(p.losses)) for p in comparison.profiles)
        self.set_ylim(self.loss_axes, 0.0, 1.08 * top if top > 0 else 1.0)
        reach = symmetric_limit(*(p.gradients for p in comparison.profiles))
        self.set_ylim(self.gradient_axes, -reach, reach)
        self._title.set_text(
            f"{self.parameter} = {comparison.current:.2f}, y = {comparison.target:g}: "
            f"ŷ = {comparison.prediction:.4f}, sigmoid slope ŷ(1−ŷ) = {comparison.sigmoid_slope:.4f}"
        )
        self._gradient_text.set_text(
            "\n".join(f"{p.label}: {p.gradient_at_current:.3g}" for p in comparison.profiles)
        )
        return comparison


def loss_comparison_explorer(network: Network, settings: Settings, parameter: str = "w2",
                             value_range: tuple[float, float] = (SWEEP_VALUES[0], SWEEP_VALUES[-1]),
                             losses: Sequence[str] = COMPARED_LOSSES):
    """Each of ``losses`` and its gradient along ``parameter``, the target on a slider, in the reader's browser
    (one generated model per loss).

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> view = loss_comparison_explorer(ex.network, Settings.of(ex))
    >>> [s["model"] for s in view.view.panel["charts"][1]["series"]]
    ['binary_cross_entropy', 'half_squared_error']
    """

    network.check_parameter_name(parameter)
    _check_comparable(network, losses)
    if len(losses) > _DRAWN:
        raise ValueError(f"losses must name at most {_DRAWN} losses; got {len(losses)}")
    output = network.outputs[0]
    models = {name: lx.LessonModel(_LABELS.get(name, name), replace(network, loss=name)) for name in losses}
    styles = list(zip(losses, SERIES_COLOURS, lx.DASHES))
    controls = [lx.control("parameter", parameter, parameter, value_range, float(settings.params[parameter])),
                lx.control("target", output, "y: the target", (0.0, 1.0), float(settings.y))]
    charts = [
        lx.sweep_chart(parameter, f"Each loss as {parameter} moves.", parameter, "loss",
                    [lx.Series("loss", _LABELS.get(n, n), c, d, model=n) for n, c, d in styles]),
        lx.sweep_chart(parameter, f"Each loss's gradient ∂L/∂{parameter} as {parameter} moves.", parameter,
                    f"∂L/∂{parameter}", [lx.Series(f"gradient:{parameter}", _LABELS.get(n, n), c, d, model=n)
                                        for n, c, d in styles], symmetric=True),
    ]
    readouts = [lx.readout("ŷ", f"a:{output}", model=losses[0]), lx.readout("sigmoid slope ŷ(1−ŷ)", f"slope:{output}",
                                                                     model=losses[0])]
    readouts += [lx.readout(f"{_LABELS.get(n, n)}: ∂L/∂{parameter}", f"gradient:{parameter}", model=n) for n in losses]

    def kernel():
        figure = LossComparisonFigure(network, parameter, SWEEP_VALUES, losses)
        slider, target = lx.kernel_slider(controls[0], parameter), lx.kernel_slider(controls[1], "y")

        def draw(value: float, y: float) -> str:
            figure.show(settings.replace(y=y), value)
            return figure.html(f"Cross-entropy and squared error and their gradients, {parameter} = {value:.2f}, "
                               f"y = {y:g}")

        return lx.kernel_view({"value": slider, "y": target}, draw)

    groups = [lx.group(parameter, controls[:1]), lx.group("target", controls[1:])]
    return lx.lesson_explorer("Cross-entropy against squared error", models, settings, groups, charts, readouts, kernel)
