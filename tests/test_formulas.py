"""Each formula once: the activation and loss rows, their code templates and their multi-output LaTeX.

Properties:
* every code template is an expression in the subset valid as Python and as JavaScript, calling only
  the documented helpers, and computes what the row's numpy function computes, with the helpers of
  both generators in compiled.py (floats and arrays);
* compiled.py and network_words.py restate no formula: they read the rows;
* with several outputs, each loss's LaTeX shows the sum, and the 1/n exactly when its numbers average;
* the sympy forms on z agree with the numeric ones.
"""
from __future__ import annotations

import ast
import inspect
import math
import string

import mpmath
import numpy as np
import pytest
import sympy as sp

from backproplib import Layer, Network
from backproplib.engine import compiled
from backproplib.engine.activations import ACTIVATIONS, get_activation
from backproplib.engine.losses import LOSSES, get_loss, softplus
from backproplib.engine.templates import HELPERS, SLOTS
from backproplib.views import network_words
from backproplib.views.network_words import loss_formula, network_in_words

CROSS_ENTROPY = get_loss("binary_cross_entropy")


def templates() -> list[tuple[str, str, set[str]]]:
    """(where, template, the slots it may use) for every template of every row."""
    found = []
    for act in ACTIVATIONS.values():
        found += [
            (f"{act.name}.value", act.code.value, {"z"}),
            (f"{act.name}.derivative", act.code.derivative, {"z", "a"}),
        ]
    for loss in LOSSES.values():
        found += [
            (f"{loss.name}.{part}", getattr(loss.code, part), {"p", "t", "n"}) for part in ("value", "derivative")
        ]
        if loss.from_z is not None:
            found += [
                (f"{loss.name}.from_z.{part}", getattr(loss.from_z.code, part), {"z", "t", "n"})
                for part in ("value", "derivative")
            ]
    return found


ALLOWED_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.Constant, ast.Name,
    ast.Load, ast.Call,
)


def helpers_called(template: str, slots: set[str]) -> set[str]:
    """The helpers a template calls; AssertionError if it leaves the Python-and-JavaScript subset."""
    used = {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
    assert used <= slots, f"slots {used - slots} not allowed here"
    tree = ast.parse(template.format(**{s: f"slot_{s}" for s in used}), mode="eval")
    called = set()
    for node in ast.walk(tree):
        assert isinstance(node, ALLOWED_NODES), f"{type(node).__name__} is outside the subset"
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, (int, float)) and not isinstance(node.value, bool), "only numbers"
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name) and node.func.id in HELPERS, f"{ast.unparse(node.func)} is no helper"
            assert not node.keywords, "positional arguments only"
            called.add(node.func.id)
        elif isinstance(node, ast.Name) and node.id not in called:
            assert node.id.startswith("slot_") or node.id in HELPERS, f"free name {node.id}"
    return called


@pytest.mark.parametrize("where,template,slots", templates(), ids=[t[0] for t in templates()])
def test_every_template_is_in_the_subset_and_calls_only_documented_helpers(where, template, slots):
    assert helpers_called(template, slots) <= set(HELPERS)


@pytest.mark.parametrize(
    "bad",
    [
        "{z} ** 2", "{a} if {z} > 0 else 0.0", "_exp({z})", "math.log({p})", "_log(x={p})", "'{z}'", "[{z}]", "{q} + 1",
        "not {z}", "{z} % 2", "True * {z}",
    ],
)
def test_the_subset_check_refuses_what_javascript_or_the_helpers_lack(bad):
    with pytest.raises((AssertionError, SyntaxError)):
        helpers_called(bad, {"z", "a", "p"})


def test_the_helper_names_and_slots_are_documented_in_one_place():
    assert set(HELPERS) == {"_sigmoid", "_softplus", "_log", "_step", "_tanh", "_relu"}
    assert set(SLOTS) == {"z", "a", "p", "t", "n"} and all(SLOTS.values()) and all(HELPERS.values())
    # both generators in compiled.py define exactly those names
    assert set(compiled._SCALAR) == set(compiled._ARRAY) == set(HELPERS)


