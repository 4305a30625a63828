"""The network description: names and wiring only, no numbers.

One description drives the numeric pass (:mod:`backproplib.engine.numeric`), the sympy
derivation (:mod:`backproplib.engine.symbolic`) and the renderers, so they can never
disagree about which weight connects what.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence, Union

import numpy as np

from .activations import get_activation
from .losses import get_loss

__all__ = ["Layer", "Network", "layered_network"]

_NAME = re.compile(r"^[A-Za-z0-9_]+$")
BiasSpec = Union[None, str, Sequence[str]]


def _check_name(name: object, what: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"{what} must be a non-empty name of letters, digits and '_'; got {name!r}")
    return name


@dataclass(frozen=True)
class Layer:
    """One layer of neurons.

    Parameters
    ----------
    neurons
        Names of the layer's neurons, e.g. ``("h1", "h2")``.
    activation
        One of ``"sigmoid"``, ``"relu"``, ``"tanh"``, ``"identity"``.
    weights
        ``weights[j][i]`` names the weight from unit ``i`` of the previous layer into neuron ``j``.
    bias
        ``None`` for no bias; a single name for **one bias shared by every neuron of the layer**;
        a sequence of names for one bias per neuron.

    Examples
    --------
    >>> Layer(("h1", "h2"), "sigmoid", (("w1", "w2"), ("w3", "w4")), bias="b1").bias_of(1)
    'b1'
    """

    neurons: tuple[str, ...]
    activation: str
    weights: tuple[tuple[str, ...], ...]
    bias: BiasSpec = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "neurons", tuple(_check_name(n, "neuron name") for n in self.neurons))
        if not self.neurons:
            raise ValueError("neurons must name at least one neuron; got an empty list")
        get_activation(self.activation)
        rows = tuple(tuple(_check_name(w, "weight name") for w in row) for row in self.weights)
        if len(rows) != len(self.neurons):
            raise ValueError(
                f"weights must have one row per neuron ({len(self.neurons)} rows for {list(self.neurons)}); "
                f"got {len(rows)} rows"
            )
        object.__setattr__(self, "weights", rows)
        if self.bias is not None and not isinstance(self.bias, str):
            biases = tuple(_check_name(b, "bias name") for b in self.bias)
            if len(biases) != len(self.neurons):
                raise ValueError(
                    f"bias must be None, one name shared by the layer, or one name per neuron "
                    f"({len(self.neurons)}); got {len(biases)} names"
                )
            object.__setattr__(self, "bias", biases)
        elif isinstance(self.bias, str):
            _check_name(self.bias, "bias name")

    @property
    def shared_bias(self) -> bool:
        """True when one bias is added to every neuron of the layer."""
        return isinstance(self.bias, str)

    def bias_of(self, j: int) -> str | None:
        """Name of the bias added to neuron ``j`` (``None`` if it has none)."""
        if self.bias is None:
            return None
        return self.bias if isinstance(self.bias, str) else self.bias[j]

    def parameters(self) -> list[str]:
        """Names of this layer's parameters: weights row by row, then biases (each once)."""
        names = [w for row in self.weights for w in row]
        for j in range(len(self.neurons)):
            b = self.bias_of(j)
            if b is not None and b not in names:
                names.append(b)
        return names


