"""Sentences and formulas that describe a network, for chapters built from a description.

A generated chapter says in words what its settings describe. The words are computed from the
network each time the notebook runs, so they stay true when an instructor changes an activation
or the loss in the settings cell.
"""
from __future__ import annotations

import re

from ..engine.losses import get_loss
from ..engine.network import Layer, Network
from ..engine.symbolic import latex_symbol

__all__ = ["network_in_words", "loss_formula", "bias_in_words", "unit_symbol", "weight_symbol"]


def unit_symbol(unit: str) -> str:
    r"""LaTeX for an input's or neuron's name: the letters, then any trailing digits as a subscript.

    >>> [unit_symbol(u) for u in ("x", "x1", "h2", "o", "out", "o1", "h_12")]
    ['x', 'x_1', 'h_2', 'o', '\\mathrm{out}', 'o_1', 'h_{12}']
    """
    letters, digits = re.fullmatch(r"(.*?)_?([0-9]*)", unit).groups()
    base = letters if len(letters) == 1 else rf"\mathrm{{{letters or unit}}}"
    if not digits or not letters:
        return base
    return f"{base}_{digits}" if len(digits) == 1 else f"{base}_{{{digits}}}"


def weight_symbol(network: Network, name: str) -> str:
    r"""The book's symbol for a parameter: a weight is named by the units it joins, receiving unit
    first (the row-then-column order of the layer's weight matrix); a bias by its neuron, and a
    shared bias by the letter its neurons share (or all their names).

    The chapters keep each document's own parameter names in code, so the document checks map one
    to one; this symbol is what the prose and the tables show beside them.

    >>> from backproplib.checking.examples import load_example
    >>> net = load_example("shared_bias").network
    >>> [weight_symbol(net, n) for n in ("w1", "w4", "w5", "b1", "b2")]
    ['w_{h_1 x_1}', 'w_{h_2 x_2}', 'w_{\\mathrm{out} h_1}', 'b_{h}', 'b_{\\mathrm{out}}']
    >>> weight_symbol(load_example("tiny_relu").network, "w2")
    'w_{o h}'
    >>> weight_symbol(net, "w9")
    Traceback (most recent call last):
    ...
    ValueError: unknown name 'w9'; the parameters are 'w1', 'w2', 'w3', 'w4', 'b1', 'w5', 'w6', 'b2'
    """
    network.check_parameter_name(name, "name")
    for k, layer in enumerate(network.layers):
        feeds = network.units_before(k)
        for j, neuron in enumerate(layer.neurons):
            for weight, unit in zip(layer.weights[j], feeds):
                if weight == name:
                    return f"w_{{{unit_symbol(neuron)} {unit_symbol(unit)}}}"
            if layer.bias_of(j) == name and not layer.shared_bias:
                return f"b_{{{unit_symbol(neuron)}}}"
        if layer.shared_bias and layer.bias == name:
            letters = {re.sub(r"_?[0-9]+$", "", n) for n in layer.neurons}
            shared = unit_symbol(letters.pop()) if len(letters) == 1 else " ".join(map(unit_symbol, layer.neurons))
            return f"b_{{{shared}}}"
    raise AssertionError(f"{name!r} passed check_parameter_name but is in no layer")  # pragma: no cover


def _names(names: tuple[str, ...] | list[str]) -> str:
    shown = [f"${latex_symbol(n)}$" for n in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def bias_in_words(layer: Layer) -> str:
    """How a layer's neurons are biased, as a clause.

    >>> from backproplib.engine.network import Layer
    >>> bias_in_words(Layer(("h1", "h2"), "tanh", (("a1",), ("a2",)), bias="b"))
    'one bias $b$ shared by all its neurons'
    >>> bias_in_words(Layer(("o",), "identity", (("v",),)))
    'no bias'
    """
    if layer.bias is None:
        return "no bias"
    if layer.shared_bias and len(layer.neurons) > 1:
        return f"one bias {_names([layer.bias])} shared by all its neurons"
    biases = [layer.bias_of(j) for j in range(len(layer.neurons))]
    return f"the bias {_names(biases)}" if len(biases) == 1 else f"one bias per neuron ({_names(biases)})"


def loss_formula(loss: str, outputs: int = 1) -> str:
    r"""The loss of a network with ``outputs`` output neurons as LaTeX, from the loss's row.

    With several outputs the formula shows the sum, and the 1/n of a loss that averages.

    >>> loss_formula("half_squared_error")
    'L = \\tfrac12(\\hat y - y)^2'
    >>> loss_formula("binary_cross_entropy", 2)
    'L = -\\tfrac{1}{2}\\sum_{k=1}^{2}\\bigl[y_k\\log\\hat y_k + (1 - y_k)\\log(1 - \\hat y_k)\\bigr]'
    """
    return get_loss(loss).formula(outputs)


def network_in_words(network: Network) -> str:
    """A short paragraph (Markdown with inline maths) saying what the network is.

    >>> from backproplib.checking.examples import load_example
    >>> import textwrap
    >>> print(textwrap.fill(network_in_words(load_example("tiny_relu").network), 100))
    The network has 1 input ($x$) and 2 layers. Layer 1 is a hidden layer of 1 neuron ($h$) with the
    relu activation and no bias. Layer 2 is the output layer: 1 neuron ($o$) with the sigmoid activation
    and no bias; its activation is the prediction $\\hat y$. The loss is binary cross-entropy, $L =
    -\\bigl[y\\log\\hat y + (1 - y)\\log(1 - \\hat y)\\bigr]$.
    """
    count = len(network.inputs)
    depth = len(network.layers)
    parts = [f"The network has {count} input{'s' if count > 1 else ''} ({_names(network.inputs)}) "
             f"and {depth} layer{'s' if depth > 1 else ''}."]
    for k, layer in enumerate(network.layers, start=1):
        size = len(layer.neurons)
        neurons = f"{size} neuron{'s' if size > 1 else ''} ({_names(layer.neurons)})"
        if k < len(network.layers):
            parts.append(f"Layer {k} is a hidden layer of {neurons} with the {layer.activation} activation "
                         f"and {bias_in_words(layer)}.")
        else:
            parts.append(
                f"Layer {k} is the output layer: {neurons} with the {layer.activation} activation and "
                f"{bias_in_words(layer)}; its activation is the prediction $\\hat y$."
            )
    outputs = len(network.outputs)
    words = get_loss(network.loss).words
    parts.append(f"The loss is {words}, ${loss_formula(network.loss, outputs)}$.")
    return " ".join(parts)
