"""The slider machinery: figures update in place, frames link to sliders, every position draws."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from backproplib import load_example
from backproplib.views.explore import Settings, loss_along, training_curve
from backproplib.views.widgets import LossFigure, live_explorer, round_up, slider_range
from support.panels import shown_alt, shown_png


def settings_of(key: str) -> Settings:
    ex = load_example(key)
    return Settings.of(ex)


def test_show_moves_existing_artists_instead_of_building_new_ones():
    ex = load_example("shared_bias")
    figure = LossFigure(ex.network, "w5", (-2.0, 2.0), epochs=30)
    lines_before = [id(line) for ax in figure.figure.axes for line in ax.lines]
    figure.show(settings_of("shared_bias"), 0.1)
    first = figure.png()
    figure.show(settings_of("shared_bias"), 1.9)
    second = figure.png()
    assert [id(line) for ax in figure.figure.axes for line in ax.lines] == lines_before
    assert len(figure.figure.axes) == 2
    assert first != second  # the point and tangent moved


def test_tangent_slope_is_the_finite_difference_slope_of_the_curve():
    ex = load_example("shared_bias")
    s = settings_of("shared_bias")
    h = 1e-5
    curve = loss_along(ex.network, s, "w5", np.array([0.4 - h, 0.4 + h]))
    numeric_slope = (curve.losses[1] - curve.losses[0]) / (2 * h)
    assert curve.slope == pytest.approx(numeric_slope, rel=1e-6)
    v, line = curve.tangent(0.5)
    assert (line[1] - line[0]) / (v[1] - v[0]) == pytest.approx(curve.slope)


def test_every_examples_tangents_have_the_finite_difference_slope(example_settings):
    example, settings = example_settings
    h = 1e-6
    for parameter in example.network.parameters:
        here = settings.value(parameter)
        curve = loss_along(example.network, settings, parameter, np.array([here - h, here + h]))
        numeric_slope = (curve.losses[1] - curve.losses[0]) / (2 * h)
        assert curve.slope == pytest.approx(numeric_slope, rel=1e-5, abs=1e-9), parameter


def test_drawn_figure_shows_the_computed_numbers():
    ex = load_example("tiny_relu")
    figure = LossFigure(ex.network, "w1", (-1.5, 1.5), epochs=10)
    view = figure.show(settings_of("tiny_relu"), -0.5)
    assert view.curve.slope == 0.0  # dead ReLU: no gradient reaches w1
    assert np.allclose(figure._curve.get_ydata(), view.curve.losses)
    assert np.allclose(figure._training.get_ydata(), view.training.losses)
    assert "= 0" in figure._slope_text.get_text()


@pytest.mark.parametrize(
    "key,parameter", [("tiny_relu", "w1"), ("shared_bias", "b1"), ("sum_target", "w_h2"), ("blame_flow", "wo1")]
)
def test_every_slider_position_gives_a_finite_drawn_figure(key, parameter):
    ex = load_example(key)
    low, high = slider_range(ex.params[parameter])
    figure = LossFigure(ex.network, parameter, (low, high), epochs=50)
    for value in np.linspace(low, high, 9):
        for rate in (ex.learning_rate / 10, ex.learning_rate, ex.learning_rate * 10):
            view = figure.show(settings_of(key).replace(learning_rate=rate), value)
            assert np.all(np.isfinite(view.curve.losses)) and np.isfinite(view.curve.slope)
            assert np.all(np.isfinite(view.training.losses))
            assert figure.png().startswith(b"\x89PNG")
            low_y, high_y = figure.train_axes.get_ylim()
            assert low_y == 0.0 and high_y >= view.training.losses.max()


def test_diverging_training_stops_and_is_labelled():
    # A purely linear network on this input: each step multiplies the error, so η = 1 explodes.
    ex = load_example("sum_target").with_settings(activations=["identity", "identity"])
    figure = LossFigure(ex.network, "w_h1", (-2.0, 2.0), epochs=200)
    view = figure.show(Settings(ex.params, ex.x, ex.y, 1.0))
    assert len(view.training.losses) < 201
    assert "diverged" in figure._train_text.get_text()
    assert np.all(np.isfinite(view.training.losses))




def test_live_explorer_redraws_on_slider_change():
    import ipywidgets as w

    ex = load_example("tiny_relu")
    ranges = {"w1": (-1.5, 1.5), "learning_rate": (0.01, 1.0)}
    panel = live_explorer(ex.network, settings_of("tiny_relu"), ranges, "w1", epochs=10)
    choice, grid, image = panel.children
    assert panel._dom_classes == ()  # no marking: the built book shows the browser explorer, never this view
    before = shown_png(image)
    slider = grid.children[0]
    assert isinstance(slider, w.FloatSlider) and slider.description == "w1"
    slider.value = -1.0
    assert shown_png(image) != before and shown_png(image).startswith(b"\x89PNG")
    assert shown_alt(image).startswith("Left: the loss as w1 varies") and shown_alt(image).endswith("w1 = -1.000")
    choice.value = "w2"
    assert shown_png(image).startswith(b"\x89PNG")
    assert shown_alt(image).startswith("Left: the loss as w2 varies")


def test_live_explorer_gives_each_output_its_own_target_slider():
    ex = load_example("two_outputs")
    ranges = {"w5": (-1.0, 1.0), "y": (0.0, 1.0)}
    panel = live_explorer(ex.network, settings_of("two_outputs"), ranges, "w5", epochs=5)
    _, grid, image = panel.children
    sliders = {s.description: s for s in grid.children}
    assert sorted(sliders) == ["w5", "y_o1", "y_o2"]
    assert (sliders["y_o1"].value, sliders["y_o2"].value) == (0.01, 0.99)
    assert (sliders["y_o2"].min, sliders["y_o2"].max) == (0.0, 1.0)
    before = shown_png(image)
    sliders["y_o2"].value = 0.5  # moves the loss curve: the second output's target now counts
    assert shown_png(image) != before and shown_png(image).startswith(b"\x89PNG")


def test_bad_figure_arguments_are_named():
    ex = load_example("tiny_relu")
    with pytest.raises(ValueError, match="unknown parameter 'w3'; the parameters are 'w1', 'w2'"):
        LossFigure(ex.network, "w3", (-1, 1))
    with pytest.raises(ValueError, match="value_range"):
        LossFigure(ex.network, "w1", (1, -1))
    with pytest.raises(ValueError, match="epochs"):
        LossFigure(ex.network, "w1", (-1, 1), epochs=0)


def test_round_up_picks_the_next_round_number():
    values = (0.09, 0.1, 0.11, 0.21, 0.3, 0.6, 7.0, 12.0)
    assert [round_up(v) for v in values] == [0.1, 0.1, 0.2, 0.25, 0.5, 1.0, 10.0, 20.0]


def test_training_curve_matches_repeated_backward_and_step():
    from backproplib.engine.numeric import backward
    from backproplib.engine.training import gradient_step

    ex = load_example("shared_bias")
    run = training_curve(ex.network, settings_of("shared_bias"), 25)
    params, losses = dict(ex.params), []
    for _ in range(26):
        result = backward(ex.network, params, ex.x, ex.y)
        losses.append(float(result.loss))
        params = gradient_step(params, result.gradients, ex.learning_rate)
    assert np.allclose(run.losses, losses, rtol=1e-12, atol=1e-15)


def test_a_flat_curve_is_drawn_without_a_matplotlib_warning():
    # Cross-entropy at saturation: the loss is below 1e-13 and flat across the whole sweep. Matplotlib's
    # "identical low and high ylims" warning is an error here, so drawing must not raise.
    ex = load_example("tiny_relu")
    settings = settings_of("tiny_relu").replace(w2=40.0, y=1.0)
    figure = LossFigure(ex.network, "w1", (1.0, 2.0), epochs=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        view = figure.show(settings, 1.5)
        assert figure.png()[:4] == b"\x89PNG"
    assert float(np.max(view.curve.losses)) < 1e-13
    for axes, values in ((figure.loss_axes, view.curve.losses), (figure.train_axes, view.training.losses)):
        low, high = axes.get_ylim()
        assert low < high and low <= float(np.min(values)) and float(np.max(values)) <= high


@pytest.mark.parametrize("low,high", [(0.0, 0.0), (2.5, 2.5), (-1e-300, -1e-300), (3.0, 1.0)])
def test_a_zero_height_or_reversed_range_is_padded(low, high):
    from backproplib.views.figure import FigureView

    view = FigureView((2.0, 1.0))
    axes = view.figure.subplots()
    view.set_ylim(axes, low, high)
    bottom, top = axes.get_ylim()
    assert bottom < top and bottom <= min(low, high) and max(low, high) <= top
