"""The sympy twin against expressions written here, the chain rule and the numeric pass."""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backproplib import Layer, Network, backward, chain_rule, layered_network, load_example, loss_and_gradients
from backproplib.engine.network import NAME_PATTERN
from backproplib.engine.symbolic import (
    SYMBOLIC_LIMIT,
    WRITTEN_OUT_LIMIT,
    Latex,
    SymbolicNetwork,
    check_symbolic_size,
    latex_symbol,
    written_out_size,
)

EXAMPLE_KEYS = ["blame_flow", "tiny_relu", "shared_bias", "sum_target"]


def symbols(names: str) -> list[sp.Symbol]:
    return [sp.Symbol(n, real=True) for n in names.split()]


def sigma(t: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-t))


def same_function(first: sp.Expr, second: sp.Expr, variables: list[sp.Symbol], trials: int = 5) -> bool:
    """True when the two expressions agree at random points (to 25 digits)."""
    rng = np.random.default_rng(0)
    for _ in range(trials):
        point = {v: sp.Float(rng.uniform(-1.5, 1.5), 30) for v in variables}
        if abs(complex((first - second).xreplace(point))) > 1e-25 * (1 + abs(complex(first.xreplace(point)))):
            return False
    return True


@pytest.fixture(scope="module")
def shared_bias():
    ex = load_example("shared_bias")
    return ex, SymbolicNetwork(ex.network)


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,latex",
    [
        ("w5", "w_{5}"),
        ("w_h1", "w_{h1}"),
        ("w11", "w_{11}"),
        ("b1", "b_{1}"),
        ("a_out", "a_{out}"),
        ("z_h1", "z_{h1}"),
        ("x", "x"),
        ("y", "y"),
        ("L", "L"),
        ("y_o2", "y_{o2}"),
        ("w1_2_3", "w_{1,2,3}"),
        ("wh11", "w_{h11}"),
        ("bo", "b_{o}"),
        ("alpha", r"\alpha"),
        ("theta_1", r"\theta_{1}"),
        ("weight", r"\mathrm{weight}"),
    ],
)
def test_latex_symbol(name, latex):
    assert latex_symbol(name) == latex


@pytest.mark.parametrize("bad", ["", "w-1", "w 1", 5, None, "_w", "1", "2w_1"])
def test_latex_symbol_rejects_what_the_naming_rule_rejects(bad):
    with pytest.raises(ValueError, match="name must follow the naming rule"):
        latex_symbol(bad)
    with pytest.raises((TypeError, ValueError)):  # the same names are refused by the description
        Network(("x",), (Layer(("o",), "sigmoid", ((bad,),)),), "half_squared_error")


def test_symbols_carry_the_names_of_the_description(shared_bias):
    ex, net = shared_bias
    assert list(net.parameters) == ["w1", "w2", "w3", "w4", "b1", "w5", "w6", "b2"]
    assert all(s.name == n for n, s in net.parameters.items())
    assert [s.name for s in net.inputs.values()] == ["x1", "x2"]
    assert {o: s.name for o, s in net.targets.items()} == {"out": "y"}
    assert set(net.symbols) == {"w1", "w2", "w3", "w4", "b1", "w5", "w6", "b2", "x1", "x2", "y"}


def test_several_outputs_get_one_target_symbol_each():
    net = layered_network(1, [2], ["identity"], "mean_squared_error")
    twin = SymbolicNetwork(net)
    assert {o: s.name for o, s in twin.targets.items()} == {"n1_1": "y_n1_1", "n1_2": "y_n1_2"}
    w11, w21, b11, b12, x1, y1, y2 = symbols("w1_1_1 w1_2_1 b1_1 b1_2 x1 y_n1_1 y_n1_2")
    expected = ((w11 * x1 + b11 - y1) ** 2 + (w21 * x1 + b12 - y2) ** 2) / 2
    assert sp.expand(twin.loss - expected) == 0


# --- expressions -------------------------------------------------------------------------


def test_expressions_of_doc_001_written_by_hand(shared_bias):
    _, net = shared_bias
    w1, w2, w3, w4, b1, w5, w6, b2, x1, x2, y = symbols("w1 w2 w3 w4 b1 w5 w6 b2 x1 x2 y")
    assert net.z["h1"] == w1 * x1 + w2 * x2 + b1
    assert net.z["h2"] == w3 * x1 + w4 * x2 + b1  # the same b1 in both sums
    h1, h2 = sigma(net.z["h1"]), sigma(net.z["h2"])
    assert net.a["h1"] == h1
    assert net.z["out"] == w5 * h1 + w6 * h2 + b2
    loss = sp.Rational(1, 2) * (sigma(w5 * h1 + w6 * h2 + b2) - y) ** 2
    assert sp.simplify(net.loss - loss) == 0


