"""The generated models behind every lesson panel, under node, against backproplib's numpy values.

For each chapter's lesson explorer (tests/support/lesson_panels.py) and each of its models (one
network per activation or loss choice):

- the whole pass at 1,000 settings, half of them saturated (``check_network`` of
  test_javascript.py: loss, every gradient, z, a, δ, sweeps, the step and training runs), plus
  each neuron's activation slope ``slope`` against numpy's ``da_dz`` at the same settings;
- ``trace`` (the training run the panels plot) at the panel's own controls: its losses and final θ
  are bitwise those of the model's ``train`` (checked against numpy there); every epoch's θ
  follows the step rule exactly (θ − η·g, or θ + η·g for sign −1); and every epoch's z, a, δ,
  slope and gradients equal numpy's pass at that epoch's θ.

Tolerance: relative 1e-12 with the absolute floor of test_javascript.py (100 units of rounding of
the size of the terms combined: ``error_sizes``); for the slope of a sigmoid or tanh the size is
1 + |f″|·size(z) (the formula a(1 − a) or 1 − a² combines terms up to 1), as there. A ReLU whose
z lies within that rounding of its kink may get either side's slope (0 or 1): the sign of such a z
is the last bit of a sum.
"""
from __future__ import annotations

import numpy as np
import pytest
from test_javascript import SETTINGS, ULPS, _slope_sizes, check_network, draw_settings, error_sizes, misses, setting

from backproplib import backward
from backproplib.engine.javascript import model_source
from support.lesson_panels import LESSONS, lesson, networks_of, quantity, setting_of
from support.node_model import run_model

TRACE_KINDS = ("z", "a", "delta", "slope")


def check_slopes(network, seed: int) -> list[str]:
    """evaluate's slope against numpy's da/dz at 1,000 settings, half of them saturated."""
    rng = np.random.default_rng(seed)
    params, x, y = draw_settings(network, rng, SETTINGS)
    got = run_model(model_source(network), {"evaluate": [setting(params, x, y, network, i) for i in range(SETTINGS)]})
    passes = backward(network, params, x, y)
    sizes = error_sizes(network, passes)
    problems = []
    for k, layer in enumerate(network.layers):
        for n in layer.neurons:
            i = network.neurons.index(n)
            size = _slope_sizes(layer.activation, passes.forward.z[n], passes.forward.a[n], passes.da_dz[n],
                                sizes["z"][n])
            slopes = np.array([r["slope"][i] for r in got["evaluate"]])
            expected = passes.da_dz[n]
            if layer.activation == "relu":  # z within rounding of the kink: either side's slope is honest
                kink = np.abs(passes.forward.z[n]) <= ULPS * sizes["z"][n]
                expected = np.where(kink & np.isin(slopes, (0.0, 1.0)), slopes, expected)
            problems += misses(f"slope {n}", slopes, expected, size)
    return problems


def check_traces(network, panel: dict, rates: list[float], signs: list[int]) -> list[str]:
    """trace at the panel's setting against train, the step rule and numpy's pass at every epoch's θ."""
    params, x, y, _, epochs = setting_of(panel, network, {})
    theta, xs = [params[p] for p in network.parameters], [x[n] for n in network.inputs]
    calls = [[theta, xs, y, r, epochs, s] for r in rates for s in signs]
    got = run_model(model_source(network), {"trace": calls, "train": [c[:5] for c in calls]})
    problems = []
    for (_, _, _, rate, _, sign), traced, trained in zip(calls, got["trace"], got["train"]):
        what = f"rate {rate} sign {sign}"
        if sign == 1 and (traced["losses"] != trained["losses"] or traced["theta"] != trained["theta"]):
            problems.append(f"{what}: trace differs from train")
        values = np.array(traced["values"])  # parameter x epoch
        for k in range(values.shape[1] - 1):
            stepped = values[:, k] - sign * rate * np.array([g[k] for g in traced["gradients"]])
            if not np.array_equal(stepped, values[:, k + 1]):
                problems.append(f"{what}: epoch {k + 1} is not θ − sign·η·g of epoch {k}")
                break
        at = {p: values[i] for i, p in enumerate(network.parameters)}
        passes = backward(network, at, x, y)
        sizes = error_sizes(network, passes)
        problems += misses(f"{what} loss", traced["losses"], passes.loss, sizes["loss"])
        for i, p in enumerate(network.parameters):
            problems += misses(f"{what} gradient {p}", traced["gradients"][i], passes.gradients[p],
                               sizes["gradients"][p])
        for i, n in enumerate(network.neurons):
            layer = next(layer for layer in network.layers if n in layer.neurons)
            slope_size = _slope_sizes(layer.activation, passes.forward.z[n], passes.forward.a[n], passes.da_dz[n],
                                      sizes["z"][n])
            for kind, expected, size in (("z", passes.forward.z, sizes["z"]), ("a", passes.forward.a, sizes["a"]),
                                         ("delta", passes.delta, sizes["delta"])):
                problems += misses(f"{what} {kind} {n}", traced[kind][i], expected[n], size[n])
            problems += misses(f"{what} slope {n}", traced["slope"][i], passes.da_dz[n], slope_size)
    return problems


def _rates_and_signs(panel: dict) -> tuple[list[float], list[int]]:
    rates = [c for g in panel["groups"] for c in g["controls"] if c["role"] == "rate"]
    ends = [[r["stops"][0], r["stops"][-1]] if "stops" in r else [r["min"], r["max"]] for r in rates[:1]]
    chosen = [panel["base"]["rate"]] + [v for pair in ends for v in pair]
    signs = sorted({s["sign"] for c in panel["charts"] for s in c["series"]}, reverse=True)
    return chosen, signs


@pytest.mark.parametrize("name", list(LESSONS))
def test_every_lesson_model_agrees_with_numpy_at_1000_settings_and_along_its_runs(name):
    explorer = lesson(name)
    panel = explorer.view.panel
    rates, signs = _rates_and_signs(panel)
    counted = 0
    for seed, (key, network) in enumerate(networks_of(explorer).items()):
        counted += check_network(network, seed=seed + len(name))
        problems = check_slopes(network, seed=seed)
        # (dataset runs and their mean-loss readouts: tests/test_lesson_datasets.py)
        if any(c["kind"] == "training" for c in panel["charts"]) or any(
                r["at"] == "final" and r["quantity"] != "mean_loss" for r in panel["readouts"]):
            problems += check_traces(network, panel, rates, signs)
        assert not problems, f"{name}/{key}:\n" + "\n".join(problems[:20])
    assert counted >= 1000


def test_a_wrong_slope_or_step_would_be_caught():
    # The checks can fail: numpy's slope of the wrong activation, and an ascent read as descent.
    explorer = lesson("conventions")
    network = networks_of(explorer)["network"]
    panel = explorer.view.panel
    params, x, y, rate, epochs = setting_of(panel, network, {"epochs": 3})
    got = run_model(model_source(network), {"trace": [[[params[p] for p in network.parameters],
                                                       [x[n] for n in network.inputs], y, rate, 3, -1]]})["trace"][0]
    values = np.array(got["values"])
    descent = values[:, 0] - rate * np.array([g[0] for g in got["gradients"]])
    assert not np.array_equal(descent, values[:, 1])
    passes = backward(network, params, x, y)
    assert misses("slope", [got["slope"][0][0]], 1.0 - passes.forward.a["h1"] ** 2, 0.0)  # tanh's, not σ's
    assert quantity(passes, params, "slope:h1") == pytest.approx(got["slope"][0][0], rel=1e-12)
