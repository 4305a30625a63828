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

Limits, so that every chapter builds and executes in well under a minute (the sympy twin of a
deeper or wider network takes far longer; see :mod:`backproplib.authoring.chapter_settings`):
at most 4 inputs, 3 layers (two hidden and the output), 4 neurons in a layer and 32 weights and
biases in all; every value (input, weight, bias, target) within ±1000; a learning rate in
(0, 10]; 1 to 5000 epochs; 1 to 10 digits; names of at most 24 characters (letters, digits and
'_', starting with a letter; Python keywords such as ``lambda`` are fine); a file of at most
20,000 bytes, UTF-8 encoded.

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
backproplib.authoring.description.DescriptionError: linear.yaml, line 5, field layers[0].activation:
activation must be one of 'sigmoid', 'relu', 'tanh', 'identity'; got 'softplus'
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..checking.examples import Example
from ..engine.activations import ACTIVATIONS
from ..engine.losses import LOSSES, get_loss
from ..engine.network import Layer, Network
from ..engine.symbolic import check_symbolic_size
from . import chapter_settings as limits

__all__ = [
    "DescriptionError", "NetworkDescription", "parse_description", "load_description", "FIELDS", "MAX_BYTES",
    "MAX_NAME",
]

# Top-level fields: required ones first, then optional ones with their meaning.
REQUIRED_FIELDS = ("title", "inputs", "layers", "loss", "target", "learning_rate", "epochs")
OPTIONAL_FIELDS = ("about", "digits", "explore")
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
LAYER_FIELDS = ("activation", "weights", "biases", "shared_bias")
MAX_BYTES = 20_000  # a description at the size limits below takes about 3,000 bytes
MAX_NAME = 24  # characters in a name: it appears in table headers and formulas
MAX_TEXT = {"title": 200, "about": 2000}

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
            key=key,
            title=self.title,
            source=self.source,
            network=self.network(),
            params=dict(self.params),
            x=dict(self.inputs),
            y=self.target,
            learning_rate=self.learning_rate,
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
            key = self.scalar(key_node, field or "(key)")
            if not isinstance(key, str):
                raise self.fail(key_node, field, f"keys must be names; got {self._shown(key_node)}")
            if key in entries:
                first = entries[key][0].start_mark.line + 1
                raise self.fail(
                    key_node, f"{field}.{key}" if field else key, f"{key!r} is given twice (first on line {first})"
                )
            entries[key] = (key_node, value_node)
        return entries

    def sequence(self, node: yaml.Node, field: str, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, field, f"{what}; got {self._kind(node)}")
        return list(node.value)

    def scalar(self, node: yaml.Node, field: str = "(value)") -> object:
        if not isinstance(node, yaml.ScalarNode):
            return node
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError):  # e.g. an integer of thousands of digits
            raise self.fail(node, field, f"{field} cannot be read; got {self._raw(node)}") from None

    def text(self, node: yaml.Node, field: str, longest: int) -> str:
        value = self.scalar(node, field)
        if not isinstance(value, str) or not value.strip() or len(value) > longest:
            raise self.fail(node, field, f"{field} must be text of 1 to {longest} characters; got {self._shown(node)}")
        if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
            raise self.fail(
                node, field, f"{field} must be printable text (no control characters); got {self._shown(node)}"
            )
        return " ".join(value.split())

    def number(
        self, node: yaml.Node, field: str, low: float = -limits.MAX_VALUE, high: float = limits.MAX_VALUE
    ) -> float:
        """A number in [low, high]; the message states the range."""
        value = self.scalar(node, field)
        if isinstance(value, str):
            try:  # YAML 1.1 reads 1e-3 (no dot) as text; accept it as the number it plainly is
                value = float(value)
            except ValueError:
                pass
        if isinstance(value, int) and not isinstance(value, bool):
            value = float(value) if abs(value) <= 10**300 else math.inf  # 400 digits: too large, no OverflowError
        if not isinstance(value, float) or not math.isfinite(value) or not low <= value <= high:
            raise self.fail(node, field, f"{field} must be a number from {low:g} to {high:g}; got {self._shown(node)}")
        return value

    def whole(self, node: yaml.Node, field: str, low: int, high: int) -> int:
        value = self.scalar(node, field)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(
                node, field, f"{field} must be a whole number from {low} to {high}; got {self._shown(node)}"
            )
        return value

    def name(self, node: yaml.Node, field: str, what: str) -> str:
        value = self.scalar(node, field)
        if not isinstance(value, str) or not _NAME.match(value) or len(value) > MAX_NAME:
            raise self.fail(
                node,
                field,
                (
                    f"{what} must start with a letter and use only letters, digits "
                    f"and '_', at most {MAX_NAME} characters; got {self._shown(node)}"
                ),
            )
        if value in _RESERVED or value.startswith(_RESERVED_PREFIXES):
            reserved = ", ".join(sorted(_RESERVED))
            prefixes = ", ".join(_RESERVED_PREFIXES)
            raise self.fail(
                node,
                field,
                (
                    f"{what} {value!r} is reserved for the chapter's own "
                    f"quantities: avoid {reserved} and names starting with {prefixes}"
                ),
            )
        return value

    def choice(self, node: yaml.Node, field: str, allowed: tuple[str, ...]) -> str:
        value = self.scalar(node, field)
        if value not in allowed:
            names = ", ".join(repr(a) for a in allowed)
            raise self.fail(node, field, f"{field.split('.')[-1]} must be one of {names}; got {self._shown(node)}")
        return str(value)

    def _shown(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            return self._kind(node)
        try:
            shown = repr(self.scalar(node))
        except DescriptionError:
            return self._raw(node)
        return shown if len(shown) <= 60 else self._raw(node)

    @staticmethod
    def _raw(node: yaml.ScalarNode) -> str:
        """The value as written, shortened: a 400-digit number is shown by its start and length."""
        text = str(node.value)
        return repr(text) if len(text) <= 60 else f"{text[:20]!r}... ({len(text)} characters)"

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
            raise DescriptionError(
                source, line, located.field, f"{located.problem} ({error.context} that starts on line {context})"
            ) from None
        raise _syntax_error(source, text, line, reason) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow, such as NUL
        line = text.count("\n", 0, error.position) + 1
        located = _syntax_error(source, text, line, "")
        raise DescriptionError(
            source,
            line,
            located.field,
            (
                "the text holds a character YAML does not allow "
                f"(U+{int(error.character) if isinstance(error.character, int) else ord(error.character):04X})"
                "; remove it"
            ),
        ) from None
    except yaml.YAMLError as error:  # errors without a position
        raise DescriptionError(source, 1, "(whole file)", f"not valid YAML: {error}") from None
    if node is None:
        raise DescriptionError(
            source, 1, "(whole file)", f"the description is empty; it needs the fields {', '.join(REQUIRED_FIELDS)}"
        )
    return node


def parse_description(text: str, source: str = "<description>") -> NetworkDescription:
    """Check a description given as YAML or JSON text; ``source`` names it in error messages.

    Raises :class:`DescriptionError` (a ``ValueError``) at the first problem found.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be the description as a str; got {type(text).__name__}")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise DescriptionError(
            source, 1, "(whole file)",
            f"the description is larger than {MAX_BYTES:,} bytes; a description within the size limits needs far less",
        )
    root = _compose(text, source)
    read = _Reader(source, text)
    top = _top_fields(read, root)
    lines = {key: key_node.start_mark.line + 1 for key, (key_node, _) in top.items()}
    inputs = _read_inputs(read, top["inputs"][1])
    layers, params = _read_layers(read, top["layers"][1], inputs)
    loss, target = _read_loss_and_target(read, top, layers[-1])
    rate_node = top["learning_rate"][1]
    learning_rate = read.number(rate_node, "learning_rate", 0.0, limits.MAX_LEARNING_RATE)
    if learning_rate == 0:
        raise read.fail(
            rate_node,
            "learning_rate",
            f"learning_rate must be a number > 0 and at most {limits.MAX_LEARNING_RATE:g}; got 0",
        )
    if "explore" in top:
        explore = read.choice(top["explore"][1], "explore", tuple(params))
    else:
        explore = layers[-1].weights[0][0]  # the output neuron's first weight: every path ends there
    description = NetworkDescription(
        title=read.text(top["title"][1], "title", MAX_TEXT["title"]),
        about=read.text(top["about"][1], "about", MAX_TEXT["about"]) if "about" in top else "",
        inputs=inputs,
        layers=tuple(layers),
        params=params,
        loss=loss,
        target=target,
        learning_rate=learning_rate,
        epochs=read.whole(top["epochs"][1], "epochs", 1, limits.MAX_EPOCHS),
        digits=read.whole(top["digits"][1], "digits", 1, limits.MAX_DIGITS) if "digits" in top else 4,
        explore=explore,
        source=source,
        lines=lines,
    )
    try:  # the library's own checks, as a last line of defence; everything above should catch it first
        description.example()
    except (TypeError, ValueError) as error:
        raise read.fail(top["layers"][0], "layers", str(error)) from None
    try:  # a chapter writes sympy's derivatives out: the twin must accept the network written out
        check_symbolic_size(description.network(), written_out=True)
    except ValueError as error:
        raise read.fail(
            top["layers"][0], "layers", f"the chapter cannot show this network's derivatives: {error}"
        ) from None
    return description


def _top_fields(read: _Reader, root: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """The top-level fields, every one known and every required one present."""
    top = read.mapping(root, "", "the description must be a mapping of fields such as 'title:' and 'layers:'")
    for key, (key_node, _) in top.items():
        if key not in FIELDS:
            raise read.fail(key_node, key, f"unknown field {key!r}; the fields are {', '.join(FIELDS)}")
    for key in REQUIRED_FIELDS:
        if key not in top:
            raise read.fail(root, key, f"missing field {key!r}; a description needs {', '.join(REQUIRED_FIELDS)}")
    return top


def _read_inputs(read: _Reader, node: yaml.Node) -> dict[str, float]:
    entries = read.mapping(node, "inputs", "inputs must map each input's name to its value, e.g. {x1: 0.5, x2: 1.0}")
    if not 1 <= len(entries) <= limits.MAX_INPUTS:
        raise read.fail(node, "inputs", f"inputs must name 1 to {limits.MAX_INPUTS} inputs; got {len(entries)}")
    inputs: dict[str, float] = {}
    for name, (key_node, value_node) in entries.items():
        read.name(key_node, f"inputs.{name}", "an input name")
        inputs[name] = read.number(value_node, f"inputs.{name}")
    return inputs


def _read_loss_and_target(read: _Reader, top: dict, output_layer: Layer) -> tuple[str, float]:
    loss_node, target_node = top["loss"][1], top["target"][1]
    loss = read.choice(loss_node, "loss", tuple(LOSSES))
    probabilities = get_loss(loss).targets_are_probabilities
    if probabilities and output_layer.activation != "sigmoid":
        raise read.fail(
            loss_node,
            "loss",
            (
                f"loss {loss!r} needs outputs in (0, 1): the last layer's "
                f"activation must be 'sigmoid'; got {output_layer.activation!r}"
            ),
        )
    if probabilities:
        return loss, read.number(target_node, "target", 0.0, 1.0)
    return loss, read.number(target_node, "target")


class _Names:
    """Every name given so far (inputs, neurons, weights, biases), so that each is used once."""

    def __init__(self, read: _Reader, inputs: dict[str, float]) -> None:
        self.read = read
        self.owners = {name: "an input" for name in inputs}

    def claim(self, node: yaml.Node, field: str, what: str, owner: str) -> str:
        name = self.read.name(node, field, what)
        if name in self.owners:
            raise self.read.fail(
                node,
                field,
                (
                    f"the name {name!r} is already used ({self.owners[name]}); "
                    "every input, neuron, weight and bias needs its own name"
                ),
            )
        self.owners[name] = owner
        return name


def _read_layers(read: _Reader, node: yaml.Node, inputs: dict[str, float]) -> tuple[list[Layer], dict[str, float]]:
    entries = read.sequence(
        node, "layers", "layers must be a list with one entry per layer, each starting with '- activation:'"
    )
    if not 1 <= len(entries) <= limits.MAX_LAYERS:
        raise read.fail(
            node,
            "layers",
            f"layers must list 1 to {limits.MAX_LAYERS} layers (the last is the output layer); got {len(entries)}",
        )
    names, params, layers, previous = _Names(read, inputs), {}, [], list(inputs)
    for k, layer_node in enumerate(entries):
        layer = _read_layer(read, layer_node, f"layers[{k}]", previous, names, params)
        if len(params) > limits.MAX_PARAMETERS:
            raise read.fail(
                layer_node,
                f"layers[{k}]",
                (
                    f"a description may have at most {limits.MAX_PARAMETERS} weights "
                    f"and biases in all; the layers up to this one have {len(params)}"
                ),
            )
        layers.append(layer)
        previous = list(layer.neurons)
    if len(layers[-1].neurons) != 1:
        raise read.fail(
            entries[-1],
            f"layers[{len(layers) - 1}].weights",
            (
                "the last layer is the output and must have exactly one neuron (the "
                f"chapter quotes one prediction ŷ); got {len(layers[-1].neurons)}"
            ),
        )
    return layers, params


def _read_layer(
    read: _Reader, node: yaml.Node, where: str, previous: list[str], names: _Names, params: dict[str, float]
) -> Layer:
    fields = read.mapping(
        node, where, f"{where} must be a mapping with activation, weights and optionally biases or shared_bias"
    )
    for key, (key_node, _) in fields.items():
        if key not in LAYER_FIELDS:
            raise read.fail(key_node, f"{where}.{key}", f"unknown field {key!r}; a layer has {', '.join(LAYER_FIELDS)}")
    for key in ("activation", "weights"):
        if key not in fields:
            raise read.fail(node, f"{where}.{key}", f"missing field {key!r}; each layer needs activation and weights")
    if "biases" in fields and "shared_bias" in fields:
        raise read.fail(
            fields["shared_bias"][0],
            f"{where}.shared_bias",
            "give either biases (one per neuron) or shared_bias (one for the layer), not both",
        )
    activation = read.choice(fields["activation"][1], f"{where}.activation", tuple(ACTIVATIONS))
    neurons, weights = _read_weights(read, fields["weights"][1], f"{where}.weights", previous, names, params)
    bias: None | str | tuple[str, ...] = None
    if "biases" in fields:
        bias = _read_biases(read, fields["biases"][1], f"{where}.biases", neurons, names, params)
    elif "shared_bias" in fields:
        (bias,) = _read_biases(
            read, fields["shared_bias"][1], f"{where}.shared_bias", neurons, names, params, shared=True
        )
    return Layer(tuple(neurons), activation, tuple(weights), bias)


def _read_weights(
    read: _Reader, node: yaml.Node, at: str, previous: list[str], names: _Names, params: dict[str, float]
) -> tuple[list[str], list[tuple[str, ...]]]:
    """The layer's neurons, and for each the names of its incoming weights (values go into ``params``)."""
    rows = read.mapping(
        node, at, "weights must map each neuron's name to its incoming weights, e.g. h1: {w11: 0.5, w12: -0.2}"
    )
    if not 1 <= len(rows) <= limits.MAX_NEURONS:
        raise read.fail(node, at, f"a layer must have 1 to {limits.MAX_NEURONS} neurons; got {len(rows)}")
    neurons, weights = [], []
    units = ", ".join(previous)
    for neuron, (neuron_node, row_node) in rows.items():
        field = f"{at}.{neuron}"
        neurons.append(names.claim(neuron_node, field, "a neuron name", at))
        row = read.mapping(
            row_node,
            field,
            (
                f"the weights into {neuron} must map each weight's name to "
                f"its value, one per unit of the previous layer ({units})"
            ),
        )
        if len(row) != len(previous):
            raise read.fail(
                row_node,
                field,
                (
                    f"neuron {neuron!r} must have {len(previous)} weights, one per unit of "
                    f"the previous layer ({units}); got {len(row)} ({', '.join(row) or 'none'})"
                ),
            )
        for weight, (weight_node, value_node) in row.items():
            names.claim(weight_node, f"{field}.{weight}", "a weight name", field)
            params[weight] = read.number(value_node, f"{field}.{weight}")
        weights.append(tuple(row))
    return neurons, weights


def _read_biases(
    read: _Reader, node: yaml.Node, at: str, neurons: list[str], names: _Names, params: dict[str, float],
    shared: bool = False,
) -> tuple[str, ...]:
    """The layer's bias names (values go into ``params``): one per neuron, or ``shared`` by all of them."""
    if shared:
        what, count = (
            (
                "shared_bias must give exactly one name and value (it "
                "is added to every neuron of the layer), e.g. {b1: 0.35}"
            ),
            1,
        )
    else:
        what, count = f"biases must give one bias per neuron ({', '.join(neurons)}), in that order", len(neurons)
    biases = read.mapping(node, at, what)
    if len(biases) != count:
        raise read.fail(node, at, f"{what}; got {len(biases)}")
    for name, (key_node, value_node) in biases.items():
        names.claim(key_node, f"{at}.{name}", "a bias name", at)
        params[name] = read.number(value_node, f"{at}.{name}")
    return tuple(biases)


def load_description(path: str | Path) -> NetworkDescription:
    """Read and check a description file (``.yaml``, ``.yml`` or ``.json``, UTF-8, at most MAX_BYTES)."""
    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise ValueError(f"description must be a .yaml, .yml or .json file; got {str(path)!r}")
    if path.is_dir():
        raise ValueError(f"description must be a file; {str(path)!r} is a folder")
    if not path.is_file():
        raise ValueError(f"description file {str(path)!r} does not exist")
    if path.stat().st_size > MAX_BYTES:
        raise DescriptionError(
            str(path),
            1,
            "(whole file)",
            (
                f"the description is larger than {MAX_BYTES:,} bytes "
                f"({path.stat().st_size:,}); a description within the size limits needs far less"
            ),
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        text = data.decode("utf-8", errors="replace")
        line = data.count(b"\n", 0, error.start) + 1
        located = _syntax_error(str(path), text, line, "")
        raise DescriptionError(
            str(path),
            line,
            located.field,
            (
                f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} "
                "on this line); save it with the UTF-8 encoding"
            ),
        ) from None
    return parse_description(text.removeprefix("\ufeff"), str(path))