def test_gradient_of_a_linear_neuron_is_the_textbook_formula():
    net = SymbolicNetwork(Network(("x",), (Layer(("o",), "identity", (("w",),), bias=("b",)),), "half_squared_error"))
    w, b, x, y = symbols("w b x y")
    assert sp.expand(net.gradient("w") - x * (w * x + b - y)) == 0
    assert sp.expand(net.gradient("b") - (w * x + b - y)) == 0


def test_gradient_of_cross_entropy_through_a_sigmoid_is_yhat_minus_y_times_the_input():
    ex = load_example("tiny_relu")
    net = SymbolicNetwork(ex.network)
    w1, w2, x, y = symbols("w1 w2 x y")
    # Where the ReLU is active: dL/dw2 = (sigma(w2 w1 x) - y) w1 x.
    active = {x: sp.Float(1.0, 30)}
    expected = ((sigma(w2 * w1 * x) - y) * w1 * x).xreplace(active)
    gradient = net.gradient("w2").xreplace(active)
    for w1_value in (0.3, 1.7):
        for w2_value in (-0.8, 0.5):
            point = {w1: sp.Float(w1_value, 30), w2: sp.Float(w2_value, 30), y: sp.Float(0.25, 30)}
            assert abs(float(gradient.xreplace(point) - expected.xreplace(point))) < 1e-25


def test_relu_derivative_is_zero_on_the_inactive_side():
    ex = load_example("tiny_relu")
    net = SymbolicNetwork(ex.network)
    _, gradients = net.evaluate(dict(ex.params, w1=-0.5), ex.x, ex.y)
    assert gradients["w1"] == 0.0 and gradients["w2"] == 0.0
    _, gradients = net.evaluate(dict(ex.params, w1=0.0), ex.x, ex.y)  # at the kink, the numeric convention
    assert gradients["w1"] == 0.0


def test_gradients_cover_every_parameter_in_order(shared_bias):
    ex, net = shared_bias
    assert list(net.gradients) == list(ex.network.parameters)
    assert net.gradient("w5") is net.gradient("w5")  # derived once, then kept


@pytest.mark.parametrize("key", EXAMPLE_KEYS)
def test_gradients_match_central_differences_of_the_sympy_loss(key):
    # Independent of the numeric pass: the sympy loss itself, nudged at 30 digits.
    ex = load_example(key)
    net = SymbolicNetwork(ex.network)
    _, exact = net.evaluate(ex.params, ex.x, ex.y)
    base = {**{net.parameters[p]: v for p, v in ex.params.items()}, **{net.inputs[i]: v for i, v in ex.x.items()}}
    base[next(iter(net.targets.values()))] = ex.y
    h = sp.Float("1e-10", 30)
    for name, symbol in net.parameters.items():
        up = {s: sp.Float(v, 30) for s, v in base.items()}
        down = dict(up)
        up[symbol] += h
        down[symbol] -= h
        slope = (net.loss.xreplace(up) - net.loss.xreplace(down)) / (2 * h)
        assert exact[name] == pytest.approx(float(slope), rel=1e-9, abs=1e-15), name


@pytest.mark.parametrize("key", EXAMPLE_KEYS)
def test_evaluate_matches_backward(key):
    ex = load_example(key)
    loss, gradients = SymbolicNetwork(ex.network).evaluate(ex.params, ex.x, ex.y)
    result = backward(ex.network, ex.params, ex.x, ex.y)
    assert loss == pytest.approx(float(result.loss), rel=1e-13)
    for name in ex.network.parameters:
        assert gradients[name] == pytest.approx(float(result.gradients[name]), rel=1e-12, abs=1e-17), name


def test_point_holds_the_forward_pass_of_doc_001(shared_bias):
    ex, net = shared_bias
    values = {s.name: v for s, v in net.point(ex.params, ex.x, ex.y).items()}
    z_h1 = 0.05 * 0.15 + 0.10 * 0.20 + 0.35
    assert values["z_h1"] == pytest.approx(z_h1, rel=1e-15)
    assert values["a_h1"] == pytest.approx(1 / (1 + math.exp(-z_h1)), rel=1e-15)
    assert round(values["a_out"], 4) == 0.7514  # as the document prints
    assert values["y"] == 0.01 and values["w5"] == 0.40


