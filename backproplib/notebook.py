"""Small helpers for the chapter notebooks that must also work outside the book build."""
from __future__ import annotations

from typing import Any

__all__ = ["glue", "number"]


def number(value: float, digits: int = 4) -> str:
    """Format a computed number for prose: ``digits`` decimals, no negative zero.

    >>> number(0.08216704), number(-0.0000001, 3), number(3.0, 2)
    ('0.0822', '0.000', '3.00')
    """
    text = f"{float(value):.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def glue(name: str, value: Any, display: bool = False) -> None:
    """Record ``value`` under ``name`` for the book's ``{glue}`` roles.

    In the book build this is myst-nb's ``glue``; in a plain notebook (Colab, a laptop without
    myst-nb) the value is simply not recorded, so chapters run anywhere.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # pragma: no cover - depends on what the reader installed
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)
