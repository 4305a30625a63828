"""Slider ranges for chapters built from a description: where every control may move.

Kept apart from the chapter so that tests can sweep exactly the ranges a chapter shows.
"""
from __future__ import annotations

from ..checking.examples import Example
from ..engine.losses import get_loss
from ..views.widgets import slider_range

__all__ = ["live_ranges"]

LEARNING_RATE_RANGE = (0.01, 1.0)


def live_ranges(example: Example) -> dict[str, tuple[float, float]]:
    """One slider range per parameter and input, the target and the learning rate.

    Each parameter and input moves at least over [-2, 2] and 2 either side of its value; the
    target stays in [0, 1] for cross-entropy; the learning rate covers the chapter's own value.

    >>> from backproplib.checking.examples import load_example
    >>> ranges = live_ranges(load_example("tiny_relu"))
    >>> ranges["w1"], ranges["y"], ranges["learning_rate"]
    ((-2.0, 2.5), (0.0, 1.0), (0.01, 1.0))
    """
    ranges = {name: slider_range(float(value)) for name, value in example.params.items()}
    ranges.update({name: slider_range(float(value)) for name, value in example.x.items()})
    if get_loss(example.network.loss).targets_are_probabilities:
        ranges["y"] = (0.0, 1.0)
    else:  # one range for every output's target, covering each of them
        around = [slider_range(float(t)) for t in example.network.check_targets(example.y)]
        ranges["y"] = (min(low for low, _ in around), max(high for _, high in around))
    low, high = LEARNING_RATE_RANGE
    ranges["learning_rate"] = (min(low, example.learning_rate), max(high, example.learning_rate))
    return ranges
