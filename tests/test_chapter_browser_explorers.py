"""The browser explorer of every chapter, as the chapter makes it (its own ``browser_explorer(`` line).

Two properties per chapter: the panel starts at the chapter's settings (its parameters cell) with
every value exactly on a slider position, sweeping the parameter the chapter's prose names; and the
generated JavaScript model, run under node, gives backproplib's ``backward`` loss and gradients at
the chapter's settings and at probe positions across every slider (each alone at five stops, all at
their ends, random mixes).
"""
from __future__ import annotations

import pytest

from support.browser_panel import chapter_browser_explorer, full_positions, model_against_backward, start_problems
from support.chapter_file import Chapter
from support.panels import probe_positions

# chapter -> (the parameter its explorer starts on, names its explorer line uses besides the usual ones)
CHAPTERS = {
    "ideas": (lambda p: p["output_weight"], lambda p: {"output_weight": p["output_weight"]}),
    "tiny_network": (lambda p: "w1", lambda p: {}),
    "shared_bias": (lambda p: "b1", lambda p: {}),
    "sum_target": (lambda p: "w_h1", lambda p: {}),
    "two_outputs": (lambda p: "w5", lambda p: {}),
}


def explorer_of(name: str):
    chapter = Chapter(name)
    parameter, names = (f(chapter.parameters) for f in CHAPTERS[name])
    return chapter, parameter, chapter_browser_explorer(chapter, **names)


@pytest.mark.parametrize("name", CHAPTERS)
def test_browser_explorer_starts_at_the_chapters_settings_on_slider_positions(name):
    chapter, parameter, explorer = explorer_of(name)
    assert start_problems(chapter, explorer, parameter) == []


@pytest.mark.parametrize("name", CHAPTERS)
def test_browser_explorer_model_is_backward_at_the_chapters_settings_and_across_every_slider(name):
    chapter, _, explorer = explorer_of(name)
    positions = full_positions(chapter, probe_positions(chapter.settings, chapter.live_ranges(), mixes=8, seed=3))
    assert len(positions) > 30
    assert model_against_backward(explorer, chapter.example.network, positions) == []
