"""The numeric pass against derivations written out by hand with :mod:`math`.

Each ``hand_*`` function below repeats one document's network as plain formulas; the
backward pass, the chain-rule paths, gradient steps and training are checked against them.
"""
from __future__ import annotations

import numpy as np
import pytest

from backproplib import (
    Layer,
    Network,
    backward,
    chain_rule,
    gradient_step,
    layered_network,
    load_example,
    loss_and_gradients,
    train,
)
from strategies import HAND, hand_shared_bias, hand_sum_target, hand_tiny_relu, sigmoid


def test_the_hand_derivations_reproduce_values_the_documents_print_correctly():
    # The hand formulas are themselves checked against printed values the documents got right.
    ex = load_example("shared_bias")
    hand = hand_shared_bias(ex.params, ex.x, ex.y)
    assert round(hand["z"]["h1"], 4) == 0.3775 and round(hand["a"]["out"], 4) == 0.7514
    assert round(hand["loss"], 4) == 0.2748
    assert round(hand["gradients"]["w5"], 4) == 0.0822 and round(hand["gradients"]["b1"], 4) == 0.0284
    assert round(hand["gradients"]["b2"], 4) == 0.1385
    ex = load_example("tiny_relu")
    hand = hand_tiny_relu(ex.params, ex.x, ex.y)
    assert round(hand["a"]["o"], 3) == 0.562
    ex = load_example("sum_target")
    hand = hand_sum_target(ex.params, ex.x, ex.y)
    assert round(hand["a"]["h1"], 5) == 0.75026 and round(hand["a"]["o"], 5) == 0.58989


@pytest.mark.parametrize("key", list(HAND))
def test_backward_matches_the_hand_derivation(key):
    ex = load_example(key)
    hand = HAND[key](ex.params, ex.x, ex.y)
    result = backward(ex.network, ex.params, ex.x, ex.y)
    assert float(result.loss) == pytest.approx(hand["loss"], rel=1e-13)
    for n in ex.network.neurons:
        assert float(result.forward.z[n]) == pytest.approx(hand["z"][n], rel=1e-14), n
        assert float(result.forward.a[n]) == pytest.approx(hand["a"][n], rel=1e-14), n
        assert float(result.delta[n]) == pytest.approx(hand["delta"][n], rel=1e-12), n
    assert set(result.gradients) == set(hand["gradients"])
    for name, value in hand["gradients"].items():
        assert float(result.gradients[name]) == pytest.approx(value, rel=1e-12), name


def test_tiny_relu_backward_keeps_dL_dyhat_and_the_sigmoid_slope_apart():
    # Doc 000 writes dL/da2 = a2 - y; for cross-entropy it is (a2 - y) / (a2 (1 - a2)).
    ex = load_example("tiny_relu")
    result = backward(ex.network, ex.params, ex.x, ex.y)
    o = sigmoid(0.5 * 0.5)
    assert float(result.dL_dyhat["o"]) == pytest.approx((o - 0.0) / (o * (1 - o)), rel=1e-12)
    assert float(result.da_dz["o"]) == pytest.approx(o * (1 - o), rel=1e-12)
    assert float(result.delta["o"]) == pytest.approx(o, rel=1e-12)


def test_relu_at_its_kink_passes_no_gradient():
    ex = load_example("tiny_relu")
    result = backward(ex.network, dict(ex.params, w1=0.0), ex.x, ex.y)  # z_h = 0 exactly
    assert float(result.gradients["w1"]) == 0.0
    assert float(result.gradients["w2"]) == 0.0  # h = 0 feeds nothing into w2's gradient


def test_backward_is_idempotent_and_accumulates_nothing():
    ex = load_example("shared_bias")
    params = dict(ex.params)
    first = {k: float(v) for k, v in backward(ex.network, params, ex.x, ex.y).gradients.items()}
    other = dict(params, w5=-3.0, b1=2.0)
    backward(ex.network, other, ex.x, 0.9)
    second = {k: float(v) for k, v in backward(ex.network, params, ex.x, ex.y).gradients.items()}
    third = {k: float(v) for k, v in backward(ex.network, params, ex.x, ex.y).gradients.items()}
    assert first == second == third
    assert params == dict(ex.params)  # the caller's numbers are left alone
    hand = hand_shared_bias(ex.params, ex.x, ex.y)["gradients"]
    assert first == pytest.approx(hand, rel=1e-12)