def test_evaluate_is_precise_where_floats_cancel():
    # 1 - sigmoid(30) is about 9.4e-14; in float arithmetic 1 - a keeps only three digits of it.
    net = SymbolicNetwork(Network(("x",), (Layer(("o",), "sigmoid", (("w",),)),), "binary_cross_entropy"))
    loss, gradients = net.evaluate({"w": 30.0}, [1.0], 0.0)
    assert loss == pytest.approx(30.0 + math.log1p(math.exp(-30.0)), rel=1e-14)
    assert gradients["w"] == pytest.approx(1 / (1 + math.exp(-30.0)), rel=1e-14)  # (yhat - y) x


# --- lambdify ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", EXAMPLE_KEYS)
def test_lambdified_function_matches_numeric_on_a_batch(key):
    ex = load_example(key)
    compiled = SymbolicNetwork(ex.network).lambdify()
    first, second = ex.network.parameters[0], ex.network.parameters[-1]
    rng = np.random.default_rng(5)
    batch = dict(ex.params)
    # 0.31 avoids ReLU's kink; the shapes (4, 1) and (1, 3) broadcast to (4, 3).
    batch[first] = rng.uniform(0.31, 2.0, (4, 1))
    batch[second] = rng.uniform(-2.0, 2.0, (1, 3))
    loss, gradients = compiled(batch, ex.x, ex.y)
    expected_loss, expected = loss_and_gradients(ex.network, batch, ex.x, ex.y)
    assert loss.shape == expected_loss.shape == (4, 3)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-12)
    assert list(gradients) == list(expected)
    for name in expected:
        assert gradients[name].shape == (4, 3)
        np.testing.assert_allclose(gradients[name], expected[name], rtol=1e-10, atol=1e-15, err_msg=name)


def test_lambdified_function_on_single_numbers_and_across_a_relu_kink():
    ex = load_example("tiny_relu")
    compiled = SymbolicNetwork(ex.network).lambdify()
    loss, gradients = compiled(ex.params, ex.x, ex.y)
    assert loss.shape == () and gradients["w1"].shape == ()
    assert float(gradients["w1"]) == pytest.approx(
        float(backward(ex.network, ex.params, ex.x, ex.y).gradients["w1"]), rel=1e-12
    )
    w1 = np.array([-1.0, -0.25, 0.25, 1.0])
    loss, gradients = compiled(dict(ex.params, w1=w1), ex.x, ex.y)
    assert gradients["w1"][:2].tolist() == [0.0, 0.0]
    o = [1 / (1 + math.exp(-0.5 * w)) for w in (0.25, 1.0)]
    assert gradients["w1"][2:].tolist() == pytest.approx([p * 0.5 for p in o], rel=1e-12)  # (yhat - y) w2 x
    assert loss[:2].tolist() == pytest.approx([math.log(2)] * 2, rel=1e-14)


def test_lambdify_is_compiled_once(shared_bias):
    _, net = shared_bias
    assert net.lambdify() is net.lambdify()


def test_lambdified_function_checks_its_arguments(shared_bias):
    ex, net = shared_bias
    with pytest.raises(ValueError, match="unknown parameter 'w9'"):
        net.lambdify()(dict(ex.params, w9=1.0), ex.x, ex.y)
    with pytest.raises(ValueError, match="x must have 2 values"):
        net.lambdify()(ex.params, [1.0], ex.y)


def test_a_parameter_named_like_a_python_keyword_still_compiles():
    net = Network(("x",), (Layer(("o",), "identity", (("lambda",),), bias=("exp",)),), "half_squared_error")
    loss, gradients = SymbolicNetwork(net).lambdify()({"lambda": 2.0, "exp": 0.5}, [3.0], 1.0)
    assert float(loss) == pytest.approx(0.5 * (2.0 * 3.0 + 0.5 - 1.0) ** 2)
    assert float(gradients["lambda"]) == pytest.approx((2.0 * 3.0 + 0.5 - 1.0) * 3.0)
    assert float(gradients["exp"]) == pytest.approx(2.0 * 3.0 + 0.5 - 1.0)


# --- chain rule in local symbols -------------------------------------------------------------


def test_chain_rule_factors_of_doc_001_in_local_symbols(shared_bias):
    ex, net = shared_bias
    rule = net.chain_rule("w1")
    a_out, z_out, z_h1, w5, x1, y = symbols("a_out z_out z_h1 w5 x1 y")
    factors = rule.paths[0]
    assert [(f.of, f.wrt) for f in factors] == [
        ("L", "a_out"), ("a_out", "z_out"), ("z_out", "a_h1"), ("a_h1", "z_h1"), ("z_h1", "w1"),
    ]
    assert sp.expand(factors[0].expression - (a_out - y)) == 0
    assert same_function(factors[1].expression, sigma(z_out) * (1 - sigma(z_out)), [z_out])
    assert factors[2].expression == w5
    assert same_function(factors[3].expression, sigma(z_h1) * (1 - sigma(z_h1)), [z_h1])
    assert factors[4].expression == x1
    assert all(f.value is None for f in factors)
    bias_paths = net.chain_rule("b1").paths
    assert len(bias_paths) == 2 and [p[-1].expression for p in bias_paths] == [1, 1]
    assert [p[-1].of for p in bias_paths] == ["z_h1", "z_h2"]


