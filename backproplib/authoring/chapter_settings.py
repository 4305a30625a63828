"""What a generated chapter accepts, checked where it runs, and the sentence its training run earns.

A generated chapter can be re-run with other settings (edit its settings cell, or pass papermill
parameters), so the chapter checks them itself with :func:`check_chapter_settings` before it
builds anything: a bad value stops it with a message naming the setting and what is allowed,
instead of a traceback deep in a table or a widget. :mod:`backproplib.authoring.description`
uses the same limits when it reads a description, and reports them with line and field.

The limits keep a chapter quick to execute and readable. A chapter prints sympy's derivatives
written out in the parameters, so the network must also pass
:func:`backproplib.engine.symbolic.check_symbolic_size` (at most ``WRITTEN_OUT_LIMIT`` symbols
written out: with ReLU the formula repeats each weighted sum, so ReLU networks reach it first).
The largest network accepted, 4-3-3-1 with sigmoid or tanh hidden layers (31 parameters), takes
about 0.3 s in the symbolic twin and its chapter about 5 s to build and execute. Values are
bounded so that every quantity the chapter prints stays a finite float.

>>> check_chapter_settings({"w": 0.5}, {"x": 1.0}, 0.5, 0.1, 100, 4, "w")
>>> check_chapter_settings({"w": 0.5}, {"x": 1.0}, 0.5, 0.1, 100, 4, "v")
Traceback (most recent call last):
...
ValueError: explore must name one of the parameters ('w'); got 'v'
"""
from __future__ import annotations

import math
from numbers import Real
from typing import Mapping

from ..engine.training import DIVERGENCE_LIMIT
from ..views.notebook import number

__all__ = [
    "MAX_INPUTS", "MAX_LAYERS", "MAX_NEURONS", "MAX_PARAMETERS", "MAX_VALUE", "MAX_LEARNING_RATE", "MAX_EPOCHS",
    "MAX_DIGITS", "check_chapter_settings", "check_value", "training_summary",
]

MAX_INPUTS = 4          # inputs of the network
MAX_LAYERS = 3          # layers with neurons, the output layer included (so at most two hidden layers)
MAX_NEURONS = 4         # neurons in one layer
MAX_PARAMETERS = 32     # weights and biases in all
MAX_VALUE = 1000.0      # largest size of an input, weight, bias or target
MAX_LEARNING_RATE = 10.0
MAX_EPOCHS = 5000       # each of the explorer's 21 frames trains this many epochs
MAX_DIGITS = 10


def _finite(name: str, value: object, limit: float = MAX_VALUE) -> None:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or abs(value) > limit:
        raise ValueError(f"{name} must be a number from {-limit:g} to {limit:g}; got {value!r}")


def check_value(name: str, value: object, limit: float = MAX_VALUE) -> None:
    """Refuse a chapter's own extra setting unless it is a real number within ±``limit``.

    For settings a hand-written chapter adds to its parameters cell (a second weight to look at,
    a point to mark), so they fail with the same message as the shared ones.

    >>> check_value("dead_w1", -0.5)
    >>> check_value("dead_w1", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: dead_w1 must be a number from -1000 to 1000; got nan
    """
    _finite(name, value, limit)


def _whole(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}; got {value!r}")


