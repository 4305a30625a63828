"""What the tests share: reference formulas written with :mod:`math`, and hypothesis strategies.

The references here never call the library, so a test comparing the library with them cannot
share its mistakes. Each test file imports what it needs and reads as a list of properties.
"""
from __future__ import annotations

import math
from dataclasses import replace

from hypothesis import strategies as st

from backproplib import Network, layered_network

ACTIVATIONS = ("sigmoid", "relu", "tanh", "identity")
LOSSES = ("half_squared_error", "mean_squared_error", "binary_cross_entropy")
BIAS_KINDS = ("per_neuron", "shared", "none")


def sigmoid(z: float) -> float:
    """σ(z) = 1 / (1 + e^−z), from its definition."""
    return 1.0 / (1.0 + math.exp(-z))


def _bias(kind: str, k: int, width: int) -> object:
    return {"none": None, "shared": f"b{k}", "per_neuron": tuple(f"b{k}_{j}" for j in range(1, width + 1))}[kind]


@st.composite
def networks(draw, max_depth: int = 3, max_width: int = 4, max_outputs: int = 2, value: float = 1.5):
    """A random network with parameters, inputs and targets: ``(network, params, x, y)``.

    Depth 1 to ``max_depth``, hidden widths 1 to ``max_width``, 1 to ``max_outputs`` outputs, every
    activation, loss and bias kind (drawn per layer); parameters and inputs in ``[-value, value]``,
    targets in ``[0, 1]`` under cross-entropy (whose output is then a sigmoid).
    """
    depth = draw(st.integers(1, max_depth))
    widths = [draw(st.integers(1, max_width)) for _ in range(depth - 1)] + [draw(st.integers(1, max_outputs))]
    loss = draw(st.sampled_from(LOSSES))
    hidden = [draw(st.sampled_from(ACTIVATIONS)) for _ in range(depth - 1)]
    output = "sigmoid" if loss == "binary_cross_entropy" else draw(st.sampled_from(ACTIVATIONS))
    plain = layered_network(draw(st.integers(1, 3)), widths, hidden + [output], loss, biases="none")
    layers = tuple(
        replace(layer, bias=_bias(draw(st.sampled_from(BIAS_KINDS)), k, len(layer.neurons)))
        for k, layer in enumerate(plain.layers, start=1)
    )
    network = Network(plain.inputs, layers, loss)
    values = st.floats(-value, value, allow_nan=False)
    params = {p: draw(values) for p in network.parameters}
    x = [draw(values) for _ in network.inputs]
    y = [draw(st.floats(0.0, 1.0) if loss == "binary_cross_entropy" else values) for _ in network.outputs]
    return network, params, x, y
