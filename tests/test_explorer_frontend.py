"""The browser explorer's front end (backproplib/views/explorer/) and its Python side, as properties.

Three layers, cheapest first:

- Pure JavaScript under node: slider positions and their exact decimal text, %g-style numbers
  without "−0", axis decisions, finite guards, the training loop. Expected values come from
  Python (``decimal``, ``format``, ``math``), never from explorer.js itself.
- A Sphinx site built in a temporary folder with the book's ``_ext/explorer_assets.py``: only
  pages that hold an explorer load uPlot and explorer.js, from paths that exist in the site.
- That site in headless Chromium (the driver of tests/test_browser.py: every host but 127.0.0.1
  unresolvable): arrow keys on every slider change the chart pixels and the readouts equal
  Python's numbers; key press to redrawn figure is timed over 50 presses.

The model is a **test fixture**, hand-written here for the one-neuron network
L = ½(σ(w·x) − y)² with w·x = w1·x1 + w2·x2. The book's models will be generated from the
network description; this one only has to honour the same contract.
"""
from __future__ import annotations

import functools
import http.server
import json
import math
import posixpath
import re
import subprocess
import sys
import textwrap
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_browser import _QuietHandler, is_local, requested_urls
from test_browser import driver as driver  # the book's offline Chromium: a pytest fixture the tests take by name

from backproplib.authoring.explorer_ranges import live_ranges
from backproplib.checking.examples import EXAMPLES, load_example
from backproplib.engine.network import Layer, Network, layered_network
from backproplib.engine.training import DIVERGENCE_LIMIT
from backproplib.views.explore import Settings
from backproplib.views.explorer import (
    ASSET_DIR,
    BOOK_SCRIPTS,
    BOOK_STYLES,
    MARKER,
    ExplorerView,
    panel_description,
    slider_control,
)
from backproplib.views.widgets import round_up, slider_range
from support.lesson_pages import MEASURE, MEASURED, open_page
from support.lesson_pages import press as press_key

ROOT = Path(__file__).resolve().parents[1]
EXPLORER_JS = ASSET_DIR / "explorer.js"
SITE_VENDOR = ROOT / "_static_vendor"
MINUS = "\u2212"

# --- the test fixture model and its Python twin --------------------------------------------------

FIXTURE_MODEL_JS = """({
  parameters: ["w1", "w2"], inputs: ["x1", "x2"], outputs: ["o"], neurons: ["o"],
  evaluate(theta, x, y) {
    const z = theta[0] * x[0] + theta[1] * x[1];
    const a = 1 / (1 + Math.exp(-z));
    const error = a - y[0];
    const delta = error * a * (1 - a);
    return { loss: 0.5 * error * error, gradients: [delta * x[0], delta * x[1]], z: [z], a: [a], delta: [delta] };
  },
  step(theta, x, y, rate) {
    const here = this.evaluate(theta, x, y);
    return [here.loss, theta.map((t, i) => t - rate * here.gradients[i])];
  },
})"""

FIXTURE_NETWORK = Network(
    inputs=("x1", "x2"), layers=(Layer(("o",), "sigmoid", (("w1", "w2"),)),), loss="half_squared_error"
)
FIXTURE_SETTINGS = Settings({"w1": 0.15, "w2": -0.4}, {"x1": 1.1, "x2": 0.5}, 0.8, 0.1)
# The same fixture with a hole: no finite loss or gradient where w1 > 1.
BROKEN_MODEL_JS = f"""(function () {{
  const model = {FIXTURE_MODEL_JS};
  const evaluate = model.evaluate;
  model.evaluate = function (theta, x, y) {{
    const here = evaluate.call(this, theta, x, y);
    return theta[0] > 1 ? Object.assign(here, {{loss: NaN, gradients: [NaN, NaN]}}) : here;
  }};
  return model;
}})()"""


def reference(w: list[float], x: list[float], y: float) -> dict[str, float]:
    """The fixture network by hand in Python floats: loss, both gradients, z, a and δ."""
    z = w[0] * x[0] + w[1] * x[1]
    a = 1 / (1 + math.exp(-z))
    error = a - y
    delta = error * a * (1 - a)
    return {"loss": 0.5 * error * error, "g": [delta * x[0], delta * x[1]], "z": z, "a": a, "delta": delta}


def reference_training(w: list[float], x: list[float], y: float, rate: float, epochs: int) -> list[float]:
    losses = []
    for epoch in range(epochs + 1):
        here = reference(w, x, y)
        losses.append(here["loss"])
        if epoch < epochs:
            w = [wi - rate * gi for wi, gi in zip(w, here["g"])]
    return losses


