"""Every control of chapters/shared_bias.ipynb, swept over its full range at the chapter's settings.

The settings and the live slider ranges are read from the notebook itself (its ``parameters`` cell
and the lines defining ``live_ranges``), so the sweep follows the chapter when an instructor edits it.
Expected values come from the network written out by hand with plain ``math``.
"""
from __future__ import annotations

import numpy as np
import pytest

from backproplib.lessons.bias_paths import LEARNING_RATES, BiasPathsFigure, BiasTrainingFigure, sweep_values
from backproplib.views.widgets import LossFigure
from strategies import hand_shared_bias
from support.chapter_file import Chapter
from support.panels import is_finite, probe_positions

CHAPTER = Chapter("shared_bias")
NOTEBOOK, P, EXAMPLE, SETTINGS, EPOCHS = (CHAPTER.notebook, CHAPTER.parameters, CHAPTER.example, CHAPTER.settings,
                                          CHAPTER.epochs)
LIVE_RANGES = CHAPTER.live_ranges()



def by_hand(p: dict[str, float], x1: float, x2: float, y: float) -> dict[str, float]:
    """Loss, the two paths of ∂L/∂b1 and ∂L/∂b1 for the 2-2-1 network with one shared hidden bias."""
    hand = hand_shared_bias(p, {"x1": x1, "x2": x2}, y)
    return {"loss": hand["loss"], "via_h1": hand["delta"]["h1"], "via_h2": hand["delta"]["h2"],
            "b1": hand["gradients"]["b1"]}


def test_the_chapter_is_the_documents_example():
    assert EXAMPLE.matches_document
    assert EXAMPLE.network.layers[0].shared_bias and EXAMPLE.network.layers[0].bias == "b1"
    assert EPOCHS >= 1000


@pytest.mark.parametrize("parameter", ["w6", "b1"])
def test_bias_path_explorers_every_frame_matches_the_hand_derivation(parameter):
    values = sweep_values(EXAMPLE.params[parameter])
    assert len(values) == 21 and values[10] == EXAMPLE.params[parameter]
    figure = BiasPathsFigure(EXAMPLE.network, "b1", parameter, values)
    for v in values:
        paths = figure.show(SETTINGS, float(v))
        hand = by_hand(dict(EXAMPLE.params, **{parameter: float(v)}), EXAMPLE.x["x1"], EXAMPLE.x["x2"], EXAMPLE.y)
        assert paths.at_current["h1"] == pytest.approx(hand["via_h1"], rel=1e-10, abs=1e-15)
        assert paths.at_current["h2"] == pytest.approx(hand["via_h2"], rel=1e-10, abs=1e-15)
        assert paths.total_at_current == pytest.approx(hand["b1"], rel=1e-10, abs=1e-15)
        assert np.all(np.isfinite(paths.total))
        assert figure.png(small=True)[:4] == b"\x89PNG"


def test_loss_explorer_every_position_and_learning_rate():
    values = sweep_values(EXAMPLE.params["b1"])
    figure = LossFigure(EXAMPLE.network, "b1", (values[0], values[-1]), EPOCHS)
    for rate in LEARNING_RATES:
        for v in values:
            view = figure.show(SETTINGS.replace(learning_rate=rate), float(v))
            hand = by_hand(dict(EXAMPLE.params, b1=float(v)), EXAMPLE.x["x1"], EXAMPLE.x["x2"], EXAMPLE.y)
            assert view.curve.loss_at_current == pytest.approx(hand["loss"], rel=1e-12)
            # the tangent is the summed gradient
            assert view.curve.slope == pytest.approx(hand["b1"], rel=1e-10, abs=1e-15)
            assert np.all(np.isfinite(view.curve.losses)) and np.all(np.isfinite(view.training.losses))
            assert len(view.training.losses) == EPOCHS + 1  # no offered rate diverges
            assert view.training.losses[-1] < view.training.losses[0]
        assert figure.png(small=True)[:4] == b"\x89PNG"


def test_training_figure_at_the_chapters_settings():
    figure = BiasTrainingFigure(EXAMPLE.network, "b1", EPOCHS)
    run = figure.show(SETTINGS)
    assert len(run.losses) == EPOCHS + 1 and not run.diverged
    assert run.losses[0] == pytest.approx(by_hand(dict(EXAMPLE.params), 0.05, 0.10, 0.01)["loss"], rel=1e-12)
    assert run.losses[-1] < 1e-4  # the chapter says the prediction ends close to the target



def test_live_explorer_has_one_slider_per_weight_bias_input_target_and_the_learning_rate():
    assert CHAPTER.live_ranges_cover_the_settings()


def test_live_explorer_every_slider_across_its_range_sweeping_b1():
    for position, view in CHAPTER.live_views("b1", probe_positions(SETTINGS, LIVE_RANGES, mixes=6, seed=1)):
        p = {name: position.get(name, value) for name, value in EXAMPLE.params.items()}
        hand = by_hand(p, position["x1"], position["x2"], position["y"])
        assert view.curve.slope == pytest.approx(hand["b1"], rel=1e-9, abs=1e-14)
        assert is_finite(view)


@pytest.mark.parametrize("parameter", ["w1", "w2", "w3", "w4", "w5", "w6", "b2"])
def test_live_explorer_other_swept_parameters_at_the_extremes(parameter):
    extremes_and_mixes = probe_positions(SETTINGS, LIVE_RANGES, mixes=6, seed=1)[-8:]
    assert all(is_finite(view) for _, view in CHAPTER.live_views(parameter, extremes_and_mixes))
