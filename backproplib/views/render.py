r"""Tables and LaTeX a chapter displays: forward pass, chain rule, update, document check.

Every table is a :class:`Table`: HTML in the book, aligned plain text in a terminal and in the
stored notebook outputs that nbval compares. Rounding is the caller's choice (``digits``).

Symbols are the prose's: ŷ for the one output's activation, the book's weight symbols
(:func:`backproplib.views.network_words.weight_symbol`), not the library's names (``a_out``, ``w5``).
A cell may hold inline maths as ``$…$``; the HTML form writes it as ``\(…\)`` inside a table marked
for MathJax, because the book's MathJax (set up by MyST) takes only ``\(…\)`` as inline delimiters
outside Markdown and processes only elements marked for it.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Sequence

from ..checking.examples import Example
from ..checking.published import Comparison
from ..engine.network import Network
from ..engine.numeric import backward, chain_rule, forward
from ..engine.symbolic import Latex, aligned_equals, sum_of_products_lines
from ..engine.training import gradient_step
from .network_words import unit_symbol, weight_symbol
from .notebook import number

__all__ = ["Table", "forward_table", "chain_rule_table", "chain_rule_latex", "update_table", "comparison_table"]


@dataclass
class Table:
    """Rows of already formatted cells under column headings.

    >>> print(Table(["name", "value"], [["w1", "0.15"], ["w5", "0.40"]]))
    name  value
    ----  -----
    w1     0.15
    w5     0.40
    """

    columns: list[str]
    rows: list[list[str]]
    caption: str = ""
    numeric: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.numeric:
            self.numeric = [all(_looks_numeric(row[i]) for row in self.rows if row[i]) and bool(self.rows)
                            for i in range(len(self.columns))]

    def __repr__(self) -> str:
        widths = [max(len(str(c)) for c in [col, *(row[i] for row in self.rows)]) for i, col in enumerate(self.columns)]
        def line(cells: Sequence[str]) -> str:
            aligned = (c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, self.numeric))
            return "  ".join(aligned).rstrip()
        lines = ([self.caption] if self.caption else []) + [line(self.columns), line(["-" * w for w in widths])]
        return "\n".join(lines + [line(row) for row in self.rows])

    def _repr_html_(self) -> str:
        def cell(tag: str, text: str, num: bool) -> str:
            # Padding keeps neighbouring numbers apart whatever the page's CSS ("0.0281  0.4719").
            style = f' style="text-align:{"right" if num else "left"}; padding:0.25em 0.75em"'
            return f"<{tag}{style}>{_inline_maths_html(html.escape(text))}</{tag}>"
        head = "".join(cell("th", c, n) for c, n in zip(self.columns, self.numeric))
        rows = ("".join(cell("td", c, n) for c, n in zip(row, self.numeric)) for row in self.rows)
        body = "".join(f"<tr>{row}</tr>" for row in rows)
        caption = f"<caption>{_inline_maths_html(html.escape(self.caption))}</caption>" if self.caption else ""
        return (f'<table class="backprop-table tex2jax_process mathjax_process">{caption}'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _inline_maths_html(text: str) -> str:
    r"""``$…$`` spans as ``\(…\)``, the inline delimiters the book's MathJax reads in HTML outputs.

    >>> _inline_maths_html(r"weight $w_{o h}$ and $\hat y$; 5 $")
    'weight \\(w_{o h}\\) and \\(\\hat y\\); 5 $'
    """
    return re.sub(r"\$([^$]+)\$", r"\\(\1\\)", text)


def _looks_numeric(text: str) -> bool:
    try:
        float(text.replace("−", "-"))
        return True
    except ValueError:
        return False


def forward_table(example: Example, digits: int = 4) -> Table:
    """The forward pass, one row per neuron, then the loss.

    >>> from backproplib.checking.examples import load_example
    >>> print(forward_table(load_example("tiny_relu"), digits=3))
    neuron  weighted sum          with numbers      z  activation      a
    ------  --------------------  ------------  -----  ----------  -----
    h       w1·x                  0.500·1.000   0.500  relu        0.500
    o       w2·h                  0.500·0.500   0.250  sigmoid     0.562
    loss    binary_cross_entropy  y = 0.000                        0.826
    """
    net = example.network
    fwd = forward(net, example.params, example.x, example.y)
    rows = []
    for k, layer in enumerate(net.layers):
        feeds = net.units_before(k)
        for j, neuron in enumerate(layer.neurons):
            names = [f"{w}·{u}" for w, u in zip(layer.weights[j], feeds)]
            numbers = [f"{number(fwd.params[w], digits)}·{number(fwd.a[u], digits)}"
                       for w, u in zip(layer.weights[j], feeds)]
            bias = layer.bias_of(j)
            if bias is not None:
                names.append(bias)
                numbers.append(number(fwd.params[bias], digits))
            z, a = number(fwd.z[neuron], digits), number(fwd.a[neuron], digits)
            rows.append([neuron, " + ".join(names), " + ".join(numbers), z, layer.activation, a])
    targets = ", ".join(number(t, digits) for t in fwd.targets)
    rows.append(["loss", net.loss, f"y = {targets}", "", "", number(fwd.loss, digits)])
    columns = ["neuron", "weighted sum", "with numbers", "z", "activation", "a"]
    return Table(columns, rows, numeric=[False, False, False, True, False, True])


class _Symbols:
    r"""The prose's LaTeX for the names a chain-rule factor uses (``L``, ``a_h1``, ``z_out``, a parameter).

    >>> from backproplib.checking.examples import load_example
    >>> symbols = _Symbols(load_example("shared_bias").network)
    >>> [symbols(n) for n in ("L", "a_out", "z_out", "a_h1", "w5", "b1", "x1")]
    ['L', '\\hat y', 'z_{\\mathrm{out}}', 'a_{h_1}', 'w_{\\mathrm{out} h_1}', 'b_{h}', 'x_1']
    >>> symbols.partial("a_out", "z_out")
    '\\frac{\\partial \\hat y}{\\partial z_{\\mathrm{out}}}'
    """

    def __init__(self, network: Network) -> None:
        self.network = network
        # With one output its activation is the prediction ŷ, as the prose writes it.
        self.prediction = f"a_{network.outputs[0]}" if len(network.outputs) == 1 else None

    def __call__(self, name: str) -> str:
        if name == "L":
            return "L"
        if name == self.prediction:
            return r"\hat y"
        if name in self.network.parameters:
            return weight_symbol(self.network, name)
        quantity, _, unit = name.partition("_")
        if quantity in ("a", "z") and unit in self.network.neurons:
            return f"{quantity}_{{{unit_symbol(unit)}}}"
        return unit_symbol(name)

    def partial(self, of: str, wrt: str) -> str:
        return rf"\frac{{\partial {self(of)}}}{{\partial {self(wrt)}}}"

    def inline_partial(self, of: str, wrt: str) -> str:
        return rf"$\partial {self(of)}/\partial {self(wrt)}$"

    def meaning(self, text: str) -> str:
        """The engine's words for a factor with the name in it written as maths ("weight w5" → "weight $w_{…}$")."""
        def maths(match: re.Match) -> str:
            kind, name = match.groups()
            symbol = self(f"a_{name}") if kind == "activation" else self(name)
            return f"{kind} ${symbol}$"
        return re.sub(r"\b(weight|activation|input) (\w+)$", maths, text)


