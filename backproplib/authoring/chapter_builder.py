"""Build a complete chapter notebook from a checked network description.

The chapter's cells, prose and code, live in one template, ``templates/chapter.md``: a cell per
marker line (``<!-- markdown -->``, ``<!-- code parameters -->``), with ``<<slot>>`` markers that
:func:`build_chapter` fills from the description. Only what depends on the description is
written here: the settings cell (the parameters, tagged ``parameters``), the wiring of the
layers, and the names the prose quotes. Every computed number reaches the prose through
``{glue:text}`` roles, glued by the chapter's own code cells, so re-running with other settings
keeps text, tables, figures and explorers consistent. :func:`execute_chapter` runs it so its
outputs are stored. The command line is :mod:`backproplib.authoring.new_chapter`.

Keeping the prose in a template (not in string literals beside the code) lets an author read
and edit the chapter as a document; the price is that a slot's name in the template and here
must agree, which :func:`build_chapter` checks (an unknown or unused slot is an error).

Examples
--------
>>> from pathlib import Path
>>> from backproplib.authoring.description import load_description
>>> book = Path(__file__).resolve().parents[2]
>>> chapter = build_chapter(load_description(book / "examples/three_inputs_tanh.yaml"), "three-inputs-tanh", "https://example.org/book")
>>> [cell.metadata.get("tags", []) for cell in chapter.cells[:4] if cell.cell_type == "code"]
[['remove-cell'], ['parameters']]
>>> sum("solution" in cell.metadata.get("tags", []) for cell in chapter.cells)
4
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from ..engine.network import Layer
from ..engine.symbolic import latex_symbol
from .description import NetworkDescription
from .install_cell import install_cell_source, mark_install_cell

__all__ = ["TEMPLATE", "build_chapter", "execute_chapter", "chapter_key"]

TEMPLATE = Path(__file__).resolve().parent / "templates" / "chapter.md"
_MARKER = re.compile(r"^<!-- (markdown|code)((?: [a-z-]+)*) -->$", re.MULTILINE)
_SLOT = re.compile(r"<<(\w+)>>")
# JupyterLab's own spec for its default kernel: with any other display name it marks the tab unsaved on open.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def chapter_key(path: str | Path) -> str:
    """A label-safe key from the notebook's file name, used for exercise labels.

    >>> chapter_key("chapters/My network.ipynb")
    'my-network'
    """
    stem = Path(path).stem.lower()
    key = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")
    if not key:
        raise ValueError(f"path must have a file name with letters or digits; got {str(path)!r}")
    return key


def template_cells(text: str) -> list[tuple[str, list[str], str]]:
    """The template's cells as (kind, tags, source); text before the first marker is ignored.

    >>> template_cells("<!-- note -->\\n<!-- markdown -->\\n# A\\n<!-- code solution remove-input -->\\nx = 1\\n")
    [('markdown', [], '# A'), ('code', ['solution', 'remove-input'], 'x = 1')]
    """
    markers = list(_MARKER.finditer(text))
    cells = []
    for marker, following in zip(markers, markers[1:] + [None]):
        body = text[marker.end(): following.start() if following else len(text)]
        cells.append((marker.group(1), marker.group(2).split(), body.strip("\n")))
    return cells


def fill_slots(source: str, slots: dict[str, str], used: set[str]) -> str:
    """``source`` with every ``<<name>>`` replaced by ``slots[name]``; the names filled go into ``used``.

    Values are inserted as they are (never scanned again), so a title holding ``<<x>>`` stays text.

    >>> fill_slots("a <<b>> c", {"b": "<<d>>"}, set())
    'a <<d>> c'
    """
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in slots:
            raise KeyError(f"template slot <<{name}>> has no value")
        used.add(name)
        return slots[name]
    return _SLOT.sub(value, source)


# --- the settings cell and the wiring ------------------------------------------------------------


def _parameters_cell(d: NetworkDescription) -> str:
    network = d.network()
    entries: list[tuple[str, str]] = []
    for k, layer in enumerate(network.layers):
        feeds = network.units_before(k)
        for j, neuron in enumerate(layer.neurons):
            values = ", ".join(f'"{w}": {d.params[w]!r}' for w in layer.weights[j])
            entries.append((values + ",", f"weights into {neuron} from {', '.join(feeds)}"))
        if layer.bias is not None:
            names = [layer.bias] if layer.shared_bias else list(layer.bias)
            values = ", ".join(f'"{b}": {d.params[b]!r}' for b in names)
            whose = (
                f"bias shared by {', '.join(layer.neurons)}"
                if layer.shared_bias and len(layer.neurons) > 1
                else f"bias{'es' if len(names) > 1 else ''} of {', '.join(layer.neurons)}"
            )
            entries.append((values + ",", whose))
    width = max(len(text) for text, _ in entries) + 4
    lines = ["params = {                              # every weight and bias: name -> starting value"]
    lines += [f"    {text.ljust(width)}# {comment}" for text, comment in entries]
    lines.append("}")
    inputs = "{" + ", ".join(f'"{n}": {v!r}' for n, v in d.inputs.items()) + "}"
    layer_words = ", ".join(["hidden layer"] * (len(network.layers) - 1) + ["output layer"])
    settings = [
        (f"x = {inputs}", "the inputs, in order"),
        (f"y = {d.target!r}", "the target: what the output neuron should produce"),
        (f"learning_rate = {d.learning_rate!r}", "eta, the gradient-descent step size"),
        (
            f"activations = {[layer.activation for layer in network.layers]!r}".replace("'", '"'),
            f"one per layer: {layer_words}",
        ),
        (f'loss = "{d.loss}"', "half_squared_error, mean_squared_error or binary_cross_entropy"),
        (f"epochs = {d.epochs}", "training steps in the explorers and the training run"),
        (f"digits = {d.digits}", "decimals of the numbers quoted in the text"),
        (f'explore = "{d.explore}"', "the parameter the kernel-free explorer sweeps"),
    ]
    width = max(len(text) for text, _ in settings) + 2
    lines += [f"{text.ljust(width)}# {comment}" for text, comment in settings]
    return "\n".join(lines)


def _layer_code(layer: Layer, k: int) -> str:
    rows = ",\n".join(
        f"                ({', '.join(repr(w) for w in row)},)"
        if len(row) == 1
        else f"                ({', '.join(repr(w) for w in row)})"
        for row in layer.weights
    )
    neurons = "(" + ", ".join(repr(n) for n in layer.neurons) + (",)" if len(layer.neurons) == 1 else ")")
    if layer.bias is None:
        bias = "None,  # no bias"
    elif layer.shared_bias:
        bias = repr(layer.bias) + ",  # one bias shared by every neuron of the layer"
    else:
        bias = (
            "("
            + ", ".join(repr(b) for b in layer.bias)
            + (",)" if len(layer.bias) == 1 else ")")
            + ",  # one bias per neuron"
        )
    text = f"""        Layer(
            neurons={neurons},
            activation=activations[{k}],
            weights=(  # one row per neuron: the names of its incoming weights, in the order of the units before
{rows},
            ),
            bias={bias}
        ),"""
    return text.replace("'", '"')


# --- the slots -----------------------------------------------------------------------------------


def _subscript(name: str) -> str:
    """A unit's name as a LaTeX subscript: plain when it is letters and digits, upright otherwise."""
    return name if name.isalnum() else "\\mathrm{" + name.replace("_", "\\_") + "}"


