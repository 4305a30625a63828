"""The chapters' lesson panels in the browser: a description Python writes, models it generates.

A lesson panel (the sigmoid and its slope, the blame of a hidden weight, the paths of a shared
bias, the output range, the dead ReLU, the loss comparison, the sign conventions) is a few
generic charts over one or more generated models (:func:`~backproplib.engine.javascript.model_source`):

- a **sweep**: one control moves over its slider's range; each series is a quantity of the pass
  (``"loss"``, ``"gradient:w1"``, ``"z:h"``, ``"a:h"``, ``"delta:h"``, ``"slope:h"``), optionally
  plotted against another quantity (``x="z:h1"``), with the current point and a tangent;
- a **training** run: per-epoch quantities of gradient descent (``sign=-1``: ascent, a wrong sign
  convention), log y where a curve spans decades;
- **readouts**: the numbers as text, at the current setting or at the end of a run.

Several models (one network per activation or loss) sit in one panel: a series names its model,
or follows the dropdown. ``views/explorer/lesson.js`` draws the description; it holds no
mathematics. With a kernel, the same object shows an ipywidgets view over the lesson's Python
figure instead (:class:`LessonExplorer`), the design of :class:`~.explorer.BrowserExplorer`.

Trade-off: the description names quantities as text, checked here against every model's network
(and again by lesson.js), so a typo fails when the chapter runs, not in the reader's browser.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Callable, Mapping, Sequence

from ..engine.javascript import model_source
from ..engine.network import Network
from ..engine.training import DIVERGENCE_LIMIT
from .explore import Settings
from .explorer import BrowserExplorer, Control, ExplorerView, slider_control

__all__ = [
    "DASHES", "LessonModel", "Series", "check_quantity", "sweep_chart", "training_chart", "tangent", "guide", "readout",
    "group", "lesson_description", "lessons_source", "LessonExplorer", "lesson_explorer", "kernel_view",
    "kernel_slider", "control",
]

SWEEP_POINTS = 201
# uPlot dash patterns of palette.SERIES_STYLES, in the same order (solid, dashed, dotted, dash-dot, ...).
DASHES: tuple[tuple[float, ...], ...] = ((), (10, 4), (2, 3), (8, 3, 2, 3), (12, 3, 3, 3), (5, 5))
_NEURON_KINDS = ("z", "a", "delta", "slope")


@dataclass(frozen=True)
class LessonModel:
    """One generated model of a panel: its menu label, network and named constants (e.g. range edges)."""

    label: str
    network: Network
    values: Mapping[str, float] | None = None


@dataclass(frozen=True)
class Series:
    """One line: ``quantity`` of ``model`` (None: the dropdown's), drawn in ``colour`` with ``dash``."""

    quantity: str
    label: str
    colour: str
    dash: tuple[float, ...] = ()
    width: float = 2.0
    model: str | None = None
    sign: int = 1


def check_quantity(network: Network, quantity: str) -> str:
    """``quantity`` if ``network`` has it, else a ValueError naming the allowed forms.

    >>> from backproplib.checking.examples import load_example
    >>> net = load_example("tiny_relu").network
    >>> check_quantity(net, "slope:h"), check_quantity(net, "gradient:w2")
    ('slope:h', 'gradient:w2')
    >>> check_quantity(net, "delta:x")
    Traceback (most recent call last):
    ...
    ValueError: quantity must be 'loss', ... of this network (parameters ['w1', 'w2'], ...); got 'delta:x'
    """
    kind, _, name = quantity.partition(":")
    ok = quantity == "loss" or (kind in ("gradient", "value") and name in network.parameters) or (
        kind in _NEURON_KINDS and name in network.neurons)
    if not ok:
        raise ValueError(
            "quantity must be 'loss', 'gradient:<parameter>', 'value:<parameter>' or '<z|a|delta|slope>:<neuron>' "
            f"of this network (parameters {list(network.parameters)}, neurons {list(network.neurons)}); "
            f"got {quantity!r}"
        )
    return quantity


def control(role: str, name: str, label: str, value_range: tuple[float, float], value: float) -> Control:
    """:func:`~.explorer.slider_control` over ``value_range`` widened to hold ``value``: a chapter whose
    parameters cell moves a setting past a lesson's usual range still gets its panel, starting there.

    >>> control("target", "o", "y", (-2.0, 5.0), 6.5).max
    6.5
    """
    low, high = value_range
    return slider_control(role, name, label, (min(low, value), max(high, value)), value)


def tangent(quantity: str, slope: str, label: str, colour: str) -> dict[str, str]:
    """The tangent to ``quantity`` at the current point, its slope the quantity ``slope``."""
    return {"quantity": quantity, "slope": slope, "label": label, "colour": colour}


def guide(label: str, colour: str, *, control: str | None = None, model_value: str | None = None) -> dict[str, Any]:
    """A horizontal line at a control's value (e.g. the target) or at a model's named constant."""
    if (control is None) == (model_value is None):
        raise ValueError("guide needs exactly one of control= or model_value=")
    line = {"label": label, "colour": colour, "dash": [6, 4]}
    return {**line, "control": control} if control is not None else {**line, "model_value": model_value}


def _chart(kind: str, caption: str, x_label: str, y_label: str, series: Sequence[Series], **options: Any) -> dict:
    return {"kind": kind, "caption": caption, "x_label": x_label, "y_label": y_label,
            "series": [{**asdict(s), "dash": list(s.dash)} for s in series], "guides": [], "log_y": False,
            "symmetric": False, **options}


def sweep_chart(control: str, caption: str, x_label: str, y_label: str, series: Sequence[Series], *,
                x: str | None = None, mark: bool = True, tangent: dict | None = None, guides: Sequence[dict] = (),
                symmetric: bool = False, points: int = SWEEP_POINTS) -> dict:
    """A chart of ``series`` as the slider ``control`` moves over its range (x: its value, or ``x``)."""
    return _chart("sweep", caption, x_label, y_label, series, control=control, x=x, mark=mark, tangent=tangent,
                  guides=list(guides), symmetric=symmetric, points=points)


def training_chart(caption: str, y_label: str, series: Sequence[Series], *, guides: Sequence[dict] = (),
                   log_y: bool = False, symmetric: bool = False) -> dict:
    """A chart of per-epoch ``series`` of gradient descent from the current setting."""
    return _chart("training", caption, "epoch", y_label, series, guides=list(guides), log_y=log_y,
                  symmetric=symmetric, tangent=None)


def readout(label: str, quantity: str, model: str | None = None, at: str = "current", sign: int = 1) -> dict:
    """One number as text: ``quantity`` at the current setting, or at the end of the run (``at="final"``)."""
    if at not in ("current", "final"):
        raise ValueError(f"at must be 'current' or 'final'; got {at!r}")
    return {"label": label, "quantity": quantity, "model": model, "at": at, "sign": sign}


def group(legend: str, controls: Sequence[Control]) -> dict:
    """A fieldset of sliders (:func:`~.explorer.slider_control`)."""
    return {"legend": legend, "controls": [asdict(c) for c in controls]}


def lesson_description(title: str, models: Mapping[str, LessonModel], settings: Settings, groups: Sequence[dict],
                       charts: Sequence[dict], readouts: Sequence[dict], *, epochs: int = 100,
                       choice: tuple[str, str, str] | None = None) -> dict[str, Any]:
    """The JSON lesson.js draws; every quantity is checked against every model it may be drawn from.

    ``choice`` is ``(legend, label, key)``: a dropdown over ``models`` starting at ``key``.
    """
    if not models:
        raise ValueError("models must hold at least one LessonModel")
    if choice is not None and choice[2] not in models:
        raise ValueError(f"choice must start at one of {list(models)}; got {choice[2]!r}")
    for item in [s for c in charts for s in c["series"]] + list(readouts):
        for key in [item["model"]] if item["model"] is not None else list(models):
            if key not in models:
                raise ValueError(f"model must be one of {list(models)}; got {key!r}")
            check_quantity(models[key].network, item["quantity"])
    first = next(iter(models.values())).network
    targets = first.check_targets(settings.y)
    return {
        "kind": "lesson", "title": title, "divergence_limit": DIVERGENCE_LIMIT,
        "models": [{"key": k, "label": m.label, "values": dict(m.values or {})} for k, m in models.items()],
        "model_choice": None if choice is None else {"legend": choice[0], "label": choice[1], "value": choice[2]},
        "base": {
            "parameters": {n: float(v) for n, v in settings.params.items()},
            "inputs": {n: float(v) for n, v in settings.x.items()},
            "targets": {o: float(t) for o, t in zip(first.outputs, targets)},
            "rate": float(settings.learning_rate), "epochs": int(epochs),
        },
        "groups": list(groups), "charts": list(charts), "readouts": list(readouts),
    }


def lessons_source(models: Mapping[str, LessonModel]) -> str:
    """A JavaScript expression for ``{key: model}``, one generated model per network."""
    return "({\n" + ",\n".join(f"{json.dumps(k)}: {model_source(m.network)}" for k, m in models.items()) + "\n})"


class LessonExplorer(BrowserExplorer):
    """A lesson panel: ``text/html`` for the book, and with a kernel the ipywidgets view ``kernel()`` makes.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> models = {"m": LessonModel("tiny", ex.network)}
    >>> panel = lesson_description("t", models, Settings.of(ex), [], [], [readout("loss", "loss")])
    >>> view = LessonExplorer(ExplorerView(panel, lessons_source(models)), lambda: None)
    >>> 'data-backprop-explorer' in view._repr_html_(), view.view.panel["kind"]
    (True, 'lesson')
    """

    def __init__(self, view: ExplorerView, kernel: Callable[[], Any],
                 models: Mapping[str, LessonModel] | None = None) -> None:
        self.view, self._kernel, self._kernel_panel = view, kernel, None
        self.models = dict(models or {})  # key -> LessonModel, as the page's models

    def kernel_panel(self):
        """The ipywidgets view, made on first use."""
        if self._kernel_panel is None:
            self._kernel_panel = self._kernel()
        return self._kernel_panel


def lesson_explorer(title: str, models: Mapping[str, LessonModel], settings: Settings, groups: Sequence[dict],
                    charts: Sequence[dict], readouts: Sequence[dict], kernel: Callable[[], Any], *,
                    epochs: int = 100, choice: tuple[str, str, str] | None = None) -> LessonExplorer:
    """The description and models as one :class:`LessonExplorer`."""
    panel = lesson_description(title, models, settings, groups, charts, readouts, epochs=epochs, choice=choice)
    return LessonExplorer(ExplorerView(panel, lessons_source(models)), kernel, models)


def kernel_slider(control: Control, description: str, value: float | None = None):
    """An ipywidgets FloatSlider over ``control``'s range and step (the browser slider's twin)."""
    import ipywidgets as w

    start = control.value if value is None else value
    return w.FloatSlider(value=start, min=control.min, max=control.max, step=control.step, description=description)


def kernel_view(controls: Mapping[str, Any], draw: Callable[..., str]):
    """ipywidgets: ``controls`` above an HTML image that ``draw(**values)`` (HTML text) redraws on change."""
    import ipywidgets as w

    image = w.HTML()

    def redraw(_change: object = None) -> None:
        image.value = draw(**{name: c.value for name, c in controls.items()})

    for c in controls.values():
        c.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox(list(controls.values())), image])
