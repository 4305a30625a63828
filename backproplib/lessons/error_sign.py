"""Which way to step: the sign of "error" and the sign of the update must agree.

For half squared error ``L = ½(y − ŷ)²`` the chain rule starts with ``∂L/∂ŷ = ŷ − y``. Texts
that define the error as ``e = y − ŷ`` (target minus prediction) get every product of the
chain with the opposite sign, ``−∂L/∂θ``. Both conventions work, but each has its own update:

* ``"descent"``: error ``ŷ − y``, product ``g = ∂L/∂θ``, step ``θ − η·g`` (this book);
* ``"target_first_add"``: error ``y − ŷ``, product ``g = −∂L/∂θ``, step ``θ + η·g`` (the same step);
* ``"target_first_subtract"``: error ``y − ŷ`` with the step ``θ − η·g``: this climbs the loss.

:func:`step_in` makes one step in a convention, :func:`train_in` many; :class:`ConventionFigure`
draws the training runs of all three.

Used by the chapter 'The ideas: weights, sensitivity and the flow of blame' (chapters/ideas.ipynb).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine.network import Network
from ..engine.numeric import BackwardPass, backward
from ..engine.training import check_epochs, check_learning_rate, train
from ..views import lesson_explorer as lx
from ..views.document_notes import admonition
from ..views.explore import Settings
from ..views.figure import FigureView, checked_epochs
from ..views.notebook import number
from ..views.palette import BLUE, GREEN, VERMILLION

__all__ = [
    "CONVENTIONS", "LEARNING_RATES", "ConventionStep", "step_in", "ConventionRun", "train_in", "ConventionFigure",
    "convention_explorer", "error_sign_clause", "update_directions", "convention_table", "document_findings",
]

# Each convention: (how the error is written, the sign the product gets, the sign of the step).
CONVENTIONS: dict[str, tuple[str, int, int]] = {
    "descent": ("ŷ − y", +1, -1),
    "target_first_add": ("y − ŷ", -1, +1),
    "target_first_subtract": ("y − ŷ", -1, -1),
}
# Learning rates of the kernel-free explorer: no positive rate rescues the wrong sign.
LEARNING_RATES: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)

# Colour and line style per convention, so colour is never the only cue.
_STYLE = {
    "descent": (BLUE, "-"),
    "target_first_add": (GREEN, (0, (2, 2))),
    "target_first_subtract": (VERMILLION, (0, (6, 2))),
}
_LABEL = {
    "descent": "error ŷ − y, θ − η·g (book)",
    "target_first_add": "error y − ŷ, θ + η·g",
    "target_first_subtract": "error y − ŷ, θ − η·g (document)",
}


def _checked(network: Network, convention: str, learning_rate: float) -> None:
    if convention not in CONVENTIONS:
        allowed = ", ".join(repr(c) for c in CONVENTIONS)
        raise ValueError(f"convention must be one of {allowed}; got {convention!r}")
    if network.loss != "half_squared_error" or len(network.outputs) != 1:
        raise ValueError("network must have one output and loss 'half_squared_error', the loss whose ∂L/∂ŷ is ŷ − y; "
                         f"got {network.loss!r}")
    check_learning_rate(learning_rate)


@dataclass(frozen=True)
class ConventionStep:
    """One update in one convention.

    ``error`` is the first factor as the convention writes it; ``products[p]`` the chain-rule
    product the convention computes for ``p`` (``±∂L/∂p``); ``new_params`` the parameters after
    the step; ``loss_before`` and ``loss_after`` the loss on either side of it.
    """

    convention: str
    error: float
    products: dict[str, float]
    new_params: dict[str, float]
    loss_before: float
    loss_after: float


def step_in(network: Network, settings: Settings, convention: str) -> ConventionStep:
    """One update of every parameter, with the error and the step signed as ``convention`` says.

    Examples
    --------
    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("blame_flow")
    >>> s = Settings.of(ex)
    >>> book, document = step_in(ex.network, s, "descent"), step_in(ex.network, s, "target_first_subtract")
    >>> round(book.error, 4), round(document.error, 4)
    (-0.2645, 0.2645)
    >>> round(book.products["wo1"], 4), round(document.products["wo1"], 4)
    (-0.0308, 0.0308)
    >>> round(book.new_params["wo1"], 4), round(document.new_params["wo1"], 4)
    (1.5154, 1.4846)
    >>> book.loss_after < book.loss_before < document.loss_after
    True
    >>> step_in(ex.network, s, "ascent")
    Traceback (most recent call last):
    ...
    ValueError: convention must be one of 'descent', 'target_first_add', 'target_first_subtract'; got 'ascent'
    """
    _checked(network, convention, settings.learning_rate)
    _, product_sign, step_sign = CONVENTIONS[convention]
    here = backward(network, settings.params, settings.x, settings.y)
    output = network.outputs[0]
    error = product_sign * float(here.dL_dyhat[output])
    products = {p: product_sign * float(g) for p, g in here.gradients.items()}
    new = {p: float(settings.params[p]) + step_sign * settings.learning_rate * products[p] for p in network.parameters}
    after = backward(network, new, settings.x, settings.y, keep_intermediates=False)
    return ConventionStep(convention, error, products, new, float(here.loss), float(after.loss))


@dataclass(frozen=True)
class ConventionRun:
    """Loss and prediction before each step (``epochs + 1`` entries unless the run was stopped)."""

    convention: str
    losses: np.ndarray
    predictions: np.ndarray
    stopped: bool


def train_in(network: Network, settings: Settings, convention: str, epochs: int) -> ConventionRun:
    """Repeat :func:`step_in`'s update ``epochs`` times with :func:`backproplib.engine.training.train`.

    The run stops early (``stopped``) when it diverges: a parameter or the loss passes
    ``DIVERGENCE_LIMIT``.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("blame_flow")
    >>> s = Settings.of(ex)
    >>> runs = {c: train_in(ex.network, s, c, 50) for c in CONVENTIONS}
    >>> [round(float(runs[c].losses[-1]), 4) for c in CONVENTIONS]
    [0.0053, 0.0053, 0.4563]
    """
    _checked(network, convention, settings.learning_rate)
    check_epochs(epochs, minimum=1)
    _, product_sign, step_sign = CONVENTIONS[convention]
    output = network.outputs[0]
    predictions: list[float] = []

    def step(params: dict[str, float], gradients: dict[str, float], rate: float, frozen: frozenset) -> dict[str, float]:
        """θ + (step sign)·η·(product), the product being (product sign)·∂L/∂θ: step_in's rule."""
        return {p: v + step_sign * rate * product_sign * gradients[p] for p, v in params.items()}

    def record(epoch: int, params: dict[str, float], passes: BackwardPass) -> None:
        predictions.append(float(passes.forward.a[output]))

    run = train(
        network, settings.params, settings.x, settings.y, settings.learning_rate, epochs, record=record, step_rule=step
    )
    return ConventionRun(convention, run.losses, np.array(predictions), run.diverged)


