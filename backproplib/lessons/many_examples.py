"""Learning from many examples: a dataset of sums, batch sizes side by side, and what one pair teaches.

The network is document 002's 2-2-1 (sigmoid hidden units, weights w11 … w_h2) with an identity
output, so it can say any number, and with a bias per neuron, so that its sigmoids can sit in their
middle for inputs near 0 and the output can subtract the offset ½(w_h1 + w_h2) they bring. It
learns y = x1 + x2 from pairs drawn uniformly from [0, 1)² and is scored on pairs it never saw.

Everything here is a pure function of its arguments (the datasets are seeded, the mini-batches come
from :class:`~backproplib.engine.data.Shuffle`), so the chapter's numbers, the figure and the
explorer all come from the same calls. :class:`BatchFigure` only draws what :func:`batch_runs`
returns; :func:`many_examples_explorer` is the chapter's explorer: in the book a dataset chart of
:mod:`backproplib.views.lesson_explorer` that the reader's browser trains (the generated model's
``trainSet``, the same loop and shuffle), with a kernel :func:`batch_panel`, ipywidgets over
:func:`batch_runs`.

Used by the chapter 'Learning from many examples' (chapters/many_examples.ipynb).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..engine.data import Dataset, mean_loss_and_gradients
from ..engine.network import Layer, Network
from ..engine.numeric import forward
from ..engine.training import TrainingRun, check_epochs, check_learning_rate, train
from ..views import lesson_explorer as lx
from ..views.explore import Settings
from ..views.explorer import slider_control
from ..views.figure import FigureView
from ..views.palette import LEGEND_SIZE, SERIES_COLOURS, SERIES_STYLES, TEXT_SIZE

__all__ = [
    "addition_network", "ADDITION_START", "addition_set", "TargetScale", "batch_runs", "first_below",
    "root_mean_squared_error", "hidden_sigmoid_bound", "BatchFigure", "batch_panel", "RATE_STOPS",
    "many_examples_explorer",
]

# The explorer's learning rates: 10^-2 to 10^0.5, ten a decade (the kernel's FloatLogSlider steps 0.1).
RATE_STOPS = lx.log_stops(-2.0, 0.5, 10)
EPOCH_RANGE = (10, 200)

# Document 002's weights (w_ij: input i -> hidden j; w_hj: hidden j -> output) and biases of 0.
ADDITION_START: dict[str, float] = {
    "w11": 0.2, "w21": 0.4, "b_h1": 0.0, "w12": 0.3, "w22": 0.7, "b_h2": 0.0, "w_h1": 0.6, "w_h2": -0.1, "b_o": 0.0,
}


def addition_network(output: str = "identity") -> Network:
    """Document 002's 2-2-1 network with a bias per neuron and ``output`` as the output's activation.

    >>> addition_network().parameters
    ('w11', 'w21', 'w12', 'w22', 'b_h1', 'b_h2', 'w_h1', 'w_h2', 'b_o')
    """
    hidden = Layer(("h1", "h2"), "sigmoid", (("w11", "w21"), ("w12", "w22")), bias=("b_h1", "b_h2"))
    return Network(("x1", "x2"), (hidden, Layer(("o",), output, (("w_h1", "w_h2"),), bias="b_o")), "half_squared_error")


@dataclass(frozen=True)
class TargetScale:
    """Sums in [0, ``top``] mapped linearly onto [``margin``, 1 − ``margin``], a sigmoid's reachable middle.

    A sigmoid never reaches 0 or 1: a target of exactly 1 asks for z = ∞, and the weights grow without
    end chasing it, ever more slowly as the slope σ′ fades. With a margin every target is the output
    of finite weights, away from the flat ends.

    >>> scale = TargetScale(2.0)
    >>> scale.to_unit(np.array([0.0, 1.0, 2.0])).tolist(), float(scale.from_unit(scale.to_unit(1.3)))
    ([0.1, 0.5, 0.9], 1.3)
    """

    top: float
    margin: float = 0.1

    def __post_init__(self) -> None:
        if not (self.top > 0 and math.isfinite(self.top)) or not 0 < self.margin < 0.5:
            raise ValueError(
                f"top must be a finite number > 0 and margin in (0, 0.5); got {self.top!r}, {self.margin!r}"
            )

    def to_unit(self, y: object) -> np.ndarray:
        """A sum as the sigmoid's target."""
        return self.margin + (1 - 2 * self.margin) * np.asarray(y, dtype=float) / self.top

    def from_unit(self, p: object) -> np.ndarray:
        """A sigmoid's output read back as a sum."""
        return (np.asarray(p, dtype=float) - self.margin) * self.top / (1 - 2 * self.margin)


