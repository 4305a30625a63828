"""check_gradients: the checker of exercises in which the reader writes code.

Expected gradients here come from mpmath formulas written out for Mazur's 2-2-2 network in
test_examples_mazur.py, not from the library's backward pass.
"""
from __future__ import annotations

import pytest
from test_examples_mazur import exact

from backproplib import load_example
from backproplib.checking.answers import check_gradients

EX = load_example("two_outputs")
RIGHT = {name: float(value) for name, value in exact(EX.params)["grads"].items()}


def check(answer):
    return check_gradients(EX.network, EX.params, EX.x, EX.y, answer)


def test_a_right_answer_passes_and_says_how_many_agree():
    assert check(RIGHT) == "all 10 gradients agree with the backward pass"


def test_a_wrong_entry_is_named_with_the_expected_value():
    with pytest.raises(AssertionError, match=r"1 of 10 gradients differ.*w5: yours 0.0821, expected 0.082167"):
        check(dict(RIGHT, w5=0.0821))


def test_a_hand_rounded_answer_does_not_pass():
    with pytest.raises(AssertionError, match="10 of 10"):
        check({name: float(f"{value:.4g}") for name, value in RIGHT.items()})


def test_missing_and_unknown_entries_are_named():
    with pytest.raises(AssertionError, match="no entry for 'b1', 'b2'"):
        check({k: v for k, v in RIGHT.items() if not k.startswith("b")})
    with pytest.raises(AssertionError, match="names 'w9'"):
        check(dict(RIGHT, w9=0.0))
    with pytest.raises(TypeError, match="answer must map"):
        check([0.1] * 10)