@pytest.mark.parametrize("name", list(HELPERS))
@pytest.mark.parametrize("z", [-1000.0, -40.0, -1.5, 0.0, 0.3, 40.0, 1000.0])
def test_float_and_array_helpers_agree(name, z):
    if name == "_log" and z <= 0:
        z = -z + 0.5  # log only on its domain
    assert compiled._SCALAR[name](z) == pytest.approx(
        float(compiled._ARRAY[name](np.array([z]))[0]), rel=1e-15, abs=1e-300
    )


def evaluate(template: str, namespace: dict, **slots) -> object:
    names = {f"slot_{k}": v for k, v in slots.items()}
    return eval(template.format(**{k: f"slot_{k}" for k in slots}), dict(namespace), names)


Z = [-745.5, -40.0, -3.0, -0.4, 0.2, 1.7, 36.0, 40.0, 800.0]


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("kind", ["_SCALAR", "_ARRAY"])
def test_activation_templates_compute_the_rows_numpy_functions(name, kind):
    act, namespace = get_activation(name), getattr(compiled, kind)
    z = np.array(Z)
    a = act.function(z)
    for i, zi in enumerate(Z):
        value = evaluate(act.code.value, namespace, z=zi if kind == "_SCALAR" else z)
        slope = evaluate(
            act.code.derivative, namespace, z=zi if kind == "_SCALAR" else z, a=a[i] if kind == "_SCALAR" else a
        )
        if kind == "_ARRAY":
            value, slope = np.broadcast_to(value, z.shape)[i], np.broadcast_to(slope, z.shape)[i]
        assert float(value) == pytest.approx(float(a[i]), rel=1e-15, abs=1e-300), zi
        assert float(slope) == pytest.approx(float(act.derivative(z, a)[i]), rel=1e-15, abs=1e-300), zi


CASES = [([0.7], [0.2]), ([0.3, 0.999], [1.0, 0.0]), ([0.2, 0.6, 0.85], [0.0, 0.5, 1.0])]


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("yhat,y", CASES)
def test_loss_templates_compute_the_rows_numpy_functions(name, yhat, y):
    loss, n = get_loss(name), len(yhat)
    for namespace in (compiled._SCALAR, compiled._ARRAY):
        total = sum(evaluate(loss.code.value, namespace, p=p, t=t, n=n) for p, t in zip(yhat, y))
        assert float(total) == pytest.approx(float(loss.value([np.array(p) for p in yhat], y)), rel=1e-14)
        for p, t, g in zip(yhat, y, loss.gradient([np.array(p) for p in yhat], y)):
            assert float(evaluate(loss.code.derivative, namespace, p=p, t=t, n=n)) == pytest.approx(float(g), rel=1e-14)


@pytest.mark.parametrize("y", [[0.0], [1.0], [0.3, 1.0], [0.0, 0.5, 1.0]])
def test_cross_entropy_templates_on_z_compute_the_rows_numpy_functions(y):
    code, n = CROSS_ENTROPY.from_z.code, len(y)
    for zs in ([Z[i % len(Z)] for i in range(k, k + n)] for k in range(len(Z))):
        exact_value = float(CROSS_ENTROPY.from_z.value([np.array(v) for v in zs], y))
        deltas = CROSS_ENTROPY.from_z.delta([np.array(v) for v in zs], y)
        for namespace in (compiled._SCALAR, compiled._ARRAY):
            total = sum(evaluate(code.value, namespace, z=z, t=t, n=n) for z, t in zip(zs, y))
            assert float(total) == pytest.approx(exact_value, rel=1e-15, abs=1e-300)
            for z, t, d in zip(zs, y, deltas):
                assert float(evaluate(code.derivative, namespace, z=z, t=t, n=n)) == pytest.approx(
                    float(d), rel=1e-15, abs=1e-300
                )


def string_constants(module) -> list[str]:
    """Every string written in a module's code, docstrings left out (their examples show output)."""
    tree = ast.parse(inspect.getsource(module))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node) is not None
    }
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


