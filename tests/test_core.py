"""Activations, losses, backprop against sympy and finite differences, and bad input."""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import assume, given, settings

from backproplib import (
    Layer,
    Network,
    backward,
    chain_rule,
    forward,
    get_activation,
    get_loss,
    layered_network,
    load_example,
    train,
)
from backproplib.checking.checks import finite_difference_gradients
from backproplib.engine.symbolic import SymbolicNetwork
from strategies import networks

MATH_ACTIVATIONS = {
    "sigmoid": (lambda z: 1 / (1 + math.exp(-z)), lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2),
    "relu": (lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
    "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    "identity": (lambda z: z, lambda z: 1.0),
}


@pytest.mark.parametrize("name", list(MATH_ACTIVATIONS))
@pytest.mark.parametrize("z", [-3.0, -0.7, 0.2, 2.5])
def test_activation_values_and_slopes_match_the_formulas(name, z):
    act = get_activation(name)
    value, slope = MATH_ACTIVATIONS[name]
    a = act.function(np.array(z))
    assert float(a) == pytest.approx(value(z), rel=1e-12, abs=1e-15)
    assert float(act.derivative(np.array(z), a)) == pytest.approx(slope(z), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("name", list(MATH_ACTIVATIONS))
def test_activations_stay_finite_at_extreme_inputs(name):
    act = get_activation(name)
    z = np.array([-1000.0, 1000.0])
    a = act.function(z)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(act.derivative(z, a)))


@pytest.mark.parametrize(
    "name,p,t,value,grad",
    [
        ("half_squared_error", 0.7, 0.2, 0.5 * 0.25, 0.5),
        ("mean_squared_error", 0.7, 0.2, 0.25, 1.0),
        ("binary_cross_entropy", 0.7, 1.0, -math.log(0.7), -1 / 0.7),
        ("binary_cross_entropy", 0.7, 0.0, -math.log(0.3), 1 / 0.3),
    ],
)
def test_losses_and_their_gradients(name, p, t, value, grad):
    loss = get_loss(name)
    assert float(loss.value([np.array(p)], [np.array(t)])) == pytest.approx(value, rel=1e-12)
    assert float(loss.gradient([np.array(p)], [np.array(t)])[0]) == pytest.approx(grad, rel=1e-9)


def test_cross_entropy_at_zero_and_one_is_its_limit_never_nan():
    # No clipping (issue 11): right and certain costs 0, wrong and certain +inf (networks score it from z).
    loss = get_loss("binary_cross_entropy")
    for p, t in [(0.0, 0.0), (1.0, 1.0), (0.0, 1.0), (1.0, 0.0)]:
        assert float(loss.value([np.array(p)], [np.array(t)])) == (0.0 if p == t else math.inf)
        assert not np.isnan(loss.gradient([np.array(p)], [np.array(t)])[0])


def test_backward_is_repeatable_and_shared_bias_sums_its_paths():
    ex = load_example("shared_bias")
    first = backward(ex.network, ex.params, ex.x, ex.y)
    second = backward(ex.network, ex.params, ex.x, ex.y)
    assert {k: float(v) for k, v in first.gradients.items()} == {k: float(v) for k, v in second.gradients.items()}
    assert float(first.gradients["b1"]) == pytest.approx(float(first.delta["h1"] + first.delta["h2"]), rel=1e-14)
    rule = chain_rule(ex.network, ex.params, ex.x, ex.y, "b1")
    assert len(rule.paths) == 2 and rule.gradient == pytest.approx(float(first.gradients["b1"]), rel=1e-14)


def test_training_lowers_the_loss_and_reports_every_epoch():
    ex = load_example("shared_bias")
    run = train(ex.network, ex.params, ex.x, ex.y, ex.learning_rate, 200)
    assert len(run.losses) == 201 and run.losses[-1] < run.losses[0] / 10 and not run.diverged


@lru_cache(maxsize=None)
def symbolic_for(network: Network) -> SymbolicNetwork:
    return SymbolicNetwork(network)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(networks())
def test_backprop_equals_sympy_equals_finite_differences(case):
    net, params, x, y = case
    fwd = forward(net, params, x, y)
    relu_inputs = [float(fwd.z[n]) for layer in net.layers if layer.activation == "relu" for n in layer.neurons]
    assume(all(abs(z) > 1e-3 for z in relu_inputs))  # finite differences straddle a kink otherwise
    numeric = backward(net, params, x, y).gradients
    _, symbolic = symbolic_for(net).evaluate(params, x, y)
    differences = finite_difference_gradients(net, params, x, y, step=1e-6)
    for p in net.parameters:
        assert float(numeric[p]) == pytest.approx(symbolic[p], rel=1e-9, abs=1e-12), p
        assert float(numeric[p]) == pytest.approx(differences[p], rel=1e-5, abs=1e-7), p


@pytest.mark.parametrize(
    "build,message",
    [
        (lambda: Layer(("h",), "softplus", (("w",),)), "activation must be one of"),
        (lambda: Layer(("h1", "h2"), "relu", (("w1",),)), "weights must have one row per neuron"),
        (lambda: Layer(("h1", "h2"), "relu", (("w1",), ("w2",)), bias=("b",)), "bias must be None"),
        (lambda: Network(("x",), (Layer(("h",), "relu", (("w1", "w2"),)),), "half_squared_error"), "one name per unit"),
        (lambda: Network(("x",), (Layer(("h",), "relu", (("w1",),)),), "hinge"), "loss must be one of"),
        (lambda: Network(("x",), (Layer(("h",), "relu", (("w1",),)),), "binary_cross_entropy"), "must be 'sigmoid'"),
        (
            lambda: Network(("x",), (Layer(("h",), "relu", (("x",),)),), "half_squared_error"),
            r"'x' is inputs\[0\] and layers\[0\]\.weights\[0\]\[0\]",
        ),
    ],
)
def test_bad_descriptions_name_the_field_and_the_allowed_values(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_bad_numbers_name_the_parameter():
    ex = load_example("tiny_relu")
    with pytest.raises(ValueError, match="unknown parameter 'w9'; the parameters are 'w1', 'w2'"):
        forward(ex.network, dict(ex.params, w9=1.0), ex.x, ex.y)
    with pytest.raises(ValueError, match="params is missing 'w2'"):
        forward(ex.network, {"w1": 0.5}, ex.x, ex.y)
    with pytest.raises(ValueError, match="parameter 'w1' must be finite"):
        forward(ex.network, dict(ex.params, w1=float("nan")), ex.x, ex.y)
    with pytest.raises(ValueError, match="input 'x' must be finite"):
        forward(ex.network, ex.params, {"x": float("inf")}, ex.y)
    with pytest.raises(ValueError, match="x must have 1 value, one per input"):
        forward(ex.network, ex.params, [1.0, 2.0], ex.y)
    with pytest.raises(ValueError, match=r"target y for 'o' must lie in \[0, 1\]"):
        forward(ex.network, ex.params, ex.x, 1.5)
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
        train(ex.network, ex.params, ex.x, ex.y, 0.0, 10)
    with pytest.raises(ValueError, match="epochs must be a whole number >= 0"):
        train(ex.network, ex.params, ex.x, ex.y, 0.1, -1)
    with pytest.raises(TypeError, match="parameter 'w1' must be a real number"):
        forward(ex.network, dict(ex.params, w1="big"), ex.x, ex.y)


@pytest.mark.parametrize("activation", list(MATH_ACTIVATIONS))
@pytest.mark.parametrize("loss", ["half_squared_error", "mean_squared_error", "binary_cross_entropy"])
def test_extreme_weights_give_finite_results(activation, loss):
    output = "sigmoid" if loss == "binary_cross_entropy" else activation
    net = layered_network(1, [1, 1], [activation, output], loss)
    for w in (-1000.0, 1000.0):
        params = {p: w for p in net.parameters}
        result = backward(net, params, [1.0], [1.0])
        assert np.isfinite(result.loss) and all(np.isfinite(g) for g in result.gradients.values())
