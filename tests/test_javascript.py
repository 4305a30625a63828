"""The generated JavaScript model (backproplib.engine.javascript), run under node, against numpy.

For every document example and for random networks (depth 1–3, widths 1–4, every activation, loss
and bias kind; cross-entropy with its sigmoid output), node evaluates 1,000 settings, one step at
each, sweeps and training runs, all in one process per network; every number a panel uses is
compared with backproplib's numpy values: ``backward`` (loss, gradients, z, a, δ), ``loss_and_gradients``
(the sweep), ``gradient_step`` (the step) and ``train`` (losses, final θ, divergence epoch).
Half the settings are rescaled layer by layer so that a layer's largest |z| is one of 0.01 … 1000:
saturated sigmoids and tanh, and exponentials far past overflow in the naive forms.

Tolerance: relative 1e-12, with an absolute floor of 100 units of rounding (100·2⁻⁵³) of the *size*
of the terms float64 combined for that value (:func:`error_sizes`). The two languages do the same
arithmetic in the same order and differ only in the last bit of exp, tanh and log1p; where a value
is a small difference of large terms (z = Σ w·a cancelling, σ′ = a(1 − a) with a rounded near 1),
that bit is multiplied by the terms, not by the value, whatever code computes it. Sizes are
first-order bounds propagated through the pass (a sum: the sum of absolute terms; a product: each
factor's size times the other's value; f(z): |f′|·size(z) plus |f|); without cancellation a size
is the value itself and the 1e-12 relative tolerance governs.

Training runs are compared the same way epoch by epoch, with one more allowance where REL misses:
the spread of two numpy runs whose every step is moved by one unit of rounding (×100). A large rate
can make descent chaotic, each epoch multiplying the rounding of the earlier ones; no float64 code
determines such a run beyond that spread, and where it changes numpy's own divergence epoch, node's
must be one of numpy's epochs.
"""
from __future__ import annotations

import json
import math
import re
import subprocess
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backproplib import (
    ACTIVATIONS,
    EXAMPLES,
    Layer,
    Network,
    backward,
    forward,
    gradient_step,
    layered_network,
    loss_and_gradients,
    train,
)
from backproplib.engine import activations as activation_rows
from backproplib.engine.javascript import HELPER_SOURCE, HELPERS_END, HELPERS_START, SHUFFLE_SOURCE, model_source
from backproplib.engine.templates import HELPERS, Code
from support.node_model import NODE, run_model

REL = 1e-12
ULPS = 100 * 2.0**-53
TINY = 1e-300  # below float64's normal range
SETTINGS = 1000  # evaluated (and stepped) per network
SWEEPS, SWEEP_POINTS = 4, 250  # sweeps per network, points per sweep
RUNS, EPOCHS = 12, 60  # training runs per network, epochs per run
REACH = (0.01, 1.0, 5.0, 30.0, 100.0, 1000.0)  # a rescaled layer's largest |z|


# -- the settings -----------------------------------------------------------------------------
def draw_settings(network: Network, rng: np.random.Generator, count: int) -> tuple[dict, list, list]:
    """``count`` settings as arrays: parameters, inputs and targets; the second half saturated.

    Each layer of a saturated setting is rescaled in turn (weights and its bias) so that its largest
    |z| is drawn from REACH; the first settings are all zero (every ReLU at its kink, z = 0)."""
    params = {p: rng.uniform(-2.0, 2.0, count) for p in network.parameters}
    x = [rng.uniform(-2.0, 2.0, count) for _ in network.inputs]
    cross_entropy = network.loss == "binary_cross_entropy"
    y = [rng.uniform(0.0, 1.0, count) if cross_entropy else rng.uniform(-2.0, 2.0, count) for _ in network.outputs]
    if cross_entropy:
        for t in y:
            certain = rng.random(count) < 0.3
            t[certain] = rng.integers(0, 2, int(certain.sum()))  # some certain targets, 0 or 1
    for k, layer in enumerate(network.layers):  # setting k: layer k's z = 0 (ReLU's kink) with the rest live
        for name in layer.parameters():
            params[name][k] = 0.0
    saturated = np.arange(count) >= count // 2
    for k, layer in enumerate(network.layers):
        z = forward(network, params, x, y).z
        largest = np.max([np.abs(z[n]) for n in layer.neurons], axis=0)
        factor = np.where(saturated, rng.choice(REACH, count) / np.maximum(largest, 1e-2), 1.0)
        for name in layer.parameters():
            params[name] = params[name] * factor
    return params, x, y


