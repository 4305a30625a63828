"""Sign conventions of the error: one step and training in each, against hand derivations."""
from __future__ import annotations

import numpy as np
import pytest

from backproplib import load_example
from backproplib.lessons.error_sign import CONVENTIONS, LEARNING_RATES, ConventionFigure, step_in, train_in
from backproplib.views.explore import Settings
from strategies import sigmoid

EXAMPLE = load_example("blame_flow")
SETTINGS = Settings.of(EXAMPLE)



def loss_and_gradients(p: dict, x: dict, y: float) -> tuple[float, dict, float]:
    """Half squared error of the 2-2-1 sigmoid network and its gradients, by hand; also ŷ."""
    a1 = sigmoid(p["wh11"] * x["x1"] + p["wh12"] * x["x2"] + p["bh1"])
    a2 = sigmoid(p["wh21"] * x["x1"] + p["wh22"] * x["x2"] + p["bh2"])
    yhat = sigmoid(p["wo1"] * a1 + p["wo2"] * a2 + p["bo"])
    d_o = (yhat - y) * yhat * (1 - yhat)
    d1, d2 = d_o * p["wo1"] * a1 * (1 - a1), d_o * p["wo2"] * a2 * (1 - a2)
    grads = {"wh11": d1 * x["x1"], "wh12": d1 * x["x2"], "bh1": d1,
             "wh21": d2 * x["x1"], "wh22": d2 * x["x2"], "bh2": d2,
             "wo1": d_o * a1, "wo2": d_o * a2, "bo": d_o}
    return 0.5 * (yhat - y) ** 2, grads, yhat


def test_each_convention_makes_the_step_its_signs_say():
    loss, grads, yhat = loss_and_gradients(dict(EXAMPLE.params), EXAMPLE.x, EXAMPLE.y)
    eta = EXAMPLE.learning_rate
    expected_new = {
        "descent": {p: v - eta * grads[p] for p, v in EXAMPLE.params.items()},
        "target_first_add": {p: v + eta * (-grads[p]) for p, v in EXAMPLE.params.items()},
        "target_first_subtract": {p: v - eta * (-grads[p]) for p, v in EXAMPLE.params.items()},
    }
    for name in CONVENTIONS:
        step = step_in(EXAMPLE.network, SETTINGS, name)
        assert step.error == pytest.approx(yhat - EXAMPLE.y if name == "descent" else EXAMPLE.y - yhat, rel=1e-12)
        sign = 1 if name == "descent" else -1
        assert step.products == pytest.approx({p: sign * g for p, g in grads.items()}, rel=1e-12)
        assert step.new_params == pytest.approx(expected_new[name], rel=1e-12)
        assert step.loss_before == pytest.approx(loss, rel=1e-12)
        expected_loss = loss_and_gradients(expected_new[name], EXAMPLE.x, EXAMPLE.y)[0]
        assert step.loss_after == pytest.approx(expected_loss, rel=1e-12)


def test_the_documents_combination_raises_the_loss_and_the_others_lower_it():
    for y in (0.0, 0.3, 1.0):
        settings = SETTINGS.replace(y=y)
        steps = {name: step_in(EXAMPLE.network, settings, name) for name in CONVENTIONS}
        assert steps["descent"].new_params == steps["target_first_add"].new_params
        assert steps["descent"].loss_after < steps["descent"].loss_before
        assert steps["target_first_subtract"].loss_after > steps["target_first_subtract"].loss_before


def test_training_repeats_the_hand_step():
    params = dict(EXAMPLE.params)
    expected_losses = []
    for _ in range(4):
        loss, grads, _ = loss_and_gradients(params, EXAMPLE.x, EXAMPLE.y)
        expected_losses.append(loss)
        params = {p: v + EXAMPLE.learning_rate * grads[p] for p, v in params.items()}  # the document's climb
    expected_losses.append(loss_and_gradients(params, EXAMPLE.x, EXAMPLE.y)[0])
    run = train_in(EXAMPLE.network, SETTINGS, "target_first_subtract", 4)
    assert run.losses == pytest.approx(expected_losses, rel=1e-12)
    assert not run.stopped and len(run.predictions) == 5


@pytest.mark.parametrize("rate", LEARNING_RATES)
def test_every_learning_rate_and_convention_trains_to_a_finite_end(rate):
    settings = SETTINGS.replace(learning_rate=rate)
    runs = {name: train_in(EXAMPLE.network, settings, name, 200) for name in CONVENTIONS}
    for run in runs.values():
        assert len(run.losses) == 201 and np.all(np.isfinite(run.losses)) and np.all(np.isfinite(run.predictions))
        assert np.all((run.predictions > 0) & (run.predictions < 1))
    assert np.array_equal(runs["descent"].losses, runs["target_first_add"].losses)
    assert runs["descent"].losses[-1] < runs["descent"].losses[0]
    # Climbing: the loss rises towards its largest value ½(0 − 1)² = ½ and never passes it.
    climb = runs["target_first_subtract"].losses
    assert np.all(np.diff(climb) > 0) and climb[-1] < 0.5


def test_convention_figure_every_learning_rate_draws_the_runs():
    figure = ConventionFigure(EXAMPLE.network, epochs=200)
    for rate in LEARNING_RATES:
        runs = figure.show(SETTINGS, rate)
        for name, run in runs.items():
            loss_line, prediction_line = figure._lines[name]
            assert np.array_equal(loss_line.get_ydata(), run.losses)
            assert np.array_equal(prediction_line.get_ydata(), run.predictions)
        assert f"η = {rate:g}" in figure._title.get_text()
        assert figure.png(small=True)[:4] == b"\x89PNG"


def test_bad_input_names_the_parameter():
    allowed = "'descent', 'target_first_add', 'target_first_subtract'"
    with pytest.raises(ValueError, match=f"convention must be one of {allowed}"):
        step_in(EXAMPLE.network, SETTINGS, "backwards")
    with pytest.raises(ValueError, match="loss 'half_squared_error'"):
        step_in(EXAMPLE.with_settings(loss="binary_cross_entropy").network, SETTINGS, "descent")
    for rate in (0.0, -0.5, float("nan"), True):
        with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
            step_in(EXAMPLE.network, Settings(EXAMPLE.params, EXAMPLE.x, EXAMPLE.y, rate), "descent")
    for epochs in (0, 2.5, True):
        with pytest.raises(ValueError, match="epochs must be a whole number >= 1"):
            train_in(EXAMPLE.network, SETTINGS, "descent", epochs)
        with pytest.raises(ValueError, match="epochs must be a whole number >= 1"):
            ConventionFigure(EXAMPLE.network, epochs)
