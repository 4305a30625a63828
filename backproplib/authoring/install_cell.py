"""The first cell of every notebook of the book: install backproplib when the notebook is opened on its own.

On Colab or a student's laptop a chapter arrives without this repository, so its first cell
installs the package from the repository, quietly, then imports it again: a failed install or a
session that must restart stops Run All at this cell with one message saying what to do, instead
of a ModuleNotFoundError in every later cell. The cell is collapsed in Jupyter and removed from
the book (``remove-cell``). The repository's address lives in one place,
``repository.url`` in ``_config.yml`` (the launch buttons are built from it too); this module
writes that address into the install cell of every notebook ``_toc.yml`` lists (chapters and
reference pages), and the tests check that they agree.

Run ``python -m backproplib.authoring.install_cell`` after changing the address (``--check`` only reports).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

__all__ = [
    "repository_url", "install_cell_source", "mark_install_cell", "is_install_cell", "toc_notebooks",
    "sync_install_cells", "book_command",
]

INSTALL_TAG = "remove-cell"  # the book hides the cell; it is there for readers who run the notebook


def repository_url(config: Path | str = "_config.yml") -> str:
    """The book's repository address, from ``repository.url`` in the Jupyter Book config.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "_config.yml").write_text("repository:\\n  url: https://example.org/me/book\\n")
    >>> repository_url(folder / "_config.yml")
    'https://example.org/me/book'
    """
    import yaml

    try:
        settings = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"{config} must be the book's readable YAML config: {error}") from None
    repository = settings.get("repository") if isinstance(settings, dict) else None
    url = repository.get("url") if isinstance(repository, dict) else None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ValueError(f"repository.url in {config} must be the repository's http(s) address; got {url!r}")
    return url.rstrip("/")


# The cell as a student reads it; {url} is the only slot (str.replace: the cell's f-string has braces).
_CELL = r'''# Opened on its own (Colab, a download): install the book's package, then check the session can use it.
import importlib, sys

try:
    import backproplib
except ImportError:
    %pip install --quiet "backproplib @ git+{url}"
    importlib.invalidate_caches()  # see the package pip has just written
    try:
        import backproplib
    except ImportError:
        raise ImportError(
            "Installing the book's package from {url} failed (see pip's message above).\n"
            "Check the network and the address, then install it by hand in a cell:\n"
            '    %pip install "backproplib @ git+{url}"'
        ) from None

loaded = sys.modules.get("ipywidgets")
if loaded is not None and int(loaded.__version__.split(".")[0]) < 8:
    raise RuntimeError(
        f"This session loaded ipywidgets {loaded.__version__} before the book's package; it needs ipywidgets 8.\n"
        "Restart the runtime (Colab: Runtime → Restart session; Jupyter: Kernel → Restart Kernel), "
        "then run the notebook again."
    )'''


def install_cell_source(url: str) -> str:
    r"""The install cell's code for a repository at ``url``.

    It installs only when the import fails, imports again and stops with one clear error if that
    fails too (pip's own message and IPython's "you may need to restart" do not stop Run All).
    It also stops when ipywidgets older than 8 was imported before (Colab preloads 7): the new
    version is on disk but the session keeps the old module until the runtime restarts.

    >>> cell = install_cell_source("https://example.org/me/book")
    >>> for line in cell.splitlines():
    ...     if "example.org" in line:
    ...         print(line.strip())
    %pip install --quiet "backproplib @ git+https://example.org/me/book"
    "Installing the book's package from https://example.org/me/book failed (see pip's message above).\n"
    '    %pip install "backproplib @ git+https://example.org/me/book"'
    """
    return _CELL.replace("{url}", url)


def mark_install_cell(cell) -> None:
    """Give ``cell`` the install cell's metadata: hidden by the book, collapsed in Jupyter.

    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("x", metadata={"tags": ["keep"]})
    >>> mark_install_cell(cell)
    >>> cell.metadata["tags"], cell.metadata["jupyter"]
    (['keep', 'remove-cell'], {'source_hidden': True})
    """
    cell.metadata["tags"] = sorted(set(cell.metadata.get("tags", [])) | {INSTALL_TAG})
    cell.metadata["jupyter"] = {**cell.metadata.get("jupyter", {}), "source_hidden": True}


def _is_marked(cell) -> bool:
    hidden = cell.metadata.get("jupyter", {}).get("source_hidden") is True
    return hidden and INSTALL_TAG in cell.metadata.get("tags", [])


def toc_notebooks(root: Path | str = ".") -> list[Path]:
    """Every notebook ``_toc.yml`` lists (chapters and reference pages alike), in toc order.

    A toc entry names a file without its extension; only entries with an ``.ipynb`` file count
    (the Markdown pages run no code).
    """
    import yaml

    from .table_of_contents import read_toc, toc_files

    root = Path(root)
    try:
        toc = yaml.safe_load(read_toc(root / "_toc.yml"))
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"{root / '_toc.yml'} must be the book's readable table of contents: {error}") from None
    notebooks = []
    for entry in toc_files(toc):
        path = root / entry if entry.endswith(".ipynb") else root / f"{entry}.ipynb"
        if path.is_file() and path not in notebooks:
            notebooks.append(path)
    return notebooks


def is_install_cell(cell) -> bool:
    """True for the install cell: code that imports backproplib and has a %pip install to fall back on."""
    return cell.cell_type == "code" and "import backproplib" in cell.source and "%pip install" in cell.source


def sync_install_cells(root: Path | str = ".", check: bool = False) -> list[Path]:
    """Make the first cell of every notebook in ``_toc.yml`` the install cell for the configured URL.

    Returns the notebooks that were (or, with ``check``, would be) changed. A notebook whose first
    cell is not an install cell gets one inserted. Only that cell's source and metadata change
    (tagged ``remove-cell`` for the book, collapsed in Jupyter); other cells' outputs are kept.
    """
    import nbformat

    root = Path(root)
    source = install_cell_source(repository_url(root / "_config.yml"))
    from .editions import read_notebook

    notebooks = {path: read_notebook(path) for path in toc_notebooks(root)}  # all readable before any is written
    changed = []
    for path, nb in notebooks.items():
        first = nb.cells[0] if nb.cells else None
        is_install = first is not None and is_install_cell(first)
        if is_install and first.source == source and _is_marked(first):
            continue
        changed.append(path)
        if check:
            continue
        if is_install:
            first.source = source
        else:
            first = nbformat.v4.new_code_cell(source)
            nb.cells.insert(0, first)
        mark_install_cell(first)
        nbformat.write(nb, path)
    return changed


def book_command(argv: list[str] | None, run: Callable[..., list], *, description: str, check_help: str,
                 words: tuple[str, str], prog: str | None = None) -> int:
    """A command that brings files of the book at ``--root`` up to date (``--check``: only lists them).

    ``run(root, check=...)`` returns what it changed (or would change); ``words`` name a path done and
    one that ``--check`` finds out of date. Exit status: 0, or 1 when ``--check`` finds something,
    2 on a ValueError or OSError (printed, one line).
    """
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--root", default=".", help="the book's folder (holding _config.yml and _toc.yml)")
    parser.add_argument("--check", action="store_true", help=check_help)
    args = parser.parse_args(argv)
    try:
        changed = run(args.root, check=args.check)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in changed:
        print(f"{words[1] if args.check else words[0]}: {Path(path).as_posix()}")
    return 1 if (args.check and changed) else 0


def main(argv: list[str] | None = None) -> int:
    return book_command(
        argv, sync_install_cells, words=("updated", "differs"),
        description="Write repository.url from _config.yml into the install cell of every notebook in _toc.yml.",
        check_help="only list the notebooks that disagree; exit 1 if any",
    )


if __name__ == "__main__":
    sys.exit(main())