def _slots(d: NetworkDescription, key: str, repository: str) -> dict[str, str]:
    """Every slot of the template, from the description."""
    network = d.network()
    output = network.outputs[0]
    weight = network.layers[-1].weights[0][0]  # the output neuron's first weight: every path ends there
    feeding = network.units_before(len(network.layers) - 1)[0]
    return {
        "install": install_cell_source(repository),
        "title": d.title,
        "about": f"{d.about}\n\n" if d.about else "",
        "source": Path(d.source).name,
        "parameters": _parameters_cell(d),
        "layer_count": str(len(network.layers)),
        "layers": "\n".join(_layer_code(layer, k) for k, layer in enumerate(network.layers)),
        "key": key,
        "key_literal": _string(key),
        "title_literal": _string(d.title),
        "source_literal": _string(Path(d.source).name),
        "output": output,
        "output_tex": latex_symbol(output),
        "output_sub": _subscript(output),
        "first_tex": latex_symbol(network.parameters[0]),
        "weight": weight,
        "weight_tex": latex_symbol(weight),
        "feed_tex": latex_symbol(feeding if feeding in network.inputs else f"a_{feeding}"),
        "feed_key": f"value_{feeding}" if feeding in network.inputs else f"a_{feeding}",
        "explore_tex": latex_symbol(d.explore),
        "explore_literal": _string(d.explore),
    }


def build_chapter(description: NetworkDescription, key: str, repository: str) -> nbformat.NotebookNode:
    """The chapter notebook for ``description`` (not executed); ``key`` labels its exercises.

    ``repository`` is the book's repository address (``repository.url`` in ``_config.yml``), from
    which the first cell installs backproplib when the notebook is opened on its own.
    """
    if not isinstance(key, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
        raise ValueError(f"key must be lower-case letters, digits and '-'; got {key!r}")
    slots, used = _slots(description, key, repository), set()
    cells = []
    for kind, tags, source in template_cells(TEMPLATE.read_text(encoding="utf-8")):
        text = fill_slots(source, slots, used)
        cell = new_code_cell(text) if kind == "code" else new_markdown_cell(text)
        if tags:
            cell.metadata["tags"] = tags
        if text == slots["install"]:
            mark_install_cell(cell)
        cells.append(cell)
    unused = sorted(set(slots) - used)
    if unused:
        raise KeyError(f"the template uses no slot {', '.join(unused)}")
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def _string(text: str) -> str:
    """A Python string literal, double-quoted as in the rest of the generated code."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1].replace("\\'", "'") + '"'
    return literal


def execute_chapter(
    notebook: nbformat.NotebookNode, directory: str | Path, timeout: int = 600
) -> nbformat.NotebookNode:
    """Run every cell with the ``python3`` kernel in ``directory``; outputs and widget state are stored.

    Raises ``nbclient.exceptions.CellExecutionError`` naming the failing cell.
    """
    from nbclient import NotebookClient

    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(directory)}},
        store_widget_state=True,
    )
    client.execute()
    return notebook
