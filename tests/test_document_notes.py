"""The notes on a document's discrepancies: one per disagreeing row, consistent with the verdict rule."""
from __future__ import annotations

import pytest

from backproplib import load_example
from backproplib.checking.published import Comparison, Published
from backproplib.views.document_notes import mistake_notes, rounding_notes, verdict_counts


def row(printed: str, computed: float, shown: float, verdict: str, quantity: str = "q") -> Comparison:
    published = Published(quantity, printed, "arithmetic", "Step 1", quantity, "The cause.")
    return Comparison(published, computed, shown, verdict)


def test_every_disagreeing_row_gets_exactly_one_note():
    comparison = load_example("sum_target").compare_with_document()
    disagreeing = [r for r in comparison if r.verdict != "agrees"]
    notes = mistake_notes(comparison)
    for r in disagreeing:
        assert sum(note.startswith(":::{") and f" {r.published.label} ({r.published.where}):" in note.splitlines()[0]
                   for note in notes) >= 1
    assert len(notes) >= len(disagreeing)
    assert all(note.endswith(":::") for note in notes)


def test_the_kind_of_mistake_follows_the_documents_own_arithmetic():
    # printed 0.50: its own arithmetic gives 0.50 but the exact value is 0.70 -> a wrong value carried in
    carried = mistake_notes([row("0.50", 0.70, 0.50, "wrong")])[0]
    # printed 0.50: its own arithmetic gives 0.60 -> an arithmetic slip at this step
    slip = mistake_notes([row("0.50", 0.70, 0.60, "wrong")])[0]
    assert carried.splitlines()[0].endswith("wrong value carried forward")
    assert slip.splitlines()[0].endswith("arithmetic slip")
    assert "The cause." in carried and "The cause." in slip


def test_a_lucky_agreement_is_explained_and_a_plain_one_is_not():
    lucky = mistake_notes([row("0.50", 0.501, 0.53, "agrees")])
    plain = mistake_notes([row("0.50", 0.501, 0.502, "agrees")])
    assert len(lucky) == 1 and "right, but not from the document's own numbers" in lucky[0]
    assert plain == []


def test_rounding_notes_trace_a_gap_to_the_number_the_step_starts_from():
    source = row("0.14", 0.1449, 0.1449, "rounding slip", quantity="grad_w1")
    step = row("0.43", 0.4275, 0.43, "rounding slip", quantity="new_w1")
    notes = rounding_notes([source, step], {"new_w1": "grad_w1"})
    assert len(notes) == 2
    assert "grad_w1 = 0.14, which is the exact 0.14490 rounded" in notes[1]
    assert notes[1].startswith(":::{note}")


def test_a_last_digit_slip_is_a_warning_counted_in_units():
    note = rounding_notes([row("0.53", 0.5, 0.5, "wrong")], {})[0]
    assert note.startswith(":::{warning}") and "3 units higher in the last place" in note


@pytest.mark.parametrize("key", ["tiny_relu", "shared_bias", "sum_target"])
def test_the_counts_add_up_to_the_rows(key):
    comparison = load_example(key).compare_with_document()
    counts = [int(part.split()[0]) for part in verdict_counts(comparison).split(", ")]
    assert sum(counts) == len(comparison)
