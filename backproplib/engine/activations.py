"""Activation functions: one row per activation, each formula written once.

A row (:class:`Activation`) carries everything any part of the library needs about one activation:
the numpy function and its local derivative side by side (micrograd style), the sympy form, the
LaTeX of both, a name in words, and the code templates (:mod:`backproplib.engine.templates`) that
every code generator fills in. Nothing else in the library restates these formulas.

Every numpy function works element-wise on arrays of any shape, so the same code serves a single
evaluation and a batch of parameter settings.

Trade-off: ``derivative(z, a)`` receives both the input and the output, because several slopes
are cheapest from the output (sigmoid ``a(1 − a)``, tanh ``1 − a²``). Those forms round to 0 once
``a`` rounds to ±1 (sigmoid beyond |z| ≈ 37, tanh beyond |z| ≈ 19) where the exact slope is below
1e-16; exact forms from z would cost a batch two more passes over memory per neuron. Where it
matters, the exact slope of a sigmoid output under cross-entropy, the loss row works from z
instead (:mod:`backproplib.engine.losses`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, TypeVar

import numpy as np
import sympy as sp

from .templates import Code

__all__ = ["Activation", "ACTIVATIONS", "get_activation"]


@dataclass(frozen=True)
class Activation:
    r"""One activation: its formula in every form the library uses.

    ``function(z)`` and ``derivative(z, a)`` are the numpy forms; ``symbolic(z)`` the sympy form;
    ``latex`` and ``latex_derivative`` the formulas as the book prints them; ``symbol`` the LaTeX
    name of the function; ``words`` a plain-words name; ``code`` the templates of a and da/dz.

    >>> get_activation("sigmoid").latex_derivative
    "\\sigma'(z) = \\sigma(z)\\bigl(1 - \\sigma(z)\\bigr)"
    """

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    symbolic: Callable[[sp.Expr], sp.Expr]
    symbol: str
    latex: str
    latex_derivative: str
    words: str
    code: Code

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
        "sigmoid", _sigmoid, _sigmoid_derivative, lambda z: 1 / (1 + sp.exp(-z)), symbol=r"\sigma",
        latex=r"\sigma(z) = \frac{1}{1 + e^{-z}}",
        latex_derivative=r"\sigma'(z) = \sigma(z)\bigl(1 - \sigma(z)\bigr)",
        words="the logistic sigmoid",
        code=Code("_sigmoid({z})", "{a} * (1.0 - {a})"),
    ),
    "relu": Activation(
        "relu", _relu, _relu_derivative, lambda z: sp.Piecewise((z, z > 0), (0, True)), symbol=r"\operatorname{ReLU}",
        latex=r"\operatorname{ReLU}(z) = \max(z, 0)",
        latex_derivative=r"\operatorname{ReLU}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}",
        words="the rectified linear unit (ReLU)",
        code=Code("_relu({z})", "_step({z})"),
    ),
    "tanh": Activation(
        "tanh", _tanh, _tanh_derivative, sp.tanh, symbol=r"\tanh",
        latex=r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
        latex_derivative=r"\tanh'(z) = 1 - \tanh^2(z)",
        words="the hyperbolic tangent",
        code=Code("_tanh({z})", "1.0 - {a} * {a}"),
    ),
    "identity": Activation(
        "identity", _identity, _identity_derivative, lambda z: z, symbol=r"\operatorname{id}",
        latex=r"\operatorname{id}(z) = z",
        latex_derivative=r"\operatorname{id}'(z) = 1",
        words="the identity (no activation)",
        code=Code("{z}", "1.0"),
    ),
}

Row = TypeVar("Row")


def lookup(table: Mapping[str, Row], kind: str, name: object) -> Row:
    """The row called ``name`` in ``table``, or a ValueError naming the allowed names.

    Shared by :func:`get_activation` and :func:`backproplib.engine.losses.get_loss`.

    >>> lookup({"a": 1}, "letter", "b")
    Traceback (most recent call last):
    ...
    ValueError: letter must be one of 'a'; got 'b'
    """
    if not isinstance(name, str) or name not in table:
        allowed = ", ".join(repr(k) for k in table)
        raise ValueError(f"{kind} must be one of {allowed}; got {name!r}")
    return table[name]


def get_activation(name: str) -> Activation:
    """Look up an activation by name.

    >>> float(get_activation("sigmoid").function(0.0))
    0.5
    >>> get_activation("softmax")
    Traceback (most recent call last):
    ...
    ValueError: activation must be one of 'sigmoid', 'relu', 'tanh', 'identity'; got 'softmax'
    """
    return lookup(ACTIVATIONS, "activation", name)
