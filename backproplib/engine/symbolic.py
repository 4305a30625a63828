"""The sympy twin of the numeric pass, built from the same :class:`~backproplib.engine.network.Network`.

Every parameter and input becomes a sympy ``Symbol`` named exactly as in the network description,
and so does each target (``y``, or ``y_<output>`` for several outputs) and each neuron's weighted
sum and activation (``z_<neuron>``, ``a_<neuron>``). Each neuron is a *local* formula in those
symbols: ``z_h1 = w1·x1 + w2·x2 + b1``, ``a_h1 = σ(z_h1)``, and the loss in the outputs.

**How the gradient is found (and why it is still an independent witness).** :meth:`SymbolicNetwork.evaluate`
lets sympy differentiate every local formula with respect to each of its arguments and combines
those partial derivatives by the total derivative, walking *forward* from the parameters:
``dv/dp = Σ ∂v/∂u · du/dp`` over the arguments ``u`` of each formula ``v``, ending with ``dL/dp``
(forward-mode differentiation). The numeric pass (:mod:`backproplib.engine.numeric`) walks
*backward* from the loss with the hand-written derivative column of each activation and loss row.
The two share the wiring of the description and nothing else: no derivative formula, no order of
accumulation, no arithmetic (sympy's partials are evaluated by :func:`sympy.lambdify` with common
subexpressions eliminated, in mpmath at ``_DIGITS`` = 50 significant digits, so the twin cannot overflow and
is a precise reference for the float arithmetic of the numeric pass). The tests also check the
walk against sympy differentiating the whole composed loss, :meth:`SymbolicNetwork.gradient`.

**Why not differentiate the composed loss for numbers too.** Written out in the parameters, a
network's expressions grow with its depth (a ReLU writes its weighted sum twice, in the value and in
the condition), and sympy's derivative walks that tree once per parameter: a 2-input network with
ReLU layers of 5 and 3 neurons took 15 s to evaluate that way, 8 and 3 more than 300 s. The local
formulas keep every expression a few symbols long, so the cost of :meth:`SymbolicNetwork.evaluate` is about
(parameters)² multiplications: under 0.1 s for 55 parameters, about 1 s at the limit below.

**Sizes.** ``SymbolicNetwork`` accepts a network of at most :data:`SYMBOLIC_LIMIT` parameters.
What writes formulas out in the parameters — :attr:`~SymbolicNetwork.z`, :attr:`~SymbolicNetwork.a`,
:attr:`~SymbolicNetwork.loss`, :meth:`~SymbolicNetwork.gradient`, the LaTeX methods,
:meth:`~SymbolicNetwork.lambdify` and :meth:`~SymbolicNetwork.chain_rule` — also needs
:func:`written_out_size` (how many parameter and input symbols the outputs hold when
written out) to be at most :data:`WRITTEN_OUT_LIMIT`; beyond it the LaTeX runs to megabytes and sympy to
minutes. :func:`check_symbolic_size` applies both rules, for callers (the chapter generator) that
write formulas out.

**Names.** The twin accepts every name a :class:`Network` accepts. A target or local symbol whose
usual name is taken by a parameter or input (a weight called ``y`` or ``z_h1``) gets a trailing
``_`` internally; its LaTeX (:attr:`SymbolicNetwork.latex_names`) stays the usual one.

**Binary cross-entropy** on a sigmoid output is evaluated from ``z`` as
``(1 − y)·log(1 + e^z) + y·log(1 + e^−z)`` (:func:`_loss_expression`), exact at every ``z``; the
displayed formulas keep the textbook form in ``ŷ``.

Examples
--------
>>> from backproplib.checking.examples import load_example
>>> ex = load_example("tiny_relu")
>>> net = SymbolicNetwork(ex.network)
>>> net.a["h"]
Piecewise((w1*x, w1*x > 0), (0, True))
>>> net.a["h"].diff(net.parameters["w1"])  # slope 0 at the kink, as in the numeric pass
Piecewise((x, w1*x > 0), (0, True))
>>> loss, gradients = net.evaluate(ex.params, ex.x, ex.y)
>>> round(loss, 6), round(gradients["w1"], 6), round(gradients["w2"], 6)
(0.825939, 0.281088, 0.281088)
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Mapping, Sequence

import mpmath
import numpy as np
import sympy as sp

from .activations import get_activation
from .losses import get_loss
from .network import NAME_PATTERN, NAME_RULE, Network

__all__ = [
    "Latex",
    "SymbolicFactor",
    "SymbolicChainRule",
    "SymbolicNetwork",
    "SYMBOLIC_LIMIT",
    "WRITTEN_OUT_LIMIT",
    "check_symbolic_size",
    "latex_symbol",
    "written_out_size",
]

Params = Mapping[str, object]

# Significant digits of the mpmath numbers the twin computes with. Far beyond float's 16, so a
# cancellation such as 1 - sigmoid(30), which costs 13 digits, still leaves a reference for the
# float arithmetic of the numeric pass; mpmath's exponent range is unbounded, so e^1000 is a number.
_DIGITS = 50

# The most parameters SymbolicNetwork accepts: evaluate costs about (parameters)² mpmath
# multiplications, about 1 s at this size (2 inputs, ReLU layers of 16, 16 and 4, one output: 393).
SYMBOLIC_LIMIT = 400

# The largest written_out_size for which the twin writes formulas out in the parameters. Measured
# for gradient_latex of every parameter: 2-2-1 with ReLU (size 23) 1.7 s; 2-2-2-1 ReLU (95) 1.3-3.6 s;
# 2-20-1 sigmoid without biases (100, the largest accepted) 3.2 s and 250 kB of LaTeX; refused:
# 2-4-4-1 sigmoid (105) 9 s and 2-3-3-1 ReLU (208) 20 s with a megabyte of LaTeX.
WRITTEN_OUT_LIMIT = 100

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
}


def latex_symbol(name: str) -> str:
    """LaTeX for a parameter, input or quantity name: the first letter, the rest as subscript.

    A Greek letter name becomes the letter; a word longer than three letters stays upright;
    underscores after the first part separate subscript items with commas. Names follow the one
    naming rule of :class:`Network` (``NAME_RULE``).

    Examples
    --------
    >>> [latex_symbol(n) for n in ["w5", "w_h1", "w11", "b1", "a_out", "x", "L"]]
    ['w_{5}', 'w_{h1}', 'w_{11}', 'b_{1}', 'a_{out}', 'x', 'L']
    >>> [latex_symbol(n) for n in ["wh11", "w1_2_1", "theta_0", "y_out", "bias"]]
    ['w_{h11}', 'w_{1,2,1}', '\\\\theta_{0}', 'y_{out}', '\\\\mathrm{bias}']
    >>> latex_symbol("_w")
    Traceback (most recent call last):
    ...
    ValueError: name must follow the naming rule (a name starts with an ASCII letter, then letters, ...; got '_w'
    """
    if not isinstance(name, str) or NAME_PATTERN.fullmatch(name) is None:
        raise ValueError(f"name must follow the naming rule ({NAME_RULE}); got {name!r}")
    letters, rest = re.fullmatch(r"([A-Za-z]+)([A-Za-z0-9_]*)", name).groups()
    if letters.lower() in _GREEK and (not rest or not rest[0].isalpha()):
        base = "\\" + letters
    elif len(letters) == 1:
        base = letters
    elif len(letters) <= 3 and (rest or len(letters) == 2):
        # Short names such as wh11, bo, wo1: one letter with the rest as its subscript.
        base, rest = letters[0], letters[1:] + rest
    else:
        base = rf"\mathrm{{{letters}}}"
    subscript = ",".join(part for part in rest.split("_") if part)
    return f"{base}_{{{subscript}}}" if subscript else base


class Latex(str):
    """LaTeX source (the string itself, without dollars) that Jupyter displays as mathematics.

    >>> text = Latex(r"\\frac{\\partial L}{\\partial w_{5}}")
    >>> text
    '\\\\frac{\\\\partial L}{\\\\partial w_{5}}'
    >>> text._repr_latex_()
    '$\\\\displaystyle \\\\frac{\\\\partial L}{\\\\partial w_{5}}$'
    """

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self}$"


def _partial(of: str, wrt: str) -> str:
    return rf"\frac{{\partial {latex_symbol(of)}}}{{\partial {latex_symbol(wrt)}}}"


# A displayed line of the book's ~720 px column holds about 70 characters of maths. A factor such as
# ∂z_out/∂a_h1 renders about 9 characters wide with its \cdot, a number in brackets about 10; the
# left-hand side ∂L/∂θ takes about 8. So a line holds at most six factors.
LINE_CHARACTERS = 70
FACTOR_CHARACTERS = 10
LHS_CHARACTERS = 8


def sum_of_products_lines(paths: Sequence[Sequence[str]]) -> list[str]:
    r"""A sum of products (one product per chain-rule path) as the right-hand sides of ``aligned`` lines.

    Every path starts its own line (after ``+``); a path with more factors than fit in
    :data:`LINE_CHARACTERS` continues on the next line after ``\cdot``. Only the first line has a
    left-hand side, so the others start with ``\quad``. The caller writes ``lhs &= `` before the
    first line and ``&`` before the others.

    >>> sum_of_products_lines([["a", "b"], ["c", "d"]])
    ['a \\cdot b', '\\quad + c \\cdot d']
    >>> [line.count("f") for line in sum_of_products_lines([["f"] * 8])]
    [6, 2]
    """
    per_line = max(1, (LINE_CHARACTERS - LHS_CHARACTERS) // FACTOR_CHARACTERS)
    lines = []
    for k, path in enumerate(paths):
        for start in range(0, len(path), per_line):
            joiner = "" if start == 0 and k == 0 else (r"\quad + " if start == 0 else r"\quad \cdot ")
            lines.append(joiner + r" \cdot ".join(path[start:start + per_line]))
    return lines


def aligned_equals(lhs: str, *right_hand_sides: Sequence[str]) -> list[str]:
    r"""Lines of an ``aligned`` block: ``lhs &= first`` for each right-hand side, its continuations after ``&``.

    >>> aligned_equals("L", ["a", "\\quad + b"], ["3"])
    ['L &= a', '&\\quad + b', '&= 3']
    """
    lines = []
    for k, rhs in enumerate(right_hand_sides):
        lines.append(f"{lhs if k == 0 else ''} &= {rhs[0]}".lstrip())
        lines += [f"&{line}" for line in rhs[1:]]
    return lines


def _number(value: float) -> str:
    return f"{value:.6g}"


@dataclass(frozen=True)
class SymbolicFactor:
    """One chain-rule factor ∂``of``/∂``wrt`` as a sympy expression in local symbols.

    ``of`` and ``wrt`` use the names of :class:`backproplib.engine.numeric.Factor` (``"L"``, ``"a_out"``,
    ``"z_h1"``, a parameter name). ``value`` is the expression at the forward-pass numbers, or
    ``None`` when the factor was built without numbers.
    """

    of: str
    wrt: str
    expression: sp.Expr
    value: float | None
    latex_names: Mapping[sp.Symbol, str] = field(repr=False, compare=False, default_factory=dict)

    def latex(self) -> Latex:
        """``∂of/∂wrt = expression`` (``= value`` too when numbers were given)."""
        text = f"{_partial(self.of, self.wrt)} = {sp.latex(self.expression, symbol_names=dict(self.latex_names))}"
        if self.value is not None and not self.expression.is_number:
            text += f" = {_number(self.value)}"
        return Latex(text)


@dataclass
class SymbolicChainRule:
    """The chain-rule paths from ``L`` to one parameter, each a list of :class:`SymbolicFactor`."""

    parameter: str
    paths: list[list[SymbolicFactor]]

    def path_expressions(self) -> list[sp.Expr]:
        """Each path's product of local factors."""
        return [sp.Mul(*(f.expression for f in path)) for path in self.paths]

    def path_products(self) -> list[float]:
        """Each path's product of factor values (needs numbers)."""
        values = [[f.value for f in path] for path in self.paths]
        if any(v is None for path in values for v in path):
            raise ValueError("path_products needs numbers: call chain_rule with params, x and y")
        return [float(np.prod(path)) for path in values]  # type: ignore[arg-type]

    @property
    def gradient(self) -> float:
        """Sum over paths of the product of factor values."""
        return float(sum(self.path_products()))

    def latex_lines(self) -> list[str]:
        """``aligned`` lines of ∂L/∂parameter = the sum over paths of products of partials, one path a line."""
        paths = [[_partial(f.of, f.wrt) for f in path] for path in self.paths]
        return aligned_equals(_partial("L", self.parameter), sum_of_products_lines(paths))

    def latex(self) -> Latex:
        """∂L/∂parameter as a sum over paths of products of partial derivatives, one path a line.

        >>> from backproplib.checking.examples import load_example
        >>> ex = load_example("shared_bias")
        >>> print(SymbolicNetwork(ex.network).chain_rule("w5").latex())  # doctest: +NORMALIZE_WHITESPACE
        \\begin{aligned} \\frac{\\partial L}{\\partial w_{5}} &= \\frac{\\partial L}{\\partial a_{out}}
        \\cdot \\frac{\\partial a_{out}}{\\partial z_{out}}
        \\cdot \\frac{\\partial z_{out}}{\\partial w_{5}} \\end{aligned}
        """
        return Latex("\\begin{aligned}\n" + " \\\\\n".join(self.latex_lines()) + "\n\\end{aligned}")


# -- sizes ------------------------------------------------------------------------------


def written_out_size(network: Network) -> int:
    """How many parameter and input symbols the outputs hold when written out in the parameters.

    Each weight and bias counts once where it is written, each input once per place it reaches,
    and an activation counts its weighted sum as often as its sympy form writes it: twice for ReLU
    (``Piecewise((z, z > 0), (0, True))``), once for the others. Summed over the output neurons.
    The twin writes formulas out only up to :data:`WRITTEN_OUT_LIMIT`.

    >>> from backproplib.engine.network import layered_network
    >>> written_out_size(layered_network(2, [2, 1], ["sigmoid", "sigmoid"], "half_squared_error"))
    13
    >>> written_out_size(layered_network(2, [2, 1], ["relu", "sigmoid"], "half_squared_error"))
    23
    """
    if not isinstance(network, Network):
        raise TypeError(f"network must be a Network; got {type(network).__name__}")
    size = dict.fromkeys(network.inputs, 1)
    for k, layer in enumerate(network.layers):
        copies = _copies_of_z(layer.activation)
        for j, neuron in enumerate(layer.neurons):
            written = sum(1 + size[unit] for unit in network.units_before(k))
            size[neuron] = copies * (written + (layer.bias_of(j) is not None))
    return sum(size[o] for o in network.outputs)


@lru_cache(maxsize=None)
def _copies_of_z(activation: str) -> int:
    """How often the activation's sympy form writes its argument."""
    t = sp.Symbol("t", real=True)
    return sum(1 for node in sp.preorder_traversal(get_activation(activation).symbolic(t)) if node == t)


def check_symbolic_size(network: Network, written_out: bool = True) -> None:
    """Raise ``ValueError`` when the twin refuses ``network``, naming the rule it breaks.

    The rules: at most :data:`SYMBOLIC_LIMIT` parameters (for everything); with ``written_out``
    (for formulas written out in the parameters, their LaTeX and the chain rule) also
    :func:`written_out_size` at most :data:`WRITTEN_OUT_LIMIT`. A chapter shows formulas, so the
    chapter generator checks with ``written_out=True``.

    >>> from backproplib.engine.network import layered_network
    >>> check_symbolic_size(layered_network(2, [2, 1], ["relu", "sigmoid"], "half_squared_error"))
    >>> check_symbolic_size(layered_network(2, [3, 3, 1], ["relu", "relu", "sigmoid"], "half_squared_error"))
    Traceback (most recent call last):
    ...
    ValueError: network is too large to write out: ... hold 208 parameter and input symbols (written_out_size), ...
    ... up to WRITTEN_OUT_LIMIT = 100; SymbolicNetwork.evaluate works up to SYMBOLIC_LIMIT = 400 parameters
    """
    if not isinstance(network, Network):
        raise TypeError(f"network must be a Network; got {type(network).__name__}")
    count = len(network.parameters)
    if count > SYMBOLIC_LIMIT:
        raise ValueError(
            f"network is too large for the symbolic twin: it has {count} parameters, and SymbolicNetwork accepts "
            f"at most SYMBOLIC_LIMIT = {SYMBOLIC_LIMIT} parameters (evaluate costs about parameters² steps)"
        )
    size = written_out_size(network) if written_out else 0
    if size > WRITTEN_OUT_LIMIT:
        raise ValueError(
            f"network is too large to write out: its outputs written out in the parameters hold {size} parameter "
            f"and input symbols (written_out_size), and the symbolic twin writes formulas out up to "
            f"WRITTEN_OUT_LIMIT = {WRITTEN_OUT_LIMIT}; SymbolicNetwork.evaluate works up to "
            f"SYMBOLIC_LIMIT = {SYMBOLIC_LIMIT} parameters"
        )


# -- local formulas, compiled once per shape ------------------------------------------------


def _loss_expression(
    loss: str, output_activation: str, z: Sequence[sp.Expr], a: Sequence[sp.Expr], y: Sequence[sp.Expr]
) -> sp.Expr:
    """The loss the twin computes numbers with, in the outputs' ``z`` and ``a`` and the targets ``y``.

    The loss row's sympy form in ``a``, except binary cross-entropy on a sigmoid output: that is
    written from ``z`` as ``(1 − y)·log(1 + e^z) + y·log(1 + e^−z)`` (averaged over the outputs).
    It equals the textbook ``−[y log σ(z) + (1 − y) log(1 − σ(z))]`` and ``log(1 + e^z) − y·z``, but
    is exact at every ``z``: the textbook form needs ``log(1 − σ(z))``, and ``1 − σ(1000)`` is 0 at
    any fixed precision; ``log(1 + e^z) − y·z`` cancels to 0 for ``y = 1`` and large ``z``, where
    the loss is ``e^−z``. Both terms here are ≥ 0 and written with ``log1p``.

    >>> z, a, y = sp.symbols("z a y", real=True)
    >>> _loss_expression("binary_cross_entropy", "sigmoid", [z], [a], [y])
    y*log1p(exp(-z)) + (1 - y)*log1p(exp(z))
    >>> _loss_expression("half_squared_error", "sigmoid", [z], [a], [y])
    (a - y)**2/2
    """
    row = get_loss(loss)
    if row.from_z_on(output_activation) is not None:
        return row.symbolic_from_z(list(z), list(y))
    return row.symbolic(list(a), list(y))


def _compile(expression: sp.Expr, arguments: Sequence[sp.Symbol]) -> Callable[..., list]:
    """``f(*arguments) -> [expression, ∂expression/∂argument₁, ...]`` in mpmath, every partial by sympy."""
    partials = [sp.diff(expression, argument) for argument in arguments]
    return sp.lambdify(arguments, [expression, *partials], modules="mpmath", cse=True)


def _placeholders(stem: str, count: int) -> list[sp.Symbol]:
    return [sp.Symbol(f"{stem}{i}", real=True) for i in range(count)]


@lru_cache(maxsize=None)
def _sum_rule(fan_in: int, bias: bool) -> Callable[..., list]:
    """z = Σ wᵢ·uᵢ (+ b), arguments (w₁ … wₙ, u₁ … uₙ[, b])."""
    weights, units = _placeholders("w", fan_in), _placeholders("u", fan_in)
    extra = [sp.Symbol("b", real=True)] if bias else []
    return _compile(sp.Add(*(w * u for w, u in zip(weights, units)), *extra), [*weights, *units, *extra])


@lru_cache(maxsize=None)
def _activation_rule(activation: str) -> Callable[..., list]:
    """a = f(z), from the activation row's sympy form."""
    t = sp.Symbol("t", real=True)
    return _compile(get_activation(activation).symbolic(t), [t])


@lru_cache(maxsize=None)
def _loss_rule(loss: str, output_activation: str, outputs: int) -> Callable[..., list]:
    """L(z₁ … zₙ, a₁ … aₙ, y₁ … yₙ) as :func:`_loss_expression` writes it."""
    z, a, y = _placeholders("z", outputs), _placeholders("a", outputs), _placeholders("y", outputs)
    return _compile(_loss_expression(loss, output_activation, z, a, y), [*z, *a, *y])


def _fresh(label: str, taken: set[str]) -> sp.Symbol:
    """A real symbol named ``label``, with ``_`` appended until no name in ``taken`` is the same."""
    name = label
    while name in taken:
        name += "_"
    taken.add(name)
    return sp.Symbol(name, real=True)


class _Factors:
    """Chain-rule factors, each made once (a factor shared by several paths is one object)."""

    def __init__(self, values: Mapping[sp.Symbol, object] | None, latex_names: Mapping[sp.Symbol, str]) -> None:
        self.values, self.latex_names = values, latex_names
        self.made: dict[tuple[str, sp.Symbol], SymbolicFactor] = {}

    def __call__(self, of: str, wrt: str, formula: sp.Expr, variable: sp.Symbol) -> SymbolicFactor:
        """∂formula/∂variable, labelled ∂``of``/∂``wrt``."""
        if (of, variable) not in self.made:
            expression = sp.diff(formula, variable)
            value = None if self.values is None else _evaluate(expression, self.values)
            self.made[of, variable] = SymbolicFactor(of, wrt, expression, value, self.latex_names)
        return self.made[of, variable]


class SymbolicNetwork:
    """Sympy expressions for every z, a, the loss and the gradients of a :class:`Network`.

    Accepts a network of at most :data:`SYMBOLIC_LIMIT` parameters (see the module docstring for
    what also needs :func:`written_out_size` at most :data:`WRITTEN_OUT_LIMIT`).

    Attributes
    ----------
    network
        The description the expressions were built from.
    symbols
        Every symbol by its sympy name: parameters, inputs and targets (``y`` for one output,
        ``y_<output>`` for several, with ``_`` appended when a parameter or input has that name).
    parameters, inputs, targets
        The parameter and input symbols by name; the target symbols by output neuron.
    z, a
        Expressions for each neuron's weighted sum and activation in parameters and inputs.
    loss
        ``L`` in parameters, inputs and targets, in the loss row's textbook form.
    latex_names
        LaTeX for every symbol, the local ``z``/``a`` symbols included.

    Examples
    --------
    >>> from backproplib.checking.examples import load_example
    >>> net = SymbolicNetwork(load_example("shared_bias").network)
    >>> net.z["h1"]
    b1 + w1*x1 + w2*x2
    >>> net.a["h1"]
    1/(exp(-b1 - w1*x1 - w2*x2) + 1)
    >>> sorted(net.gradient("w5").free_symbols, key=str)
    [b1, b2, w1, w2, w3, w4, w5, w6, x1, x2, y]
    """

    def __init__(self, network: Network) -> None:
        if not isinstance(network, Network):
            raise TypeError(f"network must be a Network; got {type(network).__name__}")
        check_symbolic_size(network, written_out=False)
        self.network = network
        self.parameters: dict[str, sp.Symbol] = {p: sp.Symbol(p, real=True) for p in network.parameters}
        self.inputs: dict[str, sp.Symbol] = {x: sp.Symbol(x, real=True) for x in network.inputs}
        taken = {*network.parameters, *network.inputs}
        single = len(network.outputs) == 1
        labels = {o: "y" if single else f"y_{o}" for o in network.outputs}
        self.targets: dict[str, sp.Symbol] = {o: _fresh(label, taken) for o, label in labels.items()}
        self.symbols: dict[str, sp.Symbol] = {
            **self.parameters, **self.inputs, **{s.name: s for s in self.targets.values()}
        }
        # Local symbols: the value of z and a at one neuron.
        self._local_z = {n: _fresh(f"z_{n}", taken) for n in network.neurons}
        self._local_a = {n: _fresh(f"a_{n}", taken) for n in network.neurons}
        shown = {
            **{s: p for p, s in {**self.parameters, **self.inputs}.items()},
            **{s: labels[o] for o, s in self.targets.items()},
            **{s: f"z_{n}" for n, s in self._local_z.items()},
            **{s: f"a_{n}" for n, s in self._local_a.items()},
        }
        self.latex_names: dict[sp.Symbol, str] = {s: latex_symbol(name) for s, name in shown.items()}
        self._unit = {**self.inputs, **self._local_a}  # what each unit's output is called locally
        self._place = {n: (k, j) for k, layer in enumerate(network.layers) for j, n in enumerate(layer.neurons)}
        self._loss_symbol = sp.Dummy("L")
        self._nodes = self._local_formulas()
        self._written: tuple[dict[str, sp.Expr], dict[str, sp.Expr], sp.Expr] | None = None
        self._gradients: dict[str, sp.Expr] = {}
        self._compiled: Callable | None = None

    def _local_formulas(self) -> list[tuple[sp.Symbol, Callable[..., list], tuple[sp.Symbol, ...]]]:
        """(symbol, compiled formula with its partials, arguments) for each z, a and the loss, in order."""
        nodes = []
        for k, layer in enumerate(self.network.layers):
            units = tuple(self._unit[u] for u in self.network.units_before(k))
            for j, neuron in enumerate(layer.neurons):
                bias = layer.bias_of(j)
                arguments = (*(self.parameters[w] for w in layer.weights[j]), *units)
                arguments += (self.parameters[bias],) if bias is not None else ()
                nodes.append((self._local_z[neuron], _sum_rule(len(units), bias is not None), arguments))
                nodes.append((self._local_a[neuron], _activation_rule(layer.activation), (self._local_z[neuron],)))
        outputs = self.network.outputs
        rule = _loss_rule(self.network.loss, self.network.layers[-1].activation, len(outputs))
        arguments = (*(self._local_z[o] for o in outputs), *(self._local_a[o] for o in outputs), *self.targets.values())
        nodes.append((self._loss_symbol, rule, arguments))
        return nodes

    def _weighted_sum(self, k: int, j: int, value_of: Mapping[str, sp.Expr]) -> sp.Expr:
        """z of neuron ``j`` in layer ``k``, with each feeding unit replaced by ``value_of[unit]``."""
        layer = self.network.layers[k]
        feeds = self.network.units_before(k)
        terms = [self.parameters[w] * value_of[u] for w, u in zip(layer.weights[j], feeds)]
        bias = layer.bias_of(j)
        if bias is not None:
            terms.append(self.parameters[bias])
        return sp.Add(*terms)

    def _check_parameter(self, name: str) -> None:
        self.network.check_parameter_name(name)

    # -- written out in the parameters (for display and for checking the walk) --------------
    def _written_out(self) -> tuple[dict[str, sp.Expr], dict[str, sp.Expr], sp.Expr]:
        if self._written is None:
            check_symbolic_size(self.network)
            z: dict[str, sp.Expr] = {}
            a: dict[str, sp.Expr] = {}
            value_of: dict[str, sp.Expr] = dict(self.inputs)
            for neuron, (k, j) in self._place.items():
                z[neuron] = self._weighted_sum(k, j, value_of)
                a[neuron] = value_of[neuron] = get_activation(self.network.layers[k].activation).symbolic(z[neuron])
            outputs = [a[o] for o in self.network.outputs]
            loss = get_loss(self.network.loss).symbolic(outputs, list(self.targets.values()))
            self._written = (z, a, loss)
        return self._written

    @property
    def z(self) -> dict[str, sp.Expr]:
        """Each neuron's weighted sum written out in the parameters and inputs."""
        return self._written_out()[0]

    @property
    def a(self) -> dict[str, sp.Expr]:
        """Each neuron's activation written out in the parameters and inputs."""
        return self._written_out()[1]

    @property
    def loss(self) -> sp.Expr:
        """``L`` written out in the parameters, inputs and targets (the loss row's textbook form)."""
        return self._written_out()[2]

    def gradient(self, name: str) -> sp.Expr:
        """∂L/∂``name`` by sympy differentiation of the whole loss expression written out.

        >>> from backproplib.engine.network import Layer
        >>> net = SymbolicNetwork(Network(("x",), (Layer(("o",), "identity", (("w",),)),), "half_squared_error"))
        >>> net.gradient("w")
        x*(w*x - y)
        >>> net.gradient("v")
        Traceback (most recent call last):
        ...
        ValueError: unknown parameter 'v'; the parameters are 'w'
        """
        self._check_parameter(name)
        if name not in self._gradients:
            self._gradients[name] = sp.diff(self.loss, self.parameters[name])
        return self._gradients[name]

    @property
    def gradients(self) -> dict[str, sp.Expr]:
        """∂L/∂p for every parameter ``p``, in the network's parameter order."""
        return {p: self.gradient(p) for p in self.parameters}

    # -- numbers ---------------------------------------------------------------------
    def _walk(self, params: Params, x: object, y: object) -> tuple[dict[sp.Symbol, mpmath.mpf], np.ndarray]:
        """Every symbol's value and the loss's gradient at ``_DIGITS`` digits, by the forward walk.

        Each local formula gives its value and its partial derivatives (by sympy); a formula's
        derivative with respect to the parameters is Σ ∂formula/∂argument · d argument/d parameters.
        """
        checked = self.network.check_parameters(params)
        inputs = self.network.check_inputs(x)
        targets = dict(zip(self.network.outputs, self.network.check_targets(y)))
        count = len(self.parameters)
        index = {symbol: i for i, symbol in enumerate(self.parameters.values())}
        with mpmath.workdps(_DIGITS):
            numbers = {
                **{self.parameters[p]: _scalar(v, p) for p, v in checked.items()},
                **{self.inputs[i]: _scalar(v, i) for i, v in inputs.items()},
                **{self.targets[o]: _scalar(v, self.targets[o].name) for o, v in targets.items()},
            }
            slopes: dict[sp.Symbol, np.ndarray] = {}  # d symbol / d parameters, for each z, a and L
            for symbol, formula, arguments in self._nodes:
                value, *partials = formula(*(numbers[argument] for argument in arguments))
                numbers[symbol] = value
                slope = np.zeros(count, dtype=object)
                for partial, argument in zip(partials, arguments):
                    if argument in index:  # a parameter: d parameter / d parameters is one-hot
                        slope[index[argument]] += partial
                    elif argument in slopes:  # inputs and targets do not depend on the parameters
                        slope += partial * slopes[argument]
                slopes[symbol] = slope
        return numbers, slopes[self._loss_symbol]

    def point(self, params: Params, x: object, y: object) -> dict[sp.Symbol, float]:
        """Numbers for every symbol: parameters, inputs, targets and the local z and a of each neuron.

        The forward values are computed here, from the local formulas, layer by layer.

        >>> from backproplib.checking.examples import load_example
        >>> ex = load_example("shared_bias")
        >>> values = SymbolicNetwork(ex.network).point(ex.params, ex.x, ex.y)
        >>> {s.name: round(v, 4) for s, v in values.items() if s.name in ("z_h1", "a_out", "y")}
        {'y': 0.01, 'z_h1': 0.3775, 'a_out': 0.7514}
        """
        numbers, _ = self._walk(params, x, y)
        return {s: _as_float(v, s.name) for s, v in numbers.items() if s is not self._loss_symbol}

    def evaluate(self, params: Params, x: object, y: object) -> tuple[float, dict[str, float]]:
        """The loss and every gradient at one setting, computed at 50 digits and returned as floats.

        Returns the same pair as :func:`backproplib.engine.numeric.loss_and_gradients`. Finite at
        every finite setting whose loss and gradients fit in a float (no overflow inside: mpmath
        numbers have no exponent limit). Each step keeps 50 significant digits, so a difference
        such as ``σ(z) − y`` is exact to about 1e-50 of ``σ(z)``; cross-entropy on a sigmoid output
        is computed from ``z`` with no such difference (see :func:`_loss_expression`).

        >>> from backproplib.checking.examples import load_example
        >>> ex = load_example("shared_bias")
        >>> loss, gradients = SymbolicNetwork(ex.network).evaluate(ex.params, ex.x, ex.y)
        >>> round(loss, 6), round(gradients["w5"], 6), round(gradients["b1"], 6)
        (0.274811, 0.082167, 0.028364)
        >>> from backproplib.engine.network import Layer
        >>> one = SymbolicNetwork(Network(("x",), (Layer(("o",), "sigmoid", (("w",),)),), "binary_cross_entropy"))
        >>> one.evaluate({"w": 1000.0}, [1.0], 0.0)  # confidently wrong: L = 1000, dL/dw = 1
        (1000.0, {'w': 1.0})
        """
        numbers, gradient = self._walk(params, x, y)
        loss = _as_float(numbers[self._loss_symbol], "the loss")
        return loss, {p: _as_float(g, f"dL/d{p}") for p, g in zip(self.parameters, gradient)}

    def lambdify(self) -> Callable[[Params, object, object], tuple[np.ndarray, dict[str, np.ndarray]]]:
        """Compile the loss and every gradient, written out, into one numpy function ``f(params, x, y)``.

        ``f`` returns ``(loss, gradients)`` and broadcasts like
        :func:`backproplib.engine.numeric.loss_and_gradients`: any parameter, input or target may be an array.
        The formulas are float arithmetic, so keep every ``|z|`` below about 700 (beyond, ``exp``
        overflows); :meth:`evaluate` has no such limit. Needs the written-out size rule.

        >>> from backproplib.checking.examples import load_example
        >>> ex = load_example("shared_bias")
        >>> f = SymbolicNetwork(ex.network).lambdify()
        >>> loss, gradients = f(dict(ex.params, w5=np.array([0.4, 0.5])), ex.x, ex.y)
        >>> np.round(loss, 6), np.round(gradients["w1"], 8)
        (array([0.274811, 0.282964]), array([0.0006684 , 0.00082235]))
        """
        if self._compiled is None:
            z, a, _ = self._written_out()
            outputs, network = self.network.outputs, self.network
            loss = _loss_expression(
                network.loss, network.layers[-1].activation, [z[o] for o in outputs], [a[o] for o in outputs],
                list(self.targets.values()),
            )
            arguments = [*self.parameters.values(), *self.inputs.values(), *self.targets.values()]
            gradients = [sp.diff(loss, p) for p in self.parameters.values()]
            # dummify: a parameter may be called 'lambda' or 'exp', which would break the generated code.
            function = sp.lambdify(arguments, [loss, *gradients], modules="numpy", cse=True, dummify=True)
            names = list(self.parameters)

            def compiled(params: Params, x: object, y: object) -> tuple[np.ndarray, dict[str, np.ndarray]]:
                values = [
                    *network.check_parameters(params).values(),
                    *network.check_inputs(x).values(),
                    *network.check_targets(y),
                ]
                shape = np.broadcast_shapes(*(np.shape(v) for v in values))
                results = [np.broadcast_to(np.asarray(r, dtype=float), shape) for r in function(*values)]
                return np.array(results[0]), dict(zip(names, results[1:]))

            compiled.__doc__ = f"Loss and gradients of {network.loss} for {', '.join(names)}, compiled by sympy."
            self._compiled = compiled
        return self._compiled

    # -- chain rule in local symbols -----------------------------------------------------
    def chain_rule(
        self, parameter: str, params: Params | None = None, x: object = None, y: object = None
    ) -> SymbolicChainRule:
        """∂L/∂``parameter`` as paths of local factors, in the order of :func:`backproplib.engine.numeric.chain_rule`.

        Each factor is differentiated by sympy from the local formula it belongs to: the loss in
        ``a_<output>`` and ``y``, an activation in ``z_<neuron>``, a weighted sum in its weights and
        the ``a`` (or input) of the units feeding it. With ``params``, ``x`` and ``y`` each factor
        also carries its value at the forward pass. Needs the written-out size rule (the number of
        paths grows like the written-out formulas).

        >>> from backproplib.checking.examples import load_example
        >>> ex = load_example("shared_bias")
        >>> rule = SymbolicNetwork(ex.network).chain_rule("w1", ex.params, ex.x, ex.y)
        >>> [(f"d{f.of}/d{f.wrt}", f.expression) for f in rule.paths[0]]  # doctest: +NORMALIZE_WHITESPACE
        [('dL/da_out', a_out - y), ('da_out/dz_out', exp(-z_out)/(1 + exp(-z_out))**2),
         ('dz_out/da_h1', w5), ('da_h1/dz_h1', exp(-z_h1)/(1 + exp(-z_h1))**2), ('dz_h1/dw1', x1)]
        >>> [round(f.value, 4) for f in rule.paths[0]]
        [0.7414, 0.1868, 0.4, 0.2413, 0.05]
        >>> len(SymbolicNetwork(ex.network).chain_rule("b1").paths)  # a shared bias: one path per neuron
        2
        """
        self._check_parameter(parameter)
        check_symbolic_size(self.network)
        given = [v is not None for v in (params, x, y)]
        if any(given) and not all(given):
            raise ValueError("chain_rule needs all of params, x and y for values, or none of them for expressions only")
        values = self._walk(params, x, y)[0] if all(given) else None  # type: ignore[arg-type]
        factor = _Factors(values, self.latex_names)
        rule = SymbolicChainRule(parameter, [])
        symbol = self.parameters[parameter]
        for neuron, (k, j) in self._place.items():
            z_local = self._weighted_sum(k, j, self._unit)
            if symbol in z_local.free_symbols:  # this neuron's weighted sum uses the parameter
                last = factor(f"z_{neuron}", parameter, z_local, symbol)
                rule.paths += [path + [last] for path in self._paths_to(neuron, factor)]
        return rule

    def _paths_to(self, neuron: str, factor: _Factors) -> list[list[SymbolicFactor]]:
        """Paths from L down to z_neuron, the loss end first."""
        k, _ = self._place[neuron]
        layers = self.network.layers
        z, a = self._local_z[neuron], self._local_a[neuron]
        slope = factor(f"a_{neuron}", f"z_{neuron}", get_activation(layers[k].activation).symbolic(z), z)
        if k == len(layers) - 1:
            local_loss = get_loss(self.network.loss).symbolic(
                [self._local_a[o] for o in self.network.outputs], list(self.targets.values())
            )
            return [[factor("L", f"a_{neuron}", local_loss, a), slope]]
        paths = []
        for j, upper in enumerate(layers[k + 1].neurons):
            link = factor(f"z_{upper}", f"a_{neuron}", self._weighted_sum(k + 1, j, self._unit), a)
            paths += [path + [link, slope] for path in self._paths_to(upper, factor)]
        return paths

    # -- LaTeX ---------------------------------------------------------------------------
    def latex(self, expression: sp.Expr) -> str:
        """Any expression over this network's symbols as LaTeX with subscripted names.

        >>> from backproplib.checking.examples import load_example
        >>> net = SymbolicNetwork(load_example("sum_target").network)
        >>> net.latex(net.z["h1"])
        'w_{11} x_{1} + w_{21} x_{2}'
        """
        return sp.latex(expression, symbol_names=self.latex_names)

    def loss_latex(self) -> Latex:
        """``L = ...`` in parameters, inputs and targets.

        >>> from backproplib.engine.network import Layer
        >>> net = SymbolicNetwork(Network(("x",), (Layer(("o",), "identity", (("w5",),)),), "half_squared_error"))
        >>> print(net.loss_latex())
        L = \\frac{\\left(w_{5} x - y\\right)^{2}}{2}
        """
        return Latex(f"L = {self.latex(self.loss)}")

    def gradient_latex(self, name: str) -> Latex:
        """``∂L/∂name = ...`` with sympy's derivative.

        >>> from backproplib.engine.network import Layer
        >>> net = SymbolicNetwork(Network(("x",), (Layer(("o",), "identity", (("w5",),)),), "half_squared_error"))
        >>> print(net.gradient_latex("w5"))
        \\frac{\\partial L}{\\partial w_{5}} = x \\left(w_{5} x - y\\right)
        """
        return Latex(f"{_partial('L', name)} = {self.latex(self.gradient(name))}")

    def chain_rule_latex(
        self, parameter: str, params: Params | None = None, x: object = None, y: object = None
    ) -> Latex:
        """The chain rule for ``parameter``: the sum of products of partials, then each factor.

        The first line is the factorisation; one line per distinct factor follows with its local
        formula (and value when numbers are given), in an ``aligned`` block.

        >>> from backproplib.checking.examples import load_example
        >>> ex = load_example("tiny_relu")
        >>> print(SymbolicNetwork(ex.network).chain_rule_latex("w2", ex.params, ex.x, ex.y))
        \\begin{aligned}
        \\frac{\\partial L}{\\partial w_{2}} &= \\frac{\\partial L}{\\partial a_{o}}
        \\cdot \\frac{\\partial a_{o}}{\\partial z_{o}} \\cdot \\frac{\\partial z_{o}}{\\partial w_{2}} \\\\
        \\frac{\\partial L}{\\partial a_{o}} &= \\frac{1 - y}{1 - a_{o}} - \\frac{y}{a_{o}} = 2.28403 \\\\
        \\frac{\\partial a_{o}}{\\partial z_{o}} &= \\frac{e^{- z_{o}}}{\\left(1 + e^{- z_{o}}\\right)^{2}}
        = 0.246134 \\\\
        \\frac{\\partial z_{o}}{\\partial w_{2}} &= a_{h} = 0.5
        \\end{aligned}
        """
        rule = self.chain_rule(parameter, params, x, y)
        lines = rule.latex_lines()
        seen = set()
        for path in rule.paths:
            for f in path:
                if (f.of, f.wrt) not in seen:
                    seen.add((f.of, f.wrt))
                    lines.append(f.latex().replace(" = ", " &= ", 1))
        return Latex("\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}")

    def __repr__(self) -> str:
        return f"SymbolicNetwork({len(self.parameters)} parameters, loss {self.network.loss})"


def _scalar(value: np.ndarray, name: str) -> mpmath.mpf:
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single number for the symbolic twin; got shape {np.shape(value)}")
    return mpmath.mpf(float(value))


def _as_float(value: object, what: str) -> float:
    """An mpmath result as a float, refusing a complex or non-finite one."""
    if isinstance(value, mpmath.mpc) or not mpmath.isfinite(value) or not math.isfinite(float(value)):
        raise ValueError(f"{what} is not a finite real float at these values; got {value}")
    return float(value)


def _evaluate(expression: sp.Expr, values: Mapping[sp.Symbol, object]) -> float:
    """``expression`` with ``values`` substituted as :data:`_DIGITS`-digit Floats, as a float."""
    exact = {symbol: sp.Float(value, _DIGITS) for symbol, value in values.items()}
    number = sp.sympify(expression).xreplace(exact)
    if not number.is_number or number.free_symbols:
        raise ValueError(f"expression still has symbols after substitution: {number}")
    result = complex(number)
    if result.imag != 0 or not np.isfinite(result.real):
        raise ValueError(f"expression did not evaluate to a finite real number at these values; got {number}")
    return result.real
