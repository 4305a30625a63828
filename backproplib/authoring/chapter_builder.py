"""Build a complete chapter notebook from a checked network description.

:func:`build_chapter` writes the cells with :mod:`nbformat`: the install cell, the settings cell
tagged ``parameters``, the network's code, its diagram, the forward pass, a chain-rule table for
every parameter, the sympy derivation with the three-way check, the update, the kernel-free and
live explorers, a training run, exercises with solutions, and prose that quotes every computed
number through ``{glue:text}`` roles. :func:`execute_chapter` runs it so its outputs are stored.
The command line is :mod:`backproplib.authoring.new_chapter`.

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

from .description import NetworkDescription
from .install_cell import INSTALL_TAG, install_cell_source
from ..engine.network import Layer, Network
from ..engine.symbolic import latex_symbol

__all__ = ["build_chapter", "execute_chapter", "chapter_key"]



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


def _fill(template: str, **values: str) -> str:
    """Replace ``<<name>>`` markers; braces of MyST roles and LaTeX stay untouched."""
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"template marker <<{name}>> has no value")
        return values[name]
    return re.sub(r"<<(\w+)>>", value, template).strip("\n")


def _m(name: str) -> str:
    """Inline LaTeX for a parameter or unit name."""
    return f"${latex_symbol(name)}$"


def _g(name: str) -> str:
    return "{glue:text}`" + name + "`"


def _code(text: str, tags: list[str] | None = None):
    cell = new_code_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = tags
    return cell


def _markdown(text: str, tags: list[str] | None = None):
    cell = new_markdown_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = tags
    return cell


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
            whose = f"bias shared by {', '.join(layer.neurons)}" if layer.shared_bias and len(layer.neurons) > 1 else f"bias{'es' if len(names) > 1 else ''} of {', '.join(layer.neurons)}"
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
        (f"activations = {[layer.activation for layer in network.layers]!r}".replace("'", '"'), f"one per layer: {layer_words}"),
        (f'loss = "{d.loss}"', "half_squared_error, mean_squared_error or binary_cross_entropy"),
        (f"epochs = {d.epochs}", "training steps in the explorers and the training run"),
        (f"digits = {d.digits}", "decimals of the numbers quoted in the text"),
        (f'explore = "{d.explore}"', "the parameter the kernel-free explorer sweeps"),
    ]
    width = max(len(text) for text, _ in settings) + 2
    lines += [f"{text.ljust(width)}# {comment}" for text, comment in settings]
    return "\n".join(lines)


def _layer_code(layer: Layer, k: int) -> str:
    rows = ",\n".join(f"                ({', '.join(repr(w) for w in row)},)" if len(row) == 1 else f"                ({', '.join(repr(w) for w in row)})" for row in layer.weights)
    neurons = "(" + ", ".join(repr(n) for n in layer.neurons) + (",)" if len(layer.neurons) == 1 else ")")
    if layer.bias is None:
        bias = "None,  # no bias"
    elif layer.shared_bias:
        bias = repr(layer.bias) + ",  # one bias shared by every neuron of the layer"
    else:
        bias = "(" + ", ".join(repr(b) for b in layer.bias) + (",)" if len(layer.bias) == 1 else ")") + ",  # one bias per neuron"
    text = f"""        Layer(
            neurons={neurons},
            activation=activations[{k}],
            weights=(  # one row per neuron: the names of its incoming weights, in the order of the units before
{rows},
            ),
            bias={bias}
        ),"""
    return text.replace("'", '"')


# --- the chapter ----------------------------------------------------------------------------------


def build_chapter(description: NetworkDescription, key: str, repository: str) -> nbformat.NotebookNode:
    """The chapter notebook for ``description`` (not executed); ``key`` labels its exercises.

    ``repository`` is the book's repository address (``repository.url`` in ``_config.yml``), from
    which the first cell installs backproplib when the notebook is opened on its own.

    Every number the prose quotes is glued by a code cell, so changing the settings cell and
    re-running keeps text, tables, figures and explorers consistent.
    """
    d = description
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
        raise ValueError(f"key must be lower-case letters, digits and '-'; got {key!r}")
    network = d.network()
    output = network.outputs[0]
    last = network.layers[-1]
    first_output_weight = last.weights[0][0]
    feeding = network.units_before(len(network.layers) - 1)[0]
    feeding_value = feeding if feeding in network.inputs else f"a_{feeding}"
    first_parameter = network.parameters[0]
    source_name = Path(d.source).name
    cells = [_code(install_cell_source(repository), [INSTALL_TAG])]

    about = f"{d.about}\n\n" if d.about else ""
    cells.append(_markdown(_fill('''
# <<title>>

<<about>>This chapter follows one example through a small network: the forward pass that turns the
inputs into a prediction, the backward pass that assigns every weight and bias its share of the
blame, and the gradient-descent step that uses it. Every gradient is checked three ways, by
backpropagation, by sympy's exact derivative and by finite differences, and the explorers show how
the loss responds when a parameter moves. The chapter was generated from the network description
`<<source>>`; all of its numbers are computed by the notebook itself.

**Notation.** We write $L$ for the loss, $\\hat y$ for the prediction (the activation of the output
neuron <<output>>), $z$ for a neuron's weighted sum, $a$ for its activation, $\\delta = \\partial L/\\partial z$
for its error term and $\\eta$ for the learning rate. A weight or bias is written with its name from the
description, such as <<first>>.
''', title=d.title, about=about, source=source_name, output=_m(output), first=_m(first_parameter))))

    cells.append(_markdown('''
## The settings

Everything that defines the example is in the next cell: the starting value of every weight and
bias, the inputs, the target, the learning rate, the activation of each layer, the loss, and the
number of training epochs. Change any value and re-run the notebook; every table, figure,
explorer and number quoted in the text is computed from these settings. The cell after it holds
the network's wiring, which names the weights and says which units each one connects.
'''))
    cells.append(_code(_parameters_cell(d), ["parameters"]))
    cells.append(_code(_setup_source(d, key)))
    cells.append(_code("display(Markdown(network_in_words(network)))", ["remove-input"]))

    cells.append(_markdown('''
## The network

The diagram shows every unit with its current activation and every connection with its weight's
name and value; square nodes are biases. The printed form below it writes each neuron as its
activation applied to its weighted sum.
'''))
    cells.append(_code('''
from backproplib.views.diagram import alt_text, draw_network
from backproplib.views.notebook import FigureImage

FigureImage(draw_network(network, example.params, example.x), alt=alt_text(network, example.params))
'''))
    cells.append(_code("print(network)"))

    cells.append(_markdown(_fill('''
## Forward pass

Each neuron multiplies every incoming value by its weight, adds the products and its bias (if it
has one) to form its weighted sum $z$, and applies its activation to get $a$. The next layer reads
those activations as its inputs. The table follows the signal from the inputs to the output neuron,
whose activation is the prediction $\\hat y =$ <<y_hat>>. Against the target $y =$ <<y>> the error is
$\\hat y - y =$ <<error>> and the loss is $L =$ <<loss>>.
''', y_hat=_g("y_hat"), y=_g("y"), error=_g("error"), loss=_g("loss"))))
    cells.append(_code('''
from backproplib.views import render

render.forward_table(example, digits)
'''))

    cells.append(_markdown(_fill('''
## Backward pass

The gradient of the loss with respect to a parameter is a product of local derivatives read from
the loss back to that parameter: how the loss changes with the prediction, how each activation
changes with its weighted sum (the activation's slope), how a weighted sum changes with an incoming
activation (the weight on that connection) and, at the end, how a weighted sum changes with the
parameter itself (the activation the weight multiplies, or 1 for a bias). Where a parameter reaches
the loss along several paths, the products of all paths are added.

The first two factors at the output neuron make its error term,
$\\delta_{<<o>>} = \\partial L/\\partial \\hat y \\cdot \\partial \\hat y/\\partial z_{<<o>>} =$ <<delta_o>>, shared by every
parameter. For the first weight into the output neuron, for example,
$\\partial L/\\partial <<w>> = \\delta_{<<o>>}\\, <<feed>> =$ <<grad_w>>. The tables give the chain for every parameter,
starting at the output layer, as backpropagation visits them.
''', o=output, delta_o=_g(f"delta_{output}"), w=latex_symbol(first_output_weight),
        feed=latex_symbol(feeding_value), grad_w=_g(f"grad_{first_output_weight}"))))
    cells.append(_code('''
for parameter in backward_order:
    display(render.chain_rule_table(example, parameter, digits))
'''))
    cells.append(_markdown('''
The same chains as formulas, with the numbers of each factor:
'''))
    cells.append(_code('''
for parameter in backward_order:
    display(render.chain_rule_latex(example, parameter, digits))
'''))

    cells.append(_markdown('''
## Where the blame flows

The diagram again, with each connection and bias link shaded and thickened by the size of its
parameter's gradient: the darker the line, the more the loss blames that parameter. The sentence
under the figure names the extremes.
'''))
    cells.append(_code('''
gradients = backward(network, example.params, example.x, example.y).gradients
FigureImage(
    draw_network(network, example.params, example.x, gradients=gradients),
    alt=alt_text(network, example.params, gradients),
)
'''))
    cells.append(_code('''
sizes = {p: abs(float(g)) for p, g in gradients.items()}
largest, smallest = max(sizes, key=sizes.get), min(sizes, key=sizes.get)
display(Markdown(
    f"The largest gradient is ∂L/∂{largest} = {number(float(gradients[largest]), digits)} and the smallest in size is "
    f"∂L/∂{smallest} = {number(float(gradients[smallest]), digits)}. A parameter whose path to the loss passes through "
    "small weights or flat stretches of an activation receives little blame."
))
''', ["remove-input"]))

    cells.append(_markdown(_fill('''
## The update

Gradient descent moves every parameter against its gradient, $\\theta \\leftarrow \\theta - \\eta\\,\\partial L/\\partial \\theta$,
with the learning rate $\\eta =$ <<eta>>. For example <<w>> goes from <<w_old>> to <<w_new>>. The table
lists every parameter; the sentence under it reports the loss after this one step.
''', eta=_g("eta"), w=_m(first_output_weight), w_old=_g(first_output_weight), w_new=_g(f"new_{first_output_weight}"))))
    cells.append(_code('''
render.update_table(example, digits)
'''))
    cells.append(_code('''
stepped = {p: q[f"new_{p}"] for p in network.parameters}
loss_after_step = float(backward(network, stepped, example.x, example.y).loss)
glue_number("loss_after_step", loss_after_step)
change = "falls" if loss_after_step < q["loss"] else "does not fall"
display(Markdown(
    f"After one step the loss {change}: from {number(q['loss'], digits)} to {number(loss_after_step, digits)}."
))
''', ["remove-input"]))

    cells.append(_markdown(_fill('''
## The symbolic derivation

Sympy writes the loss as one formula of every parameter, input and the target, and differentiates
it directly, with no chain rule done by hand. Its derivatives for the output layer's parameters are
below, then the chain rule for <<first>> with each local factor as sympy derives it.
''', first=_m(first_parameter))))
    cells.append(_code('''
from backproplib.checking import checks
from backproplib.engine.symbolic import SymbolicNetwork

symbolic = SymbolicNetwork(network)
for parameter in last_layer.parameters():
    display(symbolic.gradient_latex(parameter))
display(symbolic.chain_rule_latex(network.parameters[0], example.params, example.x, example.y))
'''))
    cells.append(_markdown('''
The three-way check puts backpropagation, sympy's exact derivative and a central finite difference
side by side for every parameter. The three are computed independently, sharing only the network's
description, so their agreement is strong evidence that the backward pass is right.
'''))
    cells.append(_code('''
check = checks.three_way_check(example, symbolic=symbolic)
check
'''))

    cells.append(_markdown(_fill('''
## Explore

### The loss along one parameter (works without a kernel)

The slider moves <<explore>> through 21 values around its starting value, with every other setting
fixed. Left: the loss as a function of that parameter, the current point, and the tangent line
whose slope is the backpropagated gradient. Right: the training loss over <<epochs>> epochs of
gradient descent started from the current settings. Every image was computed in advance, so the
slider works on this page without a running Python.
''', explore=_m(d.explore), epochs=_g("epochs"))))
    cells.append(_code('''
from backproplib.authoring.explorer_ranges import live_ranges, sweep_values
from backproplib.views.widgets import live_explorer, static_explorer

sweep_explorer, sweep_frames, sweep_bytes = static_explorer(
    network, settings, explore, sweep_values(example.params[explore]), epochs
)
sweep_explorer
'''))
    cells.append(_code('print(f"{sweep_frames} precomputed frames, {sweep_bytes / 1e6:.2f} MB")'))
    cells.append(_markdown('''
### Every setting at once (needs a running kernel)

The panel below has a slider for every weight, bias and input, the target and the learning rate,
and a menu choosing which parameter the left figure sweeps. It redraws with Python on every move,
so it needs a running notebook: open the page on Binder or Colab with the launch buttons at the top,
or run the notebook on your own machine. On the static page it shows the starting settings only.
'''))
    cells.append(_code('''
live_explorer(network, settings, live_ranges(example), explore, epochs)
'''))

    cells.append(_markdown(_fill('''
## Training

Repeating forward pass, backward pass and update for <<epochs>> epochs on this one example gives
the training curve below: the loss before each step. The sentence under it gives where the run
ends.
''', epochs=_g("epochs"))))
    cells.append(_code('''
from matplotlib.figure import Figure

run = train(network, example.params, example.x, example.y, example.learning_rate, epochs)
curve = Figure(figsize=(6.0, 2.8), dpi=100)
axes = curve.add_subplot(1, 1, 1)
axes.plot(np.arange(len(run.losses)), run.losses, color="#0072B2", lw=2)
axes.set_xlabel("epoch")
axes.set_ylabel("loss")
axes.set_ylim(bottom=0.0)
curve.tight_layout()
ending = "diverges, stopping" if run.diverged else "ends"
FigureImage(
    curve,
    alt=f"Training loss over {len(run.losses) - 1} epochs: it starts at {run.losses[0]:.4g} and {ending} at {run.losses[-1]:.4g}.",
)
'''))
    cells.append(_code('''
glue_number("train_final_loss", run.losses[-1])
trained_prediction = float(backward(network, run.params, example.x, example.y).forward.a[output])
glue_number("train_final_y_hat", trained_prediction)
if run.diverged:
    display(Markdown(
        f"Training diverged after {len(run.losses) - 1} steps: the steps of size η = {example.learning_rate:g} "
        "overshoot further each time. A smaller learning rate brings the run back under control."
    ))
else:
    display(Markdown(
        f"After {epochs} epochs the loss is {number(run.losses[-1], digits)} (it started at {number(run.losses[0], digits)}) "
        f"and the prediction is {number(trained_prediction, digits)} for the target {example.y:g}."
    ))
''', ["remove-input"]))

    cells += _exercises(d, key, network, first_output_weight, feeding, feeding_value)

    cells.append(_markdown(_fill('''
## Summary

* The forward pass gives the prediction $\\hat y =$ <<y_hat>> and the loss $L =$ <<loss>> for the target
  $y =$ <<y>>.
* Backpropagation starts at the output neuron's error term $\\delta_{<<o>>} =$ <<delta_o>> and multiplies in one
  local derivative per link on the way back; every parameter's gradient is in the chain-rule tables and
  agrees with sympy and with finite differences.
* One step with $\\eta =$ <<eta>> takes the loss to <<after>>; <<epochs>> epochs of training take it to
  <<final>>.
''', y_hat=_g("y_hat"), loss=_g("loss"), y=_g("y"), o=output, delta_o=_g(f"delta_{output}"), eta=_g("eta"),
        after=_g("loss_after_step"), epochs=_g("epochs"), final=_g("train_final_loss"))))

    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def _setup_source(d: NetworkDescription, key: str) -> str:
    network = d.network()
    layers = "\n".join(_layer_code(layer, k) for k, layer in enumerate(network.layers))
    text = _fill('''
import numpy as np
from IPython.display import Markdown, display

from backproplib import Example, Layer, Network, backward, train
from backproplib.views.explore import Settings
from backproplib.views.network_words import network_in_words
from backproplib.views.notebook import glue, number

# The wiring: which weight connects which units (names only; the settings cell gives the numbers).
network = Network(
    inputs=tuple(x),
    layers=(
<<layers>>
    ),
    loss=loss,
)
example = Example(
    key=<<key>>,
    title=<<title>>,
    source=<<source>>,
    network=network, params=params, x=x, y=y, learning_rate=learning_rate,
)
settings = Settings.of(example)
q = example.quantities()  # every named number: z_<neuron>, a_<neuron>, delta_<neuron>, grad_<parameter>, new_<parameter>, loss
output = network.outputs[0]
last_layer = network.layers[-1]
# From the output layer back to the first: the order in which backpropagation reaches the parameters.
backward_order = [p for layer in reversed(network.layers) for p in layer.parameters()]


def glue_number(name: str, value: float) -> None:
    """Make a computed number quotable in the text, rounded to `digits` decimals."""
    glue(name, number(value, digits))


def glue_setting(name: str, value: float) -> None:
    """Make a setting quotable in the text exactly as it was given."""
    glue(name, f"{value:g}")


for name in (*network.parameters, *network.inputs):
    glue_setting(name, q[name])
glue_setting("y", example.y)
glue_setting("eta", example.learning_rate)
glue("epochs", str(epochs))
for neuron in network.neurons:
    for kind in ("z", "a", "dadz", "dLda", "delta"):
        glue_number(f"{kind}_{neuron}", q[f"{kind}_{neuron}"])
for parameter in network.parameters:
    glue_number(f"grad_{parameter}", q[f"grad_{parameter}"])
    glue_number(f"new_{parameter}", q[f"new_{parameter}"])
glue_number("y_hat", q[f"a_{output}"])
glue_number("error", q[f"a_{output}"] - example.y)
glue_number("loss", q["loss"])
print(f"prediction ŷ = {q['a_' + output]:.6f}, target y = {example.y:g}, loss L = {q['loss']:.6f}")
print("gradients:", ", ".join(f"∂L/∂{p} = {q['grad_' + p]:.6f}" for p in network.parameters))
''', layers=layers, key=_string(key), title=_string(d.title), source=_string(Path(d.source).name))
    return text


def _string(text: str) -> str:
    """A Python string literal, double-quoted as in the rest of the generated code."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1].replace("\\'", "'") + '"'
    return literal


