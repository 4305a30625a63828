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
"""
from __future__ import annotations

import functools
import keyword
import math
import re
from typing import Callable

import numpy as np

from .activations import get_activation
from .losses import _PROBABILITY_MARGIN
from .network import Network

__all__ = ["compile_step", "step_source", "compile_gradients", "gradients_source"]

Step = Callable[[tuple[float, ...], tuple[float, ...], tuple[float, ...], float], tuple[float, tuple[float, ...]]]


def _sigmoid(z: float) -> float:
    # Two forms, so that exp never sees a large positive argument (math.exp raises past 709).
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _relu(z: float) -> float:
    return z if z > 0.0 else 0.0


def _probability(p: float) -> float:
    # The same margin as the cross-entropy of backproplib.engine.losses, so both give the same numbers.
    return min(max(p, _PROBABILITY_MARGIN), 1.0 - _PROBABILITY_MARGIN)


def _step(z: float) -> float:
    # ReLU's slope; 0 at the kink, as in backproplib.engine.activations.
    return 1.0 if z > 0.0 else 0.0


# activation: (a from z, da/dz from z and a), as Python expressions
_ACTIVATIONS = {
    "sigmoid": ("_sigmoid({z})", "{a} * (1.0 - {a})"),
    "relu": ("_relu({z})", "_step({z})"),
    "tanh": ("_tanh({z})", "1.0 - {a} * {a}"),
    "identity": ("{z}", "1.0"),
}
# loss: (one output's share of L, its dL/dŷ), with n the number of outputs
_LOSSES = {
    "half_squared_error": ("0.5 * ({p} - {t}) * ({p} - {t})", "({p} - {t})"),
    "mean_squared_error": ("({p} - {t}) * ({p} - {t}) / {n}", "2.0 * ({p} - {t}) / {n}"),
    "binary_cross_entropy": (
        "-({t} * _log(_probability({p})) + (1.0 - {t}) * _log(1.0 - _probability({p}))) / {n}",
        "(_probability({p}) - {t}) / (_probability({p}) * (1.0 - _probability({p}))) / {n}",
    ),
}


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
        a2_0 = _sigmoid(w2 * a1_0)  # a_o = f(z_o)
        loss = -(y0 * _log(_probability(a2_0)) + (1.0 - y0) * _log(1.0 - _probability(a2_0))) / 1
        d2_0 = ((_probability(a2_0) - y0) / (_probability(a2_0) * (1.0 - _probability(a2_0))) / 1) * (a2_0 * (1.0 - a2_0))
        d1_0 = (w2 * d2_0) * (_step(z1_0))
        return loss, (w1 - rate * (d1_0 * x0), w2 - rate * (d2_0 * a1_0))
    """
    names, lines, gradient_terms = _backprop_lines(network, "step(theta, x, y, rate)")
    updated = ", ".join(f"{names[p]} - rate * ({' + '.join(gradient_terms[p])})" for p in network.parameters)
    lines.append(f"    return loss, ({updated}{',' if len(names) == 1 else ''})")
    return "\n".join(lines)


def gradients_source(network: Network) -> str:
    """The Python source of the loss and every gradient for ``network``, for arrays or numbers.

    The function it defines takes ``(theta, x, y)`` like :func:`step_source`'s and returns the
    loss and a tuple of gradients in the order of ``network.parameters``.

    >>> from backproplib.checking.examples import load_example
    >>> print(gradients_source(load_example("tiny_relu").network).splitlines()[-1].strip())
    return loss, (d1_0 * x0, d2_0 * a1_0)
    """
    names, lines, gradient_terms = _backprop_lines(network, "gradients(theta, x, y)")
    grads = ", ".join(" + ".join(gradient_terms[p]) for p in network.parameters)
    lines.append(f"    return loss, ({grads}{',' if len(names) == 1 else ''})")
    return "\n".join(lines)


