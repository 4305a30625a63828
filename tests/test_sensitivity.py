"""Sigmoid sensitivity and the blame of hidden weights: hand derivations with plain math, every slider position."""
from __future__ import annotations

import math

import numpy as np
import pytest

from backproplib import load_example
from backproplib.engine.network import Layer, Network
from backproplib.engine.numeric import forward
from backproplib.lessons.sensitivity import (
    OUTGOING_WEIGHTS,
    PRE_ACTIVATIONS,
    SWEEPS,
    Z_VALUES,
    BlameFigure,
    SigmoidFigure,
    blame_along,
    blame_panel,
    hidden_weight,
    sigmoid_at,
)
from backproplib.views.explore import Settings
from strategies import hand_blame_flow
from support.panels import shown_alt, shown_png

EXAMPLE = load_example("blame_flow")
SETTINGS = Settings.of(EXAMPLE)
HIDDEN_WEIGHTS = ("wh11", "wh12", "wh21", "wh22")
# weight -> (hidden neuron index, input name, outgoing weight, bias)
WIRING = {
    "wh11": (1, "x1", "wo1", "bh1"), "wh12": (1, "x2", "wo1", "bh1"),
    "wh21": (2, "x1", "wo2", "bh2"), "wh22": (2, "x2", "wo2", "bh2"),
}



def by_hand(p: dict, x: dict, y: float) -> dict:
    """Forward and backward pass of the 2-2-1 sigmoid network with half squared error, written out."""
    hand = hand_blame_flow(p, x, y)
    a1, a2 = hand["a"]["h1"], hand["a"]["h2"]
    return {"z1": hand["z"]["h1"], "z2": hand["z"]["h2"], "slope1": a1 * (1 - a1), "slope2": a2 * (1 - a2),
            "delta_o": hand["delta"]["o"], **hand["gradients"]}


@pytest.mark.parametrize("z", Z_VALUES)
def test_sigmoid_value_and_slope_match_the_formulas(z):
    point = sigmoid_at(z)
    assert point.value == pytest.approx(1 / (1 + math.exp(-z)), rel=1e-14)
    # The slope from its own formula e^-z / (1 + e^-z)^2, not from σ(1 − σ).
    assert point.slope == pytest.approx(math.exp(-z) / (1 + math.exp(-z)) ** 2, rel=1e-12)
    assert 0 < point.slope <= 0.25
    assert point.slope == pytest.approx(sigmoid_at(-z).slope, rel=1e-12)
    assert point.share_of_peak == pytest.approx(4 * point.slope)


def test_slope_peaks_at_zero_and_fades():
    assert sigmoid_at(0.0).slope == 0.25 and sigmoid_at(0.0).value == 0.5
    slopes = [sigmoid_at(z).slope for z in Z_VALUES]
    assert max(slopes) == 0.25 and Z_VALUES[slopes.index(0.25)] == 0.0
    assert sigmoid_at(8.0).slope < 4e-4
    assert sigmoid_at(-800.0).slope == 0.0  # far out the slope underflows to 0 without a warning


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "1", True, None])
def test_sigmoid_at_rejects_non_numbers(bad):
    with pytest.raises(ValueError, match="z must be a finite number"):
        sigmoid_at(bad)


def test_sigmoid_figure_every_position_marks_the_point_and_tangent():
    figure = SigmoidFigure()
    for z in Z_VALUES:
        points = figure.show({"z": z})
        xs, ys = figure._tangent.get_data()
        assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(math.exp(-z) / (1 + math.exp(-z)) ** 2, rel=1e-9)
        assert np.all(np.isfinite(ys)) and points["z"].z == z
        assert figure.png(small=True)[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="marks must name at least one"):
        figure.show({})
    with pytest.raises(ValueError, match="z_range must be two finite numbers"):
        SigmoidFigure((1.0, -1.0))


def test_hidden_weight_finds_neuron_input_bias_and_outgoing_weight():
    for weight, (j, source, outgoing, bias) in WIRING.items():
        place = hidden_weight(EXAMPLE.network, weight)
        found = (place.neuron, place.source, place.outgoing, place.bias, place.output)
        assert found == (f"h{j}", source, outgoing, bias, "o")


