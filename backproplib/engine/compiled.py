"""Backprop for one network written out as straight-line code, the way one would by hand.

``z_h1 = w1*x1 + w2*x2``, ``a_h1 = sigmoid(z_h1)``, …, ``d_h1 = w5*d_out * a_h1*(1 - a_h1)``,
``g_w1 = d_h1*x1``: the same lines serve two purposes, with different helpers behind the names.

* :func:`compile_step` runs them on plain floats: one training step. numpy spends about a
  microsecond per call however small its arrays, so a step of thirty numpy calls costs ~40 µs and
  2000 epochs would outlast a screen frame while a slider is dragged; straight-line Python takes a
  few microseconds.
* :func:`compile_gradients` runs them on numpy arrays: the loss and gradients for a whole batch of
  parameter settings, with no bookkeeping between the array operations, as fast as the numpy a
  reader would type for that one network.

The arithmetic is exactly that of :func:`backproplib.engine.numeric.backward` (the tests compare them),
and :func:`step_source` / :func:`gradients_source` show the code that runs, so nothing is hidden.
No formula is written here: every line is filled in from the code templates of the activation and
loss rows (:mod:`backproplib.engine.templates`), the same ones a JavaScript generator fills in.
Cross-entropy on a sigmoid output takes the row's form on z (loss softplus(z) − y·z, delta
σ(z) − y, see backproplib.engine.losses), so a confidently wrong network keeps its full gradient at any finite z.

Trade-off: the code is generated and compiled once per network (cached), which costs about a
millisecond; every later call pays nothing for the generality.
"""
from __future__ import annotations

import functools
import keyword
import math
import re
from typing import Callable

import numpy as np

from .activations import get_activation
from .losses import softplus
from .network import Network
from .straight_line import StraightLine, straight_line
from .templates import HELPERS

__all__ = ["compile_step", "step_source", "compile_gradients", "gradients_source"]

Step = Callable[[tuple[float, ...], tuple[float, ...], tuple[float, ...], float], tuple[float, tuple[float, ...]]]


def _sigmoid(z: float) -> float:
    # Two forms, so that exp never sees a large positive argument (math.exp raises past 709).
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _softplus(z: float) -> float:
    # log(1 + e^z) with no overflow and no lost digits, as backproplib.engine.losses.softplus.
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def _relu(z: float) -> float:
    return z if z > 0.0 else 0.0


def _step(z: float) -> float:
    # ReLU's slope; 0 at the kink, as in backproplib.engine.activations.
    return 1.0 if z > 0.0 else 0.0


def step_source(network: Network) -> str:
    """The Python source of one training step for ``network``.

    The function it defines takes ``(theta, x, y, rate)``: parameter values in the order of
    ``network.parameters``, inputs, targets and the learning rate; it returns the loss before the
    step and the parameters after it.

    >>> from backproplib.checking.examples import load_example
    >>> print(step_source(load_example("tiny_relu").network))  # doctest: +NORMALIZE_WHITESPACE
    def step(theta, x, y, rate):
        w1, w2 = theta
        x0, = x
        y0, = y
        z1_0 = w1 * x0  # z_h
        a1_0 = _relu(z1_0)
        z2_0 = w2 * a1_0  # z_o
        loss = ((1.0 - y0) * _softplus(z2_0) + y0 * _softplus(-(z2_0))) / 1
        d2_0 = ((1.0 - y0) * _sigmoid(z2_0) - y0 * _sigmoid(-(z2_0))) / 1
        d1_0 = (w2 * d2_0) * (_step(z1_0))
        return loss, (w1 - rate * (d1_0 * x0), w2 - rate * (d2_0 * a1_0))
    """
    plan = straight_line(network, _python_names(network))
    updated = [f"{p} - rate * ({g})" for p, g in zip(plan.parameters, plan.gradients)]
    return _python_source(plan, "step(theta, x, y, rate)", updated)


