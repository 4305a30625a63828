"""Which predictions an output activation can make, and what training does when the target lies outside.

A sigmoid output can only say numbers in (0, 1), a tanh only numbers in (−1, 1). Ask either for
3.3 and gradient descent does the best it can: it pushes ŷ against the edge of the range, and
the loss settles on a floor it can never go below, ½(edge − y)². An identity or ReLU output
can reach any target ≥ 0, but both have their own failure at large learning rates: a ReLU
output whose weighted sum turns negative passes back no gradient at all, and a large first
step can drive the hidden sigmoids into saturation or make the weights blow up.

:func:`train_with_output` is the pure computation; :class:`OutputRangeFigure` only draws what it
returns, so tests can sweep every control position without a browser or a kernel.

Used by the chapter 'Learning y = x1 + x2: a target the sigmoid cannot reach' (chapters/sum_target.ipynb).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..engine.activations import get_activation
from ..engine.network import Network
from ..engine.numeric import BackwardPass, backward, forward
from ..engine.training import DIVERGENCE_LIMIT, check_epochs, check_learning_rate, train
from ..views import lesson_explorer as lx
from ..views.explore import Settings
from ..views.figure import FigureView, checked_epochs
from ..views.palette import BLACK, BLUE, GREEN, LEGEND_SIZE, TEXT_SIZE, VERMILLION, YELLOW
from .document_settings import check_document_settings

__all__ = [
    "OUTPUT_ACTIVATIONS", "LEARNING_RATES", "EPOCHS", "TARGET_RANGE", "LEARNING_RATE_RANGE",
    "STALL_GRADIENT", "reachable_outputs", "loss_floor", "with_output_activation", "OutputRun",
    "train_with_output", "OutputRangeFigure", "output_range_panel", "describe_range",
    "output_range_explorer",
]

# The choices of the activation menu, in menu order.
OUTPUT_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "identity", "relu", "tanh")
# Learning-rate positions of the kernel-free explorer. For the document's network and target
# they cover every outcome: slow and fast approach to the floor (sigmoid, tanh), convergence to
# the target (identity, ReLU up to 1), a ReLU output that switches itself off (from 1.3), hidden
# sigmoids driven into saturation (identity at 2 and 5), and a run that blows up (identity at 10).
LEARNING_RATES: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 1.0, 1.3, 2.0, 5.0, 10.0)
# Enough steps for the sigmoid output to settle visibly on its floor at the document's η = 0.1.
EPOCHS = 2000
# Ranges of the live panel's target and learning-rate sliders.
TARGET_RANGE: tuple[float, float] = (-2.0, 5.0)
LEARNING_RATE_RANGE: tuple[float, float] = (0.01, 10.0)
# Below this largest gradient size a run above its floor can no longer move: it is stuck.
STALL_GRADIENT = 1e-9
# How far above the floor a final loss may be and still count as having reached it.
FLOOR_TOLERANCE = 1e-6


def reachable_outputs(activation: str) -> tuple[float, float]:
    """The interval of values an output neuron with ``activation`` can produce, as ``(low, high)``.

    Bounds a saturating activation only approaches (sigmoid, tanh) are included as its edges;
    ``±inf`` marks a side without a bound.

    >>> reachable_outputs("sigmoid"), reachable_outputs("relu")
    ((0.0, 1.0), (0.0, inf))
    >>> reachable_outputs("softplus")
    Traceback (most recent call last):
    ...
    ValueError: activation must be one of 'sigmoid', 'relu', 'tanh', 'identity'; got 'softplus'
    """
    get_activation(activation)  # raises ValueError naming the allowed activations
    return {
        "sigmoid": (0.0, 1.0),
        "tanh": (-1.0, 1.0),
        "relu": (0.0, math.inf),
        "identity": (-math.inf, math.inf),
    }[activation]


def loss_floor(activation: str, y: float) -> float:
    """The smallest half squared error ½(ŷ − y)² an output with ``activation`` can approach.

    The closest reachable prediction to ``y`` is ``y`` clipped to :func:`reachable_outputs`. For a
    sigmoid or tanh the floor is an infimum: ŷ gets ever closer to the edge but never reaches it.

    >>> loss_floor("sigmoid", 3.3)  # ½(1 − 3.3)²
    2.645
    >>> loss_floor("identity", 3.3), loss_floor("sigmoid", 0.7)
    (0.0, 0.0)
    >>> loss_floor("relu", -2.0)
    2.0
    """
    if not isinstance(y, (int, float, np.floating)) or not math.isfinite(y):
        raise ValueError(f"y must be a finite number; got {y!r}")
    low, high = reachable_outputs(activation)
    closest = min(max(float(y), low), high)
    return round(0.5 * (closest - float(y)) ** 2, 12)  # round away float noise such as 2.6449999999999996


def with_output_activation(network: Network, activation: str) -> Network:
    """The same network with its output layer's activation replaced.

    >>> from backproplib.checking.examples import load_example
    >>> net = with_output_activation(load_example("sum_target").network, "identity")
    >>> [layer.activation for layer in net.layers]
    ['sigmoid', 'identity']
    """
    get_activation(activation)
    layers = (*network.layers[:-1], replace(network.layers[-1], activation=activation))
    return Network(network.inputs, layers, network.loss)


def _checkpoints(epochs: int) -> np.ndarray:
    """Epochs at which ŷ is recorded: every early one, then spaced evenly on a log scale."""
    spaced = np.round(np.geomspace(1, epochs, 60)) if epochs >= 1 else np.array([])
    return np.unique(np.concatenate([[0], np.arange(1, min(epochs, 12) + 1), spaced])).astype(int)


@dataclass(frozen=True)
class OutputRun:
    """One gradient-descent run with a given output activation.

    ``losses`` has the loss before every epoch: ``epochs + 1`` entries, or ``diverged_at`` entries
    when the run diverged at that epoch (see :mod:`backproplib.engine.training`);
    ``predictions[k]`` is ŷ before step ``checkpoints[k]``. ``stalled`` means every gradient is
    below :data:`STALL_GRADIENT` while the loss is still above its floor: the run can never move
    again. Two causes are told apart: ``dead_output`` (a ReLU output's weighted sum is ≤ 0) and
    ``saturated_hidden`` (every hidden neuron's activation slope is below :data:`STALL_GRADIENT`).
    """

    activation: str
    learning_rate: float
    target: float
    epochs: int
    losses: np.ndarray
    checkpoints: np.ndarray
    predictions: np.ndarray
    diverged_at: int | None
    stalled: bool
    dead_output: bool
    saturated_hidden: bool
    floor: float
    reachable: tuple[float, float]

    @property
    def diverged(self) -> bool:
        """True when training stopped at ``diverged_at`` because the loss or a weight left the limits."""
        return self.diverged_at is not None

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    @property
    def final_prediction(self) -> float:
        return float(self.predictions[-1])

    @property
    def outcome(self) -> str:
        """One sentence saying how the run ended.

        >>> from backproplib.checking.examples import load_example
        >>> ex = load_example("sum_target")
        >>> s = Settings.of(ex)
        >>> train_with_output(ex.network, s, "identity", 40, learning_rate=10.0).outcome
        'diverged: loss or a weight beyond 1e+06 at epoch 3, training stopped (dotted line)'
        """
        if self.diverged:
            return (
                f"diverged: loss or a weight beyond {DIVERGENCE_LIMIT:g} at "
                f"epoch {self.diverged_at}, training stopped (dotted line)"
            )
        if self.dead_output:
            return "stuck: the output ReLU is switched off (z_o ≤ 0), no gradient flows back"
        if self.saturated_hidden:
            return "stuck: every gradient has vanished, the hidden neurons are saturated (slopes ≈ 0)"
        if self.stalled:
            return "stuck: every gradient has vanished"
        gap = self.final_loss - self.floor
        if self.floor > 0:
            return f"pressed against the edge of the range: loss {self.final_loss:.4f}, floor {self.floor:.4f}"
        if gap <= FLOOR_TOLERANCE:
            return f"reached the target: loss {self.final_loss:.2g}"
        return f"still descending: loss {self.final_loss:.4f}"


def train_with_output(
    network: Network,
    settings: Settings,
    activation: str,
    epochs: int = EPOCHS,
    learning_rate: float | None = None,
) -> OutputRun:
    """Train ``network`` with its output activation set to ``activation``, recording ŷ along the way.

    Training runs in chunks between the :func:`_checkpoints`; each chunk continues from the
    previous one's parameters, so the losses are exactly those of one long run of
    :func:`backproplib.engine.training.train`. ``learning_rate`` overrides ``settings.learning_rate``.

    Examples
    --------
    The document's network (doc 002) wants ŷ = 3.3 from a sigmoid: the loss sinks towards
    ½(1 − 3.3)² = 2.645 and ŷ creeps towards 1.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("sum_target")
    >>> s = Settings.of(ex)
    >>> run = train_with_output(ex.network, s, "sigmoid")
    >>> round(float(run.losses[0]), 5), round(run.final_loss, 3), round(run.final_prediction, 3), run.floor
    (3.67235, 2.648, 0.999, 2.645)

    An identity output reaches the target.

    >>> round(train_with_output(ex.network, s, "identity").final_prediction, 6)
    3.3
    """
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be a Settings; got {type(settings).__name__}")
    if len(network.outputs) != 1 or network.loss != "half_squared_error":
        raise ValueError(
            "network must have exactly one output neuron and loss 'half_squared_error'; "
            f"got outputs {list(network.outputs)} and loss {network.loss!r}"
        )
    epochs = check_epochs(epochs, minimum=1)
    rate = check_learning_rate(settings.learning_rate if learning_rate is None else learning_rate)
    scored = with_output_activation(network, activation)
    losses, recorded, predictions, params, diverged_at = _train_in_chunks(scored, settings, rate, epochs)
    here = backward(scored, params, settings.x, settings.y)
    if diverged_at is None:
        losses.append(float(here.loss))
    floor = loss_floor(activation, float(settings.y))
    stalled = diverged_at is None and _stalled(here, floor)
    dead = stalled and activation == "relu" and float(here.forward.z[scored.outputs[0]]) <= 0.0
    hidden = [n for layer in scored.layers[:-1] for n in layer.neurons]
    saturated = (
        stalled and not dead and bool(hidden) and all(abs(float(here.da_dz[n])) < STALL_GRADIENT for n in hidden)
    )
    return OutputRun(
        activation, rate, float(settings.y), epochs, np.array(losses, dtype=float), np.array(recorded, dtype=int),
        np.array(predictions, dtype=float), diverged_at, stalled, dead, saturated, floor, reachable_outputs(activation),
    )


def _stalled(here: BackwardPass, floor: float) -> bool:
    """Every gradient below :data:`STALL_GRADIENT` while the loss is still above its floor."""
    largest = max(abs(float(g)) for g in here.gradients.values())
    return largest < STALL_GRADIENT and float(here.loss) - floor > FLOOR_TOLERANCE


def _train_in_chunks(
    network: Network, settings: Settings, rate: float, epochs: int
) -> tuple[list[float], list[int], list[float], dict[str, float], int | None]:
    """The fast path of :func:`train` between checkpoints, ŷ read at each: one long run, cut up.

    Returns the losses before every epoch but the last, the checkpoints, ŷ at each, the final
    parameters (the last inside the limits after a divergence) and the epoch it diverged at, if any.
    """
    params = {name: float(value) for name, value in settings.params.items()}
    losses: list[float] = []
    recorded: list[int] = []
    predictions: list[float] = []
    done = 0
    for checkpoint in _checkpoints(epochs):
        if checkpoint > done:
            run = train(network, params, settings.x, settings.y, rate, int(checkpoint - done), fast=True)
            if run.diverged_at is not None:
                losses.extend(run.losses)
                last = done + max(len(run.losses) - 1, 0)  # the last epoch inside the limits
                if not recorded or last > recorded[-1]:
                    recorded.append(last)
                    predictions.append(
                        float(forward(network, run.params, settings.x, settings.y).a[network.outputs[0]])
                    )
                return losses, recorded, predictions, run.params, done + run.diverged_at
            losses.extend(run.losses[:-1])  # the last entry is the next chunk's first
            params, done = run.params, int(checkpoint)
        recorded.append(done)
        predictions.append(float(forward(network, params, settings.x, settings.y).a[network.outputs[0]]))
    return losses, recorded, predictions, params, None


class OutputRangeFigure(FigureView):
    """Two panels over the epochs: the training loss with its floor, and ŷ against the output's range.

    Built once; :meth:`show` moves lines, shading and texts in place. The loss axis tops out a
    little above the larger of the starting loss and ½y² (the loss of ŷ = 0), and the ŷ axis
    spans the target and the sigmoid's range; values outside are written in the panel.

    Examples
    --------
    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("sum_target")
    >>> fig = OutputRangeFigure(ex.network, epochs=50)
    >>> run = fig.show(Settings.of(ex), "tanh")
    >>> run.activation, len(run.losses), fig.png(small=True)[:4]
    ('tanh', 51, b'\\x89PNG')
    """

    SIZE = (7.6, 3.4)
    DPI = 90

    def __init__(self, network: Network, epochs: int = EPOCHS) -> None:
        self.network, self.epochs = network, checked_epochs(epochs)
        super().__init__()
        self.loss_axes, self.prediction_axes = self.figure.subplots(1, 2)
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.72, wspace=0.25)
        a, b = self.loss_axes, self.prediction_axes
        # The target and floor lines are dashed, so colour is never the only cue.
        (self._loss,) = a.plot([], [], color=BLUE, lw=2, label="training loss")
        self._floor = a.axhline(0.0, color=BLACK, lw=1.2, ls=(0, (5, 3)), label="loss floor")
        (self._prediction,) = b.plot([], [], color=VERMILLION, lw=2, marker=".", ms=3, label="prediction ŷ")
        self._target = b.axhline(0.0, color=GREEN, lw=1.5, ls=(0, (2, 2)), label="target y")
        self._band = None
        self._stops = [axes.axvline(0.0, color="0.4", lw=1, ls=":", visible=False) for axes in (a, b)]
        for axes, ylabel in ((a, "loss ½(ŷ − y)²"), (b, "ŷ")):
            axes.set_xscale("symlog", linthresh=1.0)  # epoch 0 stays on the axis; early and late steps both show
            axes.set_xlim(0, self.epochs)
            axes.set_xlabel("epoch (log scale after 1)")
            axes.set_ylabel(ylabel)
        self._loss_text = a.text(0.98, 0.96, "", transform=a.transAxes, ha="right", va="top", fontsize=TEXT_SIZE,
                                 bbox=dict(facecolor="white", alpha=0.85, lw=0))
        self._prediction_text = b.text(0.98, 0.04, "", transform=b.transAxes, ha="right", va="bottom",
                                       fontsize=TEXT_SIZE, bbox=dict(facecolor="white", alpha=0.85, lw=0))
        self._title = self.figure.suptitle("", fontsize=9, y=0.99)

    def show(self, settings: Settings, activation: str, learning_rate: float | None = None) -> OutputRun:
        """Train with ``activation`` at ``learning_rate`` (default: the settings') and redraw."""
        run = train_with_output(self.network, settings, activation, self.epochs, learning_rate)
        y = run.target
        a, b = self.loss_axes, self.prediction_axes
        loss_top = 1.25 * max(float(run.losses[0]), 0.5 * y * y, run.floor, 0.1)
        self.set_ylim(a, 0.0, loss_top)
        self._loss.set_data(np.arange(len(run.losses)), np.minimum(run.losses, 2 * loss_top))
        self._floor.set_ydata([run.floor, run.floor])
        self._floor.set_label(f"loss floor {run.floor:.4g}")
        a.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=LEGEND_SIZE, frameon=False)
        peak = float(np.max(run.losses))
        self._loss_text.set_text(f"peak loss {peak:.3g}, off the chart" if peak > loss_top else "")

        low, high = min(-1.2, y - 0.8), max(1.2, y + 0.8)
        self.set_ylim(b, low, high)
        self._prediction.set_data(run.checkpoints, np.clip(run.predictions, low - 1, high + 1))
        self._target.set_ydata([y, y])
        if self._band is not None:
            self._band.remove()
        edge_low, edge_high = run.reachable
        self._band = b.axhspan(
            max(edge_low, low - 1),
            min(edge_high, high + 1),
            color=YELLOW,
            alpha=0.35,
            lw=0,
            label=f"{activation} range {describe_range(run.reachable)}",
        )
        b.legend(
            loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=LEGEND_SIZE, frameon=False, handlelength=1.5,
            columnspacing=0.8,
        )
        outside = np.any((run.predictions < low) | (run.predictions > high))
        self._prediction_text.set_text(
            f"final ŷ = {run.final_prediction:.4g}" + (" (some ŷ off the chart)" if outside else "")
        )
        stop = len(run.losses) - 1
        for line in self._stops:
            line.set_xdata([stop, stop])
            line.set_visible(run.diverged)
        self._title.set_text(f"output {activation}, η = {run.learning_rate:g}, target y = {y:g}\n{run.outcome}")
        return run


def describe_range(bounds: tuple[float, float]) -> str:
    """Write an output range from :func:`reachable_outputs` as an interval, closed where a value is attained.

    Only the ReLU attains a bound (it outputs 0 for every z ≤ 0); the sigmoid and tanh only
    approach theirs.

    >>> describe_range((0.0, 1.0)), describe_range((-1.0, 1.0)), describe_range(reachable_outputs("relu"))
    ('(0, 1)', '(−1, 1)', '[0, ∞)')
    >>> describe_range(reachable_outputs("identity"))
    '(−∞, ∞)'
    """
    low, high = bounds

    def show(value: float) -> str:
        return {math.inf: "∞", -math.inf: "−∞"}.get(value, f"{value:g}".replace("-", "−"))

    opening = "[" if (low, high) == reachable_outputs("relu") else "("
    return f"{opening}{show(low)}, {show(high)})"


def output_range_panel(network: Network, settings: Settings, epochs: int = EPOCHS):
    """A live panel: a menu for the output activation and sliders for η and the target y.

    Each change retrains and redraws :class:`OutputRangeFigure` with Python, so it needs a
    running kernel; the built book uses a precomputed frame stack of the same figure instead.
    """
    import ipywidgets as w

    figure = OutputRangeFigure(network, epochs)
    menu = w.Dropdown(
        options=list(OUTPUT_ACTIVATIONS),
        value=network.layers[-1].activation
        if network.layers[-1].activation in OUTPUT_ACTIVATIONS
        else OUTPUT_ACTIVATIONS[0],
        description="output",
    )
    low, high = LEARNING_RATE_RANGE
    rate = w.FloatLogSlider(
        value=min(max(settings.learning_rate, low), high), base=10, min=math.log10(low), max=math.log10(high),
        step=0.05, description="η", readout_format=".3g",
    )
    target = w.FloatSlider(
        value=min(max(settings.y, TARGET_RANGE[0]), TARGET_RANGE[1]), min=TARGET_RANGE[0], max=TARGET_RANGE[1],
        step=0.05, description="target y", readout_format=".2f",
    )
    image = w.HTML()

    def redraw(_change: object = None) -> None:
        figure.show(settings.replace(y=target.value), menu.value, rate.value)
        alt = (
            f"Over {epochs} epochs: the training loss with its floor (left) and ŷ against the output's range "
            f"(right); output {menu.value}, η = {rate.value:.3g}, target y = {target.value:.2f}"
        )
        image.value = figure.html(alt)

    for control in (menu, rate, target):
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([menu, rate, target]), image])


