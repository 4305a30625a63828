"""Fixtures shared by the test files (plain helpers live in ``support/`` and ``strategies.py``)."""
from __future__ import annotations

import pytest

from backproplib.checking.examples import load_example
from backproplib.views.explore import Settings


@pytest.fixture(params=["tiny_relu", "shared_bias", "sum_target", "blame_flow"])
def example_settings(request) -> tuple:
    """Each document example with its slider settings: ``(example, settings)``."""
    example = load_example(request.param)
    return example, Settings.of(example)
