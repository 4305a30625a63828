"""The small expression language of the code templates that activation and loss rows carry.

Every generator of code (the straight-line Python of :mod:`backproplib.engine.compiled`, and a
JavaScript one for the browser) writes the same formulas, so each row carries them once as
templates, e.g. ``"{a} * (1.0 - {a})"`` for the sigmoid's slope.

Trade-off: a template is a string in a deliberately tiny language instead of a Python function.
It cannot express everything (no powers, no conditions), but the same text is valid Python *and*
JavaScript, so a generator for either only has to define the helpers below. A template may use:

* numbers (``1.0``), ``+ - * /`` (binary, and unary minus), parentheses;
* calls to the helpers named in :data:`HELPERS`, with positional arguments;
* the slots of :data:`SLOTS`, written ``{z}``, ``{a}``, … and filled with ``str.format``; a slot may
  receive an expression, so templates put parentheses round a slot where precedence matters
  (``-({z})``).

``**`` is excluded because JavaScript's ``-x ** 2`` is a syntax error and Python's means ``-(x²)``;
conditional expressions because the two languages spell them differently.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HELPERS", "SLOTS", "Code"]

# Every helper a template may call, and what it must compute. A generator defines exactly these.
HELPERS: dict[str, str] = {
    "_sigmoid": "σ(z) = 1 / (1 + e^(−z)), finite and without overflow at every finite z",
    "_softplus": "log(1 + e^z), computed as max(z, 0) + log(1 + e^(−|z|)) so it is exact at every finite z",
    "_log": "the natural logarithm",
    "_tanh": "the hyperbolic tangent",
    "_relu": "max(z, 0)",
    "_step": "ReLU's slope: 1 where z > 0, else 0 (0 at the kink, the convention of most libraries)",
}

# The named slots of the templates.
SLOTS: dict[str, str] = {
    "z": "a neuron's weighted input",
    "a": "the neuron's activation f(z)",
    "p": "one output's prediction ŷ",
    "t": "that output's target y",
    "n": "the number of output neurons",
}


@dataclass(frozen=True)
class Code:
    """A formula and its derivative as templates (see the module docstring for the language).

    For an activation: ``value`` is a from ``{z}``; ``derivative`` is da/dz from ``{z}`` and/or ``{a}``.
    For a loss on ŷ: ``value`` is one output's share of L from ``{p}``, ``{t}``, ``{n}`` (L is the sum
    of the shares); ``derivative`` is ∂L/∂ŷ of that output. For a loss on z: the same with ``{z}`` in
    place of ``{p}``, and ``derivative`` is ∂L/∂z.

    >>> Code("_sigmoid({z})", "{a} * (1.0 - {a})").value.format(z="w * x")
    '_sigmoid(w * x)'
    """

    value: str
    derivative: str
