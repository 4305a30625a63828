"""Output activations against an out-of-range target: hand-derived values, every control position drawn."""
from __future__ import annotations

import math

import numpy as np
import pytest

from backproplib import Layer, Network, load_example, train
from backproplib.engine.training import DIVERGENCE_LIMIT
from backproplib.lessons.output_range import (
    EPOCHS,
    LEARNING_RATE_RANGE,
    LEARNING_RATES,
    OUTPUT_ACTIVATIONS,
    TARGET_RANGE,
    OutputRangeFigure,
    loss_floor,
    output_range_panel,
    reachable_outputs,
    train_with_output,
    with_output_activation,
)
from backproplib.views.explore import Settings
from strategies import sigmoid
from support.panels import shown_alt, shown_png

EXAMPLE = load_example("sum_target")
SETTINGS = Settings.of(EXAMPLE)
W = EXAMPLE.params
X1, X2, Y = 1.1, 2.2, 3.3
OUTPUT = {
    "sigmoid": (lambda z: 1 / (1 + math.exp(-z)), lambda a: a * (1 - a)),
    "tanh": (math.tanh, lambda a: 1 - a * a),
    "identity": (lambda z: z, lambda a: 1.0),
    "relu": (lambda z: max(z, 0.0), lambda a: float(a > 0)),
}



def by_hand(w: dict[str, float], activation: str, y: float = Y) -> tuple[float, dict[str, float]]:
    """Loss and gradients of the 2-2-1 network written out on paper (w_ij: input i -> hidden j)."""
    f, slope = OUTPUT[activation]
    a1 = sigmoid(X1 * w["w11"] + X2 * w["w21"])
    a2 = sigmoid(X1 * w["w12"] + X2 * w["w22"])
    yhat = f(a1 * w["w_h1"] + a2 * w["w_h2"])
    delta_o = (yhat - y) * slope(yhat)
    delta_1 = delta_o * w["w_h1"] * a1 * (1 - a1)
    delta_2 = delta_o * w["w_h2"] * a2 * (1 - a2)
    gradients = {
        "w_h1": delta_o * a1, "w_h2": delta_o * a2,
        "w11": delta_1 * X1, "w21": delta_1 * X2, "w12": delta_2 * X1, "w22": delta_2 * X2,
    }
    return 0.5 * (yhat - y) ** 2, gradients


@pytest.mark.parametrize("activation", OUTPUT_ACTIVATIONS)
def test_first_two_losses_match_the_hand_derivation(activation):
    run = train_with_output(EXAMPLE.network, SETTINGS, activation, epochs=5)
    loss0, gradients = by_hand(W, activation)
    stepped = {k: v - 0.1 * gradients[k] for k, v in W.items()}
    loss1, _ = by_hand(stepped, activation)
    assert run.losses[0] == pytest.approx(loss0, rel=1e-12)
    assert run.losses[1] == pytest.approx(loss1, rel=1e-12)


def test_the_documents_sigmoid_start():
    run = train_with_output(EXAMPLE.network, SETTINGS, "sigmoid", epochs=1)
    yhat = sigmoid(0.6 * sigmoid(1.1) - 0.1 * sigmoid(1.87))
    assert run.predictions[0] == pytest.approx(yhat, rel=1e-12)
    assert run.losses[0] == pytest.approx(0.5 * (yhat - 3.3) ** 2, rel=1e-12)
    assert run.losses[0] == pytest.approx(3.67235, abs=5e-6)  # ½·2.71011², not the document's 3.67545