def shown(value: float) -> str:
    """How the explorer must print a number: Python's .4g, U+2212 for minus, never −0."""
    text = format(value, ".4g")
    return "0" if float(text) == 0 else text.replace("-", MINUS)


def exact_text(value: Decimal) -> str:
    """A slider value's exact decimal: no exponent, no trailing zeros, U+2212 for minus."""
    text = format(value.normalize(), "f")
    return "0" if value == 0 else text.replace("-", MINUS)


# --- node -----------------------------------------------------------------------------------------


def node(body: str, data: Any = None) -> Any:
    """Run ``body`` under node with ``E`` (explorer.js's exports) and ``data``; return what it prints as JSON."""
    script = f"const E = require({json.dumps(str(EXPLORER_JS))});\nconst data = JSON.parse(process.argv[1]);\n{body}"
    result = subprocess.run(["node", "-e", script, json.dumps(data)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_explorer_js_loads_in_node_without_a_page() -> None:
    exported = node("console.log(JSON.stringify(Object.keys(E)))")
    assert {"positions", "positionValue", "positionText", "formatNumber", "useLogAxis", "mount"} <= set(exported)


decimal_values = st.decimals(min_value=-50, max_value=50, places=3, allow_nan=False, allow_infinity=False)


@settings(max_examples=20, deadline=None)
@given(st.lists(decimal_values, min_size=20, max_size=20))
def test_every_slider_position_is_an_exact_decimal(values: list[Decimal]) -> None:
    controls = [
        slider_control("parameter", f"p{i}", "p", slider_range(float(v)), float(v)) for i, v in enumerate(values)
    ]
    got = node(
        """
      console.log(JSON.stringify(data.map(c => {
        const p = E.positions(c);
        const all = Array.from({length: p.count + 1}, (_, i) => [E.positionValue(p, i), E.positionText(p, i)]);
        return {index: p.index, count: p.count, all: all};
      })));""",
        [c.__dict__ for c in controls],
    )
    for value, control, result in zip(values, controls, got):
        step, low = Decimal(repr(control.step)), Decimal(repr(control.min))
        assert result["count"] == control.positions - 1 >= 100
        assert result["all"][result["index"]] == [float(value), exact_text(value)]  # the chapter's value is a position
        for i, (number, text) in enumerate(result["all"]):
            exact = low + i * step
            assert (number, text) == (float(exact), exact_text(exact))


def test_positions_refuse_values_off_the_grid() -> None:
    got = node(
        """
      const tries = data.map(c => { try { E.positions(c); return "accepted"; } catch (e) { return e.message; } });
      console.log(JSON.stringify(tries));""",
        [
            {"name": "w", "min": -2, "max": 2, "step": 0.01, "decimals": 2, "value": 0.155},
            {"name": "w", "min": -2, "max": 2.005, "step": 0.01, "decimals": 3, "value": 0.15},
            {"name": "w", "min": -2, "max": 2, "step": 0.01, "decimals": 2, "value": 2.01},
            {"name": "w", "min": -2, "max": 2, "step": 0.01, "decimals": 2, "value": 0.15},
        ],
    )
    assert got[0] == 'control "w": value = 0.155 is not a whole multiple of 1e-2'
    assert got[1].startswith('control "w": max and value must lie on a step from min')
    assert got[2].startswith('control "w": max and value must lie on a step from min')
    assert got[3] == "accepted"


finite_floats = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=10, deadline=None)
@given(st.lists(finite_floats, min_size=50, max_size=50), st.integers(1, 8))
def test_numbers_print_as_pythons_g_format_without_minus_zero(values: list[float], digits: int) -> None:
    ties = [1.0625, -1.0625, 1234.5, 0.125, 2.5e-5, -0.0, 0.0, 5e-324, -5e-324, 1.7976931348623157e308]
    values = values + ties
    got = node(
        "console.log(JSON.stringify(data.values.map(v => E.formatNumber(v, data.digits))))",
        {"values": values, "digits": digits},
    )
    expected = [format(v, f".{digits}g").replace("-", MINUS) for v in values]
    expected = ["0" if e == MINUS + "0" else e for e in expected]
    assert got == expected
    assert not any(text.startswith(MINUS + "0") and float(text.replace(MINUS, "-")) == 0 for text in got)


def test_non_finite_numbers_print_as_words_and_ticks_have_no_minus_zero() -> None:
    got = node("""console.log(JSON.stringify({numbers: [NaN, Infinity, -Infinity].map(v => E.formatNumber(v)),
                   ticks: [-0, 0, -0.2, 0.1 + 0.2, 20000, 0.00001, -250000].map(E.formatTick)}))""")
    assert got["numbers"] == ["not a number", "\u221e", MINUS + "\u221e"]
    assert got["ticks"] == ["0", "0", MINUS + "0.2", "0.3", "20000", "1e" + MINUS + "05", MINUS + "2.5e+05"]


def test_loss_axis_top_is_pythons_round_number_and_holds_while_the_data_fits() -> None:
    maxima = [0.0913, 0.26, 3.67, 0.0, 1e-9, 123456.0, 0.95238, 2.0]
    got = node(
        "console.log(JSON.stringify({round: data.map(E.roundUp), hold: [E.lossAxisTop(0.5, 1), "
        "E.lossAxisTop(0.1, 1), E.lossAxisTop(1.2, 1), E.lossAxisTop(NaN, 2), E.lossAxisTop(0.3, 0)]}))",
        maxima,
    )
    assert got["round"] == [round_up(m) for m in maxima]
    assert got["hold"] == [1, round_up(0.105), round_up(1.26), 2, round_up(0.315)]


def test_log_axis_only_when_positive_losses_span_more_than_two_decades() -> None:
    cases = {
        "90x": [1.0, 1 / 90], "101x": [1.0, 0.5, 1 / 101], "zero": [1.0, 0.0, 1e-9], "gaps": [None, 1.0, None, 1e-3],
        "flat": [0.2, 0.2], "empty": [],
    }
    got = node(
        "console.log(JSON.stringify(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, E.useLogAxis(v)]))))",
        cases,
    )
    assert got == {"90x": False, "101x": True, "zero": False, "gaps": True, "flat": False, "empty": False}


def test_a_log_axis_ticks_powers_of_ten_at_most_six() -> None:
    got = node(
        "console.log(JSON.stringify(data.map(([low, high]) => E.decadeTicks(low, high, 6))))",
        [[1e-9, 0.1], [1e-3, 1], [1e-20, 1e5], [0.2, 0.5]],
    )
    assert got == [
        [1e-9, 1e-7, 1e-5, 1e-3, 1e-1], [1e-3, 1e-2, 1e-1, 1], [float(f"1e{k}") for k in range(-20, 6, 5)], [0.2, 0.5],
    ]


def test_non_finite_values_become_counted_gaps() -> None:
    got = node("console.log(JSON.stringify(E.finiteOrNull([1, NaN, Infinity, -Infinity, null, 2, undefined, -0.5])))")
    assert got == {"values": [1, None, None, None, None, 2, None, -0.5], "dropped": 5}


def test_training_matches_a_python_loop_and_stops_where_backproplib_does() -> None:
    linear = (
        "({parameters: ['w'], inputs: ['x'], outputs: ['o'], neurons: ['o'], evaluate() {}, "
        "step(t, x, y, r) { const e = t[0] * x[0] - y[0]; return [0.5 * e * e, [t[0] - r * e * x[0]]]; }})"
    )
    got = node(
        f"""
      const fixture = {FIXTURE_MODEL_JS};
      const linear = {linear};
      console.log(JSON.stringify({{
        sigmoid: E.trainingLosses(fixture, [0.15, -0.4], [1.1, 0.5], [0.8], 0.5, 300, data),
        diverging: E.trainingLosses(linear, [0.5], [1], [0], 3, 100, data),
      }}));""",
        DIVERGENCE_LIMIT,
    )
    assert got["sigmoid"] == {"losses": reference_training([0.15, -0.4], [1.1, 0.5], 0.8, 0.5, 300), "diverged": False}
    # w ← w − 3·w doubles |w| each step: Python's rule (loss or |w| past the limit stops the run).
    w, losses = 0.5, []
    while True:
        losses.append(0.5 * w * w)
        if losses[-1] > DIVERGENCE_LIMIT or abs(w - 3 * w) > DIVERGENCE_LIMIT:
            break
        w -= 3 * w
    assert got["diverging"] == {"losses": losses, "diverged": True}


def test_loss_chart_has_the_tangent_through_the_current_point_and_the_point_only_there() -> None:
    got = node(f"""
      const m = {FIXTURE_MODEL_JS};
      const here = m.evaluate([0.15, -0.4], [1.1, 0.5], [0.8]);
      console.log(JSON.stringify(E.lossChartData(m, [0.15, -0.4], [1.1, 0.5], [0.8], 0,
        E.grid(-2, 2.15, 11), here, 0.5)));""")
    xs, losses, tangent, point = got["data"]
    assert xs == sorted(xs) and {-0.35, 0.15, 0.65} <= set(xs) and got["dropped"] == 0
    here = reference([0.15, -0.4], [1.1, 0.5], 0.8)
    for x, loss, t, p in zip(xs, losses, tangent, point):
        assert math.isclose(loss, reference([x, -0.4], [1.1, 0.5], 0.8)["loss"], rel_tol=1e-12)
        assert (t is None) == (x not in (-0.35, 0.15, 0.65))
        if t is not None:
            assert math.isclose(t, here["loss"] + here["g"][0] * (x - 0.15), rel_tol=1e-12)
        assert (p is not None) == (x == 0.15)


def test_a_model_with_non_finite_losses_gives_gaps_and_no_tangent() -> None:
    broken = (
        "({parameters: ['w'], inputs: ['x'], outputs: ['o'], neurons: ['o'], step() {}, "
        "evaluate(t) { return {loss: t[0] > 0 ? NaN : t[0] * t[0], gradients: [t[0] > 0 ? NaN : 2 * t[0]]}; }})"
    )
    got = node(f"""
      const m = {broken};
      console.log(JSON.stringify(E.lossChartData(m, [0.5], [1], [0], 0, E.grid(-1, 1, 5), m.evaluate([0.5]), 0.3)));""")
    assert got["data"][0] == [-1, -0.5, 0, 0.5, 1]  # no tangent ends merged in
    assert got["data"][1] == [1.0, 0.25, 0.0, None, None] and got["dropped"] == 2
    assert got["showTangent"] is False and all(t is None for t in got["data"][2])


def test_a_panel_that_does_not_fit_the_model_is_refused_by_name() -> None:
    panel = panel_description(FIXTURE_NETWORK, FIXTURE_SETTINGS, fixture_ranges(), "w1")
    no_w2 = json.loads(json.dumps(panel))
    no_w2["groups"][0]["controls"].pop(1)
    bad_sweep = dict(panel, sweep=dict(panel["sweep"], value="w9"))
    no_colour = dict(panel, charts={"colours": {}, "labels": panel["charts"]["labels"]})
    got = node(
        f"""
      const m = {FIXTURE_MODEL_JS};
      console.log(JSON.stringify(data.map(p => {{ try {{ E.checkPanel(p, m); return "accepted"; }}
        catch (e) {{ return e.message; }} }})));""",
        [panel, no_w2, bad_sweep, no_colour],
    )
    assert got[0] == "accepted"
    assert got[1] == 'the panel needs one parameter control per name in ["w1","w2"]; got ["w1"]'
    assert got[2].startswith("sweep.options must be model parameters and include sweep.value")
    assert got[3] == "charts.colours.loss must be a colour"


# --- the Python side ------------------------------------------------------------------------------


def fixture_ranges() -> dict[str, tuple[float, float]]:
    s = FIXTURE_SETTINGS
    ranges = {name: slider_range(v) for name, v in {**s.params, **s.x}.items()}
    return {**ranges, "y": (0.0, 1.0), "learning_rate": (0.01, 1.0)}


PANEL = panel_description(FIXTURE_NETWORK, FIXTURE_SETTINGS, fixture_ranges(), "w1")
CONTROLS = [c for group in PANEL["groups"] for c in group["controls"]]


@settings(max_examples=200, deadline=None)
@given(decimal_values, st.floats(0.5, 5))
def test_python_puts_the_value_on_a_position_with_enough_positions(value: Decimal, half_width: float) -> None:
    low, high = slider_range(float(value), half_width)
    control = slider_control("input", "x", "x", (low, high), float(value))
    step, first = Decimal(repr(control.step)), Decimal(repr(control.min))
    assert (value - first) % step == 0 and (Decimal(repr(control.max)) - first) % step == 0
    assert low <= control.min < low + float(step) and high - float(step) < control.max <= high  # inside the range
    assert control.positions >= 100
    assert step.normalize().as_tuple().digits[0] in (1, 2, 5)
    assert control.value == float(value)


def test_the_panel_groups_controls_by_neuron_and_starts_at_the_settings() -> None:
    panel = panel_description(FIXTURE_NETWORK, FIXTURE_SETTINGS, fixture_ranges(), "w2", epochs=100)
    groups = {
        g["legend"]: {c["name"]: (c["role"], c["value"], c["label"]) for c in g["controls"]} for g in panel["groups"]
    }
    assert groups == {
        "into o": {
            "w1": ("parameter", 0.15, "w1: weight from x1 into o"),
            "w2": ("parameter", -0.4, "w2: weight from x2 into o"),
        },
        "inputs": {"x1": ("input", 1.1, "x1: input"), "x2": ("input", 0.5, "x2: input")},
        "target": {"o": ("target", 0.8, "y: target of o")},
        "training": {"rate": ("rate", 0.1, "\u03b7: learning rate"), "epochs": ("epochs", 100, "epochs")},
    }
    assert panel["sweep"] == {"label": "swept parameter", "options": ["w1", "w2"], "value": "w2", "points": 201}
    assert panel["charts"]["colours"] == {
        "loss": "#0072B2",
        "point": "#D55E00",
        "tangent": "#009E73",
        "training": "#CC79A7",
    }


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_every_chapter_value_is_a_slider_position_the_front_end_accepts(key: str) -> None:
    example = load_example(key)
    panel = panel_description(
        example.network, Settings.of(example), live_ranges(example), example.network.parameters[0]
    )
    controls = [c for group in panel["groups"] for c in group["controls"]]
    chapter = {**example.params, **example.x, "rate": example.learning_rate, "epochs": 100}
    chapter.update(zip(example.network.outputs, example.network.check_targets(example.y)))
    chapter = {name: float(value) for name, value in chapter.items()}
    assert {c["name"]: c["value"] for c in controls} == chapter
    got = node(
        """console.log(JSON.stringify(data.map(c => { const p = E.positions(c);
                    return [E.positionValue(p, p.index), E.positionText(p, p.index), p.count + 1]; })))""",
        controls,
    )
    for control, (value, text, count) in zip(controls, got):
        assert (value, text) == (chapter[control["name"]], exact_text(Decimal(repr(chapter[control["name"]]))))
        assert count >= 100


def test_each_output_gets_its_target_and_a_shared_bias_its_own_group() -> None:
    network = layered_network(1, [2, 2], ["tanh", "sigmoid"], "half_squared_error", biases="shared")
    params = {name: 0.25 for name in network.parameters}
    ranges = {name: (-2.0, 2.0) for name in (*network.parameters, *network.inputs, "y", "learning_rate")}
    panel = panel_description(network, Settings(params, {"x1": 0.5}, [0.1, 0.9], 0.25), ranges, "w2_1_1")
    legends = [g["legend"] for g in panel["groups"]]
    assert legends == [
        "into n1_1", "into n1_2", "bias shared by n1_1, n1_2", "into n2_1", "into n2_2", "bias shared by n2_1, n2_2",
        "inputs", "target", "training",
    ]
    target = panel["groups"][legends.index("target")]["controls"]
    assert [(c["name"], c["label"], c["value"]) for c in target] == [
        ("n2_1", "y_n2_1: target of n2_1", 0.1),
        ("n2_2", "y_n2_2: target of n2_2", 0.9),
    ]
    one_number = r"y must have 2 values, one per output \['n2_1', 'n2_2'\]; got one number, 0.5"
    with pytest.raises(ValueError, match=one_number):
        panel_description(network, Settings(params, {"x1": 0.5}, 0.5, 0.25), ranges, "w2_1_1")


def test_html_escapes_the_panel_and_refuses_bad_input() -> None:
    panel = dict(panel_description(FIXTURE_NETWORK, FIXTURE_SETTINGS, fixture_ranges(), "w1"), title="a </script> & b")
    page = ExplorerView(panel, FIXTURE_MODEL_JS).html()
    assert MARKER in page and page.count("</script>") == 2 and "a \\u003c/script\\u003e \\u0026 b" in page
    with pytest.raises(ValueError, match="ranges is missing \\['x2'\\]"):
        panel_description(
            FIXTURE_NETWORK, FIXTURE_SETTINGS, {k: v for k, v in fixture_ranges().items() if k != "x2"}, "w1"
        )
    with pytest.raises(ValueError, match="unknown parameter 'b'; the parameters are 'w1', 'w2'"):
        panel_description(FIXTURE_NETWORK, FIXTURE_SETTINGS, fixture_ranges(), "b")
    with pytest.raises(TypeError, match="model_source must be JavaScript source text"):
        ExplorerView(panel, "")


# --- a Sphinx site with the book's extension ------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Sphinx site: chapters/explorer and chapters/broken (one explorer each), chapters/plain (none)."""
    if not (SITE_VENDOR / "_vendor" / "uplot" / "uPlot.iife.min.js").exists():
        subprocess.run(["make", "vendor"], cwd=ROOT, check=True)
    source = tmp_path_factory.mktemp("site-source")
    (source / "chapters").mkdir()
    (source / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['page_assets', 'explorer_assets']  # as in _config.yml\n"
        f"html_extra_path = [{str(SITE_VENDOR)!r}]\n"
        "mathjax_path = '../_vendor/mathjax/tex-chtml.js'\nproject = 'explorer test'\n"
    )
    (source / "index.rst").write_text(
        "Site\n====\n\n.. toctree::\n\n   chapters/explorer\n   chapters/broken\n   chapters/plain\n"
    )
    for name, model in (("explorer", FIXTURE_MODEL_JS), ("broken", BROKEN_MODEL_JS)):
        raw = textwrap.indent(ExplorerView(PANEL, model).html(), "   ")
        (source / "chapters" / f"{name}.rst").write_text(f"{name}\n========\n\n.. raw:: html\n\n{raw}\n")
    (source / "chapters" / "plain.rst").write_text("Plain\n=====\n\nNo explorer here.\n")
    out = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", str(source), str(out)], check=True, timeout=300
    )
    (out / "favicon.ico").write_bytes(b"")  # Chromium asks for one; a 404 would be a console error
    return out


