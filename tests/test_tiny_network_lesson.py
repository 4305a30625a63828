"""The tiny network lesson's derivation and document check, against references that share no code with it.

The derivation's gradient is compared with the hand-derived formula evaluated in mpmath
(δ_o = σ(z_o) − y for a sigmoid output under cross-entropy, then δ_o·a_h and δ_o·w2·ReLU′(z_h)·x),
including settings where ŷ rounds to 1 or 0 in floating point.
"""
from __future__ import annotations

import re

import mpmath
import pytest

from backproplib.checking.examples import load_example
from backproplib.lessons.tiny_network import derivation_latex, document_check

SETTINGS = [  # w1, w2, x, y
    (0.5, 0.5, 1.0, 0.0),
    (50.0, 50.0, 1.0, 0.0),
    (-0.5, 0.5, 1.0, 0.0),
    (2.0, -3.0, 1.5, 1.0),
    (30.0, -40.0, 1.0, 1.0),
    (1000.0, 1000.0, 1000.0, 1.0),
]


def top_value(latex: str) -> mpmath.mpf:
    """The number after the last '=' of the derivation's first line ('1.5 \\times 10^{3}' read too)."""
    first = latex.splitlines()[1]
    text = first.rsplit("=", 1)[1].strip().rstrip("\\").strip()
    match = re.fullmatch(r"(-?[0-9.]+)(?: \\times 10\^\{(-?[0-9]+)\})?", text)
    assert match, text
    return mpmath.mpf(match.group(1)) * mpmath.mpf(10) ** int(match.group(2) or 0)


@pytest.mark.parametrize("w1, w2, x, y", SETTINGS)
def test_derivation_gives_the_exact_gradient(w1, w2, x, y):
    example = load_example("tiny_relu").with_settings(params={"w1": w1, "w2": w2}, x={"x": x}, y=y)
    with mpmath.workdps(60):
        z_h = mpmath.mpf(w1) * x
        a_h = max(z_h, 0)
        delta_o = 1 / (1 + mpmath.exp(-(w2 * a_h))) - y
        expected = {"w2": delta_o * a_h, "w1": delta_o * w2 * (1 if z_h > 0 else 0) * x}
    for parameter in ("w1", "w2"):
        shown = top_value(derivation_latex(example, parameter))
        assert mpmath.almosteq(shown, expected[parameter], rel_eps=1e-5, abs_eps=1e-300), (parameter, shown)
        assert "zoo" not in derivation_latex(example, parameter) and "nan" not in derivation_latex(example, parameter)


def test_one_admonition_explains_all_eight_wrong_values():
    note = document_check(load_example("tiny_relu"), 4)
    # an admonition with its own title (a {warning} would run title and first sentence together)
    assert note.count(":::{admonition}") == 1 and note.splitlines()[1] == ":class: warning dropdown"
    rows = [line for line in note.splitlines() if line.startswith("| dL/") or line.startswith("| w")]
    assert len(rows) == 8
    assert "e-0" not in note and "e+0" not in note  # plain decimals
    # The document's recipe for dL/dw2: (ŷ − 0)·ŷ(1 − ŷ)·a_h at ŷ = σ(0.25), a_h = 0.5, to 4 decimals.
    y_hat = 1 / (1 + mpmath.exp(-0.25))
    assert f"| 0.069 | {float(y_hat * y_hat * (1 - y_hat) * 0.5):.4f} |" in note


def test_other_settings_skip_the_comparison():
    changed = load_example("tiny_relu").with_settings(y=1.0)
    assert "no longer apply" in document_check(changed, 4) and ":::" not in document_check(changed, 4)
