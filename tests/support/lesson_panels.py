"""The chapters' lesson explorers at their chapters' settings, and their numbers from numpy.

``LESSONS`` builds each panel the way its chapter cell does (the worked example's settings); the
reference functions read a lesson description and compute, with backproplib's numpy pass and
training loop (never the generated JavaScript), every quantity a panel shows.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from backproplib import backward, train
from backproplib.checking.examples import load_example
from backproplib.engine.data import Dataset, mean_loss_and_gradients
from backproplib.lessons import (
    bias_paths,
    error_sign,
    gradient_sweep,
    loss_comparison,
    many_examples,
    output_range,
    sensitivity,
)
from backproplib.views.explore import Settings
from backproplib.views.lesson_explorer import LessonExplorer

__all__ = ["LESSONS", "lesson", "quantity", "setting_of", "run_of", "networks_of", "many_examples_panel",
           "dataset_of", "dataset_final"]


def _example(key: str):
    example = load_example(key)
    return example, Settings.of(example)


def _ideas(name: str) -> LessonExplorer:
    example, settings = _example("blame_flow")
    if name == "sigmoid":
        z = float(backward(example.network, example.params, example.x, example.y).forward.z["h1"])
        return sensitivity.sigmoid_explorer(round(z, 12))
    if name == "blame":
        return sensitivity.blame_explorer(example.network, settings, "wh11")
    return error_sign.convention_explorer(example.network, settings, 200)


def _shared_bias(name: str) -> LessonExplorer:
    example, settings = _example("shared_bias")
    if name == "bias_training":
        return bias_paths.bias_training_explorer(example.network, settings, "b1", 2000)
    return bias_paths.bias_paths_explorer(example.network, settings, "b1", "w6" if name == "paths_w6" else "b1")


def _other(name: str) -> LessonExplorer:
    if name == "output_range":
        example, settings = _example("sum_target")
        return output_range.output_range_explorer(example.network, settings, 2000)
    example, settings = _example("tiny_relu")
    if name == "dead_zone":
        return gradient_sweep.dead_zone_explorer(example.network, settings, 100)
    return loss_comparison.loss_comparison_explorer(example.network, settings)


def many_examples_panel(name: str = "many_examples", batch_size: int = 4, epochs: int = 100) -> LessonExplorer:
    """The chapter's explorer as its cell makes it: 24 training pairs (seed 1), 24 held out (seed 2)."""
    network = many_examples.addition_network()
    training, held_out = (many_examples.addition_set(network, 24, seed=s) for s in (1, 2))
    return many_examples.many_examples_explorer(network, many_examples.ADDITION_START, training, held_out, 0.3,
                                                batch_size, epochs)


LESSONS: dict[str, Callable[[str], LessonExplorer]] = {
    "sigmoid": _ideas, "blame": _ideas, "conventions": _ideas, "paths_w6": _shared_bias, "paths_b1": _shared_bias,
    "bias_training": _shared_bias, "output_range": _other, "dead_zone": _other, "loss_comparison": _other,
    "many_examples": many_examples_panel,
}


def lesson(name: str) -> LessonExplorer:
    return LESSONS[name](name)


def networks_of(explorer: LessonExplorer) -> dict:
    """The panel's networks by model key, rebuilt from the lesson function's own models."""
    return {key: m.network for key, m in explorer.models.items()}


def setting_of(panel: dict, network, values: dict) -> tuple[dict, dict, list, float, int]:
    """Parameters, inputs, targets, rate and epochs from the panel's base with ``values`` (name -> value) on top."""
    base = panel["base"]
    params = {n: float(values.get(n, base["parameters"][n])) for n in network.parameters}
    x = {n: float(values.get(n, base["inputs"][n])) for n in network.inputs}
    y = [float(values.get(o, base["targets"][o])) for o in network.outputs]
    return params, x, y, float(values.get("rate", base["rate"])), int(values.get("epochs", base["epochs"]))


def quantity(passes, params: dict, name: str) -> float:
    """One named quantity of a numpy backward pass."""
    if name == "loss":
        return float(passes.loss)
    kind, _, which = name.partition(":")
    table = {"gradient": passes.gradients, "value": params, "z": passes.forward.z, "a": passes.forward.a,
             "delta": passes.delta, "slope": passes.da_dz}
    return float(table[kind][which])


def run_of(network, params: dict, x: dict, y: list, rate: float, epochs: int, sign: int, names: list[str]) -> dict:
    """backproplib's train from the setting (ascent for sign −1), each named quantity per epoch."""
    kept: dict[str, list[float]] = {n: [] for n in names}

    def record(epoch, values, passes):
        for n in names:
            kept[n].append(quantity(passes, values, n))

    def ascent(values, gradients, learning_rate, frozen):
        return {p: v + learning_rate * gradients[p] for p, v in values.items()}

    run = train(network, params, x, y, rate, epochs, record=record, step_rule=None if sign == 1 else ascent, fast=False)
    return {**{n: np.array(v) for n, v in kept.items()}, "losses": run.losses, "diverged_at": run.diverged_at}


def dataset_of(network, rows: dict) -> Dataset:
    """A description's dataset rows (``{"X": [...], "Y": [...]}``) as a Dataset."""
    return Dataset.of(network, np.array(rows["X"], dtype=float), np.array(rows["Y"], dtype=float)[:, 0])


def dataset_final(network, panel: dict, params: dict, rate: float, epochs: int, size: int, on: str):
    """numpy's dataset run (train at batch ``size``, the panel's seed) and its mean loss over ``on``
    at the final θ (inf or nan where a diverged θ overflows on new examples, as in the page)."""
    data = panel["dataset"]
    training = dataset_of(network, data)
    batch = None if size >= len(training) else size
    run = train(network, params, training.x, training.y, rate, epochs, batch_size=batch, seed=data["seed"])
    scored = training if on == "training" else dataset_of(network, data["held_out"])
    with np.errstate(all="ignore"):
        return run, float(mean_loss_and_gradients(network, run.params, scored)[0])
