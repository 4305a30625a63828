"""Gradient descent: one step, and the one training loop that repeats forward, backward and step.

Which code runs when
--------------------
* The **teaching path**, the loop :func:`train` prints: every epoch is :func:`~.numeric.backward` on
  the training set, a divergence check, the ``record`` hook, and one step per batch (θ − η·g, or the
  ``step_rule`` hook). It runs for a dataset (full batch, mini-batches, one example at a time), a
  held-out set, either hook, or ``fast=False``; the lessons track what they need through ``record``.
* The **fast path**: the network's straight-line step (:func:`~.compiled.compile_step`) on plain
  floats. It runs for one example, full batch, without hooks: asked for with ``fast=True`` (an error
  when the run needs the teaching path), and chosen by the default ``fast=None`` whenever it can,
  because a curve of 2000 epochs must redraw while a slider moves: measured on the 2-2-1 example,
  2000 epochs take about 3 ms there and over a second on the teaching path, whose general walk spends
  its time in dictionaries and small arrays. The tests prove both give the same numbers (to 1e-12).

Divergence
----------
A run *diverges at epoch d* when, after d steps, a parameter or the training loss is non-finite or
outside ``±DIVERGENCE_LIMIT`` (a step that overflows, or a NaN gradient, makes the next parameters
non-finite, so it is caught one epoch on). Training stops there:
``diverged_at`` is d, ``losses`` holds the d losses before it (all inside the limit), ``params`` the
last parameters inside it. The same rule holds for every loss and activation, and for both paths.
"""
from __future__ import annotations

import math
import numbers
import secrets
from dataclasses import dataclass, field
from typing import Callable, Collection, Mapping

import numpy as np

from .compiled import compile_step
from .data import Dataset, Shuffle, check_seed
from .network import Network
from .numeric import BackwardPass, backward

__all__ = ["DIVERGENCE_LIMIT", "TrainingRun", "gradient_step", "train", "check_learning_rate", "check_epochs"]

Params = Mapping[str, object]
# record(epoch, params, passes): called at the start of every epoch reached, with the backward pass
# on the whole training set at those parameters (before that epoch's steps).
Record = Callable[[int, dict[str, float], BackwardPass], None]
# step_rule(params, gradients, learning_rate, frozen) -> new params: θ − η·g (what gradient_step
# computes, an overflow left as inf for the divergence check) unless a lesson shows another rule.
StepRule = Callable[..., dict[str, object]]

# Beyond this size a run has left every region a reader can learn from; stopping there keeps the
# arithmetic far from overflow, so a diverging run ends cleanly instead of with warnings.
DIVERGENCE_LIMIT = 1e6


def check_learning_rate(learning_rate: object) -> float:
    """``learning_rate`` as a float, or a ValueError naming what is allowed.

    >>> check_learning_rate(np.int64(1)), check_learning_rate(0.5)
    (1.0, 0.5)
    >>> check_learning_rate(True)
    Traceback (most recent call last):
    ...
    ValueError: learning_rate must be a finite number > 0 (an int or float, not a bool); got True
    """
    real = isinstance(learning_rate, numbers.Real) and not isinstance(learning_rate, (bool, np.bool_))
    if not real or not math.isfinite(learning_rate) or learning_rate <= 0:  # type: ignore[arg-type]
        raise ValueError(
            f"learning_rate must be a finite number > 0 (an int or float, not a bool); got {learning_rate!r}"
        )
    return float(learning_rate)  # type: ignore[arg-type]


def check_epochs(epochs: object, minimum: int = 0) -> int:
    """``epochs`` as an int, or a ValueError naming what is allowed.

    >>> check_epochs(np.int64(3))
    3
    >>> check_epochs(True)
    Traceback (most recent call last):
    ...
    ValueError: epochs must be a whole number >= 0 (not a bool); got True
    """
    if isinstance(epochs, (bool, np.bool_)) or not isinstance(epochs, numbers.Integral) or epochs < minimum:
        raise ValueError(f"epochs must be a whole number >= {minimum} (not a bool); got {epochs!r}")
    return int(epochs)


