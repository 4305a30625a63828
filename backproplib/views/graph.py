"""The computational graph of a network: one node per operation, with forward values and adjoints.

:func:`computational_graph` reads the graph off a :class:`~backproplib.engine.network.Network`
description: every weight times what it multiplies is a ``multiply`` node, every neuron with more
than one term an ``add`` node, every activation an ``activation`` node, and the loss one ``loss``
node; inputs, parameters and targets are the leaves. Each node carries its forward value and its
adjoint ∂L/∂(node), both taken from one :func:`~backproplib.engine.numeric.backward` pass, so the
drawing and the tables can never disagree. :func:`draw_graph` draws it and :func:`graph_alt_text`
says it in words.

Trade-off: values and adjoints come from the library's backward pass rather than from a walk over
this graph, so the graph holds no second differentiation engine (the chapter builds its own, small
one, to teach it). The cost: inputs and targets get no adjoint, since ``backward`` never needs
∂L/∂x; the drawing marks them as constants.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ..engine.network import Network
from ..engine.numeric import backward
from .figure import FigureView
from .palette import BLUE, SKY, TEXT_SIZE, VERMILLION, YELLOW

__all__ = ["GraphNode", "ComputationalGraph", "computational_graph", "draw_graph", "graph_alt_text"]

LEAVES = ("input", "parameter", "target")
OPERATIONS = ("multiply", "add", "activation", "loss")
_LOSS_LABELS = {"binary_cross_entropy": "BCE", "half_squared_error": "½SE", "mean_squared_error": "MSE"}
_GAP = 1.9  # rows between the terms of one neuron: room for a weight leaf and its two lines of numbers
_ACTIVATION_LABELS = {"sigmoid": "σ", "relu": "ReLU", "tanh": "tanh", "identity": "id"}


@dataclass(frozen=True)
class GraphNode:
    """One node: ``name`` (unique), ``kind`` (a leaf kind or an operation), the ``label`` drawn in it,
    the ``quantity`` its value is (``z_h``, ``a_o``, ``w1·x``, ``L``), the names of the nodes it reads,
    its forward ``value`` and its ``adjoint`` ∂L/∂(node) (``None`` for the constants x and y)."""

    name: str
    kind: str
    label: str
    quantity: str
    inputs: tuple[str, ...]
    value: float
    adjoint: float | None


@dataclass(frozen=True)
class ComputationalGraph:
    """The nodes in an order where every node comes after the nodes it reads (forward order).

    ``column`` and ``row`` place each node for :func:`draw_graph`.
    """

    network: Network
    nodes: tuple[GraphNode, ...]
    column: Mapping[str, float]
    row: Mapping[str, float]

    def __getitem__(self, name: str) -> GraphNode:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"no node {name!r}; the nodes are {', '.join(n.name for n in self.nodes)}")

    @property
    def edges(self) -> list[tuple[str, str]]:
        """(from, to) for every input of every node, in forward order."""
        return [(source, node.name) for node in self.nodes for source in node.inputs]

    @property
    def operations(self) -> list[GraphNode]:
        return [node for node in self.nodes if node.kind in OPERATIONS]


class _Builder:
    """Adds nodes in forward order and places them: operations in columns, leaves beside their reader."""

    def __init__(self) -> None:
        self.nodes: dict[str, GraphNode] = {}
        self.column: dict[str, float] = {}
        self.row: dict[str, float] = {}

    def add(self, node: GraphNode, column: float, row: float) -> str:
        if node.name not in self.nodes:
            self.nodes[node.name] = node
            self.column[node.name], self.row[node.name] = column, row
        return node.name

    def operation(self, node: GraphNode, row: float) -> str:
        column = 1.0 + max((self.column[i] for i in node.inputs if self.nodes[i].kind not in LEAVES[1:]), default=0.0)
        return self.add(node, column, row)


def computational_graph(network: Network, params: Mapping[str, object], x: object, y: object) -> ComputationalGraph:
    """The graph of ``network`` with the values and adjoints of one setting.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> graph = computational_graph(ex.network, ex.params, ex.x, ex.y)
    >>> [(n.label, n.quantity) for n in graph.operations]
    [('×', 'z_h'), ('ReLU', 'a_h'), ('×', 'z_o'), ('σ', 'a_o'), ('BCE', 'L')]
    >>> round(graph["w1"].adjoint, 6), graph["L"].adjoint, graph["x"].adjoint
    (0.281088, 1.0, None)
    """
    passes = backward(network, params, x, y)
    if passes.loss.ndim:
        raise ValueError(f"computational_graph draws one setting, not arrays of them; got shape {passes.loss.shape}")
    fwd = passes.forward
    build = _Builder()
    unit_node = {}
    for i, unit in enumerate(network.inputs):
        unit_node[unit] = build.add(GraphNode(unit, "input", unit, unit, (), float(fwd.a[unit]), None), 0.0,
                                    _spread(i, len(network.inputs), _spacing(network)))
    for k, layer in enumerate(network.layers):
        for j in range(len(layer.neurons)):
            _neuron_nodes(build, network, k, j, _spread(j, len(layer.neurons), _spacing(network)), unit_node, passes)
    targets = []
    for i, (output, target) in enumerate(zip(network.outputs, fwd.targets)):
        name = "y" if len(network.outputs) == 1 else f"y_{output}"
        column = build.column[unit_node[output]] + 0.5
        targets.append(build.add(GraphNode(name, "target", name, name, (), float(target), None), column,
                                 build.row[unit_node[output]] - 1.0))
    loss_inputs = tuple(unit_node[o] for o in network.outputs) + tuple(targets)
    build.operation(GraphNode("L", "loss", _LOSS_LABELS.get(network.loss, network.loss), "L", loss_inputs,
                              float(fwd.loss), 1.0), sum(build.row[unit_node[o]] for o in network.outputs)
                    / len(network.outputs))
    return ComputationalGraph(network, tuple(build.nodes.values()), dict(build.column), dict(build.row))


def _spacing(network: Network) -> float:
    """Rows between neighbouring neurons: room for each neuron's products stacked around it."""
    terms = max(len(row) + (layer.bias is not None) for layer in network.layers for row in layer.weights)
    return _GAP * max(1, terms) + 0.6


