"""The tiny network chapter's sentences, derivation and document check, computed from its settings.

The chapter 'A tiny network: ReLU, sigmoid and cross-entropy' (chapters/tiny_network.ipynb) can be
re-run with any settings its parameters cell offers, so every sentence that states a sign, a
direction or a comparison is chosen here from the numbers, never written once for the document's
values. Each function returns Markdown (or LaTeX) for one paragraph; the chapter displays it.

Trade-off: the paragraphs are plain f-strings rather than templates, so each reads as the sentence
it produces; the price is that the chapter's prose and these strings must be read together.

The symbolic derivation (:func:`derivation_latex`) lets sympy differentiate each local formula and
evaluates every factor exactly from the weighted sums, not from rounded activations: at
``w1 = w2 = 50`` the prediction rounds to 1 in floating point, where ``1/(1 − ŷ)`` would divide by
zero, while the exact ∂L/∂ŷ is about ``e^2500``.
"""
from __future__ import annotations

import math
import re

import mpmath
import sympy as sp

from ..authoring.chapter_settings import check_chapter_settings, check_value, training_summary
from ..checking import published
from ..checking.examples import Example
from ..engine.activations import get_activation
from ..engine.losses import get_loss
from ..engine.training import train
from ..views.document_notes import verdict_rule  # re-exported: the chapter quotes the one rule
from ..views.network_words import weight_symbol
from ..views.notebook import number
from ..views.render import Table, chain_rule_table

__all__ = [
    "check_settings", "mapping_table", "forward_words", "slope_words", "update_words", "dead_zone_words",
    "training_words", "derivation_latex", "document_recipe", "document_check", "verdict_rule", "book_table",
]

# Document 000's names for what the book calls z_h, a_h, z_o, ŷ (its weights keep their names in code).
DOCUMENT_NAMES = (("z1", "z_h"), ("a1", "a_h"), ("z2", "z_o"), ("a2", r"\hat y"), ("y_true", "y"))