def test_dropping_intermediates_changes_no_number():
    ex = load_example("blame_flow")
    kept = backward(ex.network, ex.params, ex.x, ex.y)
    dropped = backward(ex.network, ex.params, ex.x, ex.y, keep_intermediates=False)
    assert float(kept.loss) == float(dropped.loss)
    assert {k: float(v) for k, v in kept.gradients.items()} == {k: float(v) for k, v in dropped.gradients.items()}


def test_shared_bias_gradient_is_the_sum_of_the_deltas_of_the_neurons_it_feeds():
    ex = load_example("shared_bias")
    result = backward(ex.network, ex.params, ex.x, ex.y)
    assert float(result.gradients["b1"]) == pytest.approx(
        float(result.delta["h1"]) + float(result.delta["h2"]), rel=1e-14
    )
    hand = hand_shared_bias(ex.params, ex.x, ex.y)
    d_out, h1, h2 = hand["delta"]["out"], hand["a"]["h1"], hand["a"]["h2"]
    by_hand = d_out * 0.40 * h1 * (1 - h1) + d_out * 0.45 * h2 * (1 - h2)
    assert float(result.gradients["b1"]) == pytest.approx(by_hand, rel=1e-12)
    # With a separate bias per neuron each would get only its own delta.
    split = Network(
        ex.network.inputs,
        (
            Layer(("h1", "h2"), "sigmoid", (("w1", "w2"), ("w3", "w4")), bias=("b1", "b1b")),
            ex.network.layers[1],
        ),
        ex.network.loss,
    )
    separate = backward(split, dict(ex.params, b1b=ex.params["b1"]), ex.x, ex.y).gradients
    assert float(separate["b1"]) == pytest.approx(hand["delta"]["h1"], rel=1e-12)
    assert float(separate["b1b"]) == pytest.approx(hand["delta"]["h2"], rel=1e-12)


# --- batches ---------------------------------------------------------------------------


def test_batched_loss_and_gradients_equal_a_loop_of_single_evaluations():
    ex = load_example("shared_bias")
    w5, b1 = np.meshgrid(np.linspace(-2.0, 2.0, 4), np.linspace(-1.0, 1.0, 3))
    loss, gradients = loss_and_gradients(ex.network, dict(ex.params, w5=w5, b1=b1), ex.x, ex.y)
    assert loss.shape == (3, 4) and all(g.shape == (3, 4) for g in gradients.values())
    for i in range(3):
        for j in range(4):
            single = dict(ex.params, w5=float(w5[i, j]), b1=float(b1[i, j]))
            hand = hand_shared_bias(single, ex.x, ex.y)
            assert float(loss[i, j]) == pytest.approx(hand["loss"], rel=1e-13)
            one = backward(ex.network, single, ex.x, ex.y)
            for name in ex.network.parameters:
                assert float(gradients[name][i, j]) == float(one.gradients[name]), (name, i, j)
                assert float(gradients[name][i, j]) == pytest.approx(hand["gradients"][name], rel=1e-11), name


def test_batches_broadcast_across_parameters_inputs_and_targets():
    ex = load_example("sum_target")
    w_h1 = np.linspace(-1.0, 1.0, 3).reshape(3, 1)
    x1 = np.array([[0.5, 1.1, 2.0, -0.4]])
    loss, gradients = loss_and_gradients(ex.network, dict(ex.params, w_h1=w_h1), dict(ex.x, x1=x1), ex.y)
    assert loss.shape == (3, 4)
    # w12 only meets the batch through the output: its gradient still has the full shape.
    assert gradients["w12"].shape == (3, 4)
    for i in range(3):
        for j in range(4):
            hand = hand_sum_target(dict(ex.params, w_h1=float(w_h1[i, 0])), dict(ex.x, x1=float(x1[0, j])), ex.y)
            assert float(loss[i, j]) == pytest.approx(hand["loss"], rel=1e-13)
            for name, value in hand["gradients"].items():
                assert float(gradients[name][i, j]) == pytest.approx(value, rel=1e-11, abs=1e-15), name


def test_a_batch_of_targets_matches_single_targets():
    ex = load_example("tiny_relu")
    targets = np.array([0.0, 0.25, 1.0])
    loss, gradients = loss_and_gradients(ex.network, ex.params, ex.x, [targets])  # one entry per output
    for k, t in enumerate(targets):
        hand = hand_tiny_relu(ex.params, ex.x, float(t))
        assert float(loss[k]) == pytest.approx(hand["loss"], rel=1e-13)
        assert float(gradients["w1"][k]) == pytest.approx(hand["gradients"]["w1"], rel=1e-12)


