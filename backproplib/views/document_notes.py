"""Notes explaining where a document's printed numbers differ from the exact ones.

A chapter compares every number its source document prints with the exact value
(:func:`backproplib.checking.published.compare`) and then explains, in one MyST admonition per
row that does not agree, what went wrong at that step. Two styles, one per kind of document:

* :func:`rounding_notes`, for a document whose arithmetic is right but rounded (the shared-bias
  example): each note traces the gap to the rounded number the step starts from, a halfway
  rounding, or a slip in the last digit;
* :func:`mistake_notes`, for a document with real mistakes (the sum-target example): each note
  names the kind of mistake and gives the row's recorded cause.

Whether the document's own arithmetic reproduces its printed value is decided by the library's
verdict rule (:func:`backproplib.checking.published.verdict`, with the document's arithmetic in
place of the exact value), so the notes and the comparison table cannot disagree.
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

from ..checking.published import AGREES, SLIP, WRONG, Comparison, decimals, verdict
from .notebook import number

__all__ = ["rounding_notes", "mistake_notes", "verdict_counts", "show_notes"]


def _own_verdict(row: Comparison) -> str:
    """The verdict on the printed value if the document's own arithmetic were the exact value."""
    return verdict(row.published.printed, row.shown, row.shown)


def verdict_counts(comparison: Sequence[Comparison]) -> str:
    """One line counting the rows of each verdict.

    >>> from backproplib.checking.examples import load_example
    >>> verdict_counts(load_example("tiny_relu").compare_with_document())
    '7 agrees, 0 rounding slip, 8 wrong'
    >>> verdict_counts([])
    'No comparison for these settings.'
    """
    if not comparison:
        return "No comparison for these settings."
    counts = {v: sum(row.verdict == v for row in comparison) for v in (AGREES, SLIP, WRONG)}
    return ", ".join(f"{n} {v}" for v, n in counts.items())


def show_notes(notes: Sequence[str]) -> None:
    """Display the notes as one Markdown output (nothing when there are none)."""
    if notes:
        from IPython.display import Markdown, display

        display(Markdown("\n\n".join(notes)))


def rounding_notes(comparison: Sequence[Comparison], step_input: Mapping[str, str]) -> list[str]:
    """One admonition per row that does not agree, for a document whose arithmetic is rounded.

    ``step_input`` maps an update's quantity to the printed quantity the step starts from (our
    reading of the document's arithmetic), so a gap can be traced to the number carried in.

    >>> from backproplib.checking.examples import load_example
    >>> notes = rounding_notes(load_example("shared_bias").compare_with_document(), {"new_w1": "grad_w1"})
    >>> notes[0].splitlines()[0]
    ':::{warning} 0.0555 (in dL/dw2 = 0.0555 * 0.2413 * 0.10) (gradient for w2, first line): a slip in the last digit'
    """
    first_row: dict[str, Comparison] = {}
    for row in comparison:
        first_row.setdefault(row.published.quantity, row)
    notes = []
    for row in comparison:
        if row.verdict == AGREES:
            continue
        places = decimals(row.published.printed)
        lines = [_printed_own_exact(row, places)]
        if _own_verdict(row) != AGREES:
            kind, style = "a slip in the last digit", "warning"
            lines.append(_last_digit_slip(row, places))
        else:
            kind, style = "rounding carried forward", "note"
            lines += _carried_rounding(row, places, first_row.get(step_input.get(row.published.quantity, "")))
        lines += _agreeing_twins(comparison, row)
        header = f":::{{{style}}} {row.published.label} ({row.published.where}): {kind}"
        notes.append("\n".join([header, "\n\n".join(lines), ":::"]))
    return notes


def _printed_own_exact(row: Comparison, places: int) -> str:
    item = row.published
    return (f"The document prints **{item.printed}**. Its own arithmetic, `{item.shown}`, gives "
            f"{number(row.shown, places + 2)}; the exact value is **{number(row.computed, places + 2)}**, "
            f"which rounds to {number(row.computed, places)}.")


def _last_digit_slip(row: Comparison, places: int) -> str:
    own_rounded = number(row.shown, places)
    units = round((float(row.published.printed) - float(own_rounded)) * 10 ** places)
    return (f"No rounded input explains it: the step's own numbers round to {own_rounded}, and the "
            f"printed value is {abs(units)} unit{'s' if abs(units) != 1 else ''} "
            f"{'higher' if units > 0 else 'lower'} in the last place. Neither the document's numbers "
            f"nor the exact ones give {row.published.printed}.")


