"""chapters/sum_target.ipynb says only true things, under every kind of setting its parameters cell offers.

Three papermill runs (about 20 s each; one test per run so pytest-xdist spreads them) flip every
settings-dependent sentence: a target on the sigmoid's edge (y = 1), a target inside it with an
identity output (y = 0.5, error and update directions reversed), and saturating weights (±50)
with a tanh output and a negative target. The stored notebook (the document's settings) is checked
the same way without running it. Each sentence is checked against facts computed here, not by
the chapter's own sentence code: the output ranges are written out below, directions follow from
the gradient's sign, numbers quoted in a sentence are checked against each other.
Invalid settings are checked by calling the chapter's validation directly (no papermill).
"""
from __future__ import annotations

import math
import re

import nbformat
import pytest

from backproplib.lessons.output_range import check_sum_target_settings
from support.chapter_file import CHAPTERS, example_from_parameters, glued_values, parameters_cell_values
from support.sentences import error_outputs, executed_with, expected_update_verbs, refused, update_verbs

NOTEBOOK = CHAPTERS / "sum_target.ipynb"
DEFAULTS = parameters_cell_values(NOTEBOOK)
# What each output activation can produce, written out independently of the library: (low, high, edges attained)
RANGES = {"sigmoid": (0.0, 1.0, False), "tanh": (-1.0, 1.0, False), "relu": (0.0, math.inf, True),
          "identity": (-math.inf, math.inf, False)}
SATURATING = dict(DEFAULTS["params"], w_h1=50.0, w_h2=-50.0, w11=50.0)
RUNS = {
    "edge_target": {"y": 1.0},
    "inside_target_identity_output": {"y": 0.5, "activations": ["sigmoid", "identity"]},
    "saturating_weights_tanh_negative_target": {"params": SATURATING, "y": -2.0, "activations": ["sigmoid", "tanh"]},
}


def markdown_outputs(notebook) -> str:
    return "\n".join(
        "".join(output.get("data", {}).get("text/markdown", ""))
        for cell in notebook.cells for output in cell.get("outputs", [])
    )


def expected_reach(activation: str, y: float) -> str:
    low, high, attained = RANGES[activation]
    if low < y < high or (attained and y in (low, high)):
        return "It can"
    if y in (low, high):
        return "Only in the limit"
    return "It cannot"


def check_sentences(notebook, settings: dict) -> None:
    """Every settings-dependent sentence of one executed chapter, against facts computed here."""
    assert error_outputs(notebook) == []
    glued, shown = glued_values(notebook), markdown_outputs(notebook)
    example = example_from_parameters(settings)
    q, y = example.quantities(), settings["y"]
    output = settings["activations"][1]

    assert glued["reach_intro"].startswith(expected_reach(output, y) + ":"), glued["reach_intro"]
    assert glued["reach_sigmoid"].startswith(expected_reach("sigmoid", y) + ":"), glued["reach_sigmoid"]
    sign = "negative" if q["a_o"] < y else "positive" if q["a_o"] > y else "zero"
    assert glued["error_sign"].startswith(sign)

    # the update: a weight grows exactly when its gradient is negative
    for verb, old, new in re.findall(r"\$ (grows|shrinks) from (-?[\d.]+) to (-?\d+\.\d+)", shown):
        assert (verb == "grows") == (float(new) > float(old)), (verb, old, new)
    assert update_verbs(shown) == expected_update_verbs(example)

    # the sigmoid run: "falls" only when the loss fell; the floor sentence only for a target outside
    first, last = map(float, re.search(r"the loss (?:falls|rises|stays) from (\S+) to (\S+?),", shown).groups())
    verb = re.search(r"the loss (falls|rises|stays) from", shown).group(1)
    assert verb == ("falls" if last < first else "rises" if last > first else "stays")
    assert ("The target lies inside the range" in shown) == (0 < y < 1)

    # tanh against its floor: the quoted gap is the difference of the quoted numbers, and the word fits it
    loss, gap, floor, word = re.fullmatch(r"the loss ends at (\S+), (\S+) above the floor (\S+): (.+)",
                                          glued["tanh_floor"]).groups()
    assert math.isclose(float(loss) - float(floor), float(gap), abs_tol=2 * 10.0 ** -settings["digits"])
    assert (word == "on it to the digits shown") == (float(gap) == 0)

    # the one-pair network never answers beyond |w_oh1| + |w_oh2|
    bound = float(glued["pair_bound"])
    assert all(abs(float(glued[f"pair_answer_{k}"])) <= bound + 1e-9 for k in range(3))

    # the summary quotes the document only at the document's settings
    assert ("it prints 3.67545" in shown) == example.matches_document
    assert ("no longer apply" in "".join(str(o.get("text", "")) for c in notebook.cells for o in c.get("outputs", []))
            ) == (not example.matches_document)


def test_the_stored_run_at_the_documents_settings():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    check_sentences(notebook, DEFAULTS)
    glued = glued_values(notebook)
    assert glued["reach_intro"].startswith("It cannot")
    assert glued["tanh_floor"].endswith("close to it, not on it")  # 2.64565 against the floor 2.64500


@pytest.mark.parametrize("name", RUNS)
def test_a_run_that_flips_the_sentences(name, tmp_path):
    check_sentences(executed_with(NOTEBOOK, RUNS[name], tmp_path), dict(DEFAULTS, **RUNS[name]))


@pytest.mark.parametrize("changes, message", [
    ({"loss": "mean_squared_error"}, "loss must be 'half_squared_error'"),
    ({"loss": "binary_cross_entropy"}, "loss must be 'half_squared_error'"),
    ({"activations": ["relu", "sigmoid"]}, "activations[0] (the hidden layer) must be 'sigmoid'"),
    ({"activations": ["sigmoid", "softplus"]}, "activations[1] (the output layer) must be one of"),
    ({"activations": ["sigmoid"]}, "activations must be a list of 2"),
    ({"params": dict(DEFAULTS["params"], w_h1=50.0)}, None),
    ({"epochs": 0}, "epochs must be a whole number from 1"),
    ({"digits": -1}, "digits must be a whole number from 1"),
    ({"learning_rate": 0.0}, "learning_rate must be a number > 0"),
    ({"y": float("nan")}, "y must be a number"),
    ({"params": dict(DEFAULTS["params"], w_h1=1e6)}, "params['w_h1'] must be a number"),
    ({"params": {**{k: v for k, v in DEFAULTS["params"].items() if k != "w_h1"}, "w_hl": 0.6}},
     "params must give exactly the document's parameters 'w11'"),
    ({"x": {"x1": 1.1, "x3": 2.2}}, "x must give exactly the document's inputs 'x1', 'x2'"),
])
def test_invalid_settings_are_refused_naming_the_setting(changes, message):
    if message is None:  # a valid extreme: accepted by both checks
        settings = dict(DEFAULTS, **changes)
        check_sum_target_settings(settings["params"], settings["x"], settings["activations"], settings["loss"])
        return
    assert message in refused(check_sum_target_settings, dict(DEFAULTS, **changes), "w_h1")


def test_the_parameters_cell_is_ascii_so_papermill_reads_every_line():
    (cell,) = [c for c in nbformat.read(NOTEBOOK, as_version=4).cells if "parameters" in c.metadata.get("tags", [])]
    assert cell.source.isascii()
    # papermill reads a line only when it is "name = value  # comment"; a comment must not look like one
    assert all("=" not in line for line in cell.source.splitlines() if line.lstrip().startswith("#"))
