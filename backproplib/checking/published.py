"""Published values: what a document printed, what we compute, and a verdict.

The verdict rule (tested in ``tests/test_published.py``)
-------------------------------------------------------
Let ``p`` be the printed value with ``d`` decimals, ``c`` the exactly computed value and
``s`` the document's own arithmetic on its own printed inputs (the numbers it shows).
One unit in the last place is ``u = 10**-d``.

* **agrees**: ``|p - c| <= u/2``: ``c`` rounded to the document's precision is ``p``.
* **rounding slip**: not agrees, but the document's arithmetic, rounded to ``d`` decimals,
  gives ``p`` (``|p - s| <= u/2``) and ``p`` is within 2 % of ``c``. The step is right; the
  gap comes from rounded numbers carried into it.
* **wrong**: everything else: the document's own arithmetic does not give ``p`` (an
  arithmetic slip, even one unit in the last digit), or ``p`` is more than 2 % off (a wrong
  formula, or an error carried from an earlier wrong value).

The same half unit decides both comparisons, so "its own arithmetic gives the printed
number" means one thing everywhere. :data:`VERDICT_RULE` states the rule in words for the
book's pages, which quote it rather than restate it.

A value printed without its arithmetic (``shown`` empty, so ``s`` is NaN) can only agree
or be wrong: there is no arithmetic of the document's to reproduce it.
"""
from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Collection, Mapping

from ..engine.losses import get_loss
from ..engine.numeric import backward, forward
from ..engine.training import gradient_step, train

__all__ = ["Published", "Comparison", "VERDICT_RULE", "verdict", "decimals", "evaluate", "quantities", "compare"]

AGREES, SLIP, WRONG = "agrees", "rounding slip", "wrong"
SLIP_RELATIVE_TOLERANCE = 0.02

# The rule in words (Markdown), quoted by the errata page and every chapter that checks a document.
VERDICT_RULE = (
    "Each printed value gets one verdict. **Agrees**: the exact value, rounded to the decimals the document "
    "prints, is the printed number. **Rounding slip**: it is not, but the document's own arithmetic on its "
    "own printed inputs, rounded the same way, is the printed number, and that number is within 2 % of the "
    "exact value: the step is right, and the gap comes from rounded numbers carried into it. **Wrong**: "
    "anything else: the document's own arithmetic does not give the printed number (a slip, even one unit "
    "in the last digit), or the number is more than 2 % off (a wrong formula, or an earlier wrong value "
    "carried forward)."
)


@dataclass(frozen=True)
class Published:
    """One value a document prints.

    Parameters
    ----------
    quantity
        What the value claims to be, as an expression over :func:`quantities` names,
        e.g. ``"grad_w5"``, ``"delta_out * w5"``, ``"1 - a_2"``.
    printed
        The number exactly as printed (a string, so its rounding is kept).
    shown
        The document's arithmetic that produced it, in the document's own numbers,
        e.g. ``"0.7414 * 0.1868"`` (``exp`` and ``log`` allowed); ``""`` when it prints
        the value without arithmetic.
    where
        Where in the document it appears.
    label
        How the document writes the quantity, for tables.
    cause
        Our explanation when the value does not agree (empty when it does).
    """

    quantity: str
    printed: str
    shown: str
    where: str
    label: str
    cause: str = ""


def decimals(printed: str) -> int:
    """Number of decimals a printed number shows.

    >>> decimals("0.00067"), decimals("-2.71011"), decimals("1")
    (5, 5, 0)
    """
    text = printed.strip().lstrip("+-")
    return len(text.split(".", 1)[1]) if "." in text else 0


def verdict(printed: str, computed: float, shown: float) -> str:
    """Apply the module's rule to one value.

    >>> verdict("0.7514", 0.7513650695, 0.7514)
    'agrees'
    >>> verdict("0.36355", 0.3635102, 0.36355)  # the document's arithmetic gives it; the exact value does not
    'rounding slip'
    >>> verdict("-0.65584", -0.6556293117, -2.71011 * 0.242)  # its own arithmetic gives -0.65585
    'wrong'
    >>> verdict("0.069", 0.2810882504, 0.138 * 0.5)
    'wrong'
    """
    p = float(printed)
    unit = 10.0 ** -decimals(printed)
    slack = 1e-9 * max(1.0, abs(p))  # float noise in the comparison itself
    if abs(p - computed) <= unit / 2 + slack:
        return AGREES
    if abs(p - shown) <= unit / 2 + slack and abs(p - computed) <= SLIP_RELATIVE_TOLERANCE * abs(computed):
        return SLIP
    return WRONG


_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_FUNCTIONS = {"exp": math.exp, "log": math.log}


