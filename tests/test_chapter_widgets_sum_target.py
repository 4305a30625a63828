"""Every control of chapters/sum_target.ipynb, swept over its full range at the chapter's settings.

The settings, the swept values and the live slider ranges are read from the notebook itself (its
``parameters`` cell and the lines defining ``sweep_values`` and ``live_ranges``), so the sweep
follows the chapter when an instructor edits it.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from backproplib import forward
from backproplib.lessons import output_range as lesson
from backproplib.views.widgets import LossFigure
from support.browser_panel import chapter_browser_explorer, controls
from support.chapter_file import Chapter
from support.panels import is_finite, probe_positions

CHAPTER = Chapter("sum_target")
NOTEBOOK, P, EXAMPLE, SETTINGS, EPOCHS = (CHAPTER.notebook, CHAPTER.parameters, CHAPTER.example, CHAPTER.settings,
                                          CHAPTER.epochs)


LIVE_RANGES = CHAPTER.live_ranges()
EXPLORER = chapter_browser_explorer(CHAPTER)
# 21 values across the browser explorer's w_h1 slider (the precomputed explorer it replaced had 21 frames)
(W_H1,) = [c for c in controls(EXPLORER) if c["name"] == "w_h1"]
SWEEP_VALUES = np.linspace(W_H1["min"], W_H1["max"], 21)


def test_the_chapter_is_the_documents_example():
    assert EXAMPLE.matches_document
    assert EXAMPLE.y > 1  # the chapter's lesson needs a target outside the sigmoid's range
    assert EPOCHS >= 1000  # long enough for the plateau to show


@pytest.mark.parametrize("activation", lesson.OUTPUT_ACTIVATIONS)
def test_output_activation_explorer_every_frame_is_finite(activation):
    figure = lesson.OutputRangeFigure(EXAMPLE.network, EPOCHS)
    for rate in lesson.LEARNING_RATES:
        run = figure.show(SETTINGS, activation, rate)
        assert np.all(np.isfinite(run.losses)) and np.all(np.isfinite(run.predictions))
        assert run.diverged or len(run.losses) == EPOCHS + 1
        assert run.floor == pytest.approx(0.5 * (1 - 3.3) ** 2 if activation in ("sigmoid", "tanh") else 0.0)
        assert np.all(run.losses >= run.floor - 1e-12)
        if run.diverged:
            assert "diverged" in figure._title.get_text()
        assert figure.png(small=True)[:4] == b"\x89PNG"


def test_weight_explorer_every_position_is_finite_and_the_tangent_is_the_slope():
    assert W_H1["min"] < EXAMPLE.params["w_h1"] < W_H1["max"]
    figure = LossFigure(EXAMPLE.network, "w_h1", (SWEEP_VALUES[0], SWEEP_VALUES[-1]), EPOCHS)
    h = 1e-6
    for value in SWEEP_VALUES:
        view = figure.show(SETTINGS, float(value))
        assert np.all(np.isfinite(view.curve.losses)) and np.all(np.isfinite(view.training.losses))
        assert len(view.training.losses) == EPOCHS + 1
        shifted = [forward(EXAMPLE.network, dict(EXAMPLE.params, w_h1=value + s), EXAMPLE.x, EXAMPLE.y).loss
                   for s in (-h, h)]
        assert view.curve.slope == pytest.approx(float(shifted[1] - shifted[0]) / (2 * h), rel=1e-6, abs=1e-10)
        # With a sigmoid output and y > 1, a larger w_h1 always lowers the loss: the slope is negative everywhere.
        assert view.curve.slope < 0
        assert figure.png(small=True)[:4] == b"\x89PNG"


@pytest.mark.parametrize("activation", lesson.OUTPUT_ACTIVATIONS)
def test_output_range_panel_every_corner_and_centre_is_finite(activation):
    figure = lesson.OutputRangeFigure(EXAMPLE.network, EPOCHS)
    low, high = lesson.LEARNING_RATE_RANGE
    for y in (lesson.TARGET_RANGE[0], EXAMPLE.y, lesson.TARGET_RANGE[1]):
        for rate in (low, math.sqrt(low * high), high):
            run = figure.show(SETTINGS.replace(y=y), activation, rate)
            assert np.all(np.isfinite(run.losses)) and np.all(np.isfinite(run.predictions))
            assert run.floor == pytest.approx(lesson.loss_floor(activation, y))



def test_live_explorer_ranges_are_the_chapters():
    assert CHAPTER.live_ranges_cover_the_settings()


def test_live_explorer_every_slider_across_its_range_is_finite():
    positions = probe_positions(SETTINGS, LIVE_RANGES, mixes=8, seed=2)
    assert all(is_finite(view) for _, view in CHAPTER.live_views("w_h1", positions))


@pytest.mark.parametrize("parameter", ["w11", "w21", "w12", "w22", "w_h2"])
def test_live_explorer_other_swept_weights_at_the_extremes(parameter):
    extremes_and_mixes = probe_positions(SETTINGS, LIVE_RANGES, mixes=8, seed=2)[-10:]
    assert all(is_finite(view) for _, view in CHAPTER.live_views(parameter, extremes_and_mixes))