def test_cross_entropy_factor_is_the_full_derivative_not_yhat_minus_y():
    ex = load_example("tiny_relu")
    first = SymbolicNetwork(ex.network).chain_rule("w2", ex.params, ex.x, ex.y).paths[0][0]
    a_o, y = symbols("a_o y")
    assert (first.of, first.wrt) == ("L", "a_o")
    assert sp.simplify(first.expression - (a_o - y) / (a_o * (1 - a_o))) == 0
    o = 1 / (1 + math.exp(-0.25))
    assert first.value == pytest.approx(1 / (1 - o), rel=1e-14)  # y = 0


def test_relu_factor_is_a_piecewise_step():
    ex = load_example("tiny_relu")
    rule = SymbolicNetwork(ex.network).chain_rule("w1", ex.params, ex.x, ex.y)
    slope = rule.paths[0][3]
    (z_h,) = symbols("z_h")
    assert (slope.of, slope.wrt) == ("a_h", "z_h")
    assert slope.expression.subs(z_h, 0.7) == 1 and slope.expression.subs(z_h, -0.7) == 0
    assert slope.value == 1.0


@pytest.mark.parametrize("key", EXAMPLE_KEYS)
def test_chain_rule_factors_equal_the_numeric_factors(key):
    ex = load_example(key)
    net = SymbolicNetwork(ex.network)
    for name in ex.network.parameters:
        symbolic = net.chain_rule(name, ex.params, ex.x, ex.y)
        numeric = chain_rule(ex.network, ex.params, ex.x, ex.y, name)
        assert len(symbolic.paths) == len(numeric.paths), name
        for mine, theirs in zip(symbolic.paths, numeric.paths):
            assert [(f.of, f.wrt) for f in mine] == [(f.of, f.wrt) for f in theirs]
            assert [f.value for f in mine] == pytest.approx([f.value for f in theirs], rel=1e-12, abs=1e-300)
        assert symbolic.gradient == pytest.approx(numeric.gradient, rel=1e-12, abs=1e-17)


@pytest.mark.parametrize("key", ["shared_bias", "tiny_relu"])
def test_chain_rule_paths_reassemble_sympys_own_derivative(key):
    # Put the global expressions back in for the local symbols: the sum of path products must be
    # the derivative sympy found by differentiating the whole loss.
    ex = load_example(key)
    net = SymbolicNetwork(ex.network)
    local = {}
    for n in ex.network.neurons:
        local[sp.Symbol(f"z_{n}", real=True)] = net.z[n]
        local[sp.Symbol(f"a_{n}", real=True)] = net.a[n]
    variables = [*net.parameters.values(), *net.inputs.values(), *net.targets.values()]
    rng = np.random.default_rng(1)
    for name in ex.network.parameters:
        assembled = sp.Add(*net.chain_rule(name).path_expressions()).xreplace(local)
        for _ in range(3):
            point = {v: sp.Float(rng.uniform(0.1, 0.9), 30) for v in variables}  # inside (0, 1): valid for every loss
            difference = (assembled - net.gradient(name)).xreplace(point)
            assert abs(float(difference)) < 1e-25, name


def test_chain_rule_needs_all_or_none_of_the_numbers(shared_bias):
    ex, net = shared_bias
    with pytest.raises(ValueError, match="chain_rule needs all of params, x and y"):
        net.chain_rule("w1", ex.params, ex.x)
    with pytest.raises(ValueError, match="path_products needs numbers"):
        net.chain_rule("w1").path_products()


# --- LaTeX ------------------------------------------------------------------------------------


def test_gradient_latex(shared_bias):
    _, net = shared_bias
    text = net.gradient_latex("w5")
    assert isinstance(text, Latex) and isinstance(text, str)
    assert text.startswith(r"\frac{\partial L}{\partial w_{5}} = ")
    assert "w_{5}" in text and "x_{1}" in text and "b_{1}" in text and "w5" not in text
    assert text._repr_latex_() == f"$\\displaystyle {text}$"


