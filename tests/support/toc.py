"""The notebooks the book lists, read from ``_toc.yml`` with plain YAML (not with the package's own reader).

Tests over "every notebook of the book" start here, so a notebook added anywhere in the toc is covered.
"""
from __future__ import annotations

from pathlib import Path

import yaml

__all__ = ["ROOT", "listed_files", "toc_notebooks"]

ROOT = Path(__file__).resolve().parents[2]


def listed_files(node) -> list[str]:
    """Every 'file:' (and the root) of a parsed toc, however deeply nested."""
    if isinstance(node, list):
        return [f for item in node for f in listed_files(item)]
    if not isinstance(node, dict):
        return []
    own = [node[k] for k in ("root", "file") if isinstance(node.get(k), str)]
    return own + [f for k in ("parts", "chapters", "sections") for f in listed_files(node.get(k))]


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The ``.ipynb`` files of the toc's entries (Markdown pages left out), in toc order."""
    entries = listed_files(yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8")))
    return [root / f"{entry}.ipynb" for entry in entries if (root / f"{entry}.ipynb").is_file()]
