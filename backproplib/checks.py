"""The three-way check: backprop against sympy against central finite differences."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .examples import Example
from .numeric import backward, forward
from .render import Table

__all__ = ["finite_difference_gradients", "ThreeWayCheck", "three_way_check"]


def finite_difference_gradients(network, params, x, y, step: float = 1e-6) -> dict[str, float]:
    """Central differences (L(θ+h) − L(θ−h)) / 2h of the loss, one parameter at a time.

    >>> from backproplib.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> round(finite_difference_gradients(ex.network, ex.params, ex.x, ex.y)["w5"], 6)
    0.082167
    """
    if not step > 0:
        raise ValueError(f"step must be a number > 0; got {step!r}")
    base = {k: float(v) for k, v in network.check_parameters(params).items()}
    result = {}
    for name in network.parameters:
        up = float(forward(network, dict(base, **{name: base[name] + step}), x, y).loss)
        down = float(forward(network, dict(base, **{name: base[name] - step}), x, y).loss)
        result[name] = (up - down) / (2 * step)
    return result


@dataclass
class ThreeWayCheck:
    """Per parameter: the backprop, sympy and finite-difference gradients and their largest gap."""

    rows: list[tuple[str, float, float, float]]

    @property
    def largest_disagreement(self) -> float:
        return max(max(b, s, f) - min(b, s, f) for _, b, s, f in self.rows)

    def agree(self, tolerance: float = 1e-6) -> bool:
        """True when every parameter's three values lie within ``tolerance`` of each other."""
        return self.largest_disagreement <= tolerance

    def table(self) -> Table:
        return Table(
            ["parameter", "backprop", "sympy", "finite differences", "largest gap"],
            [[n, f"{b:.8g}", f"{s:.8g}", f"{f:.8g}", f"{max(b, s, f) - min(b, s, f):.1e}"] for n, b, s, f in self.rows],
        )

    def __repr__(self) -> str:
        return repr(self.table()) + f"\nlargest disagreement: {self.largest_disagreement:.1e}"

    def _repr_html_(self) -> str:
        return self.table()._repr_html_() + f"<p>Largest disagreement: {self.largest_disagreement:.1e}</p>"


def three_way_check(example: Example) -> ThreeWayCheck:
    """Compute every gradient three independent ways for one example.

    >>> from backproplib.examples import load_example
    >>> three_way_check(load_example("tiny_relu")).agree(1e-8)
    True
    """
    from .symbolic import SymbolicNetwork  # sympy work is only paid for when a check is asked for

    ex = example
    numeric = backward(ex.network, ex.params, ex.x, ex.y).gradients
    _, symbolic = SymbolicNetwork(ex.network).evaluate(ex.params, ex.x, ex.y)
    differences = finite_difference_gradients(ex.network, ex.params, ex.x, ex.y)
    rows = [(p, float(numeric[p]), float(symbolic[p]), differences[p]) for p in ex.network.parameters]
    return ThreeWayCheck(rows)
