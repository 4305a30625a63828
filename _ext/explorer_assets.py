"""Sphinx extension: the browser explorer's scripts and styles, on the pages that hold an explorer.

``backproplib/views/explorer/`` (explorer.js, lesson.js for the chapters' lesson panels,
explorer.css) is copied to the site's ``_static/``; uPlot comes from ``_vendor/uplot/`` (made by
``make vendor``, copied by ``html_extra_path``).
A page gets them only when its body holds an explorer's container (the ``MARKER`` attribute
written by ``backproplib.views.explorer``): the other pages stay 60 KB lighter. Scripts are
deferred; explorers queue themselves on ``window.backpropExplorers`` until explorer.js runs.
"""
from __future__ import annotations

from typing import Any

from backproplib.views.explorer import ASSET_DIR, BOOK_SCRIPTS, BOOK_STYLES, MARKER


def _static_relative(path: str) -> str:
    """Sphinx puts relative asset paths under ``_static/``: name the site-root path from there."""
    return path.removeprefix("_static/") if path.startswith("_static/") else "../" + path


def add_static_folder(app: Any) -> None:
    if str(ASSET_DIR) not in app.config.html_static_path:
        app.config.html_static_path.append(str(ASSET_DIR))


def add_page_assets(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if MARKER not in context.get("body", ""):
        return
    for path in BOOK_STYLES:
        app.add_css_file(_static_relative(path))
    for path in BOOK_SCRIPTS:
        app.add_js_file(_static_relative(path), defer="defer")


def setup(app: Any) -> dict:
    app.connect("builder-inited", add_static_folder)
    app.connect("html-page-context", add_page_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