def check_frozen(parameters: Collection[str], frozen: Collection[str]) -> frozenset[str]:
    """The names in ``frozen``, each of which must be one of ``parameters``."""
    if isinstance(frozen, str):
        raise TypeError(
            f"frozen must be a collection of parameter names, e.g. ({frozen!r},); got the string {frozen!r}"
        )
    unknown = [name for name in frozen if name not in parameters]
    if unknown:
        allowed = ", ".join(repr(p) for p in parameters)
        raise ValueError(f"frozen names unknown parameters {unknown}; the parameters are {allowed}")
    return frozenset(frozen)


def gradient_step(
    params: Params, gradients: Mapping[str, object], learning_rate: float, frozen: Collection[str] = ()
) -> dict[str, object]:
    """One step of gradient descent: θ_new = θ − η ∂L/∂θ for every parameter not in ``frozen``.

    Frozen parameters keep their values (Mazur's example never updates its biases). A gradient that
    is NaN or infinite is refused, and so is a step that overflows, naming the parameter.

    >>> gradient_step({"w": 0.5, "b": 1.0}, {"w": 0.2, "b": 0.3}, 0.1, frozen=["b"])
    {'w': 0.48, 'b': 1.0}
    >>> gradient_step({"w": 0.5}, {"w": float("nan")}, 0.1)
    Traceback (most recent call last):
    ...
    ValueError: the gradient for 'w' must be finite to take a step; got nan
    """
    rate = check_learning_rate(learning_rate)
    fixed = check_frozen(list(params), frozen)
    missing = [k for k in params if k not in gradients and k not in fixed]
    if missing:
        raise ValueError(f"gradients is missing {missing}; it needs one entry per parameter")
    for name in params:
        if name not in fixed and not np.all(np.isfinite(np.asarray(gradients[name], dtype=float))):
            raise ValueError(f"the gradient for {name!r} must be finite to take a step; got {gradients[name]!r}")
    updated = _step(params, gradients, rate, fixed)
    for name, value in updated.items():
        if not np.all(np.isfinite(value)):  # type: ignore[call-overload]
            raise ValueError(
                f"the step for {name!r} overflows: {params[name]!r} − {rate:g}·{gradients[name]!r} is beyond the floats"
            )
    return updated


def _step(params: Params, gradients: Mapping[str, object], rate: float, frozen: frozenset[str]) -> dict[str, object]:
    """θ − η·g without checks; an overflow gives inf (the caller decides what that means)."""
    updated: dict[str, object] = {}
    with np.errstate(over="ignore", invalid="ignore"):
        for name, value in params.items():
            old = np.asarray(value, dtype=float)
            new = old if name in frozen else old - rate * np.asarray(gradients[name], dtype=float)
            updated[name] = float(new) if new.ndim == 0 else new
    return updated


@dataclass
class TrainingRun:
    """What a training run did.

    ``losses[k]`` is the training loss before epoch k (``losses[0]`` the starting loss): ``epochs + 1``
    entries, or ``diverged_at`` entries when the run diverged at that epoch. ``held_out_losses`` is
    the same on the held-out set (empty without one); ``params`` the final parameters (after a
    divergence, the last ones inside ``±DIVERGENCE_LIMIT``).
    """

    losses: np.ndarray
    params: dict[str, float]
    diverged_at: int | None = None
    held_out_losses: np.ndarray = field(default_factory=lambda: np.array([]))

    @property
    def diverged(self) -> bool:
        """True when the run left ``±DIVERGENCE_LIMIT`` (or the floats) and stopped early."""
        return self.diverged_at is not None


