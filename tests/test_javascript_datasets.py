"""The generated model's dataset functions (``meanLoss``, ``trainSet``) under node, against numpy.

For every document example and for random networks (depth 1–3, widths 1–4, every activation, loss
and bias kind), node trains on random datasets of 1–10 examples: full batch (``batchSize`` 0 or
≥ N), mini-batches and one example at a time, with random seeds and learning rates from 0.01 to 10,
half the runs from saturated settings (a layer's largest |z| up to 1000); each run is compared
epoch by epoch with :func:`backproplib.engine.training.train` at the same seed, and ``meanLoss``
with the first loss of that run.

Tolerance: that of ``test_javascript`` (:func:`test_javascript.compare_run`): relative 1e-12 with a
floor of 100 units of rounding of the size of the terms (for θ, of the steps it took), and where a
run is chaotic, the spread of numpy runs moved by one unit of rounding at every step. Nothing is allowed for the means
themselves: node adds the examples in numpy's pairwise order (checked bit for bit below), so the
two languages differ only where their passes do, in the last bit of exp, tanh and log1p.
"""
from __future__ import annotations

import json
import subprocess
from functools import partial

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_javascript import REL, compare_run, draw_settings, layered

from backproplib import EXAMPLES, Layer, Network, train
from backproplib.engine.data import Shuffle
from backproplib.engine.javascript import SHUFFLE_SOURCE, model_source
from support.node_model import NODE, run_model

RUNS, EPOCHS, LARGEST = 40, 10, 10  # training runs per network, epochs per run, largest dataset
RATES = (0.01, 0.1, 0.5, 2.0, 10.0)


def dataset_requests(network: Network, seed: int) -> list[list]:
    """``RUNS`` trainSet argument lists: settings from :func:`draw_settings` (every other run saturated),
    a dataset around each, and every kind of batch."""
    rng = np.random.default_rng(seed)
    params, x, y = draw_settings(network, rng, 2 * RUNS)
    requests = []
    for r in range(RUNS):
        i = r // 2 + (RUNS if r % 2 else 0)  # the second half of draw_settings' settings is saturated
        n = int(rng.integers(1, LARGEST + 1))
        others = draw_settings(network, rng, LARGEST + 4)  # only their inputs and targets are used
        rows_x = [[float(v[i]) for v in x]] + [[float(v[k]) for v in others[1]] for k in range(1, n)]
        rows_y = [[float(t[i]) for t in y]] + [[float(t[k]) for t in others[2]] for k in range(1, n)]
        theta = [float(params[p][i]) for p in network.parameters]
        batch = [0, n, int(rng.integers(1, n + 1)), 1][r % 4]  # full (two ways), mini, one at a time
        requests.append([theta, rows_x, rows_y, float(rng.choice(RATES)), EPOCHS, batch, int(rng.integers(0, 2**32))])
    return requests


def check_network(network: Network, seed: int) -> int:
    """node's trainSet and meanLoss against train for ``network``; returns the number of runs compared."""
    requests = dataset_requests(network, seed)
    got = run_model(model_source(network), {"trainSet": requests, "meanLoss": [r[:3] for r in requests]})
    problems = []
    for (theta, rows_x, rows_y, rate, epochs, batch, shuffle_seed), result, mean in zip(
        requests, got["trainSet"], got["meanLoss"]
    ):
        columns_x, columns_y = np.array(rows_x).T, np.array(rows_y).T
        start = dict(zip(network.parameters, theta))
        run_with = partial(train, network, start, list(columns_x), list(columns_y), rate, epochs,
                           batch_size=batch or None, seed=shuffle_seed)
        label = f"rate {rate}, N {len(rows_x)}, batch {batch}, seed {shuffle_seed}"
        problems += compare_run(network, result, run_with, rate, label)
        first = train(network, start, list(columns_x), list(columns_y), rate, 0)  # the mean loss at θ
        if first.losses.size:  # (none where θ is already outside the divergence limit)
            problems += [] if mean == pytest.approx(first.losses[0], rel=REL) else [f"meanLoss ({label})"]
    assert not problems, "\n".join(problems[:20])
    return len(requests)


@pytest.mark.parametrize("key", list(EXAMPLES))
def test_every_example_network_trains_on_datasets_as_numpy_does(key):
    assert check_network(EXAMPLES[key].network, seed=len(key)) == RUNS


