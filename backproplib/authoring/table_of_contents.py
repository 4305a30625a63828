"""Adding a chapter to the book's ``_toc.yml`` without disturbing the rest of the file.

The file is edited as text, so its comments, order and layout stay as they are; the result is
read back with YAML to make sure it still parses and lists the chapter exactly once.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

__all__ = ["INSTRUCTOR_PART", "add_chapter", "toc_entry"]

# The part that collects chapters generated from network descriptions.
INSTRUCTOR_PART = "Chapters added by instructors"


def toc_entry(chapter: str | Path, toc: str | Path) -> str:
    """The ``file:`` value for ``chapter``: relative to the toc's folder, without the extension.

    >>> toc_entry("/book/chapters/my_net.ipynb", "/book/_toc.yml")
    'chapters/my_net'
    """
    relative = os.path.relpath(Path(chapter).resolve(), Path(toc).resolve().parent)
    if relative.startswith(".."):
        raise ValueError(f"chapter must lie inside the book's folder {str(Path(toc).resolve().parent)!r}; got {str(chapter)!r}")
    return str(Path(relative).with_suffix("")).replace(os.sep, "/")


def _entries(toc: dict) -> list[str]:
    files = []
    for part in toc.get("parts", []) or []:
        for chapter in part.get("chapters", []) or []:
            if "file" in chapter:
                files.append(chapter["file"])
    for chapter in toc.get("chapters", []) or []:
        if "file" in chapter:
            files.append(chapter["file"])
    return files


def add_chapter(text: str, entry: str, caption: str = INSTRUCTOR_PART) -> str:
    """``_toc.yml`` text with ``entry`` listed at the end of the part ``caption`` (created if absent).

    The text is returned unchanged when the entry is already listed anywhere.

    >>> toc = "format: jb-book\\nroot: intro\\nparts:\\n  - caption: Worked examples\\n    chapters:\\n      - file: chapters/a\\n"
    >>> print(add_chapter(toc, "chapters/b"), end="")
    format: jb-book
    root: intro
    parts:
      - caption: Worked examples
        chapters:
          - file: chapters/a
      - caption: Chapters added by instructors
        chapters:
          - file: chapters/b
    >>> add_chapter(add_chapter(toc, "chapters/b"), "chapters/b") == add_chapter(toc, "chapters/b")
    True
    """
    parsed = yaml.safe_load(text) or {}
    if not isinstance(parsed, dict) or "parts" not in parsed:
        raise ValueError("the table of contents must be a jb-book toc with 'parts:'; add the chapter by hand")
    if entry in _entries(parsed):
        return text
    lines = text.splitlines()
    header = re.compile(r"^(\s*)-\s*caption:\s*(.+?)\s*$")
    start = next((i for i, line in enumerate(lines) if (m := header.match(line)) and m.group(2).strip("'\"") == caption), None)
    if start is None:
        while lines and not lines[-1].strip():
            lines.pop()
        indent = next((m.group(1) for line in lines if (m := header.match(line))), "  ")
        lines += [f"{indent}- caption: {caption}", f"{indent}  chapters:", f"{indent}    - file: {entry}"]
    else:
        indent = header.match(lines[start]).group(1)
        end = start + 1
        while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > len(indent)):
            end += 1
        while not lines[end - 1].strip():
            end -= 1
        item = next((line for line in lines[start:end] if line.lstrip().startswith("- file:")), None)
        item_indent = item[: len(item) - len(item.lstrip())] if item else indent + "    "
        lines.insert(end, f"{item_indent}- file: {entry}")
    result = "\n".join(lines) + "\n"
    if _entries(yaml.safe_load(result)).count(entry) != 1:
        raise ValueError(f"could not add {entry!r} to the table of contents cleanly; add it by hand")
    return result
