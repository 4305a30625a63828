"""The browser explorer, Python side: slider positions, the panel description, and the HTML.

The built book must respond to every control with no kernel, so the reader's browser computes:
``explorer/explorer.js`` (a generic front end: controls, uPlot charts, text readouts) draws what
a *panel description* says, with numbers from a *model*, JavaScript generated per network. This
module writes both halves of the page: the description as JSON and a small inline script that
hands the model to the front end. The model contract (see explorer.js for the full schema)::

    {parameters: [...], inputs: [...], outputs: [...], neurons: [...],   // names, network order
     evaluate(theta, x, y) -> {loss, gradients[], z[], a[], delta[]},
     step(theta, x, y, rate) -> [loss before the step, newTheta]}

Trade-offs:

- Python, not JavaScript, chooses every slider's step: the coarsest of 1, 2, 5 × 10^k that
  gives enough positions *and* puts the chapter's value exactly on one (0.15 with a step of 0.01,
  never 0.158 on a range split in 200). The front end then moves over whole positions and turns
  them into values with integer arithmetic, so nothing rounds the chapter's numbers away.
- The model arrives as JavaScript source text, an expression; this module never looks inside it.
  Until the generator exists, callers (and the tests' fixture) pass it in.
- The HTML does not load the scripts it needs: the book's Sphinx extension (``_ext/explorer_assets.py``)
  adds uPlot, lesson.js (the lesson panels of :mod:`.lesson_explorer`) and explorer.js to the pages
  that hold an explorer, and :func:`standalone_page` writes a page of its own. Explorers register
  on ``window.backpropExplorers``, so they work whether the scripts load before or after them. A
  live notebook may not run the inline script; there the explorer says so in words, and the
  ipywidgets panel is the kernel's view.
"""
from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import re
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ..engine.javascript import model_source
from ..engine.network import Network
from ..engine.training import DIVERGENCE_LIMIT
from .explore import Settings
from .palette import BLUE, GREEN, PINK, VERMILLION

__all__ = [
    "ASSET_DIR", "MARKER", "BOOK_SCRIPTS", "BOOK_STYLES", "Control", "slider_control", "panel_description",
    "ExplorerView", "BrowserExplorer", "browser_explorer", "standalone_page", "KERNEL_NOTE",
]

ASSET_DIR = Path(__file__).with_name("explorer")  # explorer.js and explorer.css
MARKER = "data-backprop-explorer"  # on every explorer's container; the Sphinx extension looks for it
# What a page with an explorer loads, relative to the site root (made by `make vendor` and Sphinx).
BOOK_SCRIPTS = ("_vendor/uplot/uPlot.iife.min.js", "_static/lesson.js", "_static/explorer.js")
BOOK_STYLES = ("_vendor/uplot/uPlot.min.css", "_static/explorer.css")

SWEEP_POINTS = 201
EPOCH_RANGE = (0, 2000)
# The book's matplotlib figures (views.widgets.LossFigure) use the same colours and words.
CHARTS = {
    "colours": {"loss": BLUE, "point": VERMILLION, "tangent": GREEN, "training": PINK},
    "labels": {
        "loss_axis": "loss", "loss_curve": "loss", "tangent": "tangent: slope = backprop gradient",
        "point": "current {parameter}", "epoch_axis": "epoch", "training_axis": "training loss",
    },
}
ROLES = ("parameter", "input", "target", "rate", "epochs", "batch")  # batch: a mini-batch size
# The first line of every kernel view: a notebook restores saved widgets before any cell runs, and
# their sliders then move without redrawing; this says why, in the panel itself.
KERNEL_NOTE = ("These controls respond once the cells above have run (Run → Run All Cells); "
               "until then they move but the figure keeps its starting state.")


@dataclass(frozen=True)
class Control:
    """One slider of a panel: ``min``, ``max``, ``step`` and ``value`` are multiples of 10^-decimals,
    and ``max`` and ``value`` lie a whole number of steps above ``min``."""

    role: str
    name: str
    label: str
    min: float
    max: float
    step: float
    decimals: int
    value: float

    @property
    def positions(self) -> int:
        """How many places the slider can stop at."""
        return round((self.max - self.min) / self.step) + 1


def _decimal(value: float, what: str) -> Decimal:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not np.isfinite(value)
    ):
        raise ValueError(f"{what} must be a finite number; got {value!r}")
    return Decimal(repr(float(value)))  # the shortest decimal that reads back as this float


