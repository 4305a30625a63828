"""The code style the team agreed on, checked by ruff with the settings in pyproject.toml."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ruff() -> list[str]:
    """How to run ruff: the executable beside this Python (a virtual environment's bin), else on the PATH."""
    beside = Path(sys.executable).with_name("ruff")
    found = str(beside) if beside.exists() else shutil.which("ruff")
    assert found, "ruff is not installed: pip install -r requirements.txt"
    return [found]


def test_ruff_finds_nothing_in_the_package_the_tests_the_benchmarks_and_the_book_extensions():
    result = subprocess.run([*ruff(), "check", "--no-cache", "backproplib", "tests", "benchmarks", "_ext"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed" in result.stdout


def test_ruff_would_catch_an_unused_import_and_a_long_line(tmp_path):
    # The check above is only worth something if the configured rules fire.
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\nVALUE = '" + "x" * 130 + "'\n")
    result = subprocess.run([*ruff(), "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(sample)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "F401" in result.stdout and "E501" in result.stdout


MAX_FUNCTION_LINES = 60  # a function a reader takes in at once, docstring included


def long_functions(files: list[Path]) -> list[str]:
    """Every function or method over MAX_FUNCTION_LINES lines, as 'file:line name (n lines)'."""
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found.append(f"{path.relative_to(path.anchor)}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_function_in_the_package_is_longer_than_sixty_lines():
    assert long_functions(sorted((ROOT / "backproplib").rglob("*.py"))) == []


def test_the_length_check_sees_a_long_function(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def short():\n    return 1\n\n\ndef long():\n" + "    x = 1\n" * 60 + "    return x\n")
    assert [entry.split(" ", 1)[1] for entry in long_functions([sample])] == ["long (62 lines)"]
