"""Chain-rule maths the chapters display: no line wider than the page's column, one path a line,
and written in the prose's symbols (ŷ, the book's weight symbols), in both the text and HTML forms."""
from __future__ import annotations

import math
import re

import pytest

from backproplib.checking.examples import EXAMPLES, load_example
from backproplib.engine.network import Layer, Network
from backproplib.engine.numeric import chain_rule
from backproplib.engine.symbolic import SymbolicNetwork
from backproplib.views import render

COLUMN_CHARACTERS = 70  # the ~720 px content column holds about 70 characters of display maths
MOST_FACTORS = 6  # at about 10 characters a factor (with its ·), beside an 8-character left-hand side


def rendered_width(line: str) -> int:
    """Characters a line of LaTeX shows, estimated independently of the library: a fraction is as wide
    as the wider of its numerator and denominator, subscripts count in full, \\quad as two, and
    every =, + and · gets one more for the space around it."""
    text = line.replace("&", "").replace(r"\\", "")
    text = re.sub(r"\\mathrm\{(\w+)\}", r"\1", text)
    text = re.sub(r"\\hat\s*\{?(\w)\}?", r"\1", text)
    text = re.sub(r"\\(left|right)", "", text)
    text = text.replace(r"\partial", "∂").replace(r"\cdot", "·").replace(r"\quad", "  ")
    while re.search(r"[_^]\{[^{}]*\}", text):
        text = re.sub(r"[_^]\{([^{}]*)\}", r"\1", text)
    text = text.replace("_", "").replace("^", "")
    fraction = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")
    while fraction.search(text):
        text = fraction.sub(lambda m: max(m.group(1), m.group(2), key=len), text)
    text = re.sub(r"\\[A-Za-z]+", "x", text).replace("{", "").replace("}", "")
    operators = sum(text.count(op) for op in "=+·")
    return len(text.replace(" ", "")) + operators


def body_lines(latex: str) -> list[str]:
    lines = latex.splitlines()
    assert lines[0] == r"\begin{aligned}" and lines[-1] == r"\end{aligned}"
    return lines[1:-1]


def right_of_equals(line: str) -> str:
    return line.split("&", 1)[1]


def test_the_width_estimate_sees_the_old_one_line_sum_as_too_wide():
    example = load_example("shared_bias")
    lines = body_lines(render.chain_rule_latex(example, "b1"))
    old = lines[0] + " " + lines[1].replace(r"&\quad", "")  # both paths on one line, as before
    assert rendered_width(lines[0]) < COLUMN_CHARACTERS < rendered_width(old)
    numbers = lines[2] + " " + lines[3].replace(r"&\quad", "")
    assert rendered_width(numbers) > COLUMN_CHARACTERS


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_every_chain_rule_line_fits_the_column(key):
    example = load_example(key)
    for parameter in example.network.parameters:
        lines = body_lines(render.chain_rule_latex(example, parameter))
        for line in lines:
            assert rendered_width(line) <= COLUMN_CHARACTERS, (parameter, line)
            assert right_of_equals(line).count(r"\frac") <= MOST_FACTORS, line
            assert right_of_equals(line).count("(") <= MOST_FACTORS, line


def test_the_shared_bias_puts_each_path_on_its_own_line():
    example = load_example("shared_bias")
    lines = body_lines(render.chain_rule_latex(example, "b1"))
    rule = chain_rule(example.network, example.params, example.x, example.y, "b1")
    assert len(rule.paths) == 2 and len(lines) == 5
    # symbols: path 1 through h1, path 2 (after a plus) through h2
    assert r"a_{h_1}" in lines[0] and r"a_{h_2}" not in lines[0]
    assert lines[1].startswith(r"&\quad + ") and r"a_{h_2}" in lines[1] and r"a_{h_1}" not in lines[1]
    # numbers: each line multiplies out to its path's product
    for line, product in zip(lines[2:4], rule.path_products()):
        factors = [float(v) for v in re.findall(r"\((-?\d+\.\d+)\)", line)]
        assert len(factors) == 5 and math.prod(factors) == pytest.approx(product, abs=5e-4)
    assert lines[4] == f"&= {rule.gradient:.4f}"


