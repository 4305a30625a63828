"""chapters/ideas.ipynb says true things under every setting its parameters cell offers.

Four papermill runs, one per test (each run once whatever pytest-xdist does), flip each
settings-dependent sentence: the sign of
∂L/∂ŷ, which parameters a step raises, whether the hidden layer moves at all from an all-zero start,
whether the neurons sit near the sigmoid's middle; and they push weights to saturation and the
activations to ReLU and identity. Each run must finish, show no NaN/inf/"zoo", and its glued
sentences must match what is computed here independently (mpmath gradients from
``tests/reference_autodiff.exact``, or reasoning stated beside the assertion). Invalid settings are
checked by calling the chapter's validation directly. About 4 × 40 s of papermill, in parallel
under pytest-xdist.
"""
from __future__ import annotations

import re
from pathlib import Path

import mpmath
import nbformat
import papermill
import pytest
from reference_autodiff import exact

from backproplib.authoring.chapter_settings import check_chapter_settings
from backproplib.checking.examples import load_example
from backproplib.lessons.error_sign import error_sign_clause, update_directions
from backproplib.lessons.sensitivity import check_followed_weights, twin_run, twin_start
from backproplib.views.diagram import draw_network
from backproplib.views.explore import Settings
from backproplib.views.network_words import weight_symbol
from support.chapter_file import parameters_cell_values

CHAPTER = Path(__file__).resolve().parent.parent / "chapters" / "ideas.ipynb"
DEFAULTS = parameters_cell_values(CHAPTER)

RUNS = {
    # Prediction above the target: ∂L/∂ŷ positive, every gradient flips; other followed weights.
    "low_target": {"y": 0.2, "output_weight": "wo2", "hidden_weight": "wh22"},
    # ReLU hidden layer, a negative target: no NaN in a formula; from all zeros the hidden layer never moves.
    "relu": {"activations": ["relu", "sigmoid"], "y": -1.0, "digits": 6},
    # Saturating weights near 50; fewest epochs and digits the settings allow.
    "saturated": {"params": dict(DEFAULTS["params"], wh11=50.0, wh12=50.0, bh1=50.0, wo1=50.0, wo2=-50.0),
                  "epochs": 1, "digits": 1},
    # Identity output, mean squared error, a target a sigmoid could not reach, a mixed-sign step.
    "identity": {"activations": ["tanh", "identity"], "loss": "mean_squared_error", "y": 3.0,
                 "params": dict(DEFAULTS["params"], wo2=-0.7), "hidden_weight": "wh21"},
}


def execute(name: str, directory: Path):
    """The chapter run under ``RUNS[name]``: (name, the settings in full, the executed notebook)."""
    output = directory / "ideas.ipynb"
    papermill.execute_notebook(str(CHAPTER), str(output), parameters=RUNS[name], kernel_name="python3",
                               cwd=str(CHAPTER.parent), progress_bar=False, log_output=False)
    return name, dict(DEFAULTS, **RUNS[name]), nbformat.read(output, as_version=4)


