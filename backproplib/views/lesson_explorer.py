"""The chapters' lesson panels in the browser: a description Python writes, models it generates.

A lesson panel (the sigmoid and its slope, the blame of a hidden weight, the paths of a shared
bias, the output range, the dead ReLU, the loss comparison, the sign conventions) is a few
generic charts over one or more generated models (:func:`~backproplib.engine.javascript.model_source`):

- a **sweep**: one control moves over its slider's range; each series is a quantity of the pass
  (``"loss"``, ``"gradient:w1"``, ``"z:h"``, ``"a:h"``, ``"delta:h"``, ``"slope:h"``), optionally
  plotted against another quantity (``x="z:h1"``), with the current point and a tangent;
- a **training** run: per-epoch quantities of gradient descent (``sign=-1``: ascent, a wrong sign
  convention), log y where a curve spans decades;
- a **dataset** training run: the mean loss over a training set per epoch of
  :func:`~backproplib.engine.training.train` on it (the model's ``trainSet``), one line per batch
  size (the batch slider's, or the full batch for reference), log y; the panel carries the set
  (:func:`panel_dataset`: the training rows, an optional held-out set, the shuffle seed);
- **readouts**: the numbers as text, at the current setting or at the end of a run (for a dataset
  run, the mean loss over the training or the held-out set at its final θ).

Several models (one network per activation or loss) sit in one panel: a series names its model,
or follows the dropdown. ``views/explorer/lesson.js`` draws the description; it holds no
mathematics. With a kernel, the same object shows an ipywidgets view over the lesson's Python
figure instead (:class:`LessonExplorer`), the design of :class:`~.explorer.BrowserExplorer`.

A slider moves over evenly spaced decimal positions (:func:`~.explorer.slider_control`) or over
listed stops (:func:`stops_control`, e.g. a learning rate spaced evenly in log10, :func:`log_stops`).

Trade-off: the description names quantities as text, checked here against every model's network
(and again by lesson.js), so a typo fails when the chapter runs, not in the reader's browser.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..engine.data import Dataset
from ..engine.javascript import model_source
from ..engine.network import Network
from ..engine.training import DIVERGENCE_LIMIT
from .explore import Settings
from .explorer import ROLES, BrowserExplorer, Control, ExplorerView, slider_control

__all__ = [
    "DASHES", "LessonModel", "Series", "check_quantity", "sweep_chart", "training_chart", "tangent", "guide", "readout",
    "group", "lesson_description", "lessons_source", "LessonExplorer", "lesson_explorer", "kernel_view",
    "kernel_slider", "control", "Stops", "log_stops", "stops_control", "panel_dataset", "dataset_chart",
    "dataset_readout",
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


@dataclass(frozen=True)
class Stops:
    """A slider over listed values (``stops``, increasing), shown as ``texts``; starts at ``value``."""

    role: str
    name: str
    label: str
    stops: tuple[float, ...]
    texts: tuple[str, ...]
    value: float


def log_stops(low: float, high: float, per_decade: int) -> tuple[float, ...]:
    """10^k/``per_decade`` for the whole k from ``low`` to ``high`` (exponents of ten).

    >>> log_stops(-1, 0, 2)
    (0.1, 0.31622776601683794, 1.0)
    """
    if not (isinstance(per_decade, int) and per_decade >= 1) or not low < high:
        raise ValueError(
            f"log_stops needs low < high and per_decade a whole number >= 1; got {low}, {high}, {per_decade}"
        )
    first, last = math.ceil(low * per_decade - 1e-9), math.floor(high * per_decade + 1e-9)
    return tuple(10.0 ** (k / per_decade) for k in range(first, last + 1))


def stops_control(role: str, name: str, label: str, stops: Sequence[float], value: float, digits: int = 3) -> Stops:
    """A slider over ``stops`` with ``value`` merged in (a chapter's setting is always a position),
    each shown to ``digits`` significant digits.

    >>> c = stops_control("rate", "rate", "η", log_stops(-1, 0, 2), 0.3)
    >>> c.stops, c.texts
    ((0.1, 0.3, 0.31622776601683794, 1.0), ('0.1', '0.3', '0.316', '1'))
    >>> stops_control("rate", "rate", "η", [0.1, 0.1], 0.1)
    Traceback (most recent call last):
    ...
    ValueError: stops of 'rate' must be finite numbers whose texts to 3 digits differ; got [0.1, 0.1]
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(map(repr, ROLES))}; got {role!r}")
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in [*stops, value]):
        raise ValueError(f"stops and value of {name!r} must be finite numbers; got {list(stops)} and {value!r}")
    merged = tuple(sorted({float(v) for v in stops} | {float(value)}))
    texts = tuple(format(v, f".{digits}g").replace("-", "\u2212") for v in merged)
    if len(set(texts)) != len(texts) or len(merged) != len(stops) + (value not in stops):
        raise ValueError(f"stops of {name!r} must be finite numbers whose texts to {digits} digits differ; "
                         f"got {list(stops)}")
    return Stops(role, name, label, merged, texts, float(value))


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


