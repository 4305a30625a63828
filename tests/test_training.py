"""The one training loop: its divergence rule, its hooks, frozen parameters, validation, and the fast path.

References are written here by hand (plain floats, closed forms), not taken from the library.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplib import LOSSES, Layer, Network, backward, forward, gradient_step, load_example, train
from backproplib.engine.activations import ACTIVATIONS
from backproplib.engine.training import DIVERGENCE_LIMIT, check_epochs, check_learning_rate

EXAMPLE_KEYS = ("tiny_relu", "shared_bias", "sum_target", "blame_flow", "two_outputs")


def one_neuron(activation: str, loss: str) -> Network:
    """ŷ = activation(w x + b); cross-entropy needs a sigmoid output, so there the activation is a hidden
    neuron's and the output is σ(h)."""
    if loss != "binary_cross_entropy":
        return Network(("x",), (Layer(("o",), activation, (("w",),), bias=("b",)),), loss)
    hidden = Layer(("h",), activation, (("w",),), bias=("b",))
    return Network(("x",), (hidden, Layer(("o",), "sigmoid", (("v",),))), loss)


def start_of(net: Network) -> dict[str, float]:
    return {"w": 0.5, "b": 0.25, "v": 1.0} if "v" in net.parameters else {"w": 0.5, "b": 0.25}


def identity_neuron() -> Network:
    return Network(("x",), (Layer(("o",), "identity", (("w",),)),), "half_squared_error")


# --- divergence: one rule for every loss and activation, on both paths -------------------------


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_a_step_that_throws_a_parameter_past_the_limit_stops_the_run_there(activation, loss, fast):
    # At w = 0.5, b = 0.25, x = 1 every activation has a nonzero slope, so η = 1e9 moves w by far more than 1e6.
    net = one_neuron(activation, loss)
    start = start_of(net)
    grads = backward(net, start, {"x": 1.0}, 0.0).gradients
    assert abs(float(grads["w"])) > 1e-3  # the premise: the step is large
    run = train(net, start, {"x": 1.0}, 0.0, 1e9, 50, fast=fast)
    assert run.diverged and run.diverged_at == 1
    assert run.losses.tolist() == pytest.approx([float(forward(net, start, {"x": 1.0}, 0.0).loss)], rel=1e-12)
    assert run.params == start  # the last parameters inside the limit


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("x", [1.0, 3e5, 3e6])
def test_the_loss_check_fires_exactly_when_the_loss_is_beyond_the_limit(activation, loss, fast, x):
    # Parameters inside the limit; the input makes z = w·x as large as asked. Whatever the loss's value
    # there, the run stops at epoch 0 exactly when that value is beyond the limit (or not finite).
    net = one_neuron(activation, loss)
    params = dict(start_of(net), w=1.0, b=0.0)
    value = float(forward(net, params, {"x": x}, 0.0).loss)
    run = train(net, params, {"x": x}, 0.0, 1e-12, 3, fast=fast)
    beyond = not math.isfinite(value) or abs(value) > DIVERGENCE_LIMIT
    assert (run.diverged_at == 0) == beyond
    assert len(run.losses) == (0 if beyond else 4)


def test_half_squared_error_on_an_identity_output_passes_the_limit_by_its_loss():
    net, params = identity_neuron(), {"w": 1000.0}
    run = train(net, params, {"x": 1000.0}, 0.0, 0.1, 5)
    assert run.diverged_at == 0 and len(run.losses) == 0 and run.params == params


@pytest.mark.parametrize("fast", [False, True])
def test_a_run_that_diverges_on_its_last_epoch_is_shorter_than_epochs_plus_one(fast):
    # L = ½(w − ½)² at x = 1, η = 3: each step multiplies w − ½ by −2, so L_k = 2^(2k − 1) for w₀ = 1.5.
    # L_10 = 2^19 < 1e6 < L_11 = 2^21: the run diverges at epoch 11 and at no earlier one.
    net = identity_neuron()
    expected = [2.0 ** (2 * k - 1) for k in range(11)]
    kept = train(net, {"w": 1.5}, {"x": 1.0}, 0.5, 3, 10, fast=fast)
    assert not kept.diverged and kept.losses.tolist() == pytest.approx(expected, rel=1e-12)
    stopped = train(net, {"w": 1.5}, {"x": 1.0}, 0.5, 3, 11, fast=fast)
    assert stopped.diverged_at == 11 and len(stopped.losses) == 11
    assert stopped.losses.tolist() == pytest.approx(expected, rel=1e-12)
    assert stopped.params["w"] == pytest.approx(0.5 + (-2.0) ** 10, rel=1e-12)


def test_a_run_to_infinity_is_a_divergence_not_a_warning():
    # η·∂L/∂w = 1e308 · 3 overflows the very first step: the loop reports it, numpy says nothing
    # (warnings are errors in these tests).
    net = identity_neuron()
    for fast in (False, True):
        run = train(net, {"w": 3.0}, {"x": 1.0}, 0.0, 1e308, 4, fast=fast)
        assert run.diverged_at == 1 and run.params == {"w": 3.0}


