"""Every parameter's gradient as one parameter sweeps a range, and where ReLU units go silent.

A ReLU neuron whose weighted sum is at or below zero outputs 0 and has slope 0. Nothing
flows back through it, and the weights leaving it multiply an activation of 0: a single
negative weight in front of it silences the gradient of the weights on *both* sides.
:func:`gradients_along` computes every gradient along a sweep together with a mask of
those silent ("dead") positions; :class:`GradientFigure` only draws what it returns.

Used by the chapter 'A tiny network: ReLU, sigmoid and cross-entropy' (chapters/tiny_network.ipynb),
in its dead-zone explorer.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from ..engine.network import Network
from ..engine.numeric import backward
from ..views import lesson_explorer as lx
from ..views.explore import Settings
from ..views.figure import FigureView, checked_values, curve_grid, symmetric_limit
from ..views.palette import LEGEND_SIZE, SERIES_COLOURS, SERIES_STYLES, SHADE, TEXT_SIZE

__all__ = ["DEAD_ZONE_VALUES", "HIDDEN_ACTIVATIONS", "GradientSweep", "gradients_along", "GradientFigure",
           "with_hidden_activation", "dead_zone_explorer"]

# Slider positions for a first-layer weight: 25 steps of 0.125 from -1.5 to 1.5, so both 0 (the
# edge of the dead zone) and the document's 0.5 are positions of the slider.
DEAD_ZONE_VALUES: tuple[float, ...] = tuple(float(v) for v in np.linspace(-1.5, 1.5, 25))
# ReLU, and for contrast two smooth activations whose slope is never exactly 0.
HIDDEN_ACTIVATIONS: tuple[str, ...] = ("relu", "sigmoid", "tanh")


@dataclass(frozen=True)
class GradientSweep:
    """Gradients of every parameter while ``parameter`` takes each of ``values``.

    ``gradients[p]`` has one entry per value; ``at_current[p]`` is the gradient at the current
    setting. ``dead[n]`` is True where ReLU neuron ``n`` has z ≤ 0 (only ReLU neurons appear).
    """

    parameter: str
    values: np.ndarray
    gradients: dict[str, np.ndarray]
    current: float
    at_current: dict[str, float]
    dead: dict[str, np.ndarray]
    dead_at_current: dict[str, bool]


def gradients_along(network: Network, settings: Settings, parameter: str, values: Sequence[float]) -> GradientSweep:
    """Sweep ``parameter`` over ``values`` in one batched backward pass.

    Examples
    --------
    The document's network (doc 000): once w1 is negative, the ReLU neuron h is dead and
    neither w1 nor w2 receives any gradient.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> s = Settings.of(ex)
    >>> sweep = gradients_along(ex.network, s, "w1", [-0.5, 0.5])
    >>> [round(float(g), 4) for g in sweep.gradients["w1"]], [round(float(g), 4) for g in sweep.gradients["w2"]]
    ([0.0, 0.2811], [0.0, 0.2811])
    >>> sweep.dead["h"].tolist(), sweep.dead_at_current
    ([True, False], {'h': False})
    """
    network.check_parameter_name(parameter)
    sweep = checked_values(values)
    swept = backward(network, dict(settings.params, **{parameter: sweep}), settings.x, settings.y)
    here = backward(network, settings.params, settings.x, settings.y)
    relu_neurons = [n for layer in network.layers if layer.activation == "relu" for n in layer.neurons]
    return GradientSweep(
        parameter,
        sweep,
        {p: np.broadcast_to(g, sweep.shape).astype(float) for p, g in swept.gradients.items()},
        float(settings.params[parameter]),
        {p: float(g) for p, g in here.gradients.items()},
        {n: np.broadcast_to(swept.forward.z[n] <= 0, sweep.shape).copy() for n in relu_neurons},
        {n: bool(here.forward.z[n] <= 0) for n in relu_neurons},
    )


class GradientFigure(FigureView):
    """One panel: every parameter's gradient against the swept parameter, dead ReLU zones shaded.

    Built once; :meth:`show` moves lines, points and text in place. With w1 < 0 the ReLU is dead:

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> GradientFigure(ex.network, "w1").show(Settings.of(ex), -1.0).at_current
    {'w1': 0.0, 'w2': 0.0}
    """

    SIZE = (7.2, 2.2)

    def __init__(self, network: Network, parameter: str, values: Sequence[float] = DEAD_ZONE_VALUES,
                 points: int = 241) -> None:
        self.curve_values = curve_grid(values, points)
        if len(network.parameters) > len(SERIES_COLOURS):
            count = len(network.parameters)
            raise ValueError(f"network must have at most {len(SERIES_COLOURS)} parameters to draw; got {count}")
        self.network, self.parameter = network, parameter
        super().__init__()
        self.axes = self.figure.subplots()
        self.figure.subplots_adjust(left=0.09, right=0.98, bottom=0.2, top=0.95)
        self.axes.axhline(0.0, color="0.6", lw=0.8)
        self._lines, self._points = {}, {}
        for name, colour, style in zip(network.parameters, SERIES_COLOURS, SERIES_STYLES):
            label = f"∂L/∂{name}"
            self._lines[name] = self.axes.plot(self.curve_values, 0 * self.curve_values, color=colour, ls=style, lw=2,
                                               label=label)[0]
            self._points[name] = self.axes.plot([], [], "o", color=colour, ms=6)[0]
        self._cursor = self.axes.axvline(0.0, color="0.3", lw=0.8, ls=":")
        self.axes.set_xlim(self.curve_values[0], self.curve_values[-1])
        self.axes.set_xlabel(parameter)
        self.axes.set_ylabel("gradient")
        self._shading: list = []
        self._text = self.axes.text(
            0.98, 0.95, "", transform=self.axes.transAxes, ha="right", va="top", fontsize=TEXT_SIZE,
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5},
        )

    def show(self, settings: Settings, parameter_value: float | None = None) -> GradientSweep:
        """Redraw for ``settings`` (optionally with the swept parameter moved to ``parameter_value``)."""
        if parameter_value is not None:
            settings = settings.replace(**{self.parameter: parameter_value})
        sweep = gradients_along(self.network, settings, self.parameter, self.curve_values)
        for name, line in self._lines.items():
            line.set_ydata(sweep.gradients[name])
            self._points[name].set_data([sweep.current], [sweep.at_current[name]])
        self._cursor.set_xdata([sweep.current, sweep.current])
        for patch in self._shading:
            patch.remove()
        self._shading = [
            self.axes.fill_between(
                sweep.values, 0, 1, where=mask, transform=self.axes.get_xaxis_transform(),
                color=SHADE, lw=0, label=f"ReLU {neuron} dead (z_{neuron} ≤ 0)",
            )
            for neuron, mask in sweep.dead.items()
        ]
        self.axes.legend(loc="upper left", fontsize=LEGEND_SIZE, frameon=False)
        reach = symmetric_limit(*sweep.gradients.values())
        self.set_ylim(self.axes, -reach, reach)
        lines = [f"∂L/∂{name} = {value:.4f}" for name, value in sweep.at_current.items()]
        silent = [n for n, dead in sweep.dead_at_current.items() if dead]
        if silent:
            lines.append("dead: " + ", ".join(silent))
        self._text.set_text("\n".join(lines))
        return sweep


def with_hidden_activation(network: Network, activation: str) -> Network:
    """The same network with every hidden layer's activation replaced."""
    layers = tuple(replace(layer, activation=activation) for layer in network.layers[:-1]) + network.layers[-1:]
    return Network(network.inputs, layers, network.loss)


