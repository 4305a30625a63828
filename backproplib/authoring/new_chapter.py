"""Command line: a complete, executed chapter notebook from a network description.

Usage::

    .venv/bin/python -m backproplib.authoring.new_chapter \\
        examples/three_inputs_tanh.yaml chapters/three_inputs_tanh.ipynb --add-to-toc

The description is checked first; a problem is reported with its line and field and nothing is
written. The book's folder is the one holding ``_config.yml``: given with ``--book``, or found by
walking up from the notebook's folder (then from the current folder), so the command works from
inside ``chapters/`` too. The notebook is then built, executed (so it is stored with its outputs,
as every chapter is) and written; ``--add-to-toc`` lists it in the book's ``_toc.yml`` under
"Chapters added by instructors".
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from .chapter_builder import build_chapter, chapter_key, execute_chapter
from .description import DescriptionError, load_description
from .install_cell import repository_url
from .table_of_contents import add_chapter, read_toc, toc_entry, write_toc

__all__ = ["main", "find_book"]

# The notebook's name becomes the page's address and its entry in _toc.yml: keep it plain.
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.ipynb")


def find_book(start: str | Path) -> Path:
    """The nearest folder at or above ``start`` holding the book's ``_config.yml``.

    >>> import tempfile
    >>> book = Path(tempfile.mkdtemp())
    >>> _ = (book / "_config.yml").write_text("title: a book\\n")
    >>> (book / "chapters").mkdir()
    >>> find_book(book / "chapters") == book.resolve()
    True
    """
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / "_config.yml").is_file():
            return folder
    raise ValueError(
        (
            f"no _config.yml in {str(start)!r} or any folder above it: "
            "run the command inside the book, or pass --book FOLDER"
        )
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m backproplib.authoring.new_chapter",
        description="Build and execute a chapter notebook from a YAML or JSON network description.",
    )
    parser.add_argument("description", help="the network description (.yaml, .yml or .json)")
    parser.add_argument("notebook", help="where to write the chapter, e.g. chapters/my_network.ipynb")
    parser.add_argument("--add-to-toc", action="store_true", help="list the chapter in the table of contents")
    parser.add_argument("--book", help="the book's folder, holding _config.yml (default: found above the notebook)")
    parser.add_argument("--toc", help="the table of contents to edit (default: _toc.yml in the book's folder)")
    parser.add_argument("--force", action="store_true", help="replace the notebook if it exists")
    parser.add_argument("--no-execute", action="store_true", help="write the notebook without running it (no outputs)")
    return parser


def _check_target(target: Path, force: bool) -> None:
    if target.is_dir():
        raise ValueError(f"notebook must be a file path ending in .ipynb; {str(target)!r} is a folder")
    if not _FILE_NAME.fullmatch(target.name):
        raise ValueError(
            (
                "notebook's file name must be letters, digits, '_' and '-' ending "
                f"in .ipynb (it becomes the page's address); got {target.name!r}"
            )
        )
    if target.exists() and not force:
        raise ValueError(f"notebook {str(target)!r} exists already; pass --force to replace it")
    if not target.parent.is_dir():
        raise ValueError(f"the folder {str(target.parent)!r} for the notebook does not exist")


def _book_near(target: Path) -> Path:
    """The book above the notebook, else the book above the current folder."""
    try:
        return find_book(target.parent)
    except ValueError:
        try:
            return find_book(Path.cwd())
        except ValueError:
            raise ValueError(
                f"no _config.yml above the notebook's folder {str(target.parent.resolve())!r} or the current folder: "
                "run the command inside the book, or pass --book FOLDER"
            ) from None


def _plan(args: argparse.Namespace) -> tuple:
    """Everything checked before anything is written: description, book, toc edit."""
    target = Path(args.notebook)
    _check_target(target, args.force)
    description = load_description(args.description)
    if args.book is not None and not Path(args.book).is_dir():
        raise ValueError(f"--book must be the book's folder; {args.book!r} is not a folder")
    book = find_book(args.book) if args.book is not None else _book_near(target)
    repository = repository_url(book / "_config.yml")
    toc_edit = None
    if args.add_to_toc:
        toc = Path(args.toc) if args.toc else book / "_toc.yml"
        if not toc.is_file():
            raise ValueError(f"table of contents {str(toc)!r} does not exist")
        entry = toc_entry(target, toc)
        text = read_toc(toc)
        toc_edit = (toc, entry, text, add_chapter(text, entry))
    return target, description, repository, toc_edit


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0 on success, 2 for a bad description or path)."""
    args = _parser().parse_args(argv)
    try:
        target, description, repository, toc_edit = _plan(args)
    except (DescriptionError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    notebook = build_chapter(description, chapter_key(target), repository)
    if not args.no_execute:
        print(f"executing {target} ...", file=sys.stderr)
        try:
            execute_chapter(notebook, target.parent)
        except Exception as error:  # nbclient's CellExecutionError names the cell and the traceback
            print(f"error: the chapter did not run cleanly, nothing was written:\n{error}", file=sys.stderr)
            return 1
    nbformat.write(notebook, target)
    print(f"wrote {target}")
    if toc_edit is not None:
        toc, entry, old, new = toc_edit
        if new != old:
            write_toc(toc, new)
            print(f"added '- file: {entry}' to {toc}")
        else:
            print(f"{toc} lists {entry} already")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