def _inside(*values: float) -> bool:
    """True when every value is within ±DIVERGENCE_LIMIT and none is NaN."""
    sizes = list(map(abs, values))
    return max(sizes) <= DIVERGENCE_LIMIT and not math.isnan(sum(sizes))  # max may step over a NaN; sum never


def _mean_pass(
    network: Network, params: dict[str, float], data: Dataset
) -> tuple[float, dict[str, float], BackwardPass]:
    """Backward on every example at once; the loss and gradients averaged over them.

    Overflow inside the pass shows up as inf or NaN, which the divergence check then reports.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        passes = backward(network, params, data.x, data.y)
        loss = float(np.mean(passes.loss) if np.ndim(passes.loss) else passes.loss)  # the mean over the examples
        gradients = {name: float(np.mean(g) if np.ndim(g) else g) for name, g in passes.gradients.items()}
    return loss, gradients, passes


def train(network: Network, params: Params, x: object, y: object, learning_rate: float, epochs: int, *,
          frozen: Collection[str] = (), batch_size: int | None = None, seed: int | None = 0,
          held_out: Dataset | None = None, record: Record | None = None, step_rule: StepRule | None = None,
          fast: bool | None = None) -> TrainingRun:
    """Repeat forward, backward and step ``epochs`` times; stop if the run diverges.

    ``x`` and ``y`` are one example, or N examples on the last axis (``Dataset.x``, ``Dataset.y``):
    the loss is then their mean, L = (1/N) Σₙ ℓₙ. Each epoch steps once on the whole set
    (``batch_size=None``) or once per mini-batch of ``batch_size`` examples (``1``: one example at a
    time), taken in the order of a new ``Shuffle(seed).permutation(N)`` each epoch, all epochs
    drawing on one stream (:class:`~.data.Shuffle`; ``seed`` is a whole number in [0, 2³²), or
    ``None`` for a new shuffle every call). ``frozen`` parameters keep their values. ``held_out``
    (a Dataset) is scored before every epoch, never trained on. ``record``, ``step_rule`` and
    ``fast`` (``None``: the fast path when the run allows it) are described in the module docstring.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> run = train(ex.network, ex.params, ex.x, ex.y, ex.learning_rate, 100)
    >>> len(run.losses), bool(run.losses[-1] < run.losses[0]), run.diverged
    (101, True, False)
    """
    rate, epochs = check_learning_rate(learning_rate), check_epochs(epochs)
    fixed = check_frozen(network.parameters, frozen)
    theta, data = _checked_start(network, params, x, y, held_out)
    seed = secrets.randbits(32) if seed is None else check_seed(seed)
    plain_run = record is None and step_rule is None and batch_size is None and held_out is None and len(data) == 1
    if fast or (fast is None and plain_run):
        if not plain_run:
            raise ValueError(
                "fast=True runs one example, full batch, without record, step_rule or held_out; use fast=False"
            )
        return _train_fast(network, theta, data, rate, epochs, fixed)
    batch_size = _check_batch_size(batch_size, len(data))
    shuffle = Shuffle(seed)  # the browser's trainSet deals the same batches from the same seed
    step_rule = step_rule or _step
    losses, held, last_good = [], [], theta  # the training and held-out losses so far
    for epoch in range(epochs + 1):
        if not _inside(*theta.values()):
            return _finish(losses, held, last_good, epoch)
        loss, gradients, passes = _mean_pass(network, theta, data)
        if not _inside(loss):
            return _finish(losses, held, last_good, epoch)
        losses.append(loss)
        if held_out is not None:
            held.append(_mean_pass(network, theta, held_out)[0])
        if record is not None:
            record(epoch, dict(theta), passes)
        last_good = theta
        if epoch < epochs:
            theta = _one_epoch(network, theta, data, gradients, rate, fixed, batch_size, shuffle, step_rule)
    return _finish(losses, held, theta, None)


def _one_epoch(
    network: Network,
    theta: dict[str, float],
    data: Dataset,
    gradients: dict[str, float],
    rate: float,
    fixed: frozenset[str],
    batch_size: int | None,
    shuffle: Shuffle,
    step_rule: StepRule,
) -> dict[str, float]:
    """The steps of one epoch: one on the whole set, or one per shuffled mini-batch."""
    if batch_size is None:
        return {k: float(v) for k, v in step_rule(theta, gradients, rate, fixed).items()}  # type: ignore[arg-type]
    for batch in data.batches(batch_size, shuffle):
        _, batch_gradients, _ = _mean_pass(network, theta, batch)
        theta = {k: float(v) for k, v in step_rule(theta, batch_gradients, rate, fixed).items()}  # type: ignore[arg-type]
        if not _inside(*theta.values()):
            break  # the next epoch's check reports the divergence
    return theta


def _finish(losses: list[float], held: list[float], params: dict[str, float], diverged_at: int | None) -> TrainingRun:
    return TrainingRun(np.array(losses, dtype=float), dict(params), diverged_at, np.array(held, dtype=float))


def _checked_start(
    network: Network, params: Params, x: object, y: object, held_out: object
) -> tuple[dict[str, float], Dataset]:
    """The starting parameters as floats and the training set, after checking both (and ``held_out``)."""
    start = network.check_parameters(params)
    if any(np.ndim(v) for v in start.values()):
        raise ValueError("params for train must be single numbers, not arrays (sweep with loss_and_gradients)")
    if held_out is not None and not isinstance(held_out, Dataset):
        raise TypeError(
            f"held_out must be a Dataset (Dataset.of(network, x, y)) or None; got {type(held_out).__name__}"
        )
    return {name: float(v) for name, v in start.items()}, _training_set(network, x, y)


def _training_set(network: Network, x: object, y: object) -> Dataset:
    """One example (0-d arrays, so a ``record`` hook sees plain numbers) or N examples along one axis."""
    inputs, targets = network.check_inputs(x), network.check_targets(y)
    shape = np.broadcast_shapes(*(np.shape(v) for v in (*inputs.values(), *targets)))
    if len(shape) > 1 or shape == (0,):
        raise ValueError(f"x and y for train must be one example or N >= 1 examples along one axis; got shape {shape}")
    return Dataset(
        {k: np.broadcast_to(v, shape) for k, v in inputs.items()},
        {o: np.broadcast_to(t, shape) for o, t in zip(network.outputs, targets)},
    )


def _check_batch_size(batch_size: object, size: int) -> int | None:
    if batch_size is None:
        return None
    if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be None (the whole set) or a whole number >= 1; got {batch_size!r}")
    return None if batch_size >= size else int(batch_size)


def _train_fast(
    network: Network, theta: dict[str, float], data: Dataset, rate: float, epochs: int, fixed: frozenset[str]
) -> TrainingRun:
    """The same loop on the compiled float step: one example, full batch."""
    step = compile_step(network)
    names = network.parameters
    keep = [name in fixed for name in names]
    values = tuple(theta[name] for name in names)
    inputs = tuple(v.item() for v in data.x.values())  # .item(): the one example, whatever its array shape
    targets = tuple(t.item() for t in data.y.values())
    losses: list[float] = []
    last_good = values
    for epoch in range(epochs + 1):
        try:  # the compiled step uses math, which raises where numpy would give inf
            loss, stepped = step(values, inputs, targets, rate) if _inside(*values) else (math.nan, values)
        except ArithmeticError:
            loss, stepped = math.inf, values
        if not _inside(*values, loss):
            return _finish(losses, [], dict(zip(names, last_good)), epoch)
        losses.append(loss)
        last_good = values
        if epoch < epochs:
            values = (
                tuple(old if frozen else new for old, new, frozen in zip(values, stepped, keep)) if fixed else stepped
            )
    return _finish(losses, [], dict(zip(names, values)), None)