@dataclass(frozen=True)
class Network:
    """A fully connected feed-forward network and its loss.

    Examples
    --------
    >>> net = Network(
    ...     inputs=("x",),
    ...     layers=(Layer(("h",), "relu", (("w1",),)), Layer(("o",), "sigmoid", (("w2",),))),
    ...     loss="binary_cross_entropy",
    ... )
    >>> net.parameters
    ('w1', 'w2')
    >>> print(net)
    Network x -> h -> o, loss binary_cross_entropy
      h = relu(w1·x)
      o = sigmoid(w2·h)
    """

    inputs: tuple[str, ...]
    layers: tuple[Layer, ...]
    loss: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(_check_name(x, "input name") for x in self.inputs))
        object.__setattr__(self, "layers", tuple(self.layers))
        if not self.inputs:
            raise ValueError("inputs must name at least one input; got an empty list")
        if not self.layers:
            raise ValueError("layers must contain at least one Layer; got none")
        get_loss(self.loss)
        previous = self.inputs
        seen_units = set(self.inputs)
        for k, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{k}] must be a Layer; got {type(layer).__name__}")
            for j, row in enumerate(layer.weights):
                if len(row) != len(previous):
                    raise ValueError(
                        f"weights of neuron {layer.neurons[j]!r} in layers[{k}] must have one name per unit "
                        f"of the previous layer {list(previous)}; got {len(row)}"
                    )
            clash = seen_units & set(layer.neurons)
            if clash:
                raise ValueError(f"neuron names must be unique; {sorted(clash)} used twice")
            seen_units |= set(layer.neurons)
            previous = layer.neurons
        if get_loss(self.loss).targets_are_probabilities and self.layers[-1].activation != "sigmoid":
            raise ValueError(
                f"loss {self.loss!r} needs outputs in (0, 1): the output layer's activation must be "
                f"'sigmoid'; got {self.layers[-1].activation!r}"
            )
        params = [p for layer in self.layers for p in layer.parameters()]
        duplicates = {p for p in params if params.count(p) > 1}
        if duplicates:
            raise ValueError(f"parameter names must be unique; {sorted(duplicates)} used twice")
        clash = seen_units & set(params)
        if clash:
            raise ValueError(f"parameter names must differ from unit names; {sorted(clash)} used for both")

    @property
    def parameters(self) -> tuple[str, ...]:
        """Every parameter name, layer by layer."""
        return tuple(p for layer in self.layers for p in layer.parameters())

    @property
    def outputs(self) -> tuple[str, ...]:
        """Names of the output neurons."""
        return self.layers[-1].neurons

    @property
    def neurons(self) -> tuple[str, ...]:
        """Names of every neuron that computes something (hidden and output)."""
        return tuple(n for layer in self.layers for n in layer.neurons)

    def units_before(self, k: int) -> tuple[str, ...]:
        """Units that feed layer ``k`` (the inputs for ``k == 0``)."""
        return self.inputs if k == 0 else self.layers[k - 1].neurons

    def __str__(self) -> str:
        chain = " -> ".join([", ".join(self.inputs)] + [", ".join(l.neurons) for l in self.layers])
        lines = [f"Network {chain}, loss {self.loss}"]
        for k, layer in enumerate(self.layers):
            feeds = self.units_before(k)
            for j, neuron in enumerate(layer.neurons):
                terms = [f"{w}·{u}" for w, u in zip(layer.weights[j], feeds)]
                bias = layer.bias_of(j)
                if bias is not None:
                    terms.append(bias + (" (shared)" if layer.shared_bias and len(layer.neurons) > 1 else ""))
                lines.append(f"  {neuron} = {layer.activation}({' + '.join(terms)})")
        return "\n".join(lines)

    # -- checking numbers against the description ---------------------------------
    def check_parameters(self, params: Mapping[str, object]) -> dict[str, np.ndarray]:
        """Return ``params`` as float arrays after checking names and values.

        >>> net = layered_network(1, [1], ["identity"], "half_squared_error")
        >>> net.check_parameters({"w1_1_1": 2.0, "b1_1": 0.5, "w_typo": 1})
        Traceback (most recent call last):
        ...
        ValueError: unknown parameter 'w_typo'; the parameters are 'w1_1_1', 'b1_1'
        """
        if not isinstance(params, Mapping):
            raise TypeError(f"params must be a mapping of parameter name to value; got {type(params).__name__}")
        allowed = ", ".join(repr(p) for p in self.parameters)
        for name in params:
            if name not in self.parameters:
                raise ValueError(f"unknown parameter {name!r}; the parameters are {allowed}")
        missing = [p for p in self.parameters if p not in params]
        if missing:
            raise ValueError(f"params is missing {', '.join(repr(m) for m in missing)}; the parameters are {allowed}")
        return {p: _finite_array(params[p], f"parameter {p!r}") for p in self.parameters}

    def check_inputs(self, x: Mapping[str, object] | Sequence[object] | float) -> dict[str, np.ndarray]:
        """Return the inputs as ``{name: array}``; ``x`` may be a mapping or a sequence in input order."""
        if isinstance(x, Mapping):
            unknown = [k for k in x if k not in self.inputs]
            if unknown or len(x) != len(self.inputs):
                raise ValueError(f"x must give exactly the inputs {list(self.inputs)}; got {list(x)}")
            return {name: _finite_array(x[name], f"input {name!r}") for name in self.inputs}
        values = [x] if np.ndim(x) == 0 and len(self.inputs) == 1 else list(x)  # type: ignore[arg-type]
        if len(values) != len(self.inputs):
            raise ValueError(f"x must have {len(self.inputs)} values, one per input {list(self.inputs)}; got {len(values)}")
        return {name: _finite_array(v, f"input {name!r}") for name, v in zip(self.inputs, values)}

    def check_targets(self, y: Mapping[str, object] | Sequence[object] | float) -> list[np.ndarray]:
        """Return the targets as a list with one array per output neuron."""
        if isinstance(y, Mapping):
            if set(y) != set(self.outputs):
                raise ValueError(f"y must give exactly the outputs {list(self.outputs)}; got {list(y)}")
            values = [y[o] for o in self.outputs]
        else:
            values = [y] if np.ndim(y) == 0 else list(y)  # type: ignore[arg-type]
        if len(values) != len(self.outputs):
            raise ValueError(f"y must have {len(self.outputs)} values, one per output {list(self.outputs)}; got {len(values)}")
        targets = [_finite_array(v, f"target y for {o!r}") for v, o in zip(values, self.outputs)]
        if get_loss(self.loss).targets_are_probabilities:
            for t, o in zip(targets, self.outputs):
                if np.any((t < 0) | (t > 1)):
                    raise ValueError(f"target y for {o!r} must lie in [0, 1] for {self.loss}; got {t}")
        return targets


