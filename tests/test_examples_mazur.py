"""Matt Mazur's 2-2-2 example ("A Step by Step Backpropagation Example", 2015) through the public API.

The exact values come from mpmath at 50 digits, written out here from his description, not from the
library's code.
"""
from __future__ import annotations

import math

import mpmath as mp
import pytest

from backproplib import backward, chain_rule, gradient_step, load_example, train
from backproplib.checking.checks import three_way_check
from backproplib.checking.published import AGREES, WRONG
from backproplib.engine.numeric import chain_rules

mp.mp.dps = 50
EX = load_example("two_outputs")


def exact(p: dict, exp=mp.exp, number=lambda text: mp.mpf(text)) -> dict:
    """His network: hidden h = σ(w·i + b1), outputs o = σ(w·h + b2), E = Σ ½(target − out)².

    In mpmath by default; ``exp=math.exp, number=float`` runs the same formulas on floats.
    """
    def sigma(z):
        return 1 / (1 + exp(-z))

    p = {k: number(str(v)) if isinstance(v, float) else v for k, v in p.items()}
    i1, i2, t1, t2 = number("0.05"), number("0.10"), number("0.01"), number("0.99")
    h1, h2 = sigma(p["w1"] * i1 + p["w2"] * i2 + p["b1"]), sigma(p["w3"] * i1 + p["w4"] * i2 + p["b1"])
    o1, o2 = sigma(p["w5"] * h1 + p["w6"] * h2 + p["b2"]), sigma(p["w7"] * h1 + p["w8"] * h2 + p["b2"])
    d1, d2 = (o1 - t1) * o1 * (1 - o1), (o2 - t2) * o2 * (1 - o2)
    dh1, dh2 = (d1 * p["w5"] + d2 * p["w7"]) * h1 * (1 - h1), (d1 * p["w6"] + d2 * p["w8"]) * h2 * (1 - h2)
    grads = {
        "w1": dh1 * i1, "w2": dh1 * i2, "w3": dh2 * i1, "w4": dh2 * i2, "b1": dh1 + dh2,
        "w5": d1 * h1, "w6": d1 * h2, "w7": d2 * h1, "w8": d2 * h2, "b2": d1 + d2,
    }
    loss = (t1 - o1) ** 2 / 2 + (t2 - o2) ** 2 / 2
    return {"loss": loss, "o1": o1, "o2": o2, "grads": grads, "p": p}


def exact_step(p: dict, **backend) -> dict:
    """One of his steps at η = 0.5: every weight moves, the biases do not."""
    here = exact(p, **backend)
    return {k: v if k in ("b1", "b2") else v - here["grads"][k] / 2 for k, v in here["p"].items()}


def float_run(steps: int) -> dict:
    p = dict(EX.params)
    for _ in range(steps):
        p = exact_step(p, exp=math.exp, number=float)
    return exact(p, exp=math.exp, number=float)


def test_his_total_error_through_the_public_api():
    loss = float(backward(EX.network, EX.params, EX.x, EX.y).loss)
    assert round(loss, 9) == 0.298371109
    assert loss == pytest.approx(float(exact(EX.params)["loss"]), rel=1e-14)


def test_one_step_with_frozen_biases_gives_his_new_weights():
    grads = backward(EX.network, EX.params, EX.x, EX.y).gradients
    new = gradient_step(EX.params, grads, EX.learning_rate, frozen=EX.frozen)
    assert round(new["w5"], 8) == 0.35891648 and round(new["w1"], 9) == 0.149780716
    assert new["b1"] == 0.35 and new["b2"] == 0.60
    reference = exact_step(EX.params)
    assert new == pytest.approx({k: float(v) for k, v in reference.items()}, rel=1e-14)
    run = train(EX.network, EX.params, EX.x, EX.y, EX.learning_rate, 1, frozen=EX.frozen)
    assert run.params == pytest.approx(new, rel=1e-15)


def test_every_printed_value_gets_a_verdict_and_the_disagreements_are_named():
    rows = EX.compare_with_document()
    assert len(rows) == len(EX.published) == 29
    wrong = sorted(r.published.quantity for r in rows if r.verdict == WRONG)
    assert wrong == ["next_loss", "trained_a_o1", "trained_a_o2", "trained_loss"]
    assert all(r.verdict == AGREES for r in rows if r.published.quantity not in wrong)
    assert all(r.published.cause for r in rows if r.verdict != AGREES)


def test_the_values_he_prints_after_training_are_checked_against_an_exact_run():
    # After one step (biases kept) the exact error is 0.2910277737; he prints 0.291027924.
    q = EX.quantities()
    one = exact(exact_step(EX.params))
    assert q["next_loss"] == pytest.approx(float(one["loss"]), rel=1e-13)
    assert mp.nstr(one["loss"], 10) == "0.2910277737"
    # 10,000 steps: the library's run agrees with a float loop of the formulas above to rounding, and
    # the printed 0.0000351085 is what 9,999 steps give (the causes say so).
    ten_thousand, one_less = float_run(10_000), float_run(9_999)
    assert q["trained_loss"] == pytest.approx(ten_thousand["loss"], rel=1e-9)
    assert q["trained_a_o1"] == pytest.approx(ten_thousand["o1"], rel=1e-9)
    assert q["trained_a_o2"] == pytest.approx(ten_thousand["o2"], rel=1e-9)
    assert f"{one_less['loss']:.6g}" == "3.51085e-05" != f"{q['trained_loss']:.6g}"


def test_the_three_way_check_and_the_chain_rule_work_on_two_outputs():
    check = three_way_check(EX)
    reference = exact(EX.params)["grads"]
    assert [row.parameter for row in check.rows] == list(EX.network.parameters) and check.agree(1e-8)
    for row in check.rows:
        assert row.backprop == pytest.approx(float(reference[row.parameter]), rel=1e-12)
        assert row.sympy == pytest.approx(float(reference[row.parameter]), rel=1e-12)
    # w1 reaches the loss through h1 and then o1 or o2: two paths, whose sum is the gradient
    rule = chain_rule(EX.network, EX.params, EX.x, EX.y, "w1")
    assert len(rule.paths) == 2
    assert rule.gradient == pytest.approx(float(reference["w1"]), rel=1e-13)
    # the shared hidden bias: two neurons times two outputs
    rules = chain_rules(backward(EX.network, EX.params, EX.x, EX.y))
    assert len(rules["b1"].paths) == 4 and len(rules["b2"].paths) == 2
    for name, r in rules.items():
        assert r.gradient == pytest.approx(float(reference[name]), rel=1e-12)


def test_several_targets_are_given_by_name_or_in_output_order():
    by_order = EX.with_settings(y=[0.2, 0.8])
    by_name = EX.with_settings(y={"o2": 0.8, "o1": 0.2})
    assert by_order.quantities()["loss"] == pytest.approx(by_name.quantities()["loss"], rel=1e-15)
    assert not by_order.matches_document and EX.with_settings(y={"o1": 0.01, "o2": 0.99}).matches_document
    with pytest.raises(ValueError, match=r"y must have 2 values, one per output \['o1', 'o2'\]"):
        EX.with_settings(y=[0.1])
