"""The network description (names and wiring, no numbers) and the checks on what users pass.

One description drives the numeric pass (:mod:`backproplib.engine.numeric`), the sympy
derivation (:mod:`backproplib.engine.symbolic`) and the renderers, so they can never
disagree about which weight connects what.

Three rules, each enforced in one place here:

- **Names** (:data:`NAME_RULE`): a name starts with an ASCII letter, then letters, digits or '_',
  at most :data:`MAX_NAME_LENGTH` characters (the YAML descriptions check the same characters). A
  name accepted here works in the sympy twin, as a LaTeX subscript and in generated code.
- **Sharing** (:data:`SHARING_RULE`): every name occurs exactly once in the description. A bias
  shared by all neurons of a layer is written once, ``bias="b"``; a repeated name anywhere (a
  weight reused, ``bias=("b", "b")``, a bias named like a weight) is an error saying where each
  occurrence is. Sharing is therefore always visible in the description, never an accident.
- **Values**: parameters, inputs and targets are real numbers (int, float, numpy integer or
  floating scalars) or arrays of them, finite, and broadcast together. Strings, truth values,
  complex numbers, dates and ``None`` are refused with a TypeError naming the value, rather than
  converted: ``"0.5"`` or ``True`` read as numbers hide a mistake.

Trade-off: a :class:`Network` is frozen, so its parameter tuple and a name → position index are
built once in ``__post_init__``; every check is then linear in the number of names (a
10,000-parameter network used to spend half a minute in quadratic lookups).
"""
from __future__ import annotations

import functools
import math
import numbers
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar, Union

import numpy as np

from .activations import ACTIVATIONS, get_activation
from .losses import LOSSES, get_loss

__all__ = [
    "MAX_NAME_LENGTH",
    "MAX_SETTINGS",
    "NAME_PATTERN",
    "NAME_RULE",
    "SHARING_RULE",
    "Layer",
    "Network",
    "checked_call",
    "layered_network",
]

MAX_NAME_LENGTH = 64
NAME_RULE = f"a name starts with an ASCII letter, then letters, digits or '_', at most {MAX_NAME_LENGTH} characters"
SHARING_RULE = (
    "every name occurs once in the description: inputs, neurons and parameters are all different, "
    "and a bias shared by the neurons of a layer is written once, as bias='b'"
)
# One call's arrays broadcast to at most this many settings: 80 MB per intermediate array. Far
# beyond any sweep or grid in the book, and small enough that a mistaken (N, 1) x (1, N) grid
# fails at once with a message instead of exhausting memory.
MAX_SETTINGS = 10_000_000
# NAME_RULE as a pattern, for fullmatch (``match`` with ``$`` would let a trailing newline through).
NAME_PATTERN = re.compile(rf"[A-Za-z][A-Za-z0-9_]{{0,{MAX_NAME_LENGTH - 1}}}")
BiasSpec = Union[None, str, Sequence[str]]


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _listing(names: Sequence[object], limit: int = 12) -> str:
    """``'a', 'b', 'c'``; a long list shows its start and its length."""
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown}, … ({len(names):,} in all)"