# --- chain rule ------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(HAND))
def test_chain_rule_paths_sum_to_the_backward_gradient(key):
    ex = load_example(key)
    hand = HAND[key](ex.params, ex.x, ex.y)["gradients"]
    result = backward(ex.network, ex.params, ex.x, ex.y)
    for name in ex.network.parameters:
        rule = chain_rule(ex.network, ex.params, ex.x, ex.y, name)
        assert rule.parameter == name
        assert sum(rule.path_products()) == pytest.approx(float(result.gradients[name]), rel=1e-12, abs=1e-17)
        assert rule.gradient == pytest.approx(hand[name], rel=1e-12, abs=1e-17)


def test_chain_rule_for_w1_is_the_product_doc_001_writes_out():
    ex = load_example("shared_bias")
    rule = chain_rule(ex.network, ex.params, ex.x, ex.y, "w1")
    hand = hand_shared_bias(ex.params, ex.x, ex.y)
    out, h1 = hand["a"]["out"], hand["a"]["h1"]
    assert len(rule.paths) == 1
    assert [(f.of, f.wrt) for f in rule.paths[0]] == [
        ("L", "a_out"),
        ("a_out", "z_out"),
        ("z_out", "a_h1"),
        ("a_h1", "z_h1"),
        ("z_h1", "w1"),
    ]
    expected = [out - ex.y, out * (1 - out), 0.40, h1 * (1 - h1), 0.05]
    assert [f.value for f in rule.paths[0]] == pytest.approx(expected, rel=1e-12)


def test_shared_bias_has_one_path_per_neuron_that_uses_it():
    ex = load_example("shared_bias")
    rule = chain_rule(ex.network, ex.params, ex.x, ex.y, "b1")
    assert [path[-2].of for path in rule.paths] == ["a_h1", "a_h2"]
    assert [path[-1].value for path in rule.paths] == [1.0, 1.0]
    hand = hand_shared_bias(ex.params, ex.x, ex.y)["delta"]
    assert rule.path_products() == pytest.approx([hand["h1"], hand["h2"]], rel=1e-12)


def test_number_of_paths_is_the_product_of_the_widths_above():
    net = layered_network(2, [3, 4, 2], ["tanh", "sigmoid", "identity"], "mean_squared_error", biases="shared")
    rng = np.random.default_rng(3)
    params = {p: float(rng.uniform(-1, 1)) for p in net.parameters}
    x, y = [0.3, -0.8], [0.1, 0.4]
    assert len(chain_rule(net, params, x, y, "w1_1_1").paths) == 4 * 2
    assert len(chain_rule(net, params, x, y, "b1").paths) == 3 * 4 * 2  # shared by 3 neurons
    assert len(chain_rule(net, params, x, y, "w2_3_1").paths) == 2
    assert len(chain_rule(net, params, x, y, "b3").paths) == 2
    gradients = backward(net, params, x, y).gradients
    for name in net.parameters:
        rule = chain_rule(net, params, x, y, name)
        assert rule.gradient == pytest.approx(float(gradients[name]), rel=1e-11, abs=1e-15), name


# --- gradient steps and training -------------------------------------------------------


def test_gradient_step_subtracts_learning_rate_times_gradient():
    stepped = gradient_step({"w": 0.5, "b": -1.0}, {"w": 0.2, "b": -4.0}, 0.1)
    assert stepped == pytest.approx({"w": 0.5 - 0.02, "b": -1.0 + 0.4})
    assert all(isinstance(v, float) for v in stepped.values())
    batch = gradient_step({"w": np.array([1.0, 2.0])}, {"w": np.array([10.0, 20.0])}, 0.5)
    assert batch["w"].tolist() == [-4.0, -8.0]


def test_one_step_on_doc_001_matches_the_hand_update():
    ex = load_example("shared_bias")
    hand = hand_shared_bias(ex.params, ex.x, ex.y)["gradients"]
    stepped = gradient_step(ex.params, backward(ex.network, ex.params, ex.x, ex.y).gradients, ex.learning_rate)
    assert stepped == pytest.approx({p: ex.params[p] - 0.5 * hand[p] for p in ex.params}, rel=1e-13)
    assert round(stepped["w5"], 4) == 0.3589 and round(stepped["b1"], 4) == 0.3358  # as doc 001 prints


