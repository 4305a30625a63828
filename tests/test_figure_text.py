"""Every figure a chapter shows as a still image has text a reader can read: at least 12 px high as the
page shows it. The page's column is 720 px wide and scales a wider PNG down, so the shown size of
text is its points × (shown width in px / figure width in inches) / 72, with the shown width taken
from the PNG itself."""
from __future__ import annotations

import io

import pytest
from matplotlib.text import Text
from PIL import Image

from backproplib import load_example
from backproplib.lessons.bias_paths import BiasPathsFigure, BiasTrainingFigure, sweep_values
from backproplib.lessons.error_sign import ConventionFigure
from backproplib.lessons.output_range import OutputRangeFigure
from backproplib.lessons.sensitivity import SigmoidFigure
from backproplib.views.diagram import draw_network
from backproplib.views.explore import Settings
from backproplib.views.figure import FigureView
from backproplib.views.notebook import FigureImage

PAGE_PX, LEAST_PX = 720, 12.0


def smallest_text_px(figure, png: bytes) -> float:
    """The smallest visible text of ``figure`` in page pixels, once ``png`` is shown in the column."""
    width_px = Image.open(io.BytesIO(png)).size[0]
    shown_per_inch = min(width_px, PAGE_PX) / figure.get_figwidth()
    sizes = [t.get_fontsize() for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert sizes, "the figure holds no text"
    return min(sizes) * shown_per_inch / 72.0


def shared_bias_figures():
    ex = load_example("shared_bias")
    settings = Settings.of(ex)
    paths = BiasPathsFigure(ex.network, "b1", "w6", sweep_values(ex.params["w6"]))
    paths.show(settings)
    training = BiasTrainingFigure(ex.network, "b1", 200)
    training.show(settings)
    return {"bias paths": paths, "bias training": training}


def other_figures():
    target, blame = load_example("sum_target"), load_example("blame_flow")
    output_range = OutputRangeFigure(target.network, 200)
    output_range.show(Settings.of(target), "sigmoid")
    sigmoid = SigmoidFigure()
    sigmoid.show({"h1": 0.5, "h2": -1.0, "o": 2.0})
    convention = ConventionFigure(blame.network, 50)
    convention.show(Settings.of(blame))
    return {"output range": output_range, "sigmoid": sigmoid, "convention": convention}


FIGURES = {**shared_bias_figures(), **other_figures()}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_lesson_figures_shown_as_images_have_text_of_12_px(name):
    view = FIGURES[name]
    png = view.png()
    assert smallest_text_px(view.figure, png) >= LEAST_PX
    # a small frame of the same figure is as legible
    assert smallest_text_px(view.figure, view.png(small=True)) >= LEAST_PX


@pytest.mark.parametrize("key", ["tiny_relu", "shared_bias", "sum_target", "two_outputs"])
def test_network_diagrams_have_text_of_12_px(key):
    ex = load_example(key)
    figure = draw_network(ex.network, ex.params, ex.x)
    image = FigureImage(figure, alt="diagram")
    assert smallest_text_px(figure, image.png) >= LEAST_PX
    assert Image.open(io.BytesIO(image.png)).size[0] <= PAGE_PX  # shown at its own size


def test_a_figure_wider_than_the_column_gets_larger_points():
    view = FigureView((14.4, 3.0), dpi=100)  # 1440 px, shown at half size
    axes = view.figure.subplots()
    label = axes.set_title("a title", fontsize=8)
    legend_text = axes.text(0.5, 0.5, "note", fontsize=5)
    png = view.png()
    assert smallest_text_px(view.figure, png) >= LEAST_PX
    assert label.get_fontsize() == legend_text.get_fontsize() == pytest.approx(LEAST_PX * 72 / 50)
    big = axes.text(0.1, 0.1, "big", fontsize=30)
    view.png()
    assert big.get_fontsize() == 30  # larger text is left alone
