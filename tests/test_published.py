"""Every value the documents publish, checked against hand derivations written here with math.

The expected values below are derived independently of backproplib (plain ``math`` on the
documents' own networks); the expected verdicts follow the rule stated in published.py and were
worked out by hand from the documents' printed arithmetic.
"""
from __future__ import annotations

import math

import pytest

from backproplib import load_example
from backproplib.checking.published import Published, compare, decimals, verdict


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# --- the rule itself -------------------------------------------------------------------------
def test_agrees_within_half_a_unit_of_the_last_printed_digit():
    assert verdict("0.7514", 0.75144999, 0.7514) == "agrees"
    assert verdict("0.7514", 0.75135001, 0.7514) == "agrees"
    assert verdict("0.7514", 0.75146, 0.7514) != "agrees"


def test_rounding_slip_needs_the_documents_own_arithmetic_and_a_small_gap():
    # off beyond rounding, the document's arithmetic rounds to it, gap < 2 %
    assert verdict("0.1010", 0.1000, 0.10096) == "rounding slip"
    # its own arithmetic rounds to 0.1009: one unit in the last digit is a slip, not rounding
    assert verdict("0.1010", 0.1000, 0.1009) == "wrong"
    # same gap, but the document's own arithmetic gives something else: an arithmetic slip
    assert verdict("0.1010", 0.1000, 0.1030) == "wrong"
    # arithmetic reproduced, but more than 2 % away from the truth: an error carried in
    assert verdict("0.1030", 0.1000, 0.1030) == "wrong"


def test_decimals_count_what_is_printed():
    assert [decimals(t) for t in ("0.5", "-0.08661", "1", "0.199325")] == [1, 5, 0, 6]


def test_compare_evaluates_quantity_expressions():
    row = compare([Published("a * 2", "0.9", "0.45 * 2", "here", "2a")], {"a": 0.45})[0]
    assert row.computed == pytest.approx(0.9) and row.verdict == "agrees"


# --- document 000 -----------------------------------------------------------------------------
def test_tiny_relu_published_values():
    a_h = max(0.0, 1.0 * 0.5)
    y_hat = sig(a_h * 0.5)
    dL_dyhat = 1.0 / (1.0 - y_hat)  # cross-entropy at y = 0
    dL_dz = y_hat - 0.0
    grad = dL_dz * 0.5  # both gradients: 0.5 · a_h = 0.5 · 1.0 · 0.5 ... see below
    grad_w2 = dL_dz * a_h
    grad_w1 = dL_dz * 0.5 * 1.0 * 1.0
    assert grad_w2 == pytest.approx(grad) and grad_w1 == pytest.approx(grad)
    expected = {
        "z_h": 0.5, "a_h": a_h, "z_o": 0.25, "a_o": y_hat, "dLda_o": dL_dyhat, "1 - a_o": 1 - y_hat,
        "dadz_o": y_hat * (1 - y_hat), "delta_o": dL_dz, "grad_w2": grad_w2, "dLda_h": dL_dz * 0.5,
        "dadz_h": 1.0, "delta_h": dL_dz * 0.5, "grad_w1": grad_w1,
        "new_w2": 0.5 - 0.1 * grad_w2, "new_w1": 0.5 - 0.1 * grad_w1,
    }
    wrong = {"dLda_o", "delta_o", "grad_w2", "dLda_h", "delta_h", "grad_w1", "new_w2", "new_w1"}
    rows = load_example("tiny_relu").compare_with_document()
    assert {r.published.quantity for r in rows} == set(expected)
    for row in rows:
        q = row.published.quantity
        assert row.computed == pytest.approx(expected[q], rel=1e-12), q
        assert row.verdict == ("wrong" if q in wrong else "agrees"), q


# --- document 001 -----------------------------------------------------------------------------
def shared_bias_truth() -> dict[str, float]:
    x1, x2, y, lr = 0.05, 0.10, 0.01, 0.5
    w = dict(w1=0.15, w2=0.20, w3=0.25, w4=0.30, w5=0.40, w6=0.45, b1=0.35, b2=0.60)
    zh1 = x1 * w["w1"] + x2 * w["w2"] + w["b1"]
    zh2 = x1 * w["w3"] + x2 * w["w4"] + w["b1"]
    ah1, ah2 = sig(zh1), sig(zh2)
    zo = ah1 * w["w5"] + ah2 * w["w6"] + w["b2"]
    o = sig(zo)
    d_o = (o - y) * o * (1 - o)
    d1 = d_o * w["w5"] * ah1 * (1 - ah1)
    d2 = d_o * w["w6"] * ah2 * (1 - ah2)
    g = dict(w1=d1 * x1, w2=d1 * x2, w3=d2 * x1, w4=d2 * x2, w5=d_o * ah1, w6=d_o * ah2, b1=d1 + d2, b2=d_o)
    t = {
        "z_h1": zh1, "z_h2": zh2, "a_h1": ah1, "a_h2": ah2, "z_out": zo, "a_out": o, "loss": 0.5 * (o - y) ** 2,
        "dLda_out": o - y, "1 - a_out": 1 - o, "dadz_out": o * (1 - o), "delta_out": d_o,
        "1 - a_h1": 1 - ah1, "dadz_h1": ah1 * (1 - ah1), "delta_out * w5": d_o * w["w5"], "delta_h1": d1,
        "1 - a_h2": 1 - ah2, "dadz_h2": ah2 * (1 - ah2), "delta_out * w6": d_o * w["w6"], "delta_h2": d2,
        "learning_rate * grad_b1": lr * g["b1"], "learning_rate * grad_b2": lr * g["b2"],
    }
    t.update({f"grad_{k}": v for k, v in g.items()})
    t.update({f"new_{k}": w[k] - lr * g[k] for k in g})
    return t