def test_loss_and_chain_rule_latex(shared_bias):
    ex, net = shared_bias
    assert net.loss_latex().startswith("L = ")
    text = net.chain_rule_latex("b1", ex.params, ex.x, ex.y)
    assert text.startswith("\\begin{aligned}") and text.endswith("\\end{aligned}")
    first_line, second_line = text.splitlines()[1:3]
    # two paths for the shared bias, one a line, the second after a plus
    assert "+" not in first_line and first_line.count(r"\partial z_{h1}}{\partial b_{1}}") == 1
    assert second_line.startswith(r"&\quad + ") and second_line.count(r"\partial z_{h2}}{\partial b_{1}}") == 1
    assert r"\frac{\partial z_{out}}{\partial a_{h1}} &= w_{5} = 0.4" in text
    assert r"\frac{\partial z_{h2}}{\partial b_{1}} &= 1" in text
    symbolic_only = net.chain_rule_latex("b1")
    assert "0.4" not in symbolic_only and r"&= w_{5}" in symbolic_only


def test_factor_latex_shows_formula_and_value():
    ex = load_example("sum_target")
    rule = SymbolicNetwork(ex.network).chain_rule("w_h1", ex.params, ex.x, ex.y)
    last = rule.paths[0][-1]
    assert last.latex() == r"\frac{\partial z_{o}}{\partial w_{h1}} = a_{h1} = " + f"{1 / (1 + math.exp(-1.1)):.6g}"


# --- bad input ------------------------------------------------------------------------------


def test_symbolic_network_rejects_what_is_not_a_network():
    with pytest.raises(TypeError, match="network must be a Network; got str"):
        SymbolicNetwork("shared_bias")


def test_unknown_parameter_names_the_allowed_ones(shared_bias):
    _, net = shared_bias
    message = "unknown parameter 'w7'; the parameters are 'w1', 'w2', 'w3', 'w4', 'b1', 'w5', 'w6', 'b2'"
    with pytest.raises(ValueError, match=message):
        net.gradient("w7")
    with pytest.raises(ValueError, match=message):
        net.chain_rule("w7")
    with pytest.raises(ValueError, match="unknown parameter 'w7'"):
        net.gradient_latex("w7")


def test_evaluate_needs_single_numbers(shared_bias):
    ex, net = shared_bias
    with pytest.raises(ValueError, match=r"w5 must be a single number for the symbolic twin; got shape \(2,\)"):
        net.evaluate(dict(ex.params, w5=np.array([0.1, 0.2])), ex.x, ex.y)
    with pytest.raises(ValueError, match="parameter 'w5' must be finite"):
        net.evaluate(dict(ex.params, w5=float("nan")), ex.x, ex.y)


def test_repr_says_what_it_holds(shared_bias):
    _, net = shared_bias
    assert repr(net) == "SymbolicNetwork(8 parameters, loss half_squared_error)"


# --- every name a Network accepts ----------------------------------------------------------


def test_names_the_twin_uses_itself_are_accepted_and_kept_apart():
    # A weight called y, biases called z_h1 and a_o: Network accepts them, so the twin must too.
    net = Network(
        ("x",),
        (Layer(("h1",), "sigmoid", (("w",),), bias=("z_h1",)), Layer(("o",), "sigmoid", (("y",),), bias=("a_o",))),
        "binary_cross_entropy",
    )
    twin = SymbolicNetwork(net)
    params = {"w": 0.7, "z_h1": -0.2, "y": 1.3, "a_o": 0.1}
    loss, gradients = twin.evaluate(params, [0.5], 0.25)
    result = backward(net, params, [0.5], 0.25)
    assert loss == pytest.approx(float(result.loss), rel=1e-13)
    assert gradients == pytest.approx({p: float(g) for p, g in result.gradients.items()}, rel=1e-12)
    target = twin.targets["o"]
    assert target != twin.parameters["y"] and twin.latex_names[target] == "y"  # shown as y, kept apart
    assert len({*twin.parameters.values(), *twin.inputs.values(), target}) == 6
    assert twin.gradient_latex("y").startswith(r"\frac{\partial L}{\partial y} = ")
    rule = twin.chain_rule("z_h1", params, [0.5], 0.25)
    links = [("L", "a_o"), ("a_o", "z_o"), ("z_o", "a_h1"), ("a_h1", "z_h1"), ("z_h1", "z_h1")]
    assert [(f.of, f.wrt) for f in rule.paths[0]] == links
    assert rule.gradient == pytest.approx(gradients["z_h1"], rel=1e-12)


@pytest.mark.parametrize("name", ["L", "y", "y_", "z_o", "a_o", "x_", "exp", "lambda", "Piecewise"])
def test_any_network_name_for_a_weight_evaluates_like_backward(name):
    net = Network(("x",), (Layer(("o",), "sigmoid", ((name,),), bias=("b",)),), "half_squared_error")
    params = {name: 0.8, "b": -0.3}
    loss, gradients = SymbolicNetwork(net).evaluate(params, [1.5], 0.2)
    result = backward(net, params, [1.5], 0.2)
    assert loss == pytest.approx(float(result.loss), rel=1e-13)
    assert gradients[name] == pytest.approx(float(result.gradients[name]), rel=1e-12)
    assert SymbolicNetwork(net).lambdify()(params, [1.5], 0.2)[1][name] == pytest.approx(gradients[name], rel=1e-12)


