"""The compiled training step and batched gradients against the named backward pass (itself checked against sympy and
finite differences in test_core.py) and against hand arithmetic."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplib import Layer, Network, backward, load_example, train
from backproplib.engine.compiled import compile_gradients, compile_step, gradients_source, step_source
from strategies import networks


def reference_step(network, params, x, y, rate):
    passes = backward(network, params, x, y)
    return float(passes.loss), {k: float(params[k]) - rate * float(g) for k, g in passes.gradients.items()}


@settings(max_examples=40, deadline=None, derandomize=True)
@given(networks(max_width=3, max_outputs=3, value=2.0), st.floats(0.01, 2.0))
def test_one_compiled_step_equals_backward_then_update(case, rate):
    network, params, x, y = case
    loss, new = compile_step(network)(tuple(params[p] for p in network.parameters), tuple(x), tuple(y), rate)
    expected_loss, expected_new = reference_step(network, params, x, y, rate)
    assert loss == pytest.approx(expected_loss, rel=1e-12, abs=1e-14)
    assert dict(zip(network.parameters, new)) == pytest.approx(expected_new, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("key", ["blame_flow", "tiny_relu", "shared_bias", "sum_target"])
def test_training_matches_repeated_backward_steps(key):
    ex = load_example(key)
    params = dict(ex.params)
    losses = []
    for _ in range(4):
        loss, params = reference_step(ex.network, params, ex.x, ex.y, ex.learning_rate)
        losses.append(loss)
    run = train(ex.network, ex.params, ex.x, ex.y, ex.learning_rate, 4)
    assert run.losses[:4] == pytest.approx(losses, rel=1e-12)
    assert run.params == pytest.approx(params, rel=1e-12)


def test_tiny_relu_step_by_hand():
    # x = 1, w1 = w2 = 0.5, y = 0: a_h = 0.5, z_o = 0.25, ŷ = σ(0.25); with cross-entropy and a sigmoid
    # output, δ_o = ŷ − y, so ∂L/∂w2 = ŷ·a_h and ∂L/∂w1 = δ_o·w2·1·x.
    yhat = 1 / (1 + math.exp(-0.25))
    loss, (w1, w2) = compile_step(load_example("tiny_relu").network)((0.5, 0.5), (1.0,), (0.0,), 0.1)
    assert loss == pytest.approx(-math.log(1 - yhat), rel=1e-14)
    assert w2 == pytest.approx(0.5 - 0.1 * yhat * 0.5, rel=1e-14)
    assert w1 == pytest.approx(0.5 - 0.1 * yhat * 0.5 * 1.0, rel=1e-14)


def test_parameter_names_that_clash_with_generated_names_still_work():
    layer = Layer(("h",), "tanh", (("x0", "rate"),), bias="z1_0")
    network = Network(
        ("a", "b"), (layer, Layer(("o",), "identity", (("loss",),), bias=("step",))), "half_squared_error"
    )
    params = {"x0": 0.3, "rate": -0.2, "z1_0": 0.1, "loss": 1.5, "step": -0.4}
    source = step_source(network)
    assert "theta_0" in source and "theta_4" in source  # renamed, not shadowed
    loss, new = compile_step(network)(tuple(params[p] for p in network.parameters), (0.7, -1.1), (0.25,), 0.5)
    expected_loss, expected_new = reference_step(network, params, [0.7, -1.1], [0.25], 0.5)
    assert loss == pytest.approx(expected_loss, rel=1e-13)
    assert dict(zip(network.parameters, new)) == pytest.approx(expected_new, rel=1e-13)


@pytest.mark.parametrize("z", [-1000.0, -710.0, 0.0, 710.0, 1000.0])
def test_extreme_pre_activations_stay_finite(z):
    network = Network(("x",), (Layer(("o",), "sigmoid", (("w",),)),), "binary_cross_entropy")
    loss, (w,) = compile_step(network)((z,), (1.0,), (1.0,), 0.1)
    assert math.isfinite(loss) and math.isfinite(w)
    expected_loss, expected_new = reference_step(network, {"w": z}, [1.0], [1.0], 0.1)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    assert w == pytest.approx(expected_new["w"], rel=1e-12)


def test_a_diverging_run_stops_cleanly():
    # identity output, squared error, w·x with x = 3 and rate 1: each step multiplies the error by 1 − 9 = −8
    network = Network(("x",), (Layer(("o",), "identity", (("w",),)),), "half_squared_error")
    run = train(network, {"w": 1.0}, [3.0], 0.0, 1.0, 100)
    assert run.diverged and len(run.losses) < 101
    assert np.all(np.isfinite(run.losses))
    assert run.losses[1] == pytest.approx(64 * run.losses[0], rel=1e-12)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(networks(max_width=3, max_outputs=3, value=2.0), st.integers(0, 2**32 - 1))
def test_batched_gradients_equal_backward_at_every_setting(case, seed):
    network, params, x, y = case
    rng = np.random.default_rng(seed)
    batch = {p: v + rng.normal(0.0, 1.0, 6) for p, v in params.items()}  # six settings of every parameter
    loss, grads = compile_gradients(network)(tuple(batch[p] for p in network.parameters), tuple(x), tuple(y))
    for i in range(6):
        passes = backward(network, {p: float(v[i]) for p, v in batch.items()}, x, y)
        assert float(np.asarray(loss)[i]) == pytest.approx(float(passes.loss), rel=1e-12, abs=1e-14)
        for name, g in zip(network.parameters, grads):
            assert float(np.broadcast_to(g, (6,))[i]) == pytest.approx(
                float(passes.gradients[name]), rel=1e-12, abs=1e-14
            ), name


def test_batched_gradients_stay_finite_at_extreme_pre_activations():
    # z = ±1000 and beyond, in every activation at once: no overflow warning (an error here), finite results.
    network = Network(
        ("x",),
        (Layer(("h",), "tanh", (("w",),)), Layer(("o",), "sigmoid", (("v",),), bias="b")),
        "binary_cross_entropy",
    )
    w = np.array([-1000.0, -710.0, 0.0, 710.0, 1000.0])
    loss, (g_w, g_v, g_b) = compile_gradients(network)((w, w, w), (1.0,), (1.0,))
    assert np.all(np.isfinite(loss)) and all(np.all(np.isfinite(g)) for g in (g_w, g_v, g_b))


def test_gradients_source_reads_like_hand_written_numpy():
    source = gradients_source(load_example("shared_bias").network)
    assert "a1_0 = _sigmoid(w1 * x0 + w2 * x1 + b1)  # a_h1 = f(z_h1)" in source
    assert "a1_1 = _sigmoid(w3 * x0 + w4 * x1 + b1)  # a_h2 = f(z_h2)" in source
    # parameters in the network's order; the shared bias b1 collects one term per hidden neuron
    assert source.splitlines()[-1].strip() == (
        "return loss, (d1_0 * x0, d1_0 * x1, d1_1 * x0, d1_1 * x1, d1_0 + d1_1, d2_0 * a1_0, d2_0 * a1_1, d2_0)"
    )


def test_cross_entropy_on_sigmoid_outputs_is_generated_from_z():
    # The output's a is never computed: the loss and its delta come from z (exact at every finite z),
    # with the templates of the loss row, and no probability is clipped anywhere.
    source = gradients_source(load_example("tiny_relu").network)
    assert "z2_0 = w2 * a1_0  # z_o" in source and "a2_0" not in source
    assert "loss = ((1.0 - y0) * _softplus(z2_0) + y0 * _softplus(-(z2_0))) / 1" in source
    assert "d2_0 = ((1.0 - y0) * _sigmoid(z2_0) - y0 * _sigmoid(-(z2_0))) / 1" in source
    loss, (w,) = compile_step(Network(("x",), (Layer(("o",), "sigmoid", (("w",),)),), "binary_cross_entropy"))(
        (40.0,), (1.0,), (0.0,), 0.1
    )
    assert loss == 40.0 and w == pytest.approx(40.0 - 0.1, rel=1e-15)  # before: 34.54 and w unmoved
