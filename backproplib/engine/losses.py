r"""Loss functions over the output vector: one row per loss, each formula written once.

``yhat``, ``z`` and ``y`` are lists with one array per output neuron (arrays broadcast, so a whole
batch of parameter settings is evaluated at once). With n output neurons, half the squared error
*sums* over them, the mean squared error and cross-entropy *average* (1/n); each row's LaTeX says
which (:meth:`Loss.formula`).

A row (:class:`Loss`) carries the numpy value and ∂L/∂ŷ side by side, the sympy form, the LaTeX of
both, a name in words and the code templates every generator fills in.

Cross-entropy on a sigmoid output is computed from z, not from ŷ (:class:`FromZ`)
-------------------------------------------------------------------------------------
ŷ = σ(z) rounds to exactly 1.0 beyond z ≈ 37 and to 0.0 below z ≈ −745, so any formula in ŷ loses
the loss there (−log(1 − 1.0) is infinite) and its gradient. In z the same loss is
L = (1/n) Σ softplus(z) − y·z, with softplus(z) = log(1 + e^z) = max(z, 0) + log(1 + e^(−|z|)),
and ∂L/∂z = (σ(z) − y)/n: both exact at every finite z, with no clipping. The code writes them as
(1 − y)·softplus(z) + y·softplus(−z) and (1 − y)·σ(z) − y·σ(−z), equal forms in which nothing
cancels (softplus(40) − 40 rounds to 0, the loss is 4.2e-18; σ(40) − 1 rounds to 0, not −4.2e-18).
Trade-off: two softplus and two sigmoids per output instead of one of each, on the cross-entropy
path only. The network code takes
this path whenever the output activation is the one the row names (:meth:`Loss.from_z_on`).
The ŷ forms stay for the teaching tables, which show ŷ, ∂L/∂ŷ and σ′(z) as the documents do;
on ŷ = 0 or 1 exactly they give the honest limits (0, or +∞ for a certainly wrong prediction).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import sympy as sp
from sympy.codegen.cfunctions import log1p

from .activations import get_activation, lookup
from .templates import Code

__all__ = ["Loss", "FromZ", "LOSSES", "get_loss", "softplus"]

Outputs = Sequence[np.ndarray]
_sigmoid = get_activation("sigmoid").function


def _reduced(prefix: str, term: str, mean: bool, n: int | None, summed: bool = True) -> str:
    """A loss formula over n outputs: ``prefix``, then 1/n if ``mean``, then Σ_k, then ``term``.

    ``term`` marks each output's subscript ``{k}``. One output drops the 1/n, the sum and the
    subscripts; ``n=None`` writes the general formula with the letter n.
    """
    if n == 1:
        return prefix + term.format(k="")
    count = "n" if n is None else str(n)
    scale = (r"\tfrac1n" if n is None else rf"\tfrac{{1}}{{{n}}}") if mean else ""
    total = rf"\sum_{{k=1}}^{{{count}}}" if summed else ""
    joint = r"\cdot " if scale and term[:1].isdigit() else ""  # ⅓·2(…), not ⅓2(…)
    return prefix + scale + total + joint + term.format(k="_k")


@dataclass(frozen=True)
class FromZ:
    """How a loss is computed from the output neurons' z when they use ``activation``.

    ``value(z, y)`` is L, ``delta(z, y)`` the list of ∂L/∂z, ``dL_dyhat(z, y)`` the list of ∂L/∂ŷ
    computed from z (the teaching tables show it even where ŷ itself has rounded to 0 or 1);
    ``symbolic(z_list, y_list)`` the sympy form; ``code`` the templates (slots ``{z}``, ``{t}``,
    ``{n}``; ``derivative`` is ∂L/∂z); ``latex_term``/``latex_delta`` one output's term with ``{k}``
    marking the subscript.

    A sigmoid output at z = 40 with target 0: ŷ has rounded to 1, yet loss and δ are exact.

    >>> on_z = get_loss("binary_cross_entropy").from_z
    >>> float(on_z.value([np.array(40.0)], [0.0])), float(on_z.delta([np.array(40.0)], [0.0])[0])
    (40.0, 1.0)
    >>> float(on_z.delta([np.array(40.0)], [1.0])[0])  # σ(40) − 1, not 0
    -4.24835425529159e-18
    """

    activation: str
    value: Callable[[Outputs, Outputs], np.ndarray]
    delta: Callable[[Outputs, Outputs], list[np.ndarray]]
    dL_dyhat: Callable[[Outputs, Outputs], list[np.ndarray]]
    symbolic: Callable[[list[sp.Expr], list[sp.Expr]], sp.Expr]
    code: Code
    latex_term: str
    latex_delta: str


@dataclass(frozen=True)
class Loss:
    r"""A loss L(ŷ, y): its value, ∂L/∂ŷ per output, sympy form, LaTeX, words and code templates.

    ``mean`` says whether L averages over the n outputs (else it sums); ``latex_prefix``,
    ``latex_term`` and ``latex_gradient`` are the pieces :meth:`formula` and
    :meth:`gradient_formula` assemble. ``from_z`` is the exact form on z for one output activation.

    >>> get_loss("mean_squared_error").formula(2)
    'L = \\tfrac{1}{2}\\sum_{k=1}^{2}(\\hat y_k - y_k)^2'
    """

    name: str
    words: str
    value: Callable[[Outputs, Outputs], np.ndarray]
    gradient: Callable[[Outputs, Outputs], list[np.ndarray]]
    symbolic: Callable[[list[sp.Expr], list[sp.Expr]], sp.Expr]
    code: Code
    mean: bool
    latex_prefix: str
    latex_term: str
    latex_gradient: str
    targets_are_probabilities: bool = False
    from_z: FromZ | None = None

    def __repr__(self) -> str:
        return f"Loss({self.name!r})"

    def formula(self, n: int | None = None, *, on_z: bool = False) -> str:
        r"""L as LaTeX for ``n`` outputs (None: the general formula); ``on_z``: the form from z.

        >>> get_loss("half_squared_error").formula()
        'L = \\tfrac12\\sum_{k=1}^{n}(\\hat y_k - y_k)^2'
        >>> get_loss("binary_cross_entropy").formula(1, on_z=True)
        'L = \\bigl[(1 - y)\\operatorname{softplus}(z) + y\\operatorname{softplus}(-z)\\bigr]'
        """
        if on_z:
            return "L = " + _reduced("", self._z().latex_term, self.mean, n)
        return "L = " + _reduced(self.latex_prefix, self.latex_term, self.mean, n)

    def gradient_formula(self, n: int | None = None, *, on_z: bool = False) -> str:
        r"""∂L/∂ŷ_k (``on_z``: ∂L/∂z_k) as LaTeX for ``n`` outputs.

        >>> get_loss("binary_cross_entropy").gradient_formula(3, on_z=True)
        '\\frac{\\partial L}{\\partial z_k} = \\tfrac{1}{3}\\bigl(\\sigma(z_k) - y_k\\bigr)'
        """
        of, term = (r"z{k}", self._z().latex_delta) if on_z else (r"\hat y{k}", self.latex_gradient)
        left = r"\frac{\partial L}{\partial " + of.format(k="" if n == 1 else "_k") + "} = "
        return left + _reduced("", term, self.mean, n, summed=False)

    def from_z_on(self, activation: str) -> FromZ | None:
        """The exact form on z if the output neurons use ``activation``, else None.

        >>> get_loss("binary_cross_entropy").from_z_on("sigmoid").activation
        'sigmoid'
        >>> get_loss("half_squared_error").from_z_on("sigmoid") is None
        True
        """
        return self.from_z if self.from_z is not None and self.from_z.activation == activation else None

    @property
    def symbolic_from_z(self) -> Callable[[list[sp.Expr], list[sp.Expr]], sp.Expr] | None:
        """The sympy form of L from the output z's (None for a loss without a z form).

        >>> z, y = sp.Symbol("z"), sp.Symbol("y")
        >>> get_loss("binary_cross_entropy").symbolic_from_z([z], [y])
        y*log1p(exp(-z)) + (1 - y)*log1p(exp(z))
        """
        return None if self.from_z is None else self.from_z.symbolic

    def _z(self) -> FromZ:
        if self.from_z is None:
            raise ValueError(f"loss {self.name!r} has no form on z; only the form on the prediction")
        return self.from_z


# --- squared errors -------------------------------------------------------------------------


def _half_squared_error(yhat: Outputs, y: Outputs) -> np.ndarray:
    return sum(0.5 * (p - t) ** 2 for p, t in zip(yhat, y))


def _half_squared_error_gradient(yhat: Outputs, y: Outputs) -> list[np.ndarray]:
    return [p - t for p, t in zip(yhat, y)]


def _mean_squared_error(yhat: Outputs, y: Outputs) -> np.ndarray:
    return sum((p - t) ** 2 for p, t in zip(yhat, y)) / len(yhat)


def _mean_squared_error_gradient(yhat: Outputs, y: Outputs) -> list[np.ndarray]:
    return [2.0 * (p - t) / len(yhat) for p, t in zip(yhat, y)]


# --- cross-entropy ----------------------------------------------------------------------------


def softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + e^z), exact at every finite z: max(z, 0) + log1p(e^(−|z|)) never overflows.

    >>> [float(softplus(v)) for v in (-1000.0, 0.0, 1000.0)]
    [0.0, 0.6931471805599453, 1000.0]
    """
    z = np.asarray(z, dtype=float)
    if z.ndim == 0:
        return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    # the same steps in one array: on a batch of 100,000 settings fresh arrays cost more than the maths
    out = np.abs(z)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(z, 0.0)
    return out


