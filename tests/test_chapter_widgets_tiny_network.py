"""Every control of chapters/tiny_network.ipynb, swept over its full range at the chapter's settings.

The settings and slider ranges are read from the notebook itself (its ``parameters`` cell and the
lines defining ``live_ranges``), so the sweep follows the chapter when an instructor edits it.
"""
from __future__ import annotations

import numpy as np
import pytest

from backproplib.lessons.gradient_sweep import DEAD_ZONE_VALUES, HIDDEN_ACTIVATIONS, GradientFigure
from backproplib.lessons.loss_comparison import SWEEP_VALUES, TARGETS, LossComparisonFigure
from backproplib.views.widgets import LossFigure
from support.chapter_file import Chapter
from support.panels import every_position

CHAPTER = Chapter("tiny_network")
NOTEBOOK, P, EXAMPLE, SETTINGS, EPOCHS = (CHAPTER.notebook, CHAPTER.parameters, CHAPTER.example, CHAPTER.settings,
                                          CHAPTER.epochs)


def test_the_chapter_is_the_documents_example():
    assert EXAMPLE.matches_document
    assert P["dead_w1"] < 0  # the dead-zone section needs a negative w1


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_dead_zone_explorer_every_frame_is_finite(activation):
    network = EXAMPLE.with_settings(activations=[activation, P["activations"][1]]).network
    loss_figure = LossFigure(network, "w1", (DEAD_ZONE_VALUES[0], DEAD_ZONE_VALUES[-1]), EPOCHS)
    gradient_figure = GradientFigure(network, "w1", DEAD_ZONE_VALUES)
    for w1 in DEAD_ZONE_VALUES:
        view = loss_figure.show(SETTINGS, w1)
        sweep = gradient_figure.show(SETTINGS, w1)
        assert np.all(np.isfinite(view.curve.losses)) and np.isfinite(view.curve.slope)
        assert np.all(np.isfinite(view.training.losses)) and len(view.training.losses) == EPOCHS + 1
        assert all(np.all(np.isfinite(g)) for g in sweep.gradients.values())
        assert view.curve.slope == pytest.approx(sweep.at_current["w1"])
        if activation == "relu" and w1 <= 0:  # x = 1 > 0: the neuron is dead, nothing trains
            assert sweep.at_current == {"w1": 0.0, "w2": 0.0}
            assert np.ptp(view.training.losses) == 0.0
        else:
            assert sweep.at_current["w1"] != 0.0


@pytest.mark.parametrize("target", TARGETS)
def test_loss_comparison_explorer_every_frame_is_finite(target):
    network = EXAMPLE.with_settings(activations=[P["activations"][0], "sigmoid"], loss="binary_cross_entropy").network
    figure = LossComparisonFigure(network, "w2", SWEEP_VALUES)
    for w2 in SWEEP_VALUES:
        comparison = figure.show(SETTINGS.replace(y=target), w2)
        assert comparison.target == target and comparison.current == w2
        for profile in comparison.profiles:
            assert np.all(np.isfinite(profile.losses)) and np.all(np.isfinite(profile.gradients))
            assert np.isfinite(profile.gradient_at_current)
        assert figure.png(small=True)[:4] == b"\x89PNG"


@pytest.mark.parametrize("parameter", ["w1", "w2"])
def test_live_explorer_every_slider_corner_and_centre_is_finite(parameter):
    ranges = CHAPTER.live_ranges()
    assert set(ranges) == {"w1", "w2", "x", "y", "learning_rate"}
    assert ranges["y"] == (0.0, 1.0) and ranges["learning_rate"][0] > 0
    figure = LossFigure(EXAMPLE.network, parameter, ranges[parameter], EPOCHS)
    for position in every_position(ranges, steps=3):
        view = figure.show(SETTINGS.replace(**dict(position)))
        assert np.all(np.isfinite(view.curve.losses)) and np.isfinite(view.curve.slope)
        assert np.all(np.isfinite(view.training.losses))
