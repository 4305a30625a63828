"""The chapter generator: a description none of the documents use, built, executed and checked.

The expected numbers come from a forward pass written here in plain ``math`` from the YAML file
(read with ``yaml.safe_load``, not with the library) and central finite differences of it; the
library under test produces the notebook's numbers.
"""
from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from backproplib.authoring.new_chapter import main
from support.chapter_file import glued_values

BOOK = Path(__file__).resolve().parent.parent
DESCRIPTION = BOOK / "examples" / "three_inputs_tanh.yaml"
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
    target = tmp_path_factory.mktemp("chapter") / "three_inputs_tanh.ipynb"
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
        assert any(text.startswith(f"Chain rule for {name}\n") for text in plain), name
    assert sum('<img alt="Network diagram' in h for h in html) == 2
    assert any('<img alt="Training loss over' in h for h in html)
    assert any(text.startswith("Three-way gradient check") for text in plain)
    assert any("precomputed frames" in o.get("text", "") for c in chapter.cells if c.cell_type == "code" for o in c.outputs)
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


# --- bad descriptions ---------------------------------------------------------------------------


def line_of(text: str, fragment: str) -> int:
    (number,) = [i for i, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return number


GOOD = DESCRIPTION.read_text()
BAD = {
    "unknown activation": (
        GOOD.replace("activation: tanh", "activation: softplus"), "activation: softplus", "layers[0].activation", "softplus",
    ),
    "wrong weight count": (
        GOOD.replace("h2: {w21: -0.5, w22: 0.1, w23: 0.3}", "h2: {w21: -0.5, w22: 0.1}"), "h2: {w21",
        "layers[0].weights.h2", "must have 3 weights",
    ),
    "missing field": (GOOD.replace("target: 1.5\n", ""), "title:", "target", "missing field 'target'"),
    "bad YAML": (
        GOOD.replace("loss: mean_squared_error", "loss: mean_squared_error: half"), "loss: mean", "loss", "not valid YAML",
    ),
    "unknown loss": (GOOD.replace("loss: mean_squared_error", "loss: hinge"), "loss: hinge", "loss", "'hinge'"),
    "weight value not a number": (GOOD.replace("w33: -0.1", "w33: small"), "w33: small", "layers[0].weights.h3.w33", "'small'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_description_names_line_and_field_and_writes_nothing(case, tmp_path, capsys):
    text, fragment, field, detail = BAD[case]
    description = tmp_path / "bad.yaml"
    description.write_text(text)
    toc = tmp_path / "_toc.yml"
    shutil.copy(BOOK / "_toc.yml", toc)
    shutil.copy(BOOK / "_config.yml", tmp_path / "_config.yml")  # the install cell takes repository.url from it
    (tmp_path / "chapters").mkdir()
    target = tmp_path / "chapters" / "bad.ipynb"
    assert main([str(description), str(target), "--add-to-toc", "--toc", str(toc)]) == 2
    message = capsys.readouterr().err
    assert f"line {line_of(text, fragment)}, field {field}:" in message
    assert detail in message
    assert not target.exists()
    assert toc.read_text() == (BOOK / "_toc.yml").read_text()


def test_bad_json_description_names_line_and_field(tmp_path, capsys):
    text = json.dumps(yaml.safe_load(GOOD), indent=2).replace('"identity"', '"softsign"')
    description = tmp_path / "bad.json"
    description.write_text(text)
    assert main([str(description), str(tmp_path / "bad.ipynb")]) == 2
    message = capsys.readouterr().err
    assert f"line {line_of(text, 'softsign')}, field layers[1].activation:" in message
    assert not (tmp_path / "bad.ipynb").exists()


def test_add_to_toc_edits_a_copy_of_the_toc(tmp_path):
    toc = tmp_path / "_toc.yml"
    shutil.copy(BOOK / "_toc.yml", toc)
    shutil.copy(BOOK / "_config.yml", tmp_path / "_config.yml")  # the install cell takes repository.url from it
    (tmp_path / "chapters").mkdir()
    target = tmp_path / "chapters" / "three_inputs_tanh.ipynb"
    before = yaml.safe_load(toc.read_text())
    assert main([str(DESCRIPTION), str(target), "--add-to-toc", "--toc", str(toc), "--no-execute"]) == 0
    after = yaml.safe_load(toc.read_text())
    assert after["parts"][: len(before["parts"])] == before["parts"]  # nothing else moved
    added = after["parts"][-1]
    assert added == {"caption": "Chapters added by instructors", "chapters": [{"file": "chapters/three_inputs_tanh"}]}
    # A second chapter joins the same part; rebuilding the first does not list it twice.
    assert main([str(DESCRIPTION), str(tmp_path / "chapters" / "second.ipynb"), "--add-to-toc", "--toc", str(toc), "--no-execute"]) == 0
    assert main([str(DESCRIPTION), str(target), "--add-to-toc", "--toc", str(toc), "--no-execute", "--force"]) == 0
    final = yaml.safe_load(toc.read_text())
    assert final["parts"][-1]["chapters"] == [{"file": "chapters/three_inputs_tanh"}, {"file": "chapters/second"}]
    assert len(final["parts"]) == len(before["parts"]) + 1


def test_existing_notebook_is_not_replaced_without_force(tmp_path, capsys):
    target = tmp_path / "taken.ipynb"
    target.write_text("kept")
    assert main([str(DESCRIPTION), str(target), "--no-execute"]) == 2
    assert "exists already" in capsys.readouterr().err
    assert target.read_text() == "kept"


def test_the_install_cell_takes_the_repository_address_from_the_config(tmp_path):
    toc = tmp_path / "_toc.yml"
    shutil.copy(BOOK / "_toc.yml", toc)
    config = (BOOK / "_config.yml").read_text()
    url = yaml.safe_load(config)["repository"]["url"]
    (tmp_path / "_config.yml").write_text(config.replace(url, "https://example.org/course/fork"))
    target = tmp_path / "fork_chapter.ipynb"
    assert main([str(DESCRIPTION), str(target), "--toc", str(toc), "--no-execute"]) == 0
    first = nbformat.read(target, as_version=4).cells[0]
    assert 'git+https://example.org/course/fork"' in first.source and url not in first.source
