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
from .notebook import number
from .palette import BLUE, SKY, VERMILLION, YELLOW

__all__ = ["GraphNode", "ComputationalGraph", "computational_graph", "draw_graph", "graph_alt_text"]

LEAVES = ("input", "parameter", "target")
OPERATIONS = ("multiply", "add", "activation", "loss")
_LOSS_LABELS = {"binary_cross_entropy": "BCE", "half_squared_error": "½SE", "mean_squared_error": "MSE"}
_GAP = 2.3  # rows between the terms of one neuron: room for a weight leaf, its numbers and a product's
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
                                 build.row[unit_node[output]] + 0.9))  # above, like a weight: numbers go below
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
# The layout is set in pixels of the page, which shows figures at most PAGE_PX wide: a column of
# the graph is COLUMN_PX, a row ROW_PX, text FONT_PX. Under every node go at most three short lines
# (what it computes, its value, its adjoint) instead of one long one, so a column needs only the
# width of a number and the drawing of the tiny network fits the page at its own size.
PAGE_PX, DPI = 720, 100
COLUMN_PX, ROW_PX, FONT_PX = 88.0, 64.0, 13.0


def _font_points(width_inches: float) -> float:
    """Points that show as FONT_PX on the page: a figure wider than PAGE_PX is scaled down to it."""
    shown_per_inch = min(DPI, PAGE_PX / width_inches)
    return FONT_PX * 72.0 / shown_per_inch


def draw_graph(graph: ComputationalGraph, digits: int = 4, size: tuple[float, float] | None = None) -> Figure:
    """Draw ``graph``: operations as circles, leaves as boxes; under each node what it computes,
    its value (blue) and its adjoint ∂L/∂(node) (red). Arrows point forward; the backward pass
    walks them in reverse. Text is at least 12 px on a page that shows the figure 720 px wide.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> fig = draw_graph(computational_graph(ex.network, ex.params, ex.x, ex.y))
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_color() == VERMILLION][:3]
    ['0.2811', '0.2811', '0.2811']
    >>> round(fig.get_figwidth() * DPI) <= PAGE_PX
    True
    """
    columns, rows = max(graph.column.values()), [graph.row[n.name] for n in graph.nodes]
    left, right, bottom, top = -0.55, columns + 0.55, min(rows) - 1.3, max(rows) + 0.9
    natural = ((right - left) * COLUMN_PX / DPI, (top - bottom) * ROW_PX / DPI)
    view = FigureView(size or natural, dpi=DPI)
    points = _font_points(view.figure.get_figwidth())
    ax = view.figure.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    place = {n.name: (graph.column[n.name], graph.row[n.name]) for n in graph.nodes}
    radius = 18.0 * points / FONT_PX  # points: room for "ReLU" inside
    for source, target in graph.edges:
        ax.annotate("", xy=place[target], xytext=place[source], zorder=1,
                    arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.0, shrinkA=radius, shrinkB=radius))
    for node in graph.nodes:
        _draw_node(ax, node, place[node.name], digits, points, radius)
    ax.text(0.01, 0.99, "under each node: what it computes, its value (blue),\nits adjoint ∂L/∂(node) (red)",
            transform=ax.transAxes, ha="left", va="top", fontsize=points, linespacing=1.1)
    return view.figure


def _draw_node(ax, node: GraphNode, at: tuple[float, float], digits: int, points: float, radius: float) -> None:
    px, py = at
    if node.kind in OPERATIONS:
        ax.scatter([px], [py], s=(2 * radius) ** 2, color="white", edgecolors="black", zorder=3)
        lines = [(node.quantity, "black")]
    else:
        ax.add_patch(FancyBboxPatch((px - 0.27, py - 0.13), 0.54, 0.26, boxstyle="round,pad=0.03",
                                    fc=_FILL[node.kind], ec="black", zorder=3))
        lines = []
    ax.text(px, py, node.label, ha="center", va="center", fontsize=points, zorder=4)
    lines.append((number(node.value, digits), BLUE))
    lines.append(("constant" if node.adjoint is None else number(node.adjoint, digits),
                  "0.4" if node.adjoint is None else VERMILLION))
    for i, (text, colour) in enumerate(lines):
        ax.annotate(text, (px, py), xytext=(0, -radius - 2 - i * 1.25 * points), ha="center",
                    va="top", textcoords="offset points", fontsize=points, color=colour, zorder=5,
                    bbox=dict(boxstyle="square,pad=0.05", fc="white", ec="none", alpha=0.85))


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
