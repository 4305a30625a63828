"""Backprop for one network as straight-line assignments, in no particular programming language.

``z1_0 = w1 * x0 + w2 * x1 + b1``, ``a1_0 = _sigmoid(z1_0)``, …, ``loss = …``, ``d2_0 = …``,
``d1_0 = (w5 * d2_0) * (a1_0 * (1.0 - a1_0))``, and one gradient expression per parameter
(``d1_0 * x0``; a shared bias sums one term per neuron). Every expression is written in the template
language of :mod:`backproplib.engine.templates`, so it is valid Python *and* JavaScript; an emitter
only prints the lines in its own syntax (:mod:`backproplib.engine.compiled` for Python,
:mod:`backproplib.engine.javascript` for the browser) and defines the helpers.

No formula is written here: the activation's value and slope, the loss and its derivative are the
rows' templates, filled in. What this module adds is the wiring: weighted sums, the sum over the
layer above that carries δ down, δ times the slope, and δ times the incoming activation.
Cross-entropy on a sigmoid output takes the row's form on z (:meth:`~.losses.Loss.from_z_on`): the
loss and δ of the output come from z, exact at every finite z.

Identifiers are chosen by the emitter (``names``: parameter → identifier), the rest are generated
here (``x0``, ``y0``, ``z1_0``, ``a1_0``, ``d1_0``, ``loss``); so a language whose reserved words a
user's parameter names may hit (JavaScript: ``new``, ``class``) never prints a user's name as code.

Trade-off: ``keep_all=False`` (the numpy batch) writes z on a line of its own only where the slope
needs it and leaves the output's a out under cross-entropy from z, because every extra array costs
a batch of 100,000 settings a pass over memory; ``keep_all=True`` (one setting at a time, the
browser's panels) keeps every z and a, which the panels show.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .activations import get_activation
from .losses import get_loss
from .network import Network

__all__ = ["Line", "StraightLine", "straight_line"]


@dataclass(frozen=True)
class Line:
    """One assignment ``target = expression``; ``note`` says what it is (an emitter's comment)."""

    target: str
    expression: str
    note: str = ""


@dataclass(frozen=True)
class StraightLine:
    """The forward and backward pass of one network as assignments.

    ``parameters``, ``inputs`` and ``targets`` are the identifiers the code unpacks from θ, x and y,
    in network order; ``lines`` compute every z and a, then ``loss``, then every δ; ``gradients``
    holds one expression per parameter. ``z``, ``a`` and ``delta`` name each neuron's identifiers in
    network order (with ``keep_all=False`` some of them are never assigned).
    """

    parameters: tuple[str, ...]
    inputs: tuple[str, ...]
    targets: tuple[str, ...]
    lines: tuple[Line, ...]
    gradients: tuple[str, ...]
    z: tuple[str, ...]
    a: tuple[str, ...]
    delta: tuple[str, ...]


def straight_line(network: Network, names: Mapping[str, str], keep_all: bool = False) -> StraightLine:
    """The assignments of ``network``'s forward and backward pass, parameters written as ``names``.

    >>> from backproplib.checking.examples import load_example
    >>> net = load_example("tiny_relu").network
    >>> plan = straight_line(net, {"w1": "p0", "w2": "p1"})
    >>> [f"{line.target} = {line.expression}" for line in plan.lines][:3]
    ['z1_0 = p0 * x0', 'a1_0 = _relu(z1_0)', 'z2_0 = p1 * a1_0']
    >>> plan.gradients
    ('d1_0 * x0', 'd2_0 * a1_0')
    """
    n_in, n_out = len(network.inputs), len(network.outputs)
    loss = get_loss(network.loss)
    from_z = loss.from_z_on(network.layers[-1].activation)
    lines: list[Line] = []
    units = [f"x{i}" for i in range(n_in)]
    for k, layer in enumerate(network.layers, start=1):
        z_only = k == len(network.layers) and from_z is not None and not keep_all
        units = _forward(network, k, units, names, lines, z_only, keep_all)
    code = from_z.code if from_z else loss.code
    scored = [f"z{len(network.layers)}_{j}" if from_z else units[j] for j in range(n_out)]
    shares = [code.value.format(z=v, p=v, t=f"y{i}", n=n_out) for i, v in enumerate(scored)]
    lines.append(Line("loss", " + ".join(shares)))
    upstream = [code.derivative.format(z=v, p=v, t=f"y{i}", n=n_out) for i, v in enumerate(scored)]
    gradients = _backward(network, names, lines, upstream, exact_output=from_z is not None)
    ids = [(f"z{k}_{j}", f"a{k}_{j}", f"d{k}_{j}") for k, layer in enumerate(network.layers, 1) for j in
           range(len(layer.neurons))]
    z, a, delta = (tuple(column) for column in zip(*ids))
    return StraightLine(
        tuple(names[p] for p in network.parameters), tuple(f"x{i}" for i in range(n_in)),
        tuple(f"y{i}" for i in range(n_out)), tuple(lines), gradients, z, a, delta,
    )


def _forward(
    network: Network, k: int, units: list[str], names: Mapping[str, str], lines: list[Line], z_only: bool,
    keep_all: bool,
) -> list[str]:
    """Append the lines computing layer ``k``'s z and a; return the identifiers of its activations.

    ``z_only``: the layer's a is never used (the loss and its delta work from z)."""
    layer = network.layers[k - 1]
    activation = get_activation(layer.activation).code
    for j, neuron in enumerate(layer.neurons):
        terms = [f"{names[w]} * {u}" for w, u in zip(layer.weights[j], units)]
        if layer.bias_of(j) is not None:
            terms.append(names[layer.bias_of(j)])
        z, a, weighted = f"z{k}_{j}", f"a{k}_{j}", " + ".join(terms)
        if z_only:
            lines.append(Line(z, weighted, f"z_{neuron}"))
        elif keep_all or "{z}" in activation.derivative:  # the backward pass needs z itself (ReLU's slope)
            lines += [Line(z, weighted, f"z_{neuron}"), Line(a, activation.value.format(z=z))]
        else:  # only a: keeping z alive would cost a batch one more array in memory
            lines.append(Line(a, activation.value.format(z=weighted), f"a_{neuron} = f(z_{neuron})"))
    return [f"a{k}_{j}" for j in range(len(layer.neurons))]


def _backward(
    network: Network, names: Mapping[str, str], lines: list[Line], upstream: list[str], exact_output: bool
) -> tuple[str, ...]:
    """Append δ = ∂L/∂z of every neuron, output layer first; return each parameter's gradient.

    ``upstream`` is ∂L/∂a of each output (∂L/∂z itself when ``exact_output``: the loss's form on z)."""
    terms: dict[str, list[str]] = {p: [] for p in network.parameters}
    depth = len(network.layers)
    for k in range(depth, 0, -1):
        layer = network.layers[k - 1]
        slope = get_activation(layer.activation).code.derivative
        below = [f"x{i}" for i in range(len(network.inputs))] if k == 1 else [
            f"a{k - 1}_{i}" for i in range(len(network.layers[k - 2].neurons))
        ]
        for j in range(len(layer.neurons)):
            if k < depth:
                above = network.layers[k]
                carried = " + ".join(f"{names[above.weights[m][j]]} * d{k + 1}_{m}" for m in range(len(above.neurons)))
            else:
                carried = upstream[j]
            if k == depth and exact_output:
                lines.append(Line(f"d{k}_{j}", carried))
            else:
                lines.append(Line(f"d{k}_{j}", f"({carried}) * ({slope.format(z=f'z{k}_{j}', a=f'a{k}_{j}')})"))
            for w, u in zip(layer.weights[j], below):
                terms[w].append(f"d{k}_{j} * {u}")
            if layer.bias_of(j) is not None:
                terms[layer.bias_of(j)].append(f"d{k}_{j}")
    return tuple(" + ".join(terms[p]) for p in network.parameters)