def check_chapter_settings(
    params: Mapping, x: Mapping, y: object, learning_rate: object, epochs: object, digits: object, explore: object,
    activations: object = None, layers: int | None = None,
) -> None:
    """Refuse settings a generated chapter cannot show, naming the setting and what is allowed.

    The network's own checks (names, wiring, activations, loss) run when the chapter builds it;
    this adds the limits of the chapter: values within ±MAX_VALUE, a learning rate in
    (0, MAX_LEARNING_RATE], whole numbers of epochs and digits in range, and ``explore`` naming
    a parameter; with ``layers``, ``activations`` must be a list of that many names (the
    names themselves are checked by the network).

    >>> check_chapter_settings({"w": 0.5}, {"x": 1.0}, 1e300, 0.1, 100, 4, "w")
    Traceback (most recent call last):
    ...
    ValueError: y must be a number from -1000 to 1000; got 1e+300
    """
    for setting, values in (("params", params), ("x", x)):
        if not isinstance(values, Mapping):
            raise ValueError(f"{setting} must map names to numbers, e.g. {{'w1': 0.5}}; got {type(values).__name__}")
        for name, value in values.items():
            _finite(f"{setting}[{name!r}]", value)
    _finite("y", y)
    rate = learning_rate
    if (
        isinstance(rate, bool)
        or not isinstance(rate, Real)
        or not math.isfinite(rate)
        or not 0 < rate <= MAX_LEARNING_RATE
    ):
        raise ValueError(f"learning_rate must be a number > 0 and at most {MAX_LEARNING_RATE:g}; got {learning_rate!r}")
    _whole("epochs", epochs, 1, MAX_EPOCHS)
    _whole("digits", digits, 1, MAX_DIGITS)
    if layers is not None and (not isinstance(activations, (list, tuple)) or len(activations) != layers):
        raise ValueError(f"activations must be a list of {layers} activation names, one per layer; got {activations!r}")
    if not isinstance(explore, str) or explore not in params:
        names = ", ".join(repr(name) for name in params)
        raise ValueError(f"explore must name one of the parameters ({names}); got {explore!r}")


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def training_summary(
    run, epochs: int, learning_rate: float, prediction: float, target: float, digits: int
) -> tuple[str, str]:
    """The paragraph under the training curve, and the clause the chapter's summary quotes.

    Both come from the run itself (:class:`~backproplib.engine.training.TrainingRun`): a run that
    ended normally took ``epochs`` steps; one that diverged stopped at step ``run.diverged_at``, and
    its ``losses`` hold only the losses before that step (none when it diverged at once).

    >>> from types import SimpleNamespace
    >>> run = SimpleNamespace(losses=[0.5, 2.0, 90.0], diverged=True, diverged_at=3)
    >>> training_summary(run, 10, 0.9, 1.0, 0.5, 2)[1]
    'training diverged at step 3 of the 10 planned epochs; the last loss inside the limit was 90.00'
    >>> training_summary(SimpleNamespace(losses=[0.5, 0.25], diverged=False), 1, 0.1, 0.6, 0.5, 2)[1]
    '1 epoch of training takes it to 0.25'
    """
    limit = f"the divergence limit of {DIVERGENCE_LIMIT:,.0f}"
    remedy = (
        f"Steps of size η = {learning_rate:g} overshoot further each time; a smaller learning rate (or "
        "smaller starting weights) brings the run back under control."
    )
    if run.diverged and run.diverged_at == 0:
        sentence = (
            "Training stopped before its first step: already at the starting settings the loss or the "
            f"step it calls for is past {limit}. {remedy}"
        )
        return sentence, "training diverged at once and stopped before its first step"
    start, final = number(run.losses[0], digits), number(run.losses[-1], digits)
    if not run.diverged:
        sentence = (
            f"After {_count(epochs, 'epoch')} the loss is {final} (it started at {start}) and the prediction "
            f"is {number(prediction, digits)} for the target {target:g}."
        )
        verb = "takes" if epochs == 1 else "take"
        return sentence, f"{_count(epochs, 'epoch')} of training {verb} it to {final}"
    steps = run.diverged_at
    sentence = (
        f"Training diverged: step {steps} of the {epochs} planned took the loss or a parameter past {limit}, "
        f"so the run stopped there; the last loss inside the limit was {final} (it started at {start}). "
        f"{remedy}"
    )
    return sentence, (
        f"training diverged at step {steps} of the {_count(epochs, 'planned epoch')}; "
        f"the last loss inside the limit was {final}"
    )
