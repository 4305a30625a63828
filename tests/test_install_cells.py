"""The repository address lives in _config.yml; every notebook the book lists must install from it.

"Every notebook" is what ``_toc.yml`` lists, chapters and reference pages alike, read here with
plain YAML (not with the module under test), so a notebook added anywhere in the toc is covered.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from backproplib.authoring.install_cell import install_cell_source, main, repository_url, sync_install_cells
from support.toc import ROOT, toc_notebooks

NOTEBOOKS = toc_notebooks()


def test_the_toc_lists_chapters_and_reference_notebooks():
    folders = {path.parent.name for path in NOTEBOOKS}
    assert {"chapters", "reference"} <= folders
    assert ROOT / "reference" / "errata.ipynb" in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_notebook_installs_from_the_configured_repository(path):
    first = nbformat.read(path, as_version=4).cells[0]
    assert first.cell_type == "code"
    assert first.source == install_cell_source(repository_url(ROOT / "_config.yml"))
    assert "remove-cell" in first.metadata.get("tags", [])  # the book hides it
    assert first.metadata.get("jupyter", {}).get("source_hidden") is True  # Jupyter shows it collapsed


def fork_of_the_book(root: Path) -> Path:
    """The book's config (with another address), toc, one chapter and the errata page, copied."""
    (root / "chapters").mkdir(parents=True)
    (root / "reference").mkdir()
    config = (ROOT / "_config.yml").read_text().replace(repository_url(ROOT / "_config.yml"), "https://example.org/course/fork")
    (root / "_config.yml").write_text(config)
    chapter = sorted((ROOT / "chapters").glob("*.ipynb"))[0]
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: A\n    chapters:\n"
        f"      - file: chapters/{chapter.stem}\n  - caption: B\n    chapters:\n      - file: reference/errata\n"
        "      - file: reference/notes\n"
    )
    shutil.copy(chapter, root / "chapters" / chapter.name)
    shutil.copy(ROOT / "reference" / "errata.ipynb", root / "reference" / "errata.ipynb")
    (root / "reference" / "notes.md").write_text("# Notes\n")
    (root / "chapters" / "unlisted.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    return root


def test_changing_the_address_rewrites_the_install_cell_of_every_listed_notebook(tmp_path):
    book = fork_of_the_book(tmp_path)
    listed = sorted(p.relative_to(book).as_posix() for p in sync_install_cells(book, check=True))
    assert listed[1] == "reference/errata.ipynb" and len(listed) == 2
    assert main(["--root", str(book)]) == 0
    for name in listed:
        first = nbformat.read(book / name, as_version=4).cells[0]
        assert 'git+https://example.org/course/fork"' in first.source
    assert sync_install_cells(book, check=True) == []
    assert nbformat.read(book / "chapters" / "unlisted.ipynb", as_version=4).cells == []  # not in the book: untouched


def test_a_notebook_without_an_install_cell_gets_one_first(tmp_path):
    book = fork_of_the_book(tmp_path)
    errata = book / "reference" / "errata.ipynb"
    notebook = nbformat.read(errata, as_version=4)
    rest = [cell.source for cell in notebook.cells[1:]]
    notebook.cells = notebook.cells[1:]
    nbformat.write(notebook, errata)
    sync_install_cells(book)
    cells = nbformat.read(errata, as_version=4).cells
    assert cells[0].source == install_cell_source("https://example.org/course/fork")
    assert [cell.source for cell in cells[1:]] == rest


def test_a_config_without_a_repository_address_is_refused(tmp_path, capsys):
    (tmp_path / "_config.yml").write_text("title: a book\n")
    with pytest.raises(ValueError, match="repository.url"):
        repository_url(tmp_path / "_config.yml")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    assert main(["--root", str(tmp_path)]) == 2
    assert "repository.url" in capsys.readouterr().err


def test_a_listed_file_that_is_not_a_notebook_is_named_and_nothing_is_written(tmp_path, capsys):
    book = fork_of_the_book(tmp_path)
    before = {p: p.read_bytes() for p in book.rglob("*.ipynb")}
    (book / "reference" / "notes.ipynb").write_text("not json")
    assert main(["--root", str(book)]) == 2
    assert "notes.ipynb' is not a notebook nbformat can read" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in before} == before


# --- what the cell does when a reader runs it (IPython's %pip replaced by a fake) -----------------

URL = "https://example.org/course/fork"
RUNNER = ROOT / "tests" / "support" / "run_install_cell.py"


def run_cell(tmp_path, scenario: str) -> dict:
    cell = tmp_path / "cell.py"
    cell.write_text(install_cell_source(URL), encoding="utf-8")
    result = tmp_path / "result.json"
    subprocess.run([sys.executable, str(RUNNER), str(cell), scenario, str(result)], cwd=tmp_path,
                   check=True, capture_output=True, timeout=120)
    return json.loads(result.read_text())


def test_an_importable_package_is_not_installed_again(tmp_path):
    outcome = run_cell(tmp_path, "importable")
    assert outcome["pip_calls"] == [] and outcome["error"] is None and outcome["imported"]


def test_a_missing_package_is_installed_from_the_repository_and_imported(tmp_path):
    outcome = run_cell(tmp_path, "installs")
    assert outcome["pip_calls"] == [f'install --quiet "backproplib @ git+{URL}"']
    assert outcome["error"] is None and outcome["imported"]


def test_a_failed_install_stops_with_one_error_naming_the_address_and_the_command(tmp_path):
    outcome = run_cell(tmp_path, "fails")
    assert len(outcome["pip_calls"]) == 1
    assert outcome["error"] == "ImportError"
    assert URL in outcome["message"]
    assert f'%pip install "backproplib @ git+{URL}"' in outcome["message"]


@pytest.mark.parametrize("scenario", ["old-widgets", "importable-old-widgets"])
def test_ipywidgets_7_already_loaded_asks_for_a_restart(tmp_path, scenario):
    outcome = run_cell(tmp_path, scenario)
    assert outcome["error"] == "RuntimeError"
    assert "7.7.1" in outcome["message"] and "Runtime → Restart session" in outcome["message"]


def test_ipywidgets_8_already_loaded_needs_no_restart(tmp_path):
    outcome = run_cell(tmp_path, "new-widgets")
    assert outcome["error"] is None and outcome["imported"]