class ConventionFigure(FigureView):
    """Training loss (left) and prediction (right) over the epochs, one line per convention.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("blame_flow")
    >>> fig = ConventionFigure(ex.network, epochs=20)
    >>> runs = fig.show(Settings.of(ex))
    >>> sorted(runs) == sorted(CONVENTIONS)
    True
    """

    SIZE = (7.2, 2.6)

    def __init__(self, network: Network, epochs: int = 200) -> None:
        self.network, self.epochs = network, checked_epochs(epochs)
        super().__init__()
        self.loss_axes, self.prediction_axes = self.figure.subplots(1, 2)
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.9, wspace=0.25)
        self._lines = {}
        for name, (colour, style) in _STYLE.items():
            on_top = 3 if name == "target_first_add" else 2  # it retraces the book's line: drawn dotted on top
            self._lines[name] = (
                self.loss_axes.plot([], [], color=colour, ls=style, lw=2, label=_LABEL[name], zorder=on_top)[0],
                self.prediction_axes.plot([], [], color=colour, ls=style, lw=2, zorder=on_top)[0],
            )
        self._target = self.prediction_axes.axhline(0.0, color="0.3", lw=1, ls=":", label="target y")
        for axes, label in ((self.loss_axes, "training loss"), (self.prediction_axes, "prediction ŷ")):
            axes.set_xlim(0, epochs)
            axes.set_xlabel("epoch")
            axes.set_ylabel(label)
        self.loss_axes.legend(loc="upper left", fontsize=6.5, frameon=False)
        self.prediction_axes.legend(loc="center right", fontsize=6.5, frameon=False)
        self._title = self.figure.suptitle("", fontsize=8)

    def show(self, settings: Settings, learning_rate: float | None = None) -> dict[str, ConventionRun]:
        """Train in every convention from ``settings`` (optionally at another learning rate) and redraw."""
        if learning_rate is not None:
            settings = settings.replace(learning_rate=learning_rate)
        runs = {name: train_in(self.network, settings, name, self.epochs) for name in CONVENTIONS}
        for name, run in runs.items():
            loss_line, prediction_line = self._lines[name]
            steps = np.arange(len(run.losses))
            loss_line.set_data(steps, run.losses)
            prediction_line.set_data(steps, run.predictions)
        top = max(float(np.max(r.losses)) for r in runs.values())
        self.set_ylim(self.loss_axes, 0.0, 1.1 * top if top > 0 else 1.0)
        self._target.set_ydata([settings.y, settings.y])
        values = [settings.y, *(v for r in runs.values() for v in (r.predictions.min(), r.predictions.max()))]
        low, high = min(values), max(values)
        margin = 0.08 * (high - low) if high > low else 0.5
        self.set_ylim(self.prediction_axes, low - margin, high + margin)
        ends = ", ".join(f"{_LABEL[n].split(' (')[0]}: {r.losses[-1]:.4f}" for n, r in runs.items())
        self._title.set_text(f"η = {settings.learning_rate:g}; final losses: {ends}")
        return runs