def _check_name(name: object, what: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a name (a str; {NAME_RULE}); got {type(name).__name__} {_short(name)}")
    if not NAME_PATTERN.fullmatch(name):
        raise ValueError(f"{what} must follow the naming rule ({NAME_RULE}); got {_short(name)}")
    return str(name)


def _items(value: object, what: str, items: str) -> tuple:
    """The entries of a tuple, list or array, in order. A string, set or mapping is refused:
    ``("wa",)`` read as two names ``w`` and ``a``, or a set's arbitrary order, would go unnoticed."""
    if isinstance(value, (str, bytes)):
        raise TypeError(
            f"{what} must be a sequence of {items}, not one string; got {value!r} (write ({value!r},) for one)"
        )
    if isinstance(value, (AbstractSet, Mapping)):
        why = "a set has no order" if isinstance(value, AbstractSet) else "a mapping is not a sequence"
        raise TypeError(f"{what} must be a tuple or list of {items} in order; got a {type(value).__name__} ({why})")
    if isinstance(value, np.ndarray) and value.ndim >= 1 or isinstance(value, Sequence):
        return tuple(value)
    raise TypeError(f"{what} must be a tuple or list of {items}; got {type(value).__name__} {_short(value)}")


def _choice(value: object, what: str, options: Mapping[str, object]) -> str:
    if not isinstance(value, str):
        allowed = ", ".join(repr(k) for k in options)
        raise TypeError(f"{what} must be one of {allowed}; got {type(value).__name__} {_short(value)}")
    return str(value)


def _refuse_repeats(places: Iterable[tuple[str, str]]) -> None:
    """Raise if a name occurs at more than one place; ``places`` yields (name, where)."""
    where: dict[str, list[str]] = {}
    for name, place in places:
        where.setdefault(name, []).append(place)
    repeated = [(name, spots) for name, spots in where.items() if len(spots) > 1]
    if repeated:
        details = "; ".join(f"{name!r} is {' and '.join(spots)}" for name, spots in repeated[:5])
        more = f" (and {len(repeated) - 5} more names)" if len(repeated) > 5 else ""
        raise ValueError(f"names must be unique ({SHARING_RULE}); {details}{more}")


@dataclass(frozen=True)
class Layer:
    """One layer of neurons.

    Names follow :data:`NAME_RULE` and occur once (:data:`SHARING_RULE`): a layer cannot use a
    weight name twice, or name a bias like one of its weights.

    Parameters
    ----------
    neurons
        Names of the layer's neurons, a tuple or list, e.g. ``("h1", "h2")``.
    activation
        One of ``"sigmoid"``, ``"relu"``, ``"tanh"``, ``"identity"``.
    weights
        ``weights[j][i]`` names the weight from unit ``i`` of the previous layer into neuron ``j``:
        a tuple of rows, each a tuple of names (``(("w",),)`` for one weight, never ``("w",)``).
    bias
        ``None`` for no bias; a single name for **one bias shared by every neuron of the layer**;
        a sequence of different names for one bias per neuron.

    Examples
    --------
    >>> Layer(("h1", "h2"), "sigmoid", (("w1", "w2"), ("w3", "w4")), bias="b1").bias_of(1)
    'b1'
    >>> Layer(("h1", "h2"), "sigmoid", (("w1",), ("w2",)), bias=("b", "b"))
    Traceback (most recent call last):
    ...
    ValueError: names must be unique (every name occurs once ... as bias='b'); 'b' is bias[0] and bias[1]
    """

    neurons: tuple[str, ...]
    activation: str
    weights: tuple[tuple[str, ...], ...]
    bias: BiasSpec = None

    def __post_init__(self) -> None:
        neurons = tuple(
            _check_name(n, f"neurons[{j}]") for j, n in enumerate(_items(self.neurons, "neurons", "neuron names"))
        )
        if not neurons:
            raise ValueError("neurons must name at least one neuron; got an empty list")
        activation = _choice(self.activation, "activation", ACTIVATIONS)
        get_activation(activation)  # raises ValueError naming the allowed activations
        rows = _items(self.weights, "weights", "rows of weight names")
        if len(rows) != len(neurons):
            raise ValueError(
                f"weights must have one row per neuron ({len(neurons)} rows for {list(neurons)}); got {len(rows)} rows"
            )
        weights = tuple(
            tuple(
                _check_name(w, f"weights[{j}][{i}]") for i, w in enumerate(_items(row, f"weights[{j}]", "weight names"))
            )
            for j, row in enumerate(rows)
        )
        bias: BiasSpec = self.bias
        if isinstance(bias, str):
            bias = _check_name(bias, "bias")
        elif bias is not None:
            bias = tuple(_check_name(b, f"bias[{j}]") for j, b in enumerate(_items(bias, "bias", "bias names")))
            if len(bias) != len(neurons):
                raise ValueError(
                    (
                        "bias must be None, one name shared by the layer, or one "
                        f"name per neuron ({len(neurons)}); got {len(bias)} names"
                    )
                )
        for field, value in (("neurons", neurons), ("activation", activation), ("weights", weights), ("bias", bias)):
            object.__setattr__(self, field, value)
        _refuse_repeats(self.places())
        names = [w for row in weights for w in row] + ([bias] if isinstance(bias, str) else list(bias or ()))
        object.__setattr__(self, "_parameters", tuple(names))

    def places(self, prefix: str = "") -> Iterator[tuple[str, str]]:
        """Every name of the layer with where it stands, e.g. ``("w3", "weights[1][0]")``."""
        for j, n in enumerate(self.neurons):
            yield n, f"{prefix}neurons[{j}]"
        for j, row in enumerate(self.weights):
            for i, w in enumerate(row):
                yield w, f"{prefix}weights[{j}][{i}]"
        if isinstance(self.bias, str):
            yield self.bias, f"{prefix}bias"
        elif self.bias is not None:
            for j, b in enumerate(self.bias):
                yield b, f"{prefix}bias[{j}]"

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
        return list(self._parameters)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Network:
    """A fully connected feed-forward network and its loss.

    Names follow :data:`NAME_RULE` and are unique across inputs, neurons and parameters
    (:data:`SHARING_RULE`); a parameter therefore enters the network at exactly one place, except a
    layer's shared bias (``bias="b"``), which enters every neuron of that layer.

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
    >>> Network("x1", net.layers, "binary_cross_entropy")
    Traceback (most recent call last):
    ...
    TypeError: inputs must be a sequence of input names, not one string; got 'x1' (write ('x1',) for one)
    """

    inputs: tuple[str, ...]
    layers: tuple[Layer, ...]
    loss: str

    def __post_init__(self) -> None:
        inputs = tuple(
            _check_name(x, f"inputs[{i}]") for i, x in enumerate(_items(self.inputs, "inputs", "input names"))
        )
        if isinstance(self.layers, Layer):
            raise TypeError("layers must be a sequence of Layer; got one Layer (write (layer,) for one)")
        layers = _items(self.layers, "layers", "Layers")
        if not inputs:
            raise ValueError("inputs must name at least one input; got an empty list")
        if not layers:
            raise ValueError("layers must contain at least one Layer; got none")
        loss = _choice(self.loss, "loss", LOSSES)
        for field, value in (("inputs", inputs), ("layers", layers), ("loss", loss)):
            object.__setattr__(self, field, value)
        get_loss(loss)  # raises ValueError naming the allowed losses
        for k, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{k}] must be a Layer; got {type(layer).__name__}")
            previous = self.units_before(k)
            for j, row in enumerate(layer.weights):
                if len(row) != len(previous):
                    raise ValueError(
                        f"weights of neuron {layer.neurons[j]!r} in layers[{k}] must have one name per unit "
                        f"of the previous layer {list(previous)}; got {len(row)}"
                    )
        if get_loss(loss).targets_are_probabilities and layers[-1].activation != "sigmoid":
            raise ValueError(
                f"loss {loss!r} needs outputs in (0, 1): the output layer's activation must be "
                f"'sigmoid'; got {layers[-1].activation!r}"
            )
        inputs_at = ((x, f"inputs[{i}]") for i, x in enumerate(inputs))
        _refuse_repeats(
            [*inputs_at, *(place for k, layer in enumerate(layers) for place in layer.places(f"layers[{k}]."))]
        )
        parameters = tuple(p for layer in layers for p in layer.parameters())
        object.__setattr__(self, "_parameters", parameters)
        object.__setattr__(self, "_index", {p: i for i, p in enumerate(parameters)})
        object.__setattr__(self, "_neurons", tuple(n for layer in layers for n in layer.neurons))

    @property
    def parameters(self) -> tuple[str, ...]:
        """Every parameter name, layer by layer (built once: the description is frozen)."""
        return self._parameters  # type: ignore[attr-defined]

    @property
    def outputs(self) -> tuple[str, ...]:
        """Names of the output neurons."""
        return self.layers[-1].neurons

    @property
    def neurons(self) -> tuple[str, ...]:
        """Names of every neuron that computes something (hidden and output)."""
        return self._neurons  # type: ignore[attr-defined]

    def units_before(self, k: int) -> tuple[str, ...]:
        """Units that feed layer ``k`` (the inputs for ``k == 0``)."""
        return self.inputs if k == 0 else self.layers[k - 1].neurons

    def __str__(self) -> str:
        chain = " -> ".join([", ".join(self.inputs)] + [", ".join(layer.neurons) for layer in self.layers])
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
    def check_parameter_name(self, name: object, what: str = "parameter") -> str:
        """Return ``name`` if it names a parameter of this network; otherwise say which do.

        ``what`` is the argument's name in the caller's signature, used in the message.

        >>> net = layered_network(1, [1], ["identity"], "half_squared_error")
        >>> net.check_parameter_name("w1_1_1")
        'w1_1_1'
        >>> net.check_parameter_name("v")
        Traceback (most recent call last):
        ...
        ValueError: unknown parameter 'v'; the parameters are 'w1_1_1', 'b1_1'
        """
        if isinstance(name, str) and name in self._index:  # type: ignore[attr-defined]
            return name
        raise ValueError(f"unknown {what} {_short(name)}; the parameters are {_listing(self.parameters)}")

    def check_parameters(self, params: Mapping[str, object]) -> dict[str, np.ndarray]:
        """Return ``params`` as float arrays after checking names and values.

        >>> net = layered_network(1, [1], ["identity"], "half_squared_error")
        >>> net.check_parameters({"w1_1_1": 2.0, "b1_1": 0.5, "w_typo": 1})
        Traceback (most recent call last):
        ...
        ValueError: unknown parameter 'w_typo'; the parameters are 'w1_1_1', 'b1_1'
        >>> net.check_parameters({"w1_1_1": "2.0", "b1_1": 0.5})
        Traceback (most recent call last):
        ...
        TypeError: parameter 'w1_1_1' must be a real number or an array of real numbers; got the str '2.0'
        """
        if not isinstance(params, Mapping):
            raise TypeError(f"params must be a mapping of parameter name to value; got {type(params).__name__}")
        for name in params:
            self.check_parameter_name(name)
        if len(params) != len(self.parameters):
            missing = [p for p in self.parameters if p not in params]
            raise ValueError(f"params is missing {_listing(missing)}; the parameters are {_listing(self.parameters)}")
        return {p: _real_array(params[p], "parameter", p) for p in self.parameters}

    def check_inputs(self, x: object) -> dict[str, np.ndarray]:
        """Return the inputs as ``{name: array}``.

        ``x`` is a mapping ``{input name: value}``, a sequence with one entry per input in order,
        or (for a one-input network) one value. Each entry is a number or an array of its own;
        the entries broadcast together (``[np.linspace(0, 1, 5), 1.0]`` is five settings).

        >>> net = layered_network(2, [1], ["identity"], "half_squared_error")
        >>> {k: v.shape for k, v in net.check_inputs([np.linspace(0, 1, 5), 1.0]).items()}
        {'x1': (5,), 'x2': ()}
        >>> net.check_inputs(0.5)
        Traceback (most recent call last):
        ...
        ValueError: x must have 2 values, one per input ['x1', 'x2']; got one number, 0.5
        """
        values = _per_unit(x, self.inputs, "x", "input")
        return {name: _real_array(v, "input", name) for name, v in zip(self.inputs, values)}

    def check_targets(self, y: object) -> list[np.ndarray]:
        """Return the targets as a list with one array per output neuron.

        ``y`` takes the same forms as ``x`` in :meth:`check_inputs`, keyed by output neuron.
        """
        values = _per_unit(y, self.outputs, "y", "output")
        targets = [_real_array(v, "target y for", o) for v, o in zip(values, self.outputs)]
        if get_loss(self.loss).targets_are_probabilities:
            for t, o in zip(targets, self.outputs):
                if np.any((t < 0) | (t > 1)):
                    raise ValueError(f"target y for {o!r} must lie in [0, 1] for {self.loss}; got {t}")
        return targets

    def check_call(
        self, params: Mapping[str, object], x: object, y: object
    ) -> tuple[dict, dict, list, tuple[int, ...]]:
        """Check everything one pass needs: parameters, inputs, targets, and that they broadcast.

        Returns the checked parameters, inputs and targets and their common shape.

        >>> net = layered_network(1, [1], ["identity"], "half_squared_error")
        >>> net.check_call({"w1_1_1": np.zeros(3), "b1_1": 0.0}, [np.zeros(4)], 1.0)
        Traceback (most recent call last):
        ...
        ValueError: the values cannot broadcast to one shape (...): shape (3,) for parameter 'w1_1_1';
        shape (4,) for input 'x1'
        """
        checked, inputs, targets = self.check_parameters(params), self.check_inputs(x), self.check_targets(y)
        return checked, inputs, targets, _common_shape(_named_values(self, checked, inputs, targets))