def setting(params: dict, x: list, y: list, network: Network, i: int) -> tuple[list, list, list]:
    """Setting ``i`` of the arrays as the model's plain lists θ, x, y."""
    return [float(params[p][i]) for p in network.parameters], [float(v[i]) for v in x], [float(t[i]) for t in y]


# -- how large the rounding may honestly be ---------------------------------------------------
def _slope_sizes(activation: str, z: np.ndarray, a: np.ndarray, slope: np.ndarray, z_size: np.ndarray) -> np.ndarray:
    """Size of the computed slope: its formula's terms, plus |f″|·size(z)."""
    if activation == "sigmoid":  # a(1 − a): terms ≤ 1; |σ″| ≤ σ′
        return 1.0 + np.abs(slope) * z_size
    if activation == "tanh":  # 1 − a²: terms ≤ 1; |tanh″| = 2|a|(1 − a²)
        return 1.0 + 2.0 * np.abs(a * slope) * z_size
    return np.abs(slope)  # ReLU's 0 or 1, identity's 1: exact


def error_sizes(network: Network, passes) -> dict:
    """For every value of the pass, the size of the terms float64 combines for it (see the docstring)."""
    p, a, z = passes.forward.params, passes.forward.a, passes.forward.z
    size = {u: np.abs(v) for u, v in zip(network.inputs, (a[u] for u in network.inputs))}
    z_size, slope_size = {}, {}
    for k, layer in enumerate(network.layers):
        for j, n in enumerate(layer.neurons):
            terms = [np.abs(p[w]) * size[u] for w, u in zip(layer.weights[j], network.units_before(k))]
            z_size[n] = sum(terms) + (np.abs(p[layer.bias_of(j)]) if layer.bias_of(j) else 0.0)
            size[n] = np.abs(passes.da_dz[n]) * z_size[n] + np.abs(a[n])
            slope_size[n] = _slope_sizes(layer.activation, z[n], a[n], passes.da_dz[n], z_size[n])
    n_out, outputs = len(network.outputs), network.outputs
    targets = [np.abs(t) for t in passes.forward.targets]
    delta_size = {}
    if network.loss == "binary_cross_entropy":  # from z: (1 − y)σ(z) − yσ(−z) and |σ′|·size(z)
        with np.errstate(over="ignore"):
            for o, t in zip(outputs, passes.forward.targets):
                delta_size[o] = ((1 - t) * a[o] + t / (1 + np.exp(z[o])) + passes.da_dz[o] * z_size[o]) / n_out
        loss_size = np.abs(passes.loss) + sum(np.abs(passes.delta[o]) * z_size[o] for o in outputs)
    else:
        scale = 2.0 / n_out if network.loss == "mean_squared_error" else 1.0
        for o, t in zip(outputs, targets):
            error_size = scale * (size[o] + t)
            delta_size[o] = np.abs(passes.dL_dyhat[o]) * slope_size[o] + np.abs(passes.da_dz[o]) * error_size
        loss_size = np.abs(passes.loss) + sum(
            np.abs(passes.dL_dyhat[o]) * (size[o] + t) for o, t in zip(outputs, targets)
        )
    gradient_size = {name: 0.0 for name in network.parameters}
    for k in reversed(range(len(network.layers))):
        layer = network.layers[k]
        for j, n in enumerate(layer.neurons):
            if k + 1 < len(network.layers):
                above = network.layers[k + 1]
                carried = sum(np.abs(p[above.weights[m][j]]) * delta_size[u] for m, u in enumerate(above.neurons))
                delta_size[n] = np.abs(passes.dL_da[n]) * slope_size[n] + np.abs(passes.da_dz[n]) * carried
            for w, u in zip(layer.weights[j], network.units_before(k)):
                gradient_size[w] = gradient_size[w] + delta_size[n] * np.abs(a[u]) + np.abs(passes.delta[n]) * size[u]
            if layer.bias_of(j):
                gradient_size[layer.bias_of(j)] = gradient_size[layer.bias_of(j)] + delta_size[n]
    return {"loss": loss_size, "z": z_size, "a": size, "delta": delta_size, "gradients": gradient_size}