def convention_explorer(network: Network, settings: Settings, epochs: int = 200,
                        rate_range: tuple[float, float] = (LEARNING_RATES[0], LEARNING_RATES[-1])):
    """The three conventions trained side by side as the learning rate moves, in the reader's browser.

    ``"target_first_subtract"`` steps up the gradient (θ + η·∂L/∂θ): a training run with sign −1.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("blame_flow")
    >>> view = convention_explorer(ex.network, Settings.of(ex), 50)
    >>> [s["sign"] for s in view.view.panel["charts"][0]["series"]]
    [1, 1, -1]
    """

    for name in CONVENTIONS:
        _checked(network, name, settings.learning_rate)
    output = network.outputs[0]
    dashes = {"descent": lx.DASHES[0], "target_first_add": lx.DASHES[2], "target_first_subtract": lx.DASHES[1]}
    signs = {name: product * step * -1 for name, (_, product, step) in CONVENTIONS.items()}  # +1: descent

    def lines(quantity: str) -> list:
        return [lx.Series(quantity, _LABEL[n], _STYLE[n][0], dashes[n], 3.0 if n == "target_first_add" else 2.0,
                       sign=signs[n]) for n in CONVENTIONS]

    rate = lx.control("rate", "rate", "η: learning rate", rate_range, settings.learning_rate)
    charts = [
        lx.training_chart("Training loss over the epochs, one line per sign convention.", "training loss",
                          lines("loss"), log_y=True),
        lx.training_chart("The prediction ŷ over the epochs, and the target.", "prediction ŷ", lines(f"a:{output}"),
                       guides=[lx.guide("target y", "#444444", control=output)]),
    ]
    readouts = [lx.readout(f"final loss, {_LABEL[n]}", "loss", at="final", sign=signs[n]) for n in CONVENTIONS]

    def kernel():
        figure = ConventionFigure(network, epochs)
        slider = lx.kernel_slider(rate, "η")

        def draw(rate: float) -> str:
            figure.show(settings, rate)
            return figure.html(f"Training loss and prediction in three sign conventions at η = {rate:g}")

        return lx.kernel_view({"rate": slider}, draw)

    models = {"network": lx.LessonModel("network", network)}
    return lx.lesson_explorer("Three sign conventions trained side by side", models, settings,
                              [lx.group("training", [rate])], charts, readouts, kernel, epochs=epochs)


# --- Sentences whose direction follows the numbers -------------------------------------------------------------

