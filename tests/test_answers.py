"""The exercise checker: a right answer passes, a wrong one fails naming the entry and a hint.

Expected gradients come from the jax reference (tests/reference_autodiff.py), which shares no code
with backproplib, so the checker cannot agree with itself by construction.
"""
from __future__ import annotations

import pytest
from reference_autodiff import reference_for

from backproplib.checking.answers import check_gradients
from backproplib.checking.examples import load_example

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
