"""The repository address lives in _config.yml; every chapter's install cell must use it."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from backproplib.authoring.install_cell import install_cell_source, repository_url, sync_install_cells

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def test_there_are_chapters():
    assert len(CHAPTERS) >= 2


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_each_chapter_installs_from_the_configured_repository(path):
    first = nbformat.read(path, as_version=4).cells[0]
    assert first.cell_type == "code"
    assert first.source == install_cell_source(repository_url(ROOT / "_config.yml"))
    assert "remove-cell" in first.metadata.get("tags", [])


def test_changing_the_address_in_the_config_rewrites_every_install_cell(tmp_path):
    (tmp_path / "chapters").mkdir()
    config = (ROOT / "_config.yml").read_text().replace(repository_url(ROOT / "_config.yml"), "https://example.org/course/fork")
    (tmp_path / "_config.yml").write_text(config)
    for path in CHAPTERS[:2]:
        shutil.copy(path, tmp_path / "chapters" / path.name)
    assert len(sync_install_cells(tmp_path, check=True)) == 2
    sync_install_cells(tmp_path)
    for path in (tmp_path / "chapters").glob("*.ipynb"):
        assert 'git+https://example.org/course/fork"' in nbformat.read(path, as_version=4).cells[0].source
    assert sync_install_cells(tmp_path, check=True) == []


def test_a_config_without_a_repository_address_is_refused(tmp_path):
    (tmp_path / "_config.yml").write_text("title: a book\n")
    with pytest.raises(ValueError, match="repository.url"):
        repository_url(tmp_path / "_config.yml")