# --- the fast path is the teaching path ---------------------------------------------------------


@pytest.mark.parametrize("key", EXAMPLE_KEYS)
@pytest.mark.parametrize("frozen", [(), "biases"])
def test_the_fast_path_takes_the_teaching_paths_steps(key, frozen):
    ex = load_example(key)
    names = tuple(p for p in ex.network.parameters if p.startswith("b")) if frozen else ()
    plain = train(ex.network, ex.params, ex.x, ex.y, ex.learning_rate, 40, frozen=names, fast=False)
    fast = train(ex.network, ex.params, ex.x, ex.y, ex.learning_rate, 40, frozen=names, fast=True)
    np.testing.assert_allclose(plain.losses, fast.losses, rtol=1e-12)
    assert plain.params == pytest.approx(fast.params, rel=1e-12, abs=1e-15)
    # the default takes the fast path for such a run: the very same floats
    default = train(ex.network, ex.params, ex.x, ex.y, ex.learning_rate, 40, frozen=names)
    assert default.losses.tolist() == fast.losses.tolist() and default.params == fast.params


def test_the_default_takes_the_teaching_path_when_the_run_needs_it():
    # a record hook sees a BackwardPass, which only the teaching path has; its losses are the teaching path's
    ex = load_example("sum_target")
    passes = []
    hooked = train(ex.network, ex.params, ex.x, ex.y, ex.learning_rate, 30, record=lambda e, p, b: passes.append(b))
    plain = train(ex.network, ex.params, ex.x, ex.y, ex.learning_rate, 30, fast=False)
    assert len(passes) == 31 and hooked.losses.tolist() == plain.losses.tolist()


def test_the_fast_path_refuses_what_only_the_teaching_path_does():
    ex = load_example("shared_bias")
    with pytest.raises(ValueError, match="fast=True runs one example"):
        train(ex.network, ex.params, ex.x, ex.y, 0.5, 3, record=lambda *a: None, fast=True)
    with pytest.raises(ValueError, match="fast=True runs one example"):
        train(ex.network, ex.params, {"x1": [0.1, 0.2], "x2": [0.3, 0.4]}, [[0.1, 0.2]], 0.5, 3, fast=True)


# --- each step by hand ----------------------------------------------------------------------------


def test_each_epoch_is_one_hand_step_of_the_one_neuron_model():
    # ŷ = w x + b, L = ½(ŷ − y)²: ∂L/∂w = (ŷ − y) x, ∂L/∂b = ŷ − y.
    net = Network(("x",), (Layer(("o",), "identity", (("w",),), bias=("b",)),), "half_squared_error")
    w, b, x, y, rate = 0.3, -0.2, 1.5, 2.0, 0.1
    expected = []
    for epoch in range(6):
        error = w * x + b - y
        expected.append(0.5 * error**2)
        if epoch < 5:
            w, b = w - rate * error * x, b - rate * error
    run = train(net, {"w": 0.3, "b": -0.2}, {"x": x}, y, rate, 5)
    assert run.losses.tolist() == pytest.approx(expected, rel=1e-13)
    assert run.params == pytest.approx({"w": w, "b": b}, rel=1e-13)


def test_a_frozen_parameter_keeps_its_value_and_the_others_step_as_without_it():
    net = Network(("x",), (Layer(("o",), "identity", (("w",),), bias=("b",)),), "half_squared_error")
    w, b, x, y, rate = 0.3, -0.2, 1.5, 2.0, 0.1
    for _ in range(4):
        w -= rate * (w * x + b - y) * x
    run = train(net, {"w": 0.3, "b": -0.2}, {"x": x}, y, rate, 4, frozen=["b"])
    assert run.params["b"] == -0.2 and run.params["w"] == pytest.approx(w, rel=1e-13)


def test_gradient_step_updates_only_what_is_not_frozen():
    stepped = gradient_step(
        {"w": 1.0, "b": 2.0, "v": np.array([1.0, 2.0])}, {"w": 0.5, "b": 9.0, "v": [1.0, 1.0]}, 0.1, frozen=("b",)
    )
    assert stepped["w"] == pytest.approx(0.95) and stepped["b"] == 2.0
    np.testing.assert_allclose(stepped["v"], [0.9, 1.9])
    # a frozen parameter needs no gradient at all
    assert gradient_step({"w": 1.0, "b": 2.0}, {"w": 1.0}, 0.5, frozen=["b"]) == {"w": 0.5, "b": 2.0}


# --- the hooks ------------------------------------------------------------------------------------


def test_record_sees_every_epoch_once_with_its_parameters_and_backward_pass():
    ex = load_example("shared_bias")
    seen = []
    run = train(
        ex.network, ex.params, ex.x, ex.y, ex.learning_rate, 7,
        record=lambda epoch, params, passes: seen.append((epoch, params, float(passes.loss))),
    )
    assert [e for e, _, _ in seen] == list(range(8))
    assert [loss for _, _, loss in seen] == run.losses.tolist()
    assert seen[0][1] == ex.params
    for epoch, params, loss in seen:
        assert float(forward(ex.network, params, ex.x, ex.y).loss) == pytest.approx(loss, rel=1e-14)