def output_range_explorer(network: Network, settings: Settings, epochs: int = EPOCHS):
    """Training with each output activation (a dropdown) as η and the target move, in the reader's browser.

    One generated model per activation of :data:`OUTPUT_ACTIVATIONS`; the ŷ chart draws the target
    and the edges of the chosen activation's range.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("sum_target")
    >>> view = output_range_explorer(ex.network, Settings.of(ex), 100)
    >>> [m["key"] for m in view.view.panel["models"]], view.view.panel["models"][0]["values"]
    (['sigmoid', 'identity', 'relu', 'tanh'], {'edge_low': 0.0, 'edge_high': 1.0})
    """

    output = network.outputs[0]
    models = {}
    for name in OUTPUT_ACTIVATIONS:
        edges = dict(zip(("edge_low", "edge_high"), reachable_outputs(name)))
        models[name] = lx.LessonModel(name, with_output_activation(network, name),
                                   {k: v for k, v in edges.items() if math.isfinite(v)})
    start = network.layers[-1].activation if network.layers[-1].activation in OUTPUT_ACTIVATIONS else "sigmoid"
    controls = [
        lx.control("rate", "rate", "η: learning rate", LEARNING_RATE_RANGE, settings.learning_rate),
        lx.control("target", output, "y: the target", TARGET_RANGE, float(settings.y)),
    ]
    charts = [
        lx.training_chart("The training loss over the epochs (log scale).", "loss ½(ŷ − y)²",
                       [lx.Series("loss", "training loss", BLUE)], log_y=True),
        lx.training_chart("The prediction ŷ over the epochs, the target and the edges of the output's range.", "ŷ",
                       [lx.Series(f"a:{output}", "prediction ŷ", VERMILLION)],
                       guides=[lx.guide("target y", GREEN, control=output),
                               *(lx.guide("range edge", BLACK, model_value=e) for e in ("edge_low", "edge_high"))]),
    ]
    readouts = [lx.readout("loss after training", "loss", at="final"), lx.readout("final ŷ", f"a:{output}", at="final"),
                lx.readout("ŷ now", f"a:{output}")]
    return lx.lesson_explorer("Training with each output activation", models, settings,
                              [lx.group("training", controls)], charts, readouts,
                              lambda: output_range_panel(network, settings, epochs), epochs=epochs,
                              choice=("output layer", "output activation", start))


