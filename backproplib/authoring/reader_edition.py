"""The reader's edition: the notebooks the Binder and Colab buttons open, readable without the book build.

A chapter notebook is written for the book: its prose holds ``{glue:text}`` roles, exercises and
admonitions are MyST directives, and plumbing cells are tagged ``remove-cell``. Opened in
JupyterLab or Colab it reads as raw markup. The reader's edition is generated from the executed
chapters (every notebook ``_toc.yml`` lists, which stay the single source):

- prose: glued values from the stored outputs in place of the glue roles, exercises as headings,
  solutions in ``<details>``, admonitions as blockquotes (:mod:`.reader_markdown`);
- cells tagged ``remove-cell`` dropped, except the install cell the launched notebooks need;
  ``remove-input``/``hide-input`` code collapsed (``jupyter.source_hidden``), outputs kept;
- explorer outputs lose their book-only ``text/html`` (the browser explorer, whose scripts only
  the book's pages load), so a front end shows the widget panel or, untrusted, its picture;
- glue outputs dropped: their values are in the prose now.

It lives in ``reader/``, mirroring the book's layout (``reader/chapters/ideas.ipynb``), and
``repository.path_to_book: reader`` in ``_config.yml`` points the launch buttons there: Jupyter
Book 1.x builds each button's address from that setting and the page's path, one rule for every
page. Trade-off: the prose numbers are the book's run; a reader who changes the settings cell
gets new tables and figures but the same words (the first cell says so).

Run ``python -m backproplib.authoring.reader_edition`` after changing a chapter (``--check``
only reports); ``tests/test_reader_edition.py`` fails while the committed edition is stale.
"""
from __future__ import annotations

import copy
import os
import re
import sys
from pathlib import Path

import nbformat

from .install_cell import book_command, is_install_cell, toc_notebooks
from .reader_markdown import Context, Directive, blocks, convert, glued_outputs, leftover_myst

__all__ = ["FOLDER", "reader_notebook", "reader_edition", "write_reader_edition", "main"]

FOLDER = "reader"
EXPLORER_MARKER = "data-backprop-explorer"  # views.explorer.MARKER, read here without importing the views
COLLAPSE_SOURCE = {"remove-input", "hide-input", "hide-cell"}
COLLAPSE_OUTPUT = {"hide-output", "hide-cell"}
NOTE = (
    "*The reader's edition of this page, generated from `{source}` in the book's repository. The numbers in "
    "the text are the book's. Run all cells (Run → Run All Cells) to bring the panels to life: their "
    "controls respond once the cells above them have run. Change the settings cell and the tables and "
    "figures follow; the numbers in the text stay the book's.*"
)


def _labels(cells: list) -> dict[str, str]:
    """What a reference to each label shows: "Exercise n" for exercises, the heading after a target."""
    labels: dict[str, str] = {}
    count = 0

    def visit(text: str) -> None:
        nonlocal count
        for block in blocks(text):
            if isinstance(block, Directive):
                if block.name in ("exercise", "exercise-start"):
                    count += 1
                    if "label" in block.options:
                        labels[block.options["label"]] = f"Exercise {count}"
                visit(block.body)
            elif isinstance(block, str):
                for target, heading in re.findall(r"^\(([\w:.-]+)\)=\s*\n+#{1,6}\s+(.+)$", block, re.M):
                    labels[target] = heading.strip()

    for cell in cells:
        if cell.cell_type == "markdown":
            visit(cell.source)
    return labels


def _title(path: Path) -> str:
    """A notebook's or Markdown page's first level-one heading, else its file name."""
    if path.suffix == ".ipynb" and path.is_file():
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    else:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
    heading = re.search(r"^#\s+(.+)$", text, re.M)
    return heading.group(1).strip() if heading else path.stem.replace("_", " ")


def _context(notebook, source: Path, root: Path, edition: set[Path]) -> Context:
    """Glued values, labels and link rules for one notebook written to ``root/FOLDER/<same path>``."""
    target_dir = root / FOLDER / source.parent.relative_to(root)

    def resolve(written: str) -> tuple[Path, str]:
        path, _, fragment = written.partition("#")
        base = root if path.startswith("/") else source.parent
        return (base / path.lstrip("/")).resolve(), f"#{fragment}" if fragment else ""

    def link(written: str) -> str | None:
        path, fragment = resolve(written)
        for candidate in (path, path.with_suffix(".ipynb")):
            if candidate in edition:  # a notebook of the edition: same layout, so the same relative path
                return os.path.relpath(root / FOLDER / candidate.relative_to(root), target_dir) + fragment
        if path.is_file():
            return os.path.relpath(path, target_dir) + fragment
        return None

    def title(written: str) -> str:
        path, _ = resolve(written)
        for candidate in (path, path.with_suffix(".ipynb"), path.with_suffix(".md")):
            if candidate.is_file():
                return _title(candidate)
        return path.stem.replace("_", " ")

    return Context(glued=glued_outputs(notebook.cells), labels=_labels(notebook.cells), link=link, title=title)


