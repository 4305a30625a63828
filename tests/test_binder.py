"""Binder gives a reader what the chapters import and nothing for testing or building the book.

repo2docker reads only ``binder/`` once that folder exists: ``binder/requirements.txt`` (the
reader's set; the root ``requirements.txt`` stays the developers'), ``binder/runtime.txt`` and
``binder/postBuild``, which trusts the notebooks so their stored widget outputs render on first open.

"What the chapters import" is found here from the sources, not listed by hand: the imports of
every code cell of the notebooks in ``_toc.yml`` and of the chapter generator's template, followed
through the package's own modules. Import names map to distributions through the installed
metadata (``importlib.metadata``); the modules a reader may lack are listed explicitly below.
"""
from __future__ import annotations

import ast
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager
from nbformat.sign import NotebookNotary

from backproplib.authoring.chapter_builder import TEMPLATE, template_cells
from support.toc import ROOT, toc_notebooks

BINDER = ROOT / "binder"

# Imported somewhere the chapters reach, yet not needed by a reader: each with the reason.
DEV_ONLY = {
    "myst_nb": "backproplib.views.notebook.glue falls back to IPython.display without it (the book build has it)",
}
TEST_AND_BUILD_TOOLS = {
    "pytest", "hypothesis", "nbval", "papermill", "selenium", "sphinx", "sphinx-exercise", "jupyter-book",
    "myst-nb", "jax", "jaxlib", "ruff", "nbclient",
}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_lines(path: Path) -> list[str]:
    """The requirement of every line, comments and blank lines dropped."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def required_names(path: Path) -> set[str]:
    """The normalized distribution names a requirements file asks for (local paths left out)."""
    names = set()
    for line in requirement_lines(path):
        line = line.removeprefix("-e ").strip()
        if line.startswith("."):
            continue
        names.add(normalized(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line).group()))
    return names


def code_imports(source: str, package: str = "") -> set[str]:
    """Absolute names of the modules ``source`` imports (at any depth), ``from a import b`` giving a.b too."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def module_file(name: str) -> Path | None:
    """The source file of a ``backproplib`` module, or None if ``name`` is no module of the package."""
    path = ROOT.joinpath(*name.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def cell_sources() -> list[str]:
    """Every code cell a reader runs: the book's notebooks and a generated chapter's template."""
    transform = TransformerManager().transform_cell  # %pip and friends become plain Python
    cells = [transform(cell.source) for path in toc_notebooks()
             for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    template = [source for kind, _, source in template_cells(TEMPLATE.read_text(encoding="utf-8")) if kind == "code"]
    return cells + [transform(re.sub(r"<<\w+>>", "None", source)) for source in template]


def run_time_imports() -> tuple[set[str], set[str]]:
    """(package modules, all imported names) reached from the cells through the package's modules."""
    names = set().union(*(code_imports(source) for source in cell_sources()))
    seen, queue = set(), sorted(names)
    while queue:
        name = queue.pop()
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__ too
            module = ".".join(parts[:depth])
            path = module_file(module) if parts[0] == "backproplib" else None
            if path is None or module in seen:
                continue
            seen.add(module)
            package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
            new = code_imports(path.read_text(encoding="utf-8"), package) - names
            names |= new
            queue.extend(new)
    return seen, names


def third_party(names: set[str]) -> set[str]:
    tops = {name.split(".")[0] for name in names if name}
    return {top for top in tops if top not in sys.stdlib_module_names and top not in ("backproplib", "__future__")}


MODULES, IMPORTED = run_time_imports()


def test_the_walk_reaches_the_package_modules_the_chapters_use():
    # A walk that stopped at the notebooks would find numpy and sympy only, and pass for the wrong reason.
    assert {"backproplib.views.widgets", "backproplib.views.png", "backproplib.engine.symbolic",
            "backproplib.authoring.chapter_settings"} <= MODULES
    assert {"PIL", "mpmath", "matplotlib", "ipywidgets", "IPython", "myst_nb"} <= third_party(IMPORTED)


def test_binder_lists_no_test_or_build_tool():
    assert required_names(BINDER / "requirements.txt") & TEST_AND_BUILD_TOOLS == set()
    # The root file stays the developers' set: the same check fails there.
    assert {"pytest", "nbval", "selenium", "jupyter-book"} <= required_names(ROOT / "requirements.txt")


def test_binder_installs_the_package_from_the_repository_root():
    # "." is resolved against pip's working directory, the repository root in repo2docker.
    assert "." in requirement_lines(BINDER / "requirements.txt")
    assert (ROOT / "pyproject.toml").is_file()


def test_every_run_time_import_is_provided_or_listed_as_dev_only():
    provided = required_names(BINDER / "requirements.txt")
    distributions = packages_distributions()
    missing = {}
    for module in sorted(third_party(IMPORTED) - DEV_ONLY.keys()):
        owners = {normalized(d) for d in distributions.get(module, [])}
        assert owners, f"{module} is imported at run time but installed by no distribution here"
        if not owners & provided:
            missing[module] = sorted(owners)
    assert missing == {}, f"binder/requirements.txt lacks the distributions of {missing}"


def test_the_package_imports_without_the_dev_only_modules():
    """Every package module the chapters reach imports in a session where DEV_ONLY modules are absent."""
    blocked = "".join(f"sys.modules[{name!r}] = None\n" for name in DEV_ONLY)
    script = f"import importlib, sys\n{blocked}for name in {sorted(MODULES)!r}:\n    importlib.import_module(name)\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr[-2000:]


def test_binder_runs_the_python_the_repository_asks_for():
    # repo2docker ignores the root runtime.txt once binder/ exists.
    assert (BINDER / "runtime.txt").read_text().strip() == (ROOT / "runtime.txt").read_text().strip() == "python-3.11"


def trust_commands() -> list[list[str]]:
    script = (BINDER / "postBuild").read_text(encoding="utf-8")
    assert script.startswith("#!/bin/bash\n")
    words = [shlex.split(line, comments=True) for line in script.splitlines()]
    return [line for line in words if line[:2] == ["jupyter", "trust"]]


def launched_notebooks() -> list[Path]:
    """The notebooks of the book and their reader's edition, which the launch buttons open."""
    return [*toc_notebooks(), *(ROOT / "reader" / path.relative_to(ROOT) for path in toc_notebooks())]


def test_post_build_is_executable_and_trusts_every_notebook_of_the_book_and_of_the_reader_edition():
    assert os.stat(BINDER / "postBuild").st_mode & 0o111 == 0o111
    patterns = [word for command in trust_commands() for word in command[2:]]
    trusted = {Path(ROOT, match) for pattern in patterns for match in glob.glob(pattern, root_dir=ROOT)}
    assert set(launched_notebooks()) <= trusted


def test_running_post_build_leaves_every_notebook_trusted(tmp_path):
    book = tmp_path / "book"
    for path in launched_notebooks():
        target = book / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    data = tmp_path / "jupyter-data"
    env = {**os.environ, "JUPYTER_DATA_DIR": str(data),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([str(BINDER / "postBuild")], cwd=book, env=env, check=True, capture_output=True, timeout=300)
    notary = NotebookNotary(data_dir=str(data))
    for path in launched_notebooks():
        notebook = nbformat.read(book / path.relative_to(ROOT), as_version=4)
        assert notary.check_signature(notebook), path.name
    (tmp_path / "fresh").mkdir()
    fresh = NotebookNotary(data_dir=str(tmp_path / "fresh"))  # a clone nobody trusted: the check can fail
    assert not fresh.check_signature(nbformat.read(toc_notebooks()[0], as_version=4))
