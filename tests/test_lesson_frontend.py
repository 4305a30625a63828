"""lesson.js's pure parts under node, and every lesson explorer's description, as properties.

Expected values come from Python (the description lesson_explorer.py writes, numpy, math), never
from lesson.js itself.
"""
from __future__ import annotations

import json
import math
import subprocess
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplib.checking.examples import load_example
from backproplib.views.explore import Settings
from backproplib.views.explorer import ASSET_DIR
from backproplib.views.lesson_explorer import LessonModel, Series, lesson_description, readout, sweep_chart
from backproplib.views.palette import BLUE
from support.lesson_panels import LESSONS, lesson, networks_of

LESSON_JS = ASSET_DIR / "lesson.js"


def node(body: str, data: Any = None) -> Any:
    """Run ``body`` with ``L`` (lesson.js's exports) and ``data``; return what it prints as JSON."""
    script = f"const L = require({json.dumps(str(LESSON_JS))});\nconst data = JSON.parse(process.argv[1]);\n{body}"
    result = subprocess.run(["node", "-e", script, json.dumps(data)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


MODEL = {"parameters": ["w1", "w2"], "inputs": ["x"], "outputs": ["o"], "neurons": ["h", "o"]}


def test_quantities_resolve_to_their_place_in_the_pass_and_bad_names_are_refused_by_name() -> None:
    got = node(
        "const m = data.model; const out = {};"
        "for (const q of data.good) out[q] = L.parseQuantity(q, m);"
        "out.errors = data.bad.map((q) => { try { L.parseQuantity(q, m); return 'no error'; }"
        " catch (e) { return e.message; } });"
        "console.log(JSON.stringify(out));",
        {"model": MODEL, "good": ["loss", "gradient:w2", "value:w1", "z:o", "a:h", "delta:o", "slope:h"],
         "bad": ["gradient:h", "slope:w1", "speed:h", "a"]},
    )
    assert got.pop("errors") == [
        'quantity must be "loss", "gradient:<parameter>", "value:<parameter>" or "<z|a|delta|slope>:<neuron>" '
        f"naming one of {json.dumps(names, separators=(',', ':'))}; got {json.dumps(q)}"
        for q, names in (("gradient:h", ["w1", "w2"]), ("slope:w1", ["h", "o"]), ("speed:h", ["h", "o"]),
                         ("a", ["h", "o"]))
    ]
    assert got == {"loss": {"key": "loss", "index": -1}, "gradient:w2": {"key": "gradients", "index": 1},
                   "value:w1": {"key": "values", "index": 0}, "z:o": {"key": "z", "index": 1},
                   "a:h": {"key": "a", "index": 0}, "delta:o": {"key": "delta", "index": 1},
                   "slope:h": {"key": "slope", "index": 0}}


@settings(max_examples=40, deadline=None)
@given(st.floats(-50, 50), st.floats(0.01, 50), st.integers(2, 300), st.floats(0, 1))
def test_a_sweep_grid_holds_the_current_value_once_sorted_with_both_ends(low, span, points, where) -> None:
    high = low + span
    current = low + where * span
    grid = node("console.log(JSON.stringify(L.sweepGrid(...data)));", [low, high, points, current])
    assert grid == sorted(grid) and len(set(grid)) == len(grid)
    assert grid[0] == low and grid[-1] == high and current in grid
    assert points <= len(grid) <= points + 1


def test_controls_override_the_base_setting_by_role_and_name() -> None:
    base = {"parameters": {"w1": 0.5, "w2": -0.25}, "inputs": {"x": 1.0}, "targets": {"o": 0.0}, "rate": 0.1,
            "epochs": 100}
    got = node("console.log(JSON.stringify([L.settingFor(data.m, {base: data.b}, {}),"
               "L.settingFor(data.m, {base: data.b}, {parameter: {w2: 3}, target: {o: 1}, rate: 2, epochs: 7})]));",
               {"m": MODEL, "b": base})
    assert got[0] == {"theta": [0.5, -0.25], "x": [1.0], "y": [0.0], "rate": 0.1, "epochs": 100}
    assert got[1] == {"theta": [0.5, 3], "x": [1.0], "y": [1], "rate": 2, "epochs": 7}


def test_value_ranges_pad_or_stay_symmetric_and_log_ranges_cover_whole_decades() -> None:
    columns = [[-0.3, 0.2, None], [0.05, 0.1]]
    got = node("console.log(JSON.stringify([L.valueRange(data.c, false), L.valueRange(data.c, true),"
               "L.valueRange([[null]], true), L.valueRange([], false), L.logRange([[0.0031, 2.5, 0, -1, null]]),"
               "L.plotted([1, NaN, -Infinity, 0, 2], true), L.plotted([1, NaN, 0], false)]));", {"c": columns})
    span = 0.2 - (-0.3)
    assert got[0] == pytest.approx([-0.3 - 0.08 * span, 0.2 + 0.08 * span], rel=1e-15)
    assert got[1] == [-0.5, 0.5]  # the next of 1, 2, 2.5, 5 × 10^k above 1.1 × 0.3
    assert got[2] == [-1, 1] and got[3] == [0, 1]
    assert got[4] == [10 ** math.floor(math.log10(0.0031)), 10 ** math.ceil(math.log10(2.5))]
    assert got[5] == [1, None, None, None, 2] and got[6] == [1, None, 0]


def _panel(**changes):
    ex = load_example("tiny_relu")
    models = {"m": LessonModel("tiny", ex.network)}
    chart = sweep_chart("w1", "c", "w1", "loss", [Series("loss", "loss", BLUE)])
    panel = lesson_description("t", models, Settings.of(ex), [], [chart], [readout("loss", "loss")])
    panel.update(changes)
    return panel


@pytest.mark.parametrize("change, message", [
    ({"kind": "explorer"}, 'a lesson description has kind "lesson"; got "explorer"'),
    ({"models": [{"key": "other", "label": "x", "values": {}}]}, 'the models lack "other"'),
    ({"readouts": [{"label": "r", "quantity": "slope:w1", "model": None}]}, 'got "slope:w1"'),
    ({"charts": [{"kind": "dataset", "series": []}]}, "a dataset chart needs the description's dataset"),
    ({"readouts": [{"label": "r", "quantity": "mean_loss", "model": None, "on": "held_out"}]},
     'readout "r" needs the description\'s dataset and its held_out set'),
])
def test_check_lesson_refuses_a_description_that_does_not_fit_its_models(change, message) -> None:
    from backproplib.engine.javascript import model_source

    source = model_source(load_example("tiny_relu").network)
    got = node(f"const models = {{m: {source}}};"
               "try { L.checkLesson(data, models); console.log(JSON.stringify('no error')); }"
               "catch (e) { console.log(JSON.stringify(e.message)); }", _panel(**change))
    assert message in got


def test_python_refuses_unknown_quantities_and_models_before_the_page() -> None:
    ex = load_example("tiny_relu")
    models = {"m": LessonModel("tiny", ex.network)}
    with pytest.raises(ValueError, match="got 'slope:w1'"):
        lesson_description("t", models, Settings.of(ex), [], [], [readout("r", "slope:w1")])
    with pytest.raises(ValueError, match=r"model must be one of \['m'\]; got 'x'"):
        lesson_description("t", models, Settings.of(ex), [], [], [readout("r", "loss", model="x")])
    with pytest.raises(ValueError, match="at must be 'current' or 'final'"):
        readout("r", "loss", at="end")


@pytest.mark.parametrize("name", list(LESSONS))
def test_each_lesson_panel_starts_on_exact_positions_with_whole_labels_and_every_quantity_known(name) -> None:
    from decimal import Decimal

    explorer = lesson(name)
    panel = explorer.view.panel
    networks = networks_of(explorer)
    for control in (c for g in panel["groups"] for c in g["controls"]):
        if "stops" in control:  # a slider over listed stops: the value is one of them
            assert control["value"] in control["stops"] and len(control["texts"]) == len(control["stops"]), control
        else:
            low, step, value = (Decimal(repr(control[k])) for k in ("min", "step", "value"))
            assert (value - low) % step == 0, control
        assert control["label"] and "…" not in control["label"]
    for chart in panel["charts"]:
        assert chart["caption"] and chart["y_label"] and chart["x_label"]
        for s in chart["series"]:
            assert s["colour"].startswith("#") and len(s["colour"]) == 7
            for key in ([s["model"]] if s["model"] else networks):
                kind, _, which = s["quantity"].partition(":")
                network = networks[key]
                assert s["quantity"] == "loss" or which in (*network.parameters, *network.neurons)
    html = explorer._repr_html_()
    assert "data-backprop-explorer" in html and '"kind":"lesson"' in html
    assert "http" not in explorer.view.model_source  # nothing leaves the page


def _widgets(box) -> list:
    found = []
    for child in getattr(box, "children", ()):
        found += [child, *_widgets(child)]
    return found


@pytest.mark.parametrize("name", list(LESSONS))
def test_with_a_kernel_the_bundle_carries_the_widget_view_and_a_control_redraws_its_figure(name) -> None:
    import ipywidgets as w

    explorer = lesson(name)
    bundle = explorer._repr_mimebundle_()
    assert {"application/vnd.jupyter.widget-view+json", "text/html", "text/plain"} <= set(bundle)
    assert "data-backprop-explorer" in bundle["text/html"]
    parts = _widgets(explorer.kernel_panel())
    image = next(p for p in parts if isinstance(p, w.HTML) and "<img" in p.value)
    slider = next(p for p in parts if isinstance(p, (w.FloatSlider, w.FloatLogSlider)))
    before = image.value
    slider.value = slider.max if slider.value != slider.max else slider.min
    assert image.value != before
