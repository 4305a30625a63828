"""Numeric forward pass, backward pass and chain-rule paths: the teaching path.

Every quantity is a numpy array that broadcasts: give one parameter an array of 100
values and every z, a, loss and gradient comes back with 100 values. The same code
therefore serves a single worked example and a whole loss curve.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from .activations import get_activation
from .compiled import compile_gradients
from .losses import get_loss
from .network import Network, checked_call

__all__ = [
    "ForwardPass",
    "BackwardPass",
    "Factor",
    "ChainRule",
    "forward",
    "backward",
    "chain_rule",
    "chain_rules",
    "loss_and_gradients",
]

Params = Mapping[str, object]


@dataclass
class ForwardPass:
    """Everything the forward pass computed.

    ``a`` holds the inputs and every neuron's activation; ``z`` every neuron's weighted sum.
    """

    network: Network
    params: dict[str, np.ndarray]
    a: dict[str, np.ndarray]
    z: dict[str, np.ndarray]
    targets: list[np.ndarray]
    loss: np.ndarray

    @property
    def outputs(self) -> list[np.ndarray]:
        """The prediction ŷ, one array per output neuron."""
        return [self.a[o] for o in self.network.outputs]


@dataclass
class BackwardPass:
    """Local derivatives and gradients from one backward pass.

    ``dL_dyhat[o]`` is ∂L/∂ŷ for output ``o``; ``da_dz[n]`` the activation's slope at neuron ``n``;
    ``dL_da[n]`` the loss gradient reaching neuron ``n``; ``delta[n]`` = ∂L/∂z_n;
    ``gradients[p]`` = ∂L/∂p for every parameter.
    """

    forward: ForwardPass
    dL_dyhat: dict[str, np.ndarray]
    da_dz: dict[str, np.ndarray]
    dL_da: dict[str, np.ndarray]
    delta: dict[str, np.ndarray]
    gradients: dict[str, np.ndarray]

    @property
    def loss(self) -> np.ndarray:
        return self.forward.loss


@checked_call
def forward(network: Network, params: Params, x: object, y: object) -> ForwardPass:
    """Run the network on input ``x`` and score it against target ``y``.

    With n output neurons the loss is half the squared error summed over them, or the mean squared
    error or cross-entropy averaged over them (1/n); :meth:`backproplib.engine.losses.Loss.formula`
    writes each out. Cross-entropy on sigmoid outputs is computed from z, exact at every finite z.

    Examples
    --------
    One sigmoid neuron, z = w·x + b, scored by half the squared error:

    >>> from backproplib.engine.network import Layer
    >>> neuron = Network(("x",), (Layer(("o",), "sigmoid", (("w",),), bias="b"),), "half_squared_error")
    >>> f = forward(neuron, {"w": 2.0, "b": -1.0}, [1.0], 0.0)
    >>> float(f.z["o"]), round(float(f.a["o"]), 4), round(float(f.loss), 4)
    (1.0, 0.7311, 0.2672)
    """
    p = network.check_parameters(params)
    a: dict[str, np.ndarray] = dict(network.check_inputs(x))
    targets = network.check_targets(y)
    z: dict[str, np.ndarray] = {}
    for k, layer in enumerate(network.layers):
        act = get_activation(layer.activation)
        feeds = network.units_before(k)
        for j, neuron in enumerate(layer.neurons):
            terms = [p[w] * a[u] for w, u in zip(layer.weights[j], feeds)]
            bias = layer.bias_of(j)
            if bias is not None:
                terms.append(p[bias])
            z[neuron] = np.asarray(_total(terms), dtype=float)
            a[neuron] = act.function(z[neuron])
    # Cross-entropy on a sigmoid output is scored from z (softplus(z) − y·z): exact where ŷ has
    # rounded to 0 or 1. Every other loss is scored from ŷ.
    loss = get_loss(network.loss)
    from_z = loss.from_z_on(network.layers[-1].activation)
    scored = [(z if from_z else a)[o] for o in network.outputs]
    return ForwardPass(network, p, a, z, targets, np.asarray((from_z or loss).value(scored, targets), dtype=float))


@checked_call
def backward(network: Network, params: Params, x: object, y: object, keep_intermediates: bool = True) -> BackwardPass:
    """Forward pass, then walk the layers backwards applying the chain rule.

    Nothing accumulates between calls: the same arguments give the same result. With
    ``keep_intermediates=False`` each layer's z, a, slopes and deltas are dropped as soon as the
    walk has passed it, and only the loss and the gradients are returned, which saves memory on
    large batches. For batches, :func:`loss_and_gradients` is faster still: the same arithmetic
    written out for the network.

    Cross-entropy on a sigmoid output: each output's ``delta`` is the exact (σ(z) − y)/n, not the
    product ``dL_dyhat · da_dz`` (ŷ rounds to 1 beyond z ≈ 37). ``dL_dyhat`` keeps its meaning,
    (ŷ − y)/(ŷ(1 − ŷ))/n, computed from z; it is ±inf (silently) where it overflows, beyond |z| ≈ 709.8;
    ``da_dz`` is σ′(z) = ŷ(1 − ŷ), 0 once ŷ rounds to 1.

    Examples
    --------
    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> b = backward(ex.network, ex.params, ex.x, ex.y)
    >>> round(float(b.gradients["w5"]), 5), round(float(b.gradients["b1"]), 5)
    (0.08217, 0.02836)
    """
    fwd = forward(network, params, x, y)
    p, a, z = fwd.params, fwd.a, fwd.z
    loss = get_loss(network.loss)
    # cross-entropy on a sigmoid output: ∂L/∂ŷ and the exact δ = (σ(z) − y)/n, both from z
    from_z, z_out = loss.from_z_on(network.layers[-1].activation), [z[o] for o in network.outputs]
    dL_dyhat = dict(
        zip(network.outputs, from_z.dL_dyhat(z_out, fwd.targets) if from_z else loss.gradient(fwd.outputs, fwd.targets))
    )
    exact_delta = dict(zip(network.outputs, from_z.delta(z_out, fwd.targets))) if from_z else {}
    dL_da: dict[str, np.ndarray] = dict(dL_dyhat)
    da_dz: dict[str, np.ndarray] = {}
    delta: dict[str, np.ndarray] = {}
    contributions: dict[str, list[np.ndarray]] = {name: [] for name in network.parameters}
    for k in reversed(range(len(network.layers))):
        layer = network.layers[k]
        act = get_activation(layer.activation)
        feeds = network.units_before(k)
        for j, neuron in enumerate(layer.neurons):
            da_dz[neuron] = act.derivative(z[neuron], a[neuron])
            # not ∂L/∂ŷ·σ′ for the exact output δ: both factors round or overflow at saturation
            delta[neuron] = exact_delta[neuron] if neuron in exact_delta else dL_da[neuron] * da_dz[neuron]
            for w, u in zip(layer.weights[j], feeds):
                contributions[w].append(delta[neuron] * a[u])  # ∂z/∂w = incoming activation
            bias = layer.bias_of(j)
            if bias is not None:
                contributions[bias].append(delta[neuron])  # ∂z/∂b = 1; a shared bias sums
        if k > 0:  # the inputs' own gradients are never needed
            for i, u in enumerate(feeds):
                dL_da[u] = _total([delta[n] * p[layer.weights[j][i]] for j, n in enumerate(layer.neurons)])
        if not keep_intermediates:
            for store in (a, z, da_dz, delta, dL_da):
                for n in layer.neurons:
                    store.pop(n, None)
    gradients = {name: _total(terms) for name, terms in contributions.items()}
    return BackwardPass(fwd, dL_dyhat, da_dz, dL_da, delta, gradients)


def _total(terms: list[np.ndarray]) -> np.ndarray:
    """Sum without starting from 0, which would cost one more pass over a large batch."""
    if len(terms) == 1:
        return terms[0]
    total = terms[0] + terms[1]  # a new array: the terms themselves are kept elsewhere
    for term in terms[2:]:
        if np.shape(term) == np.shape(total) or np.broadcast_shapes(np.shape(total), np.shape(term)) == np.shape(total):
            total += term
        else:  # the batch grows here (shapes (4, 1) and (1, 3) meet): adding in place cannot hold it
            total = total + term
    return total


@dataclass(frozen=True)
class Factor:
    """One factor ∂of/∂wrt of a chain-rule product, with its value.

    ``of`` and ``wrt`` are symbol names: ``"L"``, ``"a_h1"``, ``"z_h1"``, or a parameter name.
    """

    of: str
    wrt: str
    value: float
    meaning: str


@dataclass
class ChainRule:
    """The chain-rule paths from the loss to one parameter.

    ``paths`` holds one list of :class:`Factor` per route through the network; a shared bias or a
    parameter behind several outputs has more than one. The gradient is the sum over paths of the
    product of the factors.

    ``products`` holds each path's product as the backward pass computed it: from the output's
    δ = ∂L/∂z, not from the two factors ∂L/∂ŷ · ∂ŷ/∂z shown for it. The two agree to rounding, but
    for cross-entropy on a saturated sigmoid the shown pair is ∞ · 0 or a rounded-away slope, while
    δ = σ(z) − y stays exact. (Empty when the rule was written by hand: then the factors multiply.)
    """

    parameter: str
    paths: list[list[Factor]] = field(default_factory=list)
    products: list[float] = field(default_factory=list)

    def path_products(self) -> list[float]:
        if len(self.products) == len(self.paths):
            return list(self.products)
        return [float(np.prod([f.value for f in path])) for path in self.paths]

    @property
    def gradient(self) -> float:
        return float(sum(self.path_products()))


def _where_used(network: Network) -> dict[str, list[tuple[int, int, str | None]]]:
    """For every parameter, (layer, neuron, feeding unit) at each place it enters a weighted sum.

    The feeding unit is ``None`` for a bias. One walk over the network serves every parameter.
    """
    places: dict[str, list[tuple[int, int, str | None]]] = {name: [] for name in network.parameters}
    for k, layer in enumerate(network.layers):
        feeds = network.units_before(k)
        for j in range(len(layer.neurons)):
            for w, u in zip(layer.weights[j], feeds):
                places[w].append((k, j, u))
            bias = layer.bias_of(j)
            if bias is not None:
                places[bias].append((k, j, None))
    return places


def chain_rule(network: Network, params: Params, x: object, y: object, parameter: str) -> ChainRule:
    """Write ∂L/∂``parameter`` as the documents do: a product of local derivatives per path.

    This runs one backward pass; to write the rule of several parameters, run :func:`backward`
    once and give it to :func:`chain_rules`.

    Examples
    --------
    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> rule = chain_rule(ex.network, ex.params, ex.x, ex.y, "w1")
    >>> [f"d{f.of}/d{f.wrt}" for f in rule.paths[0]]
    ['dL/da_out', 'da_out/dz_out', 'dz_out/da_h1', 'da_h1/dz_h1', 'dz_h1/dw1']
    >>> len(chain_rule(ex.network, ex.params, ex.x, ex.y, "b1").paths)
    2
    """
    network.check_parameter_name(parameter)
    return chain_rules(backward(network, params, x, y), [parameter])[parameter]


def chain_rules(passes: BackwardPass, parameters: list[str] | None = None) -> dict[str, ChainRule]:
    """The chain rule of every parameter (or of ``parameters``) from one computed backward pass.

    Each path's factors are read off ``passes``: nothing is recomputed, and the paths from the loss
    down to each neuron are found once and shared by every parameter that enters that neuron.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> rules = chain_rules(backward(ex.network, ex.params, ex.x, ex.y))
    >>> sorted(rules) == sorted(ex.network.parameters), round(rules["b1"].gradient, 6)
    (True, 0.028364)
    """
    network = passes.forward.network
    names = list(network.parameters) if parameters is None else list(parameters)
    for name in names:
        network.check_parameter_name(name)
    if any(np.ndim(v) for v in passes.gradients.values()):
        raise ValueError("chain_rules needs the backward pass of one setting, not of arrays of them")
    if any(n not in passes.da_dz for n in network.neurons):
        raise ValueError("chain_rules needs a backward pass run with keep_intermediates=True")
    paths_to = _paths_from_loss(passes)
    a, layer_of = passes.forward.a, {n: k for k, layer in enumerate(network.layers) for n in layer.neurons}
    places = _where_used(network)
    rules = {}
    for name in names:
        rule = ChainRule(name)
        for k, j, unit in places[name]:
            neuron = network.layers[k].neurons[j]
            if unit is None:
                last = Factor(f"z_{neuron}", name, 1.0, "bias enters z directly")
            else:
                meaning = f"activation {unit}" if unit in layer_of else f"input {unit}"
                last = Factor(f"z_{neuron}", name, float(a[unit]), meaning)
            for path, value in paths_to[neuron]:
                rule.paths.append(path + [last])
                rule.products.append(value * last.value)
        rules[name] = rule
    return rules


def _paths_from_loss(passes: BackwardPass) -> dict[str, list[tuple[list[Factor], float]]]:
    """For every neuron, each path of factors from the loss down to its z (loss end first), with the
    path's product so far: it starts from the output's δ (see :class:`ChainRule`).

    Built from the output layer down, so each layer extends the paths of the layer above.
    """
    network, p = passes.forward.network, passes.forward.params
    paths: dict[str, list[tuple[list[Factor], float]]] = {}
    last = len(network.layers) - 1
    for k in reversed(range(len(network.layers))):
        layer = network.layers[k]
        for i, neuron in enumerate(layer.neurons):
            slope = Factor(f"a_{neuron}", f"z_{neuron}", float(passes.da_dz[neuron]), f"{layer.activation} slope")
            if k == last:
                loss_end = Factor("L", f"a_{neuron}", float(passes.dL_dyhat[neuron]), "loss gradient")
                paths[neuron] = [([loss_end, slope], float(passes.delta[neuron]))]
                continue
            upper = network.layers[k + 1]
            paths[neuron] = []
            for j, nxt in enumerate(upper.neurons):
                weight = upper.weights[j][i]
                link = Factor(f"z_{nxt}", f"a_{neuron}", float(p[weight]), f"weight {weight}")
                paths[neuron] += [
                    (path + [link, slope], value * link.value * slope.value) for path, value in paths[nxt]
                ]
    return paths


@checked_call
def loss_and_gradients(
    network: Network, params: Params, x: object, y: object
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Loss and every gradient for many parameter settings at once.

    Give any parameter, input or target an array instead of a number; the results broadcast to
    the common shape. A sweep of one weight is a 1-D array, a grid of two is a pair of
    ``np.meshgrid`` arrays. Inputs and targets may mix arrays and numbers, in a mapping or in a
    sequence (``[np.linspace(0, 1, 5), 1.0]``). Every returned array has the full shape, is
    writable and is its own: writing into one changes no other and none of the arguments.

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("shared_bias")
    >>> sweep = dict(ex.params, w5=np.linspace(-1, 1, 5))
    >>> loss, grads = loss_and_gradients(ex.network, sweep, ex.x, ex.y)
    >>> loss.shape, grads["w1"].shape, grads["w1"].flags.writeable
    ((5,), (5,), True)
    """
    # The same arithmetic as backward(), written out for this network (compiled.py): on a large
    # batch, the dictionaries and loops of the general walk would cost as much as the maths.
    # checked_call has already checked the arguments: params maps each name to a float array, x each
    # input, and y is a list with one array per output. Checking 100,000 settings twice would show.
    theta = tuple(params[name] for name in network.parameters)
    inputs, targets = tuple(x.values()), tuple(y)  # type: ignore[attr-defined]
    shape = np.broadcast_shapes(*(np.shape(v) for v in (*theta, *inputs, *targets)))
    loss, gradients = compile_gradients(network)(theta, inputs, targets)
    taken = {id(a) for a in (*theta, *inputs, *targets)}
    return _own_array(loss, shape, taken), {
        k: _own_array(g, shape, taken) for k, g in zip(network.parameters, gradients)
    }


def _own_array(result: object, shape: tuple[int, ...], taken: set[int]) -> np.ndarray:
    """``result`` at ``shape`` as a writable array no other result or argument shares.

    Copies only what needs it (a broadcast, a view, an array already handed out), so a batch of
    100,000 settings is not copied twice.
    """
    array = np.asarray(result, dtype=float)
    if array.shape != shape or id(array) in taken or array.base is not None or not array.flags.writeable:
        array = np.array(np.broadcast_to(array, shape))
    taken.add(id(array))
    return array
