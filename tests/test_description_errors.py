"""Bad descriptions and paths as an instructor writes them: each is refused by ``new_chapter`` with
exit status 2, a message naming the line and the field (or the path) and what is allowed, and
nothing written. No case may end in a traceback.

Each case is a change to the good example description, the text that locates the expected line,
the field, and a fragment of the message. The book is a folder made here (its own ``_toc.yml``),
so the tests do not depend on how many chapters the real book has.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from backproplib.authoring.new_chapter import main

BOOK = Path(__file__).resolve().parent.parent
GOOD = (BOOK / "examples" / "three_inputs_tanh.yaml").read_text()
TOC = "format: jb-book\nroot: intro\nparts:\n  - caption: Worked examples\n    chapters:\n      - file: chapters/a\n"

HIDDEN = "      h3: {w31: 0.25, w32: 0.6, w33: -0.1}\n"
TWO_MORE_LAYERS = """  - activation: identity
    weights:
      p: {u1: 1.0}
  - activation: identity
    weights:
      r: {u2: 1.0}
"""
WIDE_INPUTS = "inputs: {x1: 0.5, x2: -1.0, x3: 2.0, x4: 1.0, x5: 1.0}"
FIFTH_NEURON = HIDDEN + "      h4: {w41: 0.1, w42: 0.1, w43: 0.1}\n      h5: {w51: 0.1, w52: 0.1, w53: 0.1}\n"


def wide(width: int, hidden: int, activation: str = "tanh") -> str:
    """A description with ``width`` inputs and ``hidden`` layers of ``width`` neurons, all with biases."""
    lines = ["title: Wide", "inputs: {" + ", ".join(f"x{i}: 0.1" for i in range(width)) + "}", "layers:"]
    previous = [f"x{i}" for i in range(width)]
    for k in range(hidden):
        lines += [f"  - activation: {activation}  # layer {k}", "    weights:"]
        lines += [
            f"      n{k}_{j}: {{" + ", ".join(f"w{k}_{j}_{i}: 0.1" for i in range(len(previous))) + "}"
            for j in range(width)
        ]
        lines += ["    biases: {" + ", ".join(f"b{k}_{j}: 0.0" for j in range(width)) + "}"]
        previous = [f"n{k}_{j}" for j in range(width)]
    lines += [
        "  - activation: identity",
        "    weights:",
        "      o: {" + ", ".join(f"v{i}: 0.1" for i in range(width)) + "}",
    ]
    lines += ["loss: half_squared_error", "target: 0.5", "learning_rate: 0.1", "epochs: 5"]
    return "\n".join(lines) + "\n"


def swap(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


# name: (description text, text on the expected line, field, fragment of the message)
CASES = {
    "unknown activation": (
        swap("activation: tanh", "activation: softplus"),
        "softplus",
        "layers[0].activation",
        "'softplus'",
    ),
    "wrong weight count": (
        swap("h2: {w21: -0.5, w22: 0.1, w23: 0.3}", "h2: {w21: -0.5, w22: 0.1}"),
        "h2: {w21",
        "layers[0].weights.h2",
        "must have 3 weights",
    ),
    "missing field": (swap("target: 1.5\n", ""), "title:", "target", "missing field 'target'"),
    "bad YAML": (
        swap("loss: mean_squared_error", "loss: mean_squared_error: half"),
        "loss: mean",
        "loss",
        "not valid YAML",
    ),
    "unknown loss": (swap("loss: mean_squared_error", "loss: hinge"), "loss: hinge", "loss", "'hinge'"),
    "weight is a word": (swap("w33: -0.1", "w33: small"), "w33: small", "layers[0].weights.h3.w33", "'small'"),
    "weight is a YAML boolean": (
        swap("w33: -0.1", "w33: yes"),
        "w33: yes",
        "layers[0].weights.h3.w33",
        "from -1000 to 1000",
    ),
    "400-digit weight": (
        swap("w33: -0.1", "w33: " + "9" * 400),
        "w33: 999",
        "layers[0].weights.h3.w33",
        "(400 characters)",
    ),
    "5000-digit weight": (
        swap("w33: -0.1", "w33: " + "9" * 5000),
        "w33: 999",
        "layers[0].weights.h3.w33",
        "(5000 characters)",
    ),
    "target 1e300": (swap("target: 1.5", "target: 1e300"), "target: 1e300", "target", "from -1000 to 1000"),
    "target infinite": (swap("target: 1.5", "target: .inf"), "target: .inf", "target", "from -1000 to 1000"),
    "target NaN": (swap("target: 1.5", "target: .nan"), "target: .nan", "target", "from -1000 to 1000"),
    "target a date": (swap("target: 1.5", "target: 2024-01-01"), "target: 2024", "target", "a number"),
    "input huge": (swap("x3: 2.0", "x3: 1e200"), "inputs: {", "inputs.x3", "from -1000 to 1000"),
    "learning rate zero": (swap("learning_rate: 0.05", "learning_rate: 0"), "learning_rate:", "learning_rate", "> 0"),
    "learning rate negative": (
        swap("learning_rate: 0.05", "learning_rate: -0.1"),
        "learning_rate:",
        "learning_rate",
        "from 0 to 10",
    ),
    "learning rate huge": (
        swap("learning_rate: 0.05", "learning_rate: 1e9"),
        "learning_rate:",
        "learning_rate",
        "from 0 to 10",
    ),
    "epochs zero": (swap("epochs: 60", "epochs: 0"), "epochs:", "epochs", "from 1 to 5000"),
    "epochs a million": (swap("epochs: 60", "epochs: 1000000"), "epochs:", "epochs", "from 1 to 5000"),
    "epochs fractional": (swap("epochs: 60", "epochs: 2.5"), "epochs:", "epochs", "whole number"),
    "epochs boolean": (swap("epochs: 60", "epochs: true"), "epochs:", "epochs", "whole number"),
    "digits eleven": (swap("digits: 4", "digits: 11"), "digits:", "digits", "from 1 to 10"),
    "explore unknown": (swap("explore: v1", "explore: v9"), "explore:", "explore", "'v9'"),
    "explore a list": (swap("explore: v1", "explore: [v1]"), "explore:", "explore", "a list"),
    "five inputs": (swap("inputs: {x1: 0.5, x2: -1.0, x3: 2.0}", WIDE_INPUTS), "inputs: {", "inputs", "1 to 4 inputs"),
    "no inputs": (swap("inputs: {x1: 0.5, x2: -1.0, x3: 2.0}", "inputs: {}"), "inputs: {", "inputs", "1 to 4 inputs"),
    "four layers": (
        swap("loss: mean", TWO_MORE_LAYERS + "loss: mean"),
        "- activation: tanh",
        "layers",
        "1 to 3 layers",
    ),
    "five neurons": (swap(HIDDEN, FIFTH_NEURON), "h1: {w11", "layers[0].weights", "1 to 4 neurons"),
    "too many parameters": (
        wide(4, 2),
        "# layer 1",
        "layers[1]",
        "at most 32 weights and biases in all; the layers up to this one have 40",
    ),
    "derivatives too long to show": (
        wide(3, 2, "relu"),  # 28 weights and biases, but each ReLU writes its weighted sum out twice
        "layers:",
        "layers",
        "the chapter cannot show this network's derivatives",
    ),
    "name too long": (
        swap("w33: -0.1", "w" * 30 + ": -0.1"),
        "wwww",
        "layers[0].weights.h3." + "w" * 30,
        "at most 24 characters",
    ),
    "name with a dash": (
        swap("w33: -0.1", "w-33: -0.1"),
        "w-33",
        "layers[0].weights.h3.w-33",
        "letters, digits and '_'",
    ),
    "reserved name": (swap("w33: -0.1", "loss: -0.1"), "h3: {", "layers[0].weights.h3.loss", "reserved"),
    "reserved prefix": (swap("w33: -0.1", "grad_w: -0.1"), "h3: {", "layers[0].weights.h3.grad_w", "reserved"),
    "name used twice": (swap("w33: -0.1", "w11: -0.1"), "h3: {", "layers[0].weights.h3.w11", "already used"),
    "weight named like a neuron": (swap("w33: -0.1", "h1: -0.1"), "h3: {", "layers[0].weights.h3.h1", "already used"),
    "field given twice": (swap("epochs: 60", "epochs: 60\nepochs: 70"), "epochs: 70", "epochs", "given twice"),
    "unknown field": (swap("epochs: 60", "epochs: 60\nbatch_size: 4"), "batch_size", "batch_size", "unknown field"),
    "empty title": (
        swap('title: "Three inputs, a tanh hidden layer and a linear output"', 'title: ""'),
        "title:",
        "title",
        "1 to 200 characters",
    ),
    "title a list": (
        swap('title: "Three inputs, a tanh hidden layer and a linear output"', "title: [a, b]"),
        "title:",
        "title",
        "a list",
    ),
    "title with a control character": (
        swap('title: "Three inputs', 'title: "Three\\a inputs'),
        "title:",
        "title",
        "control characters",
    ),
    "layers a word": (
        GOOD.split("layers:")[0] + "layers: one\nloss:" + GOOD.split("loss:")[1],
        "layers: one",
        "layers",
        "layers must be a list",
    ),
    "biases miscounted": (
        swap("biases: {b1: 0.1, b2: -0.2, b3: 0.05}", "biases: {b1: 0.1, b2: -0.2}"),
        "b1: 0.1",
        "layers[0].biases",
        "one bias per neuron",
    ),
    "biases and shared bias": (
        swap("biases: {c: 0.1}", "biases: {c: 0.1}\n    shared_bias: {d: 0.1}"),
        "shared_bias",
        "layers[1].shared_bias",
        "not both",
    ),
    "two outputs": (
        swap(
            "o: {v1: 0.7, v2: -0.4, v3: 0.5}", "o: {v1: 0.7, v2: -0.4, v3: 0.5}\n      p: {u1: 0.7, u2: -0.4, u3: 0.5}"
        ).replace("biases: {c: 0.1}", "biases: {c: 0.1, e: 0.2}"),
        "- activation: identity",
        "layers[1].weights",
        "exactly one neuron",
    ),
    "cross-entropy on a linear output": (
        swap("loss: mean_squared_error", "loss: binary_cross_entropy"),
        "loss: binary",
        "loss",
        "must be 'sigmoid'",
    ),
    "cross-entropy target outside [0, 1]": (
        swap("loss: mean_squared_error", "loss: binary_cross_entropy").replace(
            "activation: identity", "activation: sigmoid"
        ),
        "target:",
        "target",
        "from 0 to 1",
    ),
    "input key a number": (swap("inputs: {x1: 0.5,", "inputs: {1: 0.5,"), "inputs: {", "inputs", "keys must be names"),
    "a tab indents a line": (
        swap("    weights:              #", "\tweights:              #"),
        "\tweights",
        "weights",
        "not valid YAML",
    ),
    "a list instead of a description": ("- title: x\n- layers: []\n", "- title", "", "must be a mapping"),
}


def make_book(root: Path) -> Path:
    """A book folder of its own: the real config (for repository.url), a toc written here, chapters/."""
    root.mkdir(exist_ok=True)
    (root / "_config.yml").write_text((BOOK / "_config.yml").read_text())
    (root / "_toc.yml").write_text(TOC)
    (root / "chapters").mkdir()
    return root


def run_bad(tmp_path: Path, text: str | bytes, name: str = "bad.yaml") -> tuple[int, str, Path]:
    book = make_book(tmp_path / "book")
    description = tmp_path / name
    if isinstance(text, bytes):
        description.write_bytes(text)
    else:
        description.write_text(text, encoding="utf-8")
    target = book / "chapters" / "bad.ipynb"
    status = main([str(description), str(target), "--add-to-toc", "--no-execute"])
    assert not target.exists()
    assert (book / "_toc.yml").read_text() == TOC
    return status, description, target


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_description_names_line_and_field_and_writes_nothing(case, tmp_path, capsys):
    text, fragment, field, detail = CASES[case]
    status, _, _ = run_bad(tmp_path, text)
    message = capsys.readouterr().err
    assert status == 2, message
    assert "Traceback" not in message
    assert f"line {line_of(text, fragment)}, field {field}:" in message
    assert detail in message


def test_there_are_fifty_cases():
    assert len(CASES) == 50


def test_a_latin1_file_names_the_line_of_the_first_bad_byte(tmp_path, capsys):
    text = GOOD.replace("three measurements", "trois mesures à la fois")
    status, _, _ = run_bad(tmp_path, text.encode("latin-1"))
    message = capsys.readouterr().err
    assert status == 2
    assert f"line {line_of(text, 'mesures')}, field about: the file is not UTF-8 text (byte 0xe0" in message


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, capsys):
    status, _, _ = run_bad(tmp_path, GOOD + "#" * 20_000 + "\n")
    message = capsys.readouterr().err
    assert status == 2 and "line 1, field (whole file): the description is larger than 20,000 bytes" in message


def test_an_empty_file_names_the_fields_it_needs(tmp_path, capsys):
    status, _, _ = run_bad(tmp_path, "")
    assert status == 2 and "the description is empty; it needs the fields title, inputs" in capsys.readouterr().err


def test_bad_json_names_line_and_field(tmp_path, capsys):
    text = json.dumps(yaml.safe_load(GOOD), indent=2).replace('"identity"', '"softsign"')
    status, _, _ = run_bad(tmp_path, text, "bad.json")
    assert status == 2
    assert f"line {line_of(text, 'softsign')}, field layers[1].activation:" in capsys.readouterr().err


def test_broken_json_names_line_and_field(tmp_path, capsys):
    text = json.dumps(yaml.safe_load(GOOD), indent=2).replace('"epochs": 60', '"epochs": 60,,')
    status, _, _ = run_bad(tmp_path, text, "bad.json")
    message = capsys.readouterr().err
    assert status == 2 and f"line {line_of(text, '60,,')}, field epochs: not valid JSON" in message


# --- paths ---------------------------------------------------------------------------------------


def test_a_folder_as_the_description_is_refused(tmp_path, capsys):
    book = make_book(tmp_path)
    (tmp_path / "folder.yaml").mkdir()
    assert main([str(tmp_path / "folder.yaml"), str(book / "chapters" / "x.ipynb"), "--no-execute"]) == 2
    assert "description must be a file; " in capsys.readouterr().err


def test_a_missing_description_is_refused(tmp_path, capsys):
    book = make_book(tmp_path)
    assert main([str(tmp_path / "none.yaml"), str(book / "chapters" / "x.ipynb"), "--no-execute"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_folder_as_the_notebook_is_refused(tmp_path, capsys):
    book = make_book(tmp_path)
    (book / "chapters" / "taken.ipynb").mkdir()
    assert (
        main([str(BOOK / "examples" / "three_inputs_tanh.yaml"), str(book / "chapters" / "taken.ipynb"), "--force"])
        == 2
    )
    assert "is a folder" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["a: b.ipynb", "my chapter.ipynb", "ch[1].ipynb", "-x.ipynb", "x.ipynb.txt"])
def test_a_notebook_name_the_toc_cannot_hold_is_refused(tmp_path, capsys, name):
    book = make_book(tmp_path)
    assert main([str(BOOK / "examples" / "three_inputs_tanh.yaml"), str(book / "chapters" / name), "--add-to-toc"]) == 2
    assert "file name must be letters, digits, '_' and '-' ending in .ipynb" in capsys.readouterr().err
    assert (book / "_toc.yml").read_text() == TOC


def test_no_book_above_the_notebook_or_the_current_folder_is_a_clear_error(tmp_path, capsys, monkeypatch):
    (tmp_path / "loose").mkdir()
    monkeypatch.chdir(tmp_path / "loose")
    assert (
        main([str(BOOK / "examples" / "three_inputs_tanh.yaml"), str(tmp_path / "loose" / "x.ipynb"), "--no-execute"])
        == 2
    )
    message = capsys.readouterr().err
    assert "no _config.yml above the notebook" in message and "pass --book FOLDER" in message
    assert not (tmp_path / "loose" / "x.ipynb").exists()


def test_a_character_yaml_forbids_names_its_line(tmp_path, capsys):
    text = swap("w33: -0.1", "w33: -0.\x001")
    status, _, _ = run_bad(tmp_path, text)
    message = capsys.readouterr().err
    assert (
        status == 2
        and f"line {line_of(text, 'w33')}, field h3: the text holds a character YAML does not allow (U+0000)" in message
    )