def misses(what: str, got, expected, size) -> list[str]:
    """Where ``got`` differs from ``expected`` by more than REL relative and ULPS of ``size``."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    allowed = np.maximum(REL * np.abs(expected), np.maximum(ULPS * np.broadcast_to(size, expected.shape), TINY))
    with np.errstate(invalid="ignore"):
        bad = ~((np.abs(got - expected) <= allowed) | (got == expected))
    return [f"{what}[{i}]: node {got.flat[i]!r}, numpy {expected.flat[i]!r}" for i in np.flatnonzero(bad)[:5]]


# -- one network, checked whole ---------------------------------------------------------------
def check_network(network: Network, seed: int) -> int:
    """Everything node computes for ``network`` against numpy; returns the number of settings run."""
    rng = np.random.default_rng(seed)
    params, x, y = draw_settings(network, rng, SETTINGS)
    rate = float(rng.choice([0.01, 0.1, 0.5, 2.0]))
    points = [setting(params, x, y, network, i) for i in range(SETTINGS)]
    sweeps = _sweep_requests(network, params, x, y, rng)
    runs = [(*points[int(i)], float(r), EPOCHS) for i, r in zip(rng.integers(0, SETTINGS, RUNS), rng.choice(
        [0.01, 0.1, 1.0, 5.0, 50.0], RUNS))]
    got = run_model(model_source(network), {
        "evaluate": points, "step": [[*point, rate] for point in points], "sweep": sweeps, "train": runs,
    })
    assert got["names"] == {key: list(getattr(network, key)) for key in ("parameters", "inputs", "outputs", "neurons")}
    problems = _check_evaluate(network, params, x, y, got["evaluate"], got["step"], rate)
    problems += _check_sweeps(network, sweeps, got["sweep"])
    problems += _check_runs(network, runs, got["train"])
    assert not problems, "\n".join(problems[:20])
    return SETTINGS + SWEEPS * SWEEP_POINTS + RUNS


def _check_evaluate(network: Network, params, x, y, evaluated, stepped, rate) -> list[str]:
    passes = backward(network, params, x, y)
    sizes = error_sizes(network, passes)
    problems = misses("loss", [r["loss"] for r in evaluated], passes.loss, sizes["loss"])
    for i, name in enumerate(network.parameters):
        problems += misses(f"gradient {name}", [r["gradients"][i] for r in evaluated], passes.gradients[name],
                           sizes["gradients"][name])
    for i, neuron in enumerate(network.neurons):
        for key, expected in (("z", passes.forward.z), ("a", passes.forward.a), ("delta", passes.delta)):
            problems += misses(f"{key} {neuron}", [r[key][i] for r in evaluated], expected[neuron], sizes[key][neuron])
    loss, gradients = loss_and_gradients(network, params, x, y)  # the batch path, as the sweep uses
    problems += misses("loss_and_gradients loss", [r["loss"] for r in evaluated], loss, sizes["loss"])
    new = gradient_step(params, passes.gradients, rate)
    problems += misses("step loss", [s[0] for s in stepped], passes.loss, sizes["loss"])
    for i, name in enumerate(network.parameters):
        problems += misses(f"step {name}", [s[1][i] for s in stepped], new[name],
                           np.abs(params[name]) + rate * sizes["gradients"][name])
        problems += misses(f"loss_and_gradients {name}", [r["gradients"][i] for r in evaluated], gradients[name],
                           sizes["gradients"][name])
    return problems


def _sweep_requests(network: Network, params, x, y, rng) -> list[list]:
    requests = []
    for i in rng.integers(0, SETTINGS, SWEEPS):
        theta, xs, ys = setting(params, x, y, network, int(i))
        index = int(rng.integers(0, len(theta)))
        reach = max(abs(theta[index]), 1.0)
        requests.append([theta, xs, ys, index, list(np.linspace(-2 * reach, 2 * reach, SWEEP_POINTS))])
    return requests


def _check_sweeps(network: Network, requests, results) -> list[str]:
    problems = []
    for (theta, xs, ys, index, values), result in zip(requests, results):
        swept = dict(zip(network.parameters, theta), **{network.parameters[index]: np.array(values)})
        loss, gradients = loss_and_gradients(network, swept, xs, ys)
        sizes = error_sizes(network, backward(network, swept, xs, ys))
        problems += misses("sweep loss", result["losses"], loss, sizes["loss"])
        for i, name in enumerate(network.parameters):
            problems += misses(
                f"sweep gradient {name}", result["gradients"][i], gradients[name], sizes["gradients"][name]
            )
    return problems


def _check_runs(network: Network, runs, results) -> list[str]:
    """Training on one example: each node run against backproplib's ``train`` (:func:`compare_run`)."""
    problems = []
    for (theta, xs, ys, rate, epochs), result in zip(runs, results):
        start = dict(zip(network.parameters, theta))
        run_with = partial(train, network, start, xs, ys, rate, epochs)
        problems += compare_run(network, result, run_with, rate, f"rate {rate}")
    return problems


