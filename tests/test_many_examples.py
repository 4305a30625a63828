"""The lesson behind 'Learning from many examples': datasets of sums, batch runs, scaling, the bound.

Expected values are worked out here from their definitions (a hand-written sigmoid network, sums
of pairs), not taken from the module under test.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from backproplib import train
from backproplib.lessons import many_examples as lesson

NETWORK = lesson.addition_network()


def by_hand(params: dict, x1: float, x2: float, output=lambda z: z) -> float:
    """The 2-2-1 network written out: sigmoid hidden units with biases, then ``output``."""
    sigmoid = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    h1 = sigmoid(params["w11"] * x1 + params["w21"] * x2 + params["b_h1"])
    h2 = sigmoid(params["w12"] * x1 + params["w22"] * x2 + params["b_h2"])
    return output(params["w_h1"] * h1 + params["w_h2"] * h2 + params["b_o"])


def test_the_addition_set_holds_pairs_in_the_unit_square_and_their_sums():
    data = lesson.addition_set(NETWORK, 30, seed=4)
    x1, x2 = data.x["x1"], data.x["x2"]
    assert len(data) == 30 and np.all((0 <= x1) & (x1 < 1) & (0 <= x2) & (x2 < 1))
    assert np.array_equal(data.y["o"], x1 + x2)
    again = lesson.addition_set(NETWORK, 30, seed=4)
    assert np.array_equal(again.x["x1"], x1) and not np.array_equal(lesson.addition_set(NETWORK, 30, 5).x["x1"], x1)


def test_the_root_mean_squared_error_is_that_of_the_network_written_out():
    data = lesson.addition_set(NETWORK, 9, seed=1)
    errors = [by_hand(lesson.ADDITION_START, a, b) - (a + b) for a, b in zip(data.x["x1"], data.x["x2"])]
    expected = math.sqrt(sum(e * e for e in errors) / len(errors))
    assert lesson.root_mean_squared_error(NETWORK, lesson.ADDITION_START, data) == pytest.approx(expected, rel=1e-12)


def test_scaled_targets_keep_the_margin_and_read_back():
    scale = lesson.TargetScale(2.0, margin=0.1)
    sums = np.linspace(0.0, 2.0, 11)
    unit = scale.to_unit(sums)
    assert unit.min() == pytest.approx(0.1) and unit.max() == pytest.approx(0.9)
    assert np.allclose(scale.from_unit(unit), sums, rtol=0, atol=1e-15)
    sigmoid = lesson.addition_network("sigmoid")
    data = lesson.addition_set(sigmoid, 12, seed=3, scale=scale)
    assert np.allclose(data.y["o"], 0.1 + 0.8 * (data.x["x1"] + data.x["x2"]) / 2.0)
    for bad in ((0.0, 0.1), (2.0, 0.0), (2.0, 0.5), (float("inf"), 0.1)):
        with pytest.raises(ValueError, match="top must be a finite number > 0 and margin in"):
            lesson.TargetScale(*bad)


def test_the_scaled_error_is_in_the_units_of_the_sums():
    scale = lesson.TargetScale(2.0)
    sigmoid = lesson.addition_network("sigmoid")
    data = lesson.addition_set(sigmoid, 7, seed=8, scale=scale)
    squash = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    pairs = zip(data.x["x1"], data.x["x2"])
    said = [(by_hand(lesson.ADDITION_START, a, b, squash) - 0.1) * 2.0 / 0.8 for a, b in pairs]
    sums = data.x["x1"] + data.x["x2"]
    expected = math.sqrt(np.mean((np.array(said) - sums) ** 2))
    error = lesson.root_mean_squared_error(sigmoid, lesson.ADDITION_START, data, scale)
    assert error == pytest.approx(expected, rel=1e-10)


def test_batch_runs_are_train_at_each_batch_size_and_more_steps_learn_faster_here():
    data = lesson.addition_set(NETWORK, 12, seed=1)
    runs = lesson.batch_runs(NETWORK, lesson.ADDITION_START, data, 0.3, 20, [None, 4, 1], seed=3)
    for size, run in runs.items():
        alone = train(NETWORK, lesson.ADDITION_START, data.x, data.y, 0.3, 20, batch_size=size, seed=3)
        assert run.losses.tolist() == alone.losses.tolist()
    assert runs[1].losses[-1] < runs[4].losses[-1] < runs[None].losses[-1]


def test_first_below_finds_the_first_epoch_under_the_threshold():
    assert lesson.first_below([0.5, 0.2, 0.009, 0.02, 0.001], 0.01) == 2
    assert lesson.first_below([0.5, 0.2], 0.01) is None and lesson.first_below([], 1.0) is None


def test_the_output_of_sigmoid_units_without_biases_never_exceeds_the_bound():
    from backproplib import load_example

    example = load_example("sum_target").with_settings(activations=["sigmoid", "identity"])
    params = dict(example.params, w_h1=2.5, w_h2=-1.25)
    bound = lesson.hidden_sigmoid_bound(example.network, params)
    assert bound == 3.75
    rng = np.random.default_rng(0)
    for x1, x2 in rng.uniform(-1000, 1000, (500, 2)):
        h1 = 1 / (1 + math.exp(-min(700.0, max(-700.0, params["w11"] * x1 + params["w21"] * x2))))
        h2 = 1 / (1 + math.exp(-min(700.0, max(-700.0, params["w12"] * x1 + params["w22"] * x2))))
        assert abs(params["w_h1"] * h1 + params["w_h2"] * h2) <= bound
    with pytest.raises(ValueError, match="one identity output over a layer of sigmoids"):
        lesson.hidden_sigmoid_bound(example.network.__class__(example.network.inputs, example.network.layers[:1],
                                                              example.network.loss), params)


@pytest.mark.parametrize("rate, batch, epochs", [(0.01, 1, 10), (10 ** 0.5, 1, 10), (10 ** 0.5, 12, 10), (0.3, 5, 10)])
def test_the_kernel_panel_draws_at_the_ends_of_its_sliders(rate, batch, epochs):
    data, held = lesson.addition_set(NETWORK, 12, seed=1), lesson.addition_set(NETWORK, 6, seed=2)
    panel = lesson.batch_panel(NETWORK, lesson.ADDITION_START, data, held, rate, batch, epochs)
    controls, image = panel.children
    assert [c.description for c in controls.children] == ["η", "batch size", "epochs"]
    assert "needs-kernel" not in panel._dom_classes  # the book shows the browser's twin, which needs no kernel
    assert image.value.startswith('<img alt="Training loss per epoch')
    controls.children[2].value = 20  # a redraw through the observer
    assert ", 20 epochs" in image.value
