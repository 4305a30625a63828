"""A chapter's browser explorer read from outside: its panel JSON and its generated model under node.

The chapter's own ``browser_explorer(...)`` line is evaluated with the real function, so the tests
check the panel and the model the book page carries, at the settings the chapter's parameters cell
sets.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from backproplib import backward
from backproplib.views.explorer import BrowserExplorer, browser_explorer
from support.chapter_file import Chapter, code_cell_containing
from support.node_model import run_model

__all__ = ["chapter_browser_explorer", "controls", "off_position", "model_against_backward", "start_problems",
           "full_positions"]


def chapter_browser_explorer(chapter: Chapter, **names: object) -> BrowserExplorer:
    """The explorer the chapter's ``browser_explorer(`` line makes; ``names`` supplies any other
    name that line uses (e.g. ``output_weight``)."""
    source = code_cell_containing(chapter.notebook, "browser_explorer(")
    call = [line for line in source.splitlines() if line.startswith("browser_explorer(")]
    if len(call) != 1:
        raise ValueError(f"the chapter's explorer cell must have one browser_explorer( line; found {len(call)}")
    namespace = {"browser_explorer": browser_explorer, "example": chapter.example, "settings": chapter.settings,
                 "live_ranges": chapter.live_ranges(), "epochs": chapter.epochs, **names}
    return eval(call[0], namespace)  # noqa: S307 - the chapter's own line, read from the repository


def controls(explorer: BrowserExplorer) -> Iterator[dict]:
    """Every slider of the panel, in page order."""
    for group in explorer.view.panel["groups"]:
        yield from group["controls"]


def off_position(control: dict) -> list[str]:
    """Why ``control``'s value is not exactly a slider position, in exact decimal arithmetic ([] if it is)."""
    low, high, step, value = (Decimal(repr(control[k])) for k in ("min", "max", "step", "value"))
    problems = []
    if not low <= value <= high:
        problems.append(f"{control['name']}: {value} outside [{low}, {high}]")
    if (value - low) % step != 0 or (high - low) % step != 0:
        problems.append(f"{control['name']}: {value} is not min {low} plus whole steps of {step}")
    return problems


def model_against_backward(explorer: BrowserExplorer, network, positions: list[dict]) -> list[str]:
    """The generated model's ``evaluate`` at each of ``positions`` (full settings: every parameter and
    input by name, ``y`` a list) against :func:`backproplib.backward`; the mismatches."""
    calls = [[[p[n] for n in network.parameters], [p[n] for n in network.inputs], list(p["y"])] for p in positions]
    got = run_model(explorer.view.model_source, {"evaluate": calls})["evaluate"]
    problems = []
    for position, result in zip(positions, got):
        passes = backward(network, {n: position[n] for n in network.parameters},
                          {n: position[n] for n in network.inputs}, list(position["y"]))
        pairs = [("loss", result["loss"], float(passes.loss))]
        pairs += [(n, result["gradients"][i], float(passes.gradients[n])) for i, n in enumerate(network.parameters)]
        for what, js, py in pairs:
            if abs(js - py) > 1e-12 * abs(py) + 1e-15:
                problems.append(f"{what} at {position}: node {js!r}, backward {py!r}")
    return problems


def start_problems(chapter: Chapter, explorer: BrowserExplorer, parameter: str) -> list[str]:
    """Where the panel does not start at the chapter's settings, sweeping ``parameter``, with every
    value exactly on a slider position ([] if it does)."""
    settings, network = chapter.settings, chapter.example.network
    expected = {n: settings.value(n) for n in (*network.parameters, *network.inputs)}
    expected.update(zip(network.outputs, (float(t) for t in network.check_targets(settings.y))))
    expected.update(rate=settings.learning_rate, epochs=chapter.epochs)
    shown = {c["name"]: c for c in controls(explorer)}
    problems = [] if explorer.view.panel["sweep"]["value"] == parameter else [f"sweeps {explorer.view.panel['sweep']}"]
    if set(shown) != set(expected):
        problems.append(f"sliders {sorted(shown)}, expected {sorted(expected)}")
    for name, value in expected.items():
        if name in shown and shown[name]["value"] != value:
            problems.append(f"{name} starts at {shown[name]['value']!r}, the chapter's is {value!r}")
    return problems + [p for c in shown.values() for p in off_position(c)]


def full_positions(chapter: Chapter, positions: list[dict]) -> list[dict]:
    """``positions`` (slider overrides of the chapter's settings) as full settings for
    :func:`model_against_backward`, the chapter's own settings first."""
    network, full = chapter.example.network, []
    for position in [{}, *positions]:
        targets = {o: position[f"y_{o}"] for o in network.outputs if f"y_{o}" in position}  # several outputs
        s = chapter.settings.replace(**{n: v for n, v in position.items() if n[2:] not in targets})
        full.append({**{n: float(s.params[n]) for n in network.parameters},
                     **{n: float(s.x[n]) for n in network.inputs},
                     "y": [float(targets.get(o, t)) for o, t in zip(network.outputs, network.check_targets(s.y))]})
    return full