def compare_run(network: Network, result: dict, run_with, rate: float, label: str) -> list[str]:
    """node's run ``result`` against numpy's ``run_with()`` (``train`` with every setting bound, at
    learning rate ``rate``): the divergence epoch, the losses and the final θ.

    To REL, or where that misses, to the run's own sensitivity to rounding (:func:`_perturbed_runs`)
    plus the sizes of what it adds (:func:`_run_sizes`): a loss converging to 0 is a cancelling
    difference, a large rate can make the descent chaotic, each epoch multiplying the rounding of
    the earlier ones, and a θ that the steps carry near 0 keeps their rounding. Where one unit of
    rounding in θ changes numpy's own divergence epoch, node's must be one of numpy's."""
    run = run_with()
    final = [run.params[p] for p in network.parameters]
    if result["divergedAt"] == run.diverged_at and not (
        misses("", result["losses"], run.losses, 0.0) or misses("", result["theta"], final, 0.0)
    ):
        return []
    others = _perturbed_runs(run_with)
    if result["divergedAt"] not in {run.diverged_at, *(other.diverged_at for other in others)}:
        return [f"train {label}: node diverged at {result['divergedAt']}, numpy at {run.diverged_at}"]
    common = min(len(result["losses"]), *(len(other.losses) for other in (run, *others)))
    spread = np.max([np.abs(other.losses[:common] - run.losses[:common]) for other in others], axis=0)
    loss_sizes, theta_sizes = _run_sizes(network, run_with, rate, common)
    sizes = 100 * spread / ULPS + loss_sizes
    problems = misses(f"train losses ({label})", result["losses"][:common], run.losses[:common], sizes)
    if result["divergedAt"] == run.diverged_at and all(other.diverged_at == run.diverged_at for other in others):
        moved = np.max([np.abs([o.params[p] - run.params[p] for p in network.parameters]) for o in others], axis=0)
        problems += misses(f"train θ ({label})", result["theta"], final, 100 * moved / ULPS + theta_sizes)
    return problems


