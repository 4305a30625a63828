"""Gradient descent: one step, and the training loop that repeats forward, backward and step.

The loop runs the network's straight-line step (:mod:`backproplib.engine.compiled`) on floats: a
training curve of 2000 epochs must redraw while a slider moves, and the general walk of
:func:`backproplib.engine.numeric.backward` spends most of its time in dictionaries and small numpy
arrays. The tests prove the two give the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .compiled import compile_step
from .network import Network

__all__ = ["DIVERGENCE_LIMIT", "TrainingRun", "gradient_step", "train"]

Params = Mapping[str, object]


def gradient_step(params: Params, gradients: Mapping[str, object], learning_rate: float) -> dict[str, object]:
    """One step of gradient descent: θ_new = θ − η ∂L/∂θ for every parameter.

    >>> gradient_step({"w": 0.5}, {"w": 0.2}, 0.1)
    {'w': 0.48}
    """
    _check_learning_rate(learning_rate)
    missing = [k for k in params if k not in gradients]
    if missing:
        raise ValueError(f"gradients is missing {missing}; it needs one entry per parameter")
    updated = {}
    for name, value in params.items():
        new = np.asarray(value, dtype=float) - learning_rate * np.asarray(gradients[name], dtype=float)
        updated[name] = float(new) if new.ndim == 0 else new
    return updated


def _check_learning_rate(learning_rate: float) -> None:
    if not isinstance(learning_rate, (int, float, np.floating)) or not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be a finite number > 0; got {learning_rate!r}")


# Beyond this size a run has left every region a reader can learn from; stopping there keeps
# the arithmetic far from overflow, so a diverging run ends cleanly instead of with warnings.
DIVERGENCE_LIMIT = 1e6


@dataclass
class TrainingRun:
    """Loss before each step (``losses[0]`` is the starting loss) and the final parameters.

    ``diverged`` is True when a parameter or the loss left ``±DIVERGENCE_LIMIT``; training then
    stops early and ``losses`` is shorter than ``epochs + 1``.
    """

    losses: np.ndarray
    params: dict[str, float]
    diverged: bool = False


def train(network: Network, params: Params, x: object, y: object, learning_rate: float, epochs: int) -> TrainingRun:
    """Repeat forward, backward and update ``epochs`` times on one example.

    ``losses`` has ``epochs + 1`` entries: the loss before each step and after the last.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> run = train(ex.network, ex.params, ex.x, ex.y, ex.learning_rate, 100)
    >>> bool(run.losses[-1] < run.losses[0])
    True
    """
    _check_learning_rate(learning_rate)
    if not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a whole number >= 0; got {epochs!r}")
    step = compile_step(network)
    checked = network.check_parameters(params)
    if any(np.ndim(v) for v in checked.values()):
        raise ValueError("params for train must be single numbers, not arrays")
    theta = tuple(float(checked[name]) for name in network.parameters)
    inputs = tuple(float(v) for v in network.check_inputs(x).values())
    targets = tuple(float(t) for t in network.check_targets(y))
    losses: list[float] = []
    diverged = False
    for epoch in range(epochs + 1):
        loss, stepped = step(theta, inputs, targets, float(learning_rate))
        losses.append(loss)
        if loss > DIVERGENCE_LIMIT:
            diverged = True
            break
        if epoch < epochs:
            if max(map(abs, stepped)) > DIVERGENCE_LIMIT:
                diverged = True
                break
            theta = stepped
    return TrainingRun(np.array(losses), dict(zip(network.parameters, theta)), diverged)
