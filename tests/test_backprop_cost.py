"""The cost lesson's matrix network is the library's square network, and its measurements are well formed.

The matrix code (``MatrixNetwork``) is what the chapter times at 100,000 parameters, so its
gradients are checked here against the jax reference, which shares no code with it, and its finite
differences against its own backward pass. No timing is asserted (benchmarks/run.py reports them).
"""
from __future__ import annotations

import numpy as np
import pytest
from matplotlib.text import Text
from reference_autodiff import reference_for

from backproplib import layered_network
from backproplib.lessons.backprop_cost import (
    CostRow,
    MatrixNetwork,
    cost_alt_text,
    cost_figure,
    finite_differences,
    measure_cost,
    parameter_count,
    square_network,
)


@pytest.mark.parametrize("width", [1, 2, 3, 5])
def test_parameter_count_is_the_square_networks(width):
    assert parameter_count(width) == len(square_network(width).parameters)


@pytest.mark.parametrize("width", [0, -1, 2.0, True, "3"])
def test_a_bad_width_is_refused(width):
    with pytest.raises(ValueError, match="width must be a whole number >= 1"):
        parameter_count(width)


@pytest.mark.parametrize("width", [1, 2, 4])
def test_matrix_gradients_equal_the_jax_reference(width):
    network = square_network(width)
    rng = np.random.default_rng(width)
    params = {p: float(rng.normal(0.0, 0.8)) for p in network.parameters}
    x, y = list(rng.uniform(-1, 1, width)), 0.3
    net = MatrixNetwork.of(network, params)
    assert net.named(network) == params
    loss, grads_w, grads_b = net.backward(np.array(x), y)
    values, _ = reference_for(network).evaluate(params, x, [y])
    assert loss == pytest.approx(values.loss, rel=1e-12)
    ours = MatrixNetwork(grads_w, grads_b).named(network)
    for name in network.parameters:
        assert ours[name] == pytest.approx(values.gradients[name], rel=1e-9, abs=1e-15), name


def test_finite_differences_estimate_every_gradient():
    net = MatrixNetwork.random(3, np.random.default_rng(7))
    x = np.array([0.2, -0.9, 0.4])
    estimates = finite_differences(net, x, 0.8)
    _, grads_w, grads_b = net.backward(x, 0.8)
    exact = [g for pair in zip(grads_w, grads_b) for g in pair]
    assert len(estimates) == net.parameter_count == 28
    for (k, i), estimate in estimates.items():
        assert estimate == pytest.approx(exact[k].flat[i], abs=1e-8)
    before = [w.copy() for w in net.weights]
    finite_differences(net, x, 0.8, [(0, 4)])
    assert all(np.array_equal(a, b) for a, b in zip(before, net.weights))  # every nudge is undone


def test_only_a_square_network_becomes_matrices():
    other = layered_network(2, [2, 1], ["tanh", "sigmoid"], "half_squared_error")
    with pytest.raises(ValueError, match="square_network"):
        MatrixNetwork.of(other, {p: 0.0 for p in other.parameters})


def test_measurements_count_parameters_and_sample_the_largest():
    rows = measure_cost([2, 6], repeats=2, sample=50)
    assert [(r.width, r.parameters, r.differenced) for r in rows] == [(2, 15, 15), (6, 91, 50)]
    assert all(r.backward_s > 0 and r.forward_s > 0 and r.finite_differences_s > 0 for r in rows)
    assert rows[1].ratio == rows[1].finite_differences_s / rows[1].backward_s
    with pytest.raises(ValueError, match="repeats and sample must be >= 1"):
        measure_cost([2], repeats=0)


def test_the_figure_has_both_lines_on_log_axes_and_words_from_the_rows():
    rows = measure_cost([2, 6], repeats=1, sample=50)
    axes = cost_figure(rows).axes[0]
    assert axes.get_xscale() == axes.get_yscale() == "log"
    labels = [line.get_label() for line in axes.get_lines()]
    assert any(label.startswith("finite differences") for label in labels)
    assert any(label.startswith("backpropagation") for label in labels)
    assert any("sample" in label for label in labels)  # the sampled point is marked
    words = cost_alt_text(rows)
    assert "from 15 to 91" in words and f"{rows[-1].ratio:,.0f} times" in words


def test_text_in_the_figure_is_at_least_12_px_at_the_pages_width_and_numbers_are_plain():
    rows = [CostRow(2, 15, 2.3e-5, 1e-5, 3.1e-4, 15), CostRow(223, 100_128, 1.3e-4, 1e-5, 17_300.0, 2_000)]
    figure = cost_figure(rows)
    figure.canvas.draw()  # tick labels exist once drawn
    texts = [t for t in figure.findobj(Text) if t.get_text() and t.get_visible()]
    assert any(t.get_text().startswith("backpropagation") for t in texts)  # the legend is among them
    shown_per_inch = min(720.0, 100 * figure.get_figwidth()) / figure.get_figwidth()  # page 720 px, PNG 100 dpi
    assert min(t.get_fontsize() for t in texts) * shown_per_inch / 72.0 >= 12.0
    words = cost_alt_text(rows)
    assert "2.3 × 10⁻⁵ s" in words and "17,000 s" in words and "e-0" not in words and "e+0" not in words