def _steps(span: Decimal, whole: bool):
    """Candidate steps, coarsest first: 5, 2, 1 × 10^k from the span's order down."""
    for k in range(span.adjusted(), (0 if whole else -12) - 1, -1):
        for m in (5, 2, 1):
            yield Decimal(m).scaleb(k)


def _places(number: Decimal) -> int:
    return max(0, -number.normalize().as_tuple().exponent)


def slider_control(role: str, name: str, label: str, value_range: tuple[float, float], value: float,
                   min_positions: int = 100, max_positions: int = 1000) -> Control:
    """A slider inside ``value_range`` whose positions include ``value`` exactly.

    The step is the coarsest of 1, 2, 5 × 10^k with ``value`` on a multiple of it, if that gives
    ``min_positions`` to ``max_positions`` positions (a round grid: min and max are multiples of
    the step); otherwise the coarsest giving ``min_positions``, counted from ``value``. Epochs step
    by whole numbers. The ends are the last positions inside the range, less than a step from it.

    >>> c = slider_control("parameter", "w1", "w1", (-2.0, 2.15), 0.15)
    >>> c.step, c.min, c.max, c.value, c.decimals, c.positions
    (0.01, -2.0, 2.15, 0.15, 2, 416)
    >>> slider_control("input", "x1", "x1", (-2.0, 3.1), 1.1).step
    0.05
    >>> slider_control("epochs", "epochs", "epochs", (0, 2000), 100).step
    20.0
    >>> c = slider_control("input", "x", "x", (-2.0, 22.637), 20.637)  # 0.001 would give 24,638 positions
    >>> c.step, c.min, c.max, c.positions
    (0.2, -1.963, 22.637, 124)
    >>> c = slider_control("target", "o", "y", (0.0, 1.0), 0.1234567)  # a probability stays in [0, 1]
    >>> c.step, c.min, c.max
    (0.01, 0.0034567, 0.9934567)
    >>> slider_control("parameter", "w", "w", (-2.0, 2.0), 1 / 3)
    Traceback (most recent call last):
    ...
    ValueError: value of 'w' must have at most 12 decimals to sit on a slider position; got 0.3333333333333333
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(map(repr, ROLES))}; got {role!r}")
    low, high = (_decimal(v, f"value_range of {name!r}") for v in value_range)
    at = _decimal(value, f"value of {name!r}")
    if not low <= at <= high or low == high:
        raise ValueError(
            f"value_range of {name!r} must be (low, high) with low <= value <= high, low < high; "
            f"got {value_range!r} and value {value!r}"
        )
    whole = role in ("epochs", "batch")
    if _places(at) > (0 if whole else 12):
        what = f"a whole number ({role})" if whole else "at most 12 decimals to sit on a slider position"
        raise ValueError(f"value of {name!r} must {'be' if whole else 'have'} {what}; got {value!r}")
    steps = [s for s in _steps(high - low, whole) if (high - low) / s >= min_positions] or [Decimal(1)]
    round_grid = [s for s in steps if at % s == 0 and (high - low) / s <= max_positions]
    step = round_grid[0] if round_grid else steps[0]
    # Never past value_range (a learning rate stays > 0, a probability target in [0, 1]).
    if round_grid:  # a grid through 0: min and max are multiples of the step too
        first = (low / step).to_integral_value("ROUND_CEILING") * step
        last = (high / step).to_integral_value("ROUND_FLOOR") * step
    else:  # a grid through the value
        first = at - ((at - low) / step).to_integral_value("ROUND_FLOOR") * step
        last = at + ((high - at) / step).to_integral_value("ROUND_FLOOR") * step
    decimals = max(_places(step), _places(at), _places(first), _places(last))
    if max(abs(first), abs(last)).scaleb(decimals) >= 2**53:  # the front end counts in whole units
        raise ValueError(f"value_range of {name!r} is too wide for {decimals} decimals; got {value_range!r}")
    return Control(role, name, label, float(first), float(last), float(step), decimals, float(at))


def _neuron_groups(network: Network, settings: Settings, ranges: Mapping[str, tuple[float, float]]) -> list[dict]:
    """One fieldset per neuron (its weights and own bias), one per shared bias."""
    groups = []

    def control(name: str, label: str) -> Control:
        return slider_control("parameter", name, label, ranges[name], settings.params[name])

    for k, layer in enumerate(network.layers):
        feeds = network.units_before(k)
        for j, neuron in enumerate(layer.neurons):
            controls = [
                control(w, f"{w}: weight from {unit} into {neuron}") for w, unit in zip(layer.weights[j], feeds)
            ]
            if layer.bias is not None and not layer.shared_bias:
                controls.append(control(layer.bias_of(j), f"{layer.bias_of(j)}: bias of {neuron}"))
            groups.append({"legend": f"into {neuron}", "controls": controls})
        if layer.shared_bias:
            shared = ", ".join(layer.neurons)
            groups.append(
                {
                    "legend": f"bias shared by {shared}",
                    "controls": [control(layer.bias, f"{layer.bias}: bias of {shared}")],
                }
            )
    return groups


def panel_description(network: Network, settings: Settings, ranges: Mapping[str, tuple[float, float]], parameter: str,
                      *, epochs: int = 100, title: str | None = None) -> dict[str, Any]:
    """The JSON the front end draws: controls grouped by neuron, then inputs, target and training.

    ``ranges`` maps every parameter and input, ``"y"`` and ``"learning_rate"`` to ``(low, high)``
    (e.g. :func:`backproplib.authoring.explorer_ranges.live_ranges`).

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> ranges = {"w1": (-2, 2.5), "w2": (-2, 2.5), "x": (-2, 3), "y": (-2, 2), "learning_rate": (0.01, 1)}
    >>> panel = panel_description(ex.network, Settings.of(ex), ranges, "w1")
    >>> [g["legend"] for g in panel["groups"]]
    ['into h', 'into o', 'inputs', 'target', 'training']
    >>> panel["groups"][0]["controls"][0]["label"], panel["sweep"]["options"]
    ('w1: weight from x into h', ['w1', 'w2'])
    """
    network.check_parameter_name(parameter)
    missing = [n for n in (*network.parameters, *network.inputs, "y", "learning_rate") if n not in ranges]
    if missing:
        raise ValueError(f"ranges is missing {missing}; it needs every parameter and input, 'y' and 'learning_rate'")
    targets = [float(t) for t in network.check_targets(settings.y)]  # one per output, checked
    inputs = [slider_control("input", x, f"{x}: input", ranges[x], settings.x[x]) for x in network.inputs]
    target_word = "y" if len(network.outputs) == 1 else "y_{}"
    target = [
        slider_control("target", o, f"{target_word.format(o)}: target of {o}", ranges["y"], float(t))
        for o, t in zip(network.outputs, targets)
    ]
    training = [
        slider_control("rate", "rate", "\u03b7: learning rate", ranges["learning_rate"], settings.learning_rate),
        slider_control(
            "epochs", "epochs", "epochs", (min(EPOCH_RANGE[0], epochs), max(EPOCH_RANGE[1], epochs)), epochs,
            min_positions=100,
        ),
    ]
    groups = _neuron_groups(network, settings, ranges) + [
        {"legend": "inputs", "controls": inputs},
        {"legend": "target", "controls": target},
        {"legend": "training", "controls": training},
    ]
    return {
        "title": title or f"Explorer: the {'total loss of ' if len(network.outputs) > 1 else 'loss of '}"
                          f"{' and '.join(network.outputs)} as every control moves",
        "groups": [{"legend": g["legend"], "controls": [asdict(c) for c in g["controls"]]} for g in groups],
        "sweep": {
            "label": "swept parameter", "options": list(network.parameters), "value": parameter, "points": SWEEP_POINTS,
        },
        "divergence_limit": DIVERGENCE_LIMIT,
        "charts": CHARTS,
    }


def _script_json(data: Mapping[str, Any]) -> str:
    """JSON safe inside ``<script>``: no ``<``, ``>`` or ``&`` can end the element early."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_numbers = itertools.count(1)