# --- The chapter's settings and the sentences that depend on them -------------------------------------------

# The document's six weights, in the order of its parameters cell.
DOCUMENT_WEIGHTS: tuple[str, ...] = ("w11", "w21", "w12", "w22", "w_h1", "w_h2")
# Rescaling advice maps the largest expected target to this fraction of the sigmoid's top edge, not to
# the edge itself: ŷ = 1 needs z_o = ∞, so a target of exactly 1 is one a sigmoid only approaches.
RESCALE_MARGIN = 0.8


def check_sum_target_settings(params: object, x: object, activations: object, loss: object) -> None:
    """Refuse settings the sum-target chapter cannot show, naming the setting and what is allowed.

    The chapter runs :func:`backproplib.authoring.chapter_settings.check_chapter_settings` first (the
    limits of every chapter); this adds its own: the document's names, half the squared error (its
    floors ½(edge − y)² and training runs use it), the document's sigmoid hidden layer (the bound
    |w_oh1| + |w_oh2| on the output needs hidden activations in (0, 1)), and an output activation of
    the explorer's four.

    >>> good = dict(params=dict.fromkeys(DOCUMENT_WEIGHTS, 0.1), x={"x1": 1.1, "x2": 2.2},
    ...             activations=["sigmoid", "sigmoid"], loss="half_squared_error")
    >>> check_sum_target_settings(**good)
    >>> check_sum_target_settings(**dict(good, loss="mean_squared_error"))
    Traceback (most recent call last):
    ...
    ValueError: loss must be 'half_squared_error' in this chapter (its loss floors ½(edge − y)² and training
    runs use it); got 'mean_squared_error'
    >>> check_sum_target_settings(**dict(good, activations=["relu", "sigmoid"]))
    Traceback (most recent call last):
    ...
    ValueError: activations[0] (the hidden layer) must be 'sigmoid' in this chapter; got 'relu'
    """
    check_document_settings(params, x, loss, DOCUMENT_WEIGHTS, ("x1", "x2"), "half_squared_error",
                            "its loss floors ½(edge − y)² and training runs use it")
    if not isinstance(activations, (list, tuple)) or len(activations) != 2:
        raise ValueError(f"activations must be a list of 2 activation names, one per layer; got {activations!r}")
    if activations[0] != "sigmoid":
        raise ValueError(f"activations[0] (the hidden layer) must be 'sigmoid' in this chapter; got {activations[0]!r}")
    if activations[1] not in OUTPUT_ACTIVATIONS:
        allowed = ", ".join(map(repr, OUTPUT_ACTIVATIONS))
        raise ValueError(f"activations[1] (the output layer) must be one of {allowed}; got {activations[1]!r}")