def loaded_assets(page: Path, site: Path) -> dict[str, str]:
    """Site-root paths of the page's scripts and stylesheets (query strings dropped) -> the tag's attributes."""
    found = {}
    for tag, attributes, url in re.findall(r'<(script|link)\b([^>]*?)(?:src|href)="([^"?]+)[^"]*"', page.read_text()):
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page.relative_to(site).as_posix()), url))
        found[resolved] = tag + attributes
    return found


def test_only_pages_with_an_explorer_load_its_assets_from_files_the_site_has(site: Path) -> None:
    explorer = loaded_assets(site / "chapters" / "explorer.html", site)
    plain = loaded_assets(site / "chapters" / "plain.html", site)
    for path in (*BOOK_SCRIPTS, *BOOK_STYLES):
        assert path in explorer and path not in plain
        assert (site / path).is_file()
    assert all('defer="defer"' in explorer[path] for path in BOOK_SCRIPTS)
    scripts = [p for p, tag in explorer.items() if tag.startswith("script")]
    assert scripts.index(BOOK_SCRIPTS[0]) < scripts.index(BOOK_SCRIPTS[1])  # uPlot before explorer.js
    assert (site / "_vendor" / "uplot" / "LICENSE").is_file()


# --- in headless Chromium -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page_url(site: Path) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/chapters/"
    httpd.shutdown()
    httpd.server_close()


