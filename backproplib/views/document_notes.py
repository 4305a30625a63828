"""Notes explaining where a document's printed numbers differ from the exact ones.

A chapter compares every number its source document prints with the exact value
(:func:`backproplib.checking.published.compare`) and then explains what went wrong, in one MyST
admonition per *root cause*, not per value: a reader sees one box saying "the document rounds"
with a table of the values it affects, rather than nine boxes repeating that sentence. Each
admonition is ``{admonition}`` with a class, so its title is a real title (a ``{warning}`` takes
no title argument: text on its first line would run into the body). Two styles, one per kind of
document:

* :func:`rounding_notes`, for a document whose arithmetic is right but rounded (the shared-bias
  example): one admonition, one row per value, saying for each whether the gap is a rounded
  number carried into the step or a slip in the last digit;
* :func:`mistake_notes`, for a document with real mistakes (the sum-target example): one
  admonition per kind of mistake (arithmetic slip, wrong value carried forward, rounding carried
  forward, right by luck), each row with its recorded cause.

Differences are written as plain decimals (0.000035, never 3.5e-05).

Whether the document's own arithmetic reproduces its printed value is decided by the library's
verdict rule (:func:`backproplib.checking.published.verdict`, with the document's arithmetic in
place of the exact value), so the notes and the comparison table cannot disagree.
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

from ..checking.published import AGREES, SLIP, WRONG, Comparison, decimals, verdict
from .notebook import number

__all__ = ["rounding_notes", "mistake_notes", "verdict_counts", "show_notes", "admonition", "plain_difference",
           "verdict_rule", "comparison_markdown"]


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


def admonition(title: str, style: str, body: str) -> str:
    """A MyST admonition with a real title, collapsed by default (``style`` is 'note', 'warning', ...).

    >>> print(admonition("Rounding", "note", "Body."))
    :::{admonition} Rounding
    :class: note dropdown
    <BLANKLINE>
    Body.
    :::
    """
    return f":::{{admonition}} {title}\n:class: {style} dropdown\n\n{body}\n:::"


def plain_difference(value: float, places: int) -> str:
    """A difference in plain decimals, with enough places to show its first two significant digits.

    >>> plain_difference(3.49e-05, 5), plain_difference(-0.0004, 4), plain_difference(5.6e-17, 4)
    ('0.000035', '−0.00040', '0.0000')
    """
    if abs(value) < 1e-12:  # float noise in the subtraction itself, not a difference
        value = 0.0
    if value != 0:
        places = max(places, 1 - math.floor(math.log10(abs(value))))
    return number(value, places).replace("-", "−")


def _table(rows: Sequence[Comparison], extra: str, cell) -> str:
    """A Markdown table of ``rows``: value, where, printed, the document's arithmetic, exact, difference, ``extra``."""
    lines = [f"| value | where | printed | its own arithmetic gives | exact | printed − exact | {extra} |",
             "|:---|:---|---:|---:|---:|---:|:---|"]
    for row in rows:
        item, places = row.published, decimals(row.published.printed)
        lines.append(f"| {item.label} | {item.where} | {item.printed} | {number(row.shown, places + 2)} "
                     f"| {number(row.computed, places + 2)} "
                     f"| {plain_difference(float(item.printed) - row.computed, places + 1)} | {cell(row)} |")
    return "\n".join(lines)


def rounding_notes(comparison: Sequence[Comparison], step_input: Mapping[str, str]) -> list[str]:
    """One admonition for a document whose arithmetic is right but rounded: a row per value that does not agree.

    ``step_input`` maps an update's quantity to the printed quantity the step starts from (our
    reading of the document's arithmetic), so a gap can be traced to the number carried in.
    Returns a list with that one admonition, or an empty list when every value agrees.

    >>> from backproplib.checking.examples import load_example
    >>> notes = rounding_notes(load_example("shared_bias").compare_with_document(), {"new_w1": "grad_w1"})
    >>> len(notes), notes[0].splitlines()[0]
    (1, ':::{admonition} Rounding slips in the last printed digit')
    """
    first_row: dict[str, Comparison] = {}
    for row in comparison:
        first_row.setdefault(row.published.quantity, row)
    rows = [row for row in comparison if row.verdict != AGREES]
    if not rows:
        return []

    def why(row: Comparison) -> str:
        places = decimals(row.published.printed)
        if _own_verdict(row) != AGREES:
            return "Slip in the last digit. " + _last_digit_slip(row, places)
        return "Rounding carried forward. " + " ".join(
            _carried_rounding(row, places, first_row.get(step_input.get(row.published.quantity, "")))
            or ["The step's arithmetic is right; the rounded numbers it starts from move the result."])

    largest = max(abs(float(row.published.printed) - row.computed) for row in rows)
    body = (f"{len(rows)} of the {len(comparison)} printed values do not round from the exact value; the largest "
            f"gap is {plain_difference(largest, 6)}. None is a mistake of method: each comes from a rounded "
            "number carried into a step, or from a slip in the last printed digit.\n\n" + _table(rows, "why", why))
    style = "warning" if any(row.verdict == WRONG for row in rows) else "note"
    return [admonition("Rounding slips in the last printed digit", style, body)]


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
                     f"{plain_difference(own - exact, places + 2)}, which shows at the {places} decimals printed.")
    if math.isclose((abs(own) * 10 ** places) % 1, 0.5, abs_tol=1e-6):
        printed_side = "upper" if printed > own else "lower"
        exact_side = "above" if exact > own else "below"
        lines.append(f"The step's result, {number(own, places + 1)}, lies exactly halfway between two "
                     f"{places}-decimal numbers, and the document prints the {printed_side} one; the exact "
                     f"value lies just {exact_side} the halfway point and rounds to {number(exact, places)}.")
    return lines