def error_sign_clause(prediction: float, target: float) -> str:
    """The sign of ∂L/∂ŷ = ŷ − y, and why, as a clause for the prose.

    >>> error_sign_clause(0.8, 1.0)
    'Negative here, because the prediction is below the target'
    >>> error_sign_clause(0.8, -1.0)
    'Positive here, because the prediction is above the target'
    >>> error_sign_clause(0.5, 0.5)
    'Zero here, because the prediction equals the target'
    """
    if prediction < target:
        return "Negative here, because the prediction is below the target"
    if prediction > target:
        return "Positive here, because the prediction is above the target"
    return "Zero here, because the prediction equals the target"


def update_directions(gradients: dict[str, float], names: dict[str, str] | None = None) -> str:
    """Which parameters a gradient step raises and which it lowers, as a sentence fragment.

    A step θ − η·∂L/∂θ raises θ where the gradient is negative and lowers it where it is
    positive. ``names`` maps a parameter to how the prose writes it (default: the name itself).

    >>> update_directions({"a": -0.1, "b": -0.2})
    'every gradient is negative, so every parameter grows'
    >>> for clause in update_directions({"a": -0.1, "b": 0.2, "c": 0.0}).split("; "):
    ...     print(clause)
    the gradient of a is negative, so it grows
    the gradient of b is positive, so it shrinks
    c has gradient 0 and stays
    >>> update_directions({"a": -0.1, "b": 0.2, "c": 0.3})
    'the gradient of a is negative, so it grows; those of b, c are positive, so they shrink'
    """
    groups = {"grows": [], "shrinks": [], "stays": []}
    for name, gradient in gradients.items():
        direction = "grows" if gradient < 0 else "shrinks" if gradient > 0 else "stays"
        groups[direction].append((names or {}).get(name, name))
    if len(groups["grows"]) == len(gradients):
        return "every gradient is negative, so every parameter grows"
    if len(groups["shrinks"]) == len(gradients):
        return "every gradient is positive, so every parameter shrinks"
    parts = []
    for key, sign, verbs in (("grows", "negative", "grow"), ("shrinks", "positive", "shrink")):
        found, verb = groups[key], key
        if len(found) == 1:
            parts.append(f"the gradient of {found[0]} is {sign}, so it {verb}")
        elif found:
            parts.append(f"those of {', '.join(found)} are {sign}, so they {verbs}")
    if groups["stays"]:
        parts.append(f"{', '.join(groups['stays'])} {'has' if len(groups['stays']) == 1 else 'have'} gradient 0 and "
                     f"{'stays' if len(groups['stays']) == 1 else 'stay'}")
    return "; ".join(parts)


_DESCRIPTIONS = {
    "descent": "error ŷ − y, then θ − η·product (the book)",
    "target_first_add": "error y − ŷ, then θ + η·product",
    "target_first_subtract": "error y − ŷ, then θ − η·product (the document)",
}


def convention_table(network: Network, settings: Settings, weight: str, digits: int = 4) -> tuple[str, dict]:
    """One step in each convention, as a Markdown table (numbers right-aligned), and the steps by convention.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("blame_flow")
    >>> table, steps = convention_table(ex.network, Settings.of(ex), "wo1")
    >>> print(table.splitlines()[2])
    | error ŷ − y, then θ − η·product (the book) | -0.2645 | -0.0308 | 1.5154 | 0.034990 | 0.032365 (lower) |
    >>> steps["target_first_subtract"].loss_after > steps["target_first_subtract"].loss_before
    True
    """
    network.check_parameter_name(weight, "weight")
    steps = {name: step_in(network, settings, name) for name in CONVENTIONS}
    rows = [f"| convention | error | product for {weight} | {weight} after the step | loss before | loss after |",
            "|:---|---:|---:|---:|---:|---:|"]
    for name, step in steps.items():
        change = step.loss_after - step.loss_before
        verdict = "lower" if change < 0 else "higher" if change > 0 else "equal"
        rows.append(f"| {_DESCRIPTIONS[name]} | {number(step.error, digits)} | {number(step.products[weight], digits)} "
                    f"| {number(step.new_params[weight], digits)} | {number(step.loss_before, 6)} "
                    f"| {number(step.loss_after, 6)} ({verdict}) |")
    return "\n".join(rows), steps


# --- The document's errors, one admonition per root cause ------------------------------------------------------