def reach_sentence(activation: str, y: float) -> str:
    """Whether an output with ``activation`` can produce the target ``y``, said for these settings.

    >>> print(reach_sentence("sigmoid", 3.3))
    It cannot: a sigmoid output only produces numbers in (0, 1), so y = 3.3 is out of reach whatever the
    weights are, and the loss can only approach a floor of ½(1 − 3.3)² = 2.645, never go below it.
    >>> print(reach_sentence("sigmoid", 1.0))
    Only in the limit: y = 1 is the edge of the sigmoid output's range (0, 1), which ŷ approaches but never
    reaches; the loss can get as close to 0 as we like, never to 0 itself.
    >>> print(reach_sentence("sigmoid", 0.5))
    It can: y = 0.5 lies inside the sigmoid output's range (0, 1), so some weights give ŷ = y and a loss of 0.
    >>> print(reach_sentence("tanh", -2.0))
    It cannot: a tanh output only produces numbers in (−1, 1), so y = −2 is out of reach whatever the weights
    are, and the loss can only approach a floor of ½(−1 − (−2))² = 0.5, never go below it.
    """
    low, high = reachable_outputs(activation)
    target = f"{y:g}".replace("-", "−")
    interval = describe_range((low, high))
    attained = activation == "relu" and y == 0
    if low < y < high or attained:
        return (f"It can: y = {target} lies inside the {activation} output's range {interval}, so some weights "
                "give ŷ = y and a loss of 0.")
    if y in (low, high):
        return (f"Only in the limit: y = {target} is the edge of the {activation} output's range {interval}, which ŷ "
                "approaches but never reaches; the loss can get as close to 0 as we like, never to 0 itself.")
    edge = high if y > high else low
    edge_text = f"{edge:g}".replace("-", "−")
    how = "approach" if activation in ("sigmoid", "tanh") else "reach"
    subtracted = f"({target})" if y < 0 else target
    return (f"It cannot: a {activation} output only produces numbers in {interval}, so y = {target} is out of reach "
            f"whatever the weights are, and the loss can only {how} a floor of ½({edge_text} − {subtracted})² = "
            f"{loss_floor(activation, y):g}, never go below it.")