def _spread(j: int, count: int, spacing: float) -> float:
    return spacing * ((count - 1) / 2.0 - j)


def _neuron_nodes(build: _Builder, network: Network, k: int, j: int, centre: float, unit_node: dict,
                  passes) -> None:
    """The multiply, add and activation nodes of neuron ``j`` of layer ``k`` (and its parameter leaves)."""
    layer, fwd = network.layers[k], passes.forward
    neuron, feeds = layer.neurons[j], network.units_before(k)
    delta, bias = float(passes.delta[neuron]), layer.bias_of(j)
    count = len(feeds) + (bias is not None)
    products = []
    for i, (w, unit) in enumerate(zip(layer.weights[j], feeds)):
        row = centre + _GAP * ((count - 1) / 2.0 - i)
        source = unit_node[unit]
        build.add(GraphNode(w, "parameter", w, w, (), float(fwd.params[w]), float(passes.gradients[w])),
                  build.column[source] + 0.5, row + 0.9)
        quantity = f"z_{neuron}" if count == 1 else f"{w}·{unit if unit in network.inputs else 'a_' + unit}"
        name = f"z_{neuron}" if count == 1 else f"{w}*{unit}"
        value = float(fwd.z[neuron]) if count == 1 else float(fwd.params[w] * fwd.a[unit])
        products.append(build.operation(GraphNode(name, "multiply", "×", quantity, (w, source), value, delta), row))
    terms = list(products)
    if bias is not None:
        bias_row = centre + _GAP * ((count - 1) / 2.0 - len(feeds))
        column = max(build.column[t] for t in products) + 0.5 if bias not in build.nodes else build.column[bias]
        terms.append(build.add(GraphNode(bias, "parameter", bias, bias, (), float(fwd.params[bias]),
                                         float(passes.gradients[bias])), column, bias_row))
    total = products[0]
    if count > 1:
        total = build.operation(GraphNode(f"z_{neuron}", "add", "+", f"z_{neuron}", tuple(terms),
                                          float(fwd.z[neuron]), delta), centre)
    label = _ACTIVATION_LABELS.get(layer.activation, layer.activation)
    unit_node[neuron] = build.operation(GraphNode(f"a_{neuron}", "activation", label, f"a_{neuron}", (total,),
                                                  float(fwd.a[neuron]), float(passes.dL_da[neuron])), centre)


