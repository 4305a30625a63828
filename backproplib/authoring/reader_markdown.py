"""MyST Markdown to the Markdown every notebook front end reads (JupyterLab, Colab, GitHub).

The book's prose uses MyST: ``{glue:text}`` roles for computed numbers, ``{exercise}`` and
``{solution}`` directives, admonitions, ``{ref}``/``{doc}`` cross-references. Outside the book
build these show as raw text. This module rewrites one Markdown cell into plain Markdown:

- glue roles and directives become the glued values (text, Markdown, LaTeX or a PNG attachment);
- ``{exercise}`` becomes a numbered heading, ``{solution}`` a ``<details>`` block, admonitions a
  blockquote with a bold title (``:class: dropdown`` ones a ``<details>`` block); the gated form
  (``{solution-start}`` … cells … ``{solution-end}``) cannot fold cells, so it becomes a bold
  "Solution" line and the end marker disappears;
- ``{math}`` becomes ``$$ … $$``; ``$$`` blocks and inline ``$…$`` stay as they are;
- cross-reference roles become their text (or a link when they name a notebook of the edition);
- a directive this module does not know becomes its content, its argument in bold: never raw text.

Trade-off: directives are found line by line with CommonMark's fence rule (a fence closes on the
same character repeated at least as often), not with a full Markdown parser. That is exactly how
MyST nests directives, and it keeps ordinary code fences (opaque, left alone) apart from
directives, at the cost of not seeing a directive written inside a list item's indentation.
"""
from __future__ import annotations

import ast
import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

__all__ = ["Directive", "Context", "blocks", "convert", "leftover_myst", "glued_outputs"]

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<rest>.*)$")
_DIRECTIVE = re.compile(r"^\s*\{(?P<name>[A-Za-z][\w:+.-]*)\}\s*(?P<argument>.*?)\s*$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")
_ROLE = re.compile(r"\{(?P<name>[A-Za-z][\w:+.-]*)\}`(?P<content>[^`]*)`")
_TARGET = re.compile(r"^\(([\w:.-]+)\)=\s*$")
_EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
_LINK = re.compile(r"(?P<label>!?\[[^\]]*\])\((?P<target>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")

ADMONITIONS = {
    "note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important", "warning": "Warning",
    "caution": "Caution", "attention": "Attention", "danger": "Danger", "error": "Error", "seealso": "See also",
}
DROPPED = {"toctree", "tableofcontents", "only"}  # navigation and build switches: nothing to read
CODE = {"code", "code-block", "sourcecode", "code-cell"}
GATE_ENDS = {"exercise-end", "solution-end"}  # sphinx-exercise's gated form: the cells between belong to it


@dataclass
class Directive:
    """One MyST directive: ``{name} argument``, its ``:key: value`` options and its body text."""

    name: str
    argument: str
    options: dict[str, str]
    body: str


@dataclass
class Context:
    """What converting one notebook's Markdown needs to know beyond the cell itself.

    ``glued`` maps each glued name to its MIME bundle (see :func:`glued_outputs`); ``labels`` maps a
    label to the words a reference to it should show; ``link`` turns a path written in the chapter
    into a link target for the edition (or None when there is nothing to link to); ``title`` gives a
    document's title for a ``{doc}`` reference without text.
    """

    glued: dict[str, dict]
    labels: dict[str, str] = field(default_factory=dict)
    link: Callable[[str], str | None] = lambda target: None
    title: Callable[[str], str] = lambda target: target
    exercises: int = 0
    heading_level: int = 1
    attachments: dict[str, dict] = field(default_factory=dict)


def glued_outputs(cells: list) -> dict[str, dict]:
    """Every value myst-nb's ``glue`` recorded in ``cells``: name -> MIME bundle (prefix removed).

    >>> out = {"output_type": "display_data", "metadata": {"scrapbook": {"name": "loss",
    ...        "mime_prefix": "application/papermill.record/"}},
    ...        "data": {"application/papermill.record/text/plain": "'0.25'"}}
    >>> glued_outputs([{"cell_type": "code", "outputs": [out]}])
    {'loss': {'text/plain': "'0.25'"}}
    """
    glued = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            scrap = output.get("metadata", {}).get("scrapbook", {})
            if scrap.get("name"):
                prefix = scrap.get("mime_prefix", "application/papermill.record/")
                glued[scrap["name"]] = {key.removeprefix(prefix): value for key, value in output["data"].items()}
    return glued


def blocks(text: str) -> Iterator[str | Directive | tuple[str, str]]:
    """``text`` split into plain text (str), directives and code fences (``("code", text)``), in order.

    >>> [type(b).__name__ for b in blocks("a\\n```{note}\\nb\\n```\\n```python\\nc\\n```\\nd")]
    ['str', 'Directive', 'tuple', 'str']
    """
    lines = text.split("\n")
    plain: list[str] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            plain.append(lines[i])
            i += 1
            continue
        fence, indent = opening.group("fence"), len(opening.group("indent"))
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j])), len(lines))
        if plain:
            yield "\n".join(plain)
            plain = []
        inner = [line[indent:] if line[:indent].isspace() else line.lstrip() for line in lines[i + 1:end]]
        named = _DIRECTIVE.match(opening.group("rest"))
        if named:
            yield _directive(named.group("name"), named.group("argument"), inner)
        else:
            yield ("code", "\n".join(lines[i:min(end + 1, len(lines))]))
        i = end + 1
    if plain:
        yield "\n".join(plain)


