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
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping, Sequence

import numpy as np

from .network import Network
from .numeric import loss_and_gradients

__all__ = ["Dataset", "mean_loss_and_gradients"]


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

    def batches(self, batch_size: int | None, rng: np.random.Generator | None) -> Iterator["Dataset"]:
        """One epoch of mini-batches: the whole set (``batch_size=None``), else shuffled by ``rng``.

        The last batch is smaller when ``batch_size`` does not divide N; no example is dropped.
        """
        if batch_size is None or batch_size >= len(self):
            yield self
            return
        order = rng.permutation(len(self)) if rng is not None else np.arange(len(self))
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
