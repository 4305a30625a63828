"""The reader's edition (reader/): what the launch buttons open reads as the book does, and is up to date.

The committed edition is compared with one regenerated from the stored chapters, so a chapter
changed without `python -m backproplib.authoring.reader_edition` fails here. The properties of the
launch targets are checked with this file's own patterns, not the converter's, and the glued
values are read from the chapters by tests/support (``glued_values``), not by the converter.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

from backproplib.authoring.reader_edition import reader_notebook, write_reader_edition
from backproplib.authoring.reader_markdown import Context, convert
from support.chapter_file import glued_values
from support.toc import ROOT, toc_notebooks

RAW_MYST = re.compile(r"\{glue|^\s*(`{3,}|~{3,}|:{3,})\s*\{|\{[a-z][\w:+.-]*\}`|^\([\w:.-]+\)=\s*$", re.M)
GLUE_ROLE = re.compile(r"\{glue:text\}`([^`:]+)`")
BOOK_NOTEBOOKS = toc_notebooks()


def launch_target(source: Path) -> Path:
    """Where the Binder and Colab buttons of a page land: <path_to_book>/<page path> (sphinx-book-theme's rule)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return ROOT / config["repository"]["path_to_book"] / source.relative_to(ROOT)


def tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def test_the_committed_edition_is_what_the_chapters_give_now():
    stale = write_reader_edition(ROOT, check=True)
    assert stale == [], (f"reader/ is out of date for {[p.as_posix() for p in stale]}: run "
                         "`.venv/bin/python -m backproplib.authoring.reader_edition` and commit reader/")


@pytest.mark.parametrize("source", BOOK_NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_launch_target_holds_no_myst_and_the_glued_numbers(source: Path):
    reader = nbformat.read(launch_target(source), as_version=4)
    prose = [cell.source for cell in reader.cells if cell.cell_type == "markdown"]
    # Markdown a code cell displays (notes on the document, admonitions) is prose too.
    prose += [str(o["data"]["text/markdown"]) for cell in reader.cells for o in cell.get("outputs", [])
              if "text/markdown" in o.get("data", {})]
    assert [m.group(0) for text in prose for m in RAW_MYST.finditer(text)] == []
    values, by_id = glued_values(source), {cell.id: cell for cell in reader.cells}
    for cell in nbformat.read(source, as_version=4).cells:
        if cell.cell_type == "markdown" and "remove-cell" not in tags(cell):
            for name in GLUE_ROLE.findall(cell.source):
                assert values[name] in by_id[cell.id].source, (cell.id, name, values[name])


@pytest.mark.parametrize("source", BOOK_NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_exercises_are_headings_and_solutions_are_folded(source: Path):
    chapter = "\n".join(c.source for c in nbformat.read(source, as_version=4).cells if c.cell_type == "markdown")
    reader = "\n".join(c.source for c in nbformat.read(launch_target(source), as_version=4).cells
                       if c.cell_type == "markdown")
    exercises = len(re.findall(r"^(`{3,}|:{3,})\{exercise(-start)?\}", chapter, re.M))
    solutions = len(re.findall(r"^(`{3,}|:{3,})\{solution\}", chapter, re.M))
    assert re.findall(r"^#{2,6} Exercise (\d+)", reader, re.M) == [str(n) for n in range(1, exercises + 1)]
    assert reader.count("<details><summary>Solution</summary>") == solutions
    assert reader.count("<details>") == reader.count("</details>")


@pytest.mark.parametrize("source", BOOK_NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_code_cells_follow_the_books_tags_and_keep_their_outputs(source: Path):
    chapter = nbformat.read(source, as_version=4)
    reader = {cell.id: cell for cell in nbformat.read(launch_target(source), as_version=4).cells}
    first_code = next(cell for cell in reader.values() if cell.cell_type == "code")
    assert "%pip install" in first_code.source and first_code.metadata["jupyter"]["source_hidden"] is True
    for cell in chapter.cells:
        if cell.cell_type != "code" or cell.id == first_code.id:
            continue
        assert ("remove-cell" in tags(cell)) == (cell.id not in reader), cell.id
        if cell.id not in reader:
            continue
        mine = reader[cell.id]
        assert mine.source == cell.source
        hidden = mine.metadata.get("jupyter", {}).get("source_hidden", False)
        assert hidden == bool(tags(cell) & {"remove-input", "hide-input", "hide-cell"}), cell.id
        kept = [o for o in cell.outputs if "scrapbook" not in o.get("metadata", {})]
        assert len(mine.outputs) == len(kept), cell.id
        for theirs, ours in zip(kept, mine.outputs):
            expected = set(theirs.get("data", {}))
            if "data-backprop-explorer" in theirs.get("data", {}).get("text/html", "") and "image/png" in expected:
                expected.discard("text/html")  # the browser explorer runs only in the book's pages
            assert set(ours.get("data", {})) == expected, cell.id


def test_the_edition_holds_exactly_the_books_notebooks():
    written = sorted((ROOT / "reader").rglob("*.ipynb"))
    assert written == sorted(launch_target(source) for source in BOOK_NOTEBOOKS)


def context(**glued: dict) -> Context:
    return Context(glued=glued, labels={"sec-a": "The settings"}, link=lambda t: None, title=lambda t: "Adapting")


def test_admonitions_become_blockquotes_and_dropdowns_details():
    text = ":::{warning}\nMind the sign.\n:::\n\n```{admonition} Why $\\delta$?\n:class: dropdown\nBecause.\n```"
    assert convert(text, context()) == (
        "> **Warning**\n>\n> Mind the sign.\n\n"
        "<details><summary><b>Why $\\delta$?</b></summary>\n\nBecause.\n\n</details>"
    )


def test_nested_directives_math_and_code_fences():
    text = ("````{exercise}\n:label: ex-1\nFind $w$.\n```{hint}\nUse the chain rule.\n```\n````\n"
            "```{math}\n:label: eq-1\nL = \\tfrac12 e^2\n```\n```python\nx = {'a': 1}  # {glue:text}`kept`\n```")
    assert convert(text, context()) == (
        "## Exercise 1\n\nFind $w$.\n> **Hint**\n>\n> Use the chain rule.\n$$\nL = \\tfrac12 e^2\n$$\n"
        "```python\nx = {'a': 1}  # {glue:text}`kept`\n```"
    )


def test_roles_become_words_and_targets_disappear():
    text = "(sec-a)=\n# Title\nSee {ref}`sec-a`, {ref}`the page <sec-b>`, {doc}`../reference/adapting` and {math}`x^2`."
    assert convert(text, context()) == "# Title\nSee The settings, the page, Adapting and $x^2$."


def test_glue_roles_and_directives_use_the_stored_bundles():
    ctx = context(a={"text/plain": "'0.25'"}, b={"text/plain": "0.123456"}, md={"text/markdown": "**bold**"},
                  fig={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}, eq={"text/latex": "$a^2$"})
    text = "{glue:text}`a`, {glue:text}`b:.2f`, {glue:md}`md`, {glue}`a`\n```{glue:figure} fig\nThe loss.\n```"
    out = convert(text, ctx)
    assert out == "0.25, 0.12, **bold**, 0.25\n![fig](attachment:fig.png)\n\n*The loss.*"
    assert ctx.attachments == {"fig.png": {"image/png": "iVBORw0KGgo="}}
    assert convert("```{glue:math} eq\n```", ctx) == "$$\na^2\n$$"


def test_a_missing_glued_value_is_an_error_naming_it():
    with pytest.raises(ValueError, match="glue name 'nowhere' has no stored value"):
        convert("{glue:text}`nowhere`", context(a={"text/plain": "1"}))


def test_a_gated_solution_is_announced_and_its_end_marker_goes():
    text = "```{exercise-start}\n:label: e\n```\nCompute.\n```{exercise-end}\n```\n```{solution-start} e\n```"
    assert convert(text, context()) == "## Exercise 1\n\n\nCompute.\n\n**Solution**"
    assert convert("```{solution-end}\n```", context()) == ""


def test_an_unknown_directive_keeps_its_words_and_loses_its_syntax():
    assert convert("```{margin} Aside\nA *side* note.\n```", context()) == "**Aside**\n\nA *side* note."


def test_a_notebook_with_every_tag(tmp_path):
    glue = nbformat.v4.new_output("display_data", data={"application/papermill.record/text/plain": "'3'"},
                                  metadata={"scrapbook": {"name": "n", "mime_prefix": "application/papermill.record/"}})
    explorer = nbformat.v4.new_output("execute_result", execution_count=2, data={
        "text/html": "<div data-backprop-explorer></div>", "image/png": "iVBORw0KGgo=", "text/plain": "panel"})
    cells = [
        nbformat.v4.new_code_cell("import backproplib\n%pip install x", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_markdown_cell("# T\nn = {glue:text}`n`"),
        nbformat.v4.new_code_cell("glue('n', 3)", outputs=[glue], metadata={"tags": ["remove-input"]}),
        nbformat.v4.new_code_cell("secret = 1", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_markdown_cell("hidden prose", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_code_cell("panel", outputs=[explorer]),
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "c.ipynb")
    reader = reader_notebook(tmp_path / "c.ipynb", tmp_path)
    assert [c.source[:8] for c in reader.cells] == ["import b", "# T\nn = ", "*The rea", "glue('n'", "panel"]
    assert reader.cells[1].source == "# T\nn = 3"
    assert reader.cells[3].metadata["jupyter"] == {"source_hidden": True} and reader.cells[3].outputs == []
    assert set(reader.cells[4].outputs[0]["data"]) == {"image/png", "text/plain"}
