"""The dataset chart of the lesson panels (chapter 'Learning from many examples') under node, against numpy.

lesson.js's pure functions (``settingFor``, ``batchSize``, ``datasetRun``, ``finalMeanLoss``,
``runLabel``) drive the generated model exactly as the page does, on the description the chapter's
explorer writes. Each run is compared with :func:`backproplib.engine.training.train` on the same
set, batch size and seed, epoch by epoch, with the bound of ``test_javascript_datasets``
(:func:`test_javascript.compare_run`); the held-out mean loss after training with numpy's mean loss
at node's final θ (relative 1e-12); the label with Python's wording, " (diverged)" where numpy's
run diverged. Settings: every batch size 1 … N at rates across the slider (the top two diverge),
and 200 epochs at the batch sizes 1, 4 and N.
"""
from __future__ import annotations

import json
import subprocess
from functools import partial

import numpy as np
import pytest
from test_javascript import REL, compare_run

from backproplib import train
from backproplib.engine.data import mean_loss_and_gradients
from backproplib.engine.javascript import model_source
from backproplib.lessons.many_examples import batch_label
from backproplib.views.explorer import ASSET_DIR
from backproplib.views.lesson_explorer import (
    LessonModel,
    Series,
    dataset_chart,
    dataset_readout,
    lesson_description,
    log_stops,
    panel_dataset,
    stops_control,
)
from support.lesson_panels import dataset_of, many_examples_panel, networks_of, setting_of
from support.node_model import NODE

# Each request: the control values, then which run ("control" or "full").
_DRIVER = """
const L = require(%(lesson)s);
const model = %(model)s;
const panel = %(panel)s;
const chart = panel.charts[0];
const requests = JSON.parse(require("fs").readFileSync(0, "utf8"));
const results = requests.map(([values, which]) => {
  const setting = L.settingFor(model, panel, values);
  const size = L.batchSize(panel, setting, which);
  const run = L.datasetRun(model, panel, setting, size);
  return { size: size, losses: run.losses, theta: run.theta, divergedAt: run.divergedAt,
           held: L.finalMeanLoss(model, panel, run, "held_out"),
           trained: L.finalMeanLoss(model, panel, run, "training"),
           label: L.runLabel(chart, "{batch}", size, run) };
});
const plain = (key, v) =>
  ArrayBuffer.isView(v) ? Array.from(v) : typeof v === "number" && !Number.isFinite(v) ? String(v) : v;
process.stdout.write(JSON.stringify(results, plain));
"""


def run_panel(explorer, requests: list) -> list[dict]:
    """The page's dataset runs for ``requests`` ([values, "control" | "full"]) under node."""
    network = next(iter(networks_of(explorer).values()))
    script = _DRIVER % {"lesson": json.dumps(str(ASSET_DIR / "lesson.js")), "model": model_source(network),
                        "panel": json.dumps(explorer.view.panel)}
    done = subprocess.run([NODE, "-e", script], input=json.dumps(requests), capture_output=True, text=True,
                          timeout=600, check=True)
    as_float = lambda v: float(v.replace("Infinity", "inf")) if isinstance(v, str) else v  # noqa: E731
    return [{**r, "held": as_float(r["held"]), "trained": as_float(r["trained"])} for r in json.loads(done.stdout)]


def check_requests(explorer, requests: list) -> list[str]:
    panel = explorer.view.panel
    network = next(iter(networks_of(explorer).values()))
    n = len(panel["dataset"]["X"])
    training = dataset_of(network, panel["dataset"])
    problems = []
    for (values, which), got in zip(requests, run_panel(explorer, requests)):
        params, _, _, rate, epochs = setting_of(panel, network, values)
        size = n if which == "full" else min(int(values.get("batch", panel["base"]["batch"])), n)
        label = f"rate {rate:.3g}, batch {size}, {epochs} epochs"
        if got["size"] != size:
            problems.append(f"{label}: the page trains at batch size {got['size']}")
        run_with = partial(train, network, params, training.x, training.y, rate, epochs,
                           batch_size=None if size >= n else size, seed=panel["dataset"]["seed"])
        problems += compare_run(network, got, run_with, rate, label)
        expected_label = batch_label(size, n) + (" (diverged)" if run_with().diverged else "")
        if got["label"] != expected_label:
            problems.append(f"{label}: label {got['label']!r}, expected {expected_label!r}")
        at_node = dict(zip(network.parameters, got["theta"]))
        for on, key in (("held_out", "held"), ("training", "trained")):
            expected = numpy_mean(network, panel, at_node, on)
            if not (got[key] == pytest.approx(expected, rel=REL) or (np.isnan(expected) and np.isnan(got[key]))):
                problems.append(f"{label}: {on} mean loss {got[key]!r}, numpy {expected!r}")
    return problems


def numpy_mean(network, panel: dict, params: dict, on: str) -> float:
    """numpy's mean loss over ``on`` (the held-out or the training rows) at ``params``."""
    rows = panel["dataset"]["held_out"] if on == "held_out" else panel["dataset"]
    with np.errstate(all="ignore"):  # a diverged θ may overflow on new examples: inf, as in the page
        return float(mean_loss_and_gradients(network, params, dataset_of(network, rows))[0])


@pytest.fixture(scope="module")
def chapter_panel():
    return many_examples_panel()