def evaluate(expression: str, names: Mapping[str, float] | None = None) -> float:
    """Evaluate an arithmetic expression over numbers and ``names`` (no other Python).

    >>> evaluate("0.5 * (0.58989 - 3.3)**2")
    3.6723481...
    >>> evaluate("delta_out * w5", {"delta_out": 0.5, "w5": 0.4})
    0.2
    >>> evaluate("grad_w9", {"grad_w5": 1.0})
    Traceback (most recent call last):
    ...
    ValueError: unknown name 'grad_w9' in expression 'grad_w9'
    """
    names = names or {}

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.operand))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCTIONS
            and len(node.args) == 1
        ):
            return _FUNCTIONS[node.func.id](walk(node.args[0]))
        if isinstance(node, ast.Name):
            if node.id not in names:
                raise ValueError(f"unknown name {node.id!r} in expression {expression!r}")
            return float(names[node.id])
        raise ValueError(f"expression {expression!r} may use only numbers, names, + - * / ** and exp/log")

    return walk(ast.parse(expression, mode="eval"))


def quantities(
    network, params, x, y, learning_rate: float, frozen: Collection[str] = (), trained_epochs: int = 0
) -> dict[str, float]:
    """Every named number of one worked example, for :class:`Published` expressions.

    Names: each parameter and input by its own name; ``z_<n>``, ``a_<n>``, ``dadz_<n>``
    (activation slope), ``dLda_<n>`` (∂L/∂a), ``delta_<n>`` (∂L/∂z) for each neuron ``n``;
    ``loss_<o>`` (the loss of output ``o`` alone; with half squared error the loss is their sum);
    ``grad_<p>`` and ``new_<p>`` (after one step, ``frozen`` parameters kept) for each parameter
    ``p``; ``loss`` and ``next_loss`` (after that step); ``learning_rate``. With
    ``trained_epochs`` > 0 also ``trained_loss`` and ``trained_a_<o>``, after that many steps.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> q = quantities(ex.network, ex.params, ex.x, ex.y, ex.learning_rate)
    >>> round(q["a_o"], 4), round(q["grad_w2"], 4), round(q["new_w2"], 4)
    (0.5622, 0.2811, 0.4719)
    """
    bwd = backward(network, params, x, y)
    fwd = bwd.forward
    out: dict[str, float] = {"loss": float(fwd.loss), "learning_rate": float(learning_rate)}
    out.update({name: float(v) for name, v in fwd.params.items()})
    out.update({name: float(fwd.a[name]) for name in network.inputs})
    for n in network.neurons:
        out[f"z_{n}"] = float(fwd.z[n])
        out[f"a_{n}"] = float(fwd.a[n])
        out[f"dadz_{n}"] = float(bwd.da_dz[n])
        out[f"dLda_{n}"] = float(bwd.dL_da[n])
        out[f"delta_{n}"] = float(bwd.delta[n])
    for o, target in zip(network.outputs, fwd.targets):
        out[f"loss_{o}"] = float(get_loss(network.loss).value([fwd.a[o]], [target]))
    new = gradient_step(fwd.params, bwd.gradients, learning_rate, frozen)
    for p in network.parameters:
        out[f"grad_{p}"] = float(bwd.gradients[p])
        out[f"new_{p}"] = float(new[p])  # type: ignore[arg-type]
    out["next_loss"] = float(forward(network, new, x, y).loss)
    if trained_epochs:
        out.update(_after_training(network, fwd.params, x, y, learning_rate, frozen, trained_epochs))
    return out


def _after_training(
    network, params, x, y, learning_rate: float, frozen: Collection[str], epochs: int
) -> dict[str, float]:
    """``trained_loss`` and ``trained_a_<o>`` after ``epochs`` steps (the fast path: tests prove it equal)."""
    run = train(network, params, x, y, learning_rate, epochs, frozen=frozen, fast=True)
    if run.diverged:
        raise ValueError(f"training diverged at epoch {run.diverged_at}; no trained values to compare")
    fwd = forward(network, run.params, x, y)
    return {"trained_loss": float(fwd.loss), **{f"trained_a_{o}": float(fwd.a[o]) for o in network.outputs}}


@dataclass(frozen=True)
class Comparison:
    """One row of a document check."""

    published: Published
    computed: float
    shown: float
    verdict: str

    @property
    def difference(self) -> float:
        return float(self.published.printed) - self.computed


def compare(published: list[Published], values: Mapping[str, float]) -> list[Comparison]:
    """Check each published value against ``values`` (from :func:`quantities`).

    >>> row = compare([Published("a", "0.5", "1/2", "here", "a")], {"a": 0.5})[0]
    >>> row.verdict, row.difference
    ('agrees', 0.0)
    """
    rows = []
    for item in published:
        computed = evaluate(item.quantity, values)
        shown = evaluate(item.shown) if item.shown.strip() else math.nan  # no arithmetic printed
        rows.append(Comparison(item, computed, shown, verdict(item.printed, computed, shown)))
    return rows