def panel_dataset(network: Network, training: Dataset, held_out: Dataset | None = None, seed: int = 0) -> dict:
    """A training set (and a held-out set) as rows in ``network``'s input and output order, with the
    shuffle seed of :func:`~backproplib.engine.training.train`: what a dataset chart trains on."""
    if not (isinstance(seed, int) and 0 <= seed < 2**32):
        raise ValueError(f"seed must be a whole number from 0 to 2**32 - 1; got {seed!r}")

    def rows(data: Dataset) -> dict[str, list[list[float]]]:
        return {"X": np.column_stack([data.x[n] for n in network.inputs]).tolist(),
                "Y": np.column_stack([data.y[o] for o in network.outputs]).tolist()}

    return {**rows(training), "held_out": None if held_out is None else rows(held_out), "seed": seed}


def dataset_chart(caption: str, y_label: str, series: Sequence[Series], batches: Sequence[str],
                  batch_labels: Sequence[str], *, log_y: bool = True) -> dict:
    """The training set's mean loss per epoch, one run per series, at the batch size ``batches[i]``
    names: ``"control"`` (the batch slider's) or ``"full"``. A series label's ``{batch}`` is replaced
    by ``batch_labels[b - 1]`` for batch size b (the last: the full batch), and a diverged run's label
    gets " (diverged)"."""
    if len(batches) != len(series) or any(b not in ("control", "full") for b in batches):
        raise ValueError(f"batches must give 'control' or 'full' for each of the {len(series)} series; got {batches!r}")
    if any(s.quantity != "loss" for s in series):
        raise ValueError("a dataset chart plots the quantity 'loss' (the mean over the training set)")
    return _chart("dataset", caption, "epoch", y_label, series, log_y=log_y, tangent=None, batches=list(batches),
                  batch_labels=list(batch_labels))


def dataset_readout(label: str, batch: str, on: str = "held_out", digits: int = 3) -> dict:
    """The mean loss over the ``on`` set (``"held_out"`` or ``"training"``) at the final θ of the dataset
    run at ``batch`` (``"control"`` or ``"full"``), to ``digits`` significant digits; ``{batch}`` in the
    label is replaced by the batch size."""
    if batch not in ("control", "full") or on not in ("held_out", "training"):
        raise ValueError(f"batch must be 'control' or 'full' and on 'held_out' or 'training'; got {batch!r}, {on!r}")
    return {"label": label, "quantity": "mean_loss", "model": None, "at": "final", "sign": 1, "batch": batch,
            "on": on, "digits": digits}


def readout(label: str, quantity: str, model: str | None = None, at: str = "current", sign: int = 1) -> dict:
    """One number as text: ``quantity`` at the current setting, or at the end of the run (``at="final"``)."""
    if at not in ("current", "final"):
        raise ValueError(f"at must be 'current' or 'final'; got {at!r}")
    return {"label": label, "quantity": quantity, "model": model, "at": at, "sign": sign}


def group(legend: str, controls: Sequence[Control | Stops]) -> dict:
    """A fieldset of sliders (:func:`~.explorer.slider_control`, :func:`stops_control`)."""
    return {"legend": legend, "controls": [asdict(c) for c in controls]}


def lesson_description(title: str, models: Mapping[str, LessonModel], settings: Settings, groups: Sequence[dict],
                       charts: Sequence[dict], readouts: Sequence[dict], *, epochs: int = 100,
                       choice: tuple[str, str, str] | None = None, dataset: dict | None = None,
                       batch: int | None = None) -> dict[str, Any]:
    """The JSON lesson.js draws; every quantity is checked against every model it may be drawn from.

    ``choice`` is ``(legend, label, key)``: a dropdown over ``models`` starting at ``key``.
    ``dataset`` (:func:`panel_dataset`) is what dataset charts and readouts train on, ``batch`` the
    batch size they start at (None: the full batch).
    """
    if not models:
        raise ValueError("models must hold at least one LessonModel")
    if choice is not None and choice[2] not in models:
        raise ValueError(f"choice must start at one of {list(models)}; got {choice[2]!r}")
    _check_dataset_use(charts, readouts, dataset)
    for item in [s for c in charts for s in c["series"]] + [r for r in readouts if r["quantity"] != "mean_loss"]:
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
            **({} if dataset is None else {"batch": len(dataset["X"]) if batch is None else int(batch)}),
        },
        "groups": list(groups), "charts": list(charts), "readouts": list(readouts),
        **({} if dataset is None else {"dataset": dataset}),
    }


def _check_dataset_use(charts: Sequence[dict], readouts: Sequence[dict], dataset: dict | None) -> None:
    """Dataset charts and readouts need the panel's dataset; held-out readouts its held-out set."""
    uses = [c["kind"] == "dataset" for c in charts] + [r["quantity"] == "mean_loss" for r in readouts]
    if any(uses) and dataset is None:
        raise ValueError("dataset charts and readouts need dataset= (panel_dataset(...))")
    if any(r.get("on") == "held_out" for r in readouts) and dataset is not None and dataset["held_out"] is None:
        raise ValueError("a held-out readout needs a dataset with a held-out set")


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
                    epochs: int = 100, choice: tuple[str, str, str] | None = None, dataset: dict | None = None,
                    batch: int | None = None) -> LessonExplorer:
    """The description and models as one :class:`LessonExplorer`."""
    panel = lesson_description(title, models, settings, groups, charts, readouts, epochs=epochs, choice=choice,
                               dataset=dataset, batch=batch)
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
