"""Reference numbers that share no code with backproplib: jax autodiff and 50-digit mpmath.

The forward pass is written here again from the network's *description* (inputs, each layer's
neurons, activation, weight names and bias names, the loss); gradients come from ``jax.grad``,
deltas (∂L/∂z) from ``jax.grad`` with respect to a zero shift added to every weighted sum. Nothing
from ``backproplib.engine.activations``, ``losses``, ``numeric``, ``compiled`` or ``training`` is
imported: a mistake there cannot be repeated here.

Choices, and what they cost:

- Cross-entropy is written from the output's weighted sum z as ``softplus(z) − y·z`` with a stable
  softplus, so the reference is exact at saturation (its gradient is σ(z) − y at any finite z).
  The library documents the same loss, ``−[y log ŷ + (1−y) log(1−ŷ)]`` with ŷ = σ(z); the two are
  equal for every z, but only the first stays exact in float64 when ŷ rounds to 0 or 1.
- Every network gets its own compiled functions (``jax.jit``), cached per description: a compile
  costs about 0.1 s, an eager jax gradient of a small network costs more than that once the
  forward, backward, batch and training checks all ask for it.
- Beside every value the reference returns a *size*: a first-order bound on the magnitude of the
  terms that float64 must combine to get it (``term_sizes``). A test compares the library to the
  reference to 1e-9 of that size; see ``term_sizes`` for why a pure relative tolerance is wrong
  where a result is a small difference of large terms.
- ``exact`` repeats the forward pass in mpmath at 50 digits and differentiates it numerically
  (mpmath.diff at 60 working digits); it checks the reference itself and single worked cases.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Mapping, Sequence

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402  (x64 must be on before the first array is made)
import mpmath  # noqa: E402
import numpy as np  # noqa: E402

__all__ = ["Reference", "Values", "reference_for", "exact"]


# -- activations and losses, written from their definitions ---------------------------------
def _sigmoid(z: jnp.ndarray) -> jnp.ndarray:
    # Two branches so that neither exponential overflows: e^{-z}/(1+e^{-z})² is then the
    # derivative jax finds, exact in relative terms for every z. Each branch gets a "safe" input
    # so the branch jnp.where discards stays finite (a zero cotangent times inf would be NaN).
    positive = z >= 0
    above = jnp.where(positive, z, 0.0)
    below = jnp.where(positive, 0.0, z)
    return jnp.where(positive, 1.0 / (1.0 + jnp.exp(-above)), jnp.exp(below) / (1.0 + jnp.exp(below)))


def _relu(z: jnp.ndarray) -> jnp.ndarray:
    # jnp.where, not jnp.maximum: at z = 0 the gradient flows to the constant branch, slope 0
    # (jnp.maximum would split the tie and give 0.5).
    return jnp.where(z > 0, z, 0.0)


_ACTIVATIONS = ("sigmoid", "relu", "tanh", "identity")
_ACTIVATION_FUNCTIONS = (_sigmoid, _relu, jnp.tanh, lambda z: z)
_LOSSES = ("half_squared_error", "mean_squared_error", "binary_cross_entropy")


def _softplus(z: jnp.ndarray) -> jnp.ndarray:
    """log(1 + e^z) without overflow; its derivative is σ(z), also at z = 0 and at |z| = 1000."""
    positive = z > 0
    above = jnp.where(positive, z, 0.0)
    below = jnp.where(positive, 0.0, z)
    return jnp.where(positive, above + jnp.log1p(jnp.exp(-above)), jnp.log1p(jnp.exp(below)))


# Each loss sums over the real outputs only (``real`` is 1 for them, 0 for padding).
def _half_squared_error(z, a, y, real):  # Σ_outputs ½(ŷ − y)²
    return jnp.sum(real * 0.5 * (a - y) ** 2)


def _mean_squared_error(z, a, y, real):  # (1/n) Σ (ŷ − y)²
    return jnp.sum(real * (a - y) ** 2) / jnp.sum(real)


def _binary_cross_entropy(z, a, y, real):
    # (1/n) Σ −[y log σ(z) + (1−y) log(1−σ(z))], which is (1/n) Σ softplus(z) − y z for every z
    return jnp.sum(real * (_softplus(z) - y * z)) / jnp.sum(real)


_LOSS_FUNCTIONS = (_half_squared_error, _mean_squared_error, _binary_cross_entropy)


# -- the wiring: which entry of the parameter vector sits where -------------------------------
@dataclass(frozen=True)
class _LayerWiring:
    neurons: tuple[str, ...]
    activation: str
    weights: np.ndarray  # (neurons, units before): index of each weight in θ
    biases: np.ndarray | None  # (neurons,): index of each neuron's bias in θ; a shared bias repeats


def _wire(network) -> tuple[tuple[str, ...], tuple[_LayerWiring, ...]]:
    names: dict[str, int] = {}
    for layer in network.layers:
        for j, row in enumerate(layer.weights):
            for w in row:
                names.setdefault(w, len(names))
            if layer.bias_of(j) is not None:
                names.setdefault(layer.bias_of(j), len(names))
    layers = []
    for layer in network.layers:
        weights = np.array([[names[w] for w in row] for row in layer.weights], dtype=int)
        has_bias = layer.bias_of(0) is not None
        biases = np.array([names[layer.bias_of(j)] for j in range(len(layer.neurons))]) if has_bias else None
        layers.append(_LayerWiring(tuple(layer.neurons), layer.activation, weights, biases))
    return tuple(names), tuple(layers)


def _padded(names: tuple[str, ...], layers: tuple[_LayerWiring, ...], n_inputs: int, loss: str) -> dict:
    """The wiring as arrays of one square size, so jax compiles once per depth, not per network.

    θ is padded with zeros to the most parameters a network of that depth and width can have,
    plus one: every missing weight or bias points at that last entry, always 0, so padded units
    add exact zeros to every real weighted sum. The structure travels as traced arrays
    (activation and loss as codes picked by lax.switch), not as Python constants.
    """
    width = max([4, n_inputs] + [len(layer.neurons) for layer in layers])
    zero = len(layers) * width * (width + 1)
    weights, biases = [], []
    for layer in layers:
        w = np.full((width, width), zero)
        w[: layer.weights.shape[0], : layer.weights.shape[1]] = layer.weights
        b = np.full(width, zero)
        if layer.biases is not None:
            b[: len(layer.biases)] = layer.biases
        weights.append(w)
        biases.append(b)
    real = np.zeros(width)
    real[: len(layers[-1].neurons)] = 1.0
    return {
        "weights": tuple(jnp.asarray(w) for w in weights),
        "biases": tuple(jnp.asarray(b) for b in biases),
        "activations": tuple(jnp.asarray(_ACTIVATIONS.index(layer.activation)) for layer in layers),
        "loss": jnp.asarray(_LOSSES.index(loss)),
        "real": jnp.asarray(real),
        "capacity": zero + 1,
    }


# -- the maths: one forward pass, differentiated by jax -----------------------------------------
def _forward(theta, x, y, shifts, wiring):
    """Loss, every z and every a; θ, x and y padded, ``shifts`` added to each layer's z."""
    a, zs, activations = x, [], []
    for weights, biases, activation, shift in zip(wiring["weights"], wiring["biases"], wiring["activations"], shifts):
        z = jnp.sum(theta[weights] * a[None, :], axis=1) + theta[biases] + shift
        a = jax.lax.switch(activation, _ACTIVATION_FUNCTIONS, z)
        zs.append(z)
        activations.append(a)
    return jax.lax.switch(wiring["loss"], _LOSS_FUNCTIONS, zs[-1], a, y, wiring["real"]), tuple(zs), tuple(activations)


