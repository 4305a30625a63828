"""Cross-entropy against squared error: values from hand derivation, every slider position drawn."""
from __future__ import annotations

import math

import numpy as np
import pytest

from backproplib import Layer, Network, load_example
from backproplib.lessons.loss_comparison import (
    COMPARED_LOSSES,
    CONFIDENTLY_WRONG,
    SWEEP_VALUES,
    TARGETS,
    LossComparisonFigure,
    compare_losses,
)
from backproplib.views.explore import Settings
from strategies import sigmoid

EXAMPLE = load_example("tiny_relu")
SETTINGS = Settings.of(EXAMPLE)
A_H = 0.5  # ReLU(x·w1) = ReLU(1.0 · 0.5) in the document's network



def by_hand(w2: float, y: float) -> dict[str, tuple[float, float]]:
    """(loss, ∂L/∂w2) for each loss, derived on paper for ŷ = σ(a_h·w2)."""
    p = sigmoid(A_H * w2)
    cross_entropy = -(y * math.log(p) + (1 - y) * math.log(1 - p))
    return {
        # ∂L/∂ŷ = (ŷ−y)/(ŷ(1−ŷ)) and ∂ŷ/∂z = ŷ(1−ŷ) cancel: δ = ŷ − y.
        "binary_cross_entropy": (cross_entropy, (p - y) * A_H),
        "half_squared_error": (0.5 * (p - y) ** 2, (p - y) * p * (1 - p) * A_H),
    }


@pytest.mark.parametrize("y", TARGETS)
def test_losses_and_gradients_match_the_hand_derivation_along_the_sweep(y):
    c = compare_losses(EXAMPLE.network, SETTINGS.replace(y=y), "w2", SWEEP_VALUES)
    for profile in c.profiles:
        expected = [by_hand(v, y)[profile.loss] for v in SWEEP_VALUES]
        assert profile.losses == pytest.approx([e[0] for e in expected], rel=1e-12)
        assert profile.gradients == pytest.approx([e[1] for e in expected], rel=1e-12, abs=1e-15)


def test_current_point_at_the_documents_numbers():
    c = compare_losses(EXAMPLE.network, SETTINGS, "w2", SWEEP_VALUES)
    p = sigmoid(0.25)
    assert c.prediction == pytest.approx(p)
    assert c.sigmoid_slope == pytest.approx(p * (1 - p))
    assert c.profile("binary_cross_entropy").gradient_at_current == pytest.approx(p * 0.5)
    assert c.profile("binary_cross_entropy").delta_at_current == pytest.approx(p)
    # The document's 0.069 is the squared-error gradient, not the cross-entropy one.
    assert c.profile("half_squared_error").gradient_at_current == pytest.approx(0.069, abs=5e-4)
    assert c.profile("binary_cross_entropy").gradient_at_current != pytest.approx(0.069, abs=5e-4)


@pytest.mark.parametrize("y", TARGETS)
def test_gradients_are_the_slopes_of_the_loss_curves(y):
    h = 1e-6
    for w2 in (-7.0, -0.3, 2.0, 9.0):
        c = compare_losses(EXAMPLE.network, SETTINGS.replace(y=y, w2=w2), "w2", [w2 - h, w2 + h])
        for profile in c.profiles:
            slope = (profile.losses[1] - profile.losses[0]) / (2 * h)
            assert profile.gradient_at_current == pytest.approx(slope, rel=1e-6, abs=1e-10)


@pytest.mark.parametrize("y", TARGETS)
def test_squared_error_signal_is_cross_entropys_times_the_sigmoid_slope(y):
    for w2 in SWEEP_VALUES:
        c = compare_losses(EXAMPLE.network, SETTINGS.replace(y=y, w2=w2), "w2", [w2])
        ce, se = c.profile("binary_cross_entropy"), c.profile("half_squared_error")
        assert ce.delta_at_current == pytest.approx(c.prediction - y)
        assert se.delta_at_current == pytest.approx(ce.delta_at_current * c.prediction * (1 - c.prediction))