def _backprop_lines(network: Network, signature: str) -> tuple[dict[str, str], list[str], dict[str, list[str]]]:
    """Source names of the parameters, the lines of the forward and backward pass, and the terms
    of each parameter's gradient (a shared bias has one per neuron)."""
    names = {p: p if _usable(p) else f"theta_{i}" for i, p in enumerate(network.parameters)}
    n_in, n_out = len(network.inputs), len(network.outputs)
    lines = [
        f"def {signature}:",
        f"    {', '.join(names[p] for p in network.parameters)}, = theta" if len(names) == 1 else f"    {', '.join(names.values())} = theta",
        f"    {', '.join(f'x{i}' for i in range(n_in))}, = x",
        f"    {', '.join(f'y{i}' for i in range(n_out))}, = y",
    ]
    units = [f"x{i}" for i in range(n_in)]
    layer_units = [units]
    # forward: z and a of every neuron, layer by layer
    for k, layer in enumerate(network.layers, start=1):
        make_a, make_slope = _ACTIVATIONS[layer.activation]
        outputs = []
        for j, neuron in enumerate(layer.neurons):
            terms = [f"{names[w]} * {u}" for w, u in zip(layer.weights[j], units)]
            if layer.bias_of(j) is not None:
                terms.append(names[layer.bias_of(j)])
            z = " + ".join(terms)
            if "{z}" in make_slope:  # the backward pass needs z itself (ReLU's slope)
                lines.append(f"    z{k}_{j} = {z}  # z_{neuron}")
                lines.append(f"    a{k}_{j} = {make_a.format(z=f'z{k}_{j}')}")
            else:  # only a: keeping z alive would cost a batch one more array in memory
                lines.append(f"    a{k}_{j} = {make_a.format(z=z)}  # a_{neuron} = f(z_{neuron})")
            outputs.append(f"a{k}_{j}")
        units = outputs
        layer_units.append(units)
    value, slope = _LOSSES[network.loss]
    shares = [value.format(p=p, t=f"y{i}", n=n_out) for i, p in enumerate(units)]
    lines.append(f"    loss = {' + '.join(shares)}")
    # backward: delta = dL/dz of every neuron, from the output layer down
    gradient_terms: dict[str, list[str]] = {p: [] for p in network.parameters}
    depth = len(network.layers)
    for k in range(depth, 0, -1):
        layer = network.layers[k - 1]
        _, make_slope = _ACTIVATIONS[layer.activation]
        for j in range(len(layer.neurons)):
            if k == depth:
                upstream = slope.format(p=f"a{k}_{j}", t=f"y{j}", n=n_out)
            else:
                above = network.layers[k]
                upstream = " + ".join(f"{names[above.weights[m][j]]} * d{k + 1}_{m}" for m in range(len(above.neurons)))
            lines.append(f"    d{k}_{j} = ({upstream}) * ({make_slope.format(z=f'z{k}_{j}', a=f'a{k}_{j}')})")
            for w, u in zip(layer.weights[j], layer_units[k - 1]):
                gradient_terms[w].append(f"d{k}_{j} * {u}")
            if layer.bias_of(j) is not None:
                gradient_terms[layer.bias_of(j)].append(f"d{k}_{j}")
    return names, lines, gradient_terms


_RESERVED = {"theta", "x", "y", "rate", "loss", "step", "gradients"}
_GENERATED = re.compile(r"^([zad]\d+_\d+|[xy]\d+|theta_\d+)$")


def _usable(name: str) -> bool:
    """A parameter keeps its own name in the source unless it could clash with a generated one."""
    return name.isidentifier() and not name.startswith("_") and not keyword.iskeyword(name) and name not in _RESERVED and not _GENERATED.match(name)


# What the names in the generated code mean on floats (a training step) and on arrays (a batch).
_SCALAR = {"_sigmoid": _sigmoid, "_relu": _relu, "_step": _step, "_tanh": math.tanh, "_log": math.log,
           "_probability": _probability}
_ARRAY = {
    "_sigmoid": get_activation("sigmoid").function,  # the library's own, overflow-safe on arrays
    "_relu": get_activation("relu").function,
    "_step": lambda z: get_activation("relu").derivative(z, None),
    "_tanh": np.tanh,
    "_log": np.log,
    "_probability": lambda p: np.clip(p, _PROBABILITY_MARGIN, 1.0 - _PROBABILITY_MARGIN),
}


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
