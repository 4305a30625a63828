"""The sympy twin of the numeric pass, built from the same :class:`~backproplib.engine.network.Network`.

Every parameter, input and target becomes a sympy ``Symbol`` named exactly as in the network
description; every weighted sum ``z`` and activation ``a`` becomes an expression in those
symbols, and so does the loss ``L``. Sympy then differentiates ``L`` directly, with no
chain rule done by us, which makes it an independent witness for the backward pass.

The chain-rule factorisation is also available in *local* symbols (``a_out``, ``z_h1``, ...),
one factor per link, exactly as :func:`backproplib.engine.numeric.chain_rule` lays it out.

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

import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np
import sympy as sp

from .activations import get_activation
from .losses import get_loss
from .network import Network

__all__ = [
    "Latex",
    "SymbolicFactor",
    "SymbolicChainRule",
    "SymbolicNetwork",
    "latex_symbol",
]

Params = Mapping[str, object]

# Digits of the sympy Floats that numbers are substituted as. Arithmetic on them keeps this
# precision, so a cancellation such as 1 - sigmoid(30), which costs 13 digits, still leaves more
# than float accuracy: sympy's numbers are a reference for the float arithmetic of the numeric pass.
# (Substitution rather than ``evalf(subs=...)``: the latter is orders of magnitude slower on
# nested ReLU Piecewise expressions.)
_DIGITS = 30

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
}


def latex_symbol(name: str) -> str:
    """LaTeX for a parameter, input or quantity name: the first letter, the rest as subscript.

    A Greek letter name becomes the letter; a word longer than three letters stays upright;
    underscores after the first part separate subscript items with commas.

    Examples
    --------
    >>> [latex_symbol(n) for n in ["w5", "w_h1", "w11", "b1", "a_out", "x", "L"]]
    ['w_{5}', 'w_{h1}', 'w_{11}', 'b_{1}', 'a_{out}', 'x', 'L']
    >>> [latex_symbol(n) for n in ["wh11", "w1_2_1", "theta_0", "y_out", "bias"]]
    ['w_{h11}', 'w_{1,2,1}', '\\\\theta_{0}', 'y_{out}', '\\\\mathrm{bias}']
    >>> latex_symbol("2w")
    Traceback (most recent call last):
    ...
    ValueError: name must start with a letter and use only letters, digits and '_'; got '2w'
    """
    match = re.fullmatch(r"([A-Za-z]+)([A-Za-z0-9_]*)", name) if isinstance(name, str) else None
    if match is None:
        raise ValueError(f"name must start with a letter and use only letters, digits and '_'; got {name!r}")
    letters, rest = match.groups()
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

    def latex(self) -> Latex:
        """∂L/∂parameter as a sum over paths of products of partial derivatives."""
        terms = [r" \cdot ".join(_partial(f.of, f.wrt) for f in path) for path in self.paths]
        return Latex(f"{_partial('L', self.parameter)} = " + " + ".join(terms))


class SymbolicNetwork:
    """Sympy expressions for every z, a, the loss and the gradients of a :class:`Network`.

    Attributes
    ----------
    network
        The description the expressions were built from.
    symbols
        Every symbol by name: parameters, inputs and targets (``y`` for one output,
        ``y_<output>`` for several).
    parameters, inputs, targets
        The parameter and input symbols by name; the target symbols by output neuron.
    z, a
        Expressions for each neuron's weighted sum and activation in parameters and inputs.
    loss
        ``L`` in parameters, inputs and targets.

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
        self.network = network
        outputs = network.outputs
        target_names = {o: ("y" if len(outputs) == 1 else f"y_{o}") for o in outputs}
        local_names = [f"{kind}_{n}" for n in network.neurons for kind in ("z", "a")]
        names = [*network.parameters, *network.inputs, *target_names.values(), *local_names, "L"]
        clashes = sorted({n for n in names if names.count(n) > 1})
        if clashes:
            raise ValueError(
                f"symbol names must be unique, but {clashes} name two things; parameters and inputs must not "
                f"be called 'L', 'y', 'y_<output>', 'z_<neuron>' or 'a_<neuron>'"
            )

        self.parameters: dict[str, sp.Symbol] = {p: sp.Symbol(p, real=True) for p in network.parameters}
        self.inputs: dict[str, sp.Symbol] = {x: sp.Symbol(x, real=True) for x in network.inputs}
        self.targets: dict[str, sp.Symbol] = {o: sp.Symbol(t, real=True) for o, t in target_names.items()}
        self.symbols: dict[str, sp.Symbol] = {
            **self.parameters, **self.inputs, **{s.name: s for s in self.targets.values()}
        }
        # Local symbols for the chain-rule factors: the value of z and a at one neuron.
        self._local_z = {n: sp.Symbol(f"z_{n}", real=True) for n in network.neurons}
        self._local_a: dict[str, sp.Symbol] = {n: sp.Symbol(f"a_{n}", real=True) for n in network.neurons}
        self._unit = {**self.inputs, **self._local_a}  # what each unit's output is called locally
        self.latex_names: dict[sp.Symbol, str] = {
            s: latex_symbol(s.name) for s in [*self.symbols.values(), *self._local_z.values(), *self._local_a.values()]
        }

        self.z: dict[str, sp.Expr] = {}
        self.a: dict[str, sp.Expr] = {}
        value_of: dict[str, sp.Expr] = dict(self.inputs)
        for k, layer in enumerate(network.layers):
            activation = get_activation(layer.activation)
            for j, neuron in enumerate(layer.neurons):
                self.z[neuron] = self._weighted_sum(k, j, value_of)
                self.a[neuron] = activation.symbolic(self.z[neuron])
                value_of[neuron] = self.a[neuron]
        self._loss_function = get_loss(network.loss).symbolic
        self.loss: sp.Expr = self._loss_function([self.a[o] for o in outputs], list(self.targets.values()))
        self._gradients: dict[str, sp.Expr] = {}
        self._compiled: Callable | None = None

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

    # -- exact derivatives -----------------------------------------------------------
    def gradient(self, name: str) -> sp.Expr:
        """∂L/∂``name`` by sympy differentiation of the whole loss expression.

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
    def point(self, params: Params, x: object, y: object) -> dict[sp.Symbol, float]:
        """Numbers for every symbol: parameters, inputs, targets and the local z and a of each neuron.

        The forward values are computed here, from the sympy expressions, layer by layer.

        >>> from backproplib.checking.examples import load_example
        >>> ex = load_example("shared_bias")
        >>> values = SymbolicNetwork(ex.network).point(ex.params, ex.x, ex.y)
        >>> {s.name: round(v, 4) for s, v in values.items() if s.name in ("z_h1", "a_out", "y")}
        {'y': 0.01, 'z_h1': 0.3775, 'a_out': 0.7514}
        """
        p = self.network.check_parameters(params)
        inputs = self.network.check_inputs(x)
        targets = self.network.check_targets(y)
        values: dict[sp.Symbol, float] = {}
        for name, value in [*p.items(), *inputs.items()]:
            values[self.symbols[name]] = _scalar(value, name)
        for output, value in zip(self.network.outputs, targets):
            values[self.targets[output]] = _scalar(value, self.targets[output].name)
        for k, layer in enumerate(self.network.layers):
            activation = get_activation(layer.activation)
            for j, neuron in enumerate(layer.neurons):
                z = self._weighted_sum(k, j, self._unit)
                values[self._local_z[neuron]] = _evaluate(z, values)
                values[self._local_a[neuron]] = _evaluate(activation.symbolic(self._local_z[neuron]), values)
        return values

    def evaluate(self, params: Params, x: object, y: object) -> tuple[float, dict[str, float]]:
        """The loss and every gradient at one setting, by substituting numbers into the expressions.

        Returns the same pair as :func:`backproplib.engine.numeric.loss_and_gradients`, as floats.

        >>> from backproplib.checking.examples import load_example
        >>> ex = load_example("shared_bias")
        >>> loss, gradients = SymbolicNetwork(ex.network).evaluate(ex.params, ex.x, ex.y)
        >>> round(loss, 6), round(gradients["w5"], 6), round(gradients["b1"], 6)
        (0.274811, 0.082167, 0.028364)
        """
        values = self.point(params, x, y)
        return _evaluate(self.loss, values), {p: _evaluate(g, values) for p, g in self.gradients.items()}

    def lambdify(self) -> Callable[[Params, object, object], tuple[np.ndarray, dict[str, np.ndarray]]]:
        """Compile the loss and every gradient into one numpy function ``f(params, x, y)``.

        ``f`` returns ``(loss, gradients)`` and broadcasts like
        :func:`backproplib.engine.numeric.loss_and_gradients`: any parameter, input or target may be an array.
        The formulas are the textbook ones, so keep every ``|z|`` below about 700 (beyond, ``exp``
        overflows in float arithmetic); the numeric pass has no such limit.

        >>> from backproplib.checking.examples import load_example
        >>> ex = load_example("shared_bias")
        >>> f = SymbolicNetwork(ex.network).lambdify()
        >>> loss, gradients = f(dict(ex.params, w5=np.array([0.4, 0.5])), ex.x, ex.y)
        >>> np.round(loss, 6), np.round(gradients["w1"], 8)
        (array([0.274811, 0.282964]), array([0.0006684 , 0.00082235]))
        """
        if self._compiled is None:
            arguments = [*self.parameters.values(), *self.inputs.values(), *self.targets.values()]
            # dummify: a parameter may be called 'lambda' or 'exp', which would break the generated code.
            function = sp.lambdify(
                arguments, [self.loss, *self.gradients.values()], modules="numpy", cse=True, dummify=True
            )
            names = list(self.parameters)
            network = self.network

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
        also carries its value at the forward pass.

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
        given = [v is not None for v in (params, x, y)]
        if any(given) and not all(given):
            raise ValueError("chain_rule needs all of params, x and y for values, or none of them for expressions only")
        values = self.point(params, x, y) if all(given) else None  # type: ignore[arg-type]
        network = self.network
        layer_of = {n: k for k, layer in enumerate(network.layers) for n in layer.neurons}
        position = {n: j for layer in network.layers for j, n in enumerate(layer.neurons)}
        local_loss = self._loss_function([self._local_a[o] for o in network.outputs], list(self.targets.values()))

        made: dict[tuple[str, str], SymbolicFactor] = {}  # a factor shared by several paths is made once

        def factor(of: str, wrt: str, formula: sp.Expr, variable: sp.Symbol) -> SymbolicFactor:
            if (of, wrt) not in made:
                expression = sp.diff(formula, variable)
                value = None if values is None else _evaluate(expression, values)
                made[of, wrt] = SymbolicFactor(of, wrt, expression, value, self.latex_names)
            return made[of, wrt]

        def paths_to(neuron: str) -> list[list[SymbolicFactor]]:
            """Paths from L down to z_neuron, the loss end first."""
            k = layer_of[neuron]
            z, a = self._local_z[neuron], self._local_a[neuron]
            slope = factor(a.name, z.name, get_activation(network.layers[k].activation).symbolic(z), z)
            if k == len(network.layers) - 1:
                return [[factor("L", a.name, local_loss, a), slope]]
            paths = []
            for j, upper in enumerate(network.layers[k + 1].neurons):
                link = factor(f"z_{upper}", a.name, self._weighted_sum(k + 1, j, self._unit), a)
                paths += [path + [link, slope] for path in paths_to(upper)]
            return paths

        rule = SymbolicChainRule(parameter, [])
        symbol = self.parameters[parameter]
        for k, layer in enumerate(network.layers):
            for neuron in layer.neurons:
                z_local = self._weighted_sum(k, position[neuron], self._unit)
                if symbol in z_local.free_symbols:  # this neuron's weighted sum uses the parameter
                    last = factor(f"z_{neuron}", parameter, z_local, symbol)
                    rule.paths += [path + [last] for path in paths_to(neuron)]
        return rule

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

    def chain_rule_latex(self, parameter: str, params: Params | None = None, x: object = None, y: object = None) -> Latex:
        """The chain rule for ``parameter``: the sum of products of partials, then each factor.

        The first line is the factorisation; one line per distinct factor follows with its local
        formula (and value when numbers are given), in an ``aligned`` block.

        >>> from backproplib.checking.examples import load_example
        >>> ex = load_example("tiny_relu")
        >>> print(SymbolicNetwork(ex.network).chain_rule_latex("w2", ex.params, ex.x, ex.y))
        \\begin{aligned}
        \\frac{\\partial L}{\\partial w_{2}} &= \\frac{\\partial L}{\\partial a_{o}} \\cdot \\frac{\\partial a_{o}}{\\partial z_{o}} \\cdot \\frac{\\partial z_{o}}{\\partial w_{2}} \\\\
        \\frac{\\partial L}{\\partial a_{o}} &= \\frac{1 - y}{1 - a_{o}} - \\frac{y}{a_{o}} = 2.28403 \\\\
        \\frac{\\partial a_{o}}{\\partial z_{o}} &= \\frac{e^{- z_{o}}}{\\left(1 + e^{- z_{o}}\\right)^{2}} = 0.246134 \\\\
        \\frac{\\partial z_{o}}{\\partial w_{2}} &= a_{h} = 0.5
        \\end{aligned}
        """
        rule = self.chain_rule(parameter, params, x, y)
        lines = [rule.latex().replace(" = ", " &= ", 1)]
        seen = set()
        for path in rule.paths:
            for f in path:
                if (f.of, f.wrt) not in seen:
                    seen.add((f.of, f.wrt))
                    lines.append(f.latex().replace(" = ", " &= ", 1))
        return Latex("\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}")

    def __repr__(self) -> str:
        return f"SymbolicNetwork({len(self.parameters)} parameters, loss {self.network.loss})"


def _scalar(value: np.ndarray, name: str) -> float:
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single number for sympy substitution; got shape {np.shape(value)}")
    return float(value)


def _evaluate(expression: sp.Expr, values: Mapping[sp.Symbol, float]) -> float:
    """``expression`` with ``values`` substituted as :data:`_DIGITS`-digit Floats, as a float."""
    exact = {symbol: sp.Float(value, _DIGITS) for symbol, value in values.items()}
    number = sp.sympify(expression).xreplace(exact)
    if not number.is_number or number.free_symbols:
        raise ValueError(f"expression still has symbols after substitution: {number}")
    result = complex(number)
    if result.imag != 0 or not np.isfinite(result.real):
        raise ValueError(f"expression did not evaluate to a finite real number at these values; got {number}")
    return result.real