class ExplorerView:
    """One explorer: ``_repr_html_`` gives its container, panel JSON and start-up script.

    Parameters
    ----------
    panel
        The description (:func:`panel_description`).
    model_source
        JavaScript source of an expression that evaluates to the model object.

    >>> view = ExplorerView({"title": "t", "groups": [], "sweep": {}}, "({parameters: []})")
    >>> MARKER in view._repr_html_(), "application/json" in view._repr_html_()
    (True, True)
    >>> ExplorerView({"title": "t", "groups": [], "sweep": {}}, "'</script>'")
    Traceback (most recent call last):
    ...
    ValueError: model_source must not contain '</script' or '<!--' (it is inlined in a <script> element)
    """

    def __init__(self, panel: Mapping[str, Any], model_source: str) -> None:
        required = ("title", "groups", "charts") if panel.get("kind") == "lesson" else ("title", "groups", "sweep")
        missing = [k for k in required if k not in panel]
        if missing:
            raise ValueError(f"panel is missing {missing}; make it with panel_description")
        if not isinstance(model_source, str) or not model_source.strip():
            raise TypeError(f"model_source must be JavaScript source text; got {model_source!r}")
        lowered = model_source.lower()
        if "</script" in lowered or "<!--" in lowered:
            raise ValueError("model_source must not contain '</script' or '<!--' (it is inlined in a <script> element)")
        self.panel, self.model_source = dict(panel), model_source

    def html(self) -> str:
        """The explorer's HTML; each call gets fresh element ids, so one page may show it twice."""
        panel = _script_json(self.panel)
        digest = hashlib.sha256((panel + self.model_source).encode()).hexdigest()[:10]
        uid = f"bp-explorer-{digest}-{next(_numbers)}"
        start = (
            f'(window.backpropExplorers = window.backpropExplorers || []).push({{container: "{uid}", '
            f'panel: "{uid}-panel", model: function () {{ return (\n{self.model_source}\n); }}}});'
        )
        return (
            f'<div class="bp-explorer" id="{uid}" {MARKER}>'
            f'<p class="bp-explorer-note">{html.escape(self.panel["title"])}: this explorer runs in the book\'s web '
            f"pages, which load its scripts (explorer.js and uPlot); here they did not load.</p></div>\n"
            f'<script type="application/json" id="{uid}-panel">{panel}</script>\n'
            f"<script>\n{start}\n</script>"
        )

    def _repr_html_(self) -> str:
        return self.html()