NAMES = st.one_of(
    st.sampled_from(["y", "L", "z_h", "a_h", "z_o", "a_o", "y_", "x_"]),  # the twin's own names
    st.from_regex(NAME_PATTERN.pattern.replace("{0,63}", "{0,3}"), fullmatch=True),  # names Network accepts
)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.lists(NAMES, min_size=4, max_size=4, unique=True), st.floats(-3, 3), st.floats(0, 1))
def test_the_twin_accepts_whatever_names_the_network_accepts(names, value, target):
    assume(not {"x", "h", "o"} & set(names))  # Network refuses parameters named like a unit
    w1, b1, w2, b2 = names
    layers = (Layer(("h",), "tanh", ((w1,),), (b1,)), Layer(("o",), "sigmoid", ((w2,),), (b2,)))
    net = Network(("x",), layers, "binary_cross_entropy")
    params = dict(zip(names, [value, 0.5, -1.2, 0.3]))
    loss, gradients = SymbolicNetwork(net).evaluate(params, [0.7], target)
    result = backward(net, params, [0.7], target)
    assert loss == pytest.approx(float(result.loss), rel=1e-12)
    assert gradients == pytest.approx({p: float(g) for p, g in result.gradients.items()}, rel=1e-10, abs=1e-15)


# --- the forward walk is sympy's derivative of the composed loss ----------------------------


@st.composite
def small_networks(draw):
    """Random networks small enough to write out, with a setting away from ReLU's kink."""
    depth = draw(st.integers(1, 3))
    widths = [draw(st.integers(1, 3)) for _ in range(depth - 1)] + [draw(st.integers(1, 2))]
    loss = draw(st.sampled_from(["half_squared_error", "mean_squared_error", "binary_cross_entropy"]))
    activations = [draw(st.sampled_from(["sigmoid", "relu", "tanh", "identity"])) for _ in widths]
    if loss == "binary_cross_entropy":
        activations[-1] = "sigmoid"
    biases = draw(st.sampled_from(["per_neuron", "shared", "none"]))
    net = layered_network(draw(st.integers(1, 2)), widths, activations, loss, biases=biases)
    assume(written_out_size(net) <= 40)
    values = st.floats(-2.0, 2.0, allow_nan=False)
    params = {p: draw(values) for p in net.parameters}
    x = [draw(values) for _ in net.inputs]
    y = [draw(st.floats(0.0, 1.0)) for _ in net.outputs]
    return net, params, x, y


@settings(max_examples=25, deadline=None, derandomize=True)
@given(small_networks())
def test_evaluate_equals_sympys_derivative_of_the_whole_loss(case):
    net, params, x, y = case
    twin = SymbolicNetwork(net)
    loss, gradients = twin.evaluate(params, x, y)
    at = {twin.parameters[p]: sp.Float(v, 50) for p, v in params.items()}
    at.update({twin.inputs[i]: sp.Float(v, 50) for i, v in zip(net.inputs, x)})
    at.update({twin.targets[o]: sp.Float(v, 50) for o, v in zip(net.outputs, y)})
    assert loss == pytest.approx(float(twin.loss.xreplace(at)), rel=1e-13, abs=1e-300)
    for p in net.parameters:
        assert gradients[p] == pytest.approx(float(twin.gradient(p).xreplace(at)), rel=1e-12, abs=1e-300), p


@settings(max_examples=25, deadline=None, derandomize=True)
@given(small_networks())
def test_written_out_size_counts_the_symbols_sympy_writes(case):
    net, _, _, _ = case
    twin = SymbolicNetwork(net)
    leaves = {*twin.parameters.values(), *twin.inputs.values()}
    counted = sum(1 for o in net.outputs for node in sp.preorder_traversal(twin.a[o]) if node in leaves)
    assert written_out_size(net) == counted


# --- exact where the network saturates (references computed here with mpmath) ---------------


def textbook_cross_entropy(z: list[mpmath.mpf], y: list[float]) -> mpmath.mpf:
    """−mean[y log σ(z) + (1 − y) log(1 − σ(z))], at enough digits that 1 − σ(±1000) is not 0."""
    with mpmath.workdps(1000):
        terms = []
        for zi, yi in zip(z, y):
            p = 1 / (1 + mpmath.exp(-zi))
            terms.append(-(yi * mpmath.log(p) + (1 - yi) * mpmath.log(1 - p)))
        return mpmath.fsum(terms) / len(terms)


