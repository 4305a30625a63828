"""backproplib, used as a new user would, against jax autodiff that shares none of its code.

The reference (``tests/reference_autodiff.py``) writes its own forward pass from the network's
description and lets ``jax.grad`` differentiate it in float64; for single cases it is checked in
turn against mpmath at 50 digits. Random networks: depth 1–3, widths 1–4, 1–3 inputs, every
activation, loss and bias kind, each layer's weights rescaled so its largest |z| is one of
0.01 … 1000 (or left as drawn in [−3, 3]).

Tolerance: every value agrees to 1e-9 of the size of the terms float64 combined to compute it
(``term_sizes`` in the reference explains why a pure relative tolerance would blame the library
for rounding that no float64 code can avoid). That is a relative tolerance of 1e-9 wherever no
cancellation happens, and about ten million times looser than the rounding the reference itself
shows against mpmath, so a failure here is the library's.

Hypothesis runs derandomized (the same examples on every run of the same code) and with a small
budget: passing, the file takes about 10 s of CPU, much of it jax compiling once per depth; a
failure adds hypothesis's shrinking (about 40 s more on the clipped cross-entropy of issue 11).
"""
from __future__ import annotations

from typing import Mapping

import mpmath
import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from reference_autodiff import exact, reference_for

from backproplib import (
    Layer,
    Network,
    backward,
    chain_rule,
    forward,
    gradient_step,
    layered_network,
    loss_and_gradients,
    train,
)
from backproplib.engine.training import DIVERGENCE_LIMIT

TOLERANCE = 1e-9
ACTIVATIONS = ("sigmoid", "relu", "tanh", "identity")
LOSSES = ("half_squared_error", "mean_squared_error", "binary_cross_entropy")
BIASES = ("none", "per_neuron", "shared")
# The largest |z| a layer is rescaled to; None keeps the weights as drawn in [-3, 3].
REACH = (None, None, 0.01, 1.0, 5.0, 30.0, 100.0, 1000.0)


