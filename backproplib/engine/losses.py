"""Loss functions over the output vector, each with dL/dŷ beside it.

``yhat`` and ``y`` are lists with one array per output neuron (arrays broadcast, so a
whole batch of parameter settings is evaluated at once).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import sympy as sp

__all__ = ["Loss", "LOSSES", "get_loss"]

# Cross-entropy takes log(ŷ) and log(1 - ŷ): keep ŷ this far from 0 and 1 so both stay finite.
_PROBABILITY_MARGIN = 1e-15

Outputs = Sequence[np.ndarray]


@dataclass(frozen=True)
class Loss:
    """A loss L(ŷ, y), its gradient with respect to each output, and its sympy form."""

    name: str
    value: Callable[[Outputs, Outputs], np.ndarray]
    gradient: Callable[[Outputs, Outputs], list[np.ndarray]]
    symbolic: Callable[[list[sp.Expr], list[sp.Expr]], sp.Expr]
    latex: str
    targets_are_probabilities: bool = False

    def __repr__(self) -> str:
        return f"Loss({self.name!r})"


def _half_squared_error(yhat: Outputs, y: Outputs) -> np.ndarray:
    return sum(0.5 * (p - t) ** 2 for p, t in zip(yhat, y))


def _half_squared_error_gradient(yhat: Outputs, y: Outputs) -> list[np.ndarray]:
    return [p - t for p, t in zip(yhat, y)]


def _mean_squared_error(yhat: Outputs, y: Outputs) -> np.ndarray:
    return sum((p - t) ** 2 for p, t in zip(yhat, y)) / len(yhat)


def _mean_squared_error_gradient(yhat: Outputs, y: Outputs) -> list[np.ndarray]:
    return [2.0 * (p - t) / len(yhat) for p, t in zip(yhat, y)]


def _clip(p: np.ndarray) -> np.ndarray:
    return np.clip(p, _PROBABILITY_MARGIN, 1.0 - _PROBABILITY_MARGIN)


def _binary_cross_entropy(yhat: Outputs, y: Outputs) -> np.ndarray:
    total = sum(-(t * np.log(_clip(p)) + (1.0 - t) * np.log(1.0 - _clip(p))) for p, t in zip(yhat, y))
    return total / len(yhat)


def _binary_cross_entropy_gradient(yhat: Outputs, y: Outputs) -> list[np.ndarray]:
    # d/dp of -(t log p + (1-t) log(1-p)) = (p - t) / (p (1 - p))
    return [(_clip(p) - t) / (_clip(p) * (1.0 - _clip(p))) / len(yhat) for p, t in zip(yhat, y)]


LOSSES: dict[str, Loss] = {
    "half_squared_error": Loss(
        "half_squared_error",
        _half_squared_error,
        _half_squared_error_gradient,
        lambda p, t: sum(sp.Rational(1, 2) * (pi - ti) ** 2 for pi, ti in zip(p, t)),
        r"\tfrac12(\hat y - y)^2",
    ),
    "mean_squared_error": Loss(
        "mean_squared_error",
        _mean_squared_error,
        _mean_squared_error_gradient,
        lambda p, t: sum((pi - ti) ** 2 for pi, ti in zip(p, t)) / len(p),
        r"\tfrac1n\sum(\hat y - y)^2",
    ),
    "binary_cross_entropy": Loss(
        "binary_cross_entropy",
        _binary_cross_entropy,
        _binary_cross_entropy_gradient,
        lambda p, t: sum(-(ti * sp.log(pi) + (1 - ti) * sp.log(1 - pi)) for pi, ti in zip(p, t)) / len(p),
        r"-[y\log\hat y + (1-y)\log(1-\hat y)]",
        targets_are_probabilities=True,
    ),
}


def get_loss(name: str) -> Loss:
    """Look up a loss by name.

    >>> float(get_loss("half_squared_error").value([np.array(0.75)], [np.array(0.25)]))
    0.125
    >>> get_loss("hinge")
    Traceback (most recent call last):
    ...
    ValueError: loss must be one of 'half_squared_error', 'mean_squared_error', 'binary_cross_entropy'; got 'hinge'
    """
    if name not in LOSSES:
        allowed = ", ".join(repr(k) for k in LOSSES)
        raise ValueError(f"loss must be one of {allowed}; got {name!r}")
    return LOSSES[name]
