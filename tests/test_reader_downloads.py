"""The book's download button serves the reader's edition (_ext/reader_downloads.py), checked on a fake build."""
from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

from support.toc import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
from reader_downloads import replace_downloads  # noqa: E402 - a Sphinx extension, found on its folder


def fake_build(tmp_path: Path, builder: str = "html") -> SimpleNamespace:
    source, out = tmp_path / "book", tmp_path / "book" / "_build" / "html"
    for path, text in {"reader/chapters/a.ipynb": "edition", "chapters/a.ipynb": "source",
                       "_build/html/_sources/chapters/a.ipynb": "source",
                       "_build/html/_sources/intro.md": "intro"}.items():
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        (source / path).write_text(text)
    return SimpleNamespace(srcdir=str(source), outdir=str(out), builder=SimpleNamespace(format=builder),
                           config=SimpleNamespace(html_theme_options={"path_to_docs": "reader/"}))


def test_the_downloaded_notebook_is_the_reader_edition_and_other_sources_stay(tmp_path):
    app = fake_build(tmp_path)
    replace_downloads(app, None)
    served = Path(app.outdir) / "_sources"
    assert (served / "chapters" / "a.ipynb").read_text() == "edition"
    assert (served / "intro.md").read_text() == "intro"
    assert not (served / "reader").exists()


def test_a_failed_or_non_html_build_is_left_alone(tmp_path):
    for app, error in ((fake_build(tmp_path / "failed"), RuntimeError("build failed")),
                       (fake_build(tmp_path / "latex", builder="latex"), None)):
        replace_downloads(app, error)
        assert (Path(app.outdir) / "_sources" / "chapters" / "a.ipynb").read_text() == "source"
