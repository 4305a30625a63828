"""Adding a chapter to the book's ``_toc.yml`` without disturbing the rest of the file.

The file is edited as text, so its comments, order, layout and line endings (LF or CRLF) stay
as they are; the result is read back with YAML to make sure it still parses and lists the
chapter exactly once. Anything the text edit cannot do safely (a part whose chapters are
written inline, a toc that is not a jb-book with parts) is refused with a message saying to add
the line by hand, never guessed at.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

__all__ = ["INSTRUCTOR_PART", "add_chapter", "toc_entry", "toc_files", "read_toc", "write_toc"]

# The part that collects chapters generated from network descriptions.
INSTRUCTOR_PART = "Chapters added by instructors"
_ENTRY = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")
_HEADER = re.compile(r"^(\s*)-\s*caption:\s*(.+?)\s*$")


def read_toc(path: str | Path) -> str:
    """The toc's text with its line endings as they are in the file (no newline translation)."""
    with open(path, encoding="utf-8", newline="") as file:
        return file.read()


def write_toc(path: str | Path, text: str) -> None:
    """Write ``text`` exactly, line endings included."""
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write(text)


def toc_entry(chapter: str | Path, toc: str | Path) -> str:
    """The ``file:`` value for ``chapter``: relative to the toc's folder, without the extension.

    >>> toc_entry("/book/chapters/my_net.ipynb", "/book/_toc.yml")
    'chapters/my_net'
    """
    relative = os.path.relpath(Path(chapter).resolve(), Path(toc).resolve().parent)
    if relative.startswith(".."):
        raise ValueError(
            f"chapter must lie inside the book's folder {str(Path(toc).resolve().parent)!r}; got {str(chapter)!r}"
        )
    entry = str(Path(relative).with_suffix("")).replace(os.sep, "/")
    if not _ENTRY.fullmatch(entry):
        raise ValueError(
            (
                "chapter's path in the book must use only letters, digits, "
                f"'_', '-' and '.' in each folder and file name; got {entry!r}"
            )
        )
    return entry


def toc_files(toc: object) -> list[str]:
    """Every ``file:`` (and the ``root``) a parsed toc lists, at any depth, in order.

    >>> toc_files({"root": "intro", "parts": [{"chapters": [{"file": "a", "sections": [{"file": "b"}]}]}]})
    ['intro', 'a', 'b']
    """
    files = []
    if isinstance(toc, dict):
        for key in ("root", "file"):
            if isinstance(toc.get(key), str):
                files.append(toc[key])
        for key in ("parts", "chapters", "sections"):
            for item in toc.get(key) or []:
                files += toc_files(item)
    return files


def _parse(text: str, what: str) -> dict:
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(f"{what} is not valid YAML ({error}); fix it or add the chapter by hand") from None
    if (
        not isinstance(parsed, dict)
        or not isinstance(parsed.get("parts"), list)
        or not all(isinstance(p, dict) for p in parsed["parts"])
    ):
        raise ValueError(
            (
                "the table of contents must be a jb-book toc with 'parts:', each "
                "a mapping with caption and chapters; add the chapter by hand"
            )
        )
    return parsed


def _append_to_part(lines: list[str], start: int, entry: str) -> None:
    """Insert ``- file: entry`` as the last chapter of the part whose caption is on line ``start``."""
    indent = _HEADER.match(lines[start]).group(1)
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > len(indent)):
        end += 1
    while not lines[end - 1].strip():
        end -= 1
    part = range(start, end)
    empty = next((i for i in part if re.fullmatch(r"\s*-?\s*chapters:\s*\[\s*\]\s*(#.*)?", lines[i])), None)
    if empty is not None:  # "chapters: []" becomes a block list holding the new chapter
        lines[empty] = lines[empty].replace("[]", "", 1).rstrip()
        key_indent = len(lines[empty]) - len(lines[empty].lstrip("- "))
        lines.insert(empty + 1, " " * (key_indent + 2) + f"- file: {entry}")
        return
    item = next((line for line in lines[start:end] if line.lstrip().startswith("- file:")), None)
    if item is None:
        raise ValueError(
            (
                f"the part {lines[start].strip()!r} lists its chapters in a "
                f"form this tool cannot extend; add '- file: {entry}' by hand"
            )
        )
    lines.insert(end, item[: len(item) - len(item.lstrip())] + f"- file: {entry}")


def add_chapter(text: str, entry: str, caption: str = INSTRUCTOR_PART) -> str:
    """``_toc.yml`` text with ``entry`` listed at the end of the part ``caption`` (created if absent).

    The text is returned unchanged when the entry is already listed anywhere; CRLF stays CRLF.

    >>> toc = ("format: jb-book\\nroot: intro\\nparts:\\n  - caption: Worked examples\\n"
    ...        "    chapters:\\n      - file: chapters/a\\n")
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
    >>> add_chapter(toc.replace("\\n", "\\r\\n"), "chapters/b").count("\\r\\n")
    9
    """
    if entry in toc_files(_parse(text, "the table of contents")):
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if (m := _HEADER.match(line)) and m.group(2).strip("'\"") == caption), None
    )
    if start is None:
        while lines and not lines[-1].strip():
            lines.pop()
        indent = next((m.group(1) for line in lines if (m := _HEADER.match(line))), "  ")
        lines += [f"{indent}- caption: {caption}", f"{indent}  chapters:", f"{indent}    - file: {entry}"]
    else:
        _append_to_part(lines, start, entry)
    result = newline.join(lines) + newline
    if toc_files(_parse(result, "the edited table of contents")).count(entry) != 1:
        raise ValueError(f"could not add {entry!r} to the table of contents cleanly; add it by hand")
    return result
