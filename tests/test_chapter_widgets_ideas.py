"""Every widget of chapters/ideas.ipynb at the chapter's own settings: every frame and slider end is finite."""
from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from backproplib.lessons import sensitivity
from backproplib.lessons.error_sign import CONVENTIONS, LEARNING_RATES, ConventionFigure
from backproplib.views.widgets import LossFigure
from support.browser_panel import chapter_browser_explorer
from support.chapter_file import Chapter

CHAPTER = Chapter("ideas")
NOTEBOOK, P, EXAMPLE, SETTINGS, EPOCHS = (CHAPTER.notebook, CHAPTER.parameters, CHAPTER.example, CHAPTER.settings,
                                          CHAPTER.epochs)


EXPLORER = chapter_browser_explorer(CHAPTER, output_weight=P["output_weight"])


def test_the_chapter_uses_its_example_and_follows_a_hidden_and_an_output_weight():
    assert EXAMPLE.matches_document and EXAMPLE.published == ()
    assert P["output_weight"] in EXAMPLE.network.layers[1].weights[0]
    outgoing = sensitivity.hidden_weight(EXAMPLE.network, P["hidden_weight"]).outgoing
    assert outgoing in EXAMPLE.network.layers[1].weights[0]


def test_sigmoid_explorer_every_frame():
    figure = sensitivity.SigmoidFigure()
    for z in sensitivity.Z_VALUES:
        point = figure.show({"z": z})["z"]
        assert point.slope == pytest.approx(math.exp(-z) / (1 + math.exp(-z)) ** 2, rel=1e-12)
        assert figure.png(small=True)[:4] == b"\x89PNG"


def test_blame_explorer_every_frame():
    figure = sensitivity.BlameFigure(EXAMPLE.network, P["hidden_weight"])
    for v in sensitivity.OUTGOING_WEIGHTS:
        for z in sensitivity.PRE_ACTIVATIONS:
            left, right = figure.show(SETTINGS, outgoing=v, pre_activation=z)
            assert all(np.all(np.isfinite(s.gradient)) and np.all(np.isfinite(s.held)) for s in (left, right))
            assert left.gradient_at_current == pytest.approx(right.gradient_at_current)
            assert figure.png(small=True)[:4] == b"\x89PNG"


def test_convention_explorer_every_frame():
    figure = ConventionFigure(EXAMPLE.with_settings(loss="half_squared_error").network, EPOCHS)
    for rate in LEARNING_RATES:
        runs = figure.show(SETTINGS, rate)
        assert set(runs) == set(CONVENTIONS)
        assert all(len(r.losses) == EPOCHS + 1 and np.all(np.isfinite(r.losses)) for r in runs.values())
        assert runs["target_first_subtract"].losses[-1] > runs["target_first_subtract"].losses[0]
        assert runs["descent"].losses[-1] < runs["descent"].losses[0]
        assert figure.png(small=True)[:4] == b"\x89PNG"



def test_browser_explorer_sweeps_the_output_weight_over_the_old_frames_range():
    # The precomputed explorer it replaces showed the output weight 5 either side of its value.
    (control,) = [c for g in EXPLORER.view.panel["groups"] for c in g["controls"] if c["name"] == P["output_weight"]]
    value = EXAMPLE.params[P["output_weight"]]
    assert control["min"] <= value - 3 and control["max"] >= value + 3
    values = np.linspace(control["min"], control["max"], 21)
    figure = LossFigure(EXAMPLE.network, P["output_weight"], (values[0], values[-1]), EPOCHS)
    for v in values:
        view = figure.show(SETTINGS, v)
        assert np.all(np.isfinite(view.curve.losses)) and np.isfinite(view.curve.slope)
        assert len(view.training.losses) == EPOCHS + 1 and np.all(np.isfinite(view.training.losses))


@pytest.mark.parametrize("parameter", ["wo1", "wh11", "bh1"])
def test_live_explorer_every_slider_end_is_finite(parameter):
    ranges = CHAPTER.live_ranges()
    assert set(ranges) == {*EXAMPLE.network.parameters, "x1", "x2", "y", "learning_rate"}
    assert ranges["learning_rate"][0] > 0 and ranges["y"] == (0.0, 1.0)
    figure = LossFigure(EXAMPLE.network, parameter, ranges[parameter], EPOCHS)
    # Thirteen sliders: each one alone at both ends, then all at their low and all at their high ends.
    positions = [{name: end} for name, (low, high) in ranges.items() for end in (low, high)]
    positions += [{name: r[0] for name, r in ranges.items()}, {name: r[1] for name, r in ranges.items()}]
    for position in positions:
        view = figure.show(SETTINGS.replace(**position))
        assert np.all(np.isfinite(view.curve.losses)) and np.isfinite(view.curve.slope)
        assert np.all(np.isfinite(view.training.losses))


@pytest.mark.parametrize("weight", ["wh11", "wh12", "wh21", "wh22"])
def test_live_blame_panel_ranges_are_finite(weight):
    # the chapter calls blame_panel with its default ranges
    defaults = inspect.signature(sensitivity.blame_panel).parameters
    outgoing, pre_activation = defaults["outgoing_range"].default, defaults["pre_activation_range"].default
    figure = sensitivity.BlameFigure(EXAMPLE.network, weight, outgoing, pre_activation)
    for v in np.linspace(*outgoing, 5):
        for z in np.linspace(*pre_activation, 5):
            left, right = figure.show(SETTINGS, v, z)
            assert all(np.all(np.isfinite(s.gradient)) for s in (left, right))
