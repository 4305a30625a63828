"""The book's colours, line styles and font sizes, for every figure and the network diagram.

Okabe–Ito colours: distinguishable with every common colour-vision deficiency. Lines that share an
axis also get distinct line styles, so colour is never the only cue.
"""
from __future__ import annotations

from matplotlib import colormaps

__all__ = [
    "BLUE", "VERMILLION", "GREEN", "PINK", "ORANGE", "SKY", "YELLOW", "BLACK", "GREY", "SHADE",
    "SERIES_COLOURS", "SERIES_STYLES", "BLAME_COLOURS", "LEGEND_SIZE", "TEXT_SIZE",
]

BLUE, VERMILLION, GREEN, PINK = "#0072B2", "#D55E00", "#009E73", "#CC79A7"
ORANGE, SKY, YELLOW, BLACK = "#E69F00", "#56B4E9", "#F0E442", "#000000"
GREY, SHADE = "0.45", "0.88"  # secondary lines; shaded regions behind the data
# One colour and line style per series (parameter, path, loss), in drawing order.
SERIES_COLOURS: tuple[str, ...] = (BLUE, VERMILLION, GREEN, PINK, ORANGE, SKY)
SERIES_STYLES: tuple[object, ...] = ("-", (0, (5, 2)), (0, (1, 1.5)), "-.", (0, (8, 2, 2, 2)), (0, (3, 3)))
BLAME_COLOURS = colormaps["cividis_r"]  # sequential and readable with colour-vision deficiencies
LEGEND_SIZE, TEXT_SIZE = 7, 8  # points