def dead_zone_explorer(network: Network, settings: Settings, epochs: int = 100, parameter: str = "w1",
                       value_range: tuple[float, float] = (DEAD_ZONE_VALUES[0], DEAD_ZONE_VALUES[-1])):
    """Loss with its tangent, training and every gradient for each hidden activation as ``parameter`` moves,
    in the reader's browser (one generated model per activation of :data:`HIDDEN_ACTIVATIONS`).

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> view = dead_zone_explorer(ex.network, Settings.of(ex))
    >>> view.view.panel["model_choice"]["value"], [c["kind"] for c in view.view.panel["charts"]]
    ('relu', ['sweep', 'training', 'sweep'])
    """
    from ..views.palette import BLUE, GREEN, PINK

    network.check_parameter_name(parameter)
    models = {name: lx.LessonModel(name, with_hidden_activation(network, name)) for name in HIDDEN_ACTIVATIONS}
    hidden = [n for layer in network.layers[:-1] for n in layer.neurons]
    own = network.layers[0].activation
    start = own if own in HIDDEN_ACTIVATIONS else HIDDEN_ACTIVATIONS[0]
    control = lx.control("parameter", parameter, parameter, value_range, float(settings.params[parameter]))
    styles = zip(network.parameters, SERIES_COLOURS, lx.DASHES)
    gradients = [lx.Series(f"gradient:{p}", f"∂L/∂{p}", c, d) for p, c, d in styles]
    charts = [
        lx.sweep_chart(parameter, f"The loss as {parameter} moves, the current value and the tangent whose slope is "
                    "backprop gradient.", parameter, "loss", [lx.Series("loss", "loss", BLUE)],
                    tangent=lx.tangent("loss", f"gradient:{parameter}", "tangent: slope = backprop gradient", GREEN)),
        lx.training_chart("The training loss over the epochs from the current setting.", "training loss",
                       [lx.Series("loss", "training loss", PINK)], log_y=True),
        lx.sweep_chart(parameter, f"Every parameter's gradient as {parameter} moves.", parameter, "gradient", gradients,
                    symmetric=True),
    ]
    readouts = [lx.readout("loss", "loss"), *(lx.readout(f"∂L/∂{p}", f"gradient:{p}") for p in network.parameters),
                *(lx.readout(f"{k}_{n}", f"{k}:{n}") for n in hidden for k in ("z", "slope"))]

    def kernel():
        return _dead_zone_kernel(models, settings, parameter, value_range, epochs, control, start)

    return lx.lesson_explorer("Loss, training and gradients for each hidden activation", models, settings,
                           [lx.group(parameter, [control])], charts, readouts, kernel, epochs=epochs,
                           choice=("hidden layer", "hidden activation", start))


def _dead_zone_kernel(models, settings: Settings, parameter: str, value_range, epochs: int, control, start: str):
    """The ipywidgets view of :func:`dead_zone_explorer`: its loss and gradient figures, redrawn by Python."""
    import ipywidgets as w

    from ..views.widgets import LossFigure

    figures = {name: (LossFigure(m.network, parameter, value_range, epochs),
                      GradientFigure(m.network, parameter, DEAD_ZONE_VALUES)) for name, m in models.items()}
    menu = w.Dropdown(options=list(HIDDEN_ACTIVATIONS), value=start, description="hidden")

    def draw(activation: str, value: float) -> str:
        loss_figure, gradient_figure = figures[activation]
        loss_figure.show(settings, value)
        gradient_figure.show(settings, value)
        return loss_figure.html(f"Loss and training, {activation} hidden, {parameter} = {value:.2f}") + \
            gradient_figure.html(f"Every gradient as {parameter} varies, {activation} hidden")

    return lx.kernel_view({"activation": menu, "value": lx.kernel_slider(control, parameter)}, draw)