def check_settings(params: object, x: object, y: object, learning_rate: object, activations: object,
                   loss: object, epochs: object, digits: object, dead_w1: object) -> None:
    """Refuse settings this chapter cannot show, naming the setting and the allowed values.

    The network's own checks (names, activations, a loss that fits the output) run when the chapter
    builds its example; this adds the chapter's limits.

    >>> check_settings({"w1": 0.5, "w2": 0.5}, {"x": 1.0}, 0.0, 0.1, ["relu", "sigmoid"],
    ...                "binary_cross_entropy", 100, 4, -0.5)
    >>> check_settings({"w1": 0.5, "w2": 0.5}, {"x": 1.0}, 0.0, 0.1, ["relu", "sigmoid"],
    ...                "binary_cross_entropy", 0, 4, -0.5)
    Traceback (most recent call last):
    ...
    ValueError: epochs must be a whole number from 1 to 5000; got 0
    >>> check_settings({"w1": 0.5}, {"x": 1.0}, 0.0, 0.1, ["relu", "sigmoid"], "binary_cross_entropy", 9, 4, 0)
    Traceback (most recent call last):
    ...
    ValueError: params must give exactly w1 and w2 (the network's two weights); got ['w1']
    """
    if not isinstance(params, dict) or sorted(params) != ["w1", "w2"]:
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must give exactly w1 and w2 (the network's two weights); got {got}")
    if not isinstance(x, dict) or list(x) != ["x"]:
        raise ValueError(f"x must be a dict with the one input 'x', e.g. {{'x': 1.0}}; got {x!r}")
    check_chapter_settings(params, x, y, learning_rate, epochs, digits, "w1", activations, layers=2)
    check_value("dead_w1", dead_w1)
    if not 0 <= y <= 1:  # the chapter compares with cross-entropy, whose targets are probabilities
        raise ValueError(f"y must be a number from 0 to 1 (a class label or a probability); got {y!r}")
    if not isinstance(loss, str):
        raise ValueError(f"loss must be a loss name such as 'binary_cross_entropy'; got {loss!r}")


def _symbol(example: Example, name: str) -> str:
    return weight_symbol(example.network, name)


def mapping_table(example: Example) -> str:
    """The document's names beside the book's symbols, as a Markdown table."""
    rows = [f"| `{p}` | ${_symbol(example, p)}$ |" for p in example.network.parameters]
    rows += [f"| `{doc}` | ${book}$ |" for doc, book in DOCUMENT_NAMES]
    return "\n".join(["| document | book |", "|---|---|", *rows])


def _sign_word(value: float, positive: str, negative: str, zero: str) -> str:
    return positive if value > 0 else negative if value < 0 else zero


def forward_words(example: Example, digits: int) -> str:
    """The forward pass in two sentences, with the hidden activation's case chosen by z_h."""
    q, (hidden, output) = example.quantities(), (layer.activation for layer in example.network.layers)
    n = lambda key: number(q[key], digits)  # noqa: E731 - a local shorthand for this paragraph
    wh, wo = _symbol(example, "w1"), _symbol(example, "w2")
    if hidden == "relu":
        case = _sign_word(q["z_h"], "positive, so the ReLU passes it on", "negative, so the ReLU outputs 0",
                          "exactly 0, so the ReLU outputs 0")
        hidden_part = f"which is {case}: $a_h = \\operatorname{{ReLU}}(z_h) =$ {n('a_h')}"
    else:
        hidden_part = f"and $a_h = {get_activation(hidden).symbol}(z_h) =$ {n('a_h')}"
    sides = _sign_word(q["a_o"] - example.y, "above", "below", "equal to")
    text = (f"Hidden neuron: $z_h = {wh}\\,x =$ {n('z_h')}, {hidden_part}. Output neuron: "
            f"$z_o = {wo}\\,a_h =$ {n('z_o')} and $\\hat y = {get_activation(output).symbol}(z_o) =$ {n('a_o')}, "
            f"{sides} the target $y =$ {example.y:g}")
    if output == "sigmoid" and example.y in (0.0, 1.0) and q["a_o"] != 0.5:
        right = (q["a_o"] > 0.5) == (example.y == 1.0)
        text += (f": the network gives class 1 a probability {'above' if q['a_o'] > 0.5 else 'below'} one half, "
                 f"which leans the {'right' if right else 'wrong'} way")
    return text + "."


def loss_words(example: Example, digits: int) -> str:
    """The loss, written with the loss row's formula and reduced for a 0/1 target."""
    loss, value = example.network.loss, number(example.quantities()["loss"], digits)
    text = f"The loss is {get_loss(loss).words}, ${get_loss(loss).formula(1)}$, "
    if loss == "binary_cross_entropy" and example.y in (0.0, 1.0):
        reduced = r"-\log(1 - \hat y)" if example.y == 0.0 else r"-\log \hat y"
        return text + f"which for $y =$ {example.y:g} is ${reduced} =$ {value}."
    return text + f"which here is {value}."


def _at(latex: str, variable: str) -> str:
    """An activation row's derivative formula, written at ``variable`` instead of z."""
    return re.sub(r"(?<![a-zA-Z\\])z(?![a-zA-Z_])", variable, latex)


def slope_words(example: Example, neuron: str, digits: int) -> str:
    """The activation slope of ``neuron`` ('h' or 'o') as its row's formula and its value."""
    layer = example.network.layers[0 if neuron == "h" else 1]
    value = number(example.quantities()[f"dadz_{neuron}"], digits)
    return f"${_at(get_activation(layer.activation).latex_derivative, f'z_{neuron}')}$, here {value}"


def _change(old: float, new: float, digits: int) -> str:
    """'from A to B', or, when the change is too small to show at ``digits`` decimals, its size.

    >>> _change(0.5, 0.4719, 4), _change(-3.0, -2.99999963, 4), _change(1.0, 1.0, 4)
    ('from 0.5000 to 0.4719', 'by only 3.7e-07 (it is -3.0000 to 4 decimals)', 'at 1.0000')
    """
    if old == new:
        return f"at {number(old, digits)}"
    if number(old, digits) == number(new, digits):
        return f"by only {abs(new - old):.2g} (it is {number(old, digits)} to {digits} decimals)"
    return f"from {number(old, digits)} to {number(new, digits)}"


def update_words(example: Example, digits: int) -> str:
    """Which way each weight moves in one step, and what the loss does, from the gradients' signs."""
    q = example.quantities()
    parts = []
    for p in example.network.parameters:
        move = _sign_word(q[f"grad_{p}"], "decreases", "increases", "stays")
        parts.append(f"${_symbol(example, p)}$ {move} {_change(q[p], q[f'new_{p}'], digits)} "
                     f"(its gradient is {_sign_word(q[f'grad_{p}'], 'positive', 'negative', 'zero')})")
    change = _sign_word(q["next_loss"] - q["loss"], "rises", "falls", "stays")
    return (f"With these settings {'; '.join(parts)}. After the step the loss {change} "
            f"{_change(q['loss'], q['next_loss'], digits)}.")


def dead_zone_words(example: Example, dead_w1: float, digits: int) -> str:
    """What happens at w1 = ``dead_w1``: a dead ReLU, or why nothing is dead there."""
    dead = example.with_settings(params=dict(example.params, w1=dead_w1)).quantities()
    wh, n = _symbol(example, "w1"), lambda key: number(dead[key], digits)  # noqa: E731
    head = (f"At ${wh} =$ {dead_w1:g} (other settings unchanged) $z_h =$ {n('z_h')}, $a_h =$ {n('a_h')}, "
            f"$\\hat y =$ {n('a_o')}, the loss is {n('loss')}, and the gradients are "
            f"$\\partial L/\\partial {wh} =$ {n('grad_w1')} and $\\partial L/\\partial {_symbol(example, 'w2')} =$ "
            f"{n('grad_w2')}.")
    if example.network.layers[0].activation != "relu":
        return head + (f" The hidden neuron is a {example.network.layers[0].activation}, whose slope is never 0, "
                       "so no setting of the weight silences it.")
    if dead["z_h"] <= 0:
        return head + (" Both gradients are exactly 0: gradient descent sees a flat loss, so no step moves "
                       "either weight, and the neuron is *dead* for this input.")
    x = example.x["x"]
    zone = "every value" if x == 0 else f"${wh} \\le 0$" if x > 0 else f"${wh} \\ge 0$"
    return head + (f" Here $z_h > 0$, so the neuron is alive and both weights learn. With $x =$ {x:g} "
                   f"the dead zone is {zone}.")


def training_words(example: Example, epochs: int, digits: int) -> str:
    """The training run from the chapter's settings, and the symmetric start's stall when it applies."""
    run = train(example.network, example.params, example.x, example.y, example.learning_rate, epochs)
    prediction = example.with_settings(params=run.params).quantities()["a_o"] if not run.diverged else math.nan
    sentence, _ = training_summary(run, epochs, example.learning_rate, prediction, example.y, digits)
    w1, w2 = example.params["w1"], example.params["w2"]
    symmetric = (
        [layer.activation for layer in example.network.layers] == ["relu", "sigmoid"]
        and example.network.loss == "binary_cross_entropy" and w1 == w2 > 0 and example.x["x"] == 1.0
        and example.y == 0.0 and example.learning_rate <= 1.0 and not run.diverged
    )
    if symmetric:
        sentence += (
            " With equal weights and $x = 1$ the two gradients are equal at every step, so the weights stay "
            "equal; their product $z_o$ never turns negative, so $\\hat y$ never drops below $\\sigma(0) = 1/2$ "
            f"and the loss never drops below $\\ln 2 =$ {number(math.log(2), digits)}. Both weights creep "
            "towards 0, the edge of the dead zone, instead of finding weights of opposite signs."
        )
    return sentence


def book_table(example: Example, parameter: str, digits: int) -> Table:
    """The chain-rule table for ``parameter`` in the prose's symbols (ŷ for a_o, the book's weights)."""
    table = chain_rule_table(example, parameter, digits)
    plain = {p: re.sub(r"[{}\\ ]", "", _symbol(example, p)) for p in example.network.parameters}

    def rename(text: str) -> str:
        text = text.replace("a_o", "ŷ")
        return re.sub(r"\bw[12]\b", lambda m: plain[m.group(0)], text)

    rows = [[rename(cell) for cell in row] for row in table.rows]
    return Table(table.columns, rows, caption=rename(table.caption), numeric=table.numeric)


# -- the symbolic derivation, one factor per line ---------------------------------------------

_CHAINS = {
    "w2": (("L", "a_o"), ("a_o", "z_o"), ("z_o", "w2")),
    "w1": (("L", "a_o"), ("a_o", "z_o"), ("z_o", "a_h"), ("a_h", "z_h"), ("z_h", "w1")),
}


def _local_symbols(example: Example) -> dict[str, sp.Symbol]:
    names = {"x": "x", "y": "y", "z_h": "z_h", "a_h": "a_h", "z_o": "z_o", "a_o": r"\hat{y}",
             "w1": _symbol(example, "w1"), "w2": _symbol(example, "w2")}
    return {key: sp.Symbol(latex, real=True) for key, latex in names.items()}


def _local_formulas(example: Example, s: dict[str, sp.Symbol]) -> dict[str, sp.Expr]:
    """Each named quantity as a formula of the one before it (L of ŷ, ŷ of z_o, z_o of a_h ...)."""
    hidden, output = (get_activation(layer.activation).symbolic for layer in example.network.layers)
    return {"L": get_loss(example.network.loss).symbolic([s["a_o"]], [s["y"]]), "a_o": output(s["z_o"]),
            "z_o": s["w2"] * s["a_h"], "a_h": hidden(s["z_h"]), "z_h": s["w1"] * s["x"]}


def _exact_values(example: Example, s: dict[str, sp.Symbol], formulas: dict[str, sp.Expr]) -> dict:
    """The settings and the weighted sums as 50-digit mpmath numbers (activations are not needed)."""
    with mpmath.workdps(50):
        v = {s["w1"]: mpmath.mpf(example.params["w1"]), s["w2"]: mpmath.mpf(example.params["w2"]),
             s["x"]: mpmath.mpf(example.x["x"]), s["y"]: mpmath.mpf(example.y)}
        v[s["z_h"]] = v[s["w1"]] * v[s["x"]]
        a_h = sp.lambdify(s["z_h"], formulas["a_h"], "mpmath")(v[s["z_h"]])
        v[s["z_o"]] = v[s["w2"]] * a_h
    return v


def _exact(expression: sp.Expr, s: dict[str, sp.Symbol], formulas: dict[str, sp.Expr], values: dict) -> mpmath.mpf:
    """A local derivative's value, written in the weighted sums first so that no 1 − ŷ rounds to 0."""
    in_sums = sp.simplify(expression.subs(s["a_o"], formulas["a_o"]).subs(s["a_h"], formulas["a_h"]))
    arguments = sorted(in_sums.free_symbols, key=str)
    with mpmath.workdps(50):
        return mpmath.mpf(sp.lambdify(arguments, in_sums, "mpmath")(*(values[a] for a in arguments)))


def _shown(value: mpmath.mpf) -> str:
    text = mpmath.nstr(value, 6, min_fixed=-4, max_fixed=7)
    mantissa, _, exponent = text.partition("e")
    mantissa = mantissa[:-2] if mantissa.endswith(".0") else mantissa
    return rf"{mantissa} \times 10^{{{int(exponent)}}}" if exponent else mantissa


def derivation_latex(example: Example, parameter: str) -> str:
    r"""∂L/∂``parameter`` as its chain of local derivatives, each differentiated by sympy, one per line.

    Every value is exact (50 digits, from the weighted sums), so saturated settings give the true
    numbers: at ``w1 = w2 = 50`` the factor ∂L/∂ŷ is about 5.4 × 10^1085 and the gradient is 50.

    >>> from backproplib.checking.examples import load_example
    >>> text = derivation_latex(load_example("tiny_relu"), "w2")
    >>> print(text.splitlines()[1].replace(r" \cdot ", "\n"))
    \frac{\partial L}{\partial w_{o h}} &= \frac{\partial L}{\partial \hat{y}}
    \frac{\partial \hat{y}}{\partial z_{o}}
    \frac{\partial z_{o}}{\partial w_{o h}} = 0.281088 \\
    >>> saturated = load_example("tiny_relu").with_settings(params={"w1": 50.0, "w2": 50.0})
    >>> derivation_latex(saturated, "w1").count("10^{1085}")
    1
    """
    s = _local_symbols(example)
    formulas = _local_formulas(example, s)
    values = _exact_values(example, s, formulas)
    name = lambda key: sp.latex(s[key]) if key in s else key  # noqa: E731
    partial = lambda of, wrt: rf"\frac{{\partial {name(of)}}}{{\partial {name(wrt)}}}"  # noqa: E731
    lines, product = [], mpmath.mpf(1)
    for of, wrt in _CHAINS[parameter]:
        local = sp.diff(formulas[of], s[wrt])
        value = _exact(local, s, formulas, values)
        with mpmath.workdps(50):
            product *= value
        shown = "" if local.is_number else f" = {_shown(value)}"
        lines.append(rf"{partial(of, wrt)} &= {sp.latex(local)}{shown}")
    head = " \\cdot ".join(partial(of, wrt) for of, wrt in _CHAINS[parameter])
    top = rf"\frac{{\partial L}}{{\partial {name(parameter)}}} &= {head} = {_shown(product)}"
    return "\\begin{aligned}\n" + " \\\\\n".join([top, *lines]) + "\n\\end{aligned}"


# -- the document check ---------------------------------------------------------------------

_STEPS = ("dLda_o", "delta_o", "grad_w2", "dLda_h", "delta_h", "grad_w1", "new_w2", "new_w1")


def document_recipe(example: Example) -> dict[str, float]:
    """The document's recipe evaluated exactly: ŷ − y taken as ∂L/∂ŷ, then the sigmoid's slope again.

    >>> from backproplib.checking.examples import load_example
    >>> {k: round(v, 4) for k, v in document_recipe(load_example("tiny_relu")).items()}["grad_w1"]
    0.0692
    """
    q = example.quantities()
    r = {"dLda_o": q["a_o"] - example.y}
    r["delta_o"] = r["dLda_o"] * q["dadz_o"]
    r["grad_w2"] = r["delta_o"] * q["a_h"]
    r["dLda_h"] = r["delta_o"] * q["w2"]
    r["delta_h"] = r["dLda_h"] * q["dadz_h"]
    r["grad_w1"] = r["delta_h"] * q["x"]
    for p in ("w2", "w1"):
        r[f"new_{p}"] = q[p] - example.learning_rate * r[f"grad_{p}"]
    return r


def _difference(value: float, places: int) -> str:
    return number(value, places).replace("-", "−")


_MARKS = {published.AGREES: "✓ agrees", published.SLIP: "≈ rounding slip", published.WRONG: "✗ wrong"}


def comparison_table(example: Example) -> Table:
    """Every number the document prints beside the exact value, differences in plain decimals."""
    rows = []
    for row in example.compare_with_document():
        places = published.decimals(row.published.printed) + 2
        rows.append([row.published.where, row.published.label, row.published.printed, number(row.computed, places),
                     _difference(row.difference, places), _MARKS[row.verdict]])
    return Table(["where", "quantity", "document", "computed", "difference", "verdict"], rows,
                 numeric=[False, False, True, True, True, False])


def document_check(example: Example, digits: int) -> str:
    """One admonition for the document's one root cause, listing every value it explains."""
    if not example.matches_document:
        return ("These settings differ from the document's, so the numbers it prints no longer apply; "
                "the comparison is skipped (set the parameters cell back to the document's values to see it).")
    wrong = [row for row in example.compare_with_document() if row.verdict != published.AGREES]
    recipe, q = document_recipe(example), example.quantities()
    rows = ["| quantity | where | printed | document's recipe, exact | correct | printed − correct |",
            "|:--|:--|--:|--:|--:|--:|"]
    for row in wrong:
        item, places = row.published, published.decimals(row.published.printed) + 1
        rows.append(f"| {item.label} | {item.where} | {item.printed} | {number(recipe[item.quantity], places)} "
                    f"| {number(row.computed, places)} | {_difference(row.difference, places)} |")
    slope = number(q["dadz_o"], digits)
    return "\n".join([
        ":::{admonition} One wrong formula in Step 1, carried through every later step",
        ":class: warning dropdown", "",
        f"Step 1 takes $\\hat y - y$ as $\\partial L/\\partial \\hat y$. That expression is "
        f"$\\partial L/\\partial z_o$, the derivative through the sigmoid and the loss together; Step 3 then "
        f"multiplies by the sigmoid's slope $\\hat y(1 - \\hat y) =$ {slope} a second time. Each of the "
        f"{len(wrong)} values below is the library's verdict **wrong**, and each is exactly what the document's "
        "recipe gives: its own arithmetic after Step 1 is right.", "",
        *rows, "", ":::",
    ])
