"""Student and instructor editions: solutions dropped (and only they), and both editions run.

The student edition of EVERY chapter is executed: that is what proves no later cell depends on a
solution cell. The instructor edition is the chapter itself (nbval runs each chapter already), so
one chapter's instructor edition is executed here as well, to check the copy is complete.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from backproplib.authoring.editions import main

BOOK = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((BOOK / "chapters").glob("*.ipynb"))


def tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def exercise_labels(notebook) -> list[str]:
    return [
        m
        for c in notebook.cells
        if c.cell_type == "markdown"
        for m in re.findall(r"```\{exercise\}\s*\n:label:\s*(\S+)", c.source)
    ]


def solution_labels(notebook) -> list[str]:
    return [
        m for c in notebook.cells if c.cell_type == "markdown" for m in re.findall(r"```\{solution\}\s*(\S+)", c.source)
    ]


def execute(notebook, directory: Path) -> None:
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(directory)}}
    ).execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    root = tmp_path_factory.mktemp("editions")
    assert (
        main(
            [
                "--student", str(root / "student"), "--instructor", str(root / "instructor"), "--chapters",
                str(BOOK / "chapters"),
            ]
        )
        == 0
    )
    return root / "student", root / "instructor"


def test_every_chapter_has_both_editions(editions):
    student, instructor = editions
    assert CHAPTERS, "no chapters found"
    assert sorted(p.name for p in student.glob("*.ipynb")) == [c.name for c in CHAPTERS]
    assert sorted(p.name for p in instructor.glob("*.ipynb")) == [c.name for c in CHAPTERS]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_student_edition_drops_solutions_and_keeps_exercises(chapter, editions):
    source = nbformat.read(chapter, as_version=4)
    student = nbformat.read(editions[0] / chapter.name, as_version=4)
    assert exercise_labels(source), "the chapter has no exercises"
    assert solution_labels(source), "the chapter has no solutions"
    assert not any("solution" in tags(c) for c in student.cells)
    assert solution_labels(student) == []
    assert exercise_labels(student) == exercise_labels(source)
    # Exactly the solution cells went, in order; nothing else was lost.
    kept = [c.source for c in source.cells if "solution" not in tags(c)]
    assert [c.source for c in student.cells] == kept
    assert all(c.outputs == [] for c in student.cells if c.cell_type == "code")
    assert "widgets" not in student.metadata


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_instructor_edition_is_the_whole_chapter(chapter, editions):
    source = nbformat.read(chapter, as_version=4)
    instructor = nbformat.read(editions[1] / chapter.name, as_version=4)
    assert json.dumps(instructor, sort_keys=True) == json.dumps(source, sort_keys=True)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_student_edition_executes_cleanly(chapter, editions):
    student = nbformat.read(editions[0] / chapter.name, as_version=4)
    execute(student, BOOK / "chapters")


def test_one_instructor_edition_executes_cleanly(editions):
    chapter = min(CHAPTERS, key=lambda p: p.stat().st_size)  # the lightest chapter keeps the run short
    instructor = nbformat.read(editions[1] / chapter.name, as_version=4)
    execute(instructor, BOOK / "chapters")
    assert any("solution" in tags(c) for c in instructor.cells)


# --- never into the sources ------------------------------------------------------------------------


def small_chapters(root: Path) -> Path:
    """A folder with one small chapter (an exercise and its solution), written here."""
    from nbformat.v4 import new_markdown_cell, new_notebook

    chapters = root / "chapters"
    chapters.mkdir(parents=True)
    notebook = new_notebook(
        cells=[
            new_markdown_cell("```{exercise}\n:label: ex1\nAdd 1 and 2.\n```"),
            new_markdown_cell("```{solution} ex1\n3\n```", metadata={"tags": ["solution"]}),
        ]
    )
    nbformat.write(notebook, chapters / "one.ipynb")
    return chapters


@pytest.mark.parametrize(
    "option, folder",
    [
        ("--student", "chapters"),  # the sources themselves
        ("--student", "chapters/student"),  # inside them
        ("--instructor", "."),  # around them
        ("--instructor", "chapters/../chapters"),
    ],
)
def test_an_output_folder_at_the_sources_is_refused_and_nothing_is_written(
    tmp_path, capsys, monkeypatch, option, folder
):
    chapters = small_chapters(tmp_path)
    before = (chapters / "one.ipynb").read_bytes()
    monkeypatch.chdir(tmp_path)
    assert main([option, folder, "--chapters", "chapters"]) == 2
    message = capsys.readouterr().err
    assert f"{option[2:]} must be a folder apart from the source chapters" in message
    assert (chapters / "one.ipynb").read_bytes() == before
    assert sorted(p.name for p in tmp_path.rglob("*.ipynb")) == ["one.ipynb"]


def test_a_notebook_given_by_name_protects_its_own_folder(tmp_path, capsys):
    chapters = small_chapters(tmp_path)
    assert main(["--student", str(chapters), str(chapters / "one.ipynb")]) == 2
    assert "student must be a folder apart" in capsys.readouterr().err
    assert solution_labels(nbformat.read(chapters / "one.ipynb", as_version=4)) == ["ex1"]


def test_both_editions_in_one_folder_are_refused(tmp_path, capsys):
    chapters = small_chapters(tmp_path)
    out = str(tmp_path / "out")
    assert main(["--student", out, "--instructor", out, "--chapters", str(chapters)]) == 2
    assert "student and instructor must be different folders" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_editions_apart_from_the_sources_are_written(tmp_path):
    chapters = small_chapters(tmp_path)
    assert (
        main(["--student", str(tmp_path / "s"), "--instructor", str(tmp_path / "i"), "--chapters", str(chapters)]) == 0
    )
    assert solution_labels(nbformat.read(tmp_path / "s" / "one.ipynb", as_version=4)) == []
    assert solution_labels(nbformat.read(tmp_path / "i" / "one.ipynb", as_version=4)) == ["ex1"]


@pytest.mark.parametrize("text", ["{}", "not json", '{"cells": 3, "nbformat": 4, "nbformat_minor": 5, "metadata": {}}'])
def test_a_file_that_is_not_a_notebook_is_named_and_nothing_is_written(tmp_path, capsys, text):
    chapters = small_chapters(tmp_path)
    (chapters / "zz_broken.ipynb").write_text(text)
    assert main(["--student", str(tmp_path / "out"), "--chapters", str(chapters)]) == 2
    assert "zz_broken.ipynb' is not a notebook nbformat can read" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_output_path_that_is_a_file_is_refused(tmp_path, capsys):
    chapters = small_chapters(tmp_path)
    (tmp_path / "taken").write_text("kept")
    assert main(["--student", str(tmp_path / "taken"), "--chapters", str(chapters)]) == 2
    assert "error:" in capsys.readouterr().err
    assert (tmp_path / "taken").read_text() == "kept"


def test_student_book_config_hides_solutions_and_keeps_everything_else(tmp_path):
    import yaml

    from backproplib.authoring.editions import student_book_config

    book = Path(__file__).resolve().parent.parent
    original = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    out = tmp_path / "deep" / "student.yml"
    written = yaml.safe_load(student_book_config(book / "_config.yml", out) and out.read_text(encoding="utf-8"))
    assert written["sphinx"]["config"].pop("hide_solutions") is True
    assert written.pop("title") == original.pop("title") + " (student edition)"
    extensions = written["sphinx"].pop("local_extensions")
    assert {name: (out.parent / path).resolve() for name, path in extensions.items()} == {
        name: (book / path).resolve() for name, path in original["sphinx"].pop("local_extensions").items()
    }
    assert written == original
    with pytest.raises(ValueError, match="out must not be the book's own configuration"):
        student_book_config(book / "_config.yml", book / "_config.yml")


def test_no_chapter_uses_gated_solutions_which_the_student_web_book_cannot_hide():
    """sphinx-exercise's ``hide_solutions`` drops ``{solution}`` blocks but fails the build on the gated
    ``{solution-start}``/``{solution-end}`` pair (an unknown node in the HTML writer): ``make book-student``
    needs every solution in one directive."""
    book = Path(__file__).resolve().parent.parent
    gated = [path.name for path in sorted((book / "chapters").glob("*.ipynb"))
             if re.search(r"\{solution-(start|end)\}", path.read_text(encoding="utf-8"))]
    assert gated == []
