"""The checks a document's chapter adds to the book's own limits: the document's names and a fixed loss.

A chapter built on a document (its settings cell keeps the document's parameter names, so every printed
number can be checked one to one) runs :func:`backproplib.authoring.chapter_settings.check_chapter_settings`
for the limits every chapter has, then :func:`check_document_settings` for what is particular to the
document: exactly its parameter and input names, and the one loss its prose and formulas assume. A typo
in a name then stops the chapter at once with the names allowed, not later with a KeyError.

Used by the lesson modules of the document chapters (output_range, bias_paths).
"""
from __future__ import annotations

from typing import Sequence

__all__ = ["check_document_settings"]


def check_document_settings(params: object, x: object, loss: object, parameters: Sequence[str],
                            inputs: Sequence[str], loss_name: str, loss_reason: str) -> None:
    """Refuse parameter or input names other than the document's, and any loss but ``loss_name``.

    >>> check_document_settings({"w": 1.0}, {"x": 0.5}, "half_squared_error", ("w",), ("x",), "half_squared_error", "")
    >>> check_document_settings({"v": 1.0}, {"x": 0.5}, "half_squared_error", ("w",), ("x",), "half_squared_error", "")
    Traceback (most recent call last):
    ...
    ValueError: params must give exactly the document's parameters 'w'; got {'v': 1.0}
    >>> check_document_settings({"w": 1.0}, {"x": 0.5}, "mse", ("w",), ("x",), "half_squared_error",
    ...                         "its floors use it")
    Traceback (most recent call last):
    ...
    ValueError: loss must be 'half_squared_error' in this chapter (its floors use it); got 'mse'
    """
    if loss != loss_name:
        raise ValueError(f"loss must be {loss_name!r} in this chapter ({loss_reason}); got {loss!r}")
    for setting, given, names in (("params", params, parameters), ("x", x, inputs)):
        if not isinstance(given, dict) or sorted(given) != sorted(names):
            what = "parameters" if setting == "params" else "inputs"
            raise ValueError(f"{setting} must give exactly the document's {what} {', '.join(map(repr, names))}; "
                             f"got {given!r}")