def examples(n: int):
    return settings(
        max_examples=n, derandomize=True, database=None, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


# -- what gets drawn -------------------------------------------------------------------------
@st.composite
def networks(draw) -> Network:
    depth = draw(st.integers(1, 3))
    loss = draw(st.sampled_from(LOSSES))
    activations = draw(st.lists(st.sampled_from(ACTIVATIONS), min_size=depth, max_size=depth))
    if loss == "binary_cross_entropy":  # the library requires a sigmoid output for it
        activations[-1] = "sigmoid"
    widths = draw(st.lists(st.integers(1, 4), min_size=depth, max_size=depth))
    return layered_network(draw(st.integers(1, 3)), widths, activations, loss, biases=draw(st.sampled_from(BIASES)))


def _number(low: float, high: float):
    # Magnitudes below 1e-6 become 0: a weight of 1e-300 only tests underflow, not backprop.
    return st.floats(low, high, allow_nan=False, allow_infinity=False).map(lambda v: 0.0 if abs(v) < 1e-6 else v)


def _layer_parameters(layer: Layer) -> set[str]:
    return {w for row in layer.weights for w in row} | {layer.bias_of(j) for j in range(len(layer.neurons))} - {None}


@st.composite
def settings_for(draw, network: Network) -> tuple[dict, list, list]:
    """Parameters, inputs and targets; each layer's weights scaled so its largest |z| is drawn."""
    params = {name: draw(_number(-3, 3)) for name in network.parameters}
    x = [draw(_number(-2, 2)) for _ in network.inputs]
    probabilities = network.loss == "binary_cross_entropy"
    y = [draw(_number(0, 1) if probabilities else _number(-2, 2)) for _ in network.outputs]
    reference = reference_for(network)
    for layer in network.layers:
        reach = draw(st.sampled_from(REACH))
        if reach is None:
            continue
        z = reference.weighted_sums(params, x)
        factor = reach / max(max(abs(z[n]) for n in layer.neurons), 1e-2)  # at most 1e5: parameters stay < 1e6
        for name in _layer_parameters(layer):
            params[name] *= factor
    return params, x, y


@st.composite
def cases(draw):
    network = draw(networks())
    return (network, *draw(settings_for(network)))


# -- comparing ---------------------------------------------------------------------------------
def mismatches(what: str, library: Mapping, reference: Mapping, sizes: Mapping) -> list[str]:
    """Every reference value the library misses by more than TOLERANCE of the size of its terms."""
    wrong = []
    for name, expected in reference.items():
        got = float(np.asarray(library[name]))
        if not abs(got - expected) <= TOLERANCE * max(sizes[name], abs(expected)):
            wrong.append(f"  {what} {name}: library {got!r}, reference {expected!r} (terms of size {sizes[name]:.3g})")
    return wrong


def assert_close(what: str, library: Mapping, reference: Mapping, sizes: Mapping) -> None:
    wrong = mismatches(what, library, reference, sizes)
    assert not wrong, "differs from jax:\n" + "\n".join(wrong)


def evaluated(network: Network, params: dict, x: list, y: list):
    """The reference's values and sizes; cases with a ReLU on its kink up to rounding are left out.

    When |z| of a ReLU is below 1e-9 of its terms, rounding decides its side and so its slope
    (0 or 1) in the library and in jax alike: neither is wrong. An exact 0 from terms that are
    all 0 is kept, and tested: the slope there is 0 by convention.
    """
    reference = reference_for(network)
    values, sizes = reference.evaluate(params, x, y)
    for layer in reference.layers:
        if layer.activation == "relu":
            assume(all(sizes.z[n] == 0 or abs(values.z[n]) > TOLERANCE * sizes.z[n] for n in layer.neurons))
    return reference, values, sizes


def as_loss(value: float) -> dict:
    return {"loss": value}


# -- the properties -----------------------------------------------------------------------------
@examples(100)
@given(cases())
def test_forward_and_backward_match_the_reference(case):
    """The loss, every z and a, every delta ∂L/∂z and every gradient ∂L/∂θ; all misses listed."""
    network, params, x, y = case
    _, values, sizes = evaluated(network, params, x, y)
    ahead, back = forward(network, params, x, y), backward(network, params, x, y)
    wrong = [
        *mismatches("forward", as_loss(ahead.loss), as_loss(values.loss), as_loss(sizes.loss)),
        *mismatches("forward z", ahead.z, values.z, sizes.z),
        *mismatches("forward a", ahead.a, values.a, sizes.a),
        *mismatches("backward delta", back.delta, values.delta, sizes.delta),
        *mismatches("backward ∂L/∂", back.gradients, values.gradients, sizes.gradients),
    ]
    assert not wrong, "differs from jax:\n" + "\n".join(wrong)


@examples(60)
@given(cases())
def test_chain_rule_sums_to_the_reference_gradient(case):
    network, params, x, y = case
    _, values, sizes = evaluated(network, params, x, y)
    gradients = {name: chain_rule(network, params, x, y, name).gradient for name in network.parameters}
    assert_close("chain_rule gradient", gradients, values.gradients, sizes.gradients)


@st.composite
def batches(draw):
    """A network, 1–5 settings of it, and which parameters vary (the others keep row 0's value)."""
    network = draw(networks())
    rows = [draw(settings_for(network)) for _ in range(draw(st.integers(1, 5)))]
    varies = draw(st.lists(st.booleans(), min_size=len(network.parameters), max_size=len(network.parameters)))
    varies[0] = True
    return network, rows, dict(zip(network.parameters, varies))


@examples(30)
@given(batches())
def test_loss_and_gradients_on_a_batch_match_vmap(batch):
    network, rows, varies = batch
    x, y = rows[0][1], rows[0][2]  # one input and target; the parameters vary by row
    params = {
        name: np.array([row[0][name] for row in rows]) if varies[name] else rows[0][0][name]
        for name in network.parameters
    }
    reference = reference_for(network)
    thetas = np.array(
        [[float(np.broadcast_to(params[n], len(rows))[i]) for n in reference.names] for i in range(len(rows))]
    )
    losses, gradients = reference.batch(thetas, x, y)
    library_loss, library_gradients = loss_and_gradients(network, params, x, y)
    assert library_loss.shape == (len(rows),)
    for i, theta in enumerate(thetas):
        _, values, sizes = evaluated(network, reference.by_name(theta), x, y)
        assert_close(f"batched loss, row {i}", as_loss(library_loss[i]), as_loss(losses[i]), as_loss(sizes.loss))
        assert_close(
            f"batched gradients, row {i}",
            {n: g[i] for n, g in library_gradients.items()},
            {n: g[i] for n, g in gradients.items()},
            sizes.gradients,
        )


@examples(40)
@given(cases(), st.floats(1e-3, 1.0))
def test_one_gradient_step_matches_the_reference(case, learning_rate):
    network, params, x, y = case
    _, values, sizes = evaluated(network, params, x, y)
    stepped = gradient_step(params, backward(network, params, x, y).gradients, learning_rate)
    expected = {n: params[n] - learning_rate * values.gradients[n] for n in network.parameters}
    step_sizes = {n: abs(params[n]) + learning_rate * sizes.gradients[n] for n in network.parameters}
    assert_close("gradient_step", stepped, expected, step_sizes)


def _trajectory_sizes(history, learning_rate: float) -> tuple[list[float], dict[str, float]]:
    """Sizes for a descent: each loss, and the final parameters (each step's terms accumulated).

    θ_{k+1} = θ_k − η g_k carries the error of θ_k and adds η times g_k's; an error carried in θ
    moves the loss by |∂L/∂θ| times it, so each loss size adds that too.
    """
    loss_sizes, carried = [], {n: abs(v) for n, v in history[0][1].items()}
    for k, (values, theta, sizes) in enumerate(history):
        if k:
            carried = {n: carried[n] + learning_rate * history[k - 1][2].gradients[n] for n in theta}
        loss_sizes.append(sizes.loss + sum(abs(values.gradients[n]) * carried[n] for n in theta))
    return loss_sizes, carried


@examples(40)
@given(cases(), st.integers(1, 5), st.floats(1e-3, 0.5))
def test_train_matches_the_references_own_gradient_descent(case, epochs, learning_rate):
    network, params, x, y = case
    evaluated(network, params, x, y)
    history = reference_for(network).descend(params, x, y, learning_rate, epochs, DIVERGENCE_LIMIT)
    run = train(network, params, x, y, learning_rate, epochs)
    final, final_theta, _ = history[-1]
    diverged = final.loss > DIVERGENCE_LIMIT or max(map(abs, final_theta.values())) > DIVERGENCE_LIMIT
    assert run.diverged == diverged, f"train says diverged={run.diverged}; the reference's descent {history}"
    compared = min(len(run.losses), len(history)) if diverged else len(history)
    if not diverged:
        assert len(run.losses) == epochs + 1
    loss_sizes, theta_sizes = _trajectory_sizes(history, learning_rate)
    for k in range(compared):
        assert_close(
            f"train loss before step {k}", as_loss(run.losses[k]), as_loss(history[k][0].loss), as_loss(loss_sizes[k])
        )
    if not diverged:
        assert_close("train final parameters", run.params, final_theta, theta_sizes)


# -- the reference itself, against 50 digits ------------------------------------------------------
@examples(20)
@given(cases())
def test_the_reference_agrees_with_mpmath(case):
    """The reference's own error is ~1e-16 of the term sizes: a thousandth of TOLERANCE at most.

    mpmath differentiates by central differences, which average the two slopes at a ReLU kink,
    so cases with a ReLU at z = 0 exactly are left out here too.
    """
    network, params, x, y = case
    reference, values, sizes = evaluated(network, params, x, y)
    for layer in reference.layers:
        assume(layer.activation != "relu" or all(values.z[n] != 0 for n in layer.neurons))
    loss, gradients = exact(network, params, x, y)
    assert abs(values.loss - loss) <= 1e-12 * sizes.loss
    for name, gradient in gradients.items():
        assert abs(values.gradients[name] - gradient) <= 1e-12 * sizes.gradients[name], name


# -- the cases measured in issue 11, exact values from mpmath ---------------------------------------
ONE_NEURON = Network(("x",), (Layer(("o",), "sigmoid", (("w",),)),), "binary_cross_entropy")
TWO_OUTPUTS_ONE_BIAS = Network(
    ("x",), (Layer(("o1", "o2"), "sigmoid", (("w1",), ("w2",)), bias="b"),), "binary_cross_entropy"
)


def sigma(z) -> mpmath.mpf:
    return 1 / (1 + mpmath.exp(-mpmath.mpf(z)))


def softplus(z) -> mpmath.mpf:
    return mpmath.log1p(mpmath.exp(mpmath.mpf(z)))


def assert_exact(checks: Mapping[str, tuple[object, mpmath.mpf]], tolerance: float = TOLERANCE) -> None:
    """Each ``what: (got, exact)`` to ``tolerance`` relative; every miss listed, not only the first."""
    wrong = []
    for what, (got, expected) in checks.items():
        got = float(np.asarray(got))
        if not abs(got - expected) <= tolerance * abs(expected):
            wrong.append(f"  {what}: {got!r}, exact {mpmath.nstr(expected, 20)}")
    assert not wrong, "differs from the exact value:\n" + "\n".join(wrong)


def test_a_confidently_wrong_sigmoid_neuron_has_loss_40_and_gradient_1():
    """w = 40, x = 1, y = 0: L = softplus(40) = 40 + 4e-18, ∂L/∂w = σ(40) = 1 − 4e-18."""
    params, x, y = {"w": 40.0}, [1.0], [0.0]
    with mpmath.workdps(50):
        loss, gradient = softplus(40), sigma(40)
    values, _ = reference_for(ONE_NEURON).evaluate(params, x, y)
    assert_exact({"reference loss": (values.loss, loss), "reference ∂L/∂w": (values.gradients["w"], gradient)}, 1e-15)
    batch_loss, batch_gradients = loss_and_gradients(ONE_NEURON, {"w": np.array([40.0, 40.0])}, x, y)
    assert_exact(
        {
            "forward loss": (forward(ONE_NEURON, params, x, y).loss, loss),
            "backward ∂L/∂w": (backward(ONE_NEURON, params, x, y).gradients["w"], gradient),
            "chain_rule ∂L/∂w": (chain_rule(ONE_NEURON, params, x, y, "w").gradient, gradient),
            "loss_and_gradients loss": (batch_loss[1], loss),
            "loss_and_gradients ∂L/∂w": (batch_gradients["w"][1], gradient),
        }
    )


def test_training_the_confidently_wrong_neuron_moves_w_to_about_38():
    """20 steps at η = 0.1 from w = 40: each step takes off 0.1·σ(w), almost exactly 0.1."""
    with mpmath.workdps(50):
        ws = [mpmath.mpf(40)]
        for _ in range(20):
            ws.append(ws[-1] - mpmath.mpf("0.1") * sigma(ws[-1]))
        losses = [softplus(w) for w in ws]
    assert abs(ws[-1] - 38) < 1e-6
    history = reference_for(ONE_NEURON).descend({"w": 40.0}, [1.0], [0.0], 0.1, 20, DIVERGENCE_LIMIT)
    assert_exact({"the reference's w after 20 steps": (history[-1][1]["w"], ws[-1])}, 1e-14)
    run = train(ONE_NEURON, {"w": 40.0}, [1.0], [0.0], 0.1, 20)
    assert not run.diverged and len(run.losses) == 21
    checks = {f"train loss before step {k}": (got, exact) for k, (got, exact) in enumerate(zip(run.losses, losses))}
    assert_exact(dict(checks, **{"train w after 20 steps": (run.params["w"], ws[-1])}))


def test_two_sigmoid_outputs_sharing_a_bias_at_saturation():
    """w1 = 999.5, w2 = 0, b = 0.5, x = 1, y = [0, 1]: z = (1000, 0.5); L = 500.24, ∂L/∂b = +0.31123."""
    network, params, x, y = TWO_OUTPUTS_ONE_BIAS, {"w1": 999.5, "w2": 0.0, "b": 0.5}, [1.0], [0.0, 1.0]
    with mpmath.workdps(50):
        loss = (softplus(1000) + softplus(0.5) - mpmath.mpf(0.5)) / 2  # (1/n) Σ softplus(z) − y z
        delta = [sigma(1000) / 2, (sigma(0.5) - 1) / 2]  # (σ(z) − y) / n
        gradients = {"w1": delta[0], "w2": delta[1], "b": delta[0] + delta[1]}
    assert abs(gradients["b"] - mpmath.mpf("0.31123")) < 1e-5 and abs(loss - mpmath.mpf("500.24")) < 1e-2
    values, _ = reference_for(network).evaluate(params, x, y)
    reference = {f"reference ∂L/∂{n}": (values.gradients[n], g) for n, g in gradients.items()}
    assert_exact(dict(reference, **{"reference loss": (values.loss, loss)}), 1e-15)
    result = backward(network, params, x, y)
    _, batch_gradients = loss_and_gradients(network, dict(params, b=np.array([0.5, 0.5])), x, y)
    checks = {"forward loss": (forward(network, params, x, y).loss, loss)}
    for name, gradient in gradients.items():
        checks[f"backward ∂L/∂{name}"] = (result.gradients[name], gradient)
        checks[f"chain_rule ∂L/∂{name}"] = (chain_rule(network, params, x, y, name).gradient, gradient)
        checks[f"loss_and_gradients ∂L/∂{name}"] = (batch_gradients[name][0], gradient)
    assert_exact(checks)


def test_cross_entropy_keeps_its_digits_below_the_clip():
    """w = 30: L = 30 + log(1 + e^-30) = 30.0000000000000936, not 30.001 (1 − σ(30) has lost 3 digits)."""
    with mpmath.workdps(50):
        loss = softplus(30)
    assert_exact({"forward loss": (forward(ONE_NEURON, {"w": 30.0}, [1.0], [0.0]).loss, loss)})


def test_relu_slope_at_its_kink_is_0_in_both():
    """z = 1·1 − 1 = 0 exactly: the slope there is 0 by the library's convention and the reference's."""
    network = Network(
        ("x",),
        (Layer(("h",), "relu", (("w1",),), bias="b"), Layer(("o",), "sigmoid", (("w2",),))),
        "half_squared_error",
    )
    params, x, y = {"w1": 1.0, "b": -1.0, "w2": 2.0}, [1.0], [0.3]
    values, _ = reference_for(network).evaluate(params, x, y)
    assert values.z["h"] == 0.0 and values.delta["h"] == 0.0 and values.gradients["b"] == 0.0
    result = backward(network, params, x, y)
    assert float(result.delta["h"]) == 0.0
    assert {n: float(g) for n, g in result.gradients.items()} == values.gradients
