"""The tiny network chapter's settings-dependent sentences are true under settings that flip them.

Three papermill runs (cached at module scope; about one minute each, mostly the precomputed panels):

* ``target_one``: y = 1 and dead_w1 = 0.5 flip the lean of the prediction, the loss's reduced form,
  the direction of both updates and the dead-neuron paragraph (the neuron is alive there);
* ``saturated``: w1 = w2 = 50, where ŷ rounds to 1 in floating point; the exact derivation and the
  three-way check must still give finite, true numbers;
* ``identity_zero_input``: x = 0, an identity output with half squared error, digits 2 and one
  epoch: the ReLU's sum is exactly 0, the output slope follows the identity's row, and the document
  comparison steps aside.

Expected values come from mpmath or from hand-derived formulas, not from the chapter's lesson module.
Invalid settings are checked by calling the validation directly (no papermill).
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import mpmath
import nbformat
import papermill
import pytest

from backproplib.lessons.tiny_network import check_settings

CHAPTER = Path(__file__).resolve().parent.parent / "chapters" / "tiny_network.ipynb"
RUNS = {
    "target_one": {"y": 1.0, "dead_w1": 0.5},
    "saturated": {"params": {"w1": 50.0, "w2": 50.0}},
    "identity_zero_input": {"x": {"x": 0.0}, "y": 0.3, "activations": ["relu", "identity"],
                            "loss": "half_squared_error", "digits": 2, "epochs": 1},
}
_DONE: dict[str, list[str]] = {}


def shown(run: str, tmp_path_factory) -> list[str]:
    """Every Markdown and text output of the chapter run with ``RUNS[run]`` (run once, then cached)."""
    if run not in _DONE:
        output = tmp_path_factory.mktemp(run) / CHAPTER.name
        try:
            papermill.execute_notebook(str(CHAPTER), str(output), parameters=RUNS[run], kernel_name="python3",
                                       cwd=str(CHAPTER.parent), progress_bar=False, log_output=False)
        except papermill.PapermillExecutionError as error:
            pytest.fail(f"{run}: cell {error.exec_count} fails ({error.ename}: {error.evalue})")
        texts = []
        for cell in nbformat.read(output, as_version=4).cells:
            for out in cell.get("outputs", []):
                texts.append(out.get("text", ""))
                texts += [out.get("data", {}).get(m, "") for m in ("text/markdown", "text/plain")]
        _DONE[run] = [t for t in texts if t]
    return _DONE[run]


def paragraph(texts: list[str], start: str) -> str:
    found = [t for t in texts if t.startswith(start)]
    assert len(found) == 1, f"expected one output starting {start!r}; got {len(found)}"
    return found[0]


def sigmoid(z) -> mpmath.mpf:
    return 1 / (1 + mpmath.exp(-z))


def test_target_one_flips_the_directions(tmp_path_factory):
    texts = shown("target_one", tmp_path_factory)
    y_hat = sigmoid(mpmath.mpf(0.25))
    forward = paragraph(texts, "Hidden neuron:")
    assert "leans the right way" in forward and "wrong way" not in forward
    assert f"which for $y =$ 1 is $-\\log \\hat y =$ {float(-mpmath.log(y_hat)):.4f}" in forward
    update = paragraph(texts, "With these settings")
    # δ_o = ŷ − 1 < 0 and a_h = w2·x = 0.5 > 0: both gradients negative, both weights grow.
    new = 0.5 - 0.1 * float((y_hat - 1) * 0.5)
    assert update.count("increases from 0.5000 to " + f"{new:.4f}") == 2 and "decreases" not in update
    dead = paragraph(texts, "At $w_{h x} =$ 0.5")
    assert "alive" in dead and "flat" not in dead and "*dead*" not in dead


def test_saturated_weights_give_exact_finite_numbers(tmp_path_factory):
    texts = shown("saturated", tmp_path_factory)
    derivation = paragraph(texts, "$$\n\\begin{aligned}")
    with mpmath.workdps(60):  # ∂L/∂ŷ = 1/(1 − σ(2500)) = 1 + e^2500
        exponent = int(mpmath.floor(mpmath.log10(1 + mpmath.exp(2500))))
    assert f"10^{{{exponent}}}" in derivation and "zoo" not in derivation
    assert re.search(r"\\partial w_\{h x\}\} = 50 \\\\", derivation)
    check = paragraph(texts, "Three-way gradient check")
    assert "zoo" not in check and re.search(r"w1\s+50\s+50\s+50", check)
    update = paragraph(texts, "With these settings")
    assert update.count("decreases from 50.0000 to 45.0000") == 2


def test_zero_input_and_identity_output(tmp_path_factory):
    texts = shown("identity_zero_input", tmp_path_factory)
    forward = paragraph(texts, "Hidden neuron:")
    assert "exactly 0, so the ReLU outputs 0" in forward and "positive" not in forward
    assert "below the target $y =$ 0.3" in forward and "which here is 0.04" in forward  # ½·0.3² = 0.045
    slopes = paragraph(texts, "* $\\partial L/\\partial \\hat y$")
    assert "\\operatorname{id}'(z_o) = 1" in slopes and "\\sigma" not in slopes
    update = paragraph(texts, "With these settings")
    # a_h = 0 and x = 0, so both gradients are 0 and nothing moves.
    assert "stays at 0.50" in update and "increases" not in update and "decreases" not in update
    assert any("no longer apply" in t for t in texts)
    assert not any("✗ wrong" in t for t in texts)


@pytest.mark.parametrize("change, message", [
    ({"epochs": 0}, "epochs must be a whole number from 1 to 5000; got 0"),
    ({"digits": -1}, "digits must be a whole number from 1 to 10; got -1"),
    ({"params": {"w1": 0.5}}, "params must give exactly w1 and w2"),
    ({"params": "w1=0.5"}, "params must give exactly w1 and w2"),
    ({"x": {"x1": 1.0}}, "x must be a dict with the one input 'x'"),
    ({"dead_w1": math.nan}, "dead_w1 must be a number from -1000 to 1000"),
    ({"learning_rate": 0}, "learning_rate must be a number > 0"),
    ({"activations": ["relu"]}, "activations must be a list of 2 activation names"),
    ({"y": -0.7, "loss": "half_squared_error"}, "y must be a number from 0 to 1"),
])
def test_bad_settings_are_named(change, message):
    settings = dict(params={"w1": 0.5, "w2": 0.5}, x={"x": 1.0}, y=0.0, learning_rate=0.1,
                    activations=["relu", "sigmoid"], loss="binary_cross_entropy", epochs=100, digits=4, dead_w1=-0.5)
    settings.update(change)
    with pytest.raises(ValueError, match=re.escape(message)):
        check_settings(**settings)
