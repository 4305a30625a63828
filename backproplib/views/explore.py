"""Pure functions behind the sliders: loss curves, tangents and training curves.

Widgets call these and only draw what they return, so tests can sweep every slider
position without a browser or a kernel.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

import numpy as np

from ..engine.network import Network
from ..engine.numeric import backward, loss_and_gradients
from ..engine.training import train

if TYPE_CHECKING:  # only for the annotation: checking sits beside views, not below
    from ..checking.examples import Example

__all__ = ["LossCurve", "loss_along", "TrainingCurve", "training_curve", "Settings"]


@dataclass(frozen=True)
class Settings:
    """Everything a slider panel can change: parameters, inputs, target, learning rate.

    >>> Settings({"w1": 0.5, "w2": 0.5}, {"x": 1.0}, 0.0, 0.1).learning_rate
    0.1
    """

    params: Mapping[str, float]
    x: Mapping[str, float]
    y: float
    learning_rate: float

    @classmethod
    def of(cls, example: "Example") -> "Settings":
        """The settings of a worked example.

        >>> from backproplib.checking.examples import load_example
        >>> Settings.of(load_example("tiny_relu")).params
        {'w1': 0.5, 'w2': 0.5}
        """
        return cls(example.params, example.x, example.y, example.learning_rate)

    def value(self, name: str) -> float:
        """The current value of a parameter, an input, ``y`` or ``learning_rate``.

        >>> Settings({"w": 0.5}, {"x": 1.0}, 0.0, 0.1).value("x")
        1.0
        """
        if name in self.params:
            return float(self.params[name])
        if name in self.x:
            return float(self.x[name])
        if name in ("y", "learning_rate"):
            return float(getattr(self, name))
        allowed = ", ".join(repr(k) for k in [*self.params, *self.x, "y", "learning_rate"])
        raise ValueError(f"unknown setting {name!r}; settings are {allowed}")

    def replace(self, **changes: float) -> "Settings":
        """Return new settings with named parameters, inputs, ``y`` or ``learning_rate`` changed.

        >>> s = Settings({"w": 0.5}, {"x": 1.0}, 0.0, 0.1)
        >>> s.replace(w=0.2, x=2.0, learning_rate=0.3)
        Settings(params={'w': 0.2}, x={'x': 2.0}, y=0.0, learning_rate=0.3)
        >>> s.replace(v=1.0)
        Traceback (most recent call last):
        ...
        ValueError: unknown setting 'v'; settings are 'w', 'x', 'y', 'learning_rate'
        """
        params, x = dict(self.params), dict(self.x)
        y, learning_rate = self.y, self.learning_rate
        for name, value in changes.items():
            if name in params:
                params[name] = float(value)
            elif name in x:
                x[name] = float(value)
            elif name == "y":
                y = float(value)
            elif name == "learning_rate":
                learning_rate = float(value)
            else:
                allowed = ", ".join(repr(k) for k in [*params, *x, "y", "learning_rate"])
                raise ValueError(f"unknown setting {name!r}; settings are {allowed}")
        return Settings(params, x, y, learning_rate)


@dataclass(frozen=True)
class LossCurve:
    """The loss as one parameter sweeps ``values`` while the others stay fixed.

    ``current`` is the parameter's present value, ``loss_at_current`` and ``slope`` the loss
    and the backprop gradient there: the tangent line is ``loss_at_current + slope·(v − current)``.
    """

    parameter: str
    values: np.ndarray
    losses: np.ndarray
    current: float
    loss_at_current: float
    slope: float

    def tangent(self, half_width: float) -> tuple[np.ndarray, np.ndarray]:
        """Two points of the tangent line, ``half_width`` either side of the current value."""
        v = np.array([self.current - half_width, self.current + half_width])
        return v, self.loss_at_current + self.slope * (v - self.current)


def loss_along(network: Network, settings: Settings, parameter: str, values: np.ndarray) -> LossCurve:
    """Sweep ``parameter`` over ``values`` in one batched pass.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> s = Settings.of(ex)
    >>> curve = loss_along(ex.network, s, "w1", np.linspace(-1, 1, 5))
    >>> curve.losses.shape, round(curve.slope, 4)
    ((5,), 0.2811)
    """
    network.check_parameter_name(parameter)
    values = np.asarray(values, dtype=float)
    losses, _ = loss_and_gradients(network, dict(settings.params, **{parameter: values}), settings.x, settings.y)
    here = backward(network, settings.params, settings.x, settings.y)
    return LossCurve(
        parameter,
        values,
        np.asarray(losses),
        float(settings.params[parameter]),
        float(here.loss),
        float(here.gradients[parameter]),
    )


@dataclass(frozen=True)
class TrainingCurve:
    """Loss over epochs of gradient descent from the given settings."""

    losses: np.ndarray
    final_params: dict[str, float]


def training_curve(network: Network, settings: Settings, epochs: int) -> TrainingCurve:
    """Train on the single example for ``epochs`` steps; ``losses`` has ``epochs + 1`` entries.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> run = training_curve(ex.network, Settings.of(ex), 50)
    >>> len(run.losses), bool(run.losses[-1] < run.losses[0])
    (51, True)
    """
    run = train(network, settings.params, settings.x, settings.y, settings.learning_rate, epochs)
    return TrainingCurve(run.losses, run.params)