def floor_sentence(run: OutputRun, digits: int) -> str:
    """Where a run's final loss lies against its floor, in words computed from the run.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("sum_target")
    >>> floor_sentence(train_with_output(ex.network, Settings.of(ex), "tanh", 2000), 5)
    'the loss ends at 2.64565, 0.00065 above the floor 2.64500: close to it, not on it'
    """
    from ..views.notebook import number

    gap = run.final_loss - run.floor
    where = ("on it to the digits shown" if round(gap, digits) == 0
             else "close to it, not on it" if gap < 0.01 * max(run.floor, 1.0) else "well above it")
    return f"the loss ends at {number(run.final_loss, digits)}, {number(gap, digits)} above the floor " \
           f"{number(run.floor, digits)}: {where}"


def output_bound(params: dict[str, float]) -> float:
    """The bound |w_h1| + |w_h2| on |z_o|: with sigmoid hidden units (in (0, 1)) and no biases, for any inputs.

    >>> output_bound({"w_h1": 2.0, "w_h2": -1.5})
    3.5
    """
    return abs(params["w_h1"]) + abs(params["w_h2"])


def one_pair_answers(network: Network, settings: Settings, epochs: int,
                     pairs: tuple[tuple[float, float], ...]) -> tuple[dict[str, float], list[float]]:
    """Train with an identity output on the settings' one pair; the trained weights and ŷ for other ``pairs``.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("sum_target")
    >>> params, answers = one_pair_answers(ex.network, Settings.of(ex), 2000, ((1.1, 2.2), (2, 3), (5, 5)))
    >>> [round(a, 2) for a in answers], round(output_bound(params), 2)
    ([3.3, 3.47, 3.55], 3.56)
    """
    identity = with_output_activation(network, "identity")
    run = train(identity, dict(settings.params), settings.x, settings.y, settings.learning_rate, epochs, fast=True)
    answers = [float(forward(identity, run.params, {"x1": a, "x2": b}, 0.0).a[identity.outputs[0]])
               for a, b in pairs]
    return dict(run.params), answers