# The kinds of mistake, in the order their admonitions appear: title, style, opening sentence.
_KINDS = {
    "slip": ("Arithmetic slips", "warning",
             "At each of these steps the document's own inputs do not give the number it prints."),
    "wrong carried": ("Wrong values carried forward", "warning",
                      "These steps compute right from their inputs, but an input is one of the slips above."),
    "rounding carried": ("Rounding carried forward", "note",
                         "These steps are right to the last printed digit; the gap comes from an earlier rounded "
                         "or wrong number the step uses."),
    "lucky": ("Right, but not from the document's own numbers", "note",
              "These printed values agree with the exact ones, yet the document's own arithmetic would not give "
              "them: a slip at the step happens to offset the error carried into it."),
}


def _kind(row: Comparison) -> str | None:
    """The kind of mistake of a row (a key of :data:`_KINDS`), or None when there is nothing to explain."""
    own = _own_verdict(row)
    if row.verdict == AGREES:
        return "lucky" if own != AGREES else None
    if row.verdict == SLIP:
        return "rounding carried"
    return "slip" if own == WRONG else "wrong carried"


def _cause(row: Comparison) -> str:
    """The row's recorded cause, or for a lucky row the sentence saying why it is lucky."""
    if row.published.cause:
        return row.published.cause
    own = number(row.shown, decimals(row.published.printed) + 1)
    return f"The document's own `{row.published.shown}` gives {own}; the printed last digit does not follow from it."


def mistake_notes(comparison: Sequence[Comparison]) -> list[str]:
    """One admonition per kind of mistake, each a table of the values it explains with their causes.

    A row is *rounding carried forward* when its verdict is a rounding slip; an *arithmetic slip*
    when the document's own arithmetic does not give the printed value; otherwise a *wrong value
    carried forward*. A *lucky* row agrees with the exact value although the document's own
    arithmetic would not have given it.

    >>> from backproplib.checking.examples import load_example
    >>> for note in mistake_notes(load_example("sum_target").compare_with_document()):
    ...     print(note.splitlines()[0])
    :::{admonition} Arithmetic slips
    :::{admonition} Rounding carried forward
    :::{admonition} Right, but not from the document's own numbers
    """
    notes = []
    for kind, (title, style, opening) in _KINDS.items():
        rows = [row for row in comparison if _kind(row) == kind]
        if rows:
            table = _table(rows, "cause", _cause)
            notes.append(admonition(title, style, f"{opening}\n\n{table}"))
    return notes


def verdict_rule() -> str:
    """The library's one verdict rule (:data:`~backproplib.checking.published.VERDICT_RULE`), as a quotation.

    >>> print(verdict_rule()[:60])
    > Each printed value gets one verdict. **Agrees**: the exact
    """
    from ..checking.published import VERDICT_RULE

    return f"> {VERDICT_RULE}"


def comparison_markdown(comparison: Sequence[Comparison]) -> str:
    """The comparison as a Markdown table: printed, exact, difference in plain decimals, verdict.

    >>> from backproplib.checking.examples import load_example
    >>> print(comparison_markdown(load_example("sum_target").compare_with_document()).splitlines()[5])
    | Step 1, second hidden node | a2 | 0.86607 | 0.866458 | −0.000388 | ✗ wrong |
    """
    marks = {AGREES: "✓ agrees", SLIP: "≈ rounding slip", WRONG: "✗ wrong"}
    lines = ["| where | value | printed | exact | printed − exact | verdict |", "|:---|:---|---:|---:|---:|:---|"]
    for row in comparison:
        item, places = row.published, decimals(row.published.printed)
        lines.append(f"| {item.where} | {item.label} | {item.printed} | {number(row.computed, max(places + 1, 6))} "
                     f"| {plain_difference(float(item.printed) - row.computed, places + 1)} | {marks[row.verdict]} |")
    return "\n".join(lines)