SNAPSHOT = """
const root = document.querySelector('.bp-explorer');
const ex = root.backpropExplorer;
const canvas = selector => root.querySelector(selector).toDataURL();
const plots = root.querySelectorAll('.bp-explorer-chart-training .uplot');
return {
  renders: ex.stats.renders,
  loss: canvas('.bp-explorer-chart-loss canvas'),
  training: canvas('.bp-explorer-chart-training .uplot:not([hidden]) canvas'),
  log: plots.length === 2 && plots[0].hidden && !plots[1].hidden,
  readouts: Object.fromEntries(Array.from(root.querySelectorAll('[data-readout]'))
    .map(e => [e.dataset.readout, e.textContent])),
  sliders: Array.from(root.querySelectorAll('input[type=range]')).map(i => ({
    index: Number(i.value), count: Number(i.max), text: i.getAttribute('aria-valuetext'),
    label: root.querySelector('label[for="' + i.id + '"]').textContent,
    output: root.querySelector('output[for="' + i.id + '"]').textContent})),
  sweep: root.querySelector('select').value,
  notes: Array.from(root.querySelectorAll('.bp-explorer-note')).filter(n => !n.hidden).map(n => n.textContent),
  blank: Array.from(root.querySelectorAll('.uplot:not([hidden]) canvas')).map(c => {
    const empty = document.createElement('canvas');
    [empty.width, empty.height] = [c.width, c.height];
    return c.toDataURL() === empty.toDataURL();
  }),
  live: root.querySelector('[data-readout="loss"]').closest('[aria-live]').getAttribute('aria-live'),
};
"""