def sigmoid_at(z: mpmath.mpf) -> mpmath.mpf:
    with mpmath.workdps(1000):
        return 1 / (1 + mpmath.exp(-z))


@pytest.mark.parametrize(
    "w,y", [(1000.0, 0.0), (-1000.0, 1.0), (1000.0, 1.0), (-1000.0, 0.0), (40.0, 0.0), (-745.0, 0.5)]
)
def test_cross_entropy_of_one_sigmoid_neuron_is_exact_at_any_z(w, y):
    net = Network(("x",), (Layer(("o",), "sigmoid", (("w",),)),), "binary_cross_entropy")
    loss, gradients = SymbolicNetwork(net).evaluate({"w": w}, [1.0], y)
    z = mpmath.mpf(w)
    assert loss == pytest.approx(float(textbook_cross_entropy([z], [y])), rel=1e-15, abs=1e-300)
    assert gradients["w"] == pytest.approx(float(sigmoid_at(z) - y), rel=1e-15, abs=1e-300)  # (σ(z) − y)·x


def test_two_sigmoid_outputs_sharing_a_bias_at_z_1000():
    # The example: the clipped library gave dL/db = −0.18877 and L = 17.51.
    net = Network(("x",), (Layer(("o1", "o2"), "sigmoid", (("w1",), ("w2",)), bias="b"),), "binary_cross_entropy")
    loss, gradients = SymbolicNetwork(net).evaluate({"w1": 999.5, "w2": 0.0, "b": 0.5}, [1.0], [0.0, 1.0])
    z = [mpmath.mpf(1000), mpmath.mpf("0.5")]
    assert loss == pytest.approx(float(textbook_cross_entropy(z, [0.0, 1.0])), rel=1e-15)
    assert round(loss, 2) == 500.24
    expected_b = (sigmoid_at(z[0]) - 0 + sigmoid_at(z[1]) - 1) / 2
    assert gradients["b"] == pytest.approx(float(expected_b), rel=1e-15)
    assert round(gradients["b"], 5) == 0.31123


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.floats(-1000, 1000), st.floats(-1000, 1000), st.floats(0.0, 1.0))
def test_cross_entropy_is_finite_and_exact_for_every_z_up_to_1000(w, b, y):
    net = Network(("x",), (Layer(("o",), "sigmoid", (("w",),), bias=("b",)),), "binary_cross_entropy")
    loss, gradients = SymbolicNetwork(net).evaluate({"w": w, "b": b}, [1.0], y)
    z = mpmath.mpf(w) + mpmath.mpf(b)
    assert loss == pytest.approx(float(textbook_cross_entropy([z], [y])), rel=1e-13, abs=1e-300)
    assert gradients["b"] == pytest.approx(float(sigmoid_at(z) - y), rel=1e-13, abs=1e-300)
    assert gradients["w"] == gradients["b"]  # x = 1


MP_ACTIVATIONS = {
    "relu": lambda t: max(t, 0),
    "tanh": mpmath.tanh,
    "identity": lambda t: t,
    "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)),
}


def mp_loss(net: Network, params: dict, x: list, y: list) -> mpmath.mpf:
    """The network's loss at 1000 digits, from its description and formulas written here."""
    with mpmath.workdps(1000):
        value = {name: mpmath.mpf(v) for name, v in zip(net.inputs, x)}
        for k, layer in enumerate(net.layers):
            for j, neuron in enumerate(layer.neurons):
                z = mpmath.fsum(mpmath.mpf(params[w]) * value[u] for w, u in zip(layer.weights[j], net.units_before(k)))
                z += mpmath.mpf(params[layer.bias_of(j)]) if layer.bias_of(j) else 0
                value[neuron] = MP_ACTIVATIONS[layer.activation](z)
        a = [value[o] for o in net.outputs]
        if net.loss == "binary_cross_entropy":
            return mpmath.fsum(-(t * mpmath.log(p) + (1 - t) * mpmath.log(1 - p)) for p, t in zip(a, y)) / len(a)
        squares = mpmath.fsum((p - t) ** 2 for p, t in zip(a, y))
        return squares / 2 if net.loss == "half_squared_error" else squares / len(a)


def mp_gradient(net: Network, params: dict, x: list, y: list, name: str) -> mpmath.mpf:
    """Central difference of :func:`mp_loss` with a step of 1e-200: exact to far beyond float."""
    with mpmath.workdps(1000):
        h = mpmath.mpf("1e-200")
        up = dict(params, **{name: mpmath.mpf(params[name]) + h})
        down = dict(params, **{name: mpmath.mpf(params[name]) - h})
        return (mp_loss(net, up, x, y) - mp_loss(net, down, x, y)) / (2 * h)