def update_sentence(example, digits: int) -> str:
    """How one gradient step moves each weight (grows, shrinks, stays), from the example's numbers.

    >>> from backproplib.checking.examples import load_example
    >>> print(update_sentence(load_example("sum_target"), 4).split(", ")[-1])
    $w_{o h_2}$ grows from -0.1 to -0.0432
    """
    from ..views.network_words import weight_symbol
    from ..views.notebook import number

    q = example.quantities()
    parts = []
    for name in example.network.parameters:
        old, new = q[name], q[f"new_{name}"]
        verb = "grows" if new > old else "shrinks" if new < old else "stays"
        tail = f"at {old:g}" if new == old else f"from {old:g} to {number(new, digits)}"
        parts.append(f"${weight_symbol(example.network, name)}$ {verb} {tail}")
    return ", ".join(parts)


def error_term_table(network: Network, passes: BackwardPass, x: dict[str, float], digits: int) -> str:
    """Each weight's gradient as the receiving neuron's δ times the incoming activation, beside the backward pass.

    A Markdown table (book symbol, code name, receiving neuron, its δ, incoming activation, product,
    the backward pass's gradient), for the chapter's "error term" section.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("sum_target")
    >>> print(error_term_table(ex.network, backward(ex.network, ex.params, ex.x, ex.y), ex.x, 5).splitlines()[2])
    | $w_{h_1 x_1}$ | `w11` | $h_1$ | -0.07371 | $x_1$ = 1.10000 | -0.08108 | -0.08108 |
    """
    from ..views.network_words import unit_symbol, weight_symbol
    from ..views.notebook import number

    lines = ["| weight | code name | feeds into | its δ | incoming activation | δ × activation | backward pass |",
             "|:---|:---|:---|---:|---:|---:|---:|"]
    sources = network.inputs
    for layer in network.layers:
        for neuron, names in zip(layer.neurons, layer.weights):
            delta = float(passes.delta[neuron])
            for source, name in zip(sources, names):
                incoming = float(passes.forward.a[source])
                lines.append(
                    f"| ${weight_symbol(network, name)}$ | `{name}` | ${unit_symbol(neuron)}$ "
                    f"| {number(delta, digits)} "
                    f"| ${unit_symbol(source)}$ = {number(incoming, digits)} | {number(delta * incoming, digits)} "
                    f"| {number(float(passes.gradients[name]), digits)} |"
                )
        sources = layer.neurons
    return "\n".join(lines)


