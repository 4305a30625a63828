"""What one backward pass costs beside finite differences, as a network grows.

Finite differences estimate each of P gradients from two forward passes, (L(θ + h) − L(θ − h))/2h,
so they cost 2P forward passes. The backward pass gets all P gradients for about the cost of one
forward pass more. :func:`measure_cost` times both on networks of growing width and
:func:`cost_figure` draws them on log-log axes.

Trade-off: the measured networks are written with numpy weight matrices (:class:`MatrixNetwork`),
not run through :func:`~backproplib.engine.numeric.backward` or the generated code of
:func:`~backproplib.engine.numeric.loss_and_gradients`. Both of those name every weight and do
Python work per parameter (a few µs each: tenths of a second per pass at 100,000 parameters), so 2P forward
passes would take many hours; with matrices both methods run at numpy's speed and the ratio measures
the algorithm, not the interpreter. The matrix code is the same network as
``square_network(width)`` and is checked against ``backward`` (:meth:`MatrixNetwork.of`, the tests).
The activations and the loss come from the library's rows, so no formula is written twice.

Used by the chapter 'Why backpropagation is fast, and what it is' (chapters/backprop_cost.ipynb)
and by benchmarks/run.py.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from ..engine.activations import get_activation
from ..engine.losses import get_loss
from ..engine.network import Network, layered_network
from ..views.figure import FigureView
from ..views.notebook import significant
from ..views.palette import BLUE, SERIES_STYLES, VERMILLION

__all__ = [
    "HIDDEN", "OUTPUT", "LOSS", "square_network", "parameter_count", "MatrixNetwork", "finite_differences",
    "CostRow", "measure_cost", "cost_figure", "cost_alt_text",
]

HIDDEN, OUTPUT, LOSS = "tanh", "sigmoid", "half_squared_error"
_HIDDEN, _OUTPUT, _LOSS = get_activation(HIDDEN), get_activation(OUTPUT), get_loss(LOSS)


def square_network(width: int) -> Network:
    """``width`` inputs, two tanh layers of ``width`` neurons, one sigmoid output, half squared error.

    >>> print(square_network(1))
    Network x1 -> n1_1 -> n2_1 -> n3_1, loss half_squared_error
      n1_1 = tanh(w1_1_1·x1 + b1_1)
      n2_1 = tanh(w2_1_1·n1_1 + b2_1)
      n3_1 = sigmoid(w3_1_1·n2_1 + b3_1)
    """
    return layered_network(width, [width, width, 1], [HIDDEN, HIDDEN, OUTPUT], LOSS)


def parameter_count(width: int) -> int:
    """Weights and biases of ``square_network(width)``: 2·width² + 3·width + 1, without building it.

    >>> [parameter_count(w) for w in (2, 7, 22, 70, 223)]
    [15, 120, 1035, 10011, 100128]
    """
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
        raise ValueError(f"width must be a whole number >= 1; got {width!r}")
    return 2 * width * width + 3 * width + 1


@dataclass
class MatrixNetwork:
    """``square_network(width)`` as weight matrices ``weights[k]`` (row = receiving neuron) and bias vectors.

    >>> net = MatrixNetwork.random(3, np.random.default_rng(0))
    >>> net.parameter_count, [w.shape for w in net.weights]
    (28, [(3, 3), (3, 3), (1, 3)])
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]

    @classmethod
    def random(cls, width: int, rng: np.random.Generator) -> MatrixNetwork:
        """Weights drawn from N(0, 1/width) (so the tanh layers neither saturate nor vanish), biases 0.1."""
        parameter_count(width)  # checks width
        shapes = [(width, width), (width, width), (1, width)]
        weights = [rng.normal(0.0, 1.0 / np.sqrt(width), shape) for shape in shapes]
        return cls(weights, [np.full(shape[0], 0.1) for shape in shapes])

    @classmethod
    def of(cls, network: Network, params: Mapping[str, float]) -> MatrixNetwork:
        """The matrices holding ``params`` of a network built by :func:`square_network`."""
        if [layer.activation for layer in network.layers] != [HIDDEN, HIDDEN, OUTPUT] or network.loss != LOSS:
            raise ValueError(f"network must be one made by square_network; got\n{network}")
        checked = network.check_parameters(params)
        weights = [np.array([[float(checked[w]) for w in row] for row in layer.weights]) for layer in network.layers]
        biases = [np.array([float(checked[layer.bias_of(j)]) for j in range(len(layer.neurons))])
                  for layer in network.layers]
        return cls(weights, biases)

    @property
    def parameter_count(self) -> int:
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    def named(self, network: Network) -> dict[str, float]:
        """The inverse of :meth:`of`: every entry under its name in ``network``."""
        values = {}
        for layer, w, b in zip(network.layers, self.weights, self.biases):
            for j, row in enumerate(layer.weights):
                values.update({name: float(w[j, i]) for i, name in enumerate(row)})
                values[layer.bias_of(j)] = float(b[j])
        return values

    def activations(self, x: np.ndarray) -> list[np.ndarray]:
        """The input and every layer's activation, in order."""
        a = [np.asarray(x, dtype=float)]
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            a.append((_OUTPUT if k == len(self.weights) - 1 else _HIDDEN).function(w @ a[-1] + b))
        return a

    def loss(self, x: np.ndarray, y: float) -> float:
        """One forward pass: the loss only."""
        return float(_LOSS.value([self.activations(x)[-1][0]], [y]))

    def backward(self, x: np.ndarray, y: float) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        """One forward and one backward pass: the loss, ∂L/∂W_k and ∂L/∂b_k for every layer."""
        a = self.activations(x)
        last = len(self.weights) - 1
        (dL_da,) = _LOSS.gradient([a[-1]], [y])
        delta = dL_da * _OUTPUT.derivative(None, a[-1])  # sigmoid and tanh slopes read a, not z
        grads_w, grads_b = [np.empty(0)] * len(self.weights), [np.empty(0)] * len(self.weights)
        for k in range(last, -1, -1):
            grads_w[k], grads_b[k] = np.outer(delta, a[k]), delta  # ∂L/∂W = δ aᵀ, ∂L/∂b = δ
            if k:
                delta = (self.weights[k].T @ delta) * _HIDDEN.derivative(None, a[k])
        return float(_LOSS.value([a[-1][0]], [y])), grads_w, grads_b


