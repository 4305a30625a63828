"""Three independent routes to the same gradients, side by side.

* **backprop**: :func:`backproplib.engine.numeric.backward`, the chain rule applied layer by layer;
* **sympy**: :class:`backproplib.engine.symbolic.SymbolicNetwork` differentiates each neuron's formula
  symbolically and combines the partial derivatives forward from the parameters (the numeric pass
  walks backward with hand-written derivatives), at 50 digits in mpmath;
* **finite difference**: nudge one parameter up and down by ``step`` and divide the change in
  the loss by the change in the parameter. It needs nothing but the forward pass.

The routes share only the network description, so agreement means the backward pass is right.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..engine.network import Network
from ..engine.numeric import backward, forward
from ..engine.symbolic import SymbolicNetwork

__all__ = ["finite_difference_gradients", "GradientCheckRow", "ThreeWayCheck", "three_way_check"]

Params = Mapping[str, object]

# Digits shown in the table: enough to see that the three routes agree to about seven digits, few
# enough that the finite-difference column (accurate to about 1e-10) prints the same everywhere.
SIGNIFICANT_DIGITS = 8


def finite_difference_gradients(
    network: Network, params: Params, x: object, y: object, step: float = 1e-6
) -> dict[str, float | np.ndarray]:
    """Central differences of the forward loss: (L(θ + h) − L(θ − h)) / (2h) for each parameter.

    Any parameter may be an array (the loss broadcasts); the results then are arrays too.

    Examples
    --------
    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> fd = finite_difference_gradients(ex.network, ex.params, ex.x, ex.y)
    >>> round(fd["w5"], 8), round(fd["b1"], 8)
    (0.08216704, 0.028364)
    >>> finite_difference_gradients(ex.network, ex.params, ex.x, ex.y, step=0)
    Traceback (most recent call last):
    ...
    ValueError: step must be a finite number > 0; got 0
    """
    if (
        isinstance(step, bool)
        or not isinstance(step, (int, float, np.floating))
        or not math.isfinite(step)
        or step <= 0
    ):
        raise ValueError(f"step must be a finite number > 0; got {step!r}")
    checked = network.check_parameters(params)
    gradients: dict[str, float | np.ndarray] = {}
    for name in network.parameters:
        up, down = checked[name] + step, checked[name] - step
        loss_up = forward(network, dict(checked, **{name: up}), x, y).loss
        loss_down = forward(network, dict(checked, **{name: down}), x, y).loss
        # up - down is not exactly 2*step in floating point; dividing by it removes that error.
        slope = (loss_up - loss_down) / (up - down)
        gradients[name] = float(slope) if np.ndim(slope) == 0 else slope
    return gradients


def _format(value: float) -> str:
    return f"{value:.{SIGNIFICANT_DIGITS}g}"


def _order_of(difference: float) -> str:
    """The smallest power of ten above ``difference``, e.g. ``'< 1e-10'``: steady across machines."""
    if difference == 0:
        return "0"
    return f"< 1e{math.floor(math.log10(difference)) + 1:d}"


@dataclass(frozen=True)
class GradientCheckRow:
    """∂L/∂``parameter`` by the three routes."""

    parameter: str
    backprop: float
    sympy: float
    finite_difference: float

    @property
    def disagreement(self) -> float:
        """Largest absolute difference between any two of the three values."""
        values = (self.backprop, self.sympy, self.finite_difference)
        return max(values) - min(values)


@dataclass(frozen=True)
class ThreeWayCheck:
    """The rows of a three-way gradient check and the loss they were taken at.

    A notebook shows it as an HTML table; ``repr`` gives the same table as aligned text.
    """

    rows: tuple[GradientCheckRow, ...]
    loss: float
    step: float

    @property
    def max_disagreement(self) -> float:
        """The largest disagreement of any row."""
        return max(row.disagreement for row in self.rows)

    def agree(self, tolerance: float = 1e-7) -> bool:
        """True when every row's three values lie within ``tolerance`` of each other.

        >>> from backproplib.checking.examples import load_example
        >>> check = three_way_check(load_example("sum_target"))
        >>> check.agree(1e-7), check.agree(1e-20)
        (True, False)
        """
        if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float, np.floating)) or not tolerance >= 0:
            raise ValueError(f"tolerance must be a number >= 0; got {tolerance!r}")
        return self.max_disagreement <= tolerance

    def __getitem__(self, parameter: str) -> GradientCheckRow:
        for row in self.rows:
            if row.parameter == parameter:
                return row
        allowed = ", ".join(repr(r.parameter) for r in self.rows)
        raise KeyError(f"no row for {parameter!r}; the parameters are {allowed}")

    _HEADERS = ("parameter", "backprop", "sympy", "finite difference", "largest difference")

    def _cells(self) -> list[tuple[str, ...]]:
        return [
            (
                row.parameter,
                _format(row.backprop),
                _format(row.sympy),
                _format(row.finite_difference),
                _order_of(row.disagreement),
            )
            for row in self.rows
        ]

    def _summary(self) -> str:
        return (
            f"Three-way gradient check at loss L = {_format(self.loss)} (finite-difference step {self.step:g}); "
            f"largest difference {_order_of(self.max_disagreement)}"
        )

    def __repr__(self) -> str:
        cells = [self._HEADERS, *self._cells()]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self._HEADERS))]

        def line(row: tuple[str, ...]) -> str:
            first = row[0].ljust(widths[0])
            rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
            return "  ".join([first, *rest]).rstrip()

        return "\n".join([self._summary(), line(cells[0]), *(line(r) for r in cells[1:])])

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self._HEADERS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>" for cells in self._cells()
        )
        return (
            f"<table class='three-way-check'><caption>{html.escape(self._summary())}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )


def three_way_check(
    network: Network | object,
    params: Params | None = None,
    x: object = None,
    y: object = None,
    step: float = 1e-6,
    symbolic: SymbolicNetwork | None = None,
) -> ThreeWayCheck:
    """Backprop, sympy and finite differences for every parameter at one setting.

    ``network`` may also be an :class:`~backproplib.checking.examples.Example` (anything with ``network``,
    ``params``, ``x`` and ``y``), whose settings are then used. Pass ``symbolic`` to reuse a
    :class:`SymbolicNetwork` already built for the same network. A network of more than
    :data:`~backproplib.engine.symbolic.SYMBOLIC_LIMIT` parameters is refused with a ``ValueError``.

    Examples
    --------
    >>> from backproplib.checking.examples import load_example
    >>> three_way_check(load_example("tiny_relu"))
    Three-way gradient check at loss L = 0.82593942 (finite-difference step 1e-06); largest difference < 1e-10
    parameter    backprop       sympy  finite difference  largest difference
    w1         0.28108825  0.28108825         0.28108825              < 1e-10
    w2         0.28108825  0.28108825         0.28108825              < 1e-10
    """
    if not isinstance(network, Network):
        example = network
        if not all(hasattr(example, a) for a in ("network", "params", "x", "y")):
            raise TypeError(
                f"network must be a Network (with params, x and y) or an Example; got {type(network).__name__}"
            )
        if params is not None or x is not None or y is not None:
            raise TypeError("give params, x and y only with a Network; an Example brings its own")
        network, params, x, y = example.network, example.params, example.x, example.y  # type: ignore[attr-defined]
    if params is None or x is None or y is None:
        raise TypeError("three_way_check needs params, x and y with a Network")
    if symbolic is None:
        symbolic = SymbolicNetwork(network)
    elif symbolic.network != network:
        raise ValueError("symbolic must be built from the same network that is checked")
    bwd = backward(network, params, x, y)
    if np.ndim(bwd.loss) != 0:
        raise ValueError("three_way_check compares single settings: params, x and y must be numbers, not arrays")
    _, exact = symbolic.evaluate(params, x, y)
    differences = finite_difference_gradients(network, params, x, y, step)
    rows = tuple(
        GradientCheckRow(p, float(bwd.gradients[p]), exact[p], float(differences[p])) for p in network.parameters
    )
    return ThreeWayCheck(rows, float(bwd.loss), float(step))
