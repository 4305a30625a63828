"""The sentence under a generated chapter's training curve, and its summary clause, tell the run as it went."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from backproplib import Layer, Network, train
from backproplib.authoring.chapter_settings import check_chapter_settings, training_summary

LINEAR = Network(("x",), (Layer(("o",), "identity", (("w",),)),), "half_squared_error")


def test_a_run_that_diverges_at_once_says_so_without_counting_zero_steps():
    run = train(LINEAR, {"w": 1000.0}, {"x": 1000.0}, 0.0, 0.1, 10)  # starting loss 5e11: past the limit
    assert run.diverged and run.diverged_at == 0 and len(run.losses) == 0
    sentence, summary = training_summary(run, 10, 0.1, 1e6, 0.0, 4)
    assert sentence.startswith("Training stopped before its first step")
    assert summary == "training diverged at once and stopped before its first step"
    assert "0 steps" not in sentence + summary and "epochs of training take" not in summary


def test_a_run_that_diverges_later_names_its_steps_and_the_planned_epochs():
    run = train(LINEAR, {"w": 1.0}, {"x": 3.0}, 1.0, 1.0, 20)  # each step multiplies w - 1/3 by -8
    steps = run.diverged_at
    assert run.diverged and 1 <= steps < 20 and len(run.losses) == steps
    sentence, summary = training_summary(run, 20, 1.0, 0.0, 1.0, 2)
    assert sentence.startswith(f"Training diverged: step {steps} of the 20 planned took the loss or a parameter past")
    assert summary == (f"training diverged at step {steps} of the 20 planned epochs; "
                       f"the last loss inside the limit was {run.losses[-1]:.2f}")


@pytest.mark.parametrize(
    "epochs, words", [(1, "1 epoch of training takes it to 0.25"), (3, "3 epochs of training take it to 0.25")]
)
def test_a_run_that_ends_normally_quotes_the_epochs(epochs, words):
    run = SimpleNamespace(losses=[1.0] * epochs + [0.25], diverged=False)
    sentence, summary = training_summary(run, epochs, 0.1, 0.6, 0.5, 2)
    assert summary == words
    assert sentence == (
        f"After {epochs} epoch{'s' if epochs > 1 else ''} the loss is 0.25 "
        "(it started at 1.00) and the prediction is 0.60 for the target 0.5."
    )


@pytest.mark.parametrize(
    "settings, message",
    [
        (dict(epochs=True), "epochs must be a whole number from 1 to 5000; got True"),
        (dict(epochs=5001), "epochs must be a whole number from 1 to 5000; got 5001"),
        (dict(digits=0), "digits must be a whole number from 1 to 10; got 0"),
        (dict(explore=None), "explore must name one of the parameters ('w'); got None"),
        (dict(learning_rate=True), "learning_rate must be a number > 0 and at most 10; got True"),
        (dict(learning_rate=11), "learning_rate must be a number > 0 and at most 10; got 11"),
        (dict(y=float("inf")), "y must be a number from -1000 to 1000; got inf"),
        (dict(x={"x": None}), "x['x'] must be a number from -1000 to 1000; got None"),
        (dict(params={"w": "0.5"}), "params['w'] must be a number from -1000 to 1000; got '0.5'"),
    ],
)
def test_settings_out_of_range_name_the_setting_and_the_range(settings, message):
    good = dict(params={"w": 0.5}, x={"x": 1.0}, y=0.5, learning_rate=0.1, epochs=10, digits=4, explore="w")
    with pytest.raises(ValueError) as caught:
        check_chapter_settings(**{**good, **settings})
    assert str(caught.value).startswith(message)