def _run_sizes(network: Network, run_with, rate: float, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Sizes (:func:`error_sizes`) along the run: of each of the first ``count`` losses (averaged over
    the examples), and of what the steps add to each parameter, η·Σ over epochs and examples of the
    size of the example's gradient (a bound for every batch size: a batch's mean is no larger)."""
    losses, steps = [], np.zeros(len(network.parameters))

    def record(epoch, params, passes):
        sizes = error_sizes(network, passes)
        losses.append(float(np.mean(sizes["loss"])))
        steps[:] += [rate * float(np.sum(sizes["gradients"][p])) for p in network.parameters]

    run_with(record=record, fast=False)
    return np.pad(losses, (0, max(0, count - len(losses))))[:count], steps  # a run stopped sooner: no size


def _perturbed_runs(run_with) -> list:
    """numpy's run with every step's θ moved by one unit of rounding of the step's terms, |θ| + η|g|
    (each parameter up or down at random), twice: how far rounding alone carries this run. Moved at
    every step, not only at the start: a large step rounds a first perturbation away, and a chaotic
    run amplifies later ones; by the terms, not the result, because a step that brings θ near 0
    cancels them (one example at a time, many steps an epoch, does that often)."""
    rng = np.random.default_rng(1)

    def rounded_differently(params, gradients, learning_rate, frozen):
        return {p: v - learning_rate * gradients[p] + 2.0**-52 * (abs(v) + abs(learning_rate * gradients[p]))
                * rng.choice([-1.0, 1.0]) for p, v in params.items()}

    return [run_with(step_rule=rounded_differently) for _ in range(2)]


# -- the tests --------------------------------------------------------------------------------
@pytest.mark.parametrize("key", list(EXAMPLES))
def test_every_example_network_agrees_with_numpy(key):
    assert check_network(EXAMPLES[key].network, seed=len(key)) >= 1000


@st.composite
def layered(draw) -> Network:
    depth = draw(st.integers(1, 3))
    loss = draw(st.sampled_from(["half_squared_error", "mean_squared_error", "binary_cross_entropy"]))
    hidden = [draw(st.sampled_from(list(ACTIVATIONS))) for _ in range(depth - 1)]
    output = "sigmoid" if loss == "binary_cross_entropy" else draw(st.sampled_from(list(ACTIVATIONS)))
    widths = [draw(st.integers(1, 4)) for _ in range(depth)]
    biases = draw(st.sampled_from(["per_neuron", "shared", "none"]))
    return layered_network(draw(st.integers(1, 3)), widths, hidden + [output], loss, biases=biases)


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(layered(), st.integers(0, 2**32 - 1))
def test_random_networks_agree_with_numpy(network, seed):
    assert check_network(network, seed) >= 1000


JS_RESERVED = ("class", "new", "delete", "this", "function", "return", "var", "let", "const", "typeof", "in",
               "NaN", "undefined", "theta", "loss", "x0", "Math", "arguments", "eval")


def test_parameters_named_like_javascript_reserved_words_evaluate_correctly():
    # Every name is a legal backproplib name; none may reach the JavaScript as an identifier.
    names = iter(JS_RESERVED)
    hidden = Layer(("h1", "h2"), "tanh", ((next(names), next(names)), (next(names), next(names))),
                   bias=(next(names), next(names)))
    output = Layer(("o1", "o2"), "sigmoid", ((next(names), next(names)), (next(names), next(names))),
                   bias=next(names))
    network = Network(("in1", "in2"), (hidden, output), "binary_cross_entropy")
    assert set(network.parameters) <= set(JS_RESERVED) and len(network.parameters) == 11
    source = model_source(network)
    assert not re.search(r"\b(?:const|let|var|function)\s+(?:" + "|".join(network.parameters) + r")\b", source)
    params = {p: 0.1 * (i + 1) * (-1) ** i for i, p in enumerate(network.parameters)}
    x, y = [0.7, -1.3], [1.0, 0.25]
    got = run_model(source, {"evaluate": [[list(params.values()), x, y]]})
    passes = backward(network, params, x, y)
    assert got["names"]["parameters"] == list(network.parameters)
    result = got["evaluate"][0]
    assert result["loss"] == pytest.approx(float(passes.loss), rel=REL)
    assert result["gradients"] == pytest.approx([float(passes.gradients[p]) for p in network.parameters], rel=REL)


def _outside_helpers(source: str) -> str:
    """The model without its helpers and its shuffle (which needs Math.imul), the two blocks printed once."""
    start, end = source.index(HELPERS_START), source.index(HELPERS_END)
    first, last = SHUFFLE_SOURCE.splitlines()[0], SHUFFLE_SOURCE.splitlines()[-1]
    shuffle_start, shuffle_end = source.index(first), source.index(last)
    assert end < shuffle_start
    return source[:start] + source[end:shuffle_start] + source[shuffle_end:]


@pytest.mark.parametrize("key", list(EXAMPLES))
def test_no_formula_text_outside_the_helpers_and_the_templates(key):
    source = model_source(EXAMPLES[key].network)
    block = source[source.index(HELPERS_START) + len(HELPERS_START):source.index(HELPERS_END)]
    # the helper block defines each template helper once, and nothing else
    assert re.findall(r"function (\w+)\(", block) == list(HELPERS)
    assert [line.strip() for line in block.strip().splitlines()] == [HELPER_SOURCE[h] for h in HELPERS]
    rest = _outside_helpers(source)
    assert "Math." not in rest and "exp" not in rest and "log" not in rest and "tanh" not in rest
    assert not any(re.search(rf"function {helper}\b", rest) for helper in HELPERS)
    # outside the helpers, a number is only a template's constant, a count or the divergence limit
    assert set(re.findall(r"(?<![\w.])\d+\.\d+\b", rest)) <= {"1.0", "0.5", "2.0", "1000000.0"}


def test_the_pass_is_the_rows_templates_filled_in(monkeypatch):
    # Change the tanh row's templates: the generated pass follows, with nothing of the old ones left.
    network = layered_network(1, [2, 1], ["tanh", "identity"], "half_squared_error")
    marked = replace(ACTIVATIONS["tanh"], code=Code("_tanh({z}) * 1.0", "(1.0 - {a} * {a}) * 1.0"))
    before = model_source(network)
    monkeypatch.setitem(activation_rows.ACTIVATIONS, "tanh", marked)
    after = model_source(network)
    assert "const a1_0 = _tanh(z1_0);" in before and "const a1_0 = _tanh(z1_0) * 1.0;" in after
    assert "* ((1.0 - a1_1 * a1_1) * 1.0);" in after and "* (1.0 - a1_1 * a1_1);" in before


def test_bad_arguments_get_a_clear_error_naming_them():
    source = model_source(EXAMPLES["shared_bias"].network)
    for call, message in [
        ("m.evaluate([1, 2], [0, 0], [0])", "theta must be an array of 8 numbers in network order"),
        ("m.step([1, 2, 3, 4, 5, 6, 7, 8], [0], [0], 0.1)", "x must be an array of 2 numbers"),
        ("m.sweep([1, 2, 3, 4, 5, 6, 7, 8], [0, 0], [0], 8, [0])", "index must be a parameter's position, 0 to 7"),
        ("m.train([1, 2, 3, 4, 5, 6, 7, 8], [0, 0], [0], -1, 5)", "rate must be a finite number > 0"),
        ("m.train([1, 2, 3, 4, 5, 6, 7, 8], [0, 0], [0], 0.1, 1.5)", "epochs must be a whole number >= 0"),
    ]:
        script = f"const m = {source};\ntry {{ {call}; console.log('no error'); }} "
        script += "catch (e) { console.log(e.message); }"
        done = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True)
        assert message in done.stdout, (call, done.stdout)


def test_one_sigmoid_neuron_by_hand():
    # o = σ(w·x + b), half the squared error: z, a, δ = (a − y)·a(1 − a), gradients δ·x and δ, written out here.
    network = Network(("x",), (Layer(("o",), "sigmoid", (("w",),), bias="b"),), "half_squared_error")
    w, b, x, y = 0.8, -0.3, 1.5, 0.2
    z = w * x + b
    a = 1 / (1 + math.exp(-z))
    delta = (a - y) * a * (1 - a)
    result = run_model(model_source(network), {"evaluate": [[[w, b], [x], [y]]], "step": [[[w, b], [x], [y], 0.5]]})
    here = result["evaluate"][0]
    assert here["z"] == [z] and here["a"] == pytest.approx([a], rel=1e-15)
    assert here["loss"] == pytest.approx(0.5 * (a - y) ** 2, rel=1e-14)
    assert here["delta"] == pytest.approx([delta], rel=1e-14)
    assert here["gradients"] == pytest.approx([delta * x, delta], rel=1e-14)
    loss, stepped = result["step"][0]
    assert stepped == pytest.approx([w - 0.5 * delta * x, b - 0.5 * delta], rel=1e-14)


def test_a_diverging_run_stops_at_the_same_epoch_as_train():
    # identity output, w·x with x = 3, rate 1: each step multiplies the error by −8 until it passes 1e6
    network = Network(("x",), (Layer(("o",), "identity", (("w",),)),), "half_squared_error")
    got = run_model(model_source(network), {"train": [[[1.0], [3.0], [0.0], 1.0, 100]]})["train"][0]
    run = train(network, {"w": 1.0}, [3.0], 0.0, 1.0, 100)
    assert run.diverged_at is not None and got["divergedAt"] == run.diverged_at
    assert got["losses"] == list(run.losses) and got["theta"] == [run.params["w"]]


@pytest.mark.parametrize("bias", ["per_neuron", "shared", "none"])
@pytest.mark.parametrize("loss", ["half_squared_error", "mean_squared_error", "binary_cross_entropy"])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_every_activation_loss_and_bias_kind_agrees_with_numpy(activation, loss, bias):
    # 2 inputs, a hidden layer of 3 and two outputs; the output is a sigmoid under cross-entropy
    output = "sigmoid" if loss == "binary_cross_entropy" else activation
    network = layered_network(2, [3, 2], [activation, output], loss, biases=bias)
    assert check_network(network, seed=len(activation + loss + bias)) >= 1000


EXTREMES = [-1e308, -1000.0, -710.0, -40.0, -1.0, -1e-300, 0.0, 1e-300, 1.0, 40.0, 710.0, 1000.0, 1e308]


def test_each_helper_is_finite_and_agrees_with_the_python_float_step_at_every_finite_input():
    # The Python float step's helpers (compiled._SCALAR) are the reference: the same forms, math's functions.
    from backproplib.engine.compiled import _SCALAR

    block = "\n".join(HELPER_SOURCE[h] for h in HELPERS)
    calls = {h: [z for z in EXTREMES if h != "_log" or z > 0] for h in HELPERS}
    script = f"{block}\nconst calls = {json.dumps(calls)};\n" + (
        "console.log(JSON.stringify(Object.fromEntries(Object.entries(calls).map("
        "([h, zs]) => [h, zs.map((z) => eval(h)(z))]))));"
    )
    done = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True)
    for helper, values in json.loads(done.stdout).items():
        for z, value in zip(calls[helper], values):
            assert value is not None and math.isfinite(value), (helper, z, value)  # JSON writes ±Infinity as null
            assert value == pytest.approx(_SCALAR[helper](z), rel=4 * 2.0**-53, abs=1e-307), (helper, z)


def test_the_explorer_front_end_accepts_every_generated_model():
    from backproplib.views.explorer import ExplorerView

    explorer = Path(__file__).resolve().parents[1] / "backproplib" / "views" / "explorer" / "explorer.js"
    for key, example in EXAMPLES.items():
        source = model_source(example.network)
        ExplorerView({"title": key, "groups": [], "sweep": {}}, source)  # refuses a source that would end <script>
        script = f"const E = require({json.dumps(str(explorer))});\nE.checkModel({source});\nconsole.log('ok');"
        done = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=False)
        assert done.stdout.strip() == "ok", (key, done.stderr[-2000:])
