"""Every chapter with a ``parameters`` cell runs cleanly with other parameters, and stays consistent.

For each chapter (found by looking, so chapters added later are covered) the test moves every
weight and bias by 0.1 and the target (each output's, to ``1 - y`` for cross-entropy, else by 0.25), injects them
with papermill after the ``parameters`` cell, and checks the run:

* no cell fails (a failure names the cell and the error);
* every glued number whose name is one of the example's quantities (``loss``, ``a_o``, ``grad_w1``,
  ``new_w1``, ...) equals the value backproplib computes from the injected settings, to the
  precision the chapter quotes it with, and the gradients glued differ from the stored run's;
* a chapter that compares with its document now says the document's example no longer applies,
  and shows no verdicts (no false errors).
"""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import nbformat
import papermill
import pytest

from support.chapter_file import example_from_parameters, glued_values, parameters_cell_values

BOOK = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(
    path for path in (BOOK / "chapters").glob("*.ipynb")
    if any("parameters" in c.metadata.get("tags", []) for c in nbformat.read(path, as_version=4).cells)
)


def changed_settings(defaults: dict) -> dict:
    """New values for every parameter and the target, valid for the chapter's loss."""
    params = {name: round(value + 0.1, 10) for name, value in defaults["params"].items()}

    # A chapter that fixes its loss leaves it out of the parameters cell; its example then says which.
    loss = defaults["loss"] if "loss" in defaults else example_from_parameters(defaults).network.loss

    def moved(target: float) -> float:
        return 1.0 - target if loss == "binary_cross_entropy" else round(target + 0.25, 10)

    y = defaults["y"]  # one number, or one per output (a mapping output name → target)
    y = {output: moved(t) for output, t in y.items()} if isinstance(y, dict) else moved(y)
    return {"params": params, "y": y}


def texts(notebook) -> list[str]:
    """Every text an output shows: streams, plain text, Markdown and HTML."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            found.append(output.get("text", ""))
            for mime in ("text/plain", "text/markdown", "text/html"):
                found.append(output.get("data", {}).get(mime, ""))
    return found


VERDICT = re.compile(r"✗ wrong|≈ rounding slip|✓ agrees")
# Chapters whose stored run (the document's own settings) shows a comparison with verdicts.
COMPARING = [path for path in CHAPTERS if any(VERDICT.search(t) for t in texts(nbformat.read(path, as_version=4)))]


def example_for(notebook, settings: dict):
    """The chapter's example at ``settings``.

    From the library for a document's example, else from the chapter's own wiring cell.
    """
    if "example_key" in settings:
        return example_from_parameters(settings)
    (wiring,) = [c for c in notebook.cells if c.cell_type == "code" and "network = Network(" in c.source]
    namespace = dict(settings)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(wiring.source, namespace)  # a generated chapter: names only, the numbers are the injected ones
    return namespace["example"]


def matches(text: str, value: float) -> bool:
    """True when ``text`` is ``value`` as the chapter rounds it (fixed decimals or 6 significant digits)."""
    try:
        shown = float(text)
    except ValueError:
        return False
    decimals = len(text.split(".", 1)[1]) if "." in text and "e" not in text.lower() else 0
    tolerance = max(0.5 * 10.0**-decimals, 5e-6 * abs(value)) + 1e-12
    return abs(shown - value) <= tolerance


_RUNS: dict[Path, tuple] = {}


def executed(chapter: Path, tmp_path_factory) -> tuple:
    """Run ``chapter`` once with changed settings (cached): (original, changed run, settings used)."""
    if chapter not in _RUNS:
        original = nbformat.read(chapter, as_version=4)
        defaults = parameters_cell_values(original)
        changes = changed_settings(defaults)
        output = tmp_path_factory.mktemp(chapter.stem) / chapter.name
        try:
            papermill.execute_notebook(
                str(chapter),
                str(output),
                parameters=changes,
                kernel_name="python3",
                cwd=str(chapter.parent),
                progress_bar=False,
                log_output=False,
            )
        except papermill.PapermillExecutionError as error:
            pytest.fail(
                f"{chapter.name} fails with changed parameters {changes}: cell {error.exec_count} "
                f"({error.ename}: {error.evalue})\n{error.source[:600]}"
            )
        _RUNS[chapter] = (original, nbformat.read(output, as_version=4), dict(defaults, **changes))
    return _RUNS[chapter]


def test_chapters_are_found():
    assert CHAPTERS and COMPARING
    assert set(COMPARING) <= set(CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_runs_cleanly(chapter, tmp_path_factory):
    _, changed, _ = executed(chapter, tmp_path_factory)
    errors = [
        (i, o.ename, o.evalue)
        for i, c in enumerate(changed.cells)
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors == [], f"{chapter.name}: error outputs in cells {errors}"
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in changed.cells)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_glued_numbers_follow_the_injected_settings(chapter, tmp_path_factory):
    original, changed, settings = executed(chapter, tmp_path_factory)
    quantities = example_for(changed, settings).quantities()
    values = glued_values(changed)
    compared = {name: text for name, text in values.items() if name in quantities}
    assert "loss" in compared or any(name.startswith("grad_") for name in compared), (
        f"{chapter.name} glues no loss or gradient"
    )
    wrong = {name: (text, quantities[name]) for name, text in compared.items() if not matches(text, quantities[name])}
    assert wrong == {}, f"{chapter.name}: glued text vs value computed from the injected settings: {wrong}"
    before = glued_values(original)
    gradients = [name for name in compared if name.startswith("grad_")]
    assert any(before.get(name) != values[name] for name in gradients), f"{chapter.name}: no glued gradient changed"


@pytest.mark.parametrize("chapter", COMPARING, ids=lambda p: p.stem)
def test_document_comparison_steps_aside(chapter, tmp_path_factory):
    _, changed, _ = executed(chapter, tmp_path_factory)
    shown = texts(changed)
    assert any("no longer apply" in text for text in shown), (
        f"{chapter.name} does not say the document no longer applies"
    )
    verdicts = [t for t in shown if VERDICT.search(t)]
    assert verdicts == [], f"{chapter.name} still shows document verdicts: {verdicts[0][:200]}"
    warnings = [t for t in shown if "{warning}" in t and "printed" in t]
    assert warnings == [], f"{chapter.name} still explains document errors: {warnings[0][:200]}"