def run_paragraph(run: OutputRun, digits: int) -> str:
    """What a training run did, in numbers and in words chosen by its outcome (for the sigmoid section).

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("sum_target")
    >>> print(run_paragraph(train_with_output(ex.network, Settings.of(ex), "sigmoid", 2000), 5))
    In numbers: over 2000 epochs the loss falls from 3.67235 to 2.64756, and ŷ goes from 0.58989 to 0.99889.
    The target lies outside the range, so the loss ends 0.00256 above its floor 2.64500, and the sigmoid's
    slope ŷ(1 − ŷ) has fallen from 0.24192 to 0.00111: each step now moves the loss very little.
    """
    from ..views.notebook import number

    first, last = float(run.losses[0]), run.final_loss
    verb = "falls" if last < first else "rises" if last > first else "stays"
    y0, y1 = float(run.predictions[0]), run.final_prediction
    text = (f"In numbers: over {len(run.losses) - 1} epochs the loss {verb} from {number(first, digits)} to "
            f"{number(last, digits)}, and ŷ goes from {number(y0, digits)} to {number(y1, digits)}.")
    if run.diverged:
        return text + f" The run diverged: {run.outcome}."
    low, high = run.reachable
    if not low < run.target < high:
        place = "outside" if not low <= run.target <= high else "on the edge of"
        text += (f" The target lies {place} the range, so the loss ends {number(last - run.floor, digits)} above its "
                 f"floor {number(run.floor, digits)}")
        if run.activation != "sigmoid":
            return text + "."
        slope0, slope1 = y0 * (1 - y0), y1 * (1 - y1)
        text += (f", and the sigmoid's slope ŷ(1 − ŷ) has fallen from {number(slope0, digits)} to "
                 f"{number(slope1, digits)}" + (": each step now moves the loss very little." if slope1 < 0.1 * slope0
                                                 else "."))
    else:
        text += f" The target lies inside the range (floor 0); the run ended: {run.outcome}."
    return text