def addition_set(network: Network, count: int, seed: int, scale: TargetScale | None = None) -> Dataset:
    """``count`` pairs uniform in [0, 1)² (numpy's generator at ``seed``) with their sums as targets,
    scaled by ``scale`` for a sigmoid output."""
    pairs = np.random.default_rng(seed).uniform(0.0, 1.0, (count, 2))
    sums = pairs.sum(axis=1)
    return Dataset.of(network, pairs, scale.to_unit(sums) if scale else sums)


def batch_runs(network: Network, params: Mapping[str, float], data: Dataset, learning_rate: float, epochs: int,
               batch_sizes: Sequence[int | None], seed: int = 0) -> dict[int | None, TrainingRun]:
    """One run of :func:`~backproplib.engine.training.train` per batch size (None: the whole set), all
    from ``params`` with the same seed."""
    return {b: train(network, params, data.x, data.y, learning_rate, epochs, batch_size=b, seed=seed)
            for b in batch_sizes}


def first_below(losses: Sequence[float], threshold: float) -> int | None:
    """The first epoch whose loss is below ``threshold``, or None.

    >>> first_below([1.0, 0.5, 0.05, 0.2], 0.1), first_below([1.0], 0.1)
    (2, None)
    """
    below = np.flatnonzero(np.asarray(losses) < threshold)
    return int(below[0]) if below.size else None


def root_mean_squared_error(network: Network, params: Mapping[str, float], data: Dataset,
                            scale: TargetScale | None = None) -> float:
    """√(mean (ŷ − y)²) over ``data``, in the units of the sums (a scaled output is read back first)."""
    output = network.outputs[0]
    predicted, target = forward(network, params, data.x, data.y).a[output], data.y[output]
    if scale is not None:
        predicted, target = scale.from_unit(predicted), scale.from_unit(target)
    return float(np.sqrt(np.mean((predicted - target) ** 2)))


def hidden_sigmoid_bound(network: Network, params: Mapping[str, float]) -> float:
    """The largest |ŷ| an identity output over one layer of sigmoids can give, for any input.

    Each hidden activation lies in (0, 1), so |ŷ| = |Σ w_hj a_hj + b_o| ≤ Σ |w_hj| + |b_o|.
    """
    output, below = network.layers[-1], network.layers[-2] if len(network.layers) > 1 else None
    if output.activation != "identity" or below is None or below.activation != "sigmoid" or len(output.neurons) != 1:
        raise ValueError("the bound is for one identity output over a layer of sigmoids")
    bias = abs(params[output.bias_of(0)]) if output.bias_of(0) is not None else 0.0
    return sum(abs(params[w]) for w in output.weights[0]) + bias


def batch_label(batch_size: int | None, size: int) -> str:
    """How a legend names a batch size."""
    if batch_size is None or batch_size >= size:
        return f"full batch ({size} examples, 1 step an epoch)"
    steps = -(-size // batch_size)
    return f"one example at a time ({steps} steps an epoch)" if batch_size == 1 else \
        f"mini-batches of {batch_size} ({steps} steps an epoch)"


class BatchFigure(FigureView):
    """The training loss per epoch (log scale) of several runs, one line each, and a threshold line.

    >>> from backproplib.engine.data import Dataset
    >>> net = addition_network()
    >>> data = addition_set(net, 8, 0)
    >>> fig = BatchFigure()
    >>> fig.show(batch_runs(net, ADDITION_START, data, 0.3, 5, [None, 1]), len(data), 0.01)
    >>> len(fig.axes.get_lines()), fig.png(small=True)[:4]
    (3, b'\\x89PNG')
    """

    SIZE = (7.2, 3.0)
    DPI = 90

    def __init__(self) -> None:
        super().__init__()
        self.axes = self.figure.subplots()
        self.figure.subplots_adjust(left=0.1, right=0.98, bottom=0.16, top=0.8)

    def show(self, runs: Mapping[int | None, TrainingRun], size: int, threshold: float | None = None,
             held_out: Mapping[int | None, float] | None = None) -> None:
        """Draw ``runs`` (batch size -> run on ``size`` examples); ``held_out``: a final loss to print per run."""
        axes = self.axes
        axes.clear()
        for k, (batch_size, run) in enumerate(runs.items()):
            label = batch_label(batch_size, size) + (" (diverged)" if run.diverged else "")
            axes.plot(np.arange(len(run.losses)), run.losses, color=SERIES_COLOURS[k], ls=SERIES_STYLES[k], lw=2,
                      label=label)
        if threshold is not None:
            axes.axhline(threshold, color="0.45", lw=1, ls=":", label=f"loss {threshold:g}")
        axes.set_yscale("log")
        axes.set_xlabel("epoch (each example's gradient computed once an epoch)")
        axes.set_ylabel("mean loss on the training set")
        axes.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=LEGEND_SIZE, frameon=False)
        if held_out:
            text = "; ".join(f"held out {batch_label(b, size).split(' (')[0]}: {v:.3g}" for b, v in held_out.items())
            axes.text(0.98, 0.96, text, transform=axes.transAxes, ha="right", va="top", fontsize=TEXT_SIZE)


