"""One gradient-descent step written out as straight-line Python, for fast training on one example.

Training the book's networks repeats the same handful of multiplications thousands of times on
plain numbers. numpy spends about a microsecond on each call however small its arrays, so a step
made of thirty numpy calls costs ~40 µs, and 2000 epochs take longer than a screen frame is
allowed while a slider is dragged. Writing the step out once, the way one would by hand
(``z_h1 = w1*x1 + w2*x2``, ``a_h1 = sigmoid(z_h1)``, …, ``g_w1 = d_h1*x1``), and compiling it
with Python's own compiler brings a step to a few microseconds.

The arithmetic is exactly that of :func:`backproplib.numeric.backward` (the tests compare the
two), and :func:`step_source` shows the code that runs, so nothing is hidden from a reader.
"""
from __future__ import annotations

import keyword
import math
import re
from typing import Callable

from .losses import _PROBABILITY_MARGIN
from .network import Network

__all__ = ["compile_step", "step_source"]

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
    # The same margin as the cross-entropy of backproplib.losses, so both give the same numbers.
    return min(max(p, _PROBABILITY_MARGIN), 1.0 - _PROBABILITY_MARGIN)


# activation: (a from z, da/dz from z and a), as Python expressions
_ACTIVATIONS = {
    "sigmoid": ("_sigmoid({z})", "{a} * (1.0 - {a})"),
    "relu": ("_relu({z})", "1.0 if {z} > 0.0 else 0.0"),
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

    >>> from backproplib.examples import load_example
    >>> print(step_source(load_example("tiny_relu").network))  # doctest: +NORMALIZE_WHITESPACE
    def step(theta, x, y, rate):
        w1, w2 = theta
        x0, = x
        y0, = y
        z1_0 = w1 * x0  # z_h
        a1_0 = _relu(z1_0)
        z2_0 = w2 * a1_0  # z_o
        a2_0 = _sigmoid(z2_0)
        loss = -(y0 * _log(_probability(a2_0)) + (1.0 - y0) * _log(1.0 - _probability(a2_0))) / 1
        d2_0 = ((_probability(a2_0) - y0) / (_probability(a2_0) * (1.0 - _probability(a2_0))) / 1) * (a2_0 * (1.0 - a2_0))
        d1_0 = (w2 * d2_0) * (1.0 if z1_0 > 0.0 else 0.0)
        return loss, (w1 - rate * (d1_0 * x0), w2 - rate * (d2_0 * a1_0))
    """
    names = {p: p if _usable(p) else f"theta_{i}" for i, p in enumerate(network.parameters)}
    n_in, n_out = len(network.inputs), len(network.outputs)
    lines = [
        "def step(theta, x, y, rate):",
        f"    {', '.join(names[p] for p in network.parameters)}, = theta" if len(names) == 1 else f"    {', '.join(names.values())} = theta",
        f"    {', '.join(f'x{i}' for i in range(n_in))}, = x",
        f"    {', '.join(f'y{i}' for i in range(n_out))}, = y",
    ]
    units = [f"x{i}" for i in range(n_in)]
    layer_units = [units]
    # forward: z and a of every neuron, layer by layer
    for k, layer in enumerate(network.layers, start=1):
        make_a, _ = _ACTIVATIONS[layer.activation]
        outputs = []
        for j, neuron in enumerate(layer.neurons):
            terms = [f"{names[w]} * {u}" for w, u in zip(layer.weights[j], units)]
            if layer.bias_of(j) is not None:
                terms.append(names[layer.bias_of(j)])
            lines.append(f"    z{k}_{j} = {' + '.join(terms)}  # z_{neuron}")
            lines.append(f"    a{k}_{j} = {make_a.format(z=f'z{k}_{j}')}")
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
    updated = ", ".join(f"{names[p]} - rate * ({' + '.join(gradient_terms[p])})" for p in network.parameters)
    lines.append(f"    return loss, ({updated}{',' if len(names) == 1 else ''})")
    return "\n".join(lines)


_RESERVED = {"theta", "x", "y", "rate", "loss", "step"}
_GENERATED = re.compile(r"^([zad]\d+_\d+|[xy]\d+|theta_\d+)$")


def _usable(name: str) -> bool:
    """A parameter keeps its own name in the source unless it could clash with a generated one."""
    return name.isidentifier() and not name.startswith("_") and not keyword.iskeyword(name) and name not in _RESERVED and not _GENERATED.match(name)

_NAMESPACE = {"_sigmoid": _sigmoid, "_relu": _relu, "_tanh": math.tanh, "_log": math.log, "_probability": _probability}


def compile_step(network: Network) -> Step:
    """Compile :func:`step_source` into a function.

    >>> from backproplib.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> step = compile_step(ex.network)
    >>> loss, (w1, w2) = step((0.5, 0.5), (1.0,), (0.0,), 0.1)
    >>> round(loss, 6), round(w2, 6)
    (0.825939, 0.471891)
    """
    namespace = dict(_NAMESPACE)
    exec(compile(step_source(network), f"<training step of {network.inputs} -> {network.outputs}>", "exec"), namespace)
    return namespace["step"]