def endings_table(endings: dict[str, OutputRun], digits: int) -> str:
    """A Markdown table: per output activation, its range, floor, final loss, final ŷ and outcome.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("sum_target")
    >>> print(endings_table({"identity": train_with_output(ex.network, Settings.of(ex), "identity", 50)}, 3))
    | output activation | range | floor ½(edge − y)² | loss after training | final ŷ | outcome |
    |:---|:---|---:|---:|---:|:---|
    | identity | (−∞, ∞) | 0.000 | 0.000 | 3.300 | reached the target: loss 5.7e-09 |
    """
    from ..views.notebook import number

    rows = ["| output activation | range | floor ½(edge − y)² | loss after training | final ŷ | outcome |",
            "|:---|:---|---:|---:|---:|:---|"]
    for name, run in endings.items():
        rows.append(f"| {name} | {describe_range(run.reachable)} | {number(run.floor, digits)} "
                    f"| {number(run.final_loss, digits)} | {number(run.final_prediction, digits)} | {run.outcome} |")
    return "\n".join(rows)


def summary_markdown(example, sigmoid_run: OutputRun, comparison: list, digits: int) -> str:
    """The chapter's summary, each bullet true for the settings it was computed at.

    The bullet on the document's numbers appears only while the settings are the document's
    (``comparison`` is not empty); otherwise a bullet says the comparison does not apply.
    """
    from ..views.notebook import number

    q = example.quantities()
    if comparison:
        document = (f"* The document's method is right and its numbers are close: exactly, "
                    f"ŷ = {number(q['a_o'], digits)}, the loss is {number(q['loss'], digits)} (it prints 3.67545) "
                    f"and δ_o = {number(q['delta_o'], digits)}. "
                    "Its deviations are arithmetic slips, a slope rounded to 0.242 before use, and values carried "
                    "forward from both; none changes the updated weights at the four decimals it prints.")
    else:
        document = ("* These settings differ from the document's, so its printed numbers are not compared here; "
                    "run the chapter with the document's settings to see that check.")
    activation = example.network.layers[-1].activation
    reach = reach_sentence(activation, float(example.y))
    return "\n".join([
        document,
        "* The error term δ = ∂L/∂z is computed once per neuron and reused: each gradient is the receiving "
        "neuron's δ times the activation coming in along the weight.",
        "* ½(ŷ − y)² is half the squared error, not the mean squared error; the ½ only scales the gradients.",
        f"* Can this chapter's {activation} output produce y = {example.y:g}? {reach}",
        f"* With a sigmoid output, {sigmoid_run.epochs} epochs end at a loss of "
        f"{number(sigmoid_run.final_loss, digits)} "
        f"(floor {number(sigmoid_run.floor, digits)}). Match the output activation to the target: identity for "
        "regression, or rescale the targets with a margin below the edge.",
        "* A network fitted to one pair has not learned a rule; learning addition needs many examples.",
    ])
