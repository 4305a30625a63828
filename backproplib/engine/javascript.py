"""The network's forward and backward pass as JavaScript, for the reader's browser.

:func:`model_source` prints the assignments of :mod:`backproplib.engine.straight_line` (the ones
:mod:`backproplib.engine.compiled` prints as Python) as a JavaScript expression that evaluates to the
explorer's model object (the contract at the top of ``views/explorer/explorer.js``)::

    { parameters, inputs, outputs, neurons,            // names, network order (strings only)
      evaluate(theta, x, y) -> {loss, gradients, z, a, delta, slope},   // slope: each neuron's da/dz
      step(theta, x, y, rate) -> [loss before the step, newTheta],
      sweep(theta, x, y, index, values) -> {losses, gradients},   // Float64Arrays, gradients[p][i]
      train(theta, x, y, rate, epochs) -> {losses, theta, divergedAt},
      trace(theta, x, y, rate, epochs, sign) -> train's result and, per epoch, columns
          z, a, delta, slope (per neuron), gradients, values (per parameter),  // sign -1: ascent
      meanLoss(theta, X, Y) -> the loss averaged over the examples,
      trainSet(theta, X, Y, rate, epochs, batchSize, seed) -> {losses, theta, divergedAt} }

``X`` and ``Y`` hold one row per example (each row in ``inputs`` / ``outputs`` order).

``theta``, ``x`` and ``y`` are arrays in the order of ``network.parameters``, ``inputs`` and
``outputs``. No formula is written here: the activation and loss formulas are the rows' templates
(filled in by :func:`~.straight_line.straight_line`), and each helper of
:data:`~.templates.HELPERS` gets one JavaScript definition, in one block, the only code that calls
``Math``. ``train`` is the one-example, full-batch loop of :func:`~.training.train` (its fast path);
``trainSet`` is its loop over a dataset: ``losses`` (a Float64Array) holds the mean loss over the
whole set at the start of every epoch and after the last, and each epoch steps once on the whole
set (``batchSize`` 0 or ≥ N) or once per mini-batch of ``batchSize`` examples, in the order
:class:`~.data.Shuffle` deals from ``seed``. Both share the divergence rule and
:data:`~.training.DIVERGENCE_LIMIT`, so a run stops at the same epoch in both languages.

Choices:

* A user's name is never printed where JavaScript needs an identifier (``new``, ``class`` or
  ``delete`` are fine parameter names): parameters become ``theta_0``, ``theta_1``, …, names appear
  only as JSON strings, and in ``//`` comments (the naming rule admits letters, digits and ``_`` only).
* The helpers use the same forms as the Python float step: σ in two branches so that ``Math.exp``
  never sees a large positive argument, softplus as max(z, 0) + log1p(e^(−|z|)). The arithmetic
  around them is the same text in the same order, so the two languages differ only by the last
  bit of ``Math.exp``/``Math.tanh``/``Math.log1p`` against the C library's (the tests bound it).
* A mean over examples adds them in numpy's pairwise order (``pairwiseSum``: blocks of eight
  added lane by lane, halved above 128, as ``numpy.add.reduce`` does), so a mean gradient that
  nearly cancels is the same sum of the same terms in both languages, not a sum in another order
  that differs from numpy's in the cancelled digits. Mini-batches come from :class:`~.data.Shuffle`,
  printed once (``SHUFFLE_SOURCE``) beside the helpers; it needs ``Math.imul``.
* The pass is printed twice: ``evaluate`` returns every intermediate the panels show; a lean
  ``lossAndGradients`` writes each gradient into position ``at`` of its own column, which ``sweep``
  and ``step`` reuse, so a 100,000-point sweep allocates nothing per point. ``sweep`` returns
  Float64Arrays: a plain array of 100,000 numbers costs more to allocate than the pass costs to run
  (measured in node 20: 11 ms against 7.7 ms for the shared_bias sweep; numpy takes 3.7 ms).
"""
from __future__ import annotations

import json

from .activations import get_activation
from .network import Network
from .straight_line import StraightLine, straight_line
from .templates import HELPERS
from .training import DIVERGENCE_LIMIT