def _per_unit(given: object, units: tuple[str, ...], argument: str, kind: str) -> list[object]:
    """The raw value for each of ``units`` from a mapping, a sequence in unit order, or one number."""
    if isinstance(given, Mapping):
        known = set(units)
        for key in given:
            if not (isinstance(key, str) and key in known):
                raise ValueError(f"unknown {kind} {_short(key)} in {argument}; the {kind}s are {_listing(units)}")
        missing = [u for u in units if u not in given]
        if missing:
            raise ValueError(f"{argument} is missing {_listing(missing)}; the {kind}s are {_listing(units)}")
        return [given[u] for u in units]
    if isinstance(given, (str, bytes, AbstractSet)) or not (
        _is_number(given) or isinstance(given, (Sequence, np.ndarray))
    ):
        order = "a set has no order; " if isinstance(given, AbstractSet) else ""
        raise TypeError(
            f"{argument} must be a number, a sequence with one value per {kind} in order, or a mapping of {kind} name "
            f"to value; {order}got {type(given).__name__} {_short(given)}"
        )
    values = [given] if _is_number(given) else list(given)  # type: ignore[arg-type]
    if len(values) != len(units):
        got = f"one number, {_short(given)}" if _is_number(given) else f"{len(values)}"
        hint = ""
        if isinstance(given, np.ndarray) and len(units) == 1:
            hint = f"; to give {units[0]!r} several values at once, pass [array] or {{{units[0]!r}: array}}"
        raise ValueError(
            (
                f"{argument} must have {len(units)} value{'s' * (len(units) > 1)}, "
                f"one per {kind} {list(units)}; got {got}{hint}"
            )
        )
    return values


