"""The network diagram: neurons, labelled edges, biases; optionally shaded by gradient size."""
from __future__ import annotations

from typing import Mapping

from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from ..engine.network import Network
from ..engine.numeric import forward
from .figure import FigureView, make_legible
from .palette import BLAME_COLOURS, SKY, TEXT_SIZE, YELLOW

__all__ = ["draw_network", "alt_text"]


def _positions(network: Network) -> dict[str, tuple[float, float]]:
    columns = [network.inputs] + [layer.neurons for layer in network.layers]
    places = {}
    for c, units in enumerate(columns):
        for r, unit in enumerate(units):
            places[unit] = (3.0 * c, (len(units) - 1) / 2.0 - r)
    return places


def draw_network(
    network: Network,
    params: Mapping[str, float],
    x: Mapping[str, float] | None = None,
    y: object = None,
    gradients: Mapping[str, float] | None = None,
    size: tuple[float, float] = (7.0, 3.6),
) -> Figure:
    """Draw the network with every weight and bias named and valued.

    With ``x``, neurons show their activations. With ``gradients`` (∂L/∂θ per parameter), edges and
    bias links are coloured and thickened by |∂L/∂θ|, so the eye sees where the blame flows; a
    colour bar gives the scale. A shared bias is one node linked to every neuron it feeds.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> fig = draw_network(ex.network, ex.params, ex.x)
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("b1"))
    ['b1 = 0.35']
    """
    params = {k: float(v) for k, v in network.check_parameters(params).items()}
    places = _positions(network)
    activations = {}
    if x is not None:
        activations = forward(network, params, x, y if y is not None else [0.5] * len(network.outputs)).a
    view = FigureView(size, dpi=100)
    ax = view.figure.add_subplot(1, 1, 1)
    ax.set_axis_off()
    style = _Blame(gradients)
    for k, layer in enumerate(network.layers):
        _draw_weights(ax, network, k, places, params, style)
        if layer.bias is not None:
            _draw_biases(ax, layer, places, params, style)
    _draw_units(ax, network, places, activations)
    if gradients:
        bar = view.figure.colorbar(ScalarMappable(norm=style.norm, cmap=BLAME_COLOURS), ax=ax, fraction=0.04, pad=0.02)
        bar.set_label("|∂L/∂θ|", fontsize=TEXT_SIZE)
    ys = [p[1] for p in places.values()]
    low_bias = any(layer.bias is not None and not layer.shared_bias and min(places[n][1] for n in layer.neurons) < 0
                   for layer in network.layers)
    ax.set_ylim(min(ys) - (1.6 if low_bias else 1.0), max(ys) + 1.5)
    ax.set_xlim(-0.8, max(p[0] for p in places.values()) + 0.8)
    return make_legible(view.figure)


class _Blame:
    """Colour and width of a parameter's edges: grey without gradients, else by |∂L/∂θ|."""

    def __init__(self, gradients: Mapping[str, float] | None) -> None:
        self.gradients = gradients
        largest = max((abs(float(g)) for g in gradients.values()), default=0.0) if gradients else 0.0
        self.norm = Normalize(0.0, largest if largest > 0 else 1.0)

    def __call__(self, name: str) -> tuple[object, float]:
        if not self.gradients:
            return "#555555", 1.2
        share = self.norm(abs(float(self.gradients[name])))
        return BLAME_COLOURS(share), 0.8 + 5.0 * share


def _draw_weights(ax, network: Network, k: int, places, params, style: _Blame) -> None:
    layer = network.layers[k]
    for j, neuron in enumerate(layer.neurons):
        tx, ty = places[neuron]
        for w, u in zip(layer.weights[j], network.units_before(k)):
            sx, sy = places[u]
            colour, width = style(w)
            ax.plot([sx, tx], [sy, ty], color=colour, lw=width, zorder=1)
            share = 0.3 if len(layer.neurons) > 1 else 0.5
            lx, ly = sx + share * (tx - sx), sy + share * (ty - sy)
            ax.text(lx, ly + 0.08, f"{w} = {params[w]:.2f}", fontsize=TEXT_SIZE, ha="center", va="bottom", zorder=4,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))


