"""Activation functions, each with its local derivative written beside it.

Every function works element-wise on numpy arrays of any shape, so the same code
serves a single evaluation and a batch of parameter settings.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy as sp

__all__ = ["Activation", "ACTIVATIONS", "get_activation"]


@dataclass(frozen=True)
class Activation:
    """An activation function and its derivative, numeric and symbolic.

    ``derivative(z, a)`` receives both the input ``z`` and the output ``a`` because
    several derivatives are cheapest in terms of the output (sigmoid: ``a(1-a)``).
    """

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    symbolic: Callable[[sp.Expr], sp.Expr]
    latex: str

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # The textbook 1/(1 + e^-z) keeps full relative precision on both sides; the form
    # 0.5 + 0.5 tanh(z/2) does not, because for z << 0 it subtracts two numbers close to 1/2
    # (sigmoid(-30) came out 1.7e-4 too large). Below z = -709, e^-z overflows to inf and
    # 1/(1 + inf) = 0 is the right limit, so that overflow is expected and silenced.
    # In-place steps: on a batch of 100,000 settings each fresh array costs more than the arithmetic.
    out = np.negative(np.asarray(z, dtype=float))
    with np.errstate(over="ignore"):
        out = np.exp(out, out=out) if np.ndim(out) else np.exp(out)
    out += 1.0
    return np.reciprocal(out, out=out) if np.ndim(out) else 1.0 / out


def _sigmoid_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    slope = 1.0 - a
    slope *= a  # a(1 - a), one array instead of two
    return slope


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def _relu_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    # The kink at z = 0 gets slope 0, the convention of most libraries.
    return (np.asarray(z) > 0).astype(float)


def _tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(np.asarray(z, dtype=float))


def _tanh_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return 1.0 - a * a


def _identity(z: np.ndarray) -> np.ndarray:
    return np.asarray(z, dtype=float) * 1.0


def _identity_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.ones_like(np.asarray(z, dtype=float))


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "sigmoid", _sigmoid, _sigmoid_derivative, lambda z: 1 / (1 + sp.exp(-z)), r"\sigma"
    ),
    "relu": Activation(
        "relu", _relu, _relu_derivative, lambda z: sp.Piecewise((z, z > 0), (0, True)), r"\operatorname{ReLU}"
    ),
    "tanh": Activation("tanh", _tanh, _tanh_derivative, sp.tanh, r"\tanh"),
    "identity": Activation("identity", _identity, _identity_derivative, lambda z: z, r"\operatorname{id}"),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name.

    >>> float(get_activation("sigmoid").function(0.0))
    0.5
    >>> get_activation("softmax")
    Traceback (most recent call last):
    ...
    ValueError: activation must be one of 'sigmoid', 'relu', 'tanh', 'identity'; got 'softmax'
    """
    if name not in ACTIVATIONS:
        allowed = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"activation must be one of {allowed}; got {name!r}")
    return ACTIVATIONS[name]