@pytest.mark.parametrize("loss", ["half_squared_error", "mean_squared_error", "binary_cross_entropy"])
@pytest.mark.parametrize("target", [0.0, 1.0])
def test_a_deep_saturated_network_is_exact(loss, target):
    # Weights of 300 drive every z to hundreds: σ(z) is 1 to 260 digits.
    net = layered_network(2, [3, 2, 1], ["relu", "tanh", "sigmoid"], loss)
    params = {p: (300.0 if p.startswith("w") else -1.0) for p in net.parameters}
    params["w3_1_2"] = -1.5
    value, gradients = SymbolicNetwork(net).evaluate(params, [2.0, 1.5], [target])
    # Cross-entropy from z has no cancellation; a squared error subtracts y from σ(z) at 50 digits,
    # so it is exact to about 1e-50 absolute (σ(600) − 1 is 0 there, exactly e^-600).
    tiny = 1e-300 if loss == "binary_cross_entropy" else 1e-45
    assert value == pytest.approx(float(mp_loss(net, params, [2.0, 1.5], [target])), rel=1e-13, abs=tiny)
    for p in net.parameters:
        expected = float(mp_gradient(net, params, [2.0, 1.5], [target], p))
        assert gradients[p] == pytest.approx(expected, rel=1e-12, abs=tiny), p


# --- sizes --------------------------------------------------------------------------------


def test_the_largest_accepted_network_evaluates():
    net = layered_network(2, [13, 24, 1], ["relu", "relu", "sigmoid"], "binary_cross_entropy")
    assert len(net.parameters) == SYMBOLIC_LIMIT
    rng = np.random.default_rng(3)
    params = {p: rng.uniform(-1, 1) for p in net.parameters}
    loss, gradients = SymbolicNetwork(net).evaluate(params, [0.4, -0.7], 1.0)
    result = backward(net, params, [0.4, -0.7], 1.0)
    assert loss == pytest.approx(float(result.loss), rel=1e-12)
    for p in net.parameters:
        assert gradients[p] == pytest.approx(float(result.gradients[p]), rel=1e-9, abs=1e-15), p


def test_a_network_over_the_parameter_limit_is_refused_naming_the_rule():
    net = layered_network(3, [13, 24, 1], ["relu", "relu", "sigmoid"], "binary_cross_entropy")
    assert len(net.parameters) > SYMBOLIC_LIMIT
    rule = (
        rf"it has {len(net.parameters)} parameters, and SymbolicNetwork accepts at most "
        rf"SYMBOLIC_LIMIT = {SYMBOLIC_LIMIT} parameters"
    )
    with pytest.raises(ValueError, match=rule):
        SymbolicNetwork(net)
    with pytest.raises(ValueError, match=rule):
        check_symbolic_size(net, written_out=False)


def test_writing_out_stops_at_its_limit_and_evaluate_does_not():
    largest = layered_network(2, [20, 1], ["sigmoid", "sigmoid"], "half_squared_error", biases="none")
    assert written_out_size(largest) == WRITTEN_OUT_LIMIT
    check_symbolic_size(largest)
    assert SymbolicNetwork(largest).loss.has(sp.Symbol("w2_1_20", real=True))
    over = layered_network(2, [21, 1], ["sigmoid", "sigmoid"], "half_squared_error", biases="none")
    assert written_out_size(over) > WRITTEN_OUT_LIMIT
    twin = SymbolicNetwork(over)  # accepted: evaluate needs no written-out formula
    params = {p: 0.1 for p in over.parameters}
    expected = float(backward(over, params, [1.0, 2.0], 0.5).loss)
    assert twin.evaluate(params, [1.0, 2.0], 0.5)[0] == pytest.approx(expected, rel=1e-13)
    size = written_out_size(over)
    rule = rf"hold {size} parameter and input symbols \(written_out_size\), .* WRITTEN_OUT_LIMIT = {WRITTEN_OUT_LIMIT}"
    writing_out = [lambda: twin.loss, lambda: twin.z, lambda: twin.gradient_latex("w1_1_1")]
    writing_out += [lambda: twin.chain_rule("w1_1_1")]
    for call in [*writing_out, twin.lambdify, lambda: check_symbolic_size(over)]:
        with pytest.raises(ValueError, match=rule):
            call()


def test_size_checks_want_a_network():
    with pytest.raises(TypeError, match="network must be a Network; got str"):
        check_symbolic_size("shared_bias")
    with pytest.raises(TypeError, match="network must be a Network; got int"):
        written_out_size(3)
