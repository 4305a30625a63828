"""A chapter notebook read from outside: its parameters cell, the example it sets up, what it glued.

Tests and benchmarks use these to work at exactly the settings a chapter uses, so that an
instructor who edits the parameters cell changes what they check too.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from backproplib.checking.examples import Example, load_example
from backproplib.views.explore import Settings
from backproplib.views.widgets import LossFigure, slider_range

__all__ = ["read_chapter", "parameters_cell_values", "example_from_parameters", "code_cell_containing",
           "cell_assignment", "glued_values", "Chapter", "CHAPTERS"]

CHAPTERS = Path(__file__).resolve().parents[2] / "chapters"

SETTING_NAMES = ("params", "x", "y", "learning_rate", "activations", "loss")


def read_chapter(notebook: str | Path | nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``notebook`` itself if already read, else the notebook at that path (nbformat 4)."""
    if isinstance(notebook, nbformat.NotebookNode):
        return notebook
    return nbformat.read(str(notebook), as_version=4)


def parameters_cell_values(notebook: str | Path | nbformat.NotebookNode) -> dict:
    """Run the code cell tagged ``parameters`` (plain assignments) and return the names it defines.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("y = 0.5\\nepochs = 10")])
    >>> nb.cells[0].metadata["tags"] = ["parameters"]
    >>> parameters_cell_values(nb)
    {'y': 0.5, 'epochs': 10}
    >>> parameters_cell_values(nbformat.v4.new_notebook())
    Traceback (most recent call last):
    ...
    ValueError: notebook has no code cell tagged 'parameters'
    """
    cells = [c for c in read_chapter(notebook).cells
             if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    if not cells:
        raise ValueError("notebook has no code cell tagged 'parameters'")
    namespace: dict = {}
    exec(cells[0].source, namespace)
    return {name: value for name, value in namespace.items() if not name.startswith("__")}


def example_from_parameters(values: dict) -> Example:
    """The document example named by ``values["example_key"]`` with the other settings applied.

    >>> ex = example_from_parameters({"example_key": "tiny_relu", "y": 1.0})
    >>> ex.y, ex.matches_document
    (1.0, False)
    """
    if "example_key" not in values:
        raise ValueError(f"values must name a document example under 'example_key'; got keys {sorted(values)}")
    return load_example(values["example_key"]).with_settings(
        **{name: values[name] for name in SETTING_NAMES if name in values}
    )


def code_cell_containing(notebook: str | Path | nbformat.NotebookNode, text: str) -> str:
    """The source of the first code cell whose source contains ``text``."""
    for cell in read_chapter(notebook).cells:
        if cell.cell_type == "code" and text in cell.source:
            return cell.source
    raise ValueError(f"no code cell of the notebook contains {text!r}")


def cell_assignment(notebook: str | Path | nbformat.NotebookNode, cell_text: str, name: str, namespace: dict) -> object:
    """The value ``name`` gets in the code cell containing ``cell_text``.

    Only the cell's lines that start with ``name`` run, in ``namespace`` (which supplies what
    they refer to), so a test can use a chapter's slider ranges without running its widgets.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("ranges = (-k, k)\\nshow(ranges)")])
    >>> cell_assignment(nb, "show(", "ranges", {"k": 2})
    (-2, 2)
    """
    source = code_cell_containing(notebook, cell_text)
    lines = [line for line in source.splitlines() if line.startswith(name)]
    if not lines:
        raise ValueError(f"the code cell containing {cell_text!r} assigns no {name!r}")
    namespace = dict(namespace)
    exec("\n".join(lines), namespace)
    return namespace[name]


def glued_values(notebook: str | Path | nbformat.NotebookNode) -> dict[str, str]:
    """Every value the notebook glued (myst-nb ``glue``), by name, as the text the book shows."""
    values = {}
    for cell in read_chapter(notebook).cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                values[name] = output["data"]["application/papermill.record/text/plain"].strip("'\"")
    return values


class Chapter:
    """A chapter notebook's settings as its tests use them: parameters, example, slider settings.

    >>> chapter = Chapter("tiny_network")
    >>> chapter.example.matches_document, chapter.settings.learning_rate == chapter.example.learning_rate
    (True, True)
    """

    def __init__(self, name: str) -> None:
        self.notebook = CHAPTERS / f"{name}.ipynb"
        self.parameters = parameters_cell_values(self.notebook)
        self.example = example_from_parameters(self.parameters)
        self.settings = Settings.of(self.example)
        self.epochs = self.parameters["epochs"]

    def live_ranges(self) -> dict[str, tuple[float, float]]:
        """The slider ranges of the chapter's explorer (its ``live_ranges`` lines), browser and kernel panel alike."""
        namespace = {"slider_range": slider_range, "example": self.example}
        return cell_assignment(self.notebook, "browser_explorer(", "live_ranges", namespace)  # type: ignore[return-value]

    def live_views(self, parameter: str, positions: list[dict[str, float]]):
        """The live explorer sweeping ``parameter``, shown at each of ``positions``: ``(position, view)`` pairs."""
        figure = LossFigure(self.example.network, parameter, self.live_ranges()[parameter], self.epochs)
        for position in positions:
            yield position, figure.show(self.settings.replace(**position))

    def live_ranges_cover_the_settings(self) -> bool:
        """Whether the live explorer has a slider for every parameter, input, y and a positive η range,
        each containing the chapter's value."""
        ranges, names = self.live_ranges(), [*self.example.network.parameters, *self.example.network.inputs]
        return (set(ranges) == {*names, "y", "learning_rate"} and ranges["learning_rate"][0] > 0
                and all(ranges[n][0] <= self.settings.value(n) <= ranges[n][1] for n in names))
