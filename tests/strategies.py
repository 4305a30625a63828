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


def hand_shared_bias(p: dict, x: dict, y: float) -> dict:
    """Doc 001: two sigmoid hidden neurons sharing bias b1, a sigmoid output, half squared error."""
    z_h1 = p["w1"] * x["x1"] + p["w2"] * x["x2"] + p["b1"]
    z_h2 = p["w3"] * x["x1"] + p["w4"] * x["x2"] + p["b1"]
    h1, h2 = sigmoid(z_h1), sigmoid(z_h2)
    z_out = p["w5"] * h1 + p["w6"] * h2 + p["b2"]
    out = sigmoid(z_out)
    d_out = (out - y) * out * (1 - out)
    d_h1 = d_out * p["w5"] * h1 * (1 - h1)
    d_h2 = d_out * p["w6"] * h2 * (1 - h2)
    return {
        "loss": 0.5 * (out - y) ** 2,
        "z": {"h1": z_h1, "h2": z_h2, "out": z_out},
        "a": {"h1": h1, "h2": h2, "out": out},
        "delta": {"out": d_out, "h1": d_h1, "h2": d_h2},
        "gradients": {
            "w1": d_h1 * x["x1"], "w2": d_h1 * x["x2"], "w3": d_h2 * x["x1"], "w4": d_h2 * x["x2"],
            "b1": d_h1 + d_h2,  # one bias in both hidden sums: the two contributions add
            "w5": d_out * h1, "w6": d_out * h2, "b2": d_out,
        },
    }


def hand_tiny_relu(p: dict, x: dict, y: float) -> dict:
    """Doc 000: ReLU hidden neuron, sigmoid output, binary cross-entropy."""
    z_h = p["w1"] * x["x"]
    h = max(z_h, 0.0)
    z_o = p["w2"] * h
    o = sigmoid(z_o)
    d_o = o - y  # cross-entropy through a sigmoid: the slope o(1 - o) cancels
    d_h = d_o * p["w2"] * (1.0 if z_h > 0 else 0.0)
    return {
        "loss": -(y * math.log(o) + (1 - y) * math.log(1 - o)),
        "z": {"h": z_h, "o": z_o},
        "a": {"h": h, "o": o},
        "delta": {"o": d_o, "h": d_h},
        "gradients": {"w1": d_h * x["x"], "w2": d_o * h},
    }


def hand_sum_target(p: dict, x: dict, y: float) -> dict:
    """Doc 002: w_ij joins input i to hidden node j; no biases; half squared error."""
    z_h1 = p["w11"] * x["x1"] + p["w21"] * x["x2"]
    z_h2 = p["w12"] * x["x1"] + p["w22"] * x["x2"]
    h1, h2 = sigmoid(z_h1), sigmoid(z_h2)
    z_o = p["w_h1"] * h1 + p["w_h2"] * h2
    o = sigmoid(z_o)
    d_o = (o - y) * o * (1 - o)
    d_h1 = d_o * p["w_h1"] * h1 * (1 - h1)
    d_h2 = d_o * p["w_h2"] * h2 * (1 - h2)
    return {
        "loss": 0.5 * (o - y) ** 2,
        "z": {"h1": z_h1, "h2": z_h2, "o": z_o},
        "a": {"h1": h1, "h2": h2, "o": o},
        "delta": {"o": d_o, "h1": d_h1, "h2": d_h2},
        "gradients": {
            "w11": d_h1 * x["x1"], "w21": d_h1 * x["x2"], "w12": d_h2 * x["x1"], "w22": d_h2 * x["x2"],
            "w_h1": d_o * h1, "w_h2": d_o * h2,
        },
    }


def hand_blame_flow(p: dict, x: dict, y: float) -> dict:
    """Our network for doc 003: per-neuron biases everywhere, half squared error."""
    z_h1 = p["wh11"] * x["x1"] + p["wh12"] * x["x2"] + p["bh1"]
    z_h2 = p["wh21"] * x["x1"] + p["wh22"] * x["x2"] + p["bh2"]
    h1, h2 = sigmoid(z_h1), sigmoid(z_h2)
    z_o = p["wo1"] * h1 + p["wo2"] * h2 + p["bo"]
    o = sigmoid(z_o)
    d_o = (o - y) * o * (1 - o)
    d_h1 = d_o * p["wo1"] * h1 * (1 - h1)
    d_h2 = d_o * p["wo2"] * h2 * (1 - h2)
    return {
        "loss": 0.5 * (o - y) ** 2,
        "z": {"h1": z_h1, "h2": z_h2, "o": z_o},
        "a": {"h1": h1, "h2": h2, "o": o},
        "delta": {"o": d_o, "h1": d_h1, "h2": d_h2},
        "gradients": {
            "wh11": d_h1 * x["x1"], "wh12": d_h1 * x["x2"], "wh21": d_h2 * x["x1"], "wh22": d_h2 * x["x2"],
            "bh1": d_h1, "bh2": d_h2, "wo1": d_o * h1, "wo2": d_o * h2, "bo": d_o,
        },
    }




# The hand derivation of each document example, by example key.
HAND = {"shared_bias": hand_shared_bias, "tiny_relu": hand_tiny_relu, "sum_target": hand_sum_target,
        "blame_flow": hand_blame_flow}


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