def _admonition(kind: str, title: str, body: str) -> str:
    """The book's one admonition form, a real title and collapsed (`document_notes.admonition`)."""
    return admonition(title, kind, body)


def _sign_finding(verdicts: dict[str, str], steps: dict, digits: int) -> str:
    wrong = [p for p, v in verdicts.items() if v == "opposite"]
    different = [p for p, v in verdicts.items() if v == "different"]
    parts = []
    if wrong:
        before, after = steps["descent"].loss_before, steps["target_first_subtract"].loss_after
        parts.append(_admonition(
            "warning", "The error's sign turns the update into gradient ascent",
            f"The document's Part 1 is the error y − ŷ, but the derivative of ½(ŷ − y)² with respect to ŷ is ŷ − y. "
            f"Sympy finds the document's product equal to −∂L/∂θ exactly for {', '.join(wrong)}, so "
            f"W_new = W_old − η × gradient moves each weight uphill: one such step at the chapter's settings takes the "
            f"loss from {number(before, digits)} to {number(after, digits)} instead of "
            f"{number(steps['descent'].loss_after, digits)}. Either use ŷ − y as the first factor, or keep y − ŷ and "
            "add: W_new = W_old + η × product."))
    if different:
        parts.append(_admonition("warning", "A formula differs from the derivative by more than a sign",
                                 f"Sympy finds the document's formula for {', '.join(different)} different from the "
                                 "derivative; the comparison is shown below."))
    return "\n\n".join(parts)


def document_findings(verdicts: dict[str, str], steps: dict, hidden_right: float, hidden_document: float,
                      zero_weight_gradient: float, outgoing: str, trained_loss: float, epochs: int,
                      digits: int = 4) -> str:
    """The chapter's findings on document 003 as MyST admonitions, one per root cause.

    ``verdicts`` maps each followed weight to sympy's verdict ("equal", "opposite", "different");
    ``steps`` are :func:`step_in` results by convention; ``hidden_right`` is δ_o·w_o and
    ``hidden_document`` the document's (y − ŷ)·w_o; ``zero_weight_gradient`` the gradient of the
    outgoing weight ``outgoing`` set to 0; ``trained_loss`` the loss after ``epochs`` steps.
    """
    findings = [_sign_finding(verdicts, steps, digits)]
    findings.append(_admonition(
        "warning", "The hidden layer's error needs the output's error term, not the output's error",
        "`Error_Hidden_Layer = Error_at_Output * Weight_of_Connection` is right when the error at the output is the "
        f"error term δ_o = (ŷ − y)·σ′(z_o): then it gives {number(hidden_right, digits)}, sympy's ∂L/∂a_h. With the "
        f"document's own error y − ŷ it gives {number(hidden_document, digits)}: the wrong sign, and without the "
        "output's slope σ′(z_o)."))
    findings.append(_admonition(
        "warning", "A zero weight does not get zero blame",
        "The document's rule 1 says a connection with a zero weight gets zero blame. A zero weight passes no blame "
        "*back* to the neuron behind it, but its own gradient is the error term of the neuron it feeds times the "
        f"activation it carries: with {outgoing} = 0 that gradient is {number(zero_weight_gradient, digits)}. What a "
        "zero (or equal) start really costs is shown in the section \"Zero and equal starting weights\"."))
    findings.append(_admonition(
        "warning", "Backpropagation computes gradients; the update is a separate step",
        "The document's cycle says the backward pass is where the network \"adjusts its weights and biases\". The "
        "backward pass only computes ∂L/∂θ for every parameter and changes nothing; the weights change in the next "
        "step, gradient descent (θ − η·∂L/∂θ), which could as well use another rule (momentum, Adam) with the same "
        "gradients."))
    findings.append(_admonition(
        "warning", "Gradient descent does not promise the smallest possible error",
        "The document ends: repeating the step moves the weights toward values that produce the smallest possible "
        "error. Gradient descent stops where the gradient vanishes, which can be a local minimum, a saddle or a "
        "floor the network cannot go below (a sigmoid output cannot reach a target above 1: see the sum-target "
        "chapter); with a step too large it can also diverge. Here, after "
        f"{epochs} steps, the loss is {number(trained_loss, digits)}."))
    return "\n\n".join(f for f in findings if f)