def finite_differences(net: MatrixNetwork, x: np.ndarray, y: float, entries: Sequence[tuple[int, int]] | None = None,
                       h: float = 1e-6) -> dict[tuple[int, int], float]:
    """Central differences (L(θ + h) − L(θ − h)) / 2h: two forward passes per entry.

    ``entries`` are (array, flat index) pairs; array ``2k`` is ``weights[k]`` and ``2k + 1`` is
    ``biases[k]``. ``None`` means every parameter.

    >>> net = MatrixNetwork.random(2, np.random.default_rng(1))
    >>> x = np.array([0.5, -0.3])
    >>> estimate = finite_differences(net, x, 0.2)
    >>> _, grads_w, grads_b = net.backward(x, 0.2)
    >>> bool(abs(estimate[(0, 1)] - grads_w[0].flat[1]) < 1e-8), bool(abs(estimate[(5, 0)] - grads_b[2][0]) < 1e-8)
    (True, True)
    """
    arrays = [array for pair in zip(net.weights, net.biases) for array in pair]
    if entries is None:
        entries = [(k, i) for k, array in enumerate(arrays) for i in range(array.size)]
    estimates = {}
    for k, i in entries:
        flat = arrays[k].reshape(-1)  # a view: writing into it moves the parameter
        kept = flat[i]
        flat[i] = kept + h
        above = net.loss(x, y)
        flat[i] = kept - h
        below = net.loss(x, y)
        flat[i] = kept
        estimates[(k, i)] = (above - below) / (2 * h)
    return estimates