__all__ = ["model_source", "HELPER_SOURCE", "HELPERS_START", "HELPERS_END", "SHUFFLE_SOURCE"]

HELPERS_START = "// --- helpers: the template helpers, one definition each; the only code calling Math ---"
HELPERS_END = "// --- end of helpers ---"

# One JavaScript definition per template helper (backproplib.engine.templates.HELPERS).
HELPER_SOURCE: dict[str, str] = {
    # e^(−z) for z ≥ 0, e^z / (1 + e^z) below: the exponential never overflows
    "_sigmoid": "function _sigmoid(z) { if (z >= 0) return 1 / (1 + Math.exp(-z)); const e = Math.exp(z); "
    "return e / (1 + e); }",
    "_softplus": "function _softplus(z) { return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))); }",
    "_log": "function _log(z) { return Math.log(z); }",
    "_tanh": "function _tanh(z) { return Math.tanh(z); }",
    "_relu": "function _relu(z) { return z > 0 ? z : 0; }",  # NaN gives 0, as the Python float step
    "_step": "function _step(z) { return z > 0 ? 1 : 0; }",  # ReLU's slope, 0 at the kink
}
assert set(HELPER_SOURCE) == set(HELPERS), "the JavaScript defines exactly the template helpers"

# backproplib.engine.data.Shuffle in JavaScript: the same steps modulo 2^32 (>>> 0 reads a result as
# unsigned, as the Python masks do), so a seed deals the same mini-batches in both languages.
SHUFFLE_SOURCE = """\
// --- shuffle: backproplib.engine.data.Shuffle (mulberry32), the same 32-bit steps ---
function shuffler(seed) {
  let state = seed >>> 0;
  function next() {
    state = (state + 0x6D2B79F5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1) >>> 0;
    t = (t ^ (t + Math.imul(t ^ (t >>> 7), t | 61))) >>> 0;
    return (t ^ (t >>> 14)) >>> 0;
  }
  function below(n) {
    return Math.floor((next() * n) / 4294967296);  // exact: next() * n < 2^53 while n < 2^21
  }
  function permutation(n) {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i -= 1) {
      const j = below(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  }
  return { next: next, permutation: permutation };
}
// --- end of shuffle ---"""

