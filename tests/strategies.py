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


def hand_two_hidden_sigmoids(p: dict, x: dict, y: float, *, into_h1: tuple[str, str], into_h2: tuple[str, str],
                              into_out: tuple[str, str], biases: tuple = (None, None, None), out: str = "o") -> dict:
    """A 2-2-1 network of sigmoids scored by half the squared error, derived by hand from its formulas.

    ``into_*`` name the two weights into each neuron (from x1, x2; into the output from h1, h2);
    ``biases`` names the bias of h1, h2 and the output (None: no bias; one name twice: a shared bias).
    """
    def bias(k: int) -> float:
        return p[biases[k]] if biases[k] else 0.0

    z_h1 = p[into_h1[0]] * x["x1"] + p[into_h1[1]] * x["x2"] + bias(0)
    z_h2 = p[into_h2[0]] * x["x1"] + p[into_h2[1]] * x["x2"] + bias(1)
    h1, h2 = sigmoid(z_h1), sigmoid(z_h2)
    z_out = p[into_out[0]] * h1 + p[into_out[1]] * h2 + bias(2)
    o = sigmoid(z_out)
    d_o = (o - y) * o * (1 - o)
    d_h1 = d_o * p[into_out[0]] * h1 * (1 - h1)
    d_h2 = d_o * p[into_out[1]] * h2 * (1 - h2)
    gradients = {into_h1[0]: d_h1 * x["x1"], into_h1[1]: d_h1 * x["x2"], into_h2[0]: d_h2 * x["x1"],
                 into_h2[1]: d_h2 * x["x2"], into_out[0]: d_o * h1, into_out[1]: d_o * h2}
    for name, delta in zip(biases, (d_h1, d_h2, d_o)):
        if name:  # a bias in several sums (shared) collects each neuron's delta
            gradients[name] = gradients.get(name, 0.0) + delta
    return {
        "loss": 0.5 * (o - y) ** 2,
        "z": {"h1": z_h1, "h2": z_h2, out: z_out},
        "a": {"h1": h1, "h2": h2, out: o},
        "delta": {out: d_o, "h1": d_h1, "h2": d_h2},
        "gradients": gradients,
    }


def hand_shared_bias(p: dict, x: dict, y: float) -> dict:
    """Doc 001: two sigmoid hidden neurons sharing bias b1, a sigmoid output, half squared error."""
    return hand_two_hidden_sigmoids(p, x, y, into_h1=("w1", "w2"), into_h2=("w3", "w4"), into_out=("w5", "w6"),
                                    biases=("b1", "b1", "b2"), out="out")


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
    return hand_two_hidden_sigmoids(p, x, y, into_h1=("w11", "w21"), into_h2=("w12", "w22"), into_out=("w_h1", "w_h2"))


def hand_blame_flow(p: dict, x: dict, y: float) -> dict:
    """Our network for doc 003: per-neuron biases everywhere, half squared error."""
    return hand_two_hidden_sigmoids(p, x, y, into_h1=("wh11", "wh12"), into_h2=("wh21", "wh22"),
                                    into_out=("wo1", "wo2"), biases=("bh1", "bh2", "bo"))


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