# Last-digit slips: the document's own arithmetic rounds to 0.0554, 0.00134 and 0.2406.
SHARED_BIAS_WRONG = {("delta_out * w5", "0.0555"), ("grad_w2", "0.00135"), ("dadz_h2", "0.2407")}
SHARED_BIAS_SLIPS = {
    ("new_w2", "0.199325"),
    ("new_w1", "0.149665"), ("learning_rate * grad_b2", "0.0693"), ("new_b2", "0.5307"),
    ("new_w6", "0.40865"), ("new_w5", "0.35890"),
}


def test_shared_bias_published_values():
    truth = shared_bias_truth()
    rows = load_example("shared_bias").compare_with_document()
    assert len(rows) == 44
    for row in rows:
        key = (row.published.quantity, row.published.printed)
        assert row.computed == pytest.approx(truth[row.published.quantity], rel=1e-12), key
        expected = "wrong" if key in SHARED_BIAS_WRONG else "rounding slip" if key in SHARED_BIAS_SLIPS else "agrees"
        assert row.verdict == expected, key
    # the sum of the shared bias's two paths, as the document adds them
    assert truth["grad_b1"] == pytest.approx(truth["delta_h1"] + truth["delta_h2"])


# --- document 002 -----------------------------------------------------------------------------
def sum_target_truth() -> dict[str, float]:
    x1, x2, y, lr = 1.1, 2.2, 3.3, 0.1
    w = dict(w11=0.2, w12=0.3, w21=0.4, w22=0.7, w_h1=0.6, w_h2=-0.1)
    z1, z2 = x1 * w["w11"] + x2 * w["w21"], x1 * w["w12"] + x2 * w["w22"]
    a1, a2 = sig(z1), sig(z2)
    zo = a1 * w["w_h1"] + a2 * w["w_h2"]
    o = sig(zo)
    d_o = (o - y) * o * (1 - o)
    d1, d2 = d_o * w["w_h1"] * a1 * (1 - a1), d_o * w["w_h2"] * a2 * (1 - a2)
    g = dict(w11=d1 * x1, w21=d1 * x2, w12=d2 * x1, w22=d2 * x2, w_h1=d_o * a1, w_h2=d_o * a2)
    t = {
        "z_h1": z1, "a_h1": a1, "z_h2": z2, "a_h2": a2, "a_h1 * w_h1": a1 * w["w_h1"], "a_h2 * w_h2": a2 * w["w_h2"],
        "z_o": zo, "a_o": o, "loss": 0.5 * (o - y) ** 2, "a_o - 3.3": o - y, "dadz_o": o * (1 - o), "delta_o": d_o,
        "delta_o * w_h1": d_o * w["w_h1"], "dadz_h1": a1 * (1 - a1), "delta_h1": d1,
        "delta_o * w_h2": d_o * w["w_h2"], "dadz_h2": a2 * (1 - a2), "delta_h2": d2,
    }
    t.update({f"grad_{k}": v for k, v in g.items()})
    t.update({f"new_{k}": w[k] - lr * g[k] for k in g})
    return t


# delta_o, delta_h2 and grad_w21 are last-digit slips: the document's own arithmetic rounds to
# -0.65585, 0.00759 and -0.16240.
SUM_TARGET_WRONG = {
    "a_h2", "loss", "grad_w_h1", "grad_w_h2", "dadz_h1", "delta_h1", "dadz_h2", "delta_o", "delta_h2", "grad_w21",
}
SUM_TARGET_SLIPS = {"a_h2 * w_h2", "z_o", "delta_o * w_h1", "delta_o * w_h2", "grad_w11", "grad_w12", "grad_w22"}


def test_sum_target_published_values():
    truth = sum_target_truth()
    rows = load_example("sum_target").compare_with_document()
    assert len(rows) == 30
    for row in rows:
        q = row.published.quantity
        assert row.computed == pytest.approx(truth[q], rel=1e-12), q
        expected = "wrong" if q in SUM_TARGET_WRONG else "rounding slip" if q in SUM_TARGET_SLIPS else "agrees"
        assert row.verdict == expected, q
    # the two headline corrections, to the printed precision
    assert round(truth["a_h2"], 5) == 0.86646 and round(truth["loss"], 5) == 3.67235


@pytest.mark.parametrize("key", ["tiny_relu", "shared_bias", "sum_target"])
def test_every_disagreement_is_explained_and_located(key):
    for row in load_example(key).compare_with_document():
        assert row.published.where.strip()
        if row.verdict != "agrees":
            assert row.published.cause.strip(), row.published.quantity


def test_changed_settings_no_longer_match_the_document():
    ex = load_example("shared_bias")
    assert ex.matches_document
    assert not ex.with_settings(learning_rate=0.25).matches_document
    assert not ex.with_settings(params=dict(ex.params, w5=0.5)).matches_document


def test_a_value_printed_without_its_arithmetic_can_only_agree_or_be_wrong():
    rows = compare(
        [
            Published("a", "0.50", "", "here", "a"),
            Published("a", "0.505", "", "here", "a"),
            Published("a", "0.505", "0.505", "here", "a"),
        ],
        {"a": 0.5},
    )
    assert [r.verdict for r in rows] == ["agrees", "wrong", "rounding slip"]
    assert rows[0].shown != rows[0].shown  # NaN: there was no arithmetic to evaluate