def _times(coefficient: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """coefficient · factor, and 0 where the coefficient is 0 even if the factor is infinite."""
    with np.errstate(invalid="ignore"):
        product = coefficient * factor
    return np.where(np.asarray(coefficient) == 0.0, 0.0, product)


def _ratio(c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """c / d, and 0 where c is 0 even if d is (the limit the loss has there), silently."""
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = np.divide(c, d)
    return np.where(np.asarray(c) == 0.0, 0.0, quotient)


def _log_or_limit(coefficient: np.ndarray, p: np.ndarray) -> np.ndarray:
    """coefficient · log(p) with 0 · log 0 = 0 (the limit) and −∞ for p = 0 otherwise, silently."""
    with np.errstate(divide="ignore"):
        return _times(coefficient, np.log(p))


def _binary_cross_entropy(yhat: Outputs, y: Outputs) -> np.ndarray:
    total = sum(-(_log_or_limit(t, p) + _log_or_limit(1.0 - t, 1.0 - p)) for p, t in zip(yhat, y))
    return total / len(yhat)


def _binary_cross_entropy_gradient(yhat: Outputs, y: Outputs) -> list[np.ndarray]:
    # d/dp of -(t log p + (1-t) log(1-p)) = (p - t) / (p (1 - p)) = (1 - t)/(1 - p) - t/p, the
    # second form so that p = 0 or 1 gives the limit (finite when the prediction is right, ±∞ when not)
    return [(_ratio(1.0 - t, 1.0 - p) - _ratio(t, p)) / len(yhat) for p, t in zip(yhat, y)]


def _cross_entropy_from_z(z: Outputs, y: Outputs) -> np.ndarray:
    # softplus(z) − y·z written as (1 − y)·softplus(z) + y·softplus(−z): two terms that are never
    # negative, so nothing cancels (softplus(40) − 40 would round to 0; the loss is 4.2e-18).
    return sum((1.0 - t) * softplus(zi) + t * softplus(-np.asarray(zi)) for zi, t in zip(z, y)) / len(z)


def _cross_entropy_delta(z: Outputs, y: Outputs) -> list[np.ndarray]:
    # σ(z) − y written as (1 − y)σ(z) − yσ(−z): the direct subtraction gives 0 for y = 1 once σ(z)
    # rounds to 1 (z > 37), where the exact value is −σ(−z).
    return [((1.0 - t) * _sigmoid(zi) - t * _sigmoid(-np.asarray(zi))) / len(z) for zi, t in zip(z, y)]


def _grown(c: np.ndarray, u: np.ndarray) -> np.ndarray:
    """c·(1 + e^u) for 0 ≤ c ≤ 1, silently: 0 where c = 0, and ±inf only where the product itself
    overflows (e^u may overflow while c·e^u does not, for a tiny c: then it is exp(log c + u))."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        e = np.exp(u)
        return np.where(np.isfinite(e), c * (1.0 + e), c + np.exp(np.log(c) + u))


def _cross_entropy_dL_dyhat(z: Outputs, y: Outputs) -> list[np.ndarray]:
    # (ŷ − y)/(ŷ(1 − ŷ)) = (1 − y)/σ(−z) − y/σ(z) = (1 − y)(1 + e^z) − y(1 + e^(−z)): no ŷ(1 − ŷ)
    # that underflows. Beyond |z| ≈ 709.8 it overflows to ±inf, the honest value.
    return [(_grown(1.0 - t, zi) - _grown(t, -np.asarray(zi))) / len(z) for zi, t in zip(z, y)]


def _symbolic_squares(scale: sp.Expr, mean: bool) -> Callable[[list[sp.Expr], list[sp.Expr]], sp.Expr]:
    return lambda p, t: scale * sum((pi - ti) ** 2 for pi, ti in zip(p, t)) / (len(p) if mean else 1)


_CROSS_ENTROPY_FROM_Z = FromZ(
    "sigmoid",
    _cross_entropy_from_z,
    _cross_entropy_delta,
    _cross_entropy_dL_dyhat,
    # log1p, not log(1 + ·): at y = 1 and large z the loss is e^(-z), which 1 + e^(-z) rounds away at
    # any fixed precision; both terms are >= 0, so nothing cancels either.
    lambda z, t: sp.Add(*((1 - ti) * log1p(sp.exp(zi)) + ti * log1p(sp.exp(-zi)) for zi, ti in zip(z, t))) / len(z),
    Code(
        "((1.0 - {t}) * _softplus({z}) + {t} * _softplus(-({z}))) / {n}",
        "((1.0 - {t}) * _sigmoid({z}) - {t} * _sigmoid(-({z}))) / {n}",
    ),
    latex_term=r"\bigl[(1 - y{k})\operatorname{{softplus}}(z{k}) + y{k}\operatorname{{softplus}}(-z{k})\bigr]",
    latex_delta=r"\bigl(\sigma(z{k}) - y{k}\bigr)",
)

LOSSES: dict[str, Loss] = {
    "half_squared_error": Loss(
        "half_squared_error",
        "half the squared error",
        _half_squared_error,
        _half_squared_error_gradient,
        _symbolic_squares(sp.Rational(1, 2), mean=False),
        Code("0.5 * ({p} - {t}) * ({p} - {t})", "({p} - {t})"),
        mean=False,
        latex_prefix=r"\tfrac12",
        latex_term=r"(\hat y{k} - y{k})^2",
        latex_gradient=r"\hat y{k} - y{k}",
    ),
    "mean_squared_error": Loss(
        "mean_squared_error",
        "the mean squared error",
        _mean_squared_error,
        _mean_squared_error_gradient,
        _symbolic_squares(sp.Integer(1), mean=True),
        Code("({p} - {t}) * ({p} - {t}) / {n}", "2.0 * ({p} - {t}) / {n}"),
        mean=True,
        latex_prefix="",
        latex_term=r"(\hat y{k} - y{k})^2",
        latex_gradient=r"2(\hat y{k} - y{k})",
    ),
    "binary_cross_entropy": Loss(
        "binary_cross_entropy",
        "binary cross-entropy",
        _binary_cross_entropy,
        _binary_cross_entropy_gradient,
        lambda p, t: sum(-(ti * sp.log(pi) + (1 - ti) * sp.log(1 - pi)) for pi, ti in zip(p, t)) / len(p),
        # valid for 0 < ŷ < 1; the network code never uses it, it takes the form on z below
        Code(
            "-({t} * _log({p}) + (1.0 - {t}) * _log(1.0 - ({p}))) / {n}",
            "(({p}) - {t}) / (({p}) * (1.0 - ({p}))) / {n}",
        ),
        mean=True,
        latex_prefix="-",
        latex_term=r"\bigl[y{k}\log\hat y{k} + (1 - y{k})\log(1 - \hat y{k})\bigr]",
        latex_gradient=r"\frac{{\hat y{k} - y{k}}}{{\hat y{k}(1 - \hat y{k})}}",
        targets_are_probabilities=True,
        from_z=_CROSS_ENTROPY_FROM_Z,
    ),
}


def get_loss(name: str) -> Loss:
    """Look up a loss by name.

    >>> float(get_loss("half_squared_error").value([np.array(0.75)], [np.array(0.25)]))
    0.125
    >>> get_loss("hinge")
    Traceback (most recent call last):
    ...
    ValueError: loss must be one of 'half_squared_error', 'mean_squared_error', 'binary_cross_entropy'; got 'hinge'
    """
    return lookup(LOSSES, "loss", name)