def glued(notebook) -> dict[str, str]:
    """Every glued value as the book shows it (Markdown when glued as Markdown, else the text)."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                data = output["data"]
                text = data.get("application/papermill.record/text/markdown") or \
                    data["application/papermill.record/text/plain"]
                values[name] = text.strip("'\"")
    return values


def shown_texts(notebook) -> list[str]:
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            texts.append(str(output.get("text", "")))
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") or mime.startswith("application/papermill.record/text"):
                    texts.append(str(value))
    return texts


_ACTIVATIONS = {
    "sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)),
    "tanh": mpmath.tanh,
    "relu": lambda z: max(z, mpmath.mpf(0)),
    "identity": lambda z: z,
}


def exact_numbers(settings: dict) -> tuple[dict, float]:
    """Gradients (mpmath, 50 digits) and the prediction (written out here) at ``settings``."""
    chosen = {"activations": settings["activations"], "loss": settings["loss"]}
    network = load_example("blame_flow").with_settings(**chosen).network
    x = [settings["x"][name] for name in network.inputs]
    _, gradients = exact(network, settings["params"], x, [settings["y"]])
    p, hidden, out = {k: mpmath.mpf(v) for k, v in settings["params"].items()}, *(
        _ACTIVATIONS[a] for a in settings["activations"])
    x1, x2 = (mpmath.mpf(settings["x"][k]) for k in ("x1", "x2"))
    h1 = hidden(p["wh11"] * x1 + p["wh12"] * x2 + p["bh1"])
    h2 = hidden(p["wh21"] * x1 + p["wh22"] * x2 + p["bh2"])
    return {name: float(g) for name, g in gradients.items()}, out(p["wo1"] * h1 + p["wo2"] * h2 + p["bo"])


def check_runs_finish_without_non_finite_numbers(run):
    name, _, notebook = run
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == [], f"{name}: {errors}"
    bad = [t[:200] for t in shown_texts(notebook) if re.search(r"\bnan\b|\bNaN\b|\binf\b|\bzoo\b", t)
           and "Inside ±LIMIT and not NaN" not in t and "image/png" not in t]
    assert bad == [], f"{name}: non-finite numbers shown: {bad}"


def check_the_sign_of_the_first_factor_is_stated_truly(run):
    name, settings, notebook = run
    gradients, prediction = exact_numbers(settings)
    words = glued(notebook)["error_sign"]
    # ∂L/∂ŷ has the sign of ŷ − y for every loss the chapter offers.
    expected = "Negative" if prediction < settings["y"] else "Positive" if prediction > settings["y"] else "Zero"
    assert words.startswith(expected), (name, words, prediction, settings["y"])


def check_which_parameters_grow_is_stated_truly(run):
    name, settings, notebook = run
    gradients, _ = exact_numbers(settings)
    sentence = glued(notebook)["update_directions"]
    network = load_example("blame_flow").network
    tiny = 1e-12  # below float64's reach beside the other terms: the chapter may call it 0
    if sentence.startswith("every gradient is negative"):
        assert all(g < tiny for g in gradients.values()), (name, gradients)
    elif sentence.startswith("every gradient is positive"):
        assert all(g > -tiny for g in gradients.values()), (name, gradients)
    else:
        clauses = sentence.split("; ")
        for parameter, gradient in gradients.items():
            (clause,) = [c for c in clauses if f"${weight_symbol(network, parameter)}$" in c]
            if gradient < -tiny:
                assert "grow" in clause, (parameter, gradient, clause)
            elif gradient > tiny:
                assert "shrink" in clause, (parameter, gradient, clause)
    if name == "low_target":
        assert all(g > 0 for g in gradients.values()), "with ŷ above the target every gradient here is positive"
        assert sentence == "every gradient is positive, so every parameter shrinks"
    if name == "identity":
        assert "every" not in sentence, "wo2 < 0 gives the gradients mixed signs"


def check_zero_start_sentence_matches_the_activation(run):
    name, settings, notebook = run
    words = glued(notebook)
    assert words["zero_first_step"] == "all exactly 0"  # output weights 0 => every hidden δ is 0
    if settings["activations"][0] in ("relu", "tanh", "identity") or settings["epochs"] == 1:
        # f(0) = 0: the output weights' gradients δ_o·a_h are 0 too, so nothing behind o ever moves;
        # and after one step the output weights have only just left 0.
        assert "still exactly 0" in words["zero_later"]
    else:
        assert "have moved away from 0, in equal pairs" in words["zero_later"]
    assert words["twin_spread"] == words["zero_spread"] == "exactly 0"


def check_symbols_and_no_plain_names_in_glued_maths(run):
    name, settings, notebook = run
    words = glued(notebook)
    assert words["W_o"] == {"wo1": "$w_{o h_1}$", "wo2": "$w_{o h_2}$"}[settings["output_weight"]]
    assert words["W_h"].startswith("$w_{h_") and words["W_h"].endswith("$")


def check_saturated_neurons_are_not_called_near_the_middle(run):
    name, settings, notebook = run
    note = glued(notebook)["slopes_note"]
    # Exercise 3 raises the hidden bias to 5: a sigmoid or tanh flattens there, a ReLU (z > 0 already) does not.
    flattens = {"sigmoid": True, "tanh": True, "relu": False}[settings["activations"][0]]
    assert ("flat part" in glued(notebook)["sat_where"]) == flattens
    if name in ("saturated", "relu", "identity"):
        assert "near the middle" not in note
    else:
        assert "near the middle" in note


PROPERTIES = (check_runs_finish_without_non_finite_numbers, check_the_sign_of_the_first_factor_is_stated_truly,
              check_which_parameters_grow_is_stated_truly, check_zero_start_sentence_matches_the_activation,
              check_symbols_and_no_plain_names_in_glued_maths, check_saturated_neurons_are_not_called_near_the_middle)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_every_settings_dependent_sentence_is_true(name, tmp_path):
    """One papermill run per test (so pytest-xdist never repeats a run), then every property above."""
    run = execute(name, tmp_path)
    for check in PROPERTIES:
        check(run)


# --- settings refused before anything is built (no papermill) ------------------------------------------------

def test_papermill_reads_every_setting_of_the_parameters_cell():
    # a line papermill cannot parse (a second '=' in a comment, say) is dropped from --help-notebook
    assert set(papermill.inspect_notebook(str(CHAPTER))) == set(DEFAULTS)


def test_a_typo_in_output_weight_names_the_setting_and_the_allowed_values():
    network = load_example("blame_flow").network
    with pytest.raises(ValueError, match=r"output_weight must be one of 'wo1', 'wo2'.*got 'w01'"):
        check_followed_weights(network, "w01", "wh11")
    with pytest.raises(ValueError, match=r"hidden_weight must be one of 'wh11', 'wh12', 'wh21', 'wh22'.*got 'wo1'"):
        check_followed_weights(network, "wo1", "wo1")


@pytest.mark.parametrize("change, message", [
    ({"digits": -1}, "digits must be a whole number"),
    ({"epochs": 0}, "epochs must be a whole number"),
    ({"y": float("nan")}, "y must be a number"),
    ({"learning_rate": 0.0}, "learning_rate"),
    ({"output_weight": "wh11x"}, "explore must name one of the parameters"),
])
def test_invalid_settings_are_refused_with_the_setting_named(change, message):
    s = dict(DEFAULTS, **change)
    with pytest.raises(ValueError, match=message):
        check_chapter_settings(s["params"], s["x"], s["y"], s["learning_rate"], s["epochs"], s["digits"],
                               s["output_weight"], s["activations"], layers=2)


# --- the lesson functions the sentences come from ---------------------------------------------------------------

@pytest.mark.parametrize("prediction, target, word", [(0.3, 0.9, "Negative"), (0.9, 0.3, "Positive"),
                                                      (0.5, 0.5, "Zero"), (0.7, -1.0, "Positive")])
def test_error_sign_clause(prediction, target, word):
    assert error_sign_clause(prediction, target).startswith(word)


def test_update_directions_lists_each_parameter_once_under_its_direction():
    sentence = update_directions({"a": -1.0, "b": 2.0, "c": 3.0, "d": 0.0})
    assert sentence == ("the gradient of a is negative, so it grows; those of b, c are positive, so they shrink; "
                        "d has gradient 0 and stays")


def test_twin_neurons_stay_equal_and_all_zero_relu_hidden_layer_never_moves():
    example = load_example("blame_flow")
    settings = Settings.of(example)
    twins = twin_run(example.network, settings, twin_start(example.network, example.params), 30)
    assert twins.spread == 0.0 and twins.end["wh12"] == twins.end["wh22"] != twins.start["wh12"]
    relu = example.with_settings(activations=["relu", "sigmoid"])
    zeros = twin_run(relu.network, Settings.of(relu), twin_start(relu.network, relu.params, 0.0), 30)
    assert all(zeros.end[p] == 0.0 for p in ("wh11", "wh12", "wh21", "wh22", "bh1", "bh2", "wo1", "wo2"))
    assert zeros.end["bo"] != 0.0  # only the output bias learns: δ_o ≠ 0 while ŷ = σ(b_o) ≠ y


# --- the diagram: no bias label lies on an edge ---------------------------------------------------------------

def _segment_hits_box(x0, y0, x1, y1, box) -> bool:
    return any(box.contains(x0 + t * (x1 - x0), y0 + t * (y1 - y0)) for t in [i / 200 for i in range(201)])


@pytest.mark.parametrize("key", ["blame_flow", "shared_bias"])
def test_bias_labels_do_not_lie_on_edges(key):
    example = load_example(key)
    figure = draw_network(example.network, example.params, example.x)
    figure.canvas.draw()
    axes = figure.axes[0]
    renderer = figure.canvas.get_renderer()
    labels = [t for t in axes.texts if t.get_text().split(" = ")[0] in example.network.parameters
              and t.get_text().startswith("b")]
    assert labels, "the example has biases"
    edges = [line for line in axes.lines if line.get_linestyle() == "-"]
    for label in labels:
        box = label.get_window_extent(renderer)
        for line in edges:
            (x0, y0), (x1, y1) = axes.transData.transform(list(zip(*line.get_data())))
            assert not _segment_hits_box(x0, y0, x1, y1, box), f"{label.get_text()} lies on an edge"