class BrowserExplorer:
    """One explorer, two front ends: the browser's and, with a kernel, the ipywidgets panel.

    Its MIME bundle carries ``text/html`` (the browser explorer, :class:`ExplorerView`) and, when
    ipywidgets can make a view, the widget view of :func:`~backproplib.views.widgets.live_explorer`
    at the same settings. JupyterLab, Colab and VS Code rank the widget view first, so a reader
    with a kernel moves ipywidgets sliders with Python callbacks; the book's HTML builder ranks
    ``text/html`` first (``nb_mime_priority_overrides`` in ``_config.yml``), so the built page
    computes in the reader's browser and needs no kernel. The kernel panel is built once, on the
    first display, so a view that is only built and tested costs no matplotlib drawing.

    Before any cell has run a notebook has neither: an untrusted notebook (a fresh clone), GitHub
    or Colab without widgets show the bundle's ``image/png``, :meth:`picture` (the starting state),
    and a trusted one restores the widgets from their saved state, which cannot redraw yet. So the
    widget view is :meth:`kernel_view`: the kernel panel under a line saying its controls respond
    once the cells above have run. An explorer of another kind (a lesson's) overrides only
    :meth:`kernel_panel`: its picture is the first image that panel shows, the note and the bundle
    stay here.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> ranges = {"w1": (-2, 2.5), "w2": (-2, 2.5), "x": (-2, 3), "y": (0, 1), "learning_rate": (0.01, 1)}
    >>> explorer = browser_explorer(ex.network, Settings.of(ex), ranges, "w1", epochs=20)
    >>> bundle = explorer._repr_mimebundle_()
    >>> sorted(bundle)
    ['application/vnd.jupyter.widget-view+json', 'image/png', 'text/html', 'text/plain']
    >>> MARKER in bundle["text/html"], explorer.kernel_panel() is explorer.kernel_panel()
    (True, True)
    >>> base64.b64decode(bundle["image/png"])[:4], explorer.kernel_view().children[1] is explorer.kernel_panel()
    (b'\x89PNG', True)
    """

    def __init__(self, view: ExplorerView, network: Network, settings: Settings,
                 ranges: Mapping[str, tuple[float, float]], parameter: str, epochs: int) -> None:
        self.view = view
        self._kernel_args = (network, settings, dict(ranges), parameter, epochs)
        self._kernel_panel = None
        self._kernel_view = None

    def kernel_panel(self):
        """The ipywidgets panel (:func:`~backproplib.views.widgets.live_explorer`), made on first use."""
        if self._kernel_panel is None:
            from .widgets import live_explorer  # ipywidgets only when a kernel view is asked for

            self._kernel_panel = live_explorer(*self._kernel_args)
        return self._kernel_panel

    def picture(self) -> bytes | None:
        """PNG bytes of the panel at its starting settings, for front ends that show no widget (None: no picture).

        The first PNG the kernel panel shows (an ``<img>`` in an HTML widget, or an Image widget),
        which the panel drew at its starting settings when it was made: no second drawing. A
        panel whose first image is not the one to show overrides this.
        """
        return _first_png(self.kernel_panel())

    def kernel_view(self):
        """The widget a notebook shows: :data:`KERNEL_NOTE` above :meth:`kernel_panel`, made on first use.

        The wrapper is not marked ``needs-kernel``: the panel inside already is, once.
        """
        if self.__dict__.get("_kernel_view") is None:  # subclasses need not call __init__
            import ipywidgets as w

            note = w.HTML(f'<p style="font-style: italic; margin: 0 0 0.4em">{html.escape(KERNEL_NOTE)}</p>')
            self._kernel_view = w.VBox([note, self.kernel_panel()])
        return self._kernel_view

    def _repr_html_(self) -> str:
        return self.view.html()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.kernel_view()._repr_mimebundle_() or {})
        picture = self.picture()
        if picture:
            bundle["image/png"] = base64.b64encode(picture).decode("ascii")
        bundle["text/plain"] = f"{self.view.panel['title']} (browser explorer; widget view with a kernel)"
        bundle["text/html"] = self.view.html()
        return bundle


