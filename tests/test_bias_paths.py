"""The paths of a shared bias's gradient: hand-derived values, every sweep position and learning rate drawn."""
from __future__ import annotations

import numpy as np
import pytest

from backproplib import Layer, Network, load_example, train
from backproplib.lessons.bias_paths import (
    LEARNING_RATES,
    SWEEP_HALF_WIDTH,
    SWEEP_POSITIONS,
    BiasPathsFigure,
    BiasTrainingFigure,
    bias_paths_along,
    bias_users,
    sweep_values,
    train_tracking_bias,
    untie_bias,
    zero_crossings,
)
from backproplib.views.explore import Settings
from strategies import hand_shared_bias, sigmoid

EXAMPLE = load_example("shared_bias")
SETTINGS = Settings.of(EXAMPLE)
X1, X2, Y = 0.05, 0.10, 0.01



def by_hand(p: dict[str, float], y: float = Y) -> dict[str, float]:
    """The 2-2-1 network with one hidden bias b1, written out on paper: loss, ŷ, each path, each gradient."""
    hand = hand_shared_bias(p, {"x1": X1, "x2": X2}, y)
    paths = {"yhat": hand["a"]["out"], "via_h1": hand["delta"]["h1"], "via_h2": hand["delta"]["h2"]}
    return {"loss": hand["loss"], **paths, **hand["gradients"]}


def test_document_values_by_hand():
    paths = bias_paths_along(EXAMPLE.network, SETTINGS, "b1", "w6", [EXAMPLE.params["w6"]])
    hand = by_hand(dict(EXAMPLE.params))
    assert paths.at_current["h1"] == pytest.approx(hand["via_h1"], rel=1e-12)
    assert paths.at_current["h2"] == pytest.approx(hand["via_h2"], rel=1e-12)
    assert paths.total_at_current == pytest.approx(hand["b1"], rel=1e-12)
    # The document's own rounded values: 0.0134 + 0.0150 = 0.0284.
    assert round(hand["via_h1"], 4) == 0.0134 and round(hand["via_h2"], 4) == 0.0150 and round(hand["b1"], 4) == 0.0284


@pytest.mark.parametrize("parameter", ["w5", "w6", "b1", "b2", "w1", "w4"])
def test_every_sweep_position_matches_the_hand_derivation(parameter):
    values = sweep_values(EXAMPLE.params[parameter])
    paths = bias_paths_along(EXAMPLE.network, SETTINGS, "b1", parameter, values)
    for i, v in enumerate(values):
        hand = by_hand(dict(EXAMPLE.params, **{parameter: float(v)}))
        assert paths.contributions["h1"][i] == pytest.approx(hand["via_h1"], rel=1e-10, abs=1e-15)
        assert paths.contributions["h2"][i] == pytest.approx(hand["via_h2"], rel=1e-10, abs=1e-15)
        assert paths.total[i] == pytest.approx(hand["b1"], rel=1e-10, abs=1e-15)


def test_the_sum_is_the_finite_difference_gradient():
    h = 1e-6
    for w6 in sweep_values(EXAMPLE.params["w6"]):
        p = dict(EXAMPLE.params, w6=float(w6))
        up, down = by_hand(dict(p, b1=p["b1"] + h))["loss"], by_hand(dict(p, b1=p["b1"] - h))["loss"]
        paths = bias_paths_along(EXAMPLE.network, SETTINGS.replace(w6=float(w6)), "b1", "w6", [w6])
        assert paths.total_at_current == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-11)