def _reader_output(output, context: Context):
    """An output as the edition keeps it: explorer outputs without their book-only HTML, and
    Markdown a cell displayed (a note on the document, an admonition) converted like the prose."""
    data = output.get("data", {})
    if EXPLORER_MARKER in str(data.get("text/html", "")) and "image/png" in data:
        output = copy.deepcopy(output)
        del output["data"]["text/html"]
    if "text/markdown" in data:
        output = copy.deepcopy(output)
        written = output["data"]["text/markdown"]
        output["data"]["text/markdown"] = convert("".join(written) if isinstance(written, list) else written, context)
    return output


def _reader_code_cell(cell, context: Context):
    """The code cell as the edition shows it, or None when the book removes it."""
    tags = set(cell.metadata.get("tags", []))
    if "remove-cell" in tags and not is_install_cell(cell):
        return None
    jupyter = dict(cell.metadata.get("jupyter", {}))
    if tags & COLLAPSE_SOURCE:
        jupyter["source_hidden"] = True
    if tags & COLLAPSE_OUTPUT:
        jupyter["outputs_hidden"] = True
    if jupyter:
        cell.metadata["jupyter"] = jupyter
    kept = [] if "remove-output" in tags else cell.outputs
    cell.outputs = [_reader_output(o, context) for o in kept if "scrapbook" not in o.get("metadata", {})]
    return cell


def _reader_markdown_cell(cell, context: Context):
    if "remove-cell" in cell.metadata.get("tags", []):
        return None
    context.attachments = {}
    written, cell.source = cell.source, convert(cell.source, context)
    if written.strip() and not cell.source.strip():
        return None  # only markup with nothing to read (an end marker, a target)
    if context.attachments:
        cell["attachments"] = {**cell.get("attachments", {}), **context.attachments}
    return cell


def reader_notebook(source: Path, root: Path = Path("."), edition: set[Path] | None = None):
    """The reader's edition of the notebook at ``source`` (a path inside the book at ``root``).

    ``edition`` is the set of notebooks the edition holds (resolved paths), for links between them.
    Raises ValueError naming the cell when MyST syntax would be left in the prose.
    """
    root, source = Path(root).resolve(), Path(source).resolve()
    notebook = nbformat.read(source, as_version=4)
    context = _context(notebook, source, root, edition or {source})
    cells = []
    for index, cell in enumerate(copy.deepcopy(notebook.cells)):
        converted = _reader_markdown_cell(cell, context) if cell.cell_type == "markdown" else (
            _reader_code_cell(cell, context) if cell.cell_type == "code" else cell)
        if converted is None:
            continue
        outputs = converted.get("outputs", [])
        shown = [o["data"]["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})]
        left = leftover_myst("\n".join([converted.source] if converted.cell_type == "markdown" else shown))
        if left:
            raise ValueError(f"{source.name}, cell {index}: MyST left after conversion: {left}")
        cells.append(converted)
    title = next((i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith("# ")), -1)
    note = NOTE.format(source=source.relative_to(root).as_posix())
    cells.insert(title + 1, nbformat.v4.new_markdown_cell(note, id=f"reader-note-{source.stem}"[:64]))
    notebook.cells = cells
    nbformat.validate(notebook)
    return notebook


def reader_edition(root: Path | str = ".") -> dict[Path, str]:
    """Every notebook of ``_toc.yml`` in its reader's edition: path inside ``root`` -> file text."""
    root = Path(root).resolve()
    sources = [path.resolve() for path in toc_notebooks(root)]
    if not sources:
        raise ValueError(f"{root / '_toc.yml'} lists no notebook; nothing to write")
    edition = set(sources)
    return {
        Path(FOLDER) / source.relative_to(root): nbformat.writes(reader_notebook(source, root, edition)) + "\n"
        for source in sources
    }


def write_reader_edition(root: Path | str = ".", check: bool = False) -> list[Path]:
    """Write the edition into ``root/reader`` (removing notebooks no longer in the toc); returns the
    paths that changed (with ``check``, that would change)."""
    root = Path(root).resolve()
    texts = reader_edition(root)  # every notebook converted before anything is written
    changed = []
    for relative, text in texts.items():
        path = root / relative
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            changed.append(relative)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for stale in sorted((root / FOLDER).rglob("*.ipynb")) if (root / FOLDER).is_dir() else []:
        relative = stale.relative_to(root)
        if relative not in texts and ".ipynb_checkpoints" not in relative.parts:
            changed.append(relative)
            if not check:
                stale.unlink()
    return changed


def main(argv: list[str] | None = None) -> int:
    return book_command(
        argv, write_reader_edition, words=("written", "out of date"),
        prog="python -m backproplib.authoring.reader_edition",
        description=f"Write the reader's edition of every notebook in _toc.yml into {FOLDER}/ "
        "(glued numbers in the prose, directives as Markdown).",
        check_help="only list what is out of date; exit 1 if anything is",
    )


if __name__ == "__main__":
    sys.exit(main())
