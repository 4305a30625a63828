"""The page-load benchmark's pure helpers: its percentiles and the table it prints (nothing here is timed)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.page_load import TARGETS, Visit, median_p95, table, toc_pages  # noqa: E402


def test_p95_is_a_measured_value_by_nearest_rank():
    assert median_p95([0.5]) == (0.5, 0.5)
    assert median_p95([4.0, 1.0, 2.0, 3.0]) == (2.5, 4.0)
    twenty = [float(i) for i in range(1, 21)]
    assert median_p95(twenty) == (10.5, 19.0)  # ceil(0.95 × 20) = 19th smallest
    assert median_p95(twenty + [21.0]) == (11.0, 20.0)  # ceil(19.95) = 20th


def test_no_values_is_an_error():
    with pytest.raises(ValueError, match="at least one value"):
        median_p95([])


def visits(seconds: list[float], megabytes: float = 3.8, drawn: float | None = None) -> list[Visit]:
    return [Visit(s, int(megabytes * 1e6), 34, drawn) for s in seconds]


def test_table_marks_each_target_and_divides_by_the_baseline():
    rows = {
        "intro": (24_500, visits([0.5, 0.6, 0.4, 0.5, 0.5])),
        "heavy": (1_919_602, visits([3.0, 3.5, 2.0, 3.0, 3.0], megabytes=9.84, drawn=0.8)),
        "slow_tail": (50_000, visits([1.0, 1.0, 1.0, 1.0, TARGETS["interactive_s"] + 0.1])),
        "at_limits": (400_000, visits([TARGETS["interactive_s"]] * 5, megabytes=TARGETS["first_visit_mb"])),
    }
    lines = table(rows)
    assert lines[2] == "| intro (baseline) | 24 | 3.80 | 3.80 | 34 | 0.50 | 0.60 | 1.0× | — | yes |"
    assert lines[3] == "| heavy | 1,920 | 9.84 | 9.84 | 34 | 3.00 | 3.50 | 6.0× | 0.80 | NO |"
    assert lines[4].endswith("| 1.00 | 1.60 | 2.0× | — | NO |")  # the median meets the target, the p95 does not
    assert lines[5].endswith("| 1.50 | 1.50 | 3.0× | — | yes |")  # targets are inclusive
    assert len({line.count("|") for line in lines}) == 1  # every row has the header's columns


def test_table_needs_its_baseline():
    with pytest.raises(ValueError, match="baseline page 'intro'"):
        table({"chapters/ideas": (1, visits([1.0]))})


def test_every_toc_page_is_measured():
    pages = toc_pages(Path(__file__).resolve().parents[1])
    assert pages[0] == "intro" and "chapters/backprop_cost" in pages and "reference/errata" in pages
    assert not any(page.endswith((".md", ".ipynb")) for page in pages)
