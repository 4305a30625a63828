"""Statements in words that the documents get wrong: recorded once, shown in the chapter and on the errata page.

Issue 14 lists conceptual errors of each seed document (002's one-pair "addition", 003's
"backward pass adjusts the weights", 001's "a mechanism to update the weights", ...). Each is
recorded in the document's JSON as a claim; the errata page renders them, and the chapter that
discusses a claim has the section it names.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from backproplib import EXAMPLES

BOOK = Path(__file__).resolve().parent.parent
SEED_EXAMPLES = ["blame_flow", "tiny_relu", "shared_bias", "sum_target"]  # documents 003, 000, 001, 002
# What issue 14 says each document claims wrongly, as a word the recorded paraphrase must contain.
REQUIRED = {
    "blame_flow": ["adjust", "smallest"],
    "shared_bias": ["update"],
    "sum_target": ["x1 + x2", "binary classification", "slope"],
}


CHAPTERS = {
    "blame_flow": "ideas", "tiny_relu": "tiny_network", "shared_bias": "shared_bias", "sum_target": "sum_target",
}


def chapter_of(key: str) -> Path:
    """The chapter that teaches the document (backprop_cost reuses tiny_relu's numbers, but checks nothing)."""
    path = BOOK / "chapters" / f"{CHAPTERS[key]}.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    assert any(re.search(rf"example_key\s*=\s*\W{key}\W", c.source) for c in cells if c.cell_type == "code")
    return path


@pytest.mark.parametrize("key", SEED_EXAMPLES)
def test_every_seed_document_has_its_wrong_statements_recorded(key):
    claims = EXAMPLES[key].claims
    assert claims, f"{key}: no claims recorded"
    for claim in claims:
        assert claim.where.strip() and claim.claim.strip() and len(claim.why_wrong.split()) >= 5
    text = " ".join(f"{c.claim} {c.why_wrong}" for c in claims).lower()
    missing = [word for word in REQUIRED.get(key, []) if word not in text]
    assert missing == [], f"{key}: the claims never mention {missing}"


@pytest.mark.parametrize("key", SEED_EXAMPLES)
def test_each_claim_points_to_a_section_its_chapter_has(key):
    headings = {
        line.lstrip("#").strip()
        for cell in nbformat.read(chapter_of(key), as_version=4).cells if cell.cell_type == "markdown"
        for line in cell.source.splitlines() if line.startswith("#")
    }
    for claim in EXAMPLES[key].claims:
        assert claim.chapter_section in headings, (claim.chapter_section, sorted(headings))


def test_errata_page_lists_every_claim():
    notebook = json.loads((BOOK / "reference" / "errata.ipynb").read_text(encoding="utf-8"))
    shown = json.dumps([o for c in notebook["cells"] for o in c.get("outputs", [])], ensure_ascii=False)
    for key in SEED_EXAMPLES:
        for claim in EXAMPLES[key].claims:
            assert json.dumps(claim.claim, ensure_ascii=False)[1:-1][:60] in shown, (key, claim.claim)