# The parts of the model that are the same for every network: checks, step, sweep and training.
_RUNTIME = """\
  const LIMIT = %(limit)s;
  const SIZES = { theta: %(n_theta)d, x: %(n_x)d, y: %(n_y)d };
  const SIZES_OF = { theta: Array.from({ length: %(n_theta)d }), neurons: Array.from({ length: %(n_neurons)d }) };
  function checked(values, what) {
    if (!Array.isArray(values) || values.length !== SIZES[what] || !values.every((v) => typeof v === "number")) {
      throw new TypeError(`${what} must be an array of ${SIZES[what]} numbers in network order; got ${values}`);
    }
    return values;
  }
  function evaluate(theta, x, y) {
    return pass(checked(theta, "theta"), checked(x, "x"), checked(y, "y"));
  }
  function step(theta, x, y, rate) {
    const gradients = theta.map(() => [0]);
    const loss = lossAndGradients(checked(theta, "theta"), checked(x, "x"), checked(y, "y"), gradients, 0);
    return [loss, theta.map((value, i) => value - rate * gradients[i][0])];
  }
  function sweep(theta, x, y, index, values) {
    if (!Number.isInteger(index) || index < 0 || index >= SIZES.theta) {
      throw new RangeError(`index must be a parameter's position, 0 to ${SIZES.theta - 1}; got ${index}`);
    }
    const moved = checked(theta, "theta").slice();
    checked(x, "x");
    checked(y, "y");
    const losses = new Float64Array(values.length);
    const gradients = moved.map(() => new Float64Array(values.length));
    for (let i = 0; i < values.length; i += 1) {
      moved[index] = values[i];
      losses[i] = lossAndGradients(moved, x, y, gradients, i);
    }
    return { losses: losses, gradients: gradients };
  }
  // Inside ±LIMIT and not NaN: backproplib.engine.training's divergence rule.
  function inside(values) {
    for (let i = 0; i < values.length; i += 1) if (!(values[i] >= -LIMIT && values[i] <= LIMIT)) return false;
    return true;
  }
  // backproplib.engine.training.train for one example, full batch (its fast path), step by step.
  function train(theta, x, y, rate, epochs) {
    return descend(theta, x, y, rate, epochs, 1, null);
  }
  // train's run keeping every epoch's pass (before that epoch's step), for the lesson panels: the
  // loss, and per neuron z, a, delta, slope, per parameter its value and gradient, as columns.
  // sign -1 steps up the gradient (theta + rate * g), as a wrong sign convention does.
  function trace(theta, x, y, rate, epochs, sign) {
    if (sign !== 1 && sign !== -1) throw new RangeError(`sign must be 1 or -1; got ${sign}`);
    const rows = Number.isInteger(epochs) && epochs >= 0 ? epochs + 1 : 0;
    const column = () => new Float64Array(rows);
    const kept = { gradients: SIZES_OF.theta.map(column), values: SIZES_OF.theta.map(column) };
    for (const key of ["z", "a", "delta", "slope"]) kept[key] = SIZES_OF.neurons.map(column);
    const run = descend(theta, x, y, rate, epochs, sign, kept);
    for (const [key, columns] of Object.entries(kept)) run[key] = columns.map((c) => c.subarray(0, run.losses.length));
    return run;
  }
  // The descent loop of train and trace; writes nothing per epoch but the numbers it keeps.
  function descend(theta, x, y, rate, epochs, sign, kept) {
    checkedRun(rate, epochs);
    const values = checked(theta, "theta").slice();
    const lastGood = values.slice();
    checked(x, "x");
    checked(y, "y");
    const losses = [];
    const out = kept || { gradients: values.map(() => new Float64Array(1)) };
    const n = values.length;
    for (let epoch = 0; epoch <= epochs; epoch += 1) {
      if (!inside(values)) return { losses: losses, theta: lastGood, divergedAt: epoch };
      const at = kept ? epoch : 0;
      const loss = kept ? passInto(values, x, y, kept, epoch) : lossAndGradients(values, x, y, out.gradients, 0);
      if (!(loss >= -LIMIT && loss <= LIMIT)) return { losses: losses, theta: lastGood, divergedAt: epoch };
      losses.push(loss);
      for (let i = 0; i < n; i += 1) lastGood[i] = values[i];
      if (kept) for (let i = 0; i < n; i += 1) kept.values[i][epoch] = values[i];
      if (epoch < epochs) for (let i = 0; i < n; i += 1) values[i] = values[i] - sign * rate * out.gradients[i][at];
    }
    return { losses: losses, theta: values, divergedAt: null };
  }
  function checkedRun(rate, epochs) {
    if (!(rate > 0 && rate < Infinity)) throw new RangeError(`rate must be a finite number > 0; got ${rate}`);
    if (!(Number.isInteger(epochs) && epochs >= 0)) {
      throw new RangeError(`epochs must be a whole number >= 0; got ${epochs}`);
    }
  }
  // values[0 … count − 1] summed in numpy's pairwise order (numpy.add.reduce on float64).
  function pairwiseSum(values, start, count) {
    if (count < 8) {
      let sum = 0;
      for (let i = start; i < start + count; i += 1) sum += values[i];
      return sum;
    }
    if (count > 128) {
      const half = (count >> 1) - ((count >> 1) %% 8);
      return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, count - half);
    }
    const lanes = Array.from(values.subarray(start, start + 8));
    let i = 8;
    for (; i < count - (count %% 8); i += 8) {
      for (let j = 0; j < 8; j += 1) lanes[j] += values[start + i + j];
    }
    let sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for (; i < count; i += 1) sum += values[start + i];
    return sum;
  }
  // A dataset: arrays of N >= 1 rows, each a valid x or y; returns N.
  function checkedSet(X, Y) {
    if (!Array.isArray(X) || !Array.isArray(Y) || X.length === 0 || X.length !== Y.length) {
      throw new TypeError("X and Y must be arrays of the same number N >= 1 of rows (one per example)");
    }
    X.forEach((row) => checked(row, "x"));
    Y.forEach((row) => checked(row, "y"));
    return X.length;
  }
  // The loss averaged over the examples rows[start … start + count − 1], returned, and the gradients'
  // averages, written into scratch.mean (each row one pass; the scratch arrays hold one value per
  // example, so the means add what numpy's means add). Nothing is allocated: one example at a time
  // for 200 epochs makes thousands of these in a redraw.
  function meanPass(theta, X, Y, rows, start, count, scratch) {
    for (let at = 0; at < count; at += 1) {
      scratch.losses[at] = lossAndGradients(theta, X[rows[start + at]], Y[rows[start + at]], scratch.gradients, at);
    }
    for (let i = 0; i < SIZES.theta; i += 1) scratch.mean[i] = pairwiseSum(scratch.gradients[i], 0, count) / count;
    return pairwiseSum(scratch.losses, 0, count) / count;
  }
  function scratchFor(n) {
    return { losses: new Float64Array(n), gradients: Array.from({ length: SIZES.theta }, () => new Float64Array(n)),
             mean: new Float64Array(SIZES.theta) };
  }
  function meanLoss(theta, X, Y) {
    const n = checkedSet(X, Y);
    return meanPass(checked(theta, "theta"), X, Y, X.map((_, i) => i), 0, n, scratchFor(n));
  }
  // values ← values − rate · scratch.mean, in place.
  function stepBy(values, rate, scratch) {
    for (let i = 0; i < values.length; i += 1) values[i] = values[i] - rate * scratch.mean[i];
  }
  // backproplib.engine.training.train on a dataset (its teaching path without hooks), epoch by epoch.
  function trainSet(theta, X, Y, rate, epochs, batchSize, seed) {
    checkedRun(rate, epochs);
    const n = checkedSet(X, Y);
    if (!(Number.isInteger(batchSize) && batchSize >= 0)) {
      throw new RangeError(`batchSize must be a whole number >= 0 (0: the whole set); got ${batchSize}`);
    }
    if (!(Number.isInteger(seed) && seed >= 0 && seed < 4294967296)) {
      throw new RangeError(`seed must be a whole number from 0 to 4294967295; got ${seed}`);
    }
    const whole = batchSize === 0 || batchSize >= n;
    const deal = shuffler(seed), everyRow = X.map((_, i) => i), scratch = scratchFor(n);
    const losses = [];
    const values = checked(theta, "theta").slice();
    const lastGood = values.slice();
    const finish = (last, divergedAt) => (
      { losses: Float64Array.from(losses), theta: last.slice(), divergedAt: divergedAt });
    for (let epoch = 0; epoch <= epochs; epoch += 1) {
      const loss = inside(values) ? meanPass(values, X, Y, everyRow, 0, n, scratch) : NaN;
      if (!inside(values) || !inside([loss])) return finish(lastGood, epoch);
      losses.push(loss);
      for (let i = 0; i < values.length; i += 1) lastGood[i] = values[i];
      if (epoch === epochs) break;
      if (whole) {
        stepBy(values, rate, scratch);
        continue;
      }
      const order = deal.permutation(n);
      for (let start = 0; start < n && inside(values); start += batchSize) {
        meanPass(values, X, Y, order, start, n - start < batchSize ? n - start : batchSize, scratch);
        stepBy(values, rate, scratch);
      }
    }
    return finish(values, null);
  }
"""


