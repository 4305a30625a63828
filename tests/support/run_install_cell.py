"""Run an install cell's source in IPython with ``%pip`` replaced, in a fresh process.

``python run_install_cell.py CELL_FILE SCENARIO RESULT_FILE`` executes the cell through IPython's
own ``InteractiveShell`` (so ``%pip`` is parsed as the magic it is in a notebook) and writes what
happened to ``RESULT_FILE`` as JSON: the lines ``%pip`` was given, and the exception the cell
raised (type and message), if any. The scenario decides what the session and ``%pip`` look like:

- ``importable``: backproplib imports already; ``%pip`` would install nothing.
- ``installs``: backproplib is missing; ``%pip`` writes an importable package (as pip would).
- ``fails``: backproplib is missing; ``%pip`` prints an error and installs nothing (as IPython's
  magic does: it never raises).
- ``old-widgets`` / ``new-widgets``: like ``installs``, with ipywidgets 7.7.1 / 8.1.5 already
  imported in the session (Colab preloads 7); ``importable-old-widgets``: the package imports and
  ipywidgets 7.7.1 is loaded (the cell run again without the restart it asked for).

A separate process because the scenarios rewrite ``sys.modules`` and IPython's shell is a singleton.
"""
from __future__ import annotations

import json
import sys
import tempfile
import types
from pathlib import Path

from IPython.core.interactiveshell import InteractiveShell


def _hide_installed_package() -> None:
    """Make ``import backproplib`` fail, whatever this interpreter has installed (None blocks it)."""
    for name in [name for name in sys.modules if name == "backproplib" or name.startswith("backproplib.")]:
        del sys.modules[name]
    sys.modules["backproplib"] = None


def _write_package(site: Path) -> None:
    """What a successful pip install leaves: an importable backproplib on ``sys.path``."""
    (site / "backproplib").mkdir()
    (site / "backproplib" / "__init__.py").write_text("INSTALLED_BY_FAKE_PIP = True\n")
    del sys.modules["backproplib"]


def main(cell_file: str, scenario: str, result_file: str) -> None:
    site = Path(tempfile.mkdtemp())
    sys.path.insert(0, str(site))
    calls: list[str] = []
    _hide_installed_package()
    if scenario.startswith("importable"):
        _write_package(site)
    if scenario.endswith("-widgets"):
        widgets = types.ModuleType("ipywidgets")
        widgets.__version__ = "7.7.1" if scenario.endswith("old-widgets") else "8.1.5"
        sys.modules["ipywidgets"] = widgets

    def fake_pip(line: str) -> None:
        calls.append(line)
        if scenario == "fails":
            print("ERROR: Repository not found.", file=sys.stderr)
        else:
            _write_package(site)

    shell = InteractiveShell.instance()
    shell.register_magic_function(fake_pip, "line", "pip")
    result = shell.run_cell(Path(cell_file).read_text(encoding="utf-8"))
    error = result.error_in_exec or result.error_before_exec
    imported = getattr(sys.modules.get("backproplib"), "INSTALLED_BY_FAKE_PIP", False)
    Path(result_file).write_text(json.dumps({
        "pip_calls": calls,
        "error": None if error is None else type(error).__name__,
        "message": None if error is None else str(error),
        "imported": imported,
    }))


if __name__ == "__main__":
    main(*sys.argv[1:])
