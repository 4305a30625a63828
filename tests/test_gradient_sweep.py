"""Gradients along a sweep and ReLU dead zones: hand-derived values, every slider position drawn."""
from __future__ import annotations

import numpy as np
import pytest

from backproplib import load_example
from backproplib.engine.numeric import forward
from backproplib.lessons.gradient_sweep import DEAD_ZONE_VALUES, HIDDEN_ACTIVATIONS, GradientFigure, gradients_along
from backproplib.views.explore import Settings
from strategies import sigmoid

EXAMPLE = load_example("tiny_relu")
SETTINGS = Settings.of(EXAMPLE)



def by_hand(w1: float, w2: float, x: float = 1.0, y: float = 0.0) -> tuple[float, float]:
    """(∂L/∂w1, ∂L/∂w2) for h = ReLU(w1·x), ŷ = σ(w2·h), cross-entropy: δ_o = ŷ − y."""
    h = max(w1 * x, 0.0)
    delta_o = sigmoid(w2 * h) - y
    relu_slope = 1.0 if w1 * x > 0 else 0.0
    return delta_o * w2 * relu_slope * x, delta_o * h


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_gradients_match_the_hand_derivation(y):
    sweep = gradients_along(EXAMPLE.network, SETTINGS.replace(y=y), "w1", DEAD_ZONE_VALUES)
    expected = [by_hand(w1, 0.5, y=y) for w1 in DEAD_ZONE_VALUES]
    assert sweep.gradients["w1"] == pytest.approx([e[0] for e in expected], rel=1e-12, abs=0)
    assert sweep.gradients["w2"] == pytest.approx([e[1] for e in expected], rel=1e-12, abs=0)
    assert sweep.at_current == pytest.approx(dict(zip(("w1", "w2"), by_hand(0.5, 0.5, y=y))))


def test_negative_w1_silences_both_weights():
    sweep = gradients_along(EXAMPLE.network, SETTINGS, "w1", DEAD_ZONE_VALUES)
    values = np.array(DEAD_ZONE_VALUES)
    assert np.array_equal(sweep.dead["h"], values <= 0)
    assert np.all(sweep.gradients["w1"][values <= 0] == 0.0)
    assert np.all(sweep.gradients["w2"][values <= 0] == 0.0)
    assert np.all(sweep.gradients["w1"][values > 0] > 0) and np.all(sweep.gradients["w2"][values > 0] > 0)


def test_gradients_are_finite_difference_slopes_away_from_the_kink():
    h = 1e-6
    for w1 in (-1.2, -0.3, 0.4, 1.3):
        here = SETTINGS.replace(w1=w1)
        computed = gradients_along(EXAMPLE.network, here, "w1", [w1]).at_current
        for name in ("w1", "w2"):
            up, down = (
                float(forward(EXAMPLE.network, dict(here.params, **{name: here.params[name] + s}), here.x, here.y).loss)
                for s in (h, -h)
            )
            assert computed[name] == pytest.approx((up - down) / (2 * h), abs=1e-8)


def test_smooth_hidden_activations_have_no_dead_zone():
    for activation in ("sigmoid", "tanh"):
        smooth = EXAMPLE.with_settings(activations=[activation, "sigmoid"])
        sweep = gradients_along(smooth.network, SETTINGS, "w1", DEAD_ZONE_VALUES)
        assert sweep.dead == {} and sweep.dead_at_current == {}
        nonzero = np.array(DEAD_ZONE_VALUES) != 0.0  # tanh(0) = 0 switches off w2 at exactly w1 = 0
        assert np.all(sweep.gradients["w1"] != 0.0)
        assert np.all(sweep.gradients["w2"][nonzero] != 0.0)


def test_slider_positions_include_the_dead_zone_edge_and_the_documents_weight():
    assert len(DEAD_ZONE_VALUES) == 25
    assert DEAD_ZONE_VALUES[0] == -1.5 and DEAD_ZONE_VALUES[-1] == 1.5
    assert 0.0 in DEAD_ZONE_VALUES and 0.5 in DEAD_ZONE_VALUES
    assert HIDDEN_ACTIVATIONS[0] == "relu"


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_every_slider_position_and_activation_draws_finite_curves(activation):
    network = EXAMPLE.with_settings(activations=[activation, "sigmoid"]).network
    figure = GradientFigure(network, "w1")
    for w1 in DEAD_ZONE_VALUES:
        sweep = figure.show(SETTINGS, w1)
        assert sweep.current == w1
        for name in ("w1", "w2"):
            assert np.all(np.isfinite(sweep.gradients[name]))
            assert np.allclose(figure._lines[name].get_ydata(), sweep.gradients[name])
            assert np.isfinite(sweep.at_current[name])
        dead_text = "dead: h" in figure._text.get_text()
        assert dead_text == (activation == "relu" and w1 <= 0)
        assert figure.png(small=True)[:4] == b"\x89PNG"


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="unknown parameter 'b1'; the parameters are 'w1', 'w2'"):
        gradients_along(EXAMPLE.network, SETTINGS, "b1", DEAD_ZONE_VALUES)
    with pytest.raises(ValueError, match="values must be a non-empty 1-D"):
        gradients_along(EXAMPLE.network, SETTINGS, "w1", [[0.1, 0.2]])
    with pytest.raises(ValueError, match="values must hold at least two distinct"):
        GradientFigure(EXAMPLE.network, "w1", values=[0.3])
