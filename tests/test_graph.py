"""The computational-graph view: its nodes and edges follow the description, its numbers the maths.

Structure is checked against what the description implies (one multiply per weight, one add per
neuron with several terms, one activation per neuron, one loss; a shared bias one leaf read by
every neuron of its layer). Values and adjoints are checked against references that share no code
with the library: the jax twin (``reference_autodiff``) on random networks, and the tiny network's
derivation by hand (``strategies.HAND``).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from reference_autodiff import reference_for

from backproplib import load_example
from backproplib.views.graph import LEAVES, OPERATIONS, computational_graph, draw_graph, graph_alt_text
from backproplib.views.palette import BLUE, VERMILLION
from strategies import HAND, networks

TOLERANCE = 1e-9


def graph_of(key: str):
    ex = load_example(key)
    return ex, computational_graph(ex.network, ex.params, ex.x, ex.y)


def test_the_tiny_network_is_a_chain_of_five_operations():
    _, graph = graph_of("tiny_relu")
    assert [(n.name, n.kind, n.label) for n in graph.nodes] == [
        ("x", "input", "x"), ("w1", "parameter", "w1"), ("z_h", "multiply", "×"), ("a_h", "activation", "ReLU"),
        ("w2", "parameter", "w2"), ("z_o", "multiply", "×"), ("a_o", "activation", "σ"), ("y", "target", "y"),
        ("L", "loss", "BCE"),
    ]
    assert graph.edges == [("w1", "z_h"), ("x", "z_h"), ("z_h", "a_h"), ("w2", "z_o"), ("a_h", "z_o"),
                           ("z_o", "a_o"), ("a_o", "L"), ("y", "L")]


@pytest.mark.parametrize("key", ["tiny_relu", "shared_bias", "sum_target", "blame_flow"])
def test_one_node_per_operation_of_the_description(key):
    ex, graph = graph_of(key)
    net = ex.network
    kinds = [n.kind for n in graph.nodes]
    weights = [w for layer in net.layers for row in layer.weights for w in row]
    several_terms = sum(len(row) + (layer.bias is not None) > 1 for layer in net.layers for row in layer.weights)
    assert kinds.count("multiply") == len(weights)
    assert kinds.count("add") == several_terms
    assert kinds.count("activation") == len(net.neurons)
    assert kinds.count("loss") == 1 and graph.nodes[-1].name == "L"
    assert sorted(n.name for n in graph.nodes if n.kind == "parameter") == sorted(net.parameters)
    assert [n.name for n in graph.nodes if n.kind == "input"] == list(net.inputs)
    assert set(kinds) <= set(LEAVES + OPERATIONS)


@pytest.mark.parametrize("key", ["tiny_relu", "shared_bias", "sum_target", "blame_flow"])
def test_every_parameter_is_read_where_the_description_uses_it(key):
    ex, graph = graph_of(key)
    readers = {}
    for source, target in graph.edges:
        readers.setdefault(source, []).append(target)
    for layer in ex.network.layers:
        for j, row in enumerate(layer.weights):
            for w in row:
                assert len(readers[w]) == 1 and graph[readers[w][0]].kind in ("multiply",)
        if layer.shared_bias:
            assert len(readers[layer.bias]) == len(layer.neurons)
    # forward order: every node comes after the nodes it reads, and operations move right
    seen = set()
    for node in graph.nodes:
        assert set(node.inputs) <= seen
        seen.add(node.name)
    for source, target in graph.edges:
        if graph[source].kind in OPERATIONS:
            assert graph.column[target] > graph.column[source]


def test_the_tiny_network_matches_its_hand_derivation():
    ex, graph = graph_of("tiny_relu")
    hand = HAND["tiny_relu"](ex.params, ex.x, ex.y)
    assert math.isclose(graph["L"].value, hand["loss"], rel_tol=1e-12)
    for neuron in ("h", "o"):
        assert math.isclose(graph[f"z_{neuron}"].value, hand["z"][neuron], rel_tol=1e-12)
        assert math.isclose(graph[f"a_{neuron}"].value, hand["a"][neuron], rel_tol=1e-12)
        assert math.isclose(graph[f"z_{neuron}"].adjoint, hand["delta"][neuron], rel_tol=1e-12)
    for name, gradient in hand["gradients"].items():
        assert math.isclose(graph[name].adjoint, gradient, rel_tol=1e-12)
    o, y = hand["a"]["o"], ex.y
    assert math.isclose(graph["a_o"].adjoint, (o - y) / (o * (1 - o)), rel_tol=1e-12)  # ∂L/∂ŷ of cross-entropy
    assert math.isclose(graph["a_h"].adjoint, hand["delta"]["o"] * ex.params["w2"], rel_tol=1e-12)
    assert graph["L"].adjoint == 1.0 and graph["x"].adjoint is None and graph["y"].adjoint is None


def close(value: float, expected: float, size: float) -> bool:
    return abs(value - expected) <= TOLERANCE * max(size, abs(expected)) + 1e-300


@settings(max_examples=40, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_values_and_adjoints_equal_the_jax_reference(case):
    network, params, x, y = case
    graph = computational_graph(network, params, x, y)
    values, sizes = reference_for(network).evaluate(params, x, y)
    assert close(graph["L"].value, values.loss, sizes.loss)
    for neuron in network.neurons:
        assert close(graph[f"z_{neuron}"].value, values.z[neuron], sizes.z[neuron])
        assert close(graph[f"a_{neuron}"].value, values.a[neuron], sizes.a[neuron])
        assert close(graph[f"z_{neuron}"].adjoint, values.delta[neuron], sizes.delta[neuron])
    for name in network.parameters:
        assert close(graph[name].adjoint, values.gradients[name], sizes.gradients[name])
    # a hidden activation's adjoint is what the layer above sends back: Σ_j δ_j w_j·
    for k, layer in enumerate(network.layers[:-1]):
        above = network.layers[k + 1]
        for i, neuron in enumerate(layer.neurons):
            terms = [values.delta[n] * params[above.weights[j][i]] for j, n in enumerate(above.neurons)]
            size = sum(sizes.delta[n] * abs(params[above.weights[j][i]]) for j, n in enumerate(above.neurons))
            assert close(graph[f"a_{neuron}"].adjoint, sum(terms), size)


def test_the_drawing_and_its_words_show_every_value_and_adjoint():
    ex, graph = graph_of("tiny_relu")
    texts = [(t.get_text(), t.get_color()) for t in draw_graph(graph, digits=3).axes[0].texts]
    words = graph_alt_text(graph, digits=3)
    for node in graph.nodes:
        assert (f"{node.value:.3f}", BLUE) in texts and f"{node.quantity} = {node.value:.3f}" in words
        if node.adjoint is not None:
            assert (f"{node.adjoint:.3f}", VERMILLION) in texts
            assert f"∂L/∂{node.quantity} = {node.adjoint:.3f}" in words
        if node.kind in OPERATIONS:
            assert (node.quantity, "black") in texts
    assert [text for text, _ in texts].count("constant") == 2  # x and y


PAGE_PX, DPI = 720, 100  # the book's content column, and the resolution FigureImage writes PNGs at


def shown_px(figure, points: float) -> float:
    """Height in page pixels of text of ``points`` once the PNG is shown at most PAGE_PX wide."""
    width_px = figure.get_figwidth() * DPI
    return points * (min(width_px, PAGE_PX) / figure.get_figwidth()) / 72.0


@pytest.mark.parametrize("key", ["tiny_relu", "shared_bias", "sum_target", "blame_flow"])
def test_text_in_the_drawing_is_at_least_12_px_at_the_pages_width(key):
    _, graph = graph_of(key)
    figure = draw_graph(graph)
    sizes = [t.get_fontsize() for t in figure.axes[0].texts if t.get_text()]  # arrows are empty texts
    assert len(sizes) > 2 * len(graph.nodes)
    assert min(shown_px(figure, size) for size in sizes) >= 12.0
    # a size given by the caller is honoured, and the text grows with it when the page shrinks it
    wide = draw_graph(graph, size=(14.4, 4.0))
    assert wide.get_figwidth() == 14.4
    assert min(shown_px(wide, t.get_fontsize()) for t in wide.axes[0].texts if t.get_text()) >= 12.0


def test_the_tiny_networks_drawing_fits_the_page_and_no_two_texts_overlap():
    _, graph = graph_of("tiny_relu")
    figure = draw_graph(graph)
    assert figure.get_figwidth() * DPI <= PAGE_PX  # shown at its own size, never scaled down
    renderer = figure.canvas.get_renderer()
    frame = figure.bbox
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in figure.axes[0].texts if t.get_text()]
    for text, box in boxes:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, text
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            assert not box_a.overlaps(box_b), (a, b)


def test_a_missing_node_is_named():
    _, graph = graph_of("tiny_relu")
    with pytest.raises(KeyError, match="no node 'z_q'; the nodes are x, w1"):
        graph["z_q"]


def test_bad_settings_are_refused_by_the_backward_pass():
    ex = load_example("tiny_relu")
    with pytest.raises(ValueError, match="unknown parameter"):
        computational_graph(ex.network, dict(ex.params, v=1.0), ex.x, ex.y)
    with pytest.raises(ValueError, match="one setting"):
        computational_graph(ex.network, dict(ex.params, w1=np.zeros(3)), ex.x, ex.y)