@pytest.mark.parametrize("y", TARGETS)
def test_confidently_wrong_cross_entropy_keeps_pushing_while_squared_error_flattens(y):
    c = compare_losses(EXAMPLE.network, SETTINGS.replace(y=y), "w2", SWEEP_VALUES)
    wrong = c.confidently_wrong
    assert wrong.any() and not wrong.all()
    ce = np.abs(c.profile("binary_cross_entropy").gradients)
    se = np.abs(c.profile("half_squared_error").gradients)
    # Where the prediction is more than 0.9 off, |ŷ − y| > 0.9 and ŷ(1 − ŷ) < 0.1: the ratio is < 0.1.
    assert np.all(se[wrong] < 0.1 * ce[wrong])
    assert np.all(ce[wrong] > CONFIDENTLY_WRONG * A_H)
    # Cross-entropy's gradient grows steadily the more wrong the prediction; squared error's peaks and falls.
    order = np.argsort(np.abs(c.predictions - y))
    assert np.all(np.diff(ce[order]) > 0)
    assert se[order][-1] < se.max() / 5


def test_a_dead_hidden_neuron_leaves_nothing_to_compare():
    c = compare_losses(EXAMPLE.network, SETTINGS.replace(w1=-0.5), "w2", SWEEP_VALUES)
    for profile in c.profiles:
        assert np.all(profile.gradients == 0.0)
    assert np.all(c.predictions == 0.5)


@pytest.mark.parametrize("y", TARGETS)
def test_every_slider_position_draws_finite_curves(y):
    figure = LossComparisonFigure(EXAMPLE.network, "w2")
    for w2 in SWEEP_VALUES:
        c = figure.show(SETTINGS.replace(y=y), w2)
        assert c.current == w2
        for k, profile in enumerate(c.profiles):
            assert np.all(np.isfinite(profile.losses)) and np.all(np.isfinite(profile.gradients))
            assert np.allclose(figure._gradient_curves[k].get_ydata(), profile.gradients)
        assert figure.png(small=True)[:4] == b"\x89PNG"


def test_sweep_reaches_saturation_at_both_ends():
    assert len(SWEEP_VALUES) == 20 and 0.5 in SWEEP_VALUES  # the document's w2 is a slider position
    assert sigmoid(A_H * SWEEP_VALUES[-1]) > 0.99 and sigmoid(A_H * SWEEP_VALUES[0]) < 0.01
    assert COMPARED_LOSSES == ("binary_cross_entropy", "half_squared_error")


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="unknown parameter 'w3'; the parameters are 'w1', 'w2'"):
        compare_losses(EXAMPLE.network, SETTINGS, "w3", SWEEP_VALUES)
    with pytest.raises(ValueError, match="loss must be one of"):
        compare_losses(EXAMPLE.network, SETTINGS, "w2", SWEEP_VALUES, losses=("hinge",))
    with pytest.raises(ValueError, match="losses must be a non-empty sequence"):
        compare_losses(EXAMPLE.network, SETTINGS, "w2", SWEEP_VALUES, losses=())
    with pytest.raises(ValueError, match="values must be a non-empty 1-D"):
        compare_losses(EXAMPLE.network, SETTINGS, "w2", [])
    with pytest.raises(ValueError, match="values must be a non-empty 1-D"):
        compare_losses(EXAMPLE.network, SETTINGS, "w2", [0.0, float("nan")])
    layers = (Layer(("h",), "relu", (("w1",),)), Layer(("o",), "identity", (("w2",),)))
    linear = Network(("x",), layers, "half_squared_error")
    with pytest.raises(ValueError, match="activation 'sigmoid'"):
        compare_losses(linear, SETTINGS, "w2", SWEEP_VALUES)
    with pytest.raises(ValueError, match="values must hold at least two distinct"):
        LossComparisonFigure(EXAMPLE.network, "w2", values=[1.0, 1.0])