WAIT_FOR_EXPLORER = """
const done = arguments[0];
(function wait() {
  const root = document.querySelector('.bp-explorer');
  if (root && root.backpropExplorer && root.backpropExplorer.stats.draws >= 2) requestAnimationFrame(() => done(true));
  else if (document.querySelector('.bp-explorer [role=alert]:not([hidden])'))
    done(document.querySelector('.bp-explorer [role=alert]').textContent);
  else setTimeout(wait, 20);
})();
"""


def open_explorer(browser: Any, url: str) -> dict:
    return open_page(browser, url, WAIT_FOR_EXPLORER, SNAPSHOT)


def press(browser: Any, element: Any, key: str, before: dict) -> dict:
    return press_key(browser, element, key, before, SNAPSHOT)


RESTORE = """
const [input, index, renders, done] = arguments;
input.value = String(index);
input.dispatchEvent(new Event('input', {bubbles: true}));
const ex = document.querySelector('.bp-explorer').backpropExplorer;
(function wait() {
  if (ex.stats.renders > renders) requestAnimationFrame(() => done(true));
  else requestAnimationFrame(wait);
})();
"""


def restore(browser: Any, element: Any, state: dict) -> dict:
    """Put a slider back on its first position (by script: the keys were tested already)."""
    index = CONTROLS[[s["label"] for s in state["sliders"]].index(element.accessible_name)]
    start = round((index["value"] - index["min"]) / index["step"])
    browser.execute_async_script(RESTORE, element, start, state["renders"])
    return browser.execute_script(SNAPSHOT)


