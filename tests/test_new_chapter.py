"""The chapter generator: a description none of the documents use, built, executed and checked.

The expected numbers come from a forward pass written here in plain ``math`` from the YAML file
(read with ``yaml.safe_load``, not with the library) and central finite differences of it; the
library under test produces the notebook's numbers.
"""
from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from backproplib.authoring.new_chapter import main

BOOK = Path(__file__).resolve().parent.parent
DESCRIPTION = BOOK / "examples" / "three_inputs_tanh.yaml"
GLUED = "application/papermill.record/text/plain"


def glued_values(notebook) -> dict[str, str]:
    """Every glued value by name, as the text the book shows (read here, not with the library)."""
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", []) if "scrapbook" in o.get("metadata", {})]
    return {o["metadata"]["scrapbook"]["name"]: o["data"][GLUED].strip("'\"") for o in outputs}


PLACEHOLDERS = re.compile(r"\b(TODO|TBD|FIXME|lorem|ipsum|coming soon|write here|placeholder)\b", re.IGNORECASE)


# --- an independent forward pass --------------------------------------------------------------


def plain_loss(spec: dict, params: dict[str, float]) -> float:
    """The loss of the described tanh -> identity network with mean squared error, by hand."""
    assert spec["loss"] == "mean_squared_error"
    values = list(spec["inputs"].values())
    for layer in spec["layers"]:
        biases = list(layer.get("biases", {}))
        outputs = []
        for j, row in enumerate(layer["weights"].values()):
            z = sum(params[w] * v for w, v in zip(row, values)) + (params[biases[j]] if biases else 0.0)
            outputs.append({"tanh": math.tanh, "identity": lambda t: t}[layer["activation"]](z))
        values = outputs
    (prediction,) = values
    return (prediction - spec["target"]) ** 2  # mean over the single output neuron


def all_params(spec: dict) -> dict[str, float]:
    params: dict[str, float] = {}
    for layer in spec["layers"]:
        for row in layer["weights"].values():
            params.update(row)
        params.update(layer.get("biases", {}))
    return params


def central_difference(spec: dict, name: str, step: float = 1e-6) -> float:
    params = all_params(spec)
    up, down = dict(params, **{name: params[name] + step}), dict(params, **{name: params[name] - step})
    return (plain_loss(spec, up) - plain_loss(spec, down)) / (2 * step)


# --- the executed chapter -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def chapter(tmp_path_factory):
    root = tmp_path_factory.mktemp("chapter")
    shutil.copy(BOOK / "_config.yml", root / "_config.yml")  # the install cell takes repository.url from it
    target = root / "three_inputs_tanh.ipynb"
    assert main([str(DESCRIPTION), str(target)]) == 0
    return nbformat.read(target, as_version=4)


@pytest.fixture(scope="module")
def spec():
    return yaml.safe_load(DESCRIPTION.read_text())


def test_the_description_is_one_no_document_uses(spec):
    assert len(spec["inputs"]) == 3
    hidden, output = spec["layers"]
    assert hidden["activation"] == "tanh" and len(hidden["weights"]) == 3
    assert output["activation"] == "identity" and len(output["weights"]) == 1
    assert spec["loss"] == "mean_squared_error"