def _is_number(value: object) -> bool:
    """A single value: a Python or numpy scalar, or a 0-d array (its type is checked later)."""
    return isinstance(value, (numbers.Number, np.generic)) or (isinstance(value, np.ndarray) and value.ndim == 0)


_KINDS = {"b": "truth values", "c": "complex numbers", "M": "dates", "m": "time spans", "U": "strings", "S": "bytes"}


def _named_values(network: Network, params: dict, inputs: dict, targets: list) -> Iterator[tuple[str, str, np.ndarray]]:
    """(kind, name, array) for every value of one call, for messages that say which value is wrong."""
    yield from (("parameter", n, v) for n, v in params.items())
    yield from (("input", n, v) for n, v in inputs.items())
    yield from (("target y for", o, t) for o, t in zip(network.outputs, targets))


def _real_array(value: object, kind: str, name: str) -> np.ndarray:
    """``value`` as a finite float64 array; anything but real numbers is a TypeError naming the
    ``kind`` and ``name`` of the value (the message is only formatted when it is needed)."""
    # Fast paths first: a 10,000-parameter network is checked several times per backward pass.
    if type(value) is float or type(value) is np.float64:
        array, finite = np.array(value), math.isfinite(value)
    elif type(value) is np.ndarray and value.dtype.char == "d":  # a float array, or a value already checked
        array, finite = value, math.isfinite(value) if value.ndim == 0 else bool(np.isfinite(value).all())
    else:
        array = _as_float(value, f"{kind} {name!r}")
        finite = bool(np.isfinite(array).all())
    if not finite:
        raise ValueError(f"{kind} {name!r} must be finite (no NaN or infinity); got {_short(value)}")
    return array


