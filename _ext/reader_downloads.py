"""Sphinx extension: the download button serves a notebook's reader's edition, not its MyST source.

sphinx-book-theme's ".ipynb" download links to ``_sources/<page>.ipynb``, which Sphinx copies from
the chapter itself: ``{glue:text}`` roles and raw directives in every paragraph once opened in
Jupyter. When the build finishes, this replaces each such copy with the page's reader's edition
(``<path_to_book>/<page>.ipynb``, the notebook the Binder and Colab buttons open; see
``backproplib.authoring.reader_edition``). Pages without an edition keep their source.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any


def reader_downloads(srcdir: Path, outdir: Path, edition: str) -> list[Path]:
    """Copy ``srcdir/<edition>/<page>.ipynb`` over ``outdir/_sources/<page>.ipynb`` where both exist."""
    folder, sources, copied = srcdir / edition, outdir / "_sources", []
    if not edition or not folder.is_dir() or not sources.is_dir():
        return copied
    for notebook in sorted(folder.rglob("*.ipynb")):
        served = sources / notebook.relative_to(folder)
        if served.is_file():
            shutil.copyfile(notebook, served)
            copied.append(served)
    return copied


def replace_downloads(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    edition = str(app.config.html_theme_options.get("path_to_docs", "")).strip("/")
    reader_downloads(Path(app.srcdir), Path(app.outdir), edition)


def setup(app: Any) -> dict:
    app.connect("build-finished", replace_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
