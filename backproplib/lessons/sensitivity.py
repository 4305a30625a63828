"""How much blame a hidden weight receives: the outgoing weight times the neuron's sensitivity.

In a network with one hidden layer and one output neuron, the gradient of a weight ``w``
into hidden neuron ``h`` is a product of four numbers::

    ∂L/∂w = δ_o · w_o · σ'(z_h) · a_in

``δ_o = ∂L/∂z_o`` is the output's error term, ``w_o`` the weight carrying ``h``'s signal to the
output, ``σ'(z_h)`` the slope ("sensitivity") of ``h``'s activation at its weighted sum, and
``a_in`` the input that ``w`` multiplies. :func:`blame_along` sweeps ``w_o`` or ``z_h`` and
returns the true gradient together with the same product with ``δ_o`` held at its present
value, which shows the two rules of proportion on their own. :class:`SigmoidFigure` and
:class:`BlameFigure` only draw what the pure functions return.

Used by the chapter 'The ideas: weights, sensitivity and the flow of blame' (chapters/ideas.ipynb).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..engine.activations import get_activation
from ..engine.network import Network
from ..engine.numeric import backward
from ..engine.training import train
from ..views import lesson_explorer as lx
from ..views.explore import Settings
from ..views.figure import FigureView, checked_range, checked_values, curve_grid, symmetric_limit
from ..views.palette import BLUE, GREEN, GREY, LEGEND_SIZE, PINK, VERMILLION

__all__ = [
    "Z_VALUES", "OUTGOING_WEIGHTS", "PRE_ACTIVATIONS", "SWEEPS", "SigmoidPoint", "sigmoid_at",
    "SigmoidFigure", "HiddenWeight", "hidden_weight", "BlameSweep", "blame_along", "BlameFigure",
    "blame_panel", "sigmoid_explorer", "blame_explorer", "check_followed_weights", "TwinRun", "twin_start",
    "twin_run",
]

# Slider positions of the sigmoid figure: z from -8 to 8 in steps of 1, so the peak at 0 and the
# nearly flat tails are all positions.
Z_VALUES: tuple[float, ...] = tuple(float(v) for v in np.linspace(-8.0, 8.0, 17))
# Outgoing weight w_o: -2.5 to 2.5 in steps of 0.5 (0 included: the weight that passes no blame).
OUTGOING_WEIGHTS: tuple[float, ...] = tuple(float(v) for v in np.linspace(-2.5, 2.5, 11))
# The hidden neuron's weighted sum z_h: -6 to 6 in steps of 2 (0, the steepest point, included).
PRE_ACTIVATIONS: tuple[float, ...] = tuple(float(v) for v in np.linspace(-6.0, 6.0, 7))
# What a blame sweep can move.
SWEEPS: tuple[str, ...] = ("outgoing", "pre_activation")
_SIGMOID = get_activation("sigmoid")


@dataclass(frozen=True)
class SigmoidPoint:
    """The sigmoid at one weighted sum: its value, its slope and the slope as a share of the peak 1/4."""

    z: float
    value: float
    slope: float

    @property
    def share_of_peak(self) -> float:
        return self.slope / 0.25


def sigmoid_at(z: float) -> SigmoidPoint:
    """σ(z) and its slope σ'(z) = σ(z)(1 − σ(z)).

    Examples
    --------
    >>> sigmoid_at(0.0)
    SigmoidPoint(z=0.0, value=0.5, slope=0.25)
    >>> p = sigmoid_at(4.0)
    >>> round(p.value, 4), round(p.slope, 4), round(p.share_of_peak, 3)
    (0.982, 0.0177, 0.071)
    >>> sigmoid_at(float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: z must be a finite number; got nan
    """
    if isinstance(z, bool) or not isinstance(z, (int, float, np.integer, np.floating)) or not np.isfinite(z):
        raise ValueError(f"z must be a finite number; got {z!r}")
    value = float(_SIGMOID.function(np.float64(z)))
    return SigmoidPoint(float(z), value, float(_SIGMOID.derivative(np.float64(z), np.float64(value))))


class SigmoidFigure(FigureView):
    """σ(z) above σ'(z), with marked weighted sums and the tangent to σ at the first mark.

    Built once; :meth:`show` moves the marks and the tangent in place.

    Examples
    --------
    >>> fig = SigmoidFigure()
    >>> points = fig.show({"h1": 0.4, "o": 1.0225})
    >>> [(name, round(p.slope, 4)) for name, p in points.items()]
    [('h1', 0.2403), ('o', 0.1946)]
    """

    SIZE = (7.2, 3.6)

    def __init__(self, z_range: tuple[float, float] = (Z_VALUES[0], Z_VALUES[-1])) -> None:
        low, high = checked_range(z_range, "z_range")
        self.z = np.linspace(low, high, 321)
        super().__init__()
        self.value_axes, self.slope_axes = self.figure.subplots(2, 1, sharex=True)
        self.figure.subplots_adjust(left=0.1, right=0.98, bottom=0.13, top=0.97, hspace=0.12)
        a, b = self.value_axes, self.slope_axes
        values = _SIGMOID.function(self.z)
        a.plot(self.z, values, color=BLUE, lw=2, label="σ(z): the activation")
        b.plot(self.z, _SIGMOID.derivative(self.z, values), color=VERMILLION, lw=2, ls=(0, (5, 2)),
               label="σ'(z) = σ(z)(1 − σ(z)): the sensitivity")
        b.axhline(0.25, color=GREY, lw=0.8, ls=":")
        b.text(high, 0.255, "peak 1/4 at z = 0 ", fontsize=LEGEND_SIZE, ha="right", va="bottom", color="0.3")
        a.set_ylim(-0.05, 1.05)
        b.set_ylim(0.0, 0.34)
        a.set_xlim(low, high)
        a.set_ylabel("σ(z)")
        b.set_ylabel("σ'(z)")
        b.set_xlabel("weighted sum z")
        (self._tangent,) = a.plot([], [], color=GREEN, lw=2, ls=(0, (3, 1.5)),
                                  label="tangent at the first mark: slope σ'(z)")
        a.legend(loc="upper left", fontsize=LEGEND_SIZE, frameon=False)
        b.legend(loc="upper left", fontsize=LEGEND_SIZE, frameon=False)
        self._marks: list = []

    def show(self, marks: Mapping[str, float]) -> dict[str, SigmoidPoint]:
        """Mark each named weighted sum on both curves; the tangent touches σ at the first one."""
        if not marks:
            raise ValueError("marks must name at least one weighted sum, e.g. {'h1': 0.4}")
        points = {name: sigmoid_at(z) for name, z in marks.items()}
        for artist in self._marks:
            artist.remove()
        self._marks = []
        shapes = ("o", "s", "^", "D", "v")
        shape_names = {"o": "●", "s": "■", "^": "▲", "D": "◆", "v": "▼"}
        for k, (name, p) in enumerate(points.items()):
            shape = shapes[k % len(shapes)]
            self._marks += self.value_axes.plot([p.z], [p.value], shape, color=PINK, ms=7, mec="black", mew=0.6)
            self._marks += self.slope_axes.plot([p.z], [p.slope], shape, color=PINK, ms=7, mec="black", mew=0.6)
            label = f"{shape_names[shape]} {name}: z = {p.z:.2f}, σ(z) = {p.value:.3f}, σ'(z) = {p.slope:.3f}"
            height = 0.06 + 0.12 * (len(points) - 1 - k)
            self._marks.append(self.value_axes.text(0.98, height, label, ha="right", va="bottom", fontsize=LEGEND_SIZE,
                                                    transform=self.value_axes.transAxes))
        first = next(iter(points.values()))
        half = 0.12 * (self.z[-1] - self.z[0])
        ends = np.array([first.z - half, first.z + half])
        self._tangent.set_data(ends, first.value + first.slope * (ends - first.z))
        return points


@dataclass(frozen=True)
class HiddenWeight:
    """Where a weight into a hidden neuron sits: the neuron, its bias, the input, the outgoing weight."""

    weight: str
    neuron: str
    bias: str
    source: str
    outgoing: str
    output: str


def hidden_weight(network: Network, weight: str) -> HiddenWeight:
    """Locate ``weight`` in a one-hidden-layer, one-output network whose hidden neurons have own biases.

    >>> from backproplib.checking.examples import load_example
    >>> hidden_weight(load_example("blame_flow").network, "wh12")
    HiddenWeight(weight='wh12', neuron='h1', bias='bh1', source='x2', outgoing='wo1', output='o')
    >>> hidden_weight(load_example("blame_flow").network, "wo1")
    Traceback (most recent call last):
    ...
    ValueError: weight must be one of 'wh11', 'wh12', 'wh21', 'wh22'; got 'wo1'
    """
    if len(network.layers) != 2 or len(network.outputs) != 1:
        raise ValueError("network must have one hidden layer and one output neuron; "
                         f"got {len(network.layers)} layers, outputs {network.outputs}")
    hidden, output = network.layers
    if hidden.bias is None or hidden.shared_bias:
        raise ValueError("network's hidden neurons must each have their own bias, to move z_h on its own")
    places = {w: (j, i) for j in range(len(hidden.neurons)) for i, w in enumerate(hidden.weights[j])}
    if weight not in places:
        allowed = ", ".join(repr(w) for w in places)
        raise ValueError(f"weight must be one of {allowed}; got {weight!r}")
    j, i = places[weight]
    bias = hidden.bias_of(j)
    return HiddenWeight(weight, hidden.neurons[j], bias, network.inputs[i], output.weights[0][j], output.neurons[0])  # type: ignore[arg-type]


@dataclass(frozen=True)
class BlameSweep:
    """The gradient of a hidden weight while the outgoing weight or the neuron's weighted sum moves.

    ``gradient`` is the true ∂L/∂w at each of ``values``; ``held`` is δ_o · w_o · σ'(z_h) · a_in with
    δ_o kept at its value at the current setting, so only the swept factor changes;
    ``outgoing_gradient`` is ∂L/∂w_o, the blame of the outgoing connection itself. ``factors``
    gives the four factors at the current setting.
    """

    weight: HiddenWeight
    sweep: str
    values: np.ndarray
    gradient: np.ndarray
    held: np.ndarray
    outgoing_gradient: np.ndarray
    current: float
    gradient_at_current: float
    factors: dict[str, float]


def _checked_sweep(sweep: str) -> str:
    if sweep not in SWEEPS:
        allowed = ", ".join(repr(s) for s in SWEEPS)
        raise ValueError(f"sweep must be one of {allowed}; got {sweep!r}")
    return sweep


def blame_along(network: Network, settings: Settings, weight: str, sweep: str, values: Sequence[float]) -> BlameSweep:
    """Sweep the outgoing weight (``sweep="outgoing"``) or the hidden neuron's weighted sum
    (``sweep="pre_activation"``, moved through the neuron's bias) in one batched backward pass.

    Examples
    --------
    With the outgoing weight at 0 the hidden weight gets no blame, but the outgoing weight does:

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("blame_flow")
    >>> s = Settings.of(ex)
    >>> b = blame_along(ex.network, s, "wh11", "outgoing", [0.0, 1.5, 3.0])
    >>> [round(float(g), 4) + 0.0 for g in b.gradient], [round(float(g), 4) + 0.0 for g in b.held]
    ([0.0, -0.0185, -0.0103], [0.0, -0.0185, -0.0371])
    >>> round(float(b.outgoing_gradient[0]), 4)
    -0.0699
    >>> {k: round(v, 4) for k, v in b.factors.items()}
    {'delta_o': -0.0515, 'outgoing weight': 1.5, 'slope': 0.2403, 'input': 1.0}
    >>> c = blame_along(ex.network, s, "wh11", "pre_activation", [0.0, 6.0])
    >>> [round(float(g), 4) for g in c.gradient], round(c.current, 4)
    ([-0.0229, -0.0001], 0.4)
    """
    place = hidden_weight(network, weight)
    _checked_sweep(sweep)
    grid = checked_values(values)
    here = backward(network, settings.params, settings.x, settings.y)
    z_now = float(here.forward.z[place.neuron])
    factors = {
        "delta_o": float(here.delta[place.output]),
        "outgoing weight": float(settings.params[place.outgoing]),
        "slope": float(here.da_dz[place.neuron]),
        "input": float(here.forward.a[place.source]),
    }
    activation = get_activation(network.layers[0].activation)
    if sweep == "outgoing":
        params = dict(settings.params, **{place.outgoing: grid})
        current = factors["outgoing weight"]
        held = factors["delta_o"] * grid * factors["slope"] * factors["input"]
    else:
        # Shifting the bias moves z_h by the same amount and touches nothing else before h.
        params = dict(settings.params, **{place.bias: settings.params[place.bias] + (grid - z_now)})
        current = z_now
        slopes = activation.derivative(grid, activation.function(grid))
        held = factors["delta_o"] * factors["outgoing weight"] * slopes * factors["input"]
    swept = backward(network, params, settings.x, settings.y)
    return BlameSweep(
        place,
        sweep,
        grid,
        np.broadcast_to(swept.gradients[weight], grid.shape).astype(float),
        np.asarray(held, dtype=float),
        np.broadcast_to(swept.gradients[place.outgoing], grid.shape).astype(float),
        current,
        float(here.gradients[weight]),
        factors,
    )


class BlameFigure(FigureView):
    """Two panels: ∂L/∂w against the outgoing weight, and against the hidden neuron's weighted sum.

    Each panel draws the true gradient (solid), the product with δ_o held fixed (dashed) and the
    current point; the left panel also draws the outgoing weight's own gradient (dotted).
    Built once; :meth:`show` moves lines, points and text in place.

    Examples
    --------
    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("blame_flow")
    >>> fig = BlameFigure(ex.network, "wh11")
    >>> left, right = fig.show(Settings.of(ex), outgoing=0.0)
    >>> abs(left.gradient_at_current), right.sweep
    (0.0, 'pre_activation')
    """

    SIZE = (7.2, 2.7)

    def __init__(self, network: Network, weight: str, outgoing_values: Sequence[float] = OUTGOING_WEIGHTS,
                 pre_activation_values: Sequence[float] = PRE_ACTIVATIONS, points: int = 161) -> None:
        self.network, self.place = network, hidden_weight(network, weight)
        self.grids = {
            sweep: curve_grid(np.asarray(ends, dtype=float), points, f"{sweep} values")
            for sweep, ends in zip(SWEEPS, (outgoing_values, pre_activation_values))
        }
        super().__init__()
        self.axes = dict(zip(SWEEPS, self.figure.subplots(1, 2, sharey=True)))
        self.figure.subplots_adjust(left=0.1, right=0.98, bottom=0.17, top=0.96, wspace=0.08)
        self._lines = {sweep: self._draw_panel(sweep) for sweep in SWEEPS}
        self.axes["outgoing"].set_ylabel("gradient")

    def _draw_panel(self, sweep: str) -> dict[str, object]:
        p, axes, grid = self.place, self.axes[sweep], self.grids[sweep]
        labels = {
            "outgoing": f"outgoing weight {p.outgoing}",
            "pre_activation": f"weighted sum z_{p.neuron} (moved by {p.bias})",
        }
        axes.axhline(0.0, color="0.7", lw=0.8)
        lines = {
            "gradient": axes.plot(grid, 0 * grid, color=BLUE, lw=2, label=f"∂L/∂{p.weight}")[0],
            "held": axes.plot(grid, 0 * grid, color=GREY, lw=1.5, ls=(0, (5, 2)), label="same, δ_o held fixed")[0],
            "point": axes.plot([], [], "o", color=VERMILLION, ms=7, mec="black", mew=0.6)[0],
        }
        if sweep == "outgoing":
            lines["outgoing"] = axes.plot(grid, 0 * grid, color=GREEN, lw=1.8, ls=(0, (1, 1.2)),
                                          label=f"∂L/∂{p.outgoing} (its own blame)")[0]
        box = {"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5}
        lines["text"] = axes.text(0.98, 0.04, "", transform=axes.transAxes, ha="right", va="bottom",
                                  fontsize=LEGEND_SIZE, bbox=box)
        axes.set_xlim(grid[0], grid[-1])
        axes.set_xlabel(labels[sweep], fontsize=8)
        axes.legend(loc="upper right" if sweep == "outgoing" else "upper left", fontsize=6.5, frameon=False)
        return lines

    def show(
        self, settings: Settings, outgoing: float | None = None, pre_activation: float | None = None
    ) -> tuple[BlameSweep, BlameSweep]:
        """Redraw for ``settings``, optionally with the outgoing weight and the weighted sum moved first."""
        p = self.place
        if outgoing is not None:
            settings = settings.replace(**{p.outgoing: outgoing})
        if pre_activation is not None:
            z_now = float(backward(self.network, settings.params, settings.x, settings.y).forward.z[p.neuron])
            settings = settings.replace(**{p.bias: settings.params[p.bias] + (pre_activation - z_now)})
        sweeps = tuple(blame_along(self.network, settings, p.weight, s, self.grids[s]) for s in SWEEPS)
        reach = symmetric_limit(*(b.gradient for b in sweeps), *(b.held for b in sweeps), sweeps[0].outgoing_gradient)
        for b in sweeps:
            lines = self._lines[b.sweep]
            lines["gradient"].set_ydata(b.gradient)
            lines["held"].set_ydata(b.held)
            lines["point"].set_data([b.current], [b.gradient_at_current])
            if "outgoing" in lines:
                lines["outgoing"].set_ydata(b.outgoing_gradient)
        f = sweeps[0].factors
        self._lines["outgoing"]["text"].set_text(
            f"{p.outgoing} = {f['outgoing weight']:.2f}: ∂L/∂{p.weight} = {sweeps[0].gradient_at_current:.4f}")
        self._lines["pre_activation"]["text"].set_text(
            f"z_{p.neuron} = {sweeps[1].current:.2f}, σ' = {f['slope']:.3f}, δ_o = {f['delta_o']:.4f}")
        self.set_ylim(self.axes["outgoing"], -reach, reach)
        return sweeps  # type: ignore[return-value]


def blame_panel(network: Network, settings: Settings, weight: str, outgoing_range: tuple[float, float] = (-3.0, 3.0),
                pre_activation_range: tuple[float, float] = (-8.0, 8.0)):
    """A live panel: a menu of hidden weights and sliders for the outgoing weight and the weighted sum.

    Needs a running kernel; the built book shows :func:`blame_explorer`, which computes in the browser.
    """
    import ipywidgets as w

    choices = [wt for j in range(len(network.layers[0].neurons)) for wt in network.layers[0].weights[j]]
    place = hidden_weight(network, weight)
    figures: dict[str, BlameFigure] = {}
    here = backward(network, settings.params, settings.x, settings.y)
    menu = w.Dropdown(options=choices, value=weight, description="weight")
    outgoing = w.FloatSlider(value=float(settings.params[place.outgoing]), min=outgoing_range[0], max=outgoing_range[1],
                             step=0.05, description="w_o", readout_format=".2f")
    z_slider = w.FloatSlider(value=float(here.forward.z[place.neuron]), min=pre_activation_range[0],
                             max=pre_activation_range[1], step=0.1, description="z_h", readout_format=".2f")
    image = w.HTML()

    def redraw(_change: object = None) -> None:
        chosen = menu.value
        if chosen not in figures:
            figures[chosen] = BlameFigure(network, chosen, outgoing_range, pre_activation_range)
        figures[chosen].show(settings, outgoing.value, z_slider.value)
        alt = (f"∂L/∂{chosen} against the outgoing weight (left) and against the hidden neuron's weighted sum "
               f"(right); w_o = {outgoing.value:.2f}, z_h = {z_slider.value:.2f}")
        image.value = figures[chosen].html(alt)

    for control in (menu, outgoing, z_slider):
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([menu, w.HBox([outgoing, z_slider]), image])


def _sigmoid_neuron() -> Network:
    """σ as a one-neuron network: input z, weight 1, no bias; its pass gives σ(z) and σ'(z)."""
    from ..engine.network import Layer

    return Network(("z",), (Layer(("s",), "sigmoid", (("w",),)),), "half_squared_error")


def sigmoid_explorer(z: float = 0.0, z_range: tuple[float, float] = (Z_VALUES[0], Z_VALUES[-1])):
    """σ(z) with its tangent above σ'(z), z on a slider, computed in the reader's browser.

    >>> view = sigmoid_explorer(0.4)
    >>> [c["kind"] for c in view.view.panel["charts"]], view.view.panel["groups"][0]["controls"][0]["value"]
    (['sweep', 'sweep'], 0.4)
    """

    z = round(float(z), 12)  # a computed z (e.g. a chapter's z_h1): the slider's grid passes through it
    models = {"sigmoid": lx.LessonModel("sigmoid", _sigmoid_neuron())}
    settings = Settings({"w": 1.0}, {"z": float(z)}, 0.0, 0.1)
    control = lx.control("input", "z", "z: the weighted sum", checked_range(z_range, "z_range"), float(z))
    charts = [
        lx.sweep_chart("z", "σ(z), the activation, with the tangent at z: its slope is σ'(z).", "weighted sum z",
                    "σ(z)", [lx.Series("a:s", "σ(z): the activation", BLUE)],
                    tangent=lx.tangent("a:s", "slope:s", "tangent at z: slope σ'(z)", GREEN)),
        lx.sweep_chart("z", "σ'(z) = σ(z)(1 − σ(z)), the sensitivity: at most 1/4, at z = 0.", "weighted sum z",
                    "σ'(z)", [lx.Series("slope:s", "σ'(z) = σ(z)(1 − σ(z)): the sensitivity", VERMILLION, (10, 4))]),
    ]
    readouts = [lx.readout("σ(z)", "a:s"), lx.readout("σ'(z)", "slope:s")]

    def kernel():
        import ipywidgets as w

        figure = SigmoidFigure(z_range)
        slider = w.FloatSlider(value=float(z), min=z_range[0], max=z_range[1], step=control.step, description="z")

        def draw(z: float) -> str:
            figure.show({"z": z})
            return figure.html(f"The sigmoid and its slope with z = {z:.2f} marked and the tangent drawn there")

        return lx.kernel_view({"z": slider}, draw)

    groups = [lx.group("weighted sum", [control])]
    title = "The sigmoid and its slope as z moves"
    return lx.lesson_explorer(title, models, settings, groups, charts, readouts, kernel)


def blame_explorer(network: Network, settings: Settings, weight: str, outgoing_range: tuple[float, float] = (-3.0, 3.0),
                   pre_activation_range: tuple[float, float] = (-8.0, 8.0)):
    """The blame of ``weight`` as the outgoing weight and the hidden neuron's weighted sum move, in the browser.

    The weighted sum moves through the neuron's own bias (so nothing before the neuron changes);
    its chart's x axis is z itself.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("blame_flow")
    >>> view = blame_explorer(ex.network, Settings.of(ex), "wh11")
    >>> [c["name"] for g in view.view.panel["groups"] for c in g["controls"]]
    ['wo1', 'bh1']
    """

    p = hidden_weight(network, weight)
    z_now = float(backward(network, settings.params, settings.x, settings.y).forward.z[p.neuron])
    bias = float(settings.params[p.bias])
    low, high = checked_range(pre_activation_range, "pre_activation_range")
    controls = [
        lx.control("parameter", p.outgoing, f"{p.outgoing}: outgoing weight of {p.neuron}", outgoing_range,
                       float(settings.params[p.outgoing])),
        lx.control("parameter", p.bias, f"{p.bias}: bias of {p.neuron} (moves z_{p.neuron})",
                       (round(bias + low - z_now, 9), round(bias + high - z_now, 9)), bias),
    ]
    own = lx.Series(f"gradient:{p.weight}", f"∂L/∂{p.weight}", BLUE)
    charts = [
        lx.sweep_chart(p.outgoing, f"∂L/∂{p.weight} and the outgoing weight's own gradient as {p.outgoing} moves.",
                    f"outgoing weight {p.outgoing}", "gradient",
                    [own, lx.Series(f"gradient:{p.outgoing}", f"∂L/∂{p.outgoing} (its own blame)", GREEN, (2, 3))],
                    symmetric=True),
        lx.sweep_chart(p.bias, f"∂L/∂{p.weight} as the weighted sum z_{p.neuron} moves (through {p.bias}).",
                    f"weighted sum z_{p.neuron} (moved by {p.bias})", "gradient", [own], x=f"z:{p.neuron}",
                    symmetric=True),
        lx.sweep_chart(p.bias, f"The sensitivity σ'(z_{p.neuron}): the factor the weighted sum sets.",
                    f"weighted sum z_{p.neuron} (moved by {p.bias})", f"σ'(z_{p.neuron})",
                    [lx.Series(f"slope:{p.neuron}", f"σ'(z_{p.neuron})", VERMILLION, (10, 4))], x=f"z:{p.neuron}"),
    ]
    readouts = [lx.readout(f"∂L/∂{name}", f"gradient:{name}") for name in (p.weight, p.outgoing)]
    readouts += [lx.readout(f"z_{p.neuron}", f"z:{p.neuron}"), lx.readout(f"σ'(z_{p.neuron})", f"slope:{p.neuron}"),
                 lx.readout(f"δ_{p.output}", f"delta:{p.output}")]
    models = {"network": lx.LessonModel("network", network)}
    return lx.lesson_explorer(f"The blame of {p.weight} as {p.outgoing} and z_{p.neuron} move", models, settings,
                           [lx.group(f"around {p.neuron}", controls)], charts, readouts,
                           lambda: blame_panel(network, settings, weight, outgoing_range, pre_activation_range))


# --- What the chapter accepts, and what zero or equal starting weights do ---------------------------------------

def check_followed_weights(network: Network, output_weight: object, hidden_weight_name: object) -> HiddenWeight:
    """Check the chapter's two followed weights: an output weight and a weight into a hidden neuron.

    Returns where the hidden weight sits. A typo gets a message naming the setting and the
    allowed names, before anything looks the name up.

    >>> from backproplib.checking.examples import load_example
    >>> net = load_example("blame_flow").network
    >>> check_followed_weights(net, "wo2", "wh21").outgoing
    'wo2'
    >>> check_followed_weights(net, "w01", "wh11")
    Traceback (most recent call last):
    ...
    ValueError: output_weight must be one of 'wo1', 'wo2' (a weight into the output); got 'w01'
    >>> check_followed_weights(net, "wo1", "bh1")
    Traceback (most recent call last):
    ...
    ValueError: hidden_weight must be one of 'wh11', 'wh12', 'wh21', 'wh22' (a weight into a hidden neuron); got 'bh1'
    """
    outputs = network.layers[-1].weights[0]
    if output_weight not in outputs:
        allowed = ", ".join(repr(w) for w in outputs)
        raise ValueError(f"output_weight must be one of {allowed} (a weight into the output); got {output_weight!r}")
    try:
        return hidden_weight(network, hidden_weight_name)  # type: ignore[arg-type]
    except ValueError as error:
        if "weight must be one of" not in str(error):
            raise
        allowed = str(error).split("weight must be one of ", 1)[1].rsplit(";", 1)[0]
        raise ValueError(f"hidden_weight must be one of {allowed} (a weight into a hidden neuron); "
                         f"got {hidden_weight_name!r}") from None


@dataclass(frozen=True)
class TwinRun:
    """Training from a start where every hidden neuron is a copy of the first.

    ``start`` and ``end`` are the parameters before and after ``epochs`` steps; ``spread`` is
    the largest difference, after training, between corresponding parameters of two hidden
    neurons (their incoming weights, biases and outgoing weights); ``first_gradients`` are the
    gradients of the first step.
    """

    start: dict[str, float]
    end: dict[str, float]
    first_gradients: dict[str, float]
    spread: float
    epochs: int


def twin_start(network: Network, params: Mapping[str, float], value: float | None = None) -> dict[str, float]:
    """``params`` with every hidden neuron made a copy of the first (or every parameter set to ``value``).

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("blame_flow")
    >>> start = twin_start(ex.network, ex.params)
    >>> [start[n] for n in ("wh11", "wh21", "bh1", "bh2", "wo1", "wo2")]
    [0.5, 0.5, 0.1, 0.1, 1.5, 1.5]
    >>> set(twin_start(ex.network, ex.params, 0.0).values())
    {0.0}
    """
    if value is not None:
        return {name: float(value) for name in network.parameters}
    hidden, output = network.layers
    twins = {name: float(v) for name, v in params.items()}
    for j in range(1, len(hidden.neurons)):
        for mine, first in zip(hidden.weights[j], hidden.weights[0]):
            twins[mine] = twins[first]
        twins[hidden.bias_of(j)] = twins[hidden.bias_of(0)]  # type: ignore[index]
        twins[output.weights[0][j]] = twins[output.weights[0][0]]
    return twins


def twin_run(network: Network, settings: Settings, start: Mapping[str, float], epochs: int) -> TwinRun:
    """Train from ``start`` and measure how far the hidden neurons have drifted apart.

    Two neurons that start with the same incoming weights, bias and outgoing weight compute the
    same activation, get the same error term and so the same updates: the spread stays 0.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("blame_flow")
    >>> run = twin_run(ex.network, Settings.of(ex), twin_start(ex.network, ex.params), 50)
    >>> run.spread, run.end["wh11"] == run.end["wh21"], run.end["wh11"] != run.start["wh11"]
    (0.0, True, True)
    """
    hidden, output = network.layers
    first = backward(network, dict(start), settings.x, settings.y)
    end = train(network, dict(start), settings.x, settings.y, settings.learning_rate, epochs).params
    end = {name: float(v) for name, v in end.items()}
    rows = [[*hidden.weights[j], hidden.bias_of(j), output.weights[0][j]] for j in range(len(hidden.neurons))]
    spread = max((abs(end[a] - end[b]) for row in rows[1:] for a, b in zip(row, rows[0])), default=0.0)
    return TwinRun(dict(start), end, {n: float(g) for n, g in first.gradients.items()}, spread, epochs)
