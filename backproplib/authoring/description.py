"""Reading a network description (YAML or JSON) into a checked, ready-to-build example.

An instructor describes a new worked example in a small file: the inputs with their values, the
layers with their activations, weights and biases, the loss, the target, the learning rate and the
number of training epochs. :func:`parse_description` checks every field and reports the first
problem as a :class:`DescriptionError` naming the file, the **line** and the **field**, so a typo
is found in seconds. Line numbers come from YAML's node marks (the file is composed into a node
tree, never loaded blindly), which works for JSON too since JSON is YAML.

The format, with every field::

    title: Three inputs, a tanh hidden layer and a linear output   # the chapter's title
    about: >                      # optional: a paragraph for the chapter's introduction
      The network predicts one number from three measurements.
    inputs: {x1: 0.5, x2: -1.0, x3: 2.0}         # input name: value, in order
    layers:                                       # from the first hidden layer to the output
      - activation: tanh                          # sigmoid, relu, tanh or identity
        weights:                                  # neuron: {weight: value, one per unit before}
          h1: {w11: 0.4, w12: -0.3, w13: 0.2}
          h2: {w21: -0.5, w22: 0.1, w23: 0.3}
        biases: {b1: 0.1, b2: -0.1}               # optional: one bias per neuron, in order
      - activation: identity
        weights:
          o: {v1: 0.6, v2: -0.4}
        shared_bias: {c: 0.0}                     # optional: ONE bias added to every neuron
    loss: mean_squared_error      # half_squared_error, mean_squared_error, binary_cross_entropy
    target: 0.5                   # the output neuron's target
    learning_rate: 0.1
    epochs: 100                   # training steps in the explorers and the training run
    digits: 4                     # optional (default 4): decimals of the numbers in the prose
    explore: v1                   # optional: the parameter the kernel-free explorer sweeps

Examples
--------
>>> text = '''
... title: One linear neuron
... inputs: {x: 2.0}
... layers:
...   - activation: identity
...     weights:
...       o: {w: 0.5}
... loss: half_squared_error
... target: 3.0
... learning_rate: 0.1
... epochs: 20
... '''
>>> description = parse_description(text, "linear.yaml")
>>> print(description.network())
Network x -> o, loss half_squared_error
  o = identity(w·x)
>>> description.params, description.explore
({'w': 0.5}, 'w')
>>> parse_description(text.replace("identity", "softplus"), "linear.yaml")
Traceback (most recent call last):
...
backproplib.authoring.description.DescriptionError: linear.yaml, line 5, field layers[0].activation: activation must be one of 'sigmoid', 'relu', 'tanh', 'identity'; got 'softplus'
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..engine.activations import ACTIVATIONS
from ..checking.examples import Example
from ..engine.losses import LOSSES, get_loss
from ..engine.network import Layer, Network

__all__ = ["DescriptionError", "NetworkDescription", "parse_description", "load_description", "FIELDS"]

# Top-level fields: required ones first, then optional ones with their meaning.
REQUIRED_FIELDS = ("title", "inputs", "layers", "loss", "target", "learning_rate", "epochs")
OPTIONAL_FIELDS = ("about", "digits", "explore")
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
LAYER_FIELDS = ("activation", "weights", "biases", "shared_bias")
MAX_EPOCHS = 100_000  # far beyond what a chapter needs; guards against a typed extra zero or two
MAX_DIGITS = 10

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Names the chapter's numbers use for their own purposes (see backproplib.checking.published.quantities and
# the sympy twin): a parameter or unit with one of these names would be confused with them.
_RESERVED = {"L", "y", "loss", "learning_rate"}
_RESERVED_PREFIXES = ("z_", "a_", "dadz_", "dLda_", "delta_", "grad_", "new_")


class DescriptionError(ValueError):
    """A problem in a network description, located by file, line (1-based) and field.

    >>> str(DescriptionError("net.yaml", 7, "target", "target must be a number; got 'high'"))
    "net.yaml, line 7, field target: target must be a number; got 'high'"
    """

    def __init__(self, source: str, line: int, field: str, message: str) -> None:
        super().__init__(f"{source}, line {line}, field {field}: {message}")
        self.source, self.line, self.field, self.problem = source, line, field, message


@dataclass(frozen=True)
class NetworkDescription:
    """A checked description: everything a chapter needs to build and explain its example."""

    title: str
    inputs: dict[str, float]
    layers: tuple[Layer, ...]
    params: dict[str, float]
    loss: str
    target: float
    learning_rate: float
    epochs: int
    digits: int = 4
    explore: str = ""
    about: str = ""
    source: str = "<description>"
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def network(self) -> Network:
        """The described network (names and wiring)."""
        return Network(tuple(self.inputs), self.layers, self.loss)

    def example(self, key: str = "described") -> Example:
        """The described network with its numbers, as an :class:`~backproplib.checking.examples.Example`.

        It has no published values, so :attr:`Example.matches_document` is False.
        """
        return Example(
            key=key, title=self.title, source=self.source, network=self.network(), params=dict(self.params),
            x=dict(self.inputs), y=self.target, learning_rate=self.learning_rate,
        )


# --- reading nodes --------------------------------------------------------------------------


class _Reader:
    """Walks YAML nodes, turning each into a checked value or a located DescriptionError."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.loader = yaml.SafeLoader(text)

    def fail(self, node: yaml.Node, field: str, message: str) -> DescriptionError:
        return DescriptionError(self.source, node.start_mark.line + 1, field, message)

    def mapping(self, node: yaml.Node, field: str, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Keys (checked strings) to (key node, value node), in file order, duplicates refused."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, field, f"{what}; got {self._kind(node)}")
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node)
            if not isinstance(key, str):
                raise self.fail(key_node, field, f"keys must be names; got {key!r}")
            if key in entries:
                first = entries[key][0].start_mark.line + 1
                raise self.fail(key_node, f"{field}.{key}" if field else key, f"{key!r} is given twice (first on line {first})")
            entries[key] = (key_node, value_node)
        return entries

    def sequence(self, node: yaml.Node, field: str, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, field, f"{what}; got {self._kind(node)}")
        return list(node.value)

    def scalar(self, node: yaml.Node) -> object:
        if not isinstance(node, yaml.ScalarNode):
            return node
        return self.loader.construct_object(node, deep=True)

    def text(self, node: yaml.Node, field: str) -> str:
        value = self.scalar(node)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, field, f"{field} must be non-empty text; got {self._shown(node)}")
        return " ".join(value.split())

    def number(self, node: yaml.Node, field: str, what: str = "a finite number") -> float:
        value = self.scalar(node)
        if isinstance(value, str):
            try:  # YAML 1.1 reads 1e-3 (no dot) as text; accept it as the number it plainly is
                value = float(value)
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(node, field, f"{field} must be {what}; got {self._shown(node)}")
        return float(value)

    def whole(self, node: yaml.Node, field: str, low: int, high: int) -> int:
        value = self.scalar(node)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(node, field, f"{field} must be a whole number from {low} to {high}; got {self._shown(node)}")
        return value

    def name(self, node: yaml.Node, field: str, what: str) -> str:
        value = self.scalar(node)
        if not isinstance(value, str) or not _NAME.match(value):
            raise self.fail(node, field, f"{what} must start with a letter and use only letters, digits and '_'; got {self._shown(node)}")
        if value in _RESERVED or value.startswith(_RESERVED_PREFIXES):
            reserved = ", ".join(sorted(_RESERVED))
            prefixes = ", ".join(_RESERVED_PREFIXES)
            raise self.fail(node, field, f"{what} {value!r} is reserved for the chapter's own quantities: avoid {reserved} and names starting with {prefixes}")
        return value

    def choice(self, node: yaml.Node, field: str, allowed: tuple[str, ...]) -> str:
        value = self.scalar(node)
        if value not in allowed:
            names = ", ".join(repr(a) for a in allowed)
            raise self.fail(node, field, f"{field.split('.')[-1]} must be one of {names}; got {self._shown(node)}")
        return str(value)

    def _shown(self, node: yaml.Node) -> str:
        return repr(self.scalar(node)) if isinstance(node, yaml.ScalarNode) else self._kind(node)

    @staticmethod
    def _kind(node: yaml.Node) -> str:
        if isinstance(node, yaml.MappingNode):
            return "a mapping"
        if isinstance(node, yaml.SequenceNode):
            return "a list"
        return f"the value {node.value!r}"


