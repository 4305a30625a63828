"""The notes on a document's discrepancies: one admonition per root cause, a row per disagreeing value,
consistent with the verdict rule."""
from __future__ import annotations

import re

import pytest

from backproplib import load_example
from backproplib.checking.published import Comparison, Published
from backproplib.views.document_notes import mistake_notes, plain_difference, rounding_notes, verdict_counts


def row(printed: str, computed: float, shown: float, verdict: str, quantity: str = "q") -> Comparison:
    published = Published(quantity, printed, "arithmetic", "Step 1", quantity, "The cause.")
    return Comparison(published, computed, shown, verdict)


def table_rows(note: str) -> list[str]:
    return [line for line in note.splitlines() if line.startswith("| ") and not line.startswith("| value |")]


def titles(notes: list[str]) -> list[str]:
    return [note.splitlines()[0] for note in notes]


def test_every_disagreeing_row_appears_in_exactly_one_admonition():
    comparison = load_example("sum_target").compare_with_document()
    disagreeing = [r for r in comparison if r.verdict != "agrees"]
    notes = mistake_notes(comparison)
    for r in disagreeing:
        where = f"| {r.published.label} | {r.published.where} | {r.published.printed} |"
        assert sum(where in note for note in notes) == 1, r.published.label
    # one admonition per kind, not per value: fewer boxes than values
    assert len(notes) < len(disagreeing)
    assert len(set(titles(notes))) == len(notes)


def test_each_admonition_has_a_title_of_its_own_then_a_blank_line():
    for note in mistake_notes(load_example("sum_target").compare_with_document()):
        lines = note.splitlines()
        assert lines[0].startswith(":::{admonition} ") and lines[1].startswith(":class: ") and lines[2] == ""
        assert note.endswith(":::")


def test_the_kind_of_mistake_follows_the_documents_own_arithmetic():
    # printed 0.50: its own arithmetic gives 0.50 but the exact value is 0.70 -> a wrong value carried in
    carried = mistake_notes([row("0.50", 0.70, 0.50, "wrong")])
    # printed 0.50: its own arithmetic gives 0.60 -> an arithmetic slip at this step
    slip = mistake_notes([row("0.50", 0.70, 0.60, "wrong")])
    assert titles(carried) == [":::{admonition} Wrong values carried forward"]
    assert titles(slip) == [":::{admonition} Arithmetic slips"]
    assert "The cause." in carried[0] and "The cause." in slip[0]


def test_a_lucky_agreement_is_explained_and_a_plain_one_is_not():
    lucky = mistake_notes([row("0.50", 0.501, 0.53, "agrees")])
    plain = mistake_notes([row("0.50", 0.501, 0.502, "agrees")])
    assert titles(lucky) == [":::{admonition} Right, but not from the document's own numbers"]
    assert plain == []


def test_the_shared_bias_document_gets_one_admonition_for_its_rounding_slips():
    comparison = load_example("shared_bias").compare_with_document()
    notes = rounding_notes(comparison, {})
    disagreeing = [r for r in comparison if r.verdict != "agrees"]
    assert len(notes) == 1 and len(table_rows(notes[0])) == len(disagreeing) == 9


def test_rounding_notes_trace_a_gap_to_the_number_the_step_starts_from():
    source = row("0.14", 0.1449, 0.1449, "rounding slip", quantity="grad_w1")
    step = row("0.43", 0.4275, 0.43, "rounding slip", quantity="new_w1")
    (note,) = rounding_notes([source, step], {"new_w1": "grad_w1"})
    assert "grad_w1 = 0.14, which is the exact 0.14490 rounded" in table_rows(note)[1]
    assert ":class: note dropdown" in note


def test_a_last_digit_slip_makes_a_warning_counted_in_units():
    (note,) = rounding_notes([row("0.53", 0.5, 0.5, "wrong")], {})
    assert ":class: warning dropdown" in note and "3 units higher in the last place" in note


def test_nothing_to_explain_gives_no_admonition():
    assert rounding_notes([row("0.50", 0.5, 0.5, "agrees")], {}) == []


@pytest.mark.parametrize("value, places, text", [(3.49e-05, 5, "0.000035"), (-0.00312, 4, "−0.0031"),
                                                  (0.25, 3, "0.250"), (0.0, 2, "0.00")])
def test_differences_are_plain_decimals(value, places, text):
    assert plain_difference(value, places) == text


def test_no_note_writes_a_number_in_exponent_form():
    notes = mistake_notes(load_example("sum_target").compare_with_document())
    notes += rounding_notes(load_example("shared_bias").compare_with_document(), {})
    assert not re.search(r"\d[eE][+-]\d", "\n".join(notes))


@pytest.mark.parametrize("key", ["tiny_relu", "shared_bias", "sum_target"])
def test_the_counts_add_up_to_the_rows(key):
    comparison = load_example(key).compare_with_document()
    counts = [int(part.split()[0]) for part in verdict_counts(comparison).split(", ")]
    assert sum(counts) == len(comparison)