def test_compiled_code_and_network_words_restate_no_formula():
    strings = {module.__name__: string_constants(module) for module in (compiled, network_words)}
    for where, template, _ in templates():
        for module, constants in strings.items():
            if any(c in template for c in "*/("):  # "{z}" or "1.0" alone is no formula
                assert not any(template in c for c in constants), (where, module)
    for loss in LOSSES.values():
        for piece in (loss.latex_term, loss.latex_gradient, loss.words):
            assert not any(piece in c for c in strings[network_words.__name__]), piece
    for module, constants in strings.items():
        for fragment in ("\\hat y -", "- y", "\\log", "(1.0 - ", "1e-15", " * (1.0"):
            assert not any(fragment in c for c in constants), (fragment, module)


# --- several outputs: the sum, and the 1/n exactly where the numbers average ----------------------


@pytest.mark.parametrize("name", list(LOSSES))
def test_each_losss_mean_flag_is_what_its_numbers_do(name):
    loss = get_loss(name)
    p, t = np.array(0.35), np.array(0.8)
    one, three = float(loss.value([p], [t])), float(loss.value([p] * 3, [t] * 3))
    assert three == pytest.approx(one if loss.mean else 3 * one, rel=1e-14)
    g_one, g_three = float(loss.gradient([p], [t])[0]), float(loss.gradient([p] * 3, [t] * 3)[0])
    assert g_three == pytest.approx(g_one / 3 if loss.mean else g_one, rel=1e-14)


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("n", [1, 2, 3, None])
def test_loss_latex_shows_the_sum_and_the_mean_it_uses(name, n):
    loss = get_loss(name)
    forms = [loss.formula(n), loss.gradient_formula(n)] + (
        [loss.formula(n, on_z=True), loss.gradient_formula(n, on_z=True)] if loss.from_z else []
    )
    count = "n" if n is None else str(n)
    mean = r"\tfrac1n" if n is None else rf"\tfrac{{1}}{{{n}}}"
    for k, form in enumerate(forms):
        assert form.count("{") == form.count("}") and form.startswith(("L = ", r"\frac{\partial L}"))
        summed = k % 2 == 0  # the loss sums over outputs; its derivative is one output's
        assert (rf"\sum_{{k=1}}^{{{count}}}" in form) == (summed and n != 1), form
        assert (mean in form) == (loss.mean and n != 1), form
        assert ("_k" in form) == (n != 1), form  # one output needs no index


def test_the_formulas_read_as_the_documents_write_them_for_one_output():
    assert loss_formula("half_squared_error") == r"L = \tfrac12(\hat y - y)^2"
    assert loss_formula("mean_squared_error") == r"L = (\hat y - y)^2"
    assert loss_formula("binary_cross_entropy") == r"L = -\bigl[y\log\hat y + (1 - y)\log(1 - \hat y)\bigr]"
    assert get_loss("mean_squared_error").formula() == r"L = \tfrac1n\sum_{k=1}^{n}(\hat y_k - y_k)^2"
    assert (
        get_loss("mean_squared_error").gradient_formula(3)
        == r"\frac{\partial L}{\partial \hat y_k} = \tfrac{1}{3}\cdot 2(\hat y_k - y_k)"
    )


@pytest.mark.parametrize(
    "loss,shown",
    [
        ("half_squared_error", r"L = \tfrac12\sum_{k=1}^{2}(\hat y_k - y_k)^2"),
        ("mean_squared_error", r"L = \tfrac{1}{2}\sum_{k=1}^{2}(\hat y_k - y_k)^2"),
        (
            "binary_cross_entropy",
            r"L = -\tfrac{1}{2}\sum_{k=1}^{2}\bigl[y_k\log\hat y_k + (1 - y_k)\log(1 - \hat y_k)\bigr]",
        ),
    ],
)
def test_a_two_output_network_is_described_with_its_sum(loss, shown):
    network = Network(("x",), (Layer(("o1", "o2"), "sigmoid", (("w1",), ("w2",))),), loss)
    words = network_in_words(network)
    assert f"${shown}$" in words and get_loss(loss).words in words


def test_every_activation_row_writes_its_function_and_derivative():
    for act in ACTIVATIONS.values():
        assert act.latex.startswith(act.symbol + "(z) = ") and act.latex_derivative.startswith(act.symbol + "'(z) = ")
        assert act.words and act.latex.count("{") == act.latex.count("}")


# --- the form on z -----------------------------------------------------------------------------------