def chain_rule_table(example: Example, parameter: str, digits: int = 4) -> Table:
    r"""Each factor of ∂L/∂``parameter`` with its value; a product row per path and the total.

    Factors are written as inline maths in the prose's symbols (ŷ, the book's weight symbols).

    >>> from backproplib.checking.examples import load_example
    >>> table = chain_rule_table(load_example("shared_bias"), "b1")
    >>> [row[0] for row in table.rows if row[0].startswith("path")]
    ['path 1 product', 'path 2 product']
    >>> table.rows[-1]
    ['$\\partial L/\\partial b_{h}$', 'sum over paths', '0.0284']
    >>> table.rows[2][:2]
    ['$\\partial z_{\\mathrm{out}}/\\partial a_{h_1}$', 'weight $w_{\\mathrm{out} h_1}$']
    """
    ex = example
    rule = chain_rule(ex.network, ex.params, ex.x, ex.y, parameter)
    symbols = _Symbols(ex.network)
    rows = []
    many = len(rule.paths) > 1
    for k, (path, product) in enumerate(zip(rule.paths, rule.path_products()), start=1):
        for factor in path:
            rows.append([symbols.inline_partial(factor.of, factor.wrt), symbols.meaning(factor.meaning),
                         number(factor.value, digits)])
        rows.append([f"path {k} product" if many else "product", "", number(product, digits)])
    rows.append([symbols.inline_partial("L", parameter), "sum over paths" if many else "the gradient",
                 number(rule.gradient, digits)])
    caption = f"Chain rule for {parameter} (${symbols(parameter)}$)"
    return Table(["factor", "meaning", "value"], rows, caption=caption, numeric=[False, False, True])