def _as_float(value: object, what: str) -> np.ndarray:
    refuse = f"{what} must be a real number or an array of real numbers; got"
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{refuse} the truth value {value!r}")
    if _is_real_scalar(value):
        candidate = value
    elif isinstance(value, np.generic):  # a numpy scalar of another kind: datetime64, timedelta64, complex128
        raise TypeError(f"{refuse} the {type(value).__name__} {_short(value)}")
    elif isinstance(value, (list, tuple, np.ndarray)) or hasattr(value, "__array__"):
        candidate = _array_of_reals(value, refuse)
    else:
        raise TypeError(f"{refuse} the {type(value).__name__} {_short(value)}")
    try:
        with np.errstate(over="raise", invalid="raise"):
            return np.asarray(candidate, dtype=float)
    except (OverflowError, FloatingPointError):
        raise ValueError(f"{what} is too large for float64 (beyond ±1.8e308); got {_short(value)}") from None


def _array_of_reals(value: object, refuse: str) -> np.ndarray:
    try:
        array = np.asarray(value)
    except ValueError:  # nested lists of different lengths
        raise TypeError(f"{refuse} nested sequences of different lengths: {_short(value)}") from None
    if array.dtype.kind not in "iufO":
        raise TypeError(f"{refuse} an array of {_KINDS.get(array.dtype.kind, array.dtype.name)}: {_short(value)}")
    # numpy reads [True, 0.5] as [1.0, 0.5] and [None, 1] as objects: look at every entry of a list.
    if (array.dtype.kind == "O" or isinstance(value, (list, tuple))) and not _all_real(value):
        container = "an array" if isinstance(value, np.ndarray) else f"a {type(value).__name__}"
        raise TypeError(f"{refuse} {container} with entries that are not real numbers: {_short(value)}")
    return array