_INLINE_PNG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def _first_png(widget: Any) -> bytes | None:
    """The first PNG ``widget`` or its descendants show, depth first: an Image widget's bytes or an
    ``<img>`` inlined in an HTML widget's value.

    >>> import ipywidgets as w
    >>> _first_png(w.VBox([w.Label("x"), w.HTML('<img alt="a" src="data:image/png;base64,iVBORw==">')]))
    b'\\x89PNG'
    >>> _first_png(w.VBox()) is None
    True
    """
    if getattr(widget, "format", None) == "png" and isinstance(getattr(widget, "value", None), bytes):
        return widget.value
    found = _INLINE_PNG.search(widget.value) if isinstance(getattr(widget, "value", None), str) else None
    if found:
        return base64.b64decode(found.group(1))
    for child in getattr(widget, "children", ()):
        png = _first_png(child)
        if png is not None:
            return png
    return None


def browser_explorer(network: Network, settings: Settings, ranges: Mapping[str, tuple[float, float]],
                     parameter: str, *, epochs: int = 100, title: str | None = None) -> BrowserExplorer:
    """The loss explorer at ``settings``: the panel (:func:`panel_description`) with the model
    :func:`~backproplib.engine.javascript.model_source` generates for ``network``.

    ``ranges`` is what :func:`panel_description` takes (every parameter and input, ``"y"`` and
    ``"learning_rate"``); the kernel panel uses the same ranges.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> ranges = {"w1": (-2, 2.5), "w2": (-2, 2.5), "x": (-2, 3), "y": (0, 1), "learning_rate": (0.01, 1)}
    >>> explorer = browser_explorer(ex.network, Settings.of(ex), ranges, "w2", epochs=20)
    >>> explorer.view.panel["sweep"]["value"], "function pass" in explorer.view.model_source
    ('w2', True)
    >>> browser_explorer(ex.network, Settings.of(ex), {"w1": (-2, 2)}, "w1")
    Traceback (most recent call last):
    ...
    ValueError: ranges is missing ['w2', 'x', 'y', 'learning_rate']; it needs every parameter and input, ...
    """
    panel = panel_description(network, settings, ranges, parameter, epochs=epochs, title=title)
    return BrowserExplorer(ExplorerView(panel, model_source(network)), network, settings, ranges, parameter, epochs)


def standalone_page(views: Sequence[ExplorerView], asset_base: str = "", title: str = "Explorer") -> str:
    """A whole HTML page showing ``views``, loading the assets from ``asset_base`` + :data:`BOOK_SCRIPTS`
    and :data:`BOOK_STYLES` paths (a folder laid out like the built book's root).

    >>> page = standalone_page([], "../")
    >>> '<script defer src="../_static/explorer.js"></script>' in page
    True
    """
    styles = "".join(f'<link rel="stylesheet" href="{html.escape(asset_base + p)}">\n' for p in BOOK_STYLES)
    scripts = "".join(f'<script defer src="{html.escape(asset_base + p)}"></script>\n' for p in BOOK_SCRIPTS)
    body = "\n".join(view.html() for view in views)
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n{styles}{scripts}</head>\n'
        f'<body>\n<main style="max-width: 52em; margin: 1em auto; padding: 0 1em">\n{body}\n</main>\n</body>\n</html>\n'
    )