def _draw_biases(ax, layer, places, params, style: _Blame) -> None:
    order = [layer.bias_of(j) for j in range(len(layer.neurons))]
    top = max(places[n][1] for n in layer.neurons)
    for bias in sorted(set(order), key=order.index):
        users = [n for j, n in enumerate(layer.neurons) if layer.bias_of(j) == bias]
        bx = places[users[0]][0] - 1.2
        # A neuron below the middle of its layer gets its bias below it, label underneath: above it,
        # the label would lie on the edges running into the neuron above.
        below = not layer.shared_bias and places[users[0]][1] < 0
        by = top + 0.9 if layer.shared_bias else places[users[0]][1] + (-0.75 if below else 0.75)
        colour, width = style(bias)
        for n in users:
            ax.plot([bx, places[n][0]], [by, places[n][1]], color=colour, lw=width, ls=(0, (3, 2)), zorder=1)
        ax.scatter([bx], [by], s=260, marker="s", color=YELLOW, edgecolors="black", zorder=3)
        ax.text(bx, by - 0.22 if below else by + 0.22, f"{bias} = {params[bias]:.2f}", fontsize=TEXT_SIZE,
                ha="center", va="top" if below else "bottom", zorder=4)


def _draw_units(ax, network: Network, places, activations) -> None:
    for unit, (px, py) in places.items():
        is_input = unit in network.inputs
        ax.scatter([px], [py], s=900, color=SKY if is_input else "white", edgecolors="black", zorder=3)
        label = unit if unit not in activations else f"{unit}\n{float(activations[unit]):.3f}"
        ax.text(px, py, label, ha="center", va="center", fontsize=TEXT_SIZE, zorder=5)
    for layer in network.layers:
        px = places[layer.neurons[0]][0]
        low = min(places[n][1] for n in layer.neurons)
        ax.text(px, low - 0.55, layer.activation, ha="center", va="top", fontsize=TEXT_SIZE, style="italic")


def alt_text(network: Network, params: Mapping[str, float], gradients: Mapping[str, float] | None = None) -> str:
    """A one-sentence description of the diagram for readers who cannot see it.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> alt_text(ex.network, ex.params)
    'Network diagram: input x; layer of h (relu); layer of o (sigmoid); weights w1 = 0.5, w2 = 0.5.'
    """
    layers = "; ".join(f"layer of {', '.join(layer.neurons)} ({layer.activation})" for layer in network.layers)
    values = ", ".join(f"{p} = {float(params[p]):g}" for p in network.parameters)
    text = f"Network diagram: input {', '.join(network.inputs)}; {layers}; weights {values}."
    if gradients:
        text += " Shading shows gradient size; " + _largest_in_words(gradients) + "."
    return text


def _largest_in_words(gradients: Mapping[str, float]) -> str:
    """Which gradient is largest in size, naming every one on a tie (to 9 significant digits).

    >>> _largest_in_words({"w1": 0.28108825, "w2": 0.28108825}), _largest_in_words({"w1": -0.3, "w2": 0.1})
    ('the largest, equal in size, are ∂L/∂w1 and ∂L/∂w2', 'the largest is ∂L/∂w1')
    >>> _largest_in_words({"w1": 0.0, "w2": 0.0})
    'every gradient is 0'
    """
    sizes = {p: float(f"{abs(float(g)):.9g}") for p, g in gradients.items()}
    top = max(sizes.values())
    if top == 0:
        return "every gradient is 0"
    names = [f"∂L/∂{p}" for p, size in sizes.items() if size == top]
    if len(names) == 1:
        return f"the largest is {names[0]}"
    return "the largest, equal in size, are " + ", ".join(names[:-1]) + " and " + names[-1]