@dataclass(frozen=True)
class CostRow:
    """One network size: seconds for one backward pass and for all finite differences.

    ``differenced`` is how many parameters the finite differences were timed on; when fewer than
    ``parameters``, ``finite_differences_s`` is that time scaled by ``parameters / differenced``
    (every parameter costs the same two forward passes).
    """

    width: int
    parameters: int
    backward_s: float
    forward_s: float
    finite_differences_s: float
    differenced: int

    @property
    def ratio(self) -> float:
        return self.finite_differences_s / self.backward_s


def _median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure_cost(widths: Sequence[int], repeats: int = 7, sample: int = 2_000, seed: int = 0) -> list[CostRow]:
    """Time one backward pass, one forward pass and the finite differences at each width.

    The backward and forward passes are medians of ``repeats`` runs. The finite differences are
    timed once, on every parameter when there are at most ``sample``, else on ``sample`` of them
    drawn at random (the row says how many).
    """
    if repeats < 1 or sample < 1:
        raise ValueError(f"repeats and sample must be >= 1; got repeats={repeats!r}, sample={sample!r}")
    rng = np.random.default_rng(seed)
    rows = []
    for width in widths:
        net = MatrixNetwork.random(width, rng)
        x, y = rng.uniform(-1.0, 1.0, width), 0.5
        finite_differences(net, x, y, [(0, 0)] * 3)  # untimed: the first calls of a size pay for allocations
        backward_s = _median_seconds(lambda: net.backward(x, y), repeats)
        forward_s = _median_seconds(lambda: net.loss(x, y), repeats)
        sizes = [a.size for pair in zip(net.weights, net.biases) for a in pair]
        everything = [(k, i) for k, size in enumerate(sizes) for i in range(size)]
        chosen = everything if len(everything) <= sample else [
            everything[i] for i in rng.choice(len(everything), sample, replace=False)
        ]
        start = time.perf_counter()
        finite_differences(net, x, y, chosen)
        differenced_s = time.perf_counter() - start
        total = len(everything)
        rows.append(CostRow(width, total, backward_s, forward_s, differenced_s * total / len(chosen), len(chosen)))
    return rows


def cost_figure(rows: Sequence[CostRow]) -> Figure:
    """Seconds against parameters on log-log axes: finite differences and one backward pass."""
    view = FigureView((6.4, 4.4), dpi=100)
    axes = view.figure.subplots()
    counts = [row.parameters for row in rows]
    axes.loglog(counts, [row.finite_differences_s for row in rows], color=VERMILLION, ls=SERIES_STYLES[1],
                marker="s", label="finite differences (2 forward passes per parameter)")
    sampled = [row for row in rows if row.differenced < row.parameters]
    if sampled:
        axes.loglog([r.parameters for r in sampled], [r.finite_differences_s for r in sampled], ls="none",
                    marker="s", markerfacecolor="white", color=VERMILLION,
                    label="  (timed on a random sample of parameters, scaled)")
    axes.loglog(counts, [row.backward_s for row in rows], color=BLUE, ls=SERIES_STYLES[0], marker="o",
                label="backpropagation (one forward and one backward pass)")
    axes.set_xlabel("parameters (weights and biases)")
    axes.set_ylabel("seconds for every gradient")
    axes.grid(True, which="major", alpha=0.3)
    # 9 pt on a 6.4 in figure shown at its 640 px: 12.5 px, the book's smallest text in a figure.
    # Under the axes, since inside them it would hide a point.
    axes.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    view.figure.tight_layout()
    return view.figure


def cost_alt_text(rows: Sequence[CostRow]) -> str:
    """The figure in words, from the measured rows."""
    first, last = rows[0], rows[-1]
    return (
        f"Log-log plot of the seconds needed for every gradient against the number of parameters, from "
        f"{first.parameters:,} to {last.parameters:,}. Finite differences grow from "
        f"{significant(first.finite_differences_s, 2)} s to {significant(last.finite_differences_s, 2)} s, "
        f"backpropagation from {significant(first.backward_s, 2)} s to {significant(last.backward_s, 2)} s; "
        f"at the largest size finite differences take {last.ratio:,.0f} times as long."
    )