_FILL = {"input": SKY, "parameter": YELLOW, "target": "white"}


def draw_graph(graph: ComputationalGraph, digits: int = 4, size: tuple[float, float] | None = None) -> Figure:
    """Draw ``graph``: operations as circles, leaves as boxes; under each node its value (blue) and
    its adjoint ∂L/∂(node) (red). Arrows point forward; the backward pass walks them in reverse.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> fig = draw_graph(computational_graph(ex.network, ex.params, ex.x, ex.y))
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("∂L/∂w"))
    ['∂L/∂w1 = 0.2811', '∂L/∂w2 = 0.2811']
    """
    columns, rows = max(graph.column.values()), [graph.row[n.name] for n in graph.nodes]
    width = size or (max(6.0, 1.7 * columns + 1.6), max(2.6, 0.5 * (max(rows) - min(rows)) + 2.2))
    view = FigureView(width, dpi=100)
    ax = view.figure.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    place = {n.name: (graph.column[n.name], graph.row[n.name]) for n in graph.nodes}
    for source, target in graph.edges:
        ax.annotate("", xy=place[target], xytext=place[source], zorder=1,
                    arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.0, shrinkA=13, shrinkB=13))
    for node in graph.nodes:
        _draw_node(ax, node, place[node.name], digits)
    ax.text(0.01, 0.99, "blue: forward value    red: adjoint ∂L/∂(node), from the backward pass",
            transform=ax.transAxes, ha="left", va="top", fontsize=TEXT_SIZE)
    ax.set_xlim(-0.7, columns + 0.7)
    ax.set_ylim(min(rows) - 1.3, max(rows) + 1.2)
    return view.figure


def _draw_node(ax, node: GraphNode, at: tuple[float, float], digits: int) -> None:
    px, py = at
    if node.kind in OPERATIONS:
        ax.scatter([px], [py], s=620, color="white", edgecolors="black", zorder=3)
        ax.text(px, py, node.label, ha="center", va="center", fontsize=TEXT_SIZE + 1, zorder=4)
    else:
        ax.add_patch(FancyBboxPatch((px - 0.2, py - 0.13), 0.4, 0.26, boxstyle="round,pad=0.04",
                                    fc=_FILL[node.kind], ec="black", zorder=3))
        ax.text(px, py, node.label, ha="center", va="center", fontsize=TEXT_SIZE, zorder=4)
    ax.text(px, py - 0.27, f"{node.quantity} = {node.value:.{digits}f}", ha="center", va="top", fontsize=TEXT_SIZE - 1,
            color=BLUE, zorder=5, bbox=dict(boxstyle="round,pad=0.05", fc="white", ec="none", alpha=0.8))
    adjoint = "constant" if node.adjoint is None else f"∂L/∂{node.quantity} = {node.adjoint:.{digits}f}"
    ax.text(px, py - 0.5, adjoint, ha="center", va="top", fontsize=TEXT_SIZE - 1,
            color="0.4" if node.adjoint is None else VERMILLION, zorder=5,
            bbox=dict(boxstyle="round,pad=0.05", fc="white", ec="none", alpha=0.8))


def graph_alt_text(graph: ComputationalGraph, digits: int = 4) -> str:
    """The drawing in words: its operations, then each value and adjoint in forward order.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> graph_alt_text(computational_graph(ex.network, ex.params, ex.x, ex.y), 2)[:87]
    'Computational graph with 5 operations (×, ReLU, ×, σ, BCE) and 4 leaves (x, w1, w2, y).'
    """
    operations = graph.operations
    leaves = [n for n in graph.nodes if n.kind in LEAVES]
    parts = []
    for node in graph.nodes:
        adjoint = "" if node.adjoint is None else f", ∂L/∂{node.quantity} = {node.adjoint:.{digits}f}"
        parts.append(f"{node.quantity} = {node.value:.{digits}f}{adjoint}")
    return (
        f"Computational graph with {len(operations)} operations ({', '.join(n.label for n in operations)}) and "
        f"{len(leaves)} leaves ({', '.join(n.name for n in leaves)}). Forward values and adjoints: "
        + "; ".join(parts) + "."
    )
