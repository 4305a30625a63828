"""Shared by the sentence tests of the chapters (tests/test_sentences_*.py): run a chapter under papermill
with changed settings, read what it shows, and check the settings refusals the chapter makes first."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import papermill
import pytest

from backproplib.authoring.chapter_settings import check_chapter_settings

__all__ = ["executed_with", "shown_text", "error_outputs", "update_verbs", "expected_update_verbs", "refused"]


def executed_with(notebook: Path, changes: dict, tmp_path: Path) -> nbformat.NotebookNode:
    """The chapter run by papermill with ``changes`` injected after its parameters cell."""
    output = tmp_path / notebook.name
    papermill.execute_notebook(str(notebook), str(output), parameters=changes, kernel_name="python3",
                               cwd=str(notebook.parent), progress_bar=False, log_output=False)
    return nbformat.read(output, as_version=4)


def shown_text(notebook: nbformat.NotebookNode) -> str:
    """Every printed stream and Markdown output of the notebook, joined."""
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            texts.append("".join(output.get("text", "")))
            texts.append("".join(output.get("data", {}).get("text/markdown", "")))
    return "\n".join(texts)


def error_outputs(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(o.ename, o.evalue) for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]


def update_verbs(shown: str) -> list[str]:
    """The verbs of the update sentence ("$w_{h_1 x_1}$ grows from ..."), sorted."""
    return sorted(verb for _, verb in re.findall(r"\$([wb]_\{[^$]+\})\$ (grows|shrinks|stays)", shown))


def expected_update_verbs(example) -> list[str]:
    """What one gradient step does to each parameter: it grows exactly when its gradient is negative."""
    q = example.quantities()
    return sorted("grows" if q[f"grad_{p}"] < 0 else "shrinks" if q[f"grad_{p}"] > 0 else "stays"
                  for p in example.network.parameters)


def refused(lesson_check, settings: dict, explore: str) -> str:
    """The message with which the chapter's two checks (its lesson's, then every chapter's) refuse ``settings``."""
    with pytest.raises(ValueError) as refusal:
        lesson_check(settings["params"], settings["x"], settings["activations"], settings["loss"])
        check_chapter_settings(settings["params"], settings["x"], settings["y"], settings["learning_rate"],
                               settings["epochs"], settings["digits"], explore)
    return str(refusal.value)