def test_hidden_weight_rejects_other_networks_and_names():
    with pytest.raises(ValueError, match="weight must be one of 'wh11', 'wh12', 'wh21', 'wh22'; got 'bo'"):
        hidden_weight(EXAMPLE.network, "bo")
    with pytest.raises(ValueError, match="own bias"):
        hidden_weight(load_example("sum_target").network, "w11")  # no biases
    with pytest.raises(ValueError, match="own bias"):
        hidden_weight(load_example("shared_bias").network, "w1")  # one bias shared by the layer
    with pytest.raises(ValueError, match="one hidden layer and one output"):
        hidden_weight(Network(("x",), (Layer(("o",), "sigmoid", (("w",),)),), "half_squared_error"), "w")


@pytest.mark.parametrize("weight", HIDDEN_WEIGHTS)
def test_gradient_along_the_outgoing_weight_matches_the_hand_derivation(weight):
    j, source, outgoing, _ = WIRING[weight]
    sweep = blame_along(EXAMPLE.network, SETTINGS, weight, "outgoing", OUTGOING_WEIGHTS)
    here = by_hand(dict(EXAMPLE.params), EXAMPLE.x, EXAMPLE.y)
    for k, v in enumerate(OUTGOING_WEIGHTS):
        hand = by_hand(dict(EXAMPLE.params, **{outgoing: v}), EXAMPLE.x, EXAMPLE.y)
        assert sweep.gradient[k] == pytest.approx(hand[weight], rel=1e-12, abs=1e-18)
        assert sweep.outgoing_gradient[k] == pytest.approx(hand[outgoing], rel=1e-12)
        # Held: δ_o and the slope from the current setting, only the weight changes.
        held = here["delta_o"] * v * here[f"slope{j}"] * EXAMPLE.x[source]
        assert sweep.held[k] == pytest.approx(held, rel=1e-12, abs=1e-18)
    assert sweep.gradient_at_current == pytest.approx(here[weight], rel=1e-12)
    assert sweep.current == EXAMPLE.params[outgoing]


@pytest.mark.parametrize("weight", HIDDEN_WEIGHTS)
def test_gradient_along_the_weighted_sum_matches_the_hand_derivation(weight):
    j, source, outgoing, bias = WIRING[weight]
    sweep = blame_along(EXAMPLE.network, SETTINGS, weight, "pre_activation", PRE_ACTIVATIONS)
    here = by_hand(dict(EXAMPLE.params), EXAMPLE.x, EXAMPLE.y)
    assert sweep.current == pytest.approx(here[f"z{j}"])
    for k, z in enumerate(PRE_ACTIVATIONS):
        moved = dict(EXAMPLE.params, **{bias: EXAMPLE.params[bias] + z - here[f"z{j}"]})
        hand = by_hand(moved, EXAMPLE.x, EXAMPLE.y)
        assert hand[f"z{j}"] == pytest.approx(z, abs=1e-12)  # the bias shift puts z exactly there
        assert sweep.gradient[k] == pytest.approx(hand[weight], rel=1e-9)
        slope = math.exp(-z) / (1 + math.exp(-z)) ** 2
        held = here["delta_o"] * EXAMPLE.params[outgoing] * slope * EXAMPLE.x[source]
        assert sweep.held[k] == pytest.approx(held, rel=1e-9)


def test_zero_outgoing_weight_blocks_the_blame_but_keeps_its_own():
    sweep = blame_along(EXAMPLE.network, SETTINGS, "wh11", "outgoing", [0.0])
    assert sweep.gradient[0] == 0.0 and sweep.held[0] == 0.0
    hand = by_hand(dict(EXAMPLE.params, wo1=0.0), EXAMPLE.x, EXAMPLE.y)
    assert sweep.outgoing_gradient[0] == pytest.approx(hand["wo1"]) and hand["wo1"] < -0.01