def test_reachable_outputs_and_floors_by_hand():
    assert reachable_outputs("sigmoid") == (0.0, 1.0)
    assert reachable_outputs("tanh") == (-1.0, 1.0)
    assert reachable_outputs("relu") == (0.0, math.inf)
    assert reachable_outputs("identity") == (-math.inf, math.inf)
    assert loss_floor("sigmoid", 3.3) == pytest.approx(0.5 * (1 - 3.3) ** 2) == pytest.approx(2.645)
    assert loss_floor("tanh", 3.3) == pytest.approx(2.645)
    assert loss_floor("tanh", -3.3) == pytest.approx(2.645)
    assert loss_floor("sigmoid", -0.5) == pytest.approx(0.125)
    assert loss_floor("relu", -2.0) == pytest.approx(2.0)
    assert loss_floor("relu", 3.3) == 0.0 and loss_floor("identity", -7.0) == 0.0
    for activation in OUTPUT_ACTIVATIONS:
        low, high = reachable_outputs(activation)
        for y in (low + 0.25 if low > -math.inf else -5.0, 0.5):
            if low <= y <= high:
                assert loss_floor(activation, y) == 0.0


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_bounded_outputs_approach_the_floor_and_stay_above_it(activation):
    short = train_with_output(EXAMPLE.network, SETTINGS, activation, epochs=200)
    long = train_with_output(EXAMPLE.network, SETTINGS, activation, epochs=EPOCHS)
    floor = 0.5 * (1 - Y) ** 2
    assert np.all(long.losses >= floor - 1e-12)  # a saturated float may sit on the floor, never below
    assert np.all(long.predictions <= 1.0)
    assert 0 <= long.final_loss - floor < short.final_loss - floor
    assert long.final_loss - floor < 0.01  # and the gap is small after EPOCHS steps at η = 0.1
    assert long.final_prediction > 0.99  # pushed against the edge of the range


@pytest.mark.parametrize("activation", ["identity", "relu"])
def test_unbounded_outputs_reach_the_target(activation):
    run = train_with_output(EXAMPLE.network, SETTINGS, activation)
    assert run.final_prediction == pytest.approx(Y, abs=1e-9)
    assert run.final_loss < 1e-12
    assert "reached the target" in run.outcome


