"""Student and instructor editions of the chapter notebooks, from one source.

Solutions are marked once, in the chapters themselves: every cell that belongs to a worked
solution carries the tag ``solution`` (the ``{solution}`` markdown and any code that computes
numbers only the solutions quote). From that:

* the **instructor edition** is the chapter as it is, outputs included;
* neither is ever written into (or around) the folder of the source chapters: the command
  refuses such an output folder instead of overwriting the sources;
* the **student edition** drops every ``solution`` cell and clears all outputs and the stored
  widget state. Outputs are cleared because stored outputs can give answers away even when the
  solution cells are gone (a glued number, a printed table the exercise asks for), and because
  students run the notebooks themselves, on Binder, Colab or a laptop; a fresh run fills every
  output again.

The same tag drives a **student edition of the built book**: :func:`student_book_config` writes
a copy of ``_config.yml`` with sphinx-exercise's ``hide_solutions`` on (every ``{solution}``
directive left out of the HTML; the cells tagged ``solution`` are ``remove-input`` already), so
one command builds the HTML without the answers (``make book-student``).

Command line::

    .venv/bin/python -m backproplib.authoring.editions --student editions/student --instructor editions/instructor
    .venv/bin/python -m backproplib.authoring.editions --student-book-config _build/student/_config.yml

Examples
--------
>>> from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
>>> source = new_notebook(cells=[
...     new_markdown_cell("```{exercise}\\n:label: ex1\\nAdd 1 and 2.\\n```"),
...     new_markdown_cell("```{solution} ex1\\n3\\n```", metadata={"tags": ["solution"]}),
...     new_code_cell("1 + 2", outputs=[{"output_type": "execute_result", "data": {"text/plain": "3"},
...                                    "metadata": {}, "execution_count": 1}], execution_count=1),
... ])
>>> student = student_edition(source)
>>> [cell.cell_type for cell in student.cells], student.cells[1].outputs
(['markdown', 'code'], [])
>>> len(instructor_edition(source).cells)
3
"""
from __future__ import annotations

import argparse
import copy
import os
import sys
from pathlib import Path

import nbformat

__all__ = [
    "SOLUTION_TAG", "is_solution", "read_notebook", "student_edition", "instructor_edition", "write_editions", "main",
]

SOLUTION_TAG = "solution"


def is_solution(cell: nbformat.NotebookNode) -> bool:
    """True for a cell tagged ``solution``."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def student_edition(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without ``solution`` cells, with every output, execution count and widget state cleared."""
    student = copy.deepcopy(notebook)
    student.cells = [cell for cell in student.cells if not is_solution(cell)]
    for cell in student.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    student.metadata.pop("widgets", None)
    return student