def _carried_rounding(row: Comparison, places: int, source: Comparison | None) -> list[str]:
    """Why a step with right arithmetic still misses: its rounded input, or a halfway rounding."""
    printed, own, exact = float(row.published.printed), row.shown, row.computed
    lines = []
    if source is not None:
        lines.append(f"The arithmetic of this step is right. The gap comes from the number it starts from, "
                     f"{source.published.label} = {source.published.printed}, which is the exact "
                     f"{number(source.computed, decimals(source.published.printed) + 3)} rounded"
                     + (" (and is itself one of the slips explained here)" if source.verdict != AGREES else "")
                     + f". Carried through the step, that rounding moves the result by "
                     f"{number(own - exact, places + 2)}, which shows at the {places} decimals printed.")
    if math.isclose((abs(own) * 10 ** places) % 1, 0.5, abs_tol=1e-6):
        printed_side = "upper" if printed > own else "lower"
        exact_side = "above" if exact > own else "below"
        lines.append(f"The step's result, {number(own, places + 1)}, lies exactly halfway between two "
                     f"{places}-decimal numbers, and the document prints the {printed_side} one; the exact "
                     f"value lies just {exact_side} the halfway point and rounds to {number(exact, places)}.")
    return lines


def _agreeing_twins(comparison: Sequence[Comparison], row: Comparison) -> list[str]:
    return [
        f"The same quantity appears as {twin.published.printed} in {twin.published.where}, "
        f"which agrees: at {decimals(twin.published.printed)} decimals the difference does not show."
        for twin in comparison
        if twin is not row and twin.published.quantity == row.published.quantity and twin.verdict == AGREES
    ]


def mistake_notes(comparison: Sequence[Comparison]) -> list[str]:
    """One admonition per row that does not agree, naming the kind of mistake; then the lucky rows.

    A row is *carried forward* when its verdict is a rounding slip; an *arithmetic slip* when the
    document's own arithmetic does not give the printed value; otherwise a *wrong value carried
    forward*. A *lucky* row agrees with the exact value although the document's own arithmetic
    would not have given it.

    >>> from backproplib.checking.examples import load_example
    >>> notes = mistake_notes(load_example("sum_target").compare_with_document())
    >>> for note in notes[:2]:
    ...     print(note.splitlines()[0])
    :::{warning} a2 (Step 1, second hidden node): arithmetic slip
    :::{note} a2 * w_h2 (Output Layer Calculations): carried forward
    """
    notes = [_mistake(row) for row in comparison if row.verdict != AGREES]
    for row in comparison:
        if row.verdict == AGREES and _own_verdict(row) != AGREES:
            notes.append(_lucky(row))
    return notes


def _mistake(row: Comparison) -> str:
    item = row.published
    if row.verdict == SLIP:
        style, kind = "note", "Carried forward"
    elif _own_verdict(row) == WRONG:
        style, kind = "warning", "Arithmetic slip"
    else:
        style, kind = "warning", "Wrong value carried forward"
    shown_digits = decimals(item.printed) + 1
    return "\n".join([
        f":::{{{style}}} {item.label} ({item.where}): {kind.lower()}",
        f"The document prints **{item.printed}**. Its own arithmetic, `{item.shown}`, gives "
        f"{number(row.shown, shown_digits)}; the exact value is **{number(row.computed, shown_digits)}**.",
        "",
        ("The arithmetic of this step is right to the last printed digit; the gap comes from an earlier "
         "rounded or wrong number that the step uses. " if kind == "Carried forward" else "") + item.cause,
        ":::",
    ])


def _lucky(row: Comparison) -> str:
    item = row.published
    return "\n".join([
        f":::{{note}} {item.label} ({item.where}): right, but not from the document's own numbers",
        f"The document prints **{item.printed}**, which is the exact value rounded. Its own arithmetic, "
        f"`{item.shown}`, would give {number(row.shown, decimals(item.printed) + 1)}: the "
        "printed digit does not follow from the line before it, and this slip happens to offset the error "
        "carried into the step.",
        ":::",
    ])