def batch_panel(network: Network, params: Mapping[str, float], data: Dataset, held_out: Dataset,
                learning_rate: float = 0.3, batch_size: int = 4, epochs: int = 100, seed: int = 0):
    """The kernel's explorer: η, batch size and epochs on sliders; the run at those settings beside the
    full-batch run at the same η, and both runs' held-out loss after training (ipywidgets over
    :func:`batch_runs`; :func:`many_examples_explorer` shows the browser's twin in the book)."""
    import ipywidgets as w

    check_learning_rate(learning_rate), check_epochs(epochs)
    figure = BatchFigure()
    controls = {
        "rate": w.FloatLogSlider(value=learning_rate, base=10, min=-2, max=0.5, step=0.1, description="η",
                                 readout_format=".3g"),
        "batch": w.IntSlider(value=batch_size, min=1, max=len(data), description="batch size"),
        "length": w.IntSlider(value=epochs, min=EPOCH_RANGE[0], max=EPOCH_RANGE[1], step=10, description="epochs"),
    }

    def draw(rate: float, batch: int, length: int) -> str:
        runs = batch_runs(network, params, data, rate, length, [batch, None], seed)
        with np.errstate(all="ignore"):  # a diverged run's last θ may overflow on new pairs: inf is the answer
            held = {b: float(mean_loss_and_gradients(network, run.params, held_out)[0]) for b, run in runs.items()}
        figure.show(runs, len(data), held_out=held)
        return figure.html(f"Training loss per epoch for batch size {batch} and for the full batch, "
                           f"η = {rate:.3g}, {length} epochs")

    return lx.kernel_view(controls, draw)


def many_examples_explorer(network: Network, params: Mapping[str, float], data: Dataset, held_out: Dataset,
                           learning_rate: float = 0.3, batch_size: int = 4, epochs: int = 100, seed: int = 0):
    """η, batch size and epochs, trained in the reader's browser: the training set's mean loss per epoch
    at the chosen batch size and for the full batch (dashed), and both runs' held-out mean loss after
    training (3 significant digits). With a kernel, :func:`batch_panel` at the same settings.

    >>> net = addition_network()
    >>> view = many_examples_explorer(net, ADDITION_START, addition_set(net, 8, 1), addition_set(net, 4, 2))
    >>> chart = view.view.panel["charts"][0]
    >>> chart["kind"], chart["batches"], chart["batch_labels"][0]
    ('dataset', ['control', 'full'], 'one example at a time (8 steps an epoch)')
    >>> [c["role"] for c in view.view.panel["groups"][0]["controls"]]
    ['rate', 'batch', 'epochs']
    """
    check_learning_rate(learning_rate), check_epochs(epochs)
    size = len(data)
    if not (isinstance(batch_size, int) and 1 <= batch_size <= size):
        raise ValueError(f"batch_size must be a whole number from 1 to {size} (the full batch); got {batch_size!r}")
    controls = [
        lx.stops_control("rate", "rate", "η: learning rate", RATE_STOPS, learning_rate),
        slider_control("batch", "batch", "batch size", (1, size), batch_size),
        slider_control("epochs", "epochs", "epochs", (min(EPOCH_RANGE[0], epochs), max(EPOCH_RANGE[1], epochs)),
                       epochs, min_positions=19),
    ]
    lines = [lx.Series("loss", "{batch}", SERIES_COLOURS[0], lx.DASHES[0]),
             lx.Series("loss", "{batch}", SERIES_COLOURS[1], lx.DASHES[1])]
    chart = lx.dataset_chart("The mean loss over the training set per epoch (log scale), at your batch size and for "
                             "the full batch (dashed), from the same start and seed.", "mean training loss",
                             lines, ["control", "full"], [batch_label(b, size) for b in range(1, size + 1)])
    readouts = [lx.dataset_readout("held-out mean loss after training, batch size {batch}", "control"),
                lx.dataset_readout("held-out mean loss after training, full batch", "full")]
    first = Settings(dict(params), {n: float(data.x[n][0]) for n in network.inputs},
                     float(data.y[network.outputs[0]][0]), learning_rate)
    models = {"network": lx.LessonModel("network", network)}
    return lx.lesson_explorer(
        "Learning rate, batch size and epochs on a dataset", models, first, [lx.group("training", controls)], [chart],
        readouts, lambda: batch_panel(network, params, data, held_out, learning_rate, batch_size, epochs, seed),
        epochs=epochs, dataset=lx.panel_dataset(network, data, held_out, seed), batch=batch_size)
