"""Every notebook of the book names JupyterLab's default kernel exactly as JupyterLab does.

With another display name (the old "Python 3"), JupyterLab rewrites the metadata on open and marks
every tab unsaved. The expected spec is written out here, not taken from the generator.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from backproplib.authoring.chapter_builder import build_chapter
from backproplib.authoring.description import load_description
from support.toc import ROOT, toc_notebooks

STANDARD = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


@pytest.mark.parametrize("path", toc_notebooks(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_notebook_of_the_book_has_the_standard_kernelspec(path: Path):
    assert nbformat.read(path, as_version=4).metadata.get("kernelspec") == STANDARD


def test_a_generated_chapter_has_the_standard_kernelspec_and_a_collapsed_install_cell():
    description = load_description(ROOT / "examples" / "three_inputs_tanh.yaml")
    chapter = build_chapter(description, "three-inputs-tanh", "https://example.org/book")
    assert chapter.metadata["kernelspec"] == STANDARD
    first = chapter.cells[0]
    assert "%pip install" in first.source and first.metadata["tags"] == ["remove-cell"]
    assert first.metadata["jupyter"] == {"source_hidden": True}
    assert all("jupyter" not in cell.metadata for cell in chapter.cells[1:])  # only the install cell is collapsed