def test_a_step_rule_replaces_the_update():
    # θ + η·∂L/∂θ climbs: the loss of the one-neuron model rises at every step.
    net = identity_neuron()

    def climb(params, gradients, rate, frozen):
        return {k: v + rate * gradients[k] for k, v in params.items()}

    run = train(net, {"w": 1.0}, {"x": 1.0}, 0.5, 0.1, 5, step_rule=climb)
    assert np.all(np.diff(run.losses) > 0)
    assert run.params["w"] == pytest.approx(0.5 + 0.5 * 1.1**5, rel=1e-13)


# --- what the loop refuses --------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [1, 0.5, np.int64(1), np.float32(0.25), np.float64(2.0), np.int8(3)])
def test_any_real_number_above_zero_is_a_learning_rate(rate):
    ex = load_example("tiny_relu")
    run = train(ex.network, ex.params, ex.x, ex.y, rate, 1)
    assert check_learning_rate(rate) == float(rate) and len(run.losses) == 2


@pytest.mark.parametrize("rate", [True, False, np.bool_(True), 0, -0.1, math.nan, math.inf, "0.1", None, 1j, [0.1]])
def test_the_learning_rate_is_refused_with_what_is_allowed(rate):
    ex = load_example("tiny_relu")
    with pytest.raises(ValueError, match=r"learning_rate must be a finite number > 0 \(an int or float, not a bool\)"):
        train(ex.network, ex.params, ex.x, ex.y, rate, 1)
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
        gradient_step(ex.params, ex.params, rate)


@pytest.mark.parametrize("epochs", [True, False, -1, 2.0, "3", None, np.float64(2)])
def test_epochs_is_refused_unless_a_whole_number(epochs):
    ex = load_example("tiny_relu")
    with pytest.raises(ValueError, match=r"epochs must be a whole number >= 0 \(not a bool\)"):
        train(ex.network, ex.params, ex.x, ex.y, 0.1, epochs)


def test_epochs_may_be_a_numpy_integer():
    assert check_epochs(np.int64(4)) == 4 and check_epochs(np.uint8(0)) == 0


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_gradient_is_refused_naming_the_parameter(bad):
    with pytest.raises(ValueError, match="the gradient for 'w2' must be finite"):
        gradient_step({"w1": 1.0, "w2": 1.0}, {"w1": 0.1, "w2": bad}, 0.1)
    with pytest.raises(ValueError, match="the gradient for 'v' must be finite"):
        gradient_step({"v": np.zeros(3)}, {"v": np.array([0.0, bad, 0.0])}, 0.1)


def test_an_overflowing_step_is_refused_naming_the_parameter_without_a_numpy_warning():
    with pytest.raises(ValueError, match="the step for 'w' overflows"):
        gradient_step({"w": 1e300}, {"w": -1e300}, 1e10)


def test_frozen_names_must_be_parameters():
    ex = load_example("shared_bias")
    with pytest.raises(ValueError, match=r"frozen names unknown parameters \['b3'\]; the parameters are 'w1'"):
        train(ex.network, ex.params, ex.x, ex.y, 0.5, 1, frozen=["b1", "b3"])
    with pytest.raises(ValueError, match="frozen names unknown parameters"):
        gradient_step({"w": 1.0}, {"w": 1.0}, 0.1, frozen=["v"])
    with pytest.raises(TypeError, match="frozen must be a collection of parameter names"):
        train(ex.network, ex.params, ex.x, ex.y, 0.5, 1, frozen="b1")


def test_train_refuses_array_parameters():
    ex = load_example("tiny_relu")
    with pytest.raises(ValueError, match="params for train must be single numbers"):
        train(ex.network, dict(ex.params, w1=np.array([0.1, 0.2])), ex.x, ex.y, 0.1, 1)


# --- any setting: a clean run or a reported divergence, never a warning ------------------------------


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    loss=st.sampled_from(sorted(LOSSES)),
    w=st.floats(-50, 50),
    b=st.floats(-50, 50),
    x=st.floats(-1e3, 1e3),
    rate_exponent=st.floats(-3, 12),
    epochs=st.integers(0, 30),
)
def test_every_setting_ends_cleanly_or_reports_where_it_diverged(activation, loss, w, b, x, rate_exponent, epochs):
    net = one_neuron(activation, loss)
    params = dict(start_of(net), w=w, b=b)
    runs = [train(net, params, {"x": x}, 0.0, 10.0**rate_exponent, epochs, fast=fast) for fast in (False, True)]
    for run in runs:
        assert np.all(np.isfinite(run.losses)) and np.all(np.abs(run.losses) <= DIVERGENCE_LIMIT)
        assert all(math.isfinite(v) and abs(v) <= DIVERGENCE_LIMIT for v in run.params.values())
        assert len(run.losses) == (run.diverged_at if run.diverged else epochs + 1)
        assert run.diverged_at is None or 0 <= run.diverged_at <= epochs
    plain, fast = runs
    assert plain.diverged_at == fast.diverged_at
    np.testing.assert_allclose(plain.losses, fast.losses, rtol=1e-9, atol=1e-300)
