"""How a bias shared by several neurons collects its gradient: one chain-rule path per neuron.

A bias added to the weighted sum of several neurons reaches the loss along one path through
each of them. Because ∂z_n/∂b = 1, the path through neuron ``n`` contributes exactly that
neuron's error term δ_n = ∂L/∂z_n, and the bias's gradient is their **sum**:

    ∂L/∂b = Σ_n δ_n .

:func:`bias_paths_along` computes the contributions while one parameter sweeps a range,
:func:`train_tracking_bias` records them over a training run, and :func:`untie_bias` gives every
neuron its own copy of the bias for comparison. The figure classes only draw what these return,
so tests can sweep every control without a browser or a kernel.

Used by the chapter 'One bias for two neurons: forward, backward and many updates'
(chapters/shared_bias.ipynb).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

import numpy as np

from ..engine.network import Network
from ..engine.numeric import BackwardPass, backward
from ..engine.training import train
from ..views import lesson_explorer as lx
from ..views.explore import Settings
from ..views.figure import FigureView, checked_epochs, checked_values, curve_grid, symmetric_limit
from ..views.palette import BLACK, BLUE, LEGEND_SIZE, ORANGE, SERIES_COLOURS, SERIES_STYLES, SHADE
from .document_settings import check_document_settings

__all__ = [
    "SWEEP_HALF_WIDTH", "SWEEP_POSITIONS", "LEARNING_RATES", "sweep_values", "bias_users", "BiasPaths",
    "bias_paths_along", "zero_crossings", "BiasTraining", "train_tracking_bias", "untie_bias",
    "BiasPathsFigure", "BiasTrainingFigure", "bias_paths_explorer", "bias_training_explorer",
]

# Slider positions of a kernel-free sweep: 21 values, 0.2 apart, centred on the current value.
SWEEP_HALF_WIDTH = 2.0
SWEEP_POSITIONS = 21
# Learning rates offered beside a sweep: a slow one, the document's 0.5, and two fast ones.
LEARNING_RATES: tuple[float, ...] = (0.1, 0.5, 2.0, 5.0)
# At most this many paths are drawn, one series colour and style each; the sum is black.
_PATHS_DRAWN = 4


def sweep_values(centre: float, half_width: float = SWEEP_HALF_WIDTH, count: int = SWEEP_POSITIONS) -> np.ndarray:
    """``count`` evenly spaced slider positions from ``centre − half_width`` to ``centre + half_width``.

    The centre is always a position (``count`` must be odd), so the current setting is on the slider.

    >>> sweep_values(0.45).round(2).tolist()[:3], len(sweep_values(0.45)), float(sweep_values(0.45)[10])
    ([-1.55, -1.35, -1.15], 21, 0.45)
    >>> sweep_values(0.0, count=4)
    Traceback (most recent call last):
    ...
    ValueError: count must be an odd whole number >= 3 (so the centre is a position); got 4
    """
    if not isinstance(count, (int, np.integer)) or count < 3 or count % 2 == 0:
        raise ValueError(f"count must be an odd whole number >= 3 (so the centre is a position); got {count!r}")
    if not (math.isfinite(centre) and math.isfinite(half_width) and half_width > 0):
        raise ValueError(f"centre must be finite and half_width a finite number > 0; got {centre!r}, {half_width!r}")
    values = centre + np.linspace(-half_width, half_width, count)
    values[count // 2] = centre  # exactly, not centre + 0.0 after rounding
    return values


def bias_users(network: Network, bias: str) -> tuple[str, ...]:
    """The neurons whose weighted sum ``bias`` is added to, in layer order.

    >>> from backproplib.checking.examples import load_example
    >>> net = load_example("shared_bias").network
    >>> bias_users(net, "b1"), bias_users(net, "b2")
    (('h1', 'h2'), ('out',))
    >>> bias_users(net, "w5")
    Traceback (most recent call last):
    ...
    ValueError: bias must be one of 'b1', 'b2'; got 'w5'
    """
    users = {}
    for layer in network.layers:
        for j, neuron in enumerate(layer.neurons):
            name = layer.bias_of(j)
            if name is not None:
                users.setdefault(name, []).append(neuron)
    if bias not in users:
        allowed = ", ".join(repr(b) for b in users) or "none (this network has no bias)"
        raise ValueError(f"bias must be one of {allowed}; got {bias!r}")
    return tuple(users[bias])


def _check_parameter(network: Network, parameter: str) -> None:
    network.check_parameter_name(parameter)


@dataclass(frozen=True)
class BiasPaths:
    """The gradient of a bias split into its paths while ``parameter`` takes each of ``values``.

    ``contributions[n]`` is the path through neuron ``n`` (its δ_n, since ∂z_n/∂b = 1), one entry
    per value; ``total`` is their sum, ∂L/∂bias. ``at_current`` and ``total_at_current`` are the
    same at the current setting, where ``parameter`` equals ``current``.
    """

    bias: str
    parameter: str
    values: np.ndarray
    contributions: dict[str, np.ndarray]
    total: np.ndarray
    current: float
    at_current: dict[str, float]
    total_at_current: float


def bias_paths_along(
    network: Network, settings: Settings, bias: str, parameter: str, values: Sequence[float]
) -> BiasPaths:
    """Each neuron's contribution to ∂L/∂``bias`` as ``parameter`` sweeps ``values`` (one batched pass).

    Examples
    --------
    At the document's settings both hidden neurons blame b1 in the same direction:

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> s = Settings.of(ex)
    >>> paths = bias_paths_along(ex.network, s, "b1", "w6", [-0.45, 0.45])
    >>> {n: round(v, 6) for n, v in paths.at_current.items()}, round(paths.total_at_current, 6)
    ({'h1': 0.013368, 'h2': 0.014996}, 0.028364)

    With w6 = −0.45 the path through h2 turns round and pulls against the path through h1
    (by hand: δ_out = 0.145066, δ_h2 = 0.145066 · (−0.45) · 0.240613):

    >>> [round(float(v), 5) for v in paths.contributions["h2"]]
    [-0.01571, 0.015]
    """
    _check_parameter(network, parameter)
    users = bias_users(network, bias)
    sweep = checked_values(values)
    swept = backward(network, dict(settings.params, **{parameter: sweep}), settings.x, settings.y)
    here = backward(network, settings.params, settings.x, settings.y)
    contributions = {n: np.broadcast_to(swept.delta[n], sweep.shape).astype(float) for n in users}
    return BiasPaths(
        bias,
        parameter,
        sweep,
        contributions,
        np.broadcast_to(swept.gradients[bias], sweep.shape).astype(float),
        float(settings.params[parameter]),
        {n: float(here.delta[n]) for n in users},
        float(here.gradients[bias]),
    )


def zero_crossings(values: Sequence[float], curve: Sequence[float]) -> list[float]:
    """Where a sampled curve crosses zero, by linear interpolation between neighbouring samples.

    >>> zero_crossings([0.0, 1.0, 2.0, 3.0], [-1.0, 1.0, 3.0, -1.0])
    [0.5, 2.75]
    >>> zero_crossings([0.0, 1.0], [2.0, 0.0]), zero_crossings([0.0, 1.0], [1.0, 2.0])
    ([1.0], [])
    """
    v, c = np.asarray(values, dtype=float), np.asarray(curve, dtype=float)
    if v.shape != c.shape or v.ndim != 1:
        raise ValueError(f"values and curve must be 1-D and of equal length; got shapes {v.shape} and {c.shape}")
    crossings: list[float] = []
    for i in range(len(v) - 1):
        left, right = c[i], c[i + 1]
        if left == 0 and (i == 0 or c[i - 1] != 0):
            crossings.append(float(v[i]))
        elif left * right < 0:
            crossings.append(float(v[i] + (v[i + 1] - v[i]) * left / (left - right)))
    if len(c) and c[-1] == 0 and (len(c) == 1 or c[-2] != 0):
        crossings.append(float(v[-1]))
    return crossings


@dataclass(frozen=True)
class BiasTraining:
    """A gradient-descent run that records the bias and its paths before every step.

    Entry ``k`` of each array is the state before step ``k`` (entry 0 is the start); there are
    ``epochs + 1`` entries unless the run diverged (a parameter or the loss passed
    :data:`backproplib.engine.training.DIVERGENCE_LIMIT`), in which case it stops early.
    """

    bias: str
    losses: np.ndarray
    predictions: np.ndarray
    bias_values: np.ndarray
    contributions: dict[str, np.ndarray]
    total: np.ndarray
    final_params: dict[str, float]
    diverged: bool

    @property
    def epochs(self) -> np.ndarray:
        """The epoch number of every entry."""
        return np.arange(len(self.losses))

    @property
    def disagreeing(self) -> np.ndarray:
        """True at the epochs where two paths pull the bias in opposite directions."""
        stacked = np.vstack(list(self.contributions.values()))
        return (stacked.min(axis=0) < 0) & (stacked.max(axis=0) > 0)


def train_tracking_bias(network: Network, settings: Settings, bias: str, epochs: int) -> BiasTraining:
    """Train on the single example for ``epochs`` steps, recording each path of ∂L/∂``bias``.

    :func:`backproplib.engine.training.train` does the steps; its ``record`` hook keeps, before every
    step, the prediction, the bias and every neuron's δ from that epoch's backward pass.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> run = train_tracking_bias(ex.network, Settings.of(ex), "b1", 1)
    >>> [round(float(v), 6) for v in run.bias_values], round(float(run.total[0]), 6)
    ([0.35, 0.335818], 0.028364)
    """
    users = bias_users(network, bias)
    output = network.outputs[0]
    predictions: list[float] = []
    bias_values: list[float] = []
    totals: list[float] = []
    contributions: dict[str, list[float]] = {n: [] for n in users}

    def record(epoch: int, params: dict[str, float], passes: BackwardPass) -> None:
        predictions.append(float(passes.forward.a[output]))
        bias_values.append(params[bias])
        for n in users:
            contributions[n].append(float(passes.delta[n]))
        totals.append(float(passes.gradients[bias]))

    run = train(network, settings.params, settings.x, settings.y, settings.learning_rate, epochs, record=record)
    return BiasTraining(
        bias,
        run.losses,
        np.array(predictions),
        np.array(bias_values),
        {n: np.array(v) for n, v in contributions.items()},
        np.array(totals),
        run.params,
        run.diverged,
    )


def untie_bias(network: Network, params: Mapping[str, float], bias: str) -> tuple[Network, dict[str, float]]:
    """The same network with a separate copy of a shared ``bias`` for each neuron it feeds.

    Each copy is named ``<bias>_<neuron>`` and starts at the shared value, so the untied network
    computes exactly the same forward pass; only training can tell the two apart.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> net, params = untie_bias(ex.network, ex.params, "b1")
    >>> net.layers[0].bias, params["b1_h1"], params["b1_h2"], "b1" in params
    (('b1_h1', 'b1_h2'), 0.35, 0.35, False)
    """
    users = bias_users(network, bias)
    if len(users) < 2:
        raise ValueError(f"bias must be shared by two or more neurons to be untied; {bias!r} feeds only {users[0]!r}")
    copies = {n: f"{bias}_{n}" for n in users}
    clashes = sorted(set(copies.values()) & set(network.parameters))
    if clashes:
        raise ValueError(f"the copies of {bias!r} would be called {clashes}, which already name parameters")
    layers = []
    for layer in network.layers:
        if layer.shared_bias and layer.bias == bias:
            layers.append(replace(layer, bias=tuple(copies[n] for n in layer.neurons)))
        else:
            layers.append(layer)
    untied = Network(network.inputs, tuple(layers), network.loss)
    checked = network.check_parameters(params)
    new_params: dict[str, float] = {}
    for name in untied.parameters:
        new_params[name] = float(checked[bias] if name in copies.values() else checked[name])
    return untied, new_params


def _drawable_users(network: Network, bias: str) -> tuple[str, ...]:
    users = bias_users(network, bias)
    if len(users) > _PATHS_DRAWN:
        raise ValueError(f"bias must feed at most {_PATHS_DRAWN} neurons to draw; {bias!r} feeds {len(users)}")
    return users


class BiasPathsFigure(FigureView):
    """Left: each path's contribution to ∂L/∂bias and their sum along a sweep. Right: the same at the
    current value as bars, the sum beside its parts.

    Built once; :meth:`show` moves lines, points, bars and text in place.

    Examples
    --------
    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> fig = BiasPathsFigure(ex.network, "b1", "w6", sweep_values(0.45))
    >>> paths = fig.show(Settings.of(ex), -0.45)
    >>> round(paths.total_at_current, 5)
    -0.00171
    """

    SIZE = (7.2, 2.6)

    def __init__(self, network: Network, bias: str, parameter: str, values: Sequence[float], points: int = 201) -> None:
        _check_parameter(network, parameter)
        self.users = _drawable_users(network, bias)
        self.curve_values = curve_grid(values, points)
        self.network, self.bias, self.parameter = network, bias, parameter
        super().__init__()
        self.axes, self.bar_axes = self.figure.subplots(1, 2, gridspec_kw={"width_ratios": [2.3, 1]})
        self.figure.subplots_adjust(left=0.1, right=0.98, bottom=0.18, top=0.83, wspace=0.32)
        self._draw_sweep_panel()
        self._draw_bar_panel()

    def _draw_sweep_panel(self) -> None:
        a, bias = self.axes, self.bias
        a.axhline(0.0, color="0.6", lw=0.8)
        self._lines, self._points = {}, {}
        values = self.curve_values
        for n, colour, style in zip(self.users, SERIES_COLOURS, SERIES_STYLES):
            self._lines[n] = a.plot(values, 0 * values, color=colour, ls=style, lw=1.8, label=f"via {n}: δ_{n}")[0]
            self._points[n] = a.plot([], [], "o", color=colour, ms=5)[0]
        self._sum = a.plot(values, 0 * values, color=BLACK, lw=2.4, label=f"sum = ∂L/∂{bias}")[0]
        self._sum_point = a.plot([], [], "D", color=BLACK, ms=6)[0]
        self._cursor = a.axvline(0.0, color="0.3", lw=0.8, ls=":")
        a.set_xlim(values[0], values[-1])
        a.set_xlabel(self.parameter)
        a.set_ylabel(f"contribution to ∂L/∂{bias}")
        # Above the axes, so no position of the curves can hide behind it.
        a.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, fontsize=LEGEND_SIZE, frameon=False,
                 handlelength=2.2, columnspacing=1.0)

    def _draw_bar_panel(self) -> None:
        b = self.bar_axes
        b.axhline(0.0, color="0.6", lw=0.8)
        labels = [f"via {n}" for n in self.users] + ["sum"]
        colours = [*SERIES_COLOURS[: len(self.users)], BLACK]
        self._bars = b.bar(range(len(labels)), [0.0] * len(labels), color=colours, edgecolor="black", linewidth=0.6)
        for bar, hatch in zip(self._bars, ["", "//", "..", "xx"][: len(self.users)] + [""]):
            bar.set_hatch(hatch)
        b.set_xticks(range(len(labels)), labels, fontsize=8)
        b.set_title(f"at {self.parameter} = …", fontsize=8)
        self._bar_texts = [b.text(i, 0.0, "", ha="center", fontsize=LEGEND_SIZE) for i in range(len(labels))]

    def show(self, settings: Settings, parameter_value: float | None = None) -> BiasPaths:
        """Redraw for ``settings`` (optionally with the swept parameter moved to ``parameter_value``)."""
        if parameter_value is not None:
            settings = settings.replace(**{self.parameter: parameter_value})
        paths = bias_paths_along(self.network, settings, self.bias, self.parameter, self.curve_values)
        for n in self.users:
            self._lines[n].set_ydata(paths.contributions[n])
            self._points[n].set_data([paths.current], [paths.at_current[n]])
        self._sum.set_ydata(paths.total)
        self._sum_point.set_data([paths.current], [paths.total_at_current])
        self._cursor.set_xdata([paths.current, paths.current])
        limit = symmetric_limit(paths.total, *paths.contributions.values())
        self.set_ylim(self.axes, -limit, limit)
        heights = [paths.at_current[n] for n in self.users] + [paths.total_at_current]
        reach = symmetric_limit(np.array(heights))
        for bar, text, height in zip(self._bars, self._bar_texts, heights):
            bar.set_height(height)
            text.set_text(f"{height:.4f}")
            text.set_y(height + (0.04 if height >= 0 else -0.04) * reach * 2)
            text.set_va("bottom" if height >= 0 else "top")
        self.set_ylim(self.bar_axes, -1.35 * reach, 1.35 * reach)
        self.bar_axes.set_title(f"at {self.parameter} = {paths.current:.2f}", fontsize=8)
        return paths


class BiasTrainingFigure(FigureView):
    """A training run in three panels: the loss (log scale), each path of ∂L/∂bias with their sum,
    and the bias itself, all over the epochs. Epochs where the paths disagree in sign are shaded.

    The epoch axis is linear up to 10 and logarithmic beyond, so the first steps and the last
    thousand both show.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> fig = BiasTrainingFigure(ex.network, "b1", epochs=30)
    >>> run = fig.show(Settings.of(ex))
    >>> len(run.losses), bool(run.disagreeing.any())
    (31, True)
    """

    SIZE = (9.0, 2.7)

    def __init__(self, network: Network, bias: str, epochs: int = 2000) -> None:
        self.users = _drawable_users(network, bias)
        self.network, self.bias, self.epochs = network, bias, checked_epochs(epochs)
        super().__init__()
        self.loss_axes, self.path_axes, self.bias_axes = self.figure.subplots(1, 3)
        self.figure.subplots_adjust(left=0.07, right=0.99, bottom=0.17, top=0.8, wspace=0.38)
        for axes in (self.loss_axes, self.path_axes, self.bias_axes):
            axes.set_xscale("symlog", linthresh=10, linscale=0.6)
            axes.set_xlim(0, epochs)
            axes.set_xlabel("epoch")
        self.loss_axes.set_yscale("log")
        self.loss_axes.set_title("training loss", fontsize=9)
        self.path_axes.set_title(f"paths of ∂L/∂{bias}", fontsize=9)
        self.bias_axes.set_title(f"{bias} over training", fontsize=9)
        self.path_axes.axhline(0.0, color="0.6", lw=0.8)
        (self._loss,) = self.loss_axes.plot([], [], color=BLUE, lw=2)
        self._paths = {
            n: self.path_axes.plot([], [], color=c, ls=s, lw=1.8, label=f"via {n}")[0]
            for n, c, s in zip(self.users, SERIES_COLOURS, SERIES_STYLES)
        }
        (self._sum,) = self.path_axes.plot([], [], color=BLACK, lw=2.2, label="sum")
        (self._bias,) = self.bias_axes.plot([], [], color=ORANGE, lw=2)
        self._shading: list = []
        self._title = self.figure.suptitle("", fontsize=9, y=0.985)

    def show(self, settings: Settings) -> BiasTraining:
        """Train from ``settings`` and redraw."""
        run = train_tracking_bias(self.network, settings, self.bias, self.epochs)
        epochs = run.epochs
        # A loss of exactly 0 cannot sit on a log axis; the smallest positive float stands in.
        self._loss.set_data(epochs, np.maximum(run.losses, np.finfo(float).tiny))
        low = max(float(np.min(run.losses)), 1e-300)
        self.set_ylim(self.loss_axes, low / 3, max(float(np.max(run.losses)), low) * 3)
        for n in self.users:
            self._paths[n].set_data(epochs, run.contributions[n])
        self._sum.set_data(epochs, run.total)
        limit = symmetric_limit(run.total, *run.contributions.values())
        self.set_ylim(self.path_axes, -limit, limit)
        self._bias.set_data(epochs, run.bias_values)
        spread = float(np.ptp(run.bias_values))
        middle = float(np.mean([run.bias_values.min(), run.bias_values.max()]))
        half = 0.6 * spread if spread > 0 else 0.1
        self.set_ylim(self.bias_axes, middle - half, middle + half)
        for patch in self._shading:
            patch.remove()
        self._shading = []
        if run.disagreeing.any():
            self._shading.append(self.path_axes.fill_between(
                epochs, 0, 1, where=run.disagreeing, transform=self.path_axes.get_xaxis_transform(),
                color=SHADE, lw=0, step="mid", label="paths disagree",
            ))
        # Lower right, two columns: where the paths have settled near 0, under the curves.
        self.path_axes.legend(loc="lower right", ncol=2, fontsize=LEGEND_SIZE, frameon=False, handlelength=1.5,
                              columnspacing=0.8)
        steps = len(run.losses) - 1
        ended = f"diverged at epoch {len(run.losses)}" if run.diverged else f"after {steps} epochs"
        self._title.set_text(
            f"η = {settings.learning_rate:g}: loss {run.losses[0]:.4g} → {run.losses[-1]:.3g} {ended}; "
            f"{self.bias} {run.bias_values[0]:.4g} → {run.bias_values[-1]:.4g}"
        )
        return run


def bias_paths_explorer(network: Network, settings: Settings, bias: str, parameter: str,
                        value_range: tuple[float, float] | None = None):
    """Each path's share of ∂L/∂``bias`` and their sum as ``parameter`` moves, in the reader's browser.

    ``value_range`` defaults to the current value ± :data:`SWEEP_HALF_WIDTH`.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> view = bias_paths_explorer(ex.network, Settings.of(ex), "b1", "w6")
    >>> [s["quantity"] for s in view.view.panel["charts"][0]["series"]]
    ['delta:h1', 'delta:h2', 'gradient:b1']
    """

    _check_parameter(network, parameter)
    users = _drawable_users(network, bias)
    current = float(settings.params[parameter])
    low, high = value_range or (round(current - SWEEP_HALF_WIDTH, 9), round(current + SWEEP_HALF_WIDTH, 9))
    control = lx.control("parameter", parameter, f"{parameter}", (low, high), current)
    series = [lx.Series(f"delta:{n}", f"via {n}: δ_{n}", c, d) for n, c, d in zip(users, SERIES_COLOURS, lx.DASHES)]
    series.append(lx.Series(f"gradient:{bias}", f"sum = ∂L/∂{bias}", BLACK, (), 3.0))
    chart = lx.sweep_chart(parameter, f"Each path's contribution to ∂L/∂{bias} and their sum as {parameter} moves.",
                        parameter, f"contribution to ∂L/∂{bias}", series, symmetric=True)
    readouts = [lx.readout(f"via {n}: δ_{n}", f"delta:{n}") for n in users]
    readouts.append(lx.readout(f"sum ∂L/∂{bias}", f"gradient:{bias}"))

    def kernel():
        figure = BiasPathsFigure(network, bias, parameter, np.linspace(low, high, 21))
        slider = lx.kernel_slider(control, parameter)

        def draw(value: float) -> str:
            figure.show(settings, value)
            return figure.html(f"Each path's share of ∂L/∂{bias} and their sum, {parameter} = {value:.2f}")

        return lx.kernel_view({"value": slider}, draw)

    models = {"network": lx.LessonModel("network", network)}
    return lx.lesson_explorer(f"The paths of ∂L/∂{bias} as {parameter} moves", models, settings,
                           [lx.group(parameter, [control])], [chart], readouts, kernel)


def bias_training_explorer(network: Network, settings: Settings, bias: str, epochs: int = 2000,
                           rate_range: tuple[float, float] = (0.01, 5.0)):
    """A training run of the loss, each path of ∂L/∂``bias`` and the bias itself, in the reader's browser.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> view = bias_training_explorer(ex.network, Settings.of(ex), "b1", 30)
    >>> [c["y_label"] for c in view.view.panel["charts"]]
    ['training loss', 'paths of ∂L/∂b1', 'b1']
    """

    users = _drawable_users(network, bias)
    rate = lx.control("rate", "rate", "η: learning rate", rate_range, settings.learning_rate)
    paths = [lx.Series(f"delta:{n}", f"via {n}", c, d) for n, c, d in zip(users, SERIES_COLOURS, lx.DASHES)]
    charts = [
        lx.training_chart("The training loss (log scale).", "training loss", [lx.Series("loss", "training loss", BLUE)],
                       log_y=True),
        lx.training_chart(f"Each path of ∂L/∂{bias} and their sum over training.", f"paths of ∂L/∂{bias}",
                       [*paths, lx.Series(f"gradient:{bias}", "sum", BLACK, (), 3.0)], symmetric=True),
        lx.training_chart(f"{bias} over training.", bias, [lx.Series(f"value:{bias}", bias, ORANGE)]),
    ]
    readouts = [lx.readout("final loss", "loss", at="final"), lx.readout(f"final {bias}", f"value:{bias}", at="final")]

    def kernel():
        figure = BiasTrainingFigure(network, bias, epochs)
        slider = lx.kernel_slider(rate, "η")

        def draw(rate: float) -> str:
            figure.show(settings.replace(learning_rate=rate))
            return figure.html(f"Loss, paths of ∂L/∂{bias} and {bias} over {epochs} epochs at η = {rate:g}")

        return lx.kernel_view({"rate": slider}, draw)

    models = {"network": lx.LessonModel("network", network)}
    return lx.lesson_explorer(f"Training with a shared {bias}", models, settings, [lx.group("training", [rate])],
                              charts, readouts, kernel, epochs=epochs)


# --- The chapter's settings and the sentences that depend on them -------------------------------------------

# The document's eight parameters.
DOCUMENT_PARAMETERS: tuple[str, ...] = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2")


def check_shared_bias_settings(params: object, x: object, activations: object, loss: object) -> None:
    """Refuse settings the shared-bias chapter cannot show, naming the setting and what is allowed.

    The chapter runs :func:`backproplib.authoring.chapter_settings.check_chapter_settings` first (the
    limits of every chapter); this adds its own: the document's names, and the sigmoid in both layers
    with half the squared error, which its formulas (δ_out = (ŷ − y)·ŷ(1 − ŷ), slopes a(1 − a)) assume.

    >>> good = dict(params=dict.fromkeys(DOCUMENT_PARAMETERS, 0.1), x={"x1": 0.05, "x2": 0.1},
    ...             activations=["sigmoid", "sigmoid"], loss="half_squared_error")
    >>> check_shared_bias_settings(**good)
    >>> check_shared_bias_settings(**dict(good, activations=["tanh", "sigmoid"]))
    Traceback (most recent call last):
    ...
    ValueError: activations must be ['sigmoid', 'sigmoid'] in this chapter (its formulas use the sigmoid's
    slope a(1 − a)); got ['tanh', 'sigmoid']
    """
    check_document_settings(params, x, loss, DOCUMENT_PARAMETERS, ("x1", "x2"), "half_squared_error",
                            "its δ_out is (ŷ − y)·ŷ(1 − ŷ)")
    if not isinstance(activations, (list, tuple)) or list(activations) != ["sigmoid", "sigmoid"]:
        raise ValueError("activations must be ['sigmoid', 'sigmoid'] in this chapter (its formulas use the sigmoid's "
                         f"slope a(1 − a)); got {activations!r}")


def balancing_weight(w5: float, slope_h1: float, slope_h2: float) -> float | None:
    """The w6 at which the two paths of ∂L/∂b1 cancel, −w5·σ′(z_h1)/σ′(z_h2); None when σ′(z_h2) is 0.

    A saturated h2 (slope 0 in floating point, e.g. with b1 = 50) passes back nothing whatever w6 is,
    so no w6 balances the paths.

    >>> round(balancing_weight(0.4, 0.2413, 0.2406), 4), balancing_weight(0.4, 0.2, 0.0)
    (-0.4012, None)
    """
    return None if slope_h2 == 0 else -w5 * slope_h1 / slope_h2


def step_comparison(delta_h1: float, delta_h2: float) -> str:
    """Whether the shared bias's step, η(δ_h1 + δ_h2), is larger than either neuron's own bias step would be.

    It is larger than both exactly when the two error terms are non-zero with the same sign;
    with opposite signs the shared step is smaller than the larger of the two.

    >>> print(step_comparison(0.0134, 0.0150))
    both error terms have the same sign, so the shared step is larger than either own step
    (|δ_h1 + δ_h2| = 0.0284 against 0.0134 and 0.015)
    >>> step_comparison(0.002, -0.003)[:60]
    'the error terms have opposite signs, so the shared step is s'
    """
    total = abs(delta_h1 + delta_h2)
    sizes = f"(|δ_h1 + δ_h2| = {total:.3g} against {abs(delta_h1):.3g} and {abs(delta_h2):.3g})"
    if delta_h1 * delta_h2 > 0:
        return f"both error terms have the same sign, so the shared step is larger than either own step {sizes}"
    if delta_h1 * delta_h2 < 0:
        return ("the error terms have opposite signs, so the shared step is smaller than the larger own step: "
                f"the paths partly cancel {sizes}")
    return f"one error term is zero, so the shared step equals the other neuron's own step {sizes}"