def _finite_array(value: object, what: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a real number or an array of them; got {value!r}") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} must be finite (no NaN or infinity); got {value!r}")
    return array


def layered_network(
    n_inputs: int,
    widths: Sequence[int],
    activations: Sequence[str],
    loss: str,
    biases: str = "per_neuron",
) -> Network:
    """Build a network with generated names, for experiments and tests.

    Inputs are ``x1..xn``; neuron ``j`` of layer ``k`` is ``n{k}_{j}``; the weight from unit ``i``
    into it is ``w{k}_{j}_{i}`` and its bias ``b{k}_{j}`` (or ``b{k}`` when ``biases="shared"``).

    >>> print(layered_network(2, [1], ["sigmoid"], "mean_squared_error", biases="none"))
    Network x1, x2 -> n1_1, loss mean_squared_error
      n1_1 = sigmoid(w1_1_1·x1 + w1_1_2·x2)
    """
    if biases not in ("per_neuron", "shared", "none"):
        raise ValueError(f"biases must be one of 'per_neuron', 'shared', 'none'; got {biases!r}")
    if len(widths) != len(activations):
        raise ValueError(f"activations must have one entry per layer ({len(widths)}); got {len(activations)}")
    previous = [f"x{i}" for i in range(1, n_inputs + 1)]
    inputs = tuple(previous)
    layers = []
    for k, (width, activation) in enumerate(zip(widths, activations), start=1):
        neurons = [f"n{k}_{j}" for j in range(1, width + 1)]
        weights = [[f"w{k}_{j}_{i}" for i in range(1, len(previous) + 1)] for j in range(1, width + 1)]
        bias: BiasSpec = {"none": None, "shared": f"b{k}", "per_neuron": [f"b{k}_{j}" for j in range(1, width + 1)]}[biases]
        layers.append(Layer(tuple(neurons), activation, tuple(map(tuple, weights)), bias))
        previous = neurons
    return Network(inputs, tuple(layers), loss)