def _exercises(d: NetworkDescription, key: str, network: Network, weight: str, feeding: str, feeding_value: str) -> list:
    output = network.outputs[0]
    explore = d.explore
    cells = [_markdown("## Exercises")]
    cells.append(_markdown(_fill('''
```{exercise}
:label: <<key>>-ex1

Starting from the forward table, compute by hand the output neuron's error term
$\\delta_{<<o>>} = \\dfrac{\\partial L}{\\partial \\hat y}\\cdot\\dfrac{\\partial \\hat y}{\\partial z_{<<o>>}}$ and from it the gradient of
the weight <<w>>. Which activation does <<w>> multiply, and why does that activation appear in its
gradient?
```
''', key=key, o=output, w=_m(weight))))
    cells.append(_markdown(_fill('''
```{solution} <<key>>-ex1
:class: dropdown

The loss's slope with respect to the prediction is $\\partial L/\\partial \\hat y =$ <<dLda>> and the output
activation's slope at $z_{<<o>>}$ is <<dadz>>; their product is $\\delta_{<<o>>} =$ <<delta>>. The weight <<w>> multiplies
<<feed>> $=$ <<feed_value>> in the weighted sum $z_{<<o>>}$, so $\\partial z_{<<o>>}/\\partial <<w_tex>>$ is that activation and
$\\partial L/\\partial <<w_tex>> = \\delta_{<<o>>} \\cdot$ <<feed_value>> $=$ <<grad>>. A weight's effect on the loss scales with
the signal it carries: a connection carrying a large activation gets a large share of the blame.
```
''', key=key, o=output, dLda=_g(f"dLda_{output}"), dadz=_g(f"dadz_{output}"), delta=_g(f"delta_{output}"),
        w=_m(weight), w_tex=latex_symbol(weight), feed=f"${latex_symbol(feeding_value)}$",
        feed_value=_g(feeding if feeding in network.inputs else f"a_{feeding}"), grad=_g(f"grad_{weight}")), ["solution"]))

    cells.append(_markdown(_fill('''
```{exercise}
:label: <<key>>-ex2

Estimate $\\partial L/\\partial <<p>>$ without backpropagation: change <<pm>> by $+h$ and by $-h$ with
$h = 0.001$, run only the forward pass each time, and divide the change in the loss by $2h$. How many
decimals agree with the backpropagated gradient, and why is the central difference more accurate than
the one-sided $(L(\\theta + h) - L(\\theta))/h$?
```
''', key=key, p=latex_symbol(explore), pm=_m(explore))))
    cells.append(_code(_fill('''
# Numbers quoted in the solutions (dropped with them from the student edition).
from backproplib import forward

step = 1e-3
loss_up = float(forward(network, dict(example.params, <<p>>=example.params["<<p>>"] + step), example.x, example.y).loss)
loss_down = float(forward(network, dict(example.params, <<p>>=example.params["<<p>>"] - step), example.x, example.y).loss)
central = (loss_up - loss_down) / (2 * step)
one_sided = (loss_up - q["loss"]) / step
glue("fd_loss_up", number(loss_up, 8))
glue("fd_loss_down", number(loss_down, 8))
glue("fd_central", number(central, 8))
glue("fd_one_sided", number(one_sided, 8))
glue("fd_backprop", number(q["grad_<<p>>"], 8))
predicted = q["loss"] - example.learning_rate * sum(q[f"grad_{p}"] ** 2 for p in network.parameters)
glue_number("predicted_loss", predicted)
glue_number("predicted_drop", q["loss"] - predicted)
glue_number("actual_drop", q["loss"] - loss_after_step)
big = example.with_settings(learning_rate=10 * example.learning_rate).quantities()
big_loss = float(backward(network, {p: big[f"new_{p}"] for p in network.parameters}, example.x, example.y).loss)
glue_setting("big_eta", 10 * example.learning_rate)
glue_number("big_predicted", q["loss"] - 10 * example.learning_rate * sum(q[f"grad_{p}"] ** 2 for p in network.parameters))
glue_number("big_loss", big_loss)
''', p=explore), ["solution", "remove-input"]))
    cells.append(_markdown(_fill('''
```{solution} <<key>>-ex2
:class: dropdown

With $h = 0.001$ the forward pass gives $L(\\theta + h) =$ <<up>> and $L(\\theta - h) =$ <<down>>, so the
central difference is <<central>>, against <<backprop>> from backpropagation (both to 8 decimals). The
one-sided difference gives <<one_sided>>. Expanding the loss in a Taylor series, the one-sided quotient
has an error proportional to $h$ (the curvature term survives), while in the central quotient the
curvature terms of the two sides cancel and the error is proportional to $h^2$, which for
$h = 0.001$ is a thousand times smaller than $h$.
```
''', key=key, up=_g("fd_loss_up"), down=_g("fd_loss_down"), central=_g("fd_central"), backprop=_g("fd_backprop"),
        one_sided=_g("fd_one_sided")), ["solution"]))

    cells.append(_markdown(_fill('''
```{exercise}
:label: <<key>>-ex3

To first order, one gradient-descent step changes the loss by
$-\\eta \\sum_\\theta (\\partial L/\\partial \\theta)^2$. Use the chain-rule tables to predict the loss after one
step at $\\eta =$ <<eta>> and compare it with the loss the update actually reaches. Then repeat the
prediction for a learning rate ten times larger and explain why the prediction gets worse.
```
''', key=key, eta=_g("eta"))))
    cells.append(_markdown(_fill('''
```{solution} <<key>>-ex3
:class: dropdown

The first-order prediction is <<predicted>>, a drop of <<predicted_drop>>; the step actually reaches
<<after>>, a drop of <<actual_drop>>. The prediction uses only the tangent plane of the loss at the
starting point; the curvature of the loss adds a correction that grows with the square of the step.
At $\\eta =$ <<big_eta>> the prediction is <<big_predicted>> while the step reaches <<big_loss>>: the
step is ten times longer, so the neglected curvature term is a hundred times larger, and a step that
is too long can even raise the loss.
```
''', key=key, predicted=_g("predicted_loss"), predicted_drop=_g("predicted_drop"), after=_g("loss_after_step"),
        actual_drop=_g("actual_drop"), big_eta=_g("big_eta"), big_predicted=_g("big_predicted"), big_loss=_g("big_loss")),
        ["solution"]))
    return cells


def execute_chapter(notebook: nbformat.NotebookNode, directory: str | Path, timeout: int = 600) -> nbformat.NotebookNode:
    """Run every cell with the ``python3`` kernel in ``directory``; outputs and widget state are stored.

    Raises ``nbclient.exceptions.CellExecutionError`` naming the failing cell.
    """
    from nbclient import NotebookClient

    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(directory)}},
        store_widget_state=True,
    )
    client.execute()
    return notebook