@settings(max_examples=24, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(layered(), st.integers(0, 2**32 - 1))
def test_random_networks_train_on_datasets_as_numpy_does(network, seed):
    # with the examples' 5 × 40, 29 networks × 40 runs: 1,160 runs of every batch kind
    assert check_network(network, seed) == RUNS


def node_script(source: str, expression: str) -> object:
    done = subprocess.run([NODE, "-e", f"{source}\nconsole.log(JSON.stringify({expression}));"],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_the_printed_shuffle_deals_what_python_deals():
    seeds = [0, 1, 2, 42, 2**31 - 1, 2**31, 2**32 - 1]
    sizes = [1, 2, 3, 7, 8, 100, 1000]
    expression = (f"{json.dumps(seeds)}.map((seed) => {{ const deal = shuffler(seed); return "
                  f"[[0, 1, 2].map(() => deal.next()), {json.dumps(sizes)}.map((n) => deal.permutation(n))]; }})")
    for seed, (numbers, orders) in zip(seeds, node_script(SHUFFLE_SOURCE, expression)):
        deal = Shuffle(seed)
        assert numbers == [deal.next() for _ in range(3)]
        assert orders == [deal.permutation(n) for n in sizes], seed


def test_mean_loss_adds_in_numpys_pairwise_order_bit_for_bit():
    # o = w·x, half the squared error, w = 1, y = 0: each example's loss ½x² is exact for x = k·2^e with
    # k < 2^20, so the only rounding left is the sum's; over a wide range of e its order shows.
    network = Network(("x",), (Layer(("o",), "identity", (("w",),)),), "half_squared_error")
    rng = np.random.default_rng(0)
    sizes = [1, 2, 7, 8, 9, 15, 16, 17, 100, 128, 129, 200, 256, 300, 1000]
    sets = [rng.integers(1, 2**20, n) * 2.0 ** rng.integers(-30, 30, n) for n in sizes]
    requests = [[[1.0], [[float(v)] for v in values], [[0.0]] * len(values)] for values in sets]
    got = run_model(model_source(network), {"meanLoss": requests})["meanLoss"]
    got = [float(v) for v in got]  # JSON writes 2.6e16 as an int
    expected = [float(np.mean(0.5 * values * values)) for values in sets]
    assert got == expected
    in_order = [sum((0.5 * values * values).tolist()) / len(values) for values in sets]
    assert got != in_order  # the test can tell a plain left-to-right sum from numpy's


def test_a_diverging_dataset_run_stops_at_the_same_epoch_as_train():
    # o = w·x on x = 3 and 2, rate 1, one example at a time: each step overshoots until |w| passes 1e6
    network = Network(("x",), (Layer(("o",), "identity", (("w",),)),), "half_squared_error")
    got = run_model(model_source(network), {"trainSet": [[[1.0], [[3.0], [2.0]], [[0.0], [0.0]], 1.0, 100, 1, 5]]})
    run = train(network, {"w": 1.0}, [np.array([3.0, 2.0])], [np.zeros(2)], 1.0, 100, batch_size=1, seed=5)
    result = got["trainSet"][0]
    assert run.diverged_at is not None and result["divergedAt"] == run.diverged_at
    assert result["losses"] == run.losses.tolist() and result["theta"] == [run.params["w"]]


def test_bad_dataset_arguments_get_a_clear_error_naming_them():
    source = model_source(EXAMPLES["tiny_relu"].network)
    theta, X, Y = "[0.5, 0.5]", "[[1], [2]]", "[[0], [1]]"
    for call, message in [
        (f"m.trainSet({theta}, [[1], [2]], [[0]], 0.1, 5, 0, 0)", "X and Y must be arrays of the same number N >= 1"),
        (f"m.trainSet({theta}, [], [], 0.1, 5, 0, 0)", "X and Y must be arrays of the same number N >= 1"),
        (f"m.trainSet({theta}, [[1, 2], [2, 3]], {Y}, 0.1, 5, 0, 0)", "x must be an array of 1 numbers"),
        (f"m.trainSet({theta}, {X}, {Y}, 0, 5, 0, 0)", "rate must be a finite number > 0"),
        (f"m.trainSet({theta}, {X}, {Y}, 0.1, -1, 0, 0)", "epochs must be a whole number >= 0"),
        (f"m.trainSet({theta}, {X}, {Y}, 0.1, 5, 1.5, 0)", "batchSize must be a whole number >= 0"),
        (f"m.trainSet({theta}, {X}, {Y}, 0.1, 5, 1, 2 ** 32)", "seed must be a whole number from 0 to 4294967295"),
        (f"m.meanLoss([0.5], {X}, {Y})", "theta must be an array of 2 numbers"),
    ]:
        script = f"const m = {source};\ntry {{ {call}; console.log('no error'); }} "
        script += "catch (e) { console.log(e.message); }"
        done = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True)
        assert message in done.stdout, (call, done.stdout)