def test_the_paths_cancel_where_w6_balances_w5():
    # ∂L/∂b1 = δ_out (w5 σ'(z_h1) + w6 σ'(z_h2)) is 0 where w6 = −w5 σ'(z_h1)/σ'(z_h2); z_h1, z_h2 do not depend on w6.
    a1 = sigmoid(0.05 * 0.15 + 0.10 * 0.20 + 0.35)
    a2 = sigmoid(0.05 * 0.25 + 0.10 * 0.30 + 0.35)
    balance = -0.40 * a1 * (1 - a1) / (a2 * (1 - a2))
    values = np.linspace(-1.55, 2.45, 401)
    paths = bias_paths_along(EXAMPLE.network, SETTINGS, "b1", "w6", values)
    crossings = zero_crossings(values, paths.total)
    assert crossings == [pytest.approx(balance, abs=1e-4)]
    at_balance = bias_paths_along(EXAMPLE.network, SETTINGS.replace(w6=balance), "b1", "w6", [balance])
    assert abs(at_balance.total_at_current) < 1e-15
    assert at_balance.at_current["h1"] > 1e-3 and at_balance.at_current["h2"] < -1e-3  # blamed, yet no gradient


def test_sweep_values_are_the_sliders():
    values = sweep_values(0.35)
    assert len(values) == SWEEP_POSITIONS == 21
    assert values[10] == 0.35
    assert values[0] == pytest.approx(0.35 - SWEEP_HALF_WIDTH) and values[-1] == pytest.approx(2.35)
    assert np.allclose(np.diff(values), 0.2)


@pytest.mark.parametrize("bad", [2, 0, 3.0, "21"])
def test_sweep_values_rejects_bad_counts(bad):
    with pytest.raises(ValueError, match="count must be"):
        sweep_values(0.0, count=bad)


def test_bad_names_are_refused_with_the_allowed_values():
    with pytest.raises(ValueError, match="bias must be one of 'b1', 'b2'; got 'b3'"):
        bias_paths_along(EXAMPLE.network, SETTINGS, "b3", "w6", [0.0])
    with pytest.raises(ValueError, match="unknown parameter 'x1'; the parameters are 'w1'"):
        bias_paths_along(EXAMPLE.network, SETTINGS, "b1", "x1", [0.0])
    with pytest.raises(ValueError, match="values must be"):
        bias_paths_along(EXAMPLE.network, SETTINGS, "b1", "w6", [np.nan])
    with pytest.raises(ValueError, match="epochs must be"):
        train_tracking_bias(EXAMPLE.network, SETTINGS, "b1", -1)
    no_bias = load_example("sum_target").network
    with pytest.raises(ValueError, match="none"):
        bias_users(no_bias, "b1")
    with pytest.raises(ValueError, match="shared by two or more"):
        untie_bias(EXAMPLE.network, EXAMPLE.params, "b2")


def test_training_records_the_hand_steps():
    run = train_tracking_bias(EXAMPLE.network, SETTINGS, "b1", 2)
    p = dict(EXAMPLE.params)
    for epoch in range(3):
        hand = by_hand(p)
        assert run.losses[epoch] == pytest.approx(hand["loss"], rel=1e-12)
        assert run.predictions[epoch] == pytest.approx(hand["yhat"], rel=1e-12)
        assert run.bias_values[epoch] == pytest.approx(p["b1"], rel=1e-12)
        assert run.contributions["h1"][epoch] == pytest.approx(hand["via_h1"], rel=1e-10)
        assert run.contributions["h2"][epoch] == pytest.approx(hand["via_h2"], rel=1e-10)
        assert run.total[epoch] == pytest.approx(hand["b1"], rel=1e-10)
        p = {k: v - 0.5 * hand[k] for k, v in p.items()}
    # After one step b1 is 0.35 − 0.5 · 0.028364 = 0.335818, as the document's 0.3358.
    assert run.bias_values[1] == pytest.approx(0.35 - 0.5 * by_hand(dict(EXAMPLE.params))["b1"], rel=1e-12)


@pytest.mark.parametrize("rate", LEARNING_RATES)
def test_training_agrees_with_the_library_trainer_at_every_offered_rate(rate):
    settings = SETTINGS.replace(learning_rate=rate)
    run = train_tracking_bias(EXAMPLE.network, settings, "b1", 300)
    reference = train(EXAMPLE.network, EXAMPLE.params, EXAMPLE.x, EXAMPLE.y, rate, 300)
    assert not run.diverged and len(run.losses) == 301
    assert np.allclose(run.losses, reference.losses, rtol=1e-9, atol=1e-15)
    assert run.final_params["b1"] == pytest.approx(reference.params["b1"], rel=1e-9)
    assert np.all(np.isfinite(run.total)) and run.losses[-1] < run.losses[0]