def chain_rule_latex(example: Example, parameter: str, digits: int = 4) -> Latex:
    r"""∂L/∂θ as a product of local derivatives, then of numbers, then its value (summed over paths).

    Each path starts its own line and no line holds more factors than fit the page's column
    (:func:`backproplib.engine.symbolic.sum_of_products_lines`).

    >>> from backproplib.checking.examples import load_example
    >>> text = chain_rule_latex(load_example("tiny_relu"), "w2")
    >>> text.startswith(r"\begin{aligned}") and text.count("{") == text.count("}")
    True
    >>> print(chain_rule_latex(load_example("shared_bias"), "b1").splitlines()[4])
    &\quad + (0.7414) \cdot (0.1868) \cdot (0.4500) \cdot (0.2406) \cdot (1.0000) \\
    """
    ex = example
    rule = chain_rule(ex.network, ex.params, ex.x, ex.y, parameter)
    symbols = _Symbols(ex.network)
    partials = [[symbols.partial(f.of, f.wrt) for f in path] for path in rule.paths]
    numbers = [[f"({number(f.value, digits)})" for f in path] for path in rule.paths]
    lines = aligned_equals(
        symbols.partial("L", parameter), sum_of_products_lines(partials), sum_of_products_lines(numbers),
        [number(rule.gradient, digits)],
    )
    return Latex("\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}")


def update_table(example: Example, digits: int = 4) -> Table:
    """One gradient-descent step at the example's learning rate: old, gradient, η·gradient, new.

    A parameter the example keeps frozen (``example.frozen``) shows its gradient but does not move.

    >>> from backproplib.checking.examples import load_example
    >>> print(update_table(load_example("tiny_relu")))
    parameter     old  gradient  η·gradient     new
    ---------  ------  --------  ----------  ------
    w1         0.5000    0.2811      0.0281  0.4719
    w2         0.5000    0.2811      0.0281  0.4719
    >>> update_table(load_example("two_outputs")).rows[-1]
    ['b2', '0.6000', '0.1004', 'frozen', '0.6000']
    """
    ex = example
    grads = backward(ex.network, ex.params, ex.x, ex.y).gradients
    new = gradient_step(dict(ex.params), grads, ex.learning_rate, ex.frozen)
    rows = [
        [p, number(ex.params[p], digits), number(grads[p], digits),
         "frozen" if p in ex.frozen else number(ex.learning_rate * grads[p], digits), number(new[p], digits)]
        for p in ex.network.parameters
    ]
    return Table(["parameter", "old", "gradient", "η·gradient", "new"], rows, numeric=[False, True, True, True, True])


def comparison_table(comparisons: Sequence[Comparison], digits: int = 6) -> Table:
    """What the document printed, what we compute, the difference and the verdict.

    The verdict is a word with a symbol (✓ agrees, ≈ rounding slip, ✗ wrong), never colour alone.

    >>> from backproplib.checking.examples import load_example
    >>> table = comparison_table(load_example("tiny_relu").compare_with_document())
    >>> sum("✗ wrong" in line for line in repr(table).splitlines()) > 0
    True
    """
    mark = {"agrees": "✓ agrees", "rounding slip": "≈ rounding slip", "wrong": "✗ wrong"}
    rows = [
        [c.published.where, c.published.label, c.published.printed, number(c.computed, digits), f"{c.difference:+.2e}",
         mark[c.verdict]]
        for c in comparisons
    ]
    columns = ["where", "quantity", "document", "computed", "difference", "verdict"]
    return Table(columns, rows, numeric=[False, False, True, True, True, False])