def test_the_loss_specialises_only_on_the_activation_it_names():
    assert CROSS_ENTROPY.from_z_on("sigmoid") is CROSS_ENTROPY.from_z
    assert CROSS_ENTROPY.from_z_on("tanh") is None and get_loss("mean_squared_error").from_z_on("sigmoid") is None
    assert (
        CROSS_ENTROPY.symbolic_from_z is CROSS_ENTROPY.from_z.symbolic
        and get_loss("half_squared_error").symbolic_from_z is None
    )
    with pytest.raises(ValueError, match="has no form on z"):
        get_loss("half_squared_error").formula(on_z=True)


def test_the_sympy_form_on_z_is_the_loss_of_sigma_z_and_differentiates_to_the_delta():
    z = sp.symbols("z0:2", real=True)
    t = [sp.Rational(1, 4), sp.Integer(1)]
    on_z = CROSS_ENTROPY.symbolic_from_z(list(z), t)
    on_yhat = CROSS_ENTROPY.symbolic([1 / (1 + sp.exp(-zi)) for zi in z], t)
    for values in ([0.3, -1.2], [4.0, 2.5], [-7.0, 9.0]):
        at = dict(zip(z, values))
        assert float(on_z.subs(at)) == pytest.approx(float(on_yhat.subs(at)), rel=1e-13)
        deltas = CROSS_ENTROPY.from_z.delta([np.array(v) for v in values], [0.25, 1.0])
        for zi, d in zip(z, deltas):
            assert float(sp.diff(on_z, zi).subs(at)) == pytest.approx(float(d), rel=1e-13)


@pytest.mark.parametrize("z", [-700.0, -30.0, -2.0, 0.1, 3.0, 30.0, 700.0])
@pytest.mark.parametrize("y", [0.0, 0.6, 1.0])
def test_dL_dyhat_from_z_is_the_gradient_on_yhat_to_every_digit(z, y):
    with mpmath.workdps(400):  # 1 − σ(700) ≈ 1e-304 needs 300 digits beside 1
        yhat = 1 / (1 + mpmath.exp(-z))
        exact = float((yhat - y) / (yhat * (1 - yhat)))
    from_z = float(CROSS_ENTROPY.from_z.dL_dyhat([np.array(z)], [y])[0])
    assert from_z == pytest.approx(exact, rel=1e-13)
    if abs(z) <= 3:  # where ŷ keeps its digits the form on ŷ agrees; at z = 30, 1 − ŷ has lost 13 of them
        assert from_z == pytest.approx(float(CROSS_ENTROPY.gradient([np.array(float(yhat))], [y])[0]), rel=1e-12)


def test_dL_dyhat_from_z_is_honest_where_it_overflows():
    z = np.array([-1000.0, -709.0, 709.0, 1000.0])
    (wrong_low,) = CROSS_ENTROPY.from_z.dL_dyhat([z], [1.0])  # y = 1: −(1 + e^(−z)), −inf below z ≈ −709.8
    (wrong_high,) = CROSS_ENTROPY.from_z.dL_dyhat([z], [0.0])  # y = 0: 1 + e^z, +inf above z ≈ 709.8
    assert wrong_low[0] == -math.inf and wrong_low[1] == pytest.approx(-(1 + math.exp(709.0)), rel=1e-14)
    assert wrong_low[2:].tolist() == [-1.0, -1.0]
    assert wrong_high[3] == math.inf and wrong_high[2] == pytest.approx(1 + math.exp(709.0), rel=1e-14)
    assert wrong_high[:2].tolist() == [1.0, 1.0]


def test_softplus_is_exact_far_out_and_silent():
    assert softplus(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1000.0]
    assert float(softplus(np.array(-40.0))) == pytest.approx(math.exp(-40.0), rel=1e-15)
    assert float(softplus(np.array(30.0))) == pytest.approx(30.0000000000000936, rel=1e-16)


def test_a_name_that_is_not_a_string_is_a_value_error_listing_the_choices():
    with pytest.raises(ValueError, match="activation must be one of 'sigmoid'"):
        get_activation(["sigmoid"])
    with pytest.raises(ValueError, match="loss must be one of 'half_squared_error'"):
        get_loss(None)