def _directive(name: str, argument: str, lines: list[str]) -> Directive:
    """Options (``:key: value`` lines or a ``---`` YAML block) split from the body."""
    options: dict[str, str] = {}
    if lines and lines[0].strip() == "---" and "---" in (line.strip() for line in lines[1:]):
        end = next(j for j in range(1, len(lines)) if lines[j].strip() == "---")
        import yaml

        loaded = yaml.safe_load("\n".join(lines[1:end])) or {}
        options = {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
        lines = lines[end + 1:]
    else:
        while lines and _OPTION.match(lines[0]):
            option = _OPTION.match(lines[0])
            options[option.group("key")] = option.group("value")
            lines = lines[1:]
    return Directive(name, argument, options, "\n".join(lines).strip("\n"))


def convert(text: str, context: Context) -> str:
    """``text`` (MyST) as plain Markdown; see the module docstring for what becomes what.

    >>> context = Context(glued={"x": {"text/plain": "'1.5'"}})
    >>> print(convert("With $x =$ {glue:text}`x`.\\n\\n```{note}\\nRun the cells.\\n```", context))
    With $x =$ 1.5.
    <BLANKLINE>
    > **Note**
    >
    > Run the cells.
    """
    parts = []
    for block in blocks(text):
        if isinstance(block, Directive):
            parts.append(_render(block, context))
        elif isinstance(block, tuple):
            parts.append(block[1])
        else:
            parts.append(_plain(block, context))
    return "\n".join(parts)


def _plain(text: str, context: Context) -> str:
    """Text outside any fence: MyST targets and comments dropped, roles and links rewritten."""
    kept = []
    for line in text.split("\n"):
        if _TARGET.match(line) or line.startswith("%") or line.strip() == "+++":
            continue
        heading = re.match(r"^(#{1,6})\s", line)
        if heading:
            context.heading_level = len(heading.group(1))
        kept.append(re.sub(r"\$\$\s*\([\w:.-]+\)\s*$", "$$", line))  # $$ … $$ (label): the label is the book's
    text = _ROLE.sub(lambda m: _role(m.group("name"), m.group("content"), context), "\n".join(kept))
    return _LINK.sub(lambda m: _relinked(m, context), text)


def _relinked(match: re.Match, context: Context) -> str:
    target = match.group("target")
    if re.match(r"^[a-z][\w+.-]*:", target, re.I) or target.startswith(("#", "/")):
        return match.group(0)
    new = context.link(target)
    return match.group(0) if new is None else f"{match.group('label')}({new}{match.group('title') or ''})"


def _split_explicit(content: str) -> tuple[str, str]:
    """``text <target>`` -> (text, target); a bare ``target`` -> ("", target)."""
    explicit = _EXPLICIT.match(content)
    return (explicit.group("text"), explicit.group("target")) if explicit else ("", content.strip())


def _role(name: str, content: str, context: Context) -> str:
    """One inline role as plain Markdown."""
    if name == "glue" or name.startswith("glue:"):
        return _glue_inline(name.partition(":")[2] or "any", content, context)
    if name == "math":
        return f"${content}$"
    if name in ("sub", "sup", "kbd"):
        return f"<{name}>{content}</{name}>"
    text, target = _split_explicit(content)
    if name == "doc":
        link = context.link(target)
        text = text or context.title(target)
        return f"[{text}]({link})" if link else text
    if name in ("ref", "numref", "eq", "prf:ref"):
        text = text or context.labels.get(target.removeprefix("#"), target.replace("-", " ").replace("_", " "))
        return f"({text})" if name == "eq" and not _EXPLICIT.match(content) else text
    if name == "abbr":
        return re.sub(r"\s*\([^)]*\)\s*$", "", content)
    if name == "cite":
        return f"[{content}]"
    return text or target  # term, download, any other role: its words


def _glued(name: str, context: Context) -> dict:
    key = name.split("::")[-1].strip()  # notebook::name refers to another notebook's glue
    if key not in context.glued:
        known = ", ".join(sorted(context.glued)) or "none"
        raise ValueError(f"glue name {key!r} has no stored value in this notebook (glued: {known}); "
                         "execute the chapter so its outputs hold every glued value")
    return context.glued[key]


def _plain_value(data: dict) -> str:
    """The text/plain repr of a glued value, a string's quotes removed."""
    text = data.get("text/plain", "")
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else text


def _glue_inline(kind: str, content: str, context: Context) -> str:
    name, _, spec = content.partition(":")
    if "::" in content:
        name, spec = content, ""
    data = _glued(name, context)
    if kind == "text" or (kind == "any" and not ({"image/png", "text/markdown", "text/latex"} & set(data))):
        value = _plain_value(data)
        return format(float(value), spec) if spec else value
    if kind == "md" or "text/markdown" in data:
        return data.get("text/markdown", _plain_value(data)).strip()
    if kind == "math" or "text/latex" in data:
        return data.get("text/latex", _plain_value(data)).strip()
    return _attached_image(name, data, context)


def _attached_image(name: str, data: dict, context: Context) -> str:
    """A glued PNG as a cell attachment, referenced from the Markdown."""
    if "image/png" not in data:
        raise ValueError(f"glue name {name!r} holds no image; it has {sorted(data)}")
    png = data["image/png"]
    png = png if isinstance(png, str) else base64.b64encode(png).decode("ascii")
    file = re.sub(r"[^\w.-]", "_", name) + ".png"
    context.attachments[file] = {"image/png": png.replace("\n", "")}
    return f"![{name}](attachment:{file})"


def _quote(title: str, body: str) -> str:
    lines = [f"**{title}**", "", *body.split("\n")]
    return "\n".join(f"> {line}".rstrip() for line in lines)


def _details(summary: str, body: str) -> str:
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"


def _fenced(body: str, language: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{body}\n{fence}"


def _render(d: Directive, context: Context) -> str:
    """One directive as plain Markdown (its body converted too)."""
    if d.name in GATE_ENDS:
        return ""
    if d.name == "solution-start":  # a gated solution spans cells: it cannot fold, so it is announced
        return f"**Solution**\n\n{convert(d.body, context)}".rstrip()
    if d.name in ("exercise", "exercise-start"):
        context.exercises += 1
        title = f"Exercise {context.exercises}" + (f": {d.argument}" if d.argument else "")
        level = "#" * min(6, context.heading_level + 1)
        return f"{level} {title}\n\n{convert(d.body, context)}"
    if d.name == "solution":
        return _details("Solution", convert(d.body, context))
    if d.name == "math":
        return f"$$\n{d.body}\n$$"
    if d.name in CODE:
        return _fenced(d.body, d.argument.split()[0] if d.argument else "")
    if d.name in DROPPED:
        return ""
    if d.name == "raw":
        return d.body if "html" in d.argument.lower() or "markdown" in d.argument.lower() else ""
    if d.name in ("figure", "image"):
        return _figure(d, context)
    if d.name == "glue" or d.name.startswith("glue:"):
        return _glue_block(d, context)
    return _container(d, context)


def _container(d: Directive, context: Context) -> str:
    """Admonitions, dropdowns and any other directive that holds prose."""
    if d.name in ADMONITIONS or d.name == "admonition":
        title = d.argument if d.name == "admonition" else ADMONITIONS[d.name]
        body = d.body if d.name == "admonition" or not d.argument else f"{d.argument}\n{d.body}"
        inner = convert(body, context)
        dropdown = "dropdown" in d.options.get("class", "").split()
        return _details(f"<b>{title}</b>", inner) if dropdown else _quote(convert(title, context), inner)
    if d.name == "dropdown":
        return _details(convert(d.argument, context) or "Details", convert(d.body, context))
    body = convert(d.body, context)
    return f"**{convert(d.argument, context)}**\n\n{body}" if d.argument else body


def _figure(d: Directive, context: Context) -> str:
    target = context.link(d.argument) or d.argument
    caption = convert(d.body, context).strip()
    alt = d.options.get("alt", caption.split("\n")[0] if caption else Path(d.argument).stem)
    image = f"![{alt}]({target})"
    return f"{image}\n\n*{caption}*" if caption else image


def _glue_block(d: Directive, context: Context) -> str:
    kind = d.name.partition(":")[2] or "any"
    data = _glued(d.argument, context)
    if kind == "math":
        return f"$$\n{data.get('text/latex', _plain_value(data)).strip().strip('$')}\n$$"
    if kind == "figure" or (kind == "any" and "image/png" in data):
        image = _attached_image(d.argument, data, context)
        caption = convert(d.body, context).strip()
        return f"{image}\n\n*{caption}*" if caption else image
    return _glue_inline(kind, d.argument, context)


_LEFTOVER = re.compile(r"\{glue|^\s*(`{3,}|~{3,}|:{3,})\s*\{[\w:+.-]+\}|\{[A-Za-z][\w:+.-]*\}`", re.M)


def leftover_myst(text: str) -> list[str]:
    """Every piece of MyST syntax left in ``text`` (glue, directive openings, roles), as found.

    >>> leftover_myst("x = {glue:text}`x`\\n```{note}\\nhi\\n```")
    ['{glue', '```{note}']
    >>> leftover_myst("$$\\nL\\n$$ and `code` and {a, b}")
    []
    """
    return [match.group(0).strip() for match in _LEFTOVER.finditer(text)]
