"""Every activation and loss against formulas written here with :mod:`math`, finite differences and sympy."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from backproplib.engine.activations import ACTIVATIONS, get_activation
from backproplib.engine.losses import LOSSES, get_loss


def sigmoid_reference(z: float) -> float:
    # Two branches so that neither exp overflows and the tiny values for z << 0 keep full precision.
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    return math.exp(z) / (1.0 + math.exp(z))


REFERENCE = {
    "sigmoid": (sigmoid_reference, lambda z: sigmoid_reference(z) * (1.0 - sigmoid_reference(z))),
    "relu": (lambda z: z if z > 0 else 0.0, lambda z: 1.0 if z > 0 else 0.0),
    "tanh": (math.tanh, lambda z: 1.0 / math.cosh(z) ** 2),
    "identity": (lambda z: z, lambda z: 1.0),
}
POINTS = [-30.0, -7.5, -1.3, -0.2, 0.05, 0.9, 4.0, 25.0]


def test_every_activation_has_a_reference_here():
    assert set(REFERENCE) == set(ACTIVATIONS)


@pytest.mark.parametrize("name", list(REFERENCE))
@pytest.mark.parametrize("z", POINTS)
def test_activation_value_matches_the_formula(name, z):
    value = float(get_activation(name).function(np.array(z)))
    assert value == pytest.approx(REFERENCE[name][0](z), rel=1e-13, abs=1e-300)


@pytest.mark.parametrize("name", list(REFERENCE))
@pytest.mark.parametrize("z", POINTS)
def test_activation_derivative_matches_the_formula(name, z):
    act = get_activation(name)
    a = act.function(np.array(z))
    slope = float(act.derivative(np.array(z), a))
    # 1 - a for sigmoid and 1 - a^2 for tanh lose relative precision where a is near ±1 (an absolute
    # error of one ulp of 1), so the absolute tolerance is a few ulps of 1.
    assert slope == pytest.approx(REFERENCE[name][1](z), rel=1e-12, abs=5e-16)


@pytest.mark.parametrize("name", list(REFERENCE))
@pytest.mark.parametrize("z", [-3.1, -0.6, 0.4, 2.2])
def test_activation_derivative_matches_central_differences(name, z):
    act = get_activation(name)
    h = 1e-6
    numeric = (float(act.function(np.array(z + h))) - float(act.function(np.array(z - h)))) / (2 * h)
    slope = float(act.derivative(np.array(z), act.function(np.array(z))))
    assert slope == pytest.approx(numeric, rel=1e-8, abs=1e-10)


@pytest.mark.parametrize("name", list(REFERENCE))
@pytest.mark.parametrize("z", [-2.5, -0.3, 0.7, 3.0])
def test_sympy_form_of_each_activation_matches_its_numeric_form(name, z):
    act = get_activation(name)
    symbol = sp.Symbol("z", real=True)
    expression = act.symbolic(symbol)
    assert float(expression.subs(symbol, z)) == pytest.approx(REFERENCE[name][0](z), rel=1e-14, abs=1e-300)
    assert float(sp.diff(expression, symbol).subs(symbol, z)) == pytest.approx(REFERENCE[name][1](z), rel=1e-12)


def test_relu_slope_at_the_kink_is_zero_by_convention():
    relu = get_activation("relu")
    assert float(relu.derivative(np.array(0.0), relu.function(np.array(0.0)))) == 0.0
    symbol = sp.Symbol("z", real=True)
    assert sp.diff(relu.symbolic(symbol), symbol).subs(symbol, 0) == 0


@pytest.mark.parametrize("name", list(REFERENCE))
def test_activations_at_extreme_inputs_are_finite_and_silent(name):
    act = get_activation(name)
    z = np.array([-1000.0, -710.0, 710.0, 1000.0])
    # each would be a warning; underflow to 0 is exact enough
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        a = act.function(z)
        slope = act.derivative(z, a)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(slope))
    expected = {
        "sigmoid": [0.0, 0.0, 1.0, 1.0],
        "relu": [0.0, 0.0, 710.0, 1000.0],
        "tanh": [-1.0, -1.0, 1.0, 1.0],
        "identity": [-1000.0, -710.0, 710.0, 1000.0],
    }[name]
    assert a.tolist() == pytest.approx(expected, abs=1e-300)


@pytest.mark.parametrize("name", list(REFERENCE))
def test_activations_keep_the_shape_of_their_input(name):
    act = get_activation(name)
    z = np.linspace(-2.0, 2.0, 12).reshape(3, 4)
    a = act.function(z)
    assert a.shape == (3, 4) and act.derivative(z, a).shape == (3, 4)
    assert [float(v) for v in a.ravel()] == pytest.approx([REFERENCE[name][0](float(v)) for v in z.ravel()], rel=1e-13)


def test_activation_function_does_not_modify_its_input():
    z = np.array([-1.0, 0.5, 2.0])
    for act in ACTIVATIONS.values():
        act.function(z)
        assert z.tolist() == [-1.0, 0.5, 2.0], act.name


# --- losses ----------------------------------------------------------------------------


def loss_reference(name: str, yhat: list[float], y: list[float]) -> float:
    n = len(yhat)
    if name == "half_squared_error":
        return sum(0.5 * (p - t) ** 2 for p, t in zip(yhat, y))
    if name == "mean_squared_error":
        return sum((p - t) ** 2 for p, t in zip(yhat, y)) / n
    return -sum(t * math.log(p) + (1 - t) * math.log(1 - p) for p, t in zip(yhat, y)) / n


CASES = [
    ([0.7], [0.2]), ([0.3], [1.0]), ([0.05], [0.0]), ([0.9, 0.4], [1.0, 0.25]), ([0.2, 0.6, 0.85], [0.0, 0.5, 1.0]),
]


def test_every_loss_has_a_reference_here():
    assert set(LOSSES) == {"half_squared_error", "mean_squared_error", "binary_cross_entropy"}


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("yhat,y", CASES)
def test_loss_value_matches_the_formula(name, yhat, y):
    value = float(get_loss(name).value([np.array(p) for p in yhat], [np.array(t) for t in y]))
    assert value == pytest.approx(loss_reference(name, yhat, y), rel=1e-13)


def test_loss_values_by_hand():
    # Written out once in full so the reference function above is itself checked.
    assert float(get_loss("half_squared_error").value([np.array(0.75)], [np.array(0.25)])) == pytest.approx(0.125)
    assert float(
        get_loss("mean_squared_error").value([np.array(1.0), np.array(0.0)], [np.array(0.0)] * 2)
    ) == pytest.approx(0.5)
    assert float(get_loss("binary_cross_entropy").value([np.array(0.5)], [np.array(1.0)])) == pytest.approx(math.log(2))


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("yhat,y", CASES)
def test_loss_gradient_matches_central_differences(name, yhat, y):
    loss = get_loss(name)
    gradient = [float(g) for g in loss.gradient([np.array(p) for p in yhat], [np.array(t) for t in y])]
    h = 1e-7
    for i in range(len(yhat)):
        up = list(yhat)
        down = list(yhat)
        up[i] += h
        down[i] -= h
        numeric = (loss_reference(name, up, y) - loss_reference(name, down, y)) / (2 * h)
        assert gradient[i] == pytest.approx(numeric, rel=1e-6, abs=1e-9), i


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("yhat,y", CASES)
def test_sympy_form_of_each_loss_matches_the_formula_and_its_gradient(name, yhat, y):
    loss = get_loss(name)
    p = sp.symbols(f"p0:{len(yhat)}", real=True)
    t = sp.symbols(f"t0:{len(yhat)}", real=True)
    expression = loss.symbolic(list(p), list(t))
    at = {**dict(zip(p, yhat)), **dict(zip(t, y))}
    assert float(expression.subs(at)) == pytest.approx(loss_reference(name, yhat, y), rel=1e-13)
    numeric = loss.gradient([np.array(v) for v in yhat], [np.array(v) for v in y])
    for pi, g in zip(p, numeric):
        assert float(sp.diff(expression, pi).subs(at)) == pytest.approx(float(g), rel=1e-12)


def test_mean_squared_error_divides_by_the_number_of_outputs_and_half_squared_error_does_not():
    yhat, y = [np.array(1.0), np.array(3.0)], [np.array(0.0), np.array(0.0)]
    assert float(get_loss("half_squared_error").value(yhat, y)) == pytest.approx(0.5 * 1 + 0.5 * 9)
    assert float(get_loss("mean_squared_error").value(yhat, y)) == pytest.approx((1 + 9) / 2)
    assert [float(g) for g in get_loss("mean_squared_error").gradient(yhat, y)] == pytest.approx([1.0, 3.0])


@pytest.mark.parametrize("p,t", [(0.0, 0.0), (1.0, 1.0), (0.0, 1.0), (1.0, 0.0), (0.0, 0.5), (1.0, 0.5)])
def test_cross_entropy_on_a_prediction_of_zero_or_one_gives_the_limits_silently(p, t):
    # No clipping: a right certain prediction costs exactly 0 with a finite slope, a wrong one costs +inf
    # and its gradient is infinite and pushes the prediction toward the target. (A network never gets
    # here: it scores cross-entropy from z, see test_exact_cross_entropy.py.)
    loss = get_loss("binary_cross_entropy")
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        value = float(loss.value([np.array(p)], [np.array(t)]))
        gradient = float(loss.gradient([np.array(p)], [np.array(t)])[0])
    if p == t:
        assert value == 0.0 and gradient == (1.0 if p == 0.0 else -1.0)  # (1 - t)/(1 - p) - t/p
    else:
        assert value == math.inf
        assert gradient == math.copysign(math.inf, p - t)


def test_cross_entropy_close_to_zero_and_one_still_matches_the_formula():
    loss = get_loss("binary_cross_entropy")
    for p, t in [(1e-9, 1.0), (1 - 1e-9, 0.0), (1e-9, 0.0)]:
        value = float(loss.value([np.array(p)], [np.array(t)]))
        assert value == pytest.approx(loss_reference("binary_cross_entropy", [p], [t]), rel=1e-6)


@pytest.mark.parametrize("name", list(LOSSES))
def test_losses_broadcast_over_a_batch(name):
    yhat = [np.linspace(0.1, 0.9, 5)]
    y = [np.array(0.3)]
    values = get_loss(name).value(yhat, y)
    assert values.shape == (5,)
    expected = [loss_reference(name, [float(p)], [0.3]) for p in yhat[0]]
    assert values.tolist() == pytest.approx(expected, rel=1e-13)


def test_unknown_names_list_the_allowed_ones():
    with pytest.raises(
        ValueError, match="activation must be one of 'sigmoid', 'relu', 'tanh', 'identity'; got 'softmax'"
    ):
        get_activation("softmax")
    with pytest.raises(
        ValueError,
        match="loss must be one of 'half_squared_error', 'mean_squared_error', 'binary_cross_entropy'; got 'hinge'",
    ):
        get_loss("hinge")
