"""Sphinx extension: MathJax on every page, and each page's scripts written once.

Every page shows the table of contents, and chapter titles there may hold mathematics, so
MathJax is loaded on every page, not only on pages whose own text has equations.

In this Jupyter Book 1.x stack the inline configuration scripts of sphinx-thebe and
sphinx-togglebutton reach every page twice; thebe's declares ``const THEBE_JS_URL``, so the
second copy is a ``SyntaxError`` in the browser console of every page. (Sphinx's own check for
duplicates misses them: one copy of an inline script has file name ``None``, the other ``""``.)
This drops exact duplicates (same file, same attributes, same inline body), keeping the first.

myst-nb adds the widget manager (require.js, the html-manager: 3.6 MB) and the notebook's saved
widget state to every page of a notebook that ran with widgets, whether or not the page shows a
widget. Explorers carry a widget view for a kernel and HTML for the book, and the book shows the
HTML (``nb_mime_priority_overrides``), so most pages show none. A page whose body holds no widget
view gets neither the manager nor the state: nothing on it could use them.
"""
from __future__ import annotations

import posixpath
from typing import Any


def _key(script: Any) -> tuple:
    filename = getattr(script, "filename", script) or None
    attributes = getattr(script, "attributes", {})
    return (filename, tuple(sorted((k, str(v)) for k, v in attributes.items())))


def unique_scripts(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    kept = []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _is_widget_asset(script: Any, manager_files: set[str]) -> bool:
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {})
    return attributes.get("type") == WIDGET_STATE or filename in manager_files


def drop_unused_widget_manager(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if WIDGET_VIEW in context.get("body", ""):
        return
    # Sphinx stores a relative script path under _static/ ("../_vendor/require.js" becomes
    # "_static/../_vendor/require.js"), so both spellings of each configured file are dropped.
    configured = getattr(app.config, "nb_ipywidgets_js", None) or {}
    manager_files = {name for path in configured for name in (path, posixpath.join("_static", path))}
    scripts = context.get("script_files") or []
    context["script_files"] = [s for s in scripts if not _is_widget_asset(s, manager_files)]


def setup(app: Any) -> dict:
    app.set_html_assets_policy("always")
    # Late priority: after myst-nb and the themes have added their per-page scripts.
    app.connect("html-page-context", unique_scripts, priority=900)
    app.connect("html-page-context", drop_unused_widget_manager, priority=901)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