def test_every_batch_size_trains_as_numpy_does_at_rates_across_the_slider(chapter_panel) -> None:
    panel = chapter_panel.view.panel
    stops = next(c for g in panel["groups"] for c in g["controls"] if c["role"] == "rate")["stops"]
    rates = [stops[0], 0.3, 1.0, stops[-2], stops[-1]]  # the top two diverge for every batch size
    n = len(panel["dataset"]["X"])
    requests = [[{"rate": r, "batch": b, "epochs": 30}, "control"] for r in rates for b in range(1, n + 1)]
    requests += [[{"rate": r, "epochs": 30}, "full"] for r in rates]
    problems = check_requests(chapter_panel, requests)
    assert not problems, "\n".join(problems[:20])
    labels = [r["label"] for r in run_panel(chapter_panel, requests[-2:])]
    assert all(label.endswith(" (diverged)") for label in labels)  # the test meets diverged runs


def test_two_hundred_epochs_one_example_at_a_time_mini_batches_and_full(chapter_panel) -> None:
    requests = [[{"rate": r, "batch": b, "epochs": 200}, "control"] for r in (0.1, 0.3, 2.0) for b in (1, 4, 24)]
    problems = check_requests(chapter_panel, requests)
    assert not problems, "\n".join(problems[:20])


def test_the_panel_starts_at_the_chapters_setting_and_full_ignores_the_batch_slider(chapter_panel) -> None:
    got = run_panel(chapter_panel, [[{}, "control"], [{"batch": 3}, "full"], [{}, "full"]])
    assert got[0]["size"] == 4 and got[1]["size"] == got[2]["size"] == 24
    assert got[1]["losses"] == got[2]["losses"] and len(got[0]["losses"]) == 101


def test_a_wrong_seed_or_batch_would_be_caught(chapter_panel) -> None:
    # The comparison can fail: numpy at another seed, or at the full batch, is not the page's run.
    panel = chapter_panel.view.panel
    network = next(iter(networks_of(chapter_panel).values()))
    got = run_panel(chapter_panel, [[{"batch": 4, "epochs": 20}, "control"]])[0]
    params, _, _, rate, _ = setting_of(panel, network, {})
    training = dataset_of(network, panel["dataset"])
    for other in (dict(batch_size=4, seed=panel["dataset"]["seed"] + 1), dict(batch_size=None)):
        run_with = partial(train, network, params, training.x, training.y, rate, 20, **other)
        assert compare_run(network, got, run_with, rate, "wrong")


def test_the_description_refuses_what_a_dataset_panel_cannot_draw() -> None:
    explorer = many_examples_panel()
    network = next(iter(networks_of(explorer).values()))
    settings = explorer.view.panel["base"]
    from backproplib.views.explore import Settings

    start = Settings(settings["parameters"], settings["inputs"], settings["targets"]["o"], 0.3)
    models = {"m": LessonModel("m", network)}
    chart = dataset_chart("c", "loss", [Series("loss", "{batch}", "#000000")], ["control"], ["one"])
    with pytest.raises(ValueError, match="need dataset="):
        lesson_description("t", models, start, [], [chart], [])
    training = dataset_of(network, explorer.view.panel["dataset"])
    with pytest.raises(ValueError, match="needs a dataset with a held-out set"):
        lesson_description("t", models, start, [], [chart], [dataset_readout("h", "full")],
                           dataset=panel_dataset(network, training))
    with pytest.raises(ValueError, match="batches must give 'control' or 'full'"):
        dataset_chart("c", "loss", [Series("loss", "x", "#000000")], ["half"], ["one"])
    with pytest.raises(ValueError, match="plots the quantity 'loss'"):
        dataset_chart("c", "loss", [Series("a:o", "x", "#000000")], ["full"], ["one"])
    with pytest.raises(ValueError, match="seed must be a whole number"):
        panel_dataset(network, training, seed=-1)
    with pytest.raises(ValueError, match="batch_size must be a whole number from 1 to 24"):
        from backproplib.lessons import many_examples as lesson

        lesson.many_examples_explorer(network, lesson.ADDITION_START, training, training, batch_size=25)


def test_log_stops_are_powers_of_ten_and_a_stops_slider_holds_its_start_once() -> None:
    stops = log_stops(-2, 0.5, 10)
    assert len(stops) == 26 and stops[0] == 0.01 and stops[10] == 0.1 and stops[20] == 1.0
    assert stops[-1] == pytest.approx(10 ** 0.5, rel=1e-15)
    ratios = np.diff(np.log10(stops))
    assert np.allclose(ratios, 0.1, rtol=1e-12)
    control = stops_control("rate", "rate", "η", stops, 0.3)
    assert control.stops.count(0.3) == 1 and len(control.stops) == 27 and list(control.stops) == sorted(control.stops)
    assert stops_control("rate", "rate", "η", stops, 0.1).stops == stops  # already a stop: nothing added
    with pytest.raises(ValueError, match="role must be one of"):
        stops_control("speed", "rate", "η", stops, 0.3)


def test_a_stops_slider_reads_its_listed_values_and_texts_and_refuses_a_value_off_them() -> None:
    script = (f"const E = require({json.dumps(str(ASSET_DIR / 'explorer.js'))});"
              "const c = {name: 'rate', stops: [0.01, 0.3, 3.1622776601683795], texts: ['0.01', '0.3', '3.16'],"
              " value: 0.3};"
              "const p = E.positions(c);"
              "let refused = 'no error';"
              "try { E.positions({...c, value: 0.31}); } catch (e) { refused = e.message; }"
              "console.log(JSON.stringify([p.count, p.index, E.positionValue(p, 2), E.positionText(p, 2), refused]));")
    done = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == [2, 1, 3.1622776601683795, "3.16",
                                       'control "rate": value must be one of the stops; got 0.31']
