"""Many examples at once: the averaged loss, its gradients, and training on full batches, mini-batches
and single examples, against jax (an independent autodiff engine, float64) and closed forms.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from backproplib import Layer, Network, backward, load_example, train
from backproplib.engine.data import Dataset, Shuffle, mean_loss_and_gradients

jax.config.update("jax_enable_x64", True)

NETWORK = load_example("shared_bias").network  # 2-2-1, sigmoid, shared hidden bias b1, half squared error
START = dict(load_example("shared_bias").params)
NAMES = NETWORK.parameters


def jax_loss(theta: dict, x1, x2, y):
    """The 2-2-1 network written out again for jax: the mean over the examples of ½(ŷ − y)²."""
    h1 = jax.nn.sigmoid(theta["w1"] * x1 + theta["w2"] * x2 + theta["b1"])
    h2 = jax.nn.sigmoid(theta["w3"] * x1 + theta["w4"] * x2 + theta["b1"])
    out = jax.nn.sigmoid(theta["w5"] * h1 + theta["w6"] * h2 + theta["b2"])
    return jnp.mean(0.5 * (out - y) ** 2)


JAX_GRAD = jax.jit(jax.value_and_grad(jax_loss))


def jax_step(theta: dict, x1, x2, y, rate: float) -> dict:
    _, grads = JAX_GRAD(theta, x1, x2, y)
    return {k: float(v - rate * grads[k]) for k, v in theta.items()}


def dataset(n: int, seed: int) -> Dataset:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 2))
    y = 1 / (1 + np.exp(-(x[:, 0] - x[:, 1])))  # some smooth target inside (0, 1)
    return Dataset.of(NETWORK, x, y)


def test_the_loss_of_a_dataset_is_the_mean_and_its_gradient_the_mean_gradient():
    data = dataset(17, 1)
    loss, grads = mean_loss_and_gradients(NETWORK, START, data)
    ref_loss, ref_grads = JAX_GRAD(START, data.x["x1"], data.x["x2"], data.y["out"])
    assert float(loss) == pytest.approx(float(ref_loss), rel=1e-12)
    for name in NAMES:
        assert float(grads[name]) == pytest.approx(float(ref_grads[name]), rel=1e-10)
    # backward on the same arrays gives the per-example values whose mean that is
    passes = backward(NETWORK, START, data.x, data.y)
    assert passes.loss.shape == (17,) and float(np.mean(passes.loss)) == pytest.approx(float(loss), rel=1e-13)


def test_a_parameter_sweep_over_a_dataset_gives_one_mean_loss_per_setting():
    data = dataset(9, 2)
    values = np.linspace(-2, 2, 7)
    loss, grads = mean_loss_and_gradients(NETWORK, dict(START, w5=values), data)
    assert loss.shape == grads["w1"].shape == (7,)
    for k, v in enumerate(values):
        ref_loss, ref_grads = JAX_GRAD(dict(START, w5=v), data.x["x1"], data.x["x2"], data.y["out"])
        assert float(loss[k]) == pytest.approx(float(ref_loss), rel=1e-12)
        assert float(grads["w5"][k]) == pytest.approx(float(ref_grads["w5"]), rel=1e-10)
    grid = np.meshgrid(values, values[:3])
    loss, _ = mean_loss_and_gradients(NETWORK, dict(START, w5=grid[0], w6=grid[1]), data)
    assert loss.shape == (3, 7)


@pytest.mark.parametrize("batch_size", [None, 32, 5, 1])
def test_training_on_a_dataset_takes_the_steps_jax_takes(batch_size):
    # full batch (None, and 32 >= N), mini-batches of 5 (the last one smaller) and one example at a time,
    # in the order of a new Shuffle(seed).permutation each epoch from one stream, as the docstring says.
    data, rate, epochs, seed = dataset(12, 3), 0.7, 6, 42
    run = train(NETWORK, START, data.x, data.y, rate, epochs, batch_size=batch_size, seed=seed)
    x1, x2, y = data.x["x1"], data.x["x2"], data.y["out"]
    theta, deal, expected = dict(START), Shuffle(seed), []
    for epoch in range(epochs + 1):
        expected.append(float(JAX_GRAD(theta, x1, x2, y)[0]))
        if epoch == epochs:
            break
        if batch_size is None or batch_size >= len(y):
            theta = jax_step(theta, x1, x2, y, rate)
            continue
        order = deal.permutation(len(y))
        for start in range(0, len(y), batch_size):
            i = order[start : start + batch_size]
            theta = jax_step(theta, x1[i], x2[i], y[i], rate)
    np.testing.assert_allclose(run.losses, expected, rtol=1e-10)
    assert run.params == pytest.approx(theta, rel=1e-10)


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    data = dataset(10, 4)
    a, b, c = (train(NETWORK, START, data.x, data.y, 0.5, 3, batch_size=3, seed=s) for s in (7, 7, 8))
    assert a.losses.tolist() == b.losses.tolist() and a.params == b.params
    assert a.params != c.params


def mulberry32_numpy(seed: int, count: int) -> list[int]:
    """mulberry32 written again with numpy's wrapping uint32 arithmetic (not the library's masks)."""
    a, out = np.array([seed], dtype=np.uint32), []
    with np.errstate(over="ignore"):
        for _ in range(count):
            a += np.uint32(0x6D2B79F5)
            t = (a ^ (a >> np.uint32(15))) * (a | np.uint32(1))
            t ^= t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61))
            out.append(int((t ^ (t >> np.uint32(14)))[0]))
    return out


@pytest.mark.parametrize("seed", [0, 1, 2, 42, 2**31, 2**32 - 1])
def test_the_shuffle_stream_is_mulberry32(seed):
    deal = Shuffle(seed)
    assert [deal.next() for _ in range(200)] == mulberry32_numpy(seed, 200)


def test_published_first_numbers_of_mulberry32_for_seed_0():
    # as printed by the reference JavaScript one-liner, Math.imul and all
    deal = Shuffle(0)
    assert [deal.next() for _ in range(3)] == [1144304738, 1416247, 958946056]


def test_each_shuffle_is_a_permutation_and_every_position_is_about_equally_likely():
    counts = np.zeros((6, 6))
    deal = Shuffle(3)
    for _ in range(6000):
        order = deal.permutation(6)
        assert sorted(order) == list(range(6))
        counts[np.arange(6), order] += 1
    assert np.all(np.abs(counts - 1000) < 150)  # about 5 standard deviations of a binomial(6000, 1/6)
    assert Shuffle(0).permutation(0) == [] and Shuffle(0).permutation(1) == [0]


def test_a_bad_seed_is_refused_saying_what_is_allowed():
    data = dataset(4, 6)
    for bad in (-1, 2**32, 1.5, True, "3"):
        with pytest.raises(ValueError, match="seed must be a whole number from 0 to 4294967295"):
            train(NETWORK, START, data.x, data.y, 0.5, 1, batch_size=2, seed=bad)
    with pytest.raises(ValueError, match="n must be a whole number"):
        Shuffle(0).permutation(-1)


def test_batches_follow_the_shuffle_and_drop_no_example():
    data = dataset(7, 2)
    batches = list(data.batches(3, Shuffle(5)))
    order = Shuffle(5).permutation(7)
    assert [len(b) for b in batches] == [3, 3, 1]
    assert np.concatenate([b.y["out"] for b in batches]).tolist() == data.y["out"][order].tolist()
    assert [b.y["out"].tolist() for b in data.batches(3, None)] == [data.y["out"][i:i + 3].tolist() for i in (0, 3, 6)]
    assert list(data.batches(None, Shuffle(5)))[0] is data and list(data.batches(7, Shuffle(5)))[0] is data


def test_learning_y_equals_x1_plus_x2_from_many_examples_and_scoring_a_held_out_set():
    # A linear output can represent y = x1 + x2 exactly: gradient descent on the mean squared error
    # must find w1 = w2 = 1 and the held-out error must fall with the training error.
    net = Network(("x1", "x2"), (Layer(("o",), "identity", (("w1", "w2"),)),), "half_squared_error")
    rng = np.random.default_rng(0)
    train_x, held_x = rng.uniform(0, 1, (40, 2)), rng.uniform(0, 1, (10, 2))
    data = Dataset.of(net, train_x, train_x.sum(axis=1))
    held_out = Dataset.of(net, held_x, held_x.sum(axis=1))
    run = train(net, {"w1": 0.1, "w2": -0.3}, data.x, data.y, 0.5, 400, held_out=held_out)
    assert len(run.held_out_losses) == len(run.losses) == 401
    assert run.params == pytest.approx({"w1": 1.0, "w2": 1.0}, abs=1e-6)
    assert run.held_out_losses[-1] < 1e-12 < run.held_out_losses[0]
    # the held-out loss is the mean over those examples, recomputed here by hand
    w1, w2 = 0.1, -0.3
    assert run.held_out_losses[0] == pytest.approx(
        np.mean(0.5 * (w1 * held_x[:, 0] + w2 * held_x[:, 1] - held_x.sum(axis=1)) ** 2), rel=1e-13
    )


def test_full_batch_mini_batch_and_one_at_a_time_side_by_side():
    # The issue-16 comparison: same data, same epochs; more steps per epoch learn faster per epoch.
    net = Network(("x1", "x2"), (Layer(("o",), "identity", (("w1", "w2"),)),), "half_squared_error")
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1, (32, 2))
    data = Dataset.of(net, x, x.sum(axis=1))
    runs = {b: train(net, {"w1": 0.0, "w2": 0.0}, data.x, data.y, 0.1, 20, batch_size=b, seed=1) for b in (None, 8, 1)}
    assert all(len(r.losses) == 21 and not r.diverged for r in runs.values())
    assert runs[1].losses[-1] < runs[8].losses[-1] < runs[None].losses[-1]


def test_a_dataset_is_built_row_by_row_or_column_by_column():
    two = load_example("two_outputs").network
    rows = Dataset.of(two, [[0.05, 0.1], [0.2, 0.3]], [[0.01, 0.99], [0.5, 0.5]])
    columns = Dataset.of(two, {"i1": [0.05, 0.2], "i2": [0.1, 0.3]}, {"o1": [0.01, 0.5], "o2": [0.99, 0.5]})
    for a, b in ((rows.x, columns.x), (rows.y, columns.y)):
        assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    assert len(rows) == 2 and len(rows.subset([1])) == 1


@pytest.mark.parametrize(
    "x, y, message",
    [
        ([[1, 2, 3]], [1], "x must have 2 columns"),
        ([[1, 2], [3, 4]], [1, 2, 3], "x and y must hold the same number N >= 1 of examples"),
        ([], [], "x must be a table"),
        ("12", [1], "x must be a table"),
        ([[1, float("nan")]], [1], "must be finite"),
    ],
)
def test_a_malformed_dataset_is_refused_saying_what_is_allowed(x, y, message):
    with pytest.raises(ValueError, match=message):
        Dataset.of(NETWORK, x, y)


def test_train_refuses_a_bad_batch_size_and_examples_on_two_axes():
    data = dataset(4, 6)
    for bad in (0, -1, True, 2.5, "2"):
        with pytest.raises(ValueError, match="batch_size must be None"):
            train(NETWORK, START, data.x, data.y, 0.5, 1, batch_size=bad)
    grid = {k: np.ones((2, 3)) for k in data.x}
    with pytest.raises(ValueError, match="one example or N >= 1 examples along one axis"):
        train(NETWORK, START, grid, [np.ones((2, 3))], 0.5, 1)


# --- random networks against a jax forward pass written from the layer description ---------------

JAX_ACTIVATIONS = {
    "sigmoid": jax.nn.sigmoid, "relu": lambda z: jnp.maximum(z, 0.0), "tanh": jnp.tanh, "identity": lambda z: z,
}


def jax_network_loss(network, theta: dict, x: dict, y: dict):
    """The mean over the examples of the network's loss, from ``network``'s description alone."""
    a = dict(x)
    for k, layer in enumerate(network.layers):
        feeds = network.units_before(k)
        for j, neuron in enumerate(layer.neurons):
            z = sum(theta[w] * a[u] for w, u in zip(layer.weights[j], feeds))
            bias = layer.bias_of(j)
            a[neuron] = JAX_ACTIVATIONS[layer.activation](z + theta[bias] if bias is not None else z)
    out = [a[o] for o in network.outputs]
    t = [y[o] for o in network.outputs]
    if network.loss == "half_squared_error":
        per_example = sum(0.5 * (p - q) ** 2 for p, q in zip(out, t))
    elif network.loss == "mean_squared_error":
        per_example = sum((p - q) ** 2 for p, q in zip(out, t)) / len(out)
    else:
        per_example = sum(-(q * jnp.log(p) + (1 - q) * jnp.log(1 - p)) for p, q in zip(out, t)) / len(out)
    return jnp.mean(per_example)


@pytest.mark.parametrize("seed", range(10))
def test_random_networks_train_on_mini_batches_as_jax_says(seed):
    from backproplib import layered_network

    rng = np.random.default_rng(100 + seed)
    loss = ["half_squared_error", "mean_squared_error", "binary_cross_entropy"][seed % 3]
    widths = [int(w) for w in rng.integers(1, 4, size=rng.integers(1, 3))] + [int(rng.integers(1, 3))]
    hidden = [str(a) for a in rng.choice(list(JAX_ACTIVATIONS), size=len(widths) - 1)]
    last = "sigmoid" if loss == "binary_cross_entropy" else str(rng.choice(list(JAX_ACTIVATIONS)))
    net = layered_network(2, widths, hidden + [last], loss, biases=["per_neuron", "shared", "none"][seed % 3])
    params = {p: float(rng.uniform(-1, 1)) for p in net.parameters}
    frozen = tuple(rng.choice(net.parameters, size=min(2, len(net.parameters) - 1), replace=False))
    data = Dataset.of(net, rng.uniform(-1, 1, (9, 2)), rng.uniform(0.1, 0.9, (9, len(net.outputs))))
    run = train(net, params, data.x, data.y, 0.3, 4, batch_size=4, seed=seed, frozen=frozen)
    grad = jax.value_and_grad(lambda th, x, y: jax_network_loss(net, th, x, y))
    theta, deal, expected = dict(params), Shuffle(seed), []
    for epoch in range(5):
        expected.append(float(grad(theta, data.x, data.y)[0]))
        if epoch == 4:
            break
        order = deal.permutation(9)
        for start in range(0, 9, 4):
            batch = data.subset(order[start : start + 4])
            g = grad(theta, batch.x, batch.y)[1]
            theta = {k: v if k in frozen else float(v - 0.3 * g[k]) for k, v in theta.items()}
    np.testing.assert_allclose(run.losses, expected, rtol=1e-9)
    assert run.params == pytest.approx(theta, rel=1e-9, abs=1e-12)
    assert all(run.params[k] == params[k] for k in frozen)