def expected_readouts(state: dict) -> dict[str, str]:
    """Every readout from Python: slider values as exact decimals, the fixture network by hand."""
    values = {}
    for control, slider in zip(CONTROLS, state["sliders"]):
        exact = Decimal(repr(control["min"])) + slider["index"] * Decimal(repr(control["step"]))
        assert slider["output"] == slider["text"] == exact_text(exact), control["name"]
        values[control["name"]] = float(exact)
    w, x, y = [values["w1"], values["w2"]], [values["x1"], values["x2"]], values["o"]
    here, sweep = reference(w, x, y), state["sweep"]
    epochs = int(values["epochs"])
    losses = reference_training(w, x, y, values["rate"], epochs)
    return {
        "setting": f"{sweep} = {exact_text(Decimal(repr(values[sweep])))}",
        "loss": f"loss L = {shown(here['loss'])}",
        "gradient": f"\u2202L/\u2202{sweep} = {shown(here['g'][int(sweep[1]) - 1])} (the slope of the tangent)",
        "training": f"training: after {epochs} epochs, loss {shown(losses[-1])}",
        "z_o": shown(here["z"]),
        "a_o": shown(here["a"]),
        "delta_o": shown(here["delta"]),
        "log": max(losses) / min(losses) > 100,
    }


def check_numbers(state: dict) -> None:
    expected = expected_readouts(state)
    assert state["log"] == expected.pop("log")
    assert state["readouts"] == expected
    assert state["notes"] == []  # no "not finite" message, no error