def test_held_product_is_linear_in_the_outgoing_weight():
    sweep = blame_along(EXAMPLE.network, SETTINGS, "wh12", "outgoing", OUTGOING_WEIGHTS)
    nonzero = np.array(OUTGOING_WEIGHTS) != 0
    per_unit = sweep.held[nonzero] / np.array(OUTGOING_WEIGHTS)[nonzero]
    assert np.allclose(per_unit, per_unit[0], rtol=1e-12)


def test_gradient_is_the_finite_difference_slope():
    h = 1e-6
    for weight in HIDDEN_WEIGHTS:
        up, down = (float(forward(EXAMPLE.network, dict(EXAMPLE.params, **{weight: EXAMPLE.params[weight] + s}),
                                  EXAMPLE.x, EXAMPLE.y).loss)
                    for s in (h, -h))
        blame = blame_along(EXAMPLE.network, SETTINGS, weight, "outgoing", [1.0])
        assert blame.gradient_at_current == pytest.approx((up - down) / (2 * h), abs=1e-9)


def test_bad_sweeps_and_values_name_the_parameter():
    with pytest.raises(ValueError, match="sweep must be one of 'outgoing', 'pre_activation'; got 'bias'"):
        blame_along(EXAMPLE.network, SETTINGS, "wh11", "bias", [0.0])
    with pytest.raises(ValueError, match="values must be a non-empty 1-D"):
        blame_along(EXAMPLE.network, SETTINGS, "wh11", "outgoing", [])
    with pytest.raises(ValueError, match="values must be a non-empty 1-D"):
        blame_along(EXAMPLE.network, SETTINGS, "wh11", "outgoing", [float("nan")])
    with pytest.raises(ValueError, match="outgoing values must hold at least two"):
        BlameFigure(EXAMPLE.network, "wh11", outgoing_values=[1.0])


def test_slider_positions_include_zero_weight_and_the_steepest_point():
    assert OUTGOING_WEIGHTS[0] == -2.5 and OUTGOING_WEIGHTS[-1] == 2.5
    assert 0.0 in OUTGOING_WEIGHTS and len(OUTGOING_WEIGHTS) == 11
    assert PRE_ACTIVATIONS[0] == -6.0 and PRE_ACTIVATIONS[-1] == 6.0
    assert 0.0 in PRE_ACTIVATIONS and len(PRE_ACTIVATIONS) == 7
    assert Z_VALUES[0] == -8.0 and Z_VALUES[-1] == 8.0 and 0.0 in Z_VALUES
    assert SWEEPS == ("outgoing", "pre_activation")


@pytest.mark.parametrize("weight", HIDDEN_WEIGHTS)
def test_blame_figure_every_slider_position_is_finite_and_drawn(weight):
    j, _, outgoing, _ = WIRING[weight]
    figure = BlameFigure(EXAMPLE.network, weight)
    for v in OUTGOING_WEIGHTS:
        for z in PRE_ACTIVATIONS:
            left, right = figure.show(SETTINGS, outgoing=v, pre_activation=z)
            assert left.current == v and right.current == pytest.approx(z, abs=1e-12)
            for sweep in (left, right):
                assert np.all(np.isfinite(sweep.gradient)) and np.all(np.isfinite(sweep.held))
                assert np.isfinite(sweep.gradient_at_current)
            assert left.gradient_at_current == pytest.approx(right.gradient_at_current)
            assert np.allclose(figure._lines["outgoing"]["gradient"].get_ydata(), left.gradient)
            if v == 0.0:
                assert left.gradient_at_current == 0.0
    assert figure.png(small=True)[:4] == b"\x89PNG"


def test_blame_panel_redraws_when_a_control_moves():
    panel = blame_panel(EXAMPLE.network, SETTINGS, "wh11")
    menu, sliders, image = panel.children
    first = shown_png(image)
    sliders.children[0].value = 0.0
    assert shown_png(image) != first
    menu.value = "wh22"
    sliders.children[1].value = -8.0
    assert shown_png(image)[:4] == b"\x89PNG"
    assert shown_alt(image).startswith("∂L/∂wh22 against") and shown_alt(image).endswith("z_h = -8.00")