def _syntax_error(source: str, text: str, line: int, reason: str) -> DescriptionError:
    """A located error for text that is not YAML or JSON at all: the field is the nearest key above."""
    field = "(before the first field)"
    for previous in reversed(text.splitlines()[:line]):
        match = re.match(r'^\s*-?\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*:', previous)
        if match:
            field = match.group(1)
            break
    return DescriptionError(source, line, field, f"not valid {reason}")


def _compose(text: str, source: str) -> yaml.Node:
    if source.endswith(".json"):
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            raise _syntax_error(source, text, error.lineno, f"JSON: {error.msg}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = f"YAML: {error.problem or error.context}"
        context = error.context_mark.line + 1 if error.context_mark is not None else line
        if error.context and context < line:
            # An unclosed bracket is noticed lines later; the field is where the bracket opened.
            located = _syntax_error(source, text, context, reason)
            raise DescriptionError(source, line, located.field, f"{located.problem} ({error.context} that starts on line {context})") from None
        raise _syntax_error(source, text, line, reason) from None
    except yaml.YAMLError as error:  # errors without a position (rare: bad encodings)
        raise DescriptionError(source, 1, "(whole file)", f"not valid YAML: {error}") from None
    if node is None:
        raise DescriptionError(source, 1, "(whole file)", f"the description is empty; it needs the fields {', '.join(REQUIRED_FIELDS)}")
    return node


def parse_description(text: str, source: str = "<description>") -> NetworkDescription:
    """Check a description given as YAML or JSON text; ``source`` names it in error messages.

    Raises :class:`DescriptionError` (a ``ValueError``) at the first problem found.
    """
    read = _Reader(source, text)
    root = _compose(text, source)
    top = read.mapping(root, "", "the description must be a mapping of fields such as 'title:' and 'layers:'")
    for key, (key_node, _) in top.items():
        if key not in FIELDS:
            raise read.fail(key_node, key, f"unknown field {key!r}; the fields are {', '.join(FIELDS)}")
    for key in REQUIRED_FIELDS:
        if key not in top:
            raise read.fail(root, key, f"missing field {key!r}; a description needs {', '.join(REQUIRED_FIELDS)}")
    lines = {key: key_node.start_mark.line + 1 for key, (key_node, _) in top.items()}

    title = read.text(top["title"][1], "title")
    about = read.text(top["about"][1], "about") if "about" in top else ""

    inputs_node = top["inputs"][1]
    input_entries = read.mapping(inputs_node, "inputs", "inputs must map each input's name to its value, e.g. {x1: 0.5, x2: 1.0}")
    if not input_entries:
        raise read.fail(inputs_node, "inputs", "inputs must name at least one input")
    inputs: dict[str, float] = {}
    for name, (key_node, value_node) in input_entries.items():
        read.name(key_node, f"inputs.{name}", "an input name")
        inputs[name] = read.number(value_node, f"inputs.{name}")

    layers, params, units = _read_layers(read, top["layers"][1], inputs, lines)

    loss_field = top["loss"][1]
    loss = read.choice(loss_field, "loss", tuple(LOSSES))
    output_layer = layers[-1]
    if get_loss(loss).targets_are_probabilities and output_layer.activation != "sigmoid":
        raise read.fail(loss_field, "loss", f"loss {loss!r} needs outputs in (0, 1): the last layer's activation must be 'sigmoid'; got {output_layer.activation!r}")

    target_node = top["target"][1]
    target = read.number(target_node, "target")
    if get_loss(loss).targets_are_probabilities and not 0.0 <= target <= 1.0:
        raise read.fail(target_node, "target", f"target must lie in [0, 1] for {loss}; got {target:g}")

    rate_node = top["learning_rate"][1]
    learning_rate = read.number(rate_node, "learning_rate", "a number > 0")
    if learning_rate <= 0:
        raise read.fail(rate_node, "learning_rate", f"learning_rate must be a number > 0; got {learning_rate:g}")
    epochs = read.whole(top["epochs"][1], "epochs", 1, MAX_EPOCHS)
    digits = read.whole(top["digits"][1], "digits", 1, MAX_DIGITS) if "digits" in top else 4

    if "explore" in top:
        explore = read.choice(top["explore"][1], "explore", tuple(params))
    else:
        explore = output_layer.weights[0][0]  # the output neuron's first weight: every path ends there

    description = NetworkDescription(
        title=title, inputs=inputs, layers=tuple(layers), params=params, loss=loss, target=target,
        learning_rate=learning_rate, epochs=epochs, digits=digits, explore=explore, about=about,
        source=source, lines=lines,
    )
    try:  # the library's own checks, as a last line of defence; everything above should catch it first
        description.example()
    except (TypeError, ValueError) as error:
        raise read.fail(top["layers"][0], "layers", str(error)) from None
    return description


def _read_layers(read: _Reader, node: yaml.Node, inputs: dict[str, float], lines: dict[str, int]):
    entries = read.sequence(node, "layers", "layers must be a list with one entry per layer, each starting with '- activation:'")
    if not entries:
        raise read.fail(node, "layers", "layers must contain at least the output layer")
    previous = list(inputs)
    units = {name: "inputs" for name in inputs}
    params: dict[str, float] = {}
    layers: list[Layer] = []
    for k, layer_node in enumerate(entries):
        where = f"layers[{k}]"
        fields = read.mapping(layer_node, where, f"{where} must be a mapping with activation, weights and optionally biases or shared_bias")
        for key, (key_node, _) in fields.items():
            if key not in LAYER_FIELDS:
                raise read.fail(key_node, f"{where}.{key}", f"unknown field {key!r}; a layer has {', '.join(LAYER_FIELDS)}")
        for key in ("activation", "weights"):
            if key not in fields:
                raise read.fail(layer_node, f"{where}.{key}", f"missing field {key!r}; each layer needs activation and weights")
        activation = read.choice(fields["activation"][1], f"{where}.activation", tuple(ACTIVATIONS))

        weights_node = fields["weights"][1]
        rows = read.mapping(weights_node, f"{where}.weights", "weights must map each neuron's name to its incoming weights, e.g. h1: {w11: 0.5, w12: -0.2}")
        if not rows:
            raise read.fail(weights_node, f"{where}.weights", "weights must name at least one neuron")
        neurons, weight_names = [], []
        for neuron, (neuron_node, row_node) in rows.items():
            at = f"{where}.weights.{neuron}"
            read.name(neuron_node, at, "a neuron name")
            _claim(read, neuron_node, at, neuron, units, params, f"{where}.weights")
            row = read.mapping(row_node, at, f"the weights into {neuron} must map each weight's name to its value, one per unit of the previous layer ({', '.join(previous)})")
            if len(row) != len(previous):
                raise read.fail(
                    row_node, at,
                    f"neuron {neuron!r} must have {len(previous)} weights, one per unit of the previous layer "
                    f"({', '.join(previous)}); got {len(row)} ({', '.join(row) or 'none'})",
                )
            names = []
            for weight, (weight_node, value_node) in row.items():
                read.name(weight_node, f"{at}.{weight}", "a weight name")
                _claim(read, weight_node, f"{at}.{weight}", weight, units, params, at)
                params[weight] = read.number(value_node, f"{at}.{weight}")
                names.append(weight)
            neurons.append(neuron)
            weight_names.append(tuple(names))

        bias: None | str | tuple[str, ...] = None
        if "biases" in fields and "shared_bias" in fields:
            raise read.fail(fields["shared_bias"][0], f"{where}.shared_bias", "give either biases (one per neuron) or shared_bias (one for the layer), not both")
        if "biases" in fields:
            bias_node = fields["biases"][1]
            biases = read.mapping(bias_node, f"{where}.biases", f"biases must map one bias name per neuron ({', '.join(neurons)}) to its value")
            if len(biases) != len(neurons):
                raise read.fail(bias_node, f"{where}.biases", f"biases must give one bias per neuron ({', '.join(neurons)}), in that order; got {len(biases)}")
            for name, (key_node, value_node) in biases.items():
                read.name(key_node, f"{where}.biases.{name}", "a bias name")
                _claim(read, key_node, f"{where}.biases.{name}", name, units, params, f"{where}.biases")
                params[name] = read.number(value_node, f"{where}.biases.{name}")
            bias = tuple(biases)
        elif "shared_bias" in fields:
            bias_node = fields["shared_bias"][1]
            shared = read.mapping(bias_node, f"{where}.shared_bias", "shared_bias must give one name and value, e.g. {b1: 0.35}")
            if len(shared) != 1:
                raise read.fail(bias_node, f"{where}.shared_bias", f"shared_bias must give exactly one name and value (it is added to every neuron of the layer); got {len(shared)}")
            ((name, (key_node, value_node)),) = shared.items()
            read.name(key_node, f"{where}.shared_bias.{name}", "a bias name")
            _claim(read, key_node, f"{where}.shared_bias.{name}", name, units, params, f"{where}.shared_bias")
            params[name] = read.number(value_node, f"{where}.shared_bias.{name}")
            bias = name
        layers.append(Layer(tuple(neurons), activation, tuple(weight_names), bias))
        previous = neurons
    if len(layers[-1].neurons) != 1:
        raise read.fail(
            entries[-1], f"layers[{len(layers) - 1}].weights",
            f"the last layer is the output and must have exactly one neuron (the chapter quotes one prediction ŷ); got {len(layers[-1].neurons)}",
        )
    return layers, params, units


def _claim(read: _Reader, node: yaml.Node, field: str, name: str, units: dict[str, str], params: dict[str, float], owner: str) -> None:
    """Refuse a name already used by an input, a neuron or a parameter."""
    if name in units or name in params:
        used = units.get(name, "a parameter")
        raise read.fail(node, field, f"the name {name!r} is already used ({used}); every input, neuron, weight and bias needs its own name")
    units[name] = owner


def load_description(path: str | Path) -> NetworkDescription:
    """Read and check a description file (``.yaml``, ``.yml`` or ``.json``)."""
    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise ValueError(f"description must be a .yaml, .yml or .json file; got {str(path)!r}")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"description file {str(path)!r} does not exist") from None
    return parse_description(text, str(path))