def test_chunked_training_is_one_long_run():
    for activation in OUTPUT_ACTIVATIONS:
        for rate in (0.1, 10.0):
            network = with_output_activation(EXAMPLE.network, activation)
            whole = train(network, EXAMPLE.params, EXAMPLE.x, EXAMPLE.y, rate, 300, fast=True)
            chunked = train_with_output(EXAMPLE.network, SETTINGS, activation, epochs=300, learning_rate=rate)
            assert np.array_equal(whole.losses, chunked.losses)
            assert whole.diverged_at == chunked.diverged_at
            # and the teaching path takes the same steps, to rounding
            plain = train(network, EXAMPLE.params, EXAMPLE.x, EXAMPLE.y, rate, 300, fast=False)
            assert plain.diverged_at == chunked.diverged_at
            np.testing.assert_allclose(plain.losses, chunked.losses, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("activation", OUTPUT_ACTIVATIONS)
@pytest.mark.parametrize("rate", LEARNING_RATES)
def test_every_frame_of_the_explorer_is_finite_and_says_how_it_ended(activation, rate):
    figure = OutputRangeFigure(EXAMPLE.network, epochs=EPOCHS)
    run = figure.show(SETTINGS, activation, rate)
    assert np.all(np.isfinite(run.losses)) and np.all(np.isfinite(run.predictions))
    assert run.checkpoints[0] == 0 and np.all(np.diff(run.checkpoints) > 0)
    # ŷ and the loss were recorded separately; at each checkpoint they must agree.
    assert run.losses[run.checkpoints] == pytest.approx(0.5 * (run.predictions - Y) ** 2, rel=1e-9, abs=1e-12)
    if run.diverged:
        assert len(run.losses) < EPOCHS + 1
        assert run.outcome.startswith("diverged")
    else:
        assert len(run.losses) == EPOCHS + 1 and run.checkpoints[-1] == EPOCHS
    if run.dead_output:  # ReLU output at 0: ŷ = 0 and the loss is ½y² for good
        assert run.final_prediction == 0.0 and run.final_loss == pytest.approx(0.5 * Y**2)
    low, high = reachable_outputs(activation)
    assert np.all((run.predictions >= low) & (run.predictions <= high))
    text = figure._title.get_text()
    assert activation in text and run.outcome in text
    assert figure.png(small=True)[:4] == b"\x89PNG"


def test_the_learning_rates_show_every_kind_of_ending():
    runs = [train_with_output(EXAMPLE.network, SETTINGS, a, learning_rate=r)
            for a in OUTPUT_ACTIVATIONS for r in LEARNING_RATES]
    assert EXAMPLE.learning_rate in LEARNING_RATES
    assert any(r.diverged and r.activation == "identity" for r in runs)
    assert any(r.dead_output for r in runs)
    assert any(r.saturated_hidden for r in runs)
    assert any("reached the target" in r.outcome for r in runs)
    assert all("pressed against the edge" in r.outcome for r in runs if r.activation in ("sigmoid", "tanh"))
    diverged = next(r for r in runs if r.diverged)
    assert len(diverged.losses) == diverged.diverged_at < EPOCHS + 1
    assert np.all(np.abs(diverged.losses) <= DIVERGENCE_LIMIT)  # only the losses inside the limit are kept
    assert f"at epoch {diverged.diverged_at}," in diverged.outcome


@pytest.mark.parametrize("activation", OUTPUT_ACTIVATIONS)
def test_live_panel_ranges_every_corner_and_centre_is_finite(activation):
    figure = OutputRangeFigure(EXAMPLE.network, epochs=EPOCHS)
    low, high = LEARNING_RATE_RANGE
    for y in np.linspace(*TARGET_RANGE, 3):
        for rate in np.geomspace(low, high, 3):
            run = figure.show(SETTINGS.replace(y=y), activation, rate)
            assert np.all(np.isfinite(run.losses)) and np.all(np.isfinite(run.predictions))
            assert run.floor == pytest.approx(loss_floor(activation, float(y)))
            assert np.all(run.losses >= run.floor - 1e-12)


def test_a_rescaled_target_inside_the_range_is_reached_by_a_sigmoid():
    run = train_with_output(EXAMPLE.network, SETTINGS.replace(y=0.66), "sigmoid")  # 3.3 / 5
    assert run.floor == 0.0
    assert run.final_prediction == pytest.approx(0.66, abs=1e-3)


def test_live_panel_redraws_on_every_control():
    panel = output_range_panel(EXAMPLE.network, SETTINGS, epochs=20)
    menu, rate, target = panel.children[0].children
    image = panel.children[1]
    assert list(menu.options) == list(OUTPUT_ACTIVATIONS) and menu.value == "sigmoid"
    assert rate.value == pytest.approx(0.1) and target.value == pytest.approx(3.3)
    seen = {shown_png(image)}
    for control, value in ((menu, "identity"), (rate, 1.0), (target, 0.5)):
        control.value = value
        assert shown_png(image) not in seen
        seen.add(shown_png(image))
    assert shown_alt(image).endswith("output identity, η = 1, target y = 0.50")  # described with what it shows


def test_bad_input_is_refused_with_the_allowed_values():
    with pytest.raises(ValueError, match="activation must be one of 'sigmoid', 'relu', 'tanh', 'identity'"):
        train_with_output(EXAMPLE.network, SETTINGS, "softmax")
    with pytest.raises(ValueError, match="epochs must be a whole number >= 1"):
        train_with_output(EXAMPLE.network, SETTINGS, "sigmoid", epochs=0)
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
        train_with_output(EXAMPLE.network, SETTINGS, "sigmoid", learning_rate=-1.0)
    with pytest.raises(ValueError, match="y must be a finite number"):
        loss_floor("sigmoid", float("nan"))
    with pytest.raises(TypeError, match="settings must be a Settings"):
        train_with_output(EXAMPLE.network, {"w": 1.0}, "sigmoid")  # type: ignore[arg-type]
    two_outputs = Network(("x",), (Layer(("o1", "o2"), "sigmoid", (("a",), ("b",))),), "half_squared_error")
    with pytest.raises(ValueError, match="exactly one output neuron"):
        train_with_output(two_outputs, Settings({"a": 1.0, "b": 1.0}, {"x": 1.0}, 0.5, 0.1), "sigmoid")
