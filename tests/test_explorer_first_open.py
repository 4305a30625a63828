"""Before any cell runs: an explorer's output carries a picture of its starting state and its widget
view says, in its own text, that the controls respond once the cells above have run."""
from __future__ import annotations

import base64

import ipywidgets as w

from backproplib.checking.examples import load_example
from backproplib.views.explore import Settings
from backproplib.views.explorer import KERNEL_NOTE, BrowserExplorer, ExplorerView, browser_explorer
from backproplib.views.figure import image_html
from backproplib.views.widgets import LossFigure

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
RANGES = {"w1": (-2.0, 2.5), "w2": (-2.0, 2.5), "x": (-2.0, 2.0), "y": (0.0, 1.0), "learning_rate": (0.01, 2.0)}


def test_the_loss_explorers_picture_is_its_figure_at_the_starting_settings():
    example = load_example("tiny_relu")
    bundle = browser_explorer(example.network, Settings.of(example), RANGES, "w2", epochs=30)._repr_mimebundle_()
    figure = LossFigure(example.network, "w2", RANGES["w2"], 30)  # drawn here, apart from the explorer
    figure.show(Settings.of(example))
    assert base64.b64decode(bundle["image/png"]) == figure.png()
    assert {"text/html", "text/plain", WIDGET_VIEW} <= set(bundle)


def test_the_widget_view_opens_with_the_note_above_the_kernel_panel():
    example = load_example("tiny_relu")
    explorer = browser_explorer(example.network, Settings.of(example), RANGES, "w1", epochs=30)
    view = explorer.kernel_view()
    assert explorer._repr_mimebundle_()[WIDGET_VIEW]["model_id"] == view.model_id
    note, panel = view.children
    assert KERNEL_NOTE in note.value and "cells above have run" in KERNEL_NOTE
    assert panel is explorer.kernel_panel() and "needs-kernel" not in view._dom_classes


class OtherPanel(BrowserExplorer):
    """An explorer of another kind, as a lesson's: its own kernel panel, no call to BrowserExplorer.__init__."""

    def __init__(self, view: ExplorerView, png: bytes) -> None:
        self.view, self.png = view, png

    def kernel_panel(self):
        return w.VBox([w.Label("controls"), w.HTML(image_html(self.png, "a lesson figure"))])


def test_any_browser_explorer_gets_the_note_and_its_panels_first_image():
    png = b"\x89PNG\r\n\x1a\nlesson"
    other = OtherPanel(ExplorerView({"title": "t", "groups": [], "sweep": {}}, "({})"), png)
    bundle = other._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]) == png
    assert KERNEL_NOTE in other.kernel_view().children[0].value


def test_a_panel_without_an_image_gives_no_picture():
    class Blank(OtherPanel):
        def kernel_panel(self):
            return w.VBox([w.Label("no figure")])

    blank = Blank(ExplorerView({"title": "t", "groups": [], "sweep": {}}, "({})"), b"")
    assert blank.picture() is None and "image/png" not in blank._repr_mimebundle_()
