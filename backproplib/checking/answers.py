"""Checking a reader's answer to an exercise: gradients they computed against the library's.

An exercise in which the reader writes code ends with one call, ``check_gradients(network,
params, x, y, answer)``. A wrong answer raises ``AssertionError`` (what a notebook reader sees as
a failed check) naming each wrong entry with the expected value, so the message itself is the
hint; a right one returns a short sentence. The tolerance is relative (1e-6) with a small
absolute floor, so an answer computed in floating point by any correct order of operations
passes, and one rounded by hand to a few digits does not.
"""
from __future__ import annotations

import math
from typing import Mapping

from ..engine.network import Network
from ..engine.numeric import backward

__all__ = ["check_gradients", "RELATIVE_TOLERANCE", "ABSOLUTE_TOLERANCE"]

RELATIVE_TOLERANCE = 1e-6
ABSOLUTE_TOLERANCE = 1e-12


def check_gradients(network: Network, params: Mapping[str, float], x: object, y: object,
                    answer: Mapping[str, float]) -> str:
    """Compare ``answer`` (parameter name → ∂L/∂parameter) with the backward pass at these settings.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> grads = {"w1": 0.2810882504, "w2": 0.2810882504}
    >>> check_gradients(ex.network, ex.params, ex.x, ex.y, grads)
    'all 2 gradients agree with the backward pass'
    >>> check_gradients(ex.network, ex.params, ex.x, ex.y, {"w1": 0.069, "w2": 0.2810882504})
    Traceback (most recent call last):
    ...
    AssertionError: 1 of 2 gradients differ from the backward pass: w1: yours 0.069, expected 0.281088
    >>> check_gradients(ex.network, ex.params, ex.x, ex.y, {"w1": 0.2810882504})
    Traceback (most recent call last):
    ...
    AssertionError: the answer has no entry for 'w2'; it needs one per parameter: 'w1', 'w2'
    """
    if not isinstance(answer, Mapping):
        raise TypeError(f"answer must map each parameter name to a number; got {type(answer).__name__}")
    expected = backward(network, params, x, y).gradients
    names = list(network.parameters)
    listing = ", ".join(repr(n) for n in names)
    missing = [n for n in names if n not in answer]
    unknown = [n for n in answer if n not in expected]
    if missing:
        raise AssertionError(f"the answer has no entry for {', '.join(map(repr, missing))}; "
                             f"it needs one per parameter: {listing}")
    if unknown:
        raise AssertionError(f"the answer names {', '.join(map(repr, unknown))}, which are not parameters "
                             f"of the network: {listing}")
    wrong = []
    for name in names:
        yours, right = float(answer[name]), float(expected[name])
        if not math.isclose(yours, right, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE):
            wrong.append(f"{name}: yours {yours:.6g}, expected {right:.6g}")
    if wrong:
        raise AssertionError(f"{len(wrong)} of {len(names)} gradients differ from the backward pass: "
                             + "; ".join(wrong))
    return f"all {len(names)} gradients agree with the backward pass"