def instructor_edition(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the whole chapter: solutions, outputs and widget state kept."""
    return copy.deepcopy(notebook)


def _check_outputs(chapters: list[Path], outputs: dict[str, Path]) -> None:
    """Refuse an output folder that is, lies inside or contains a folder of source chapters.

    Writing there would overwrite the sources (the student edition has no solutions and no
    outputs) or mix editions with them; two editions in one folder would overwrite each other.

    >>> _check_outputs([Path("chapters/a.ipynb")], {"student": Path("chapters/student")})
    Traceback (most recent call last):
    ...
    ValueError: student must be a folder apart from the source chapters in 'chapters'
    (not it, inside it or around it); got 'chapters/student'
    """
    sources = {chapter.resolve().parent for chapter in chapters}
    for option, folder in outputs.items():
        place = folder.resolve()
        for source in sources:
            if place == source or source in place.parents or place in source.parents:
                raise ValueError(
                    (
                        f"{option} must be a folder apart from the source chapters in "
                        f"{os.path.relpath(source)!r} (not it, inside it or around it); got {str(folder)!r}"
                    )
                )
    if len(outputs) == 2 and len({folder.resolve() for folder in outputs.values()}) == 1:
        raise ValueError(f"student and instructor must be different folders; both are {str(outputs['student'])!r}")


def write_editions(chapters: list[Path], student: Path | None, instructor: Path | None) -> list[Path]:
    """Write both editions of each chapter notebook; returns the files written.

    The output folders must lie apart from the chapters' folders (see :func:`_check_outputs`).
    """
    if student is None and instructor is None:
        raise ValueError("give at least one of student and instructor (an output folder)")
    outputs = {
        name: Path(folder) for name, folder in (("student", student), ("instructor", instructor)) if folder is not None
    }
    _check_outputs(chapters, outputs)
    names = [chapter.name for chapter in chapters]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(
            (
                "chapters must have different file names (an edition folder "
                f"holds one of each); {', '.join(twice)} is given twice"
            )
        )
    notebooks = [read_notebook(chapter) for chapter in chapters]  # every source readable before anything is written
    written = []
    for chapter, notebook in zip(chapters, notebooks):
        for folder, edition in ((student, student_edition), (instructor, instructor_edition)):
            if folder is None:
                continue
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / chapter.name
            nbformat.write(edition(notebook), target)
            written.append(target)
    return written


def student_book_config(config_path: Path, out: Path) -> dict:
    """Write the student book's configuration to ``out`` and return it.

    A copy of the book's ``config_path`` with ``hide_solutions`` on and " (student edition)" in the
    title; local Sphinx extensions are re-pointed from ``out``'s folder, since Jupyter Book finds them
    relative to the configuration file. ``out`` may not be the book's own configuration.

    >>> import tempfile, yaml
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "_config.yml").write_text("title: B\\nsphinx:\\n  local_extensions: {ext: _ext/}\\n")
    >>> config = student_book_config(folder / "_config.yml", folder / "_build" / "student.yml")
    >>> config["title"], config["sphinx"]["config"]["hide_solutions"], config["sphinx"]["local_extensions"]
    ('B (student edition)', True, {'ext': '../_ext'})
    """
    import yaml

    if out.resolve() == config_path.resolve():
        raise ValueError(f"out must not be the book's own configuration {str(config_path)!r}")
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["title"] = f"{config.get('title', 'Book')} (student edition)"
    sphinx = config.setdefault("sphinx", {})
    sphinx.setdefault("config", {})["hide_solutions"] = True
    here, there = config_path.resolve().parent, out.resolve().parent
    extensions = sphinx.get("local_extensions", {})
    sphinx["local_extensions"] = {name: os.path.relpath(here / path, there) for name, path in extensions.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return config


def read_notebook(chapter: Path) -> nbformat.NotebookNode:
    """The notebook at ``chapter`` (nbformat 4), or a ValueError naming the file when it is not one."""
    try:
        return nbformat.read(chapter, as_version=4)
    except Exception as error:  # nbformat raises JSON, schema and conversion errors of several kinds
        raise ValueError(f"{str(chapter)!r} is not a notebook nbformat can read: {error}") from None


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m backproplib.authoring.editions",
        description="Write the student edition (solutions dropped, outputs cleared) and the instructor "
        "edition (everything) of every chapter notebook.",
    )
    parser.add_argument("--student", type=Path, help="folder for the student edition")
    parser.add_argument("--instructor", type=Path, help="folder for the instructor edition")
    parser.add_argument(
        "--chapters", type=Path, default=Path("chapters"), help="folder of chapter notebooks (default: chapters)"
    )
    parser.add_argument("--student-book-config", type=Path,
                        help="write the student book's _config.yml (solutions hidden) here, and nothing else")
    parser.add_argument("notebooks", nargs="*", type=Path, help="particular notebooks (default: every chapter)")
    args = parser.parse_args(argv)
    if args.student_book_config is not None:
        student_book_config(Path("_config.yml"), args.student_book_config)
        print(f"{args.student_book_config}: the book's configuration with solutions hidden")
        return 0
    chapters = args.notebooks or sorted(args.chapters.glob("*.ipynb"))
    try:
        if not chapters:
            raise ValueError(f"no chapter notebooks found in {str(args.chapters)!r}")
        missing = [str(c) for c in chapters if not c.is_file()]
        if missing:
            raise ValueError(f"notebooks not found: {', '.join(missing)}")
        written = write_editions(chapters, args.student, args.instructor)
    except (ValueError, OSError) as error:  # OSError: an output path that is a file, or not writable
        print(f"error: {error}", file=sys.stderr)
        return 2
    for folder in (args.student, args.instructor):
        if folder is not None:
            print(f"{folder}: {sum(1 for w in written if w.parent == folder)} notebooks")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