def test_the_paths_disagree_early_in_training_at_the_documents_rate():
    run = train_tracking_bias(EXAMPLE.network, SETTINGS, "b1", 40)
    disagree = np.flatnonzero(run.disagreeing)
    assert disagree.size > 0
    for k in disagree:  # the two δ have opposite signs there
        assert run.contributions["h1"][k] * run.contributions["h2"][k] < 0
    # b1 first falls (both paths positive), then rises (both negative) once w5 and w6 have turned negative.
    assert run.bias_values[5] < run.bias_values[0] and run.bias_values[40] > run.bias_values[15]


def test_a_diverging_run_stops_cleanly():
    hidden = Layer(("h1", "h2"), "identity", (("w1",), ("w2",)), bias="b")
    net = Network(("x",), (hidden, Layer(("o",), "identity", (("v1", "v2"),))), "half_squared_error")
    settings = Settings({"w1": 1.0, "w2": 1.0, "b": 1.0, "v1": 1.0, "v2": 1.0}, {"x": 1.0}, 0.0, 5.0)
    run = train_tracking_bias(net, settings, "b", 200)
    assert run.diverged and len(run.losses) < 201 and np.all(np.isfinite(run.losses))


def test_untied_biases_compute_the_same_forward_pass_and_split_the_gradient():
    net, params = untie_bias(EXAMPLE.network, EXAMPLE.params, "b1")
    hand = by_hand(dict(EXAMPLE.params))
    settings = Settings(params, EXAMPLE.x, EXAMPLE.y, EXAMPLE.learning_rate)
    run = train_tracking_bias(net, settings, "b1_h1", 0)
    assert run.losses[0] == pytest.approx(hand["loss"], rel=1e-12)
    paths_1 = bias_paths_along(net, settings, "b1_h1", "w6", [0.45])
    paths_2 = bias_paths_along(net, settings, "b1_h2", "w6", [0.45])
    assert paths_1.total_at_current == pytest.approx(hand["via_h1"], rel=1e-12)
    assert paths_2.total_at_current == pytest.approx(hand["via_h2"], rel=1e-12)


@pytest.mark.parametrize("parameter", ["w5", "w6", "b1"])
def test_paths_figure_draws_every_position(parameter):
    values = sweep_values(EXAMPLE.params[parameter])
    figure = BiasPathsFigure(EXAMPLE.network, "b1", parameter, values)
    for v in values:
        paths = figure.show(SETTINGS, float(v))
        assert np.all(np.isfinite(paths.total)) and all(np.all(np.isfinite(c)) for c in paths.contributions.values())
        heights = [paths.at_current["h1"], paths.at_current["h2"], paths.total_at_current]
        assert [bar.get_height() for bar in figure._bars] == heights
        assert figure.png(small=True)[:4] == b"\x89PNG"


@pytest.mark.parametrize("rate", LEARNING_RATES)
def test_training_figure_at_every_offered_rate(rate):
    figure = BiasTrainingFigure(EXAMPLE.network, "b1", epochs=2000)
    run = figure.show(SETTINGS.replace(learning_rate=rate))
    assert len(run.losses) == 2001 and np.all(np.isfinite(run.losses)) and np.all(run.losses > 0)
    assert f"η = {rate:g}" in figure._title.get_text()
    assert figure.png()[:4] == b"\x89PNG"


def test_zero_crossings_checks_its_input():
    with pytest.raises(ValueError, match="equal length"):
        zero_crossings([0.0, 1.0], [1.0])
    assert zero_crossings([0.0, 1.0, 2.0], [0.0, 0.0, 1.0]) == [0.0]
