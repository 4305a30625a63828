"""Checking a reader's code in an exercise: the gradients they computed against backproplib's.

An exercise asks the reader to write part of the backward pass themselves (in numpy, by hand, with
their own engine) and to hand the result to :func:`check_gradients` (:func:`check_mean_gradients`
for the loss averaged over a dataset or a mini-batch). The check runs the library's
:func:`~backproplib.engine.numeric.backward` at the same settings and either says that every
gradient agrees or fails with a message a learner can act on: which entries are wrong, what they
gave, what was expected, and a hint when the mistake has a recognisable shape (a sign flipped, a
missing factor of two, two entries swapped).

Trade-off: the tolerance is relative 1e-6 (plus 1e-9 absolute): an answer computed in floating
point from the settings passes whatever order the reader adds in (the examples of a mean too),
while numbers copied off the page (rounded to four or five digits) do not, and neither does a
dropped activation slope or a flipped sign.
"""
from __future__ import annotations

import math
from typing import Mapping

from ..engine.data import Dataset, mean_loss_and_gradients
from ..engine.network import Network
from ..engine.numeric import backward

__all__ = ["check_gradients", "check_mean_gradients", "RELATIVE", "ABSOLUTE"]

RELATIVE, ABSOLUTE = 1e-6, 1e-9


def _hint(given: float, expected: float) -> str:
    if expected != 0 and math.isclose(given, -expected, rel_tol=RELATIVE, abs_tol=ABSOLUTE):
        return " (the sign is flipped: is the error ŷ − y, and is the step θ − η·gradient?)"
    for factor, words in ((2.0, "twice"), (0.5, "half")):
        if expected != 0 and math.isclose(given, factor * expected, rel_tol=RELATIVE, abs_tol=ABSOLUTE):
            return f" ({words} the expected value: check the loss's factor ½)"
    return ""


def check_gradients(network: Network, params: Mapping[str, float], x: object, y: object,
                    answer: Mapping[str, float]) -> str:
    """Compare ``answer`` (parameter name -> your ∂L/∂θ) with backproplib's gradients.

    Returns a one-line confirmation; raises ``AssertionError`` naming each wrong entry, or
    ``TypeError``/``ValueError`` when ``answer`` is not a mapping of every parameter to a number.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> check_gradients(ex.network, ex.params, ex.x, ex.y, {"w1": 0.2811, "w2": 0.2811})
    Traceback (most recent call last):
    ...
    AssertionError: 2 of 2 gradients differ from backproplib's:
      w1: you gave 0.2811, expected 0.281088
      w2: you gave 0.2811, expected 0.281088
    >>> from backproplib import backward
    >>> exact = backward(ex.network, ex.params, ex.x, ex.y).gradients
    >>> check_gradients(ex.network, ex.params, ex.x, ex.y, {"w1": float(exact["w1"]), "w2": -float(exact["w2"])})
    Traceback (most recent call last):
    ...
    AssertionError: 1 of 2 gradients differ from backproplib's:
      w2: you gave -0.281088, expected 0.281088 (the sign is flipped: ...)
    >>> check_gradients(ex.network, ex.params, ex.x, ex.y, {k: float(v) for k, v in exact.items()})
    'All 2 gradients agree with backproplib (w1, w2).'
    >>> check_gradients(ex.network, ex.params, ex.x, ex.y, {"w1": 0.1})
    Traceback (most recent call last):
    ...
    ValueError: answer is missing 'w2'; it needs one number for each parameter: 'w1', 'w2'
    """
    expected = {n: float(g) for n, g in backward(network, params, x, y, keep_intermediates=False).gradients.items()}
    return _compared(network, answer, expected)


def check_mean_gradients(network: Network, params: Mapping[str, float], data: Dataset,
                         answer: Mapping[str, float]) -> str:
    """Compare ``answer`` (parameter name -> your gradient of the loss averaged over ``data``) with backproplib's.

    The same check as :func:`check_gradients`, for the mean loss L = (1/N) Σₙ ℓₙ of a dataset (or a
    mini-batch: pass ``data.subset(indices)``), whose gradient is the mean of the N examples' gradients.

    >>> from backproplib.engine.network import Layer, Network
    >>> net = Network(("x1", "x2"), (Layer(("o",), "identity", (("w1", "w2"),)),), "half_squared_error")
    >>> data = Dataset.of(net, [[1, 2], [3, 4]], [3, 7])
    >>> check_mean_gradients(net, {"w1": 0.0, "w2": 0.0}, data, {"w1": -12.0, "w2": -17.0})
    'All 2 gradients agree with backproplib (w1, w2).'
    >>> check_mean_gradients(net, {"w1": 0.0, "w2": 0.0}, data, {"w1": -24.0, "w2": -17.0})
    Traceback (most recent call last):
    ...
    AssertionError: 1 of 2 gradients differ from backproplib's:
      w1: you gave -24, expected -12 (twice the expected value: ...)
    """
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a Dataset (Dataset.of(network, x, y)); got {type(data).__name__}")
    _, gradients = mean_loss_and_gradients(network, params, data)
    return _compared(network, answer, {n: float(g) for n, g in gradients.items()})


def _compared(network: Network, answer: Mapping[str, float], expected: Mapping[str, float]) -> str:
    """The confirmation, or the AssertionError naming each entry of ``answer`` that misses ``expected``."""
    if not isinstance(answer, Mapping):
        raise TypeError(f"answer must be a dict of parameter name -> gradient; got {type(answer).__name__}")
    names = network.parameters
    missing = [n for n in names if n not in answer]
    unknown = [str(n) for n in answer if n not in names]
    if missing or unknown:
        what = f"is missing {', '.join(map(repr, missing))}" if missing else f"has unknown names {unknown}"
        raise ValueError(f"answer {what}; it needs one number for each parameter: {', '.join(map(repr, names))}")
    given = {}
    for name in names:
        try:
            given[name] = float(answer[name])
        except (TypeError, ValueError):
            raise TypeError(f"answer[{name!r}] must be a number; got {answer[name]!r}") from None
    wrong = [n for n in names
             if not math.isclose(given[n], expected[n], rel_tol=RELATIVE, abs_tol=ABSOLUTE)]
    if wrong:
        lines = [f"  {n}: you gave {given[n]:.6g}, expected {expected[n]:.6g}{_hint(given[n], expected[n])}"
                 for n in wrong]
        raise AssertionError(f"{len(wrong)} of {len(names)} gradients differ from backproplib's:\n" + "\n".join(lines))
    return f"All {len(names)} gradients agree with backproplib ({', '.join(names)})."
