"""Many examples at once: a dataset, the loss averaged over it, and its mini-batches.

A dataset is nothing new to the engine: every input and target is an array whose **last axis runs
over the examples**, and the forward and backward passes already broadcast over it. What is new is
the average: the loss of a dataset of N examples is

    L(θ) = (1/N) Σₙ ℓ(ŷ(xₙ; θ), yₙ),

where ℓ is the network's loss for one example (summed or averaged over the outputs as the loss says),
and since the derivative of a mean is the mean of the derivatives, ∂L/∂θ = (1/N) Σₙ ∂ℓₙ/∂θ.

Examples go on the last axis so that a parameter sweep can sit in front of them: a weight of shape
``(S, 1)`` against N examples gives an ``(S, N)`` grid, and averaging the last axis leaves one loss
per setting (:func:`mean_loss_and_gradients` adds that trailing axis to array parameters itself).

Mini-batches are dealt by :class:`Shuffle`, not by numpy's generators: a 32-bit generator small
enough to print again in JavaScript (:mod:`backproplib.engine.javascript`), so a browser trains on
the same batches, in the same order, as :func:`~backproplib.engine.training.train`, and the two can
be compared epoch by epoch. It is mulberry32 (Tommy Ettinger's 32-bit mixer): a handful of
additions, multiplications and shifts modulo 2³², and well mixed from the first draw even for
seeds 0, 1, 2, … (a plain xorshift is not). Its statistics are ample for shuffling a few hundred
examples; it is no generator for simulations or secrets.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Iterator, Mapping, Sequence

import numpy as np

from .network import Network
from .numeric import loss_and_gradients

__all__ = ["Dataset", "Shuffle", "check_seed", "mean_loss_and_gradients"]

_MASK = 0xFFFFFFFF  # arithmetic modulo 2**32, as JavaScript's Math.imul and >>> 0 do it


def check_seed(seed: object) -> int:
    """``seed`` as an int in [0, 2³²), or a ValueError naming what is allowed.

    >>> check_seed(7), check_seed(np.uint32(2**32 - 1))
    (7, 4294967295)
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be a whole number from 0 to 4294967295 (not a bool); got -1
    """
    whole = isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_))
    if not whole or not 0 <= seed <= _MASK:  # type: ignore[operator]
        raise ValueError(f"seed must be a whole number from 0 to {_MASK} (not a bool); got {seed!r}")
    return int(seed)  # type: ignore[arg-type]


def _times(a: int, b: int) -> int:
    """a·b modulo 2³² (JavaScript's ``Math.imul``, read as unsigned)."""
    return (a * b) & _MASK


class Shuffle:
    """A seeded stream of 32-bit numbers (mulberry32), and the shuffles it deals.

    The same seed gives the same numbers, and so the same mini-batches, in Python and in the
    browser's JavaScript (which prints these steps once, in ``SHUFFLE_SOURCE``).

    >>> deal = Shuffle(0)
    >>> [deal.next() for _ in range(3)]
    [1144304738, 1416247, 958946056]
    >>> Shuffle(0).permutation(8), Shuffle(1).permutation(8)
    ([4, 7, 3, 5, 6, 1, 0, 2], [2, 1, 6, 7, 4, 3, 0, 5])
    """

    def __init__(self, seed: int) -> None:
        self.state = check_seed(seed)

    def next(self) -> int:
        """The next number of the stream, in [0, 2³²)."""
        self.state = (self.state + 0x6D2B79F5) & _MASK  # a Weyl sequence: every state once per 2³² draws
        t = _times(self.state ^ (self.state >> 15), self.state | 1)  # then mix its bits (mulberry32)
        t ^= (t + _times(t ^ (t >> 7), t | 61)) & _MASK
        return t ^ (t >> 14)

    def below(self, n: int) -> int:
        """A whole number in [0, n): the top of ``next() · n / 2³²`` (exact in both languages while n < 2²¹)."""
        return (self.next() * n) >> 32

    def permutation(self, n: int) -> list[int]:
        """0 … n − 1 shuffled (Fisher–Yates from the end): every order equally likely, given a fair stream."""
        if not 0 <= n < 2**21:
            raise ValueError(f"n must be a whole number from 0 to {2**21 - 1}; got {n!r}")
        order = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.below(i + 1)
            order[i], order[j] = order[j], order[i]
        return order


@dataclass(frozen=True)
class Dataset:
    """N examples for one network: ``x[name]`` and ``y[output]`` are arrays of N values.

    Build one with :meth:`of`; pass ``data.x`` and ``data.y`` wherever one example's ``x`` and ``y``
    go (:func:`~backproplib.engine.numeric.backward`, :func:`~backproplib.engine.training.train`).

    >>> from backproplib.engine.network import Layer, Network
    >>> net = Network(("x1", "x2"), (Layer(("o",), "identity", (("w1", "w2"),)),), "half_squared_error")
    >>> data = Dataset.of(net, [[1, 2], [3, 4], [5, 6]], [3, 7, 11])
    >>> len(data), data.x["x2"], data.y["o"]
    (3, array([2., 4., 6.]), array([ 3.,  7., 11.]))
    """

    x: dict[str, np.ndarray]
    y: dict[str, np.ndarray]

    @classmethod
    def of(cls, network: Network, x: object, y: object) -> "Dataset":
        """Examples given row by row or column by column, checked against ``network``.

        ``x`` is an ``(N, inputs)`` table (rows are examples) or a mapping input name → N values;
        ``y`` is N values (one output), an ``(N, outputs)`` table, or a mapping output name → N values.
        """
        columns = _columns(x, network.inputs, "x")
        targets = _columns(y, network.outputs, "y")
        inputs = network.check_inputs(columns)
        checked = dict(zip(network.outputs, network.check_targets(targets)))
        sizes = {np.shape(v) for v in (*inputs.values(), *checked.values())}
        if len(sizes) != 1 or len(next(iter(sizes))) != 1 or next(iter(sizes))[0] == 0:
            raise ValueError(f"x and y must hold the same number N >= 1 of examples; got shapes {sorted(sizes)}")
        return cls(inputs, checked)

    def __len__(self) -> int:
        """The number of examples (1 for a single example held as plain numbers)."""
        return int(np.size(next(iter(self.y.values()))))

    def subset(self, indices: Sequence[int] | np.ndarray) -> "Dataset":
        """The examples at ``indices``, in that order."""
        return Dataset({k: v[indices] for k, v in self.x.items()}, {k: v[indices] for k, v in self.y.items()})

    def batches(self, batch_size: int | None, shuffle: Shuffle | None) -> Iterator["Dataset"]:
        """One epoch of mini-batches: the whole set (``batch_size=None``), else dealt by ``shuffle``.

        The examples are taken in the order of ``shuffle.permutation(N)`` (in their own order when
        ``shuffle`` is None), ``batch_size`` at a time; the last batch is smaller when ``batch_size``
        does not divide N, and no example is dropped.

        >>> from backproplib.engine.network import Layer, Network
        >>> net = Network(("x",), (Layer(("o",), "identity", (("w",),)),), "half_squared_error")
        >>> data = Dataset.of(net, [[0], [1], [2], [3], [4]], [0, 10, 20, 30, 40])
        >>> [batch.x["x"].tolist() for batch in data.batches(2, Shuffle(0))]
        [[4.0, 2.0], [3.0, 0.0], [1.0]]
        """
        if batch_size is None or batch_size >= len(self):
            yield self
            return
        order = shuffle.permutation(len(self)) if shuffle is not None else list(range(len(self)))
        for start in range(0, len(self), batch_size):
            yield self.subset(order[start : start + batch_size])


def _columns(values: object, names: tuple[str, ...], what: str) -> Mapping[str, object]:
    if isinstance(values, Mapping):
        return values
    table = np.asarray(values, dtype=float) if not isinstance(values, (str, bytes)) else None
    if table is None or table.ndim not in (1, 2) or (table.ndim == 1 and len(names) != 1):
        raise ValueError(
            f"{what} must be a table of shape (N, {len(names)}), one row per example, or a mapping of "
            f"{list(names)} to N values each"
        )
    table = table.reshape(len(table), -1)
    if table.shape[1] != len(names):
        raise ValueError(f"{what} must have {len(names)} columns, one per {list(names)}; got {table.shape[1]}")
    return {name: table[:, k] for k, name in enumerate(names)}


def mean_loss_and_gradients(
    network: Network, params: Mapping[str, object], data: Dataset
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The loss averaged over the examples of ``data``, and its gradients (the means of theirs).

    Parameters may be arrays, as in :func:`~backproplib.engine.numeric.loss_and_gradients`: each gets
    a trailing axis that meets the examples, so the result has the parameters' own shape.

    >>> from backproplib.engine.network import Layer, Network
    >>> net = Network(("x1", "x2"), (Layer(("o",), "identity", (("w1", "w2"),)),), "half_squared_error")
    >>> data = Dataset.of(net, [[1, 2], [3, 4]], [3, 7])
    >>> loss, grads = mean_loss_and_gradients(net, {"w1": 1.0, "w2": 1.0}, data)
    >>> float(loss), float(grads["w1"])
    (0.0, 0.0)
    >>> loss, grads = mean_loss_and_gradients(net, {"w1": np.array([0.0, 1.0, 2.0]), "w2": 1.0}, data)
    >>> loss.tolist(), grads["w1"].tolist()
    ([2.5, 0.0, 2.5], [-5.0, 0.0, 5.0])
    """
    swept = {
        name: np.asarray(value, dtype=float)[..., np.newaxis]
        for name, value in network.check_parameters(params).items()
    }
    loss, gradients = loss_and_gradients(network, swept, data.x, data.y)
    return loss.mean(axis=-1), {name: g.mean(axis=-1) for name, g in gradients.items()}