def test_chapter_runs_without_errors_and_stores_outputs(chapter):
    errors = [o for c in chapter.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    code = [c for c in chapter.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert "application/vnd.jupyter.widget-state+json" in chapter.metadata.get("widgets", {})


def test_glued_gradients_equal_central_differences(chapter, spec):
    values, digits = glued_values(chapter), spec["digits"]
    tolerance = 0.5 * 10.0 ** -digits + 1e-9  # the glued text is rounded to `digits` decimals
    params = all_params(spec)
    assert len(params) == 16
    for name, value in params.items():
        expected = central_difference(spec, name)
        assert abs(float(values[f"grad_{name}"]) - expected) <= tolerance, name
        assert abs(float(values[f"new_{name}"]) - (value - spec["learning_rate"] * expected)) <= tolerance, name
    assert abs(float(values["loss"]) - plain_loss(spec, params)) <= tolerance


def test_printed_gradients_equal_central_differences_to_six_decimals(chapter, spec):
    printed = "".join(o.get("text", "") for c in chapter.cells if c.cell_type == "code" for o in c.outputs)
    found = dict(re.findall(r"∂L/∂(\w+) = (-?\d+\.\d{6})\b", printed.split("gradients:", 1)[1].splitlines()[0]))
    assert set(found) == set(all_params(spec))
    for name, value in found.items():
        assert abs(float(value) - central_difference(spec, name)) <= 5e-7 + 1e-9, name


def test_chapter_has_every_part(chapter, spec):
    tags = [c.metadata.get("tags", []) for c in chapter.cells]
    assert tags[0] == ["remove-cell"] and "%pip install" in chapter.cells[0].source
    (settings,) = [c for c, t in zip(chapter.cells, tags) if "parameters" in t]
    for name in all_params(spec):
        assert f'"{name}":' in settings.source
    plain = [o.get("data", {}).get("text/plain", "") for c in chapter.cells if c.cell_type == "code" for o in c.outputs]
    html = [o.get("data", {}).get("text/html", "") for c in chapter.cells if c.cell_type == "code" for o in c.outputs]
    for name in all_params(spec):
        assert any(text.startswith(f"Chain rule for {name} ($") for text in plain), name
    assert sum('<img alt="Network diagram' in h for h in html) == 2
    assert any('<img alt="Training loss over' in h for h in html)
    assert any(text.startswith("Three-way gradient check") for text in plain)
    # the explorer: the browser panel for the book and the widget view for a kernel, in one output
    (explorer,) = [o["data"] for c in chapter.cells if c.cell_type == "code" for o in c.outputs
                   if "bp-explorer" in o.get("data", {}).get("text/html", "")]
    assert "application/vnd.jupyter.widget-view+json" in explorer
    exercises = [c for c in chapter.cells if c.cell_type == "markdown" and "```{exercise}" in c.source]
    solutions = [c for c, t in zip(chapter.cells, tags) if "solution" in t and c.cell_type == "markdown"]
    assert len(exercises) == len(solutions) == 3


def test_prose_quotes_only_glued_names_and_has_no_placeholders(chapter):
    values = glued_values(chapter)
    for cell in chapter.cells:
        assert not PLACEHOLDERS.search(cell.source), cell.source[:80]
        if cell.cell_type == "markdown":
            for name in re.findall(r"\{glue:text\}`([^`]+)`", cell.source):
                assert name in values, name
        for output in cell.get("outputs", []):
            assert not PLACEHOLDERS.search(output.get("data", {}).get("text/markdown", ""))


# --- names the chapter uses itself, Python keywords, and a run that diverges -----------------------

# Every weight, bias, input and neuron here is named like one of the chapter's own glue keys or a
# Python keyword, and the learning rate makes training diverge after a few steps.
CLASHING = """
title: "Names the chapter also uses: eta, error, y_hat, epochs, lambda, class"
inputs: {epochs: 1.5}
layers:
  - activation: identity
    weights:
      y_hat: {lambda: 0.8}
    biases: {class: 0.1}
  - activation: identity
    weights:
      o: {eta: 0.1}
    biases: {error: 0.2}
loss: half_squared_error
target: 3.0
learning_rate: 2.0
epochs: 10
explore: lambda
"""
LIMIT = 1e6  # the divergence limit the chapter states ("1,000,000")


def clashing_loss_and_gradients(p: dict[str, float]) -> tuple[float, dict[str, float]]:
    """Half squared error of o = eta * (lambda * x + class) + error, and its gradient, by hand."""
    x, y = 1.5, 3.0
    h = p["lambda"] * x + p["class"]
    o = p["eta"] * h + p["error"]
    d = o - y
    return 0.5 * d * d, {"eta": d * h, "error": d, "lambda": d * p["eta"] * x, "class": d * p["eta"]}


def steps_before_divergence(epochs: int = 10, rate: float = 2.0) -> int:
    """Plain gradient descent, stopped when the loss or a stepped parameter passes the limit."""
    p = {"lambda": 0.8, "class": 0.1, "eta": 0.1, "error": 0.2}
    for epoch in range(epochs + 1):
        loss, grad = clashing_loss_and_gradients(p)
        stepped = {k: v - rate * grad[k] for k, v in p.items()}
        if loss > LIMIT or (epoch < epochs and max(map(abs, stepped.values())) > LIMIT):
            return epoch
        p = stepped
    return epochs


@pytest.fixture(scope="module")
def clashing(tmp_path_factory):
    root = tmp_path_factory.mktemp("clashing")
    (root / "clashing.yaml").write_text(CLASHING)
    target = root / "clashing.ipynb"
    shutil.copy(BOOK / "_config.yml", root / "_config.yml")
    assert main([str(root / "clashing.yaml"), str(target)]) == 0
    return nbformat.read(target, as_version=4)


def glue_names(notebook) -> list[str]:
    return [
        o["metadata"]["scrapbook"]["name"]
        for c in notebook.cells
        for o in c.get("outputs", [])
        if "scrapbook" in o.get("metadata", {})
    ]


def test_names_like_the_chapters_keys_and_python_keywords_build_and_run(clashing):
    errors = [o for c in clashing.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    names = glue_names(clashing)
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    values = glued_values(clashing)
    loss, grad = clashing_loss_and_gradients({"lambda": 0.8, "class": 0.1, "eta": 0.1, "error": 0.2})
    assert values["eta"] == "2" and values["value_eta"] == "0.1" and values["value_error"] == "0.2"
    assert values["epochs"] == "10" and values["value_epochs"] == "1.5"
    assert values["y_hat"] == "0.3300" and values["error"] == "-2.6700" and values["loss"] == f"{loss:.4f}"
    for name, value in grad.items():
        assert values[f"grad_{name}"] == f"{value:.4f}", name
    assert float(values["fd_backprop"]) == pytest.approx(grad["lambda"], abs=5e-9)
    update = next(c.source for c in clashing.cells if c.source.startswith("## The update"))
    assert "goes from {glue:text}`value_eta` to {glue:text}`new_eta`" in update


def test_a_diverging_run_is_described_as_it_happened(clashing):
    steps = steps_before_divergence()
    assert 1 <= steps < 10  # the description is meant to diverge after a few steps
    summary = glued_values(clashing)["train_summary"]
    assert summary.startswith(
        f"training diverged at step {steps} of the 10 planned epochs; the last loss inside the limit was "
    )
    shown = [
        o["data"]["text/markdown"]
        for c in clashing.cells
        for o in c.get("outputs", [])
        if "text/markdown" in o.get("data", {})
    ]
    (sentence,) = [s for s in shown if s.startswith("Training")]
    assert sentence.startswith(f"Training diverged: step {steps} of the 10 planned took the loss or a parameter past")
    assert "after 0 steps" not in sentence and "10 epochs of training take it" not in summary
    html = [o["data"].get("text/html", "") for c in clashing.cells for o in c.get("outputs", []) if "data" in o]
    assert any(f'alt="Training loss over {steps} epochs' in h for h in html)


# --- the book's folder, the table of contents ------------------------------------------------------

TOC = (
    "format: jb-book\nroot: intro\nparts:\n  - caption: Worked "
    "examples   # kept\n    chapters:\n      - file: chapters/a\n"
)


def make_book(root: Path, toc: str = TOC, newline: str = "\n") -> Path:
    """A book of its own (the tests never depend on how many chapters the real book lists)."""
    root.mkdir(exist_ok=True)
    shutil.copy(BOOK / "_config.yml", root / "_config.yml")
    (root / "_toc.yml").write_bytes(toc.replace("\n", newline).encode())
    (root / "chapters").mkdir()
    return root


def test_run_from_inside_chapters_finds_the_book_above(tmp_path, monkeypatch):
    book = make_book(tmp_path / "book")
    shutil.copy(DESCRIPTION, tmp_path / "net.yaml")
    monkeypatch.chdir(book / "chapters")
    assert main(["../../net.yaml", "net.ipynb", "--add-to-toc", "--no-execute"]) == 0
    assert (book / "chapters" / "net.ipynb").is_file()
    assert yaml.safe_load((book / "_toc.yml").read_text())["parts"][-1]["chapters"] == [{"file": "chapters/net"}]


def test_book_can_be_given(tmp_path, capsys):
    book = make_book(tmp_path / "book")
    (tmp_path / "out").mkdir()
    assert main([str(DESCRIPTION), str(tmp_path / "out" / "x.ipynb"), "--book", str(book), "--no-execute"]) == 0
    assert (
        main([str(DESCRIPTION), str(tmp_path / "out" / "y.ipynb"), "--book", str(tmp_path / "none"), "--no-execute"])
        == 2
    )
    assert "--book must be the book's folder" in capsys.readouterr().err


def test_add_to_toc_adds_one_part_and_keeps_the_rest(tmp_path):
    book = make_book(tmp_path / "book")
    target = book / "chapters" / "three_inputs_tanh.ipynb"
    assert main([str(DESCRIPTION), str(target), "--add-to-toc", "--no-execute"]) == 0
    text = (book / "_toc.yml").read_text()
    assert text.startswith(TOC)  # nothing before the new part moved, the comment stayed
    added = yaml.safe_load(text)["parts"][-1]
    assert added == {"caption": "Chapters added by instructors", "chapters": [{"file": "chapters/three_inputs_tanh"}]}
    # A second chapter joins the same part; rebuilding the first does not list it twice.
    assert main([str(DESCRIPTION), str(book / "chapters" / "second.ipynb"), "--add-to-toc", "--no-execute"]) == 0
    assert main([str(DESCRIPTION), str(target), "--add-to-toc", "--no-execute", "--force"]) == 0
    parts = yaml.safe_load((book / "_toc.yml").read_text())["parts"]
    assert parts[-1]["chapters"] == [{"file": "chapters/three_inputs_tanh"}, {"file": "chapters/second"}]
    assert len(parts) == 2


def test_add_to_toc_keeps_crlf_line_endings(tmp_path):
    book = make_book(tmp_path / "book", newline="\r\n")
    before = (book / "_toc.yml").read_bytes()
    assert main([str(DESCRIPTION), str(book / "chapters" / "net.ipynb"), "--add-to-toc", "--no-execute"]) == 0
    after = (book / "_toc.yml").read_bytes()
    assert after.startswith(before)
    assert after.count(b"\n") == after.count(b"\r\n") == before.count(b"\r\n") + 3


def test_add_to_toc_fills_a_part_with_no_chapters_yet(tmp_path):
    toc = TOC + "  - caption: Chapters added by instructors\n    chapters: []\n"
    book = make_book(tmp_path / "book", toc)
    assert main([str(DESCRIPTION), str(book / "chapters" / "net.ipynb"), "--add-to-toc", "--no-execute"]) == 0
    parts = yaml.safe_load((book / "_toc.yml").read_text())["parts"]
    assert parts[-1] == {"caption": "Chapters added by instructors", "chapters": [{"file": "chapters/net"}]}
    assert len(parts) == 2


@pytest.mark.parametrize(
    "toc",
    [
        "format: jb-book\nroot: intro\nchapters:\n  - file: chapters/a\n",  # no parts
        "format: jb-book\nroot: intro\nparts:\n  - chapters/a\n",  # a part that is not a mapping
        "format: jb-book\nroot: intro\nparts: [\n",  # not YAML
        TOC + "  - caption: Chapters added by instructors\n    chapters: [{file: chapters/b}]\n",  # inline list
    ],
)
def test_a_toc_the_tool_cannot_edit_is_refused_and_kept(tmp_path, capsys, toc):
    book = make_book(tmp_path / "book", toc)
    assert main([str(DESCRIPTION), str(book / "chapters" / "net.ipynb"), "--add-to-toc", "--no-execute"]) == 2
    assert "by hand" in capsys.readouterr().err
    assert (book / "_toc.yml").read_text() == toc
    assert not (book / "chapters" / "net.ipynb").exists()


def test_existing_notebook_is_not_replaced_without_force(tmp_path, capsys):
    book = make_book(tmp_path / "book")
    target = book / "chapters" / "taken.ipynb"
    target.write_text("kept")
    assert main([str(DESCRIPTION), str(target), "--no-execute"]) == 2
    assert "exists already" in capsys.readouterr().err
    assert target.read_text() == "kept"


def test_the_install_cell_takes_the_repository_address_from_the_config(tmp_path):
    book = make_book(tmp_path / "book")
    config = (BOOK / "_config.yml").read_text()
    url = yaml.safe_load(config)["repository"]["url"]
    (book / "_config.yml").write_text(config.replace(url, "https://example.org/course/fork"))
    target = book / "chapters" / "fork_chapter.ipynb"
    assert main([str(DESCRIPTION), str(target), "--no-execute"]) == 0
    first = nbformat.read(target, as_version=4).cells[0]
    assert 'git+https://example.org/course/fork"' in first.source and url not in first.source


# --- the chapter's own settings check (papermill parameters) ------------------------------------


@pytest.fixture(scope="module")
def setup_cells():
    """The settings cell and the set-up cell of a built (not executed) chapter."""
    from backproplib.authoring.chapter_builder import build_chapter
    from backproplib.authoring.description import load_description

    notebook = build_chapter(load_description(DESCRIPTION), "net", "https://example.org/book")
    (settings,) = [c.source for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    setup = next(c.source for c in notebook.cells if "example = Example(" in c.source)
    return settings, setup


@pytest.mark.parametrize(
    "override, message",
    [
        ("epochs = 0", "epochs must be a whole number from 1 to 5000; got 0"),
        ("epochs = 2.5", "epochs must be a whole number from 1 to 5000; got 2.5"),
        ("digits = True", "digits must be a whole number from 1 to 10; got True"),
        ("explore = 'v9'", "explore must name one of the parameters ("),
        ("y = 1e300", "y must be a number from -1000 to 1000; got 1e+300"),
        ("learning_rate = -0.1", "learning_rate must be a number > 0 and at most 10; got -0.1"),
        ("learning_rate = float('nan')", "learning_rate must be a number > 0 and at most 10; got nan"),
        ("x = dict(x, x2='1')", "x['x2'] must be a number from -1000 to 1000; got '1'"),
        ("params = [0.5]", "params must map names to numbers"),
        ("activations = ['tanh']", "activations must be a list of 2 activation names, one per layer; got ['tanh']"),
        ("activations = 'tanh'", "activations must be a list of 2 activation names"),
        ("params = dict(params, v1=1e9)", "params['v1'] must be a number from -1000 to 1000; got 1000000000.0"),
    ],
)
def test_bad_papermill_parameters_stop_the_chapter_with_the_setting_named(setup_cells, override, message):
    settings, setup = setup_cells
    namespace: dict = {}
    exec(settings + "\n" + override, namespace)
    with pytest.raises(ValueError) as caught:
        exec(setup, namespace)
    assert message in str(caught.value)
    assert "example" not in namespace  # stopped before anything was built


def test_good_settings_pass_the_check(setup_cells):
    settings, setup = setup_cells
    namespace: dict = {}
    exec(settings, namespace)
    check = setup.split("# The wiring")[0]  # imports and the check, without the glue calls that need a kernel
    exec(check, namespace)
    assert namespace["epochs"] == 60


def test_a_notebook_outside_the_book_uses_the_book_around_the_current_folder(tmp_path, monkeypatch):
    book = make_book(tmp_path / "book")
    config = (BOOK / "_config.yml").read_text()
    url = yaml.safe_load(config)["repository"]["url"]
    (book / "_config.yml").write_text(config.replace(url, "https://example.org/here"))
    (tmp_path / "drafts").mkdir()
    monkeypatch.chdir(book / "chapters")
    assert main([str(DESCRIPTION), str(tmp_path / "drafts" / "draft.ipynb"), "--no-execute"]) == 0
    assert (
        "git+https://example.org/here"
        in nbformat.read(tmp_path / "drafts" / "draft.ipynb", as_version=4).cells[0].source
    )
