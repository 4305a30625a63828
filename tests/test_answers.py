"""The exercise checker: a right answer passes, a wrong one fails naming the entry and a hint.

Expected gradients come from the jax reference (tests/reference_autodiff.py), which shares no code
with backproplib, so the checker cannot agree with itself by construction.
"""
from __future__ import annotations

import numpy as np
import pytest
from reference_autodiff import reference_for

from backproplib.checking.answers import check_gradients, check_mean_gradients
from backproplib.checking.examples import load_example
from backproplib.engine.data import Dataset

EXAMPLES = ["tiny_relu", "shared_bias", "sum_target", "blame_flow", "two_outputs"]


def reference_gradients(example) -> dict[str, float]:
    x = [example.x[name] for name in example.network.inputs]
    if isinstance(example.y, dict):
        y = [example.y[name] for name in example.network.outputs]
    else:
        y = list(example.y) if isinstance(example.y, (list, tuple)) else [example.y]
    values, _ = reference_for(example.network).evaluate(example.params, x, y)
    return values.gradients


@pytest.mark.parametrize("key", EXAMPLES)
def test_independent_gradients_pass(key):
    ex = load_example(key)
    message = check_gradients(ex.network, ex.params, ex.x, ex.y, reference_gradients(ex))
    assert message.startswith(f"All {len(ex.network.parameters)} gradients agree")


@pytest.mark.parametrize("key", EXAMPLES)
def test_one_wrong_entry_is_named_and_the_others_are_not(key):
    ex = load_example(key)
    answer = reference_gradients(ex)
    last = ex.network.parameters[-1]
    answer[last] = answer[last] * 1.001 + 1e-3
    with pytest.raises(AssertionError) as failure:
        check_gradients(ex.network, ex.params, ex.x, ex.y, answer)
    lines = str(failure.value).splitlines()
    assert lines[0] == f"1 of {len(ex.network.parameters)} gradients differ from backproplib's:"
    assert lines[1].strip().startswith(f"{last}: you gave")


def test_flipped_sign_and_missing_half_get_hints():
    ex = load_example("shared_bias")
    answer = reference_gradients(ex)
    answer["w5"], answer["w1"] = -answer["w5"], 2 * answer["w1"]
    with pytest.raises(AssertionError) as failure:
        check_gradients(ex.network, ex.params, ex.x, ex.y, answer)
    text = str(failure.value)
    assert "w5: " in text and "sign is flipped" in text
    assert "w1: " in text and "twice the expected value" in text


def test_rounded_copies_fail():
    ex = load_example("tiny_relu")
    rounded = {name: round(value, 4) for name, value in reference_gradients(ex).items()}
    with pytest.raises(AssertionError):
        check_gradients(ex.network, ex.params, ex.x, ex.y, rounded)


@pytest.mark.parametrize(
    "answer, error, words",
    [
        ([0.1, 0.2], TypeError, "answer must be a dict"),
        ({"w1": 0.1}, ValueError, "answer is missing 'w2'"),
        ({"w1": 0.1, "w2": 0.2, "w3": 0.0}, ValueError, "unknown names ['w3']"),
        ({"w1": "a lot", "w2": 0.2}, TypeError, "answer['w1'] must be a number"),
    ],
)
def test_malformed_answers_are_refused_clearly(answer, error, words):
    ex = load_example("tiny_relu")
    with pytest.raises(error, match=words.replace("[", r"\[").replace("]", r"\]")):
        check_gradients(ex.network, ex.params, ex.x, ex.y, answer)


# --- the mean over a dataset (check_mean_gradients) ------------------------------------------------


def reference_mean_gradients(network, params, data) -> dict[str, float]:
    """The jax reference run on each example in turn, and the gradients averaged by hand."""
    reference, rows = reference_for(network), len(data)
    total = {name: 0.0 for name in network.parameters}
    for n in range(rows):
        x = [float(data.x[name][n]) for name in network.inputs]
        y = [float(data.y[name][n]) for name in network.outputs]
        values, _ = reference.evaluate(params, x, y)
        total = {name: total[name] + float(values.gradients[name]) for name in total}
    return {name: value / rows for name, value in total.items()}


def sum_dataset(example, rows: int = 7):
    rng = np.random.default_rng(rows)
    pairs = rng.uniform(0, 1, (rows, len(example.network.inputs)))
    targets = rng.uniform(0.1, 0.9, (rows, len(example.network.outputs)))
    return Dataset.of(example.network, pairs, targets)


@pytest.mark.parametrize("key", EXAMPLES)
def test_independent_mean_gradients_pass_for_a_dataset_and_a_mini_batch(key):
    ex = load_example(key)
    data = sum_dataset(ex)
    for part in (data, data.subset([4, 1, 2])):
        expected = reference_mean_gradients(ex.network, ex.params, part)
        message = check_mean_gradients(ex.network, ex.params, part, expected)
        assert message.startswith(f"All {len(ex.network.parameters)} gradients agree")


def test_a_summed_or_single_example_answer_is_refused_naming_the_entries():
    ex = load_example("sum_target")
    data = sum_dataset(ex)
    mean = reference_mean_gradients(ex.network, ex.params, data)
    summed = {name: len(data) * value for name, value in mean.items()}  # forgot to divide by N
    with pytest.raises(AssertionError, match=f"{len(mean)} of {len(mean)} gradients differ") as failure:
        check_mean_gradients(ex.network, ex.params, data, summed)
    assert all(f"{name}: you gave" in str(failure.value) for name in mean)
    first = reference_mean_gradients(ex.network, ex.params, data.subset([0]))  # one example's gradient
    with pytest.raises(AssertionError, match="gradients differ from backproplib's"):
        check_mean_gradients(ex.network, ex.params, data, first)


def test_mean_gradients_need_a_dataset():
    ex = load_example("tiny_relu")
    with pytest.raises(TypeError, match=r"data must be a Dataset \(Dataset.of\(network, x, y\)\)"):
        check_mean_gradients(ex.network, ex.params, ([1.0], [0.5]), {"w1": 0.0, "w2": 0.0})
