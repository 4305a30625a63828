"""chapters/shared_bias.ipynb says only true things, under every kind of setting its parameters cell offers.

Two papermill runs (about 45 s each; one test per run so pytest-xdist spreads them) flip every
settings-dependent sentence: a saturated shared bias (b1 = 50, which used to divide by zero) with a
target above the prediction (errors and update directions reversed), and a negative output weight
w5 (the two paths of the shared bias disagree from the first step, so its step is smaller than one
neuron's own). The stored notebook (the document's settings) is checked the same way without
running it. Each sentence is checked against facts computed here from the engine (signs of the
error terms and gradients, a re-computed gradient), not by the chapter's sentence code. Invalid
settings are checked by calling the chapter's validation directly.
"""
from __future__ import annotations

import math

import nbformat
import pytest

from backproplib import forward, train
from backproplib.lessons.bias_paths import check_shared_bias_settings
from support.chapter_file import CHAPTERS, example_from_parameters, glued_values, parameters_cell_values
from support.sentences import error_outputs, executed_with, expected_update_verbs, refused, shown_text, update_verbs

NOTEBOOK = CHAPTERS / "shared_bias.ipynb"
DEFAULTS = parameters_cell_values(NOTEBOOK)
RUNS = {
    "saturated_shared_bias_target_above": {"params": dict(DEFAULTS["params"], b1=50.0), "y": 0.9},
    "negative_output_weight": {"params": dict(DEFAULTS["params"], w5=-0.4)},
}


def check_sentences(notebook, settings: dict) -> None:
    assert error_outputs(notebook) == []
    glued, shown = glued_values(notebook), shown_text(notebook)
    example = example_from_parameters(settings)
    q = example.quantities()

    sign = "positive" if q["a_out"] > settings["y"] else "negative" if q["a_out"] < settings["y"] else "zero"
    assert glued["error_sign"].startswith(sign)

    product = q["delta_h1"] * q["delta_h2"]
    expected = "both error terms have the same sign" if product > 0 else \
        "the error terms have opposite signs" if product < 0 else "one error term is zero"
    assert glued["step_comparison"].startswith(expected)
    larger = abs(q["delta_h1"] + q["delta_h2"]) > max(abs(q["delta_h1"]), abs(q["delta_h2"]))
    assert ("larger than either own step" in glued["step_comparison"]) == larger

    assert update_verbs(shown) == expected_update_verbs(example)

    if q["dadz_h2"] == 0:
        assert glued["balance_w6"].startswith("not defined here")
    else:  # at the quoted w6 the shared bias's gradient vanishes
        balanced = dict(example.params, w6=float(glued["balance_w6"]))
        scale = max(abs(q["delta_h1"]), 1e-300)
        assert abs(example.with_settings(params=balanced).quantities()["grad_b1"]) <= 1e-4 * scale + 1e-12

    # the output sigmoid's slope before and after training, from the engine's own run
    run = train(example.network, example.params, example.x, example.y, example.learning_rate, settings["epochs"])
    end = float(forward(example.network, run.params, example.x, example.y).a["out"])
    assert math.isclose(float(glued["slope_start"]), q["a_out"] * (1 - q["a_out"]), abs_tol=10.0 ** -settings["digits"])
    assert math.isclose(float(glued["slope_end"]), end * (1 - end), abs_tol=10.0 ** -settings["digits"])

    # the story of epochs 10 to 11 is the document's, whatever the settings
    assert glued["doc_disagree"] == "epochs 10 to 11"
    assert ("The document's method and its treatment" in shown) == example.matches_document
    assert ("no longer apply" in shown) == (not example.matches_document)


def test_the_stored_run_at_the_documents_settings():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    check_sentences(notebook, DEFAULTS)
    glued = glued_values(notebook)
    assert glued["disagree_epochs"] == "epochs 10 to 11"
    assert float(glued["slope_start"]) > 9 * float(glued["slope_end"])  # the ten-fold fall, 0.187 -> 0.019


@pytest.mark.parametrize("name", RUNS)
def test_a_run_that_flips_the_sentences(name, tmp_path):
    check_sentences(executed_with(NOTEBOOK, RUNS[name], tmp_path), dict(DEFAULTS, **RUNS[name]))


@pytest.mark.parametrize("changes, message", [
    ({"loss": "mean_squared_error"}, "loss must be 'half_squared_error'"),
    ({"activations": ["tanh", "sigmoid"]}, "activations must be ['sigmoid', 'sigmoid']"),
    ({"activations": ["sigmoid"]}, "activations must be ['sigmoid', 'sigmoid']"),
    ({"epochs": 0}, "epochs must be a whole number from 1"),
    ({"digits": -1}, "digits must be a whole number from 1"),
    ({"learning_rate": -0.5}, "learning_rate must be a number > 0"),
    ({"y": float("inf")}, "y must be a number"),
    ({"params": dict(DEFAULTS["params"], b1=5e3)}, "params['b1'] must be a number"),
    ({"params": {**{k: v for k, v in DEFAULTS["params"].items() if k != "b1"}, "bl": 0.35}},
     "params must give exactly the document's parameters 'w1'"),
    ({"x": {"x1": 0.05}}, "x must give exactly the document's inputs 'x1', 'x2'"),
])
def test_invalid_settings_are_refused_naming_the_setting(changes, message):
    assert message in refused(check_shared_bias_settings, dict(DEFAULTS, **changes), "b1")


def test_the_parameters_cell_is_ascii_so_papermill_reads_every_line():
    (cell,) = [c for c in nbformat.read(NOTEBOOK, as_version=4).cells if "parameters" in c.metadata.get("tags", [])]
    assert cell.source.isascii()
    assert all("=" not in line for line in cell.source.splitlines() if line.lstrip().startswith("#"))
