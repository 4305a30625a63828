"""Command line: a complete, executed chapter notebook from a network description.

Usage::

    .venv/bin/python -m backproplib.authoring.new_chapter examples/three_inputs_tanh.yaml chapters/three_inputs_tanh.ipynb --add-to-toc

The description is checked first; a problem is reported with its line and field and nothing is
written. The notebook is then built, executed (so it is stored with its outputs, as every chapter
is) and written; ``--add-to-toc`` lists it in ``_toc.yml`` under "Chapters added by instructors".
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from .chapter_builder import build_chapter, chapter_key, execute_chapter
from .description import DescriptionError, load_description
from .install_cell import repository_url
from .table_of_contents import add_chapter, toc_entry

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0 on success, 2 for a bad description or path)."""
    parser = argparse.ArgumentParser(
        prog="python -m backproplib.authoring.new_chapter",
        description="Build and execute a chapter notebook from a YAML or JSON network description.",
    )
    parser.add_argument("description", help="the network description (.yaml, .yml or .json)")
    parser.add_argument("notebook", help="where to write the chapter, e.g. chapters/my_network.ipynb")
    parser.add_argument("--add-to-toc", action="store_true", help="list the chapter in the table of contents")
    parser.add_argument("--toc", default="_toc.yml", help="the table of contents to edit (default: _toc.yml)")
    parser.add_argument("--force", action="store_true", help="replace the notebook if it exists")
    parser.add_argument("--no-execute", action="store_true", help="write the notebook without running it (no outputs)")
    args = parser.parse_args(argv)

    target = Path(args.notebook)
    try:
        if target.suffix != ".ipynb":
            raise ValueError(f"notebook must end in .ipynb; got {args.notebook!r}")
        if target.exists() and not args.force:
            raise ValueError(f"notebook {args.notebook!r} exists already; pass --force to replace it")
        if not target.parent.is_dir():
            raise ValueError(f"the folder {str(target.parent)!r} for the notebook does not exist")
        description = load_description(args.description)
        repository = repository_url(Path(args.toc).resolve().parent / "_config.yml")
        entry = None
        if args.add_to_toc:
            if not Path(args.toc).is_file():
                raise ValueError(f"table of contents {args.toc!r} does not exist")
            entry = toc_entry(target, args.toc)
            toc_text = Path(args.toc).read_text(encoding="utf-8")
            new_toc = add_chapter(toc_text, entry)  # checked before anything is written
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
    if entry is not None:
        if new_toc != toc_text:
            Path(args.toc).write_text(new_toc, encoding="utf-8")
            print(f"added '- file: {entry}' to {args.toc}")
        else:
            print(f"{args.toc} lists {entry} already")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