def _loss_at(theta, x, y, shifts, wiring):
    return _forward(theta, x, y, shifts, wiring)[0]


def _loss_with_sums(theta, x, y, shifts, wiring):
    loss, zs, activations = _forward(theta, x, y, shifts, wiring)
    return loss, (zs, activations)


_run = jax.jit(_forward)
# One call gives the loss, every z and a, ∂L/∂θ and ∂L/∂(each layer's shift), which is ∂L/∂z.
_everything = jax.jit(jax.value_and_grad(_loss_with_sums, argnums=(0, 3), has_aux=True))
_batch = jax.jit(jax.vmap(jax.value_and_grad(_loss_at), in_axes=(0, None, None, None, None)))


@dataclass
class Values:
    """The loss, every z and a, every delta ∂L/∂z and every gradient ∂L/∂θ, by name."""

    loss: float
    z: dict[str, float]
    a: dict[str, float]
    delta: dict[str, float]
    gradients: dict[str, float]


class Reference:
    """jax twin of one network: values and their term sizes for one setting, a batch, a descent."""

    def __init__(self, network) -> None:
        if network.loss == "binary_cross_entropy" and network.layers[-1].activation != "sigmoid":
            raise ValueError("the reference writes cross-entropy from z, which needs a sigmoid output layer")
        self.network = network
        self.names, self.layers = _wire(network)
        self.inputs = tuple(network.inputs)
        self._wiring = _padded(self.names, self.layers, len(self.inputs), network.loss)
        self._capacity = self._wiring.pop("capacity")
        self._width = self._wiring["real"].shape[0]
        self._shifts = tuple(jnp.zeros(self._width) for _ in self.layers)

    # conversions between names and vectors
    def theta(self, params: Mapping[str, float]) -> np.ndarray:
        return np.array([float(params[name]) for name in self.names])

    def _padded_theta(self, theta: np.ndarray) -> jnp.ndarray:
        padded = np.zeros(theta.shape[:-1] + (self._capacity,))
        padded[..., : theta.shape[-1]] = theta
        return jnp.asarray(padded)

    def _pad(self, values: Sequence[float]) -> jnp.ndarray:
        padded = np.zeros(self._width)
        padded[: len(values)] = np.asarray(values, dtype=float)
        return jnp.asarray(padded)

    def by_name(self, vector) -> dict[str, float]:
        return {name: float(v) for name, v in zip(self.names, np.asarray(vector))}

    def _per_neuron(self, per_layer) -> dict[str, float]:
        return {n: float(v) for layer, vs in zip(self.layers, per_layer) for n, v in zip(layer.neurons, np.asarray(vs))}

    def weighted_sums(self, params: Mapping[str, float], x: Sequence[float]) -> dict[str, float]:
        """Every neuron's z (the forward pass alone, for drawing parameters of a chosen size)."""
        zs = _run(self._padded_theta(self.theta(params)), self._pad(x), self._pad([]), self._shifts, self._wiring)[1]
        return self._per_neuron(zs)

    def evaluate(self, params: Mapping[str, float], x: Sequence[float], y: Sequence[float]) -> tuple[Values, Values]:
        """Values at one setting, and the size of the terms behind each (same layout)."""
        theta, xv, yv = self._padded_theta(self.theta(params)), self._pad(x), self._pad(y)
        (loss, (zs, activations)), (gradient, deltas) = _everything(theta, xv, yv, self._shifts, self._wiring)
        values = Values(
            float(loss),
            self._per_neuron(zs),
            dict(zip(self.inputs, map(float, x)), **self._per_neuron(activations)),
            self._per_neuron(deltas),
            self.by_name(gradient),
        )
        sizes = term_sizes(
            self, self.theta(params), np.asarray(x, dtype=float), np.asarray(y, dtype=float), zs, activations
        )
        return values, sizes

    def batch(
        self, thetas: np.ndarray, x: Sequence[float], y: Sequence[float]
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Loss and gradients for each row of ``thetas`` (columns ordered as ``self.names``), via vmap.

        Rows are padded to a multiple of 8 (copies of the last row) so the batch compiles once.
        """
        rows = len(thetas)
        filled = np.concatenate([thetas, np.repeat(thetas[-1:], -rows % 8, axis=0)])
        losses, gradients = _batch(self._padded_theta(filled), self._pad(x), self._pad(y), self._shifts, self._wiring)
        losses, gradients = np.asarray(losses)[:rows], np.asarray(gradients)[:rows]
        return losses, {name: gradients[:, i] for i, name in enumerate(self.names)}

    def descend(
        self, params, x, y, learning_rate: float, epochs: int, limit: float
    ) -> list[tuple[Values, dict, Values]]:
        """The reference's own gradient descent: (values, parameters, term sizes) before each step.

        Stops once the loss or a parameter passes ``limit``: beyond it the run has diverged and
        the numbers only head for overflow.
        """
        theta = self.theta(params)
        history = []
        for epoch in range(epochs + 1):
            values, sizes = self.evaluate(self.by_name(theta), x, y)
            history.append((values, self.by_name(theta), sizes))
            if values.loss > limit or np.max(np.abs(theta)) > limit or epoch == epochs:
                break
            theta = theta - learning_rate * self.theta(values.gradients)
        return history


@functools.lru_cache(maxsize=None)
def reference_for(network) -> Reference:
    """One reference per network description (descriptions are frozen, hence hashable)."""
    return Reference(network)


# -- how large are the terms behind each value? -----------------------------------------------
def _sigmoid_slope(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2


def _activation_sizes(name: str, z: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """|f′(z)|, the size of the terms in the slope formula, and a bound on |f″(z)|."""
    if name == "sigmoid":  # slope σ(1−σ): terms of size ≤ 1; |σ″| = σ′|1−2σ| ≤ σ′
        slope = _sigmoid_slope(z)
        return slope, np.ones_like(z), slope
    if name == "tanh":  # slope 1 − a²: terms of size ≤ 1; |tanh″| = 2|a|(1 − a²)
        slope = 1.0 - a * a
        return slope, np.ones_like(z), 2.0 * np.abs(a) * slope
    if name == "relu":
        on = (z > 0).astype(float)
        return on, on, np.zeros_like(z)
    return np.ones_like(z), np.ones_like(z), np.zeros_like(z)


def term_sizes(reference: Reference, theta, x, y, zs, activations) -> Values:
    """A bound, value by value, on the magnitude of the terms float64 combines to compute it.

    Why not a pure relative tolerance: z = Σ w·a + b can be a small difference of large products,
    and the library documents σ′ = a(1 − a) and tanh′ = 1 − a², differences of numbers near 1.
    Any float64 evaluation of those, the library's or jax's, is off by a few units of 2⁻⁵³ times
    the *terms*, not the result: σ′(20) = 2.1e-9 comes out of 1 − a with a relative error near
    5e-8. Each size below is the running bound of that error (divided by 2⁻⁵³), propagated
    through the pass: for a sum the sum of absolute terms, for a product the product of sizes,
    for f(z) the term size of f plus |f′|·size(z). Sizes are ≥ |value|, so "within 1e-9 of the
    size" is a relative tolerance of 1e-9 wherever no cancellation happens, and an absolute floor
    of 1e-9 times the terms where it does. Errors of the clipping kind (a wrong loss or a zero
    gradient where the terms are of order one) are 1e7 times larger than this floor.
    """
    a_size, z_sizes, a_sizes, slope_sizes = np.abs(x), [], [], []
    for layer, z, a in zip(reference.layers, zs, activations):
        z, a = np.asarray(z)[: len(layer.neurons)], np.asarray(a)[: len(layer.neurons)]  # drop padding
        z_size = np.abs(theta[layer.weights]) @ a_size
        if layer.biases is not None:
            z_size = z_size + np.abs(theta[layer.biases])
        slope, slope_terms, curvature = _activation_sizes(layer.activation, z, a)
        a_size = slope * z_size + np.abs(a)
        z_sizes.append(z_size)
        a_sizes.append(a_size)
        slope_sizes.append(slope_terms + curvature * z_size)
    loss_size, delta_size = _loss_sizes(reference.network.loss, z_sizes[-1], a_sizes[-1], slope_sizes[-1], np.abs(y))
    gradient_size, delta_sizes = np.zeros(len(reference.names)), []
    for k in reversed(range(len(reference.layers))):
        layer = reference.layers[k]
        below = a_sizes[k - 1] if k else np.abs(x)
        np.add.at(gradient_size, layer.weights, np.outer(delta_size, below))
        if layer.biases is not None:
            np.add.at(gradient_size, layer.biases, delta_size)  # a shared bias collects every neuron's
        delta_sizes.insert(0, delta_size)
        if k:
            delta_size = (np.abs(theta[layer.weights]).T @ delta_size) * slope_sizes[k - 1]
    per_neuron = reference._per_neuron
    return Values(
        float(loss_size),
        per_neuron(z_sizes),
        dict(zip(reference.inputs, map(float, np.abs(x))), **per_neuron(a_sizes)),
        per_neuron(delta_sizes),
        reference.by_name(gradient_size),
    )


def _loss_sizes(loss: str, z_size, a_size, slope_size, y_size) -> tuple[float, np.ndarray]:
    """Sizes of the loss and of the output deltas ∂L/∂z."""
    n = len(a_size)
    error = a_size + y_size  # ŷ − y
    if loss == "half_squared_error":
        return float(np.sum(0.5 * error**2)), error * slope_size
    if loss == "mean_squared_error":
        return float(np.sum(error**2) / n), 2.0 * error * slope_size / n
    # softplus(z) − y z: softplus(z) ≤ |z| + 1, the product y·z, and z's own error times σ(z) − y
    return float(np.sum(1.0 + (2.0 + 2.0 * y_size) * z_size) / n), error / n


# -- 50 digits: the same network once more, in mpmath -------------------------------------------
_EXACT_ACTIVATIONS = {
    "sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)),
    "relu": lambda z: z if z > 0 else mpmath.mpf(0),
    "tanh": mpmath.tanh,
    "identity": lambda z: z,
}


def _exact_loss(network, params: Mapping[str, object], x: Sequence[float], y: Sequence[float]):
    a = {name: mpmath.mpf(v) for name, v in zip(network.inputs, x)}
    z = {}
    for k, layer in enumerate(network.layers):
        feeds = network.inputs if k == 0 else network.layers[k - 1].neurons
        for j, neuron in enumerate(layer.neurons):
            z[neuron] = mpmath.fsum(mpmath.mpf(params[w]) * a[u] for w, u in zip(layer.weights[j], feeds))
            if layer.bias_of(j) is not None:
                z[neuron] += mpmath.mpf(params[layer.bias_of(j)])
            a[neuron] = _EXACT_ACTIVATIONS[layer.activation](z[neuron])
    outs, targets = network.layers[-1].neurons, [mpmath.mpf(t) for t in y]
    if network.loss == "half_squared_error":
        return mpmath.fsum((a[o] - t) ** 2 / 2 for o, t in zip(outs, targets))
    if network.loss == "mean_squared_error":
        return mpmath.fsum((a[o] - t) ** 2 for o, t in zip(outs, targets)) / len(outs)
    # −[y log ŷ + (1−y) log(1−ŷ)] with ŷ = σ(z) is log(1 + e^z) − y z; at 60 digits either is fine
    return mpmath.fsum(mpmath.log1p(mpmath.exp(z[o])) - t * z[o] for o, t in zip(outs, targets)) / len(outs)


def exact(network, params: Mapping[str, float], x: Sequence[float], y: Sequence[float]):
    """Loss and every gradient to 50 digits (mpmath at 60 working digits, central differences).

    Not for a ReLU at its kink: a central difference there gives the average of the two slopes.
    """
    names = list(dict.fromkeys(_wire(network)[0]))
    with mpmath.workdps(60):
        exact_params = {k: mpmath.mpf(v) for k, v in params.items()}
        loss = _exact_loss(network, exact_params, x, y)
        gradients = {
            name: mpmath.diff(
                lambda v, name=name: _exact_loss(network, dict(exact_params, **{name: v}), x, y), exact_params[name]
            )
            for name in names
        }
    return loss, gradients
