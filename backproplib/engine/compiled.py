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

from .activations import Activation, get_activation
from .losses import get_loss, softplus
from .network import Layer, Network
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
        f"    {', '.join(names[p] for p in network.parameters)}, = theta"
        if len(names) == 1
        else f"    {', '.join(names.values())} = theta",
        f"    {', '.join(f'x{i}' for i in range(n_in))}, = x",
        f"    {', '.join(f'y{i}' for i in range(n_out))}, = y",
    ]
    loss = get_loss(network.loss)
    # cross-entropy on a sigmoid output: loss and ∂L/∂z straight from z, exact at every finite z
    from_z = loss.from_z_on(network.layers[-1].activation)
    layer_units = [[f"x{i}" for i in range(n_in)]]
    for k, layer in enumerate(network.layers, start=1):
        last = k == len(network.layers)
        layer_units.append(_forward_lines(layer, k, layer_units[-1], names, lines, z_only=last and from_z is not None))
    outputs = [f"z{k}_{j}" if from_z else f"a{k}_{j}" for j in range(n_out)]
    code = from_z.code if from_z else loss.code
    shares = [code.value.format(z=v, p=v, t=f"y{i}", n=n_out) for i, v in enumerate(outputs)]
    lines.append(f"    loss = {' + '.join(shares)}")
    # backward: delta = dL/dz of every neuron, from the output layer down
    gradient_terms: dict[str, list[str]] = {p: [] for p in network.parameters}
    depth = len(network.layers)
    for k in range(depth, 0, -1):
        layer = network.layers[k - 1]
        slope = get_activation(layer.activation).code.derivative
        for j in range(len(layer.neurons)):
            if k == depth:
                upstream = code.derivative.format(z=outputs[j], p=outputs[j], t=f"y{j}", n=n_out)
            else:
                above = network.layers[k]
                upstream = " + ".join(f"{names[above.weights[m][j]]} * d{k + 1}_{m}" for m in range(len(above.neurons)))
            if k == depth and from_z:
                lines.append(f"    d{k}_{j} = {upstream}")
            else:
                lines.append(f"    d{k}_{j} = ({upstream}) * ({slope.format(z=f'z{k}_{j}', a=f'a{k}_{j}')})")
            for w, u in zip(layer.weights[j], layer_units[k - 1]):
                gradient_terms[w].append(f"d{k}_{j} * {u}")
            if layer.bias_of(j) is not None:
                gradient_terms[layer.bias_of(j)].append(f"d{k}_{j}")
    return names, lines, gradient_terms


def _forward_lines(
    layer: Layer, k: int, units: list[str], names: dict[str, str], lines: list[str], z_only: bool
) -> list[str]:
    """Append the lines computing layer ``k``'s z and a; return the names of its activations.

    ``z_only``: the layer's a is never used (the loss and its delta work from z)."""
    activation: Activation = get_activation(layer.activation)
    outputs = []
    for j, neuron in enumerate(layer.neurons):
        terms = [f"{names[w]} * {u}" for w, u in zip(layer.weights[j], units)]
        if layer.bias_of(j) is not None:
            terms.append(names[layer.bias_of(j)])
        z = " + ".join(terms)
        if z_only:
            lines.append(f"    z{k}_{j} = {z}  # z_{neuron}")
        elif "{z}" in activation.code.derivative:  # the backward pass needs z itself (ReLU's slope)
            lines.append(f"    z{k}_{j} = {z}  # z_{neuron}")
            lines.append(f"    a{k}_{j} = {activation.code.value.format(z=f'z{k}_{j}')}")
        else:  # only a: keeping z alive would cost a batch one more array in memory
            lines.append(f"    a{k}_{j} = {activation.code.value.format(z=z)}  # a_{neuron} = f(z_{neuron})")
        outputs.append(f"a{k}_{j}")
    return outputs


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