def test_training_lowers_the_loss_on_doc_001_and_reports_epochs_plus_one_losses():
    ex = load_example("shared_bias")
    run = train(ex.network, ex.params, ex.x, ex.y, ex.learning_rate, 60)
    assert len(run.losses) == 61 and not run.diverged
    assert run.losses[0] == pytest.approx(hand_shared_bias(ex.params, ex.x, ex.y)["loss"], rel=1e-13)
    assert np.all(np.diff(run.losses) < 0)  # every step at this small learning rate goes downhill
    assert run.losses[-1] < run.losses[0] / 2
    assert run.losses[-1] == pytest.approx(hand_shared_bias(run.params, ex.x, ex.y)["loss"], rel=1e-12)


def test_zero_epochs_only_measures_the_starting_loss():
    ex = load_example("tiny_relu")
    run = train(ex.network, ex.params, ex.x, ex.y, ex.learning_rate, 0)
    assert len(run.losses) == 1 and run.params == ex.params
    assert run.losses[0] == pytest.approx(hand_tiny_relu(ex.params, ex.x, ex.y)["loss"], rel=1e-13)


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("key", list(HAND))
def test_training_equals_repeated_hand_steps(key, fast):
    # Both paths of train() (the teaching loop and the compiled straight-line step) against a loop of hand derivations.
    ex = load_example(key)
    run = train(ex.network, ex.params, ex.x, ex.y, ex.learning_rate, 5, fast=fast)
    params = dict(ex.params)
    for epoch in range(6):
        hand = HAND[key](params, ex.x, ex.y)
        assert run.losses[epoch] == pytest.approx(hand["loss"], rel=1e-12), epoch
        if epoch < 5:
            params = {p: v - ex.learning_rate * hand["gradients"][p] for p, v in params.items()}
    assert run.params == pytest.approx(params, rel=1e-12)


def test_training_a_layered_network_with_shared_biases_equals_backward_and_step():
    net = layered_network(3, [4, 3, 2], ["relu", "tanh", "sigmoid"], "mean_squared_error", biases="shared")
    rng = np.random.default_rng(11)
    params = {p: float(rng.uniform(-1, 1)) for p in net.parameters}
    x, y, rate = [0.5, -1.0, 0.25], [0.2, 0.7], 0.3
    run = train(net, params, x, y, rate, 8)
    current = dict(params)
    for epoch in range(9):
        result = backward(net, current, x, y)
        assert run.losses[epoch] == pytest.approx(float(result.loss), rel=1e-12)
        if epoch < 8:
            current = gradient_step(current, result.gradients, rate)
    assert run.params == pytest.approx(current, rel=1e-11, abs=1e-14)


def test_a_diverging_run_stops_early_and_says_so():
    # One identity neuron, L = (w x - y)^2 / 2: each step multiplies w - y by 1 - rate x^2 = -2.
    net = Network(("x",), (Layer(("o",), "identity", (("w",),)),), "half_squared_error")
    run = train(net, {"w": 1.5}, [1.0], 0.5, 3.0, 100)
    assert run.diverged and len(run.losses) < 101
    expected = [0.5 * (1.0 * (-2.0) ** k) ** 2 for k in range(len(run.losses))]
    assert run.losses.tolist() == pytest.approx(expected, rel=1e-12)
    assert max(abs(v) for v in run.params.values()) <= 1e6


@pytest.mark.parametrize("key", ["tiny_relu", "shared_bias", "sum_target", "blame_flow", "two_outputs"])
def test_chain_rules_from_one_pass_equal_chain_rule_parameter_by_parameter(key):
    from backproplib.engine.numeric import chain_rules

    ex = load_example(key)
    passes = backward(ex.network, ex.params, ex.x, ex.y)
    rules = chain_rules(passes)
    assert list(rules) == list(ex.network.parameters)
    for name, rule in rules.items():
        single = chain_rule(ex.network, ex.params, ex.x, ex.y, name)
        assert rule.paths == single.paths
        assert rule.gradient == pytest.approx(float(passes.gradients[name]), rel=1e-12, abs=1e-300)
    last = ex.network.parameters[-1]
    assert list(chain_rules(passes, [last])) == [last]


def test_chain_rules_refuse_what_they_cannot_read():
    from backproplib.engine.numeric import chain_rules

    ex = load_example("shared_bias")
    with pytest.raises(ValueError, match="unknown parameter 'w9'; the parameters are 'w1'"):
        chain_rules(backward(ex.network, ex.params, ex.x, ex.y), ["w9"])
    with pytest.raises(ValueError, match="keep_intermediates=True"):
        chain_rules(backward(ex.network, ex.params, ex.x, ex.y, keep_intermediates=False))
    with pytest.raises(ValueError, match="one setting, not of arrays"):
        chain_rules(backward(ex.network, dict(ex.params, w5=np.array([0.1, 0.2])), ex.x, ex.y))
