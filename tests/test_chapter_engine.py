"""The reverse-mode engine written in chapters/backprop_cost.ipynb, run from the chapter's own cells.

The chapter checks its engine against backproplib on two networks; here the same cells (the
``Value`` class, ``engine_gradients`` and the exercise's ``tanh``) are run on random networks and
compared with the jax reference, which shares no code with either, and the exercise's check is
shown to catch a wrong slope.
"""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from reference_autodiff import reference_for

from backproplib import load_example
from backproplib.checking.answers import check_gradients
from strategies import networks
from support.chapter_file import CHAPTERS, code_cell_containing

CHAPTER = CHAPTERS / "backprop_cost.ipynb"
TOLERANCE = 1e-9


def engine() -> dict:
    """The chapter's engine cells, run in a fresh namespace (with the exercise's solution)."""
    namespace: dict = {"math": math}
    for marker in ("class Value", "def engine_gradients", "Value.tanh = tanh"):
        exec(code_cell_containing(CHAPTER, marker), namespace)
    return namespace


ENGINE = engine()


@settings(max_examples=40, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(networks(max_outputs=1))
def test_the_chapters_engine_equals_the_jax_reference(case):
    network, params, x, y = case
    assume(all(layer.activation in ("relu", "sigmoid", "tanh") for layer in network.layers))
    assume(network.loss in ENGINE["LOSSES"])
    loss, gradients = ENGINE["engine_gradients"](network, params, dict(zip(network.inputs, x)), y[0])
    values, sizes = reference_for(network).evaluate(params, x, y)
    assert abs(loss - values.loss) <= TOLERANCE * max(sizes.loss, 1e-12)
    for name in network.parameters:
        assert abs(gradients[name] - values.gradients[name]) <= TOLERANCE * max(sizes.gradients[name], 1e-12), name


def test_a_shared_bias_collects_both_paths():
    ex = load_example("shared_bias")
    _, gradients = ENGINE["engine_gradients"](ex.network, ex.params, ex.x, ex.y)
    values, _ = reference_for(ex.network).evaluate(ex.params, [ex.x["x1"], ex.x["x2"]], [ex.y])
    assert gradients["b1"] == pytest.approx(values.delta["h1"] + values.delta["h2"], rel=1e-12)


def test_the_exercise_check_names_a_wrong_tanh_slope():
    namespace = engine()
    value = namespace["Value"]
    value.tanh = lambda self: value(math.tanh(self.data), (self,), (1.0 - math.tanh(self.data),))  # 1 − t, not 1 − t²
    ex = load_example("tiny_relu").with_settings(activations=["tanh", "sigmoid"])
    _, answer = namespace["engine_gradients"](ex.network, ex.params, ex.x, ex.y)
    with pytest.raises(AssertionError, match="w1: you gave"):
        check_gradients(ex.network, ex.params, ex.x, ex.y, answer)