# The model's functions, in the order of the contract above.
_FUNCTIONS = ("evaluate", "step", "sweep", "train", "trace", "meanLoss", "trainSet")


def model_source(network: Network) -> str:
    """A JavaScript expression (an immediately called function) that evaluates to the model object.

    >>> from backproplib.checking.examples import load_example
    >>> source = model_source(load_example("tiny_relu").network)
    >>> print(source[source.index("function pass"):source.index("function lossAndGradients")].strip())
    function pass(theta, x, y) {
        const theta_0 = theta[0], theta_1 = theta[1];  // w1, w2
        const x0 = x[0];
        const y0 = y[0];
        const z1_0 = theta_0 * x0;  // z_h
        const a1_0 = _relu(z1_0);
        const z2_0 = theta_1 * a1_0;  // z_o
        const a2_0 = _sigmoid(z2_0);
        const loss = ((1.0 - y0) * _softplus(z2_0) + y0 * _softplus(-(z2_0))) / 1;
        const d2_0 = ((1.0 - y0) * _sigmoid(z2_0) - y0 * _sigmoid(-(z2_0))) / 1;
        const d1_0 = (theta_1 * d2_0) * (_step(z1_0));
        return {
          loss: loss,
          gradients: [d1_0 * x0, d2_0 * a1_0],
          z: [z1_0, z2_0],
          a: [a1_0, a2_0],
          delta: [d1_0, d2_0],
          slope: [_step(z1_0), a2_0 * (1.0 - a2_0)],
        };
      }
    """
    names = {p: f"theta_{i}" for i, p in enumerate(network.parameters)}
    plan = straight_line(network, names, keep_all=True)
    listed = lambda ids: ", ".join(ids)  # noqa: E731
    returned = {
        "gradients": plan.gradients, "z": plan.z, "a": plan.a, "delta": plan.delta, "slope": _slopes(network, plan),
    }
    everything = ["return {", "  loss: loss,", *(f"  {key}: [{listed(ids)}]," for key, ids in returned.items()), "};"]
    lean = [f"out[{i}][at] = {g};" for i, g in enumerate(plan.gradients)] + ["return loss;"]
    kept = [f"out.{key}[{i}][at] = {v};" for key, ids in returned.items() for i, v in enumerate(ids)] + ["return loss;"]
    runtime = _RUNTIME % {
        "limit": json.dumps(DIVERGENCE_LIMIT), "n_theta": len(names), "n_x": len(plan.inputs), "n_y": len(plan.targets),
        "n_neurons": len(plan.z),
    }
    described = ", ".join(f"{key}: {json.dumps(list(getattr(network, key)))}" for key in
                          ("parameters", "inputs", "outputs", "neurons"))
    return "\n".join([
        "(function () {",
        '  "use strict";',
        "  " + HELPERS_START,
        *(f"  {HELPER_SOURCE[name]}" for name in HELPERS),
        "  " + HELPERS_END,
        *(f"  {line}" for line in SHUFFLE_SOURCE.splitlines()),
        _function("pass(theta, x, y)", network, plan, everything),
        _function("lossAndGradients(theta, x, y, out, at)", network, plan, lean),
        _function("passInto(theta, x, y, out, at)", network, plan, kept),
        runtime.rstrip("\n"),
        f"  return Object.freeze({{ {described}, {', '.join(f'{f}: {f}' for f in _FUNCTIONS)} }});",
        "})()",
    ])


def _slopes(network: Network, plan: StraightLine) -> tuple[str, ...]:
    """Each neuron's activation slope da/dz: its activation row's derivative template, filled in."""
    templates = [get_activation(layer.activation).code.derivative for layer in network.layers for _ in layer.neurons]
    return tuple(t.format(z=z, a=a) for t, z, a in zip(templates, plan.z, plan.a))


def _function(signature: str, network: Network, plan: StraightLine, ending: list[str]) -> str:
    """The plan printed as one JavaScript function whose last statements are ``ending``."""

    def unpacked(ids: tuple[str, ...], source: str) -> str:
        return "const " + ", ".join(f"{v} = {source}[{i}]" for i, v in enumerate(ids)) + ";"

    body = [
        unpacked(plan.parameters, "theta") + f"  // {', '.join(network.parameters)}",
        unpacked(plan.inputs, "x"),
        unpacked(plan.targets, "y"),
        *(f"const {line.target} = {line.expression};" + (line.note and f"  // {line.note}") for line in plan.lines),
        *ending,
    ]
    return "\n".join([f"  function {signature} {{", *(f"    {line}" for line in body), "  }"])