def _all_real(value: object) -> bool:
    """True when every entry of a (nested) list, tuple or array is a real number, bools excluded."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind != "O":
            return value.dtype.kind in "iuf"
        return all(_all_real(v) for v in value.flat)
    if isinstance(value, (list, tuple)):
        return all(_all_real(v) for v in value)
    if hasattr(value, "__array__"):
        return _all_real(np.asarray(value))
    return _is_real_scalar(value)


def _is_real_scalar(value: object) -> bool:
    """A Python or numpy real number; not a truth value, and not timedelta64 (a numpy integer subclass)."""
    if isinstance(value, np.generic):
        return value.dtype.kind in "iuf"
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _common_shape(named: Iterable[tuple[str, str, np.ndarray]]) -> tuple[int, ...]:
    """The shape the arrays broadcast to; the error names the arrays of each clashing shape."""
    holders: dict[tuple[int, ...], list[str]] = {}
    for kind, name, array in named:
        if array.ndim:
            holders.setdefault(array.shape, []).append(f"{kind} {name!r}")
    try:
        shape = np.broadcast_shapes(*holders)
    except ValueError:
        details = "; ".join(
            f"shape {s} for {', '.join(labels[:3])}{' …' if len(labels) > 3 else ''}" for s, labels in holders.items()
        )
        raise ValueError(
            f"the values cannot broadcast to one shape (each axis must agree or be 1): {details}"
        ) from None
    size = int(np.prod(shape, dtype=float))
    if size > MAX_SETTINGS:
        raise ValueError(
            (
                f"the values broadcast to shape {shape}, {size:,} settings; "
                f"one call takes at most {MAX_SETTINGS:,}: split it"
            )
        )
    return shape


F = TypeVar("F", bound=Callable)
# The public function the user called: backward runs forward inside, and an overflow there is
# reported as backward's, the name the user knows.
_ENTRY: ContextVar[str | None] = ContextVar("backproplib_entry", default=None)


def checked_call(function: F) -> F:
    """Decorate a public pass ``function(network, params, x, y, ...)``: check the arguments first,
    then run it with numpy's overflow and invalid operations raised as a ValueError.

    The body receives checked values (float arrays that broadcast). An overflow anywhere becomes
    a ValueError naming the largest values given, never a RuntimeWarning and a silent inf or NaN.
    Underflow stays ignored: a sigmoid at z = -1000 is 0 to float64's precision, which is right.
    """

    @functools.wraps(function)
    def call(
        network: Network, params: Mapping[str, object], x: object, y: object, *args: object, **kwargs: object
    ) -> object:
        if not isinstance(network, Network):
            raise TypeError(f"network must be a Network; got {type(network).__name__}")
        checked, inputs, targets, _ = network.check_call(params, x, y)
        token = _ENTRY.set(_ENTRY.get() or function.__name__)
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
                return function(network, checked, inputs, targets, *args, **kwargs)
        except (FloatingPointError, OverflowError) as error:
            raise ValueError(_overflow_message(str(_ENTRY.get()), error, network, checked, inputs, targets)) from None
        finally:
            _ENTRY.reset(token)

    return call  # type: ignore[return-value]


def _overflow_message(entry: str, error: Exception, network: Network, params: dict, inputs: dict, targets: list) -> str:
    sizes = (
        (f"{kind} {name!r}", float(np.max(np.abs(v))))
        for kind, name, v in _named_values(network, params, inputs, targets)
    )
    largest = sorted(sizes, key=lambda item: -item[1])[:3]
    named = ", ".join(f"{label} = {size:.3g}" for label, size in largest)
    return (
        f"{entry}: these settings overflow float64 (numpy: {error}); the largest values given are {named} "
        f"(in absolute value): make the largest smaller"
    )


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
        bias: BiasSpec = {"none": None, "shared": f"b{k}", "per_neuron": [f"b{k}_{j}" for j in range(1, width + 1)]}[
            biases
        ]
        layers.append(Layer(tuple(neurons), activation, tuple(map(tuple, weights)), bias))
        previous = neurons
    return Network(inputs, tuple(layers), loss)