def test_every_slider_and_the_dropdown_redraw_their_chart_with_pythons_numbers(driver: Any, page_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    state = open_explorer(driver, page_url + "explorer.html")
    assert [s["label"] for s in state["sliders"]] == [c["label"] for c in CONTROLS]  # full labels
    assert state["live"] == "polite"
    check_numbers(state)
    inputs = driver.find_elements(By.CSS_SELECTOR, ".bp-explorer input[type=range]")
    for control, element in zip(CONTROLS, inputs):
        for key in (Keys.ARROW_RIGHT, Keys.END, Keys.HOME):
            after = press(driver, element, key, state)
            moves_loss_curve = control["role"] in ("parameter", "input", "target")
            assert (after["loss"] != state["loss"]) == moves_loss_curve, (control["name"], key)
            assert after["training"] != state["training"], (control["name"], key)
            check_numbers(after)
            state = after
        state = restore(driver, element, state)  # the next slider starts from the chapter's settings
    select = driver.find_element(By.CSS_SELECTOR, ".bp-explorer select")
    after = press(driver, select, Keys.ARROW_DOWN, state)
    assert after["sweep"] == "w2" and after["loss"] != state["loss"]
    check_numbers(after)
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    assert all(is_local(url) for url in requested_urls(driver))


def test_key_press_to_redrawn_figure_with_a_2000_epoch_curve(driver: Any, page_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    state = open_explorer(driver, page_url + "explorer.html")
    inputs = driver.find_elements(By.CSS_SELECTOR, ".bp-explorer input[type=range]")
    epochs = inputs[[c["name"] for c in CONTROLS].index("epochs")]
    state = press(driver, epochs, Keys.END, state)
    assert state["readouts"]["training"].startswith("training: after 2000 epochs")
    drawn, frame = [], []
    for i in range(52):
        driver.execute_async_script(MEASURE)
        inputs[0].send_keys(Keys.ARROW_RIGHT if i % 2 == 0 else Keys.ARROW_LEFT)
        to_drawn, to_frame = driver.execute_async_script(MEASURED)
        if i >= 2:  # the first presses warm up the JIT
            drawn.append(to_drawn)
            frame.append(to_frame)
    p50, p95 = np.percentile(drawn, [50, 95])
    f50, f95 = np.percentile(frame, [50, 95])
    print(
        f"\nkey press -> figure drawn: p50 {p50:.1f} ms, p95 {p95:.1f} ms; "
        f"-> next frame after it: p50 {f50:.1f} ms, p95 {f95:.1f} ms ({len(drawn)} presses, 2000 epochs)"
    )
    assert 0 < p50 <= p95 < 50, "a redraw must come within three frames even on a loaded machine"
    check_numbers(driver.execute_script(SNAPSHOT))


def test_a_model_without_a_finite_loss_says_so_and_still_draws(driver: Any, page_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    state = open_explorer(driver, page_url + "broken.html")
    w1 = CONTROLS[0]
    low, high = w1["min"], w1["max"]
    grid = [low + ((high - low) * i) / (PANEL["sweep"]["points"] - 1) for i in range(PANEL["sweep"]["points"] - 1)] + [
        high
    ]
    half = 0.15 * (high - low)
    xs = set(grid) | {w1["value"] - half, w1["value"], w1["value"] + half}
    holes = sum(x > 1 for x in xs)
    assert state["notes"] == [f"The loss is not a finite number at {holes} of {len(xs)} points (gaps in the curve)."]
    assert state["blank"] == [False, False]
    w1_slider = driver.find_elements(By.CSS_SELECTOR, ".bp-explorer input[type=range]")[0]
    state = press(driver, w1_slider, Keys.END, state)
    assert state["readouts"]["loss"] == "loss L = not a number"
    assert state["readouts"]["training"] == "training: diverged at epoch 0, last loss not a number"
    assert state["notes"] == [
        f"The loss is not a finite number at {holes} of {len(set(grid))} points (gaps in the curve). "
        "The loss or its gradient is not a finite number at w1 = 2.15: no tangent.",
        "Training diverged at epoch 0: a loss or parameter passed 1e+06 or stopped being finite. "
        "The training loss is not a finite number.",
    ]
    assert state["blank"] == [False, False]  # axes, the finite part of the curve: never an empty chart
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []


TEXT_FACTS = """
const root = document.querySelector('.bp-explorer');
const ex = root.backpropExplorer;
const texts = Array.from(root.querySelectorAll('*')).filter(e =>
  Array.from(e.childNodes).some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim())
  && e.getClientRects().length);
const cut = Array.from(root.querySelectorAll('label, legend, .u-label, th, td, output, p'))
  .filter(e => e.getClientRects().length && e.scrollWidth > e.clientWidth + 1).map(e => e.textContent);
const plots = [ex.lossPlot, ex.trainingPlots.linear, ex.trainingPlots.log];
return {
  smallest: Math.min(...texts.map(e => parseFloat(getComputedStyle(e).fontSize))),
  canvasFonts: plots.flatMap(u => u.axes.flatMap(a => [a.font[2], a.labelFont[2]])),
  cut: cut,
  overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth,
};
"""


@pytest.mark.parametrize("width", [1280, 400])
def test_text_is_at_least_12px_and_no_label_is_cut(driver: Any, page_url: str, width: int) -> None:
    size = driver.get_window_size()
    driver.set_window_size(width, 1000)
    try:
        open_explorer(driver, page_url + "explorer.html")
        facts = driver.execute_script(TEXT_FACTS)
    finally:
        driver.set_window_size(size["width"], size["height"])
    assert facts["smallest"] >= 12
    assert min(facts["canvasFonts"]) >= 12
    assert facts["cut"] == []
    assert not facts["overflow"], "the explorer makes the page scroll sideways"


BURST = """
const [count, done] = arguments;
const root = document.querySelector('.bp-explorer');
const ex = root.backpropExplorer;
const input = root.querySelector('input[type=range]');
const before = ex.stats.renders;
const start = Number(input.value);
// After a quiet frame the first input redraws at once; the rest of the burst, all in one task,
// must wait for one coalesced redraw at the next animation frame.
requestAnimationFrame(() => setTimeout(() => {
  for (let i = 1; i <= count; i += 1) {
    input.value = String(start + (i % 2 ? 1 : 2));
    input.dispatchEvent(new Event('input', {bubbles: true}));
  }
  const atOnce = ex.stats.renders - before;
  requestAnimationFrame(() => requestAnimationFrame(() => done({atOnce: atOnce, total: ex.stats.renders - before})));
}, 20));
"""


def test_a_key_press_redraws_at_once_and_a_burst_of_inputs_costs_one_more_redraw(driver: Any, page_url: str) -> None:
    open_explorer(driver, page_url + "explorer.html")
    counts = driver.execute_async_script(BURST, 20)
    assert counts == {"atOnce": 1, "total": 2}, counts