def chain_of(depth: int) -> Network:
    """x → n1 → … → n<depth>, one weight each: the first weight's one path has 2·depth + 1 factors."""
    units = ["x"] + [f"n{k}" for k in range(1, depth + 1)]
    layers = tuple(Layer((units[k],), "tanh", ((f"w{k}",),)) for k in range(1, depth + 1))
    return Network(("x",), layers, "half_squared_error")


def test_a_path_longer_than_a_line_continues_on_the_next():
    rule = SymbolicNetwork(chain_of(4)).chain_rule("w1")
    lines = body_lines(rule.latex())
    assert len(rule.paths) == 1 and len(rule.paths[0]) == 9
    assert [right_of_equals(line).count(r"\frac") for line in lines] == [6, 3]
    assert lines[1].startswith(r"&\quad \cdot ")
    assert all(rendered_width(line) <= COLUMN_CHARACTERS for line in lines)


@pytest.mark.parametrize("key,parameter,paths", [("shared_bias", "b1", 2), ("two_outputs", "w1", 2)])
def test_the_symbolic_chain_rule_is_one_path_a_line(key, parameter, paths):
    example = load_example(key)
    symbolic = SymbolicNetwork(example.network)
    for latex in (symbolic.chain_rule(parameter).latex(),
                  symbolic.chain_rule_latex(parameter, example.params, example.x, example.y)):
        lines = body_lines(latex)
        assert all(rendered_width(line) <= COLUMN_CHARACTERS for line in lines)
        sums = lines[:paths]
        assert [line.count(r"\frac") for line in sums] == [6, 5]  # the left-hand side, then five factors each
        assert all(line.startswith(r"&\quad + ") for line in sums[1:])


@pytest.mark.parametrize("key,parameter", [("shared_bias", "b1"), ("sum_target", "w11"), ("tiny_relu", "w1")])
def test_chain_rule_tables_use_the_prose_symbols(key, parameter):
    table = render.chain_rule_table(load_example(key), parameter)
    factors = [row[0] for row in table.rows if row[0].startswith("$")]
    assert factors[0] == r"$\partial L/\partial \hat y$" and factors[1].startswith(r"$\partial \hat y/\partial z_")
    shown = repr(table) + table._repr_html_()
    for library_name in ("a_out", "a_o/", "∂a_", "∂z_", "weight w", "w5", "w_h1", "a_h1", "z_h1"):
        assert library_name not in shown, library_name


def test_chain_rule_tables_name_the_weights_the_book_way():
    table = render.chain_rule_table(load_example("shared_bias"), "w1")
    assert [row[:2] for row in table.rows[2:5]] == [
        [r"$\partial z_{\mathrm{out}}/\partial a_{h_1}$", r"weight $w_{\mathrm{out} h_1}$"],
        [r"$\partial a_{h_1}/\partial z_{h_1}$", "sigmoid slope"],
        [r"$\partial z_{h_1}/\partial w_{h_1 x_1}$", r"input $x_1$"],
    ]
    assert table.rows[-1][0] == r"$\partial L/\partial w_{h_1 x_1}$"
    # two outputs: no single prediction, so each output keeps its activation's name
    two = render.chain_rule_table(load_example("two_outputs"), "w1")
    assert two.rows[0][0] == r"$\partial L/\partial a_{o_1}$" and r"\hat y" not in repr(two)


def test_the_html_table_hands_its_maths_to_mathjax():
    html = render.chain_rule_table(load_example("shared_bias"), "b1")._repr_html_()
    assert "mathjax_process" in html.split(">", 1)[0]
    assert r"<td style=\"text-align:left; padding:0.25em 0.75em\">\(\partial L/\partial \hat y\)</td>".replace(
        '\\"', '"') in html
    assert "$" not in html  # MyST's MathJax reads \( \) in outputs, not dollars
    assert html.count("<tr>") == 1 + len(render.chain_rule_table(load_example("shared_bias"), "b1").rows)