def gradients_source(network: Network) -> str:
    """The Python source of the loss and every gradient for ``network``, for arrays or numbers.

    The function it defines takes ``(theta, x, y)`` like :func:`step_source`'s and returns the
    loss and a tuple of gradients in the order of ``network.parameters``.

    >>> from backproplib.checking.examples import load_example
    >>> print(gradients_source(load_example("tiny_relu").network).splitlines()[-1].strip())
    return loss, (d1_0 * x0, d2_0 * a1_0)
    """
    plan = straight_line(network, _python_names(network))
    return _python_source(plan, "gradients(theta, x, y)", list(plan.gradients))


def _python_source(plan: StraightLine, signature: str, returned: list[str]) -> str:
    """The plan printed as a Python function returning ``loss`` and the tuple of ``returned``."""

    def unpacked(names: tuple[str, ...], source: str) -> str:
        return f"    {', '.join(names)}{',' if len(names) == 1 else ''} = {source}"

    lines = [f"def {signature}:", unpacked(plan.parameters, "theta"), unpacked(plan.inputs, "x"),
             unpacked(plan.targets, "y")]
    for line in plan.lines:
        lines.append(f"    {line.target} = {line.expression}" + (f"  # {line.note}" if line.note else ""))
    lines.append(f"    return loss, ({', '.join(returned)}{',' if len(returned) == 1 else ''})")
    return "\n".join(lines)


def _python_names(network: Network) -> dict[str, str]:
    """Each parameter's identifier in the Python source: its own name unless that could clash."""
    return {p: p if _usable(p) else f"theta_{i}" for i, p in enumerate(network.parameters)}


_RESERVED = {"theta", "x", "y", "rate", "loss", "step", "gradients"}
_GENERATED = re.compile(r"^([zad]\d+_\d+|[xy]\d+|theta_\d+)$")


def _usable(name: str) -> bool:
    """A parameter keeps its own name in the source unless it could clash with a generated one."""
    return (
        name.isidentifier()
        and not name.startswith("_")
        and not keyword.iskeyword(name)
        and name not in _RESERVED
        and not _GENERATED.match(name)
    )


# What the template helpers (backproplib.engine.templates.HELPERS) mean on floats (a training step)
# and on arrays (a batch); test_formulas.py checks that both define exactly those names.
_SCALAR = {
    "_sigmoid": _sigmoid, "_softplus": _softplus, "_relu": _relu, "_step": _step, "_tanh": math.tanh, "_log": math.log,
}
_ARRAY = {
    "_sigmoid": get_activation("sigmoid").function,  # the library's own, overflow-safe on arrays
    "_softplus": softplus,
    "_relu": get_activation("relu").function,
    "_step": lambda z: get_activation("relu").derivative(z, None),
    "_tanh": np.tanh,
    "_log": np.log,
}
assert set(_SCALAR) == set(_ARRAY) == set(HELPERS), "a generator defines exactly the template helpers"


def compile_step(network: Network) -> Step:
    """Compile :func:`step_source` into a function on floats.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> step = compile_step(ex.network)
    >>> loss, (w1, w2) = step((0.5, 0.5), (1.0,), (0.0,), 0.1)
    >>> round(loss, 6), round(w2, 6)
    (0.825939, 0.471891)
    """
    return _compiled(step_source(network), "step", "scalar")


def compile_gradients(network: Network) -> Callable:
    """Compile :func:`gradients_source` into a function on numpy arrays (any broadcastable shapes).

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> loss, (g1, g2) = compile_gradients(ex.network)((np.array([0.5, -0.5]), 0.5), (1.0,), (0.0,))
    >>> np.round(g1, 4), np.round(g2, 4)
    (array([0.2811, 0.    ]), array([0.2811, 0.    ]))
    """
    return _compiled(gradients_source(network), "gradients", "array")


@functools.lru_cache(maxsize=128)
def _compiled(source: str, name: str, kind: str) -> Callable:
    namespace = dict(_SCALAR if kind == "scalar" else _ARRAY)
    exec(compile(source, f"<{name} of a backproplib network>", "exec"), namespace)
    return namespace[name]
