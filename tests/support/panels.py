"""Driving and reading widget panels without a browser: slider positions and shown images."""
from __future__ import annotations

import base64
import html
import itertools
import re
from typing import Mapping

import numpy as np

from backproplib.views.explore import Settings

__all__ = ["shown_png", "shown_alt", "probe_positions", "every_position", "is_finite"]

_IMG = re.compile(r'<img alt="([^"]*)" src="data:image/png;base64,([A-Za-z0-9+/=]*)"')


def shown_png(view) -> bytes:
    """The PNG bytes a :func:`backproplib.views.widgets.described_image` widget shows.

    >>> from backproplib.views.widgets import described_image
    >>> shown_png(described_image(b"\\x89PNG", "A figure")), shown_alt(described_image(b"", "Loss & gain"))
    (b'\\x89PNG', 'Loss & gain')
    """
    return base64.b64decode(_IMG.match(view.value).group(2))


def shown_alt(view) -> str:
    """The alt text of a :func:`backproplib.views.widgets.described_image` widget."""
    return html.unescape(_IMG.match(view.value).group(1))


def is_finite(view) -> bool:
    """Whether a loss explorer's view (curve, slope, training run) holds only finite numbers."""
    curve, training = view.curve, view.training
    return bool(np.all(np.isfinite(curve.losses)) and np.isfinite(curve.slope) and np.all(np.isfinite(training.losses)))


def probe_positions(
    settings: Settings, ranges: Mapping[str, tuple[float, float]], mixes: int = 6, seed: int = 0
) -> list[dict[str, float]]:
    """Slider positions that exercise a live panel, for checks that every position draws.

    With several outputs (``settings.y`` a mapping) each output's target is its own slider,
    ``y_<output>``, over the range given for ``"y"``.

    Each slider alone at five stops across its range (the others at ``settings``), every slider at
    its low end, every slider at its high end, then ``mixes`` random mixes (seeded).

    >>> from backproplib.checking.examples import load_example
    >>> ex = load_example("tiny_relu")
    >>> positions = probe_positions(Settings(ex.params, ex.x, ex.y, 0.1), {"w1": (-1, 1), "y": (0, 1)}, mixes=1)
    >>> len(positions), positions[0], positions[-3], positions[-2]
    (13, {'w1': -1.0, 'y': 0.0}, {'w1': -1, 'y': 0}, {'w1': 1, 'y': 1})
    """
    several = isinstance(settings.y, Mapping)
    if several and "y" in ranges:  # one target slider per output, y_<output>
        ranges = {**{n: r for n, r in ranges.items() if n != "y"}, **{f"y_{o}": ranges["y"] for o in settings.y}}
    centre = {n: float(settings.y[n[2:]]) if several and n.startswith("y_") else settings.value(n) for n in ranges}
    positions = [dict(centre, **{name: float(v)}) for name, (lo, hi) in ranges.items() for v in np.linspace(lo, hi, 5)]
    positions.append({name: lo for name, (lo, _) in ranges.items()})
    positions.append({name: hi for name, (_, hi) in ranges.items()})
    rng = np.random.default_rng(seed)
    positions += [{name: float(rng.uniform(lo, hi)) for name, (lo, hi) in ranges.items()} for _ in range(mixes)]
    return positions


def every_position(ranges: Mapping[str, tuple[float, float]], steps: int = 5) -> itertools.product:
    """Grid of slider positions (``steps`` per slider, ends included), for exhaustive checks.

    >>> [{k: float(v) for k, v in p} for p in every_position({"w": (0, 1)}, steps=3)]
    [{'w': 0.0}, {'w': 0.5}, {'w': 1.0}]
    """
    axes = [[(name, v) for v in np.linspace(low, high, steps)] for name, (low, high) in ranges.items()]
    return itertools.product(*axes)
