"""The launch targets in a real front end: JupyterLab in headless Chromium, as a Binder reader opens them.

One JupyterLab server (127.0.0.1, a free port, a throwaway token, its own config, data, runtime
and settings folders under a temporary directory) serves a copy of the reader's edition, trusted
the way binder/postBuild trusts it. For each notebook the test

1. opens it and checks the prose as rendered: the glued numbers are there, no ``{glue``, no raw
   directive, no widget fallen back to text (``VBox(...)``) or failing to display;
2. waits for the kernel, runs all cells (Run → Run All Cells) and waits until the kernel is idle
   with every code cell run in order (execution counts 1, 2, … read from the exposed JupyterLab
   application; the served copy starts without counts), then checks that no cell shows an error;
3. moves the first slider of each live explorer one step and waits for its figure to change;
4. shuts the notebook's kernel down.

One more notebook, written after the trust step, shows what a fresh clone shows (untrusted): an
explorer's output in the reader's edition renders as its picture, not as text.

Screenshots and timings go to ``_build/screenshots/live/`` (``report.txt``). The server is stopped
by its process id in a ``finally``; the copy keeps JupyterLab's autosave away from ``reader/``.
Wall time: about 5 s to start the server plus, per notebook, about 5 s to open and its Run All
(3 to 15 s on an idle machine; 35 to 75 s measured with the two cores shared by other jobs).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import nbformat
import pytest
import yaml

from backproplib.authoring.reader_edition import reader_notebook
from backproplib.views.explorer import KERNEL_NOTE
from support.chapter_file import glued_values
from support.chromium import chromium_session
from support.toc import ROOT, toc_notebooks

SHOTS = ROOT / "_build" / "screenshots" / "live"
BOOK = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
EDITION = BOOK["repository"]["path_to_book"]
SOURCES = toc_notebooks()
TIMINGS: dict[str, dict[str, float]] = {}
RUN_ALL_LIMIT = 180  # seconds for one notebook's Run All; the issue measured 7 to 15 s
WIDGET_FAILURES = ("VBox(", "HBox(", "Error displaying widget", "model not found")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lab_folders(base: Path) -> dict[str, str]:
    """Config, data, runtime and settings folders of the test's own, with the settings the test needs."""
    folders = {name: base / name for name in ("config", "data", "runtime", "settings", "workspaces")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    # Every cell attached to the page (not only those in view), so the whole notebook can be read.
    tracker = folders["settings"] / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    notes = folders["settings"] / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notes.parent.mkdir(parents=True)
    notes.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return {name: str(folder) for name, folder in folders.items()}


def served_copy(base: Path, folders: dict[str, str]) -> Path:
    """The launch targets copied under ``base/<path_to_book>``, trusted as binder/postBuild does."""
    root = base / "repository"
    for source in SOURCES:
        target = root / EDITION / source.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        notebook = nbformat.read(ROOT / EDITION / source.relative_to(ROOT), as_version=4)
        for cell in notebook.cells:  # a Run All is then seen in the counts: 1, 2, … from the fresh kernel
            if cell.cell_type == "code":
                cell.execution_count = None
                for output in cell.outputs:
                    if output.output_type == "execute_result":
                        output.execution_count = None
        nbformat.write(notebook, target)
    env = {**os.environ, "JUPYTER_DATA_DIR": folders["data"], "JUPYTER_CONFIG_DIR": folders["config"]}
    subprocess.run([sys.executable, "-m", "jupyter", "trust", *map(str, root.rglob("*.ipynb"))],
                   env=env, check=True, capture_output=True, timeout=120)
    return root


def wait_for_server(url: str, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise AssertionError(f"JupyterLab exited with status {process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"JupyterLab did not answer {url} within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    """Stop the server by its process id (SIGTERM: it shuts its kernels down), SIGKILL if it hangs."""
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def lab() -> Iterator[dict[str, Any]]:
    """One JupyterLab server for every notebook; stopped by its process id whatever happens."""
    base = Path(tempfile.mkdtemp(prefix="reader-lab-"))
    folders = lab_folders(base)
    root, port, token = served_copy(base, folders), free_port(), secrets.token_hex(16)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JUPYTER_DATA_DIR": folders["data"],
           "JUPYTER_CONFIG_DIR": folders["config"], "JUPYTER_RUNTIME_DIR": folders["runtime"]}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={folders['settings']}",
               f"--LabApp.workspaces_dir={folders['workspaces']}", "--LabApp.news_url=",
               "--ServerApp.open_browser=False",
               "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: the cells' execution counts
               "--allow-root"]  # CI runs as root; the server listens on 127.0.0.1 only, behind the token
    started = time.perf_counter()
    log = open(base / "server.log", "w")
    process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_server(f"{url}/api/status?token={token}", process, base / "server.log")
        TIMINGS["server"] = {"start s": time.perf_counter() - started}
        yield {"url": url, "token": token, "root": root}
    finally:
        stop(process)
        log.close()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    try:
        yield from chromium_session(timeout=90)
    finally:
        write_report()


def write_report() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    lines = ["JupyterLab launch-target test (tests/test_jupyterlab.py): seconds and milliseconds", ""]
    for name, timing in TIMINGS.items():
        lines.append(f"{name:28s} " + "  ".join(f"{key} {value:.3f}" for key, value in timing.items()))
    (SHOTS / "report.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def wait_until(browser: Any, script: str, seconds: float, what: str, *args: Any) -> Any:
    """Poll ``script`` (a JS expression body returning a truthy value when done) and return its value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = browser.execute_script(script, *args)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up after {seconds} s waiting for {what}")


# Scroll to the first rendered Markdown cell quoting a glued value, for the "-numbers" screenshot.
SHOW_FIRST_NUMBER = """
const values = arguments[0];
const cells = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell');
const cell = Array.from(cells).find(c => values.some(v => c.textContent.includes(v)));
if (cell) cell.scrollIntoView({block: 'start'});
"""

NOTEBOOK_STATE = """
const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
if (!panel) return null;
const cells = Array.from(panel.querySelectorAll('.jp-Notebook .jp-Cell'));
// Prompts of the code cells whose input shows: a collapsed input (a placeholder) keeps an empty prompt.
const prompts = Array.from(panel.querySelectorAll('.jp-CodeCell'))
  .filter(cell => !cell.querySelector('.jp-InputPlaceholder'))
  .map(cell => cell.querySelector('.jp-InputPrompt').textContent.trim());
const markdown = Array.from(panel.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown'));
return {cells: cells.length, markdown: markdown.map(m => m.textContent), prompts: prompts,
        outputs: Array.from(panel.querySelectorAll('.jp-OutputArea-output')).map(o => o.textContent),
        errors: panel.querySelectorAll('[data-mime-type="application/vnd.jupyter.error"]').length,
        images: panel.querySelectorAll('.jp-OutputArea-output img').length};
"""


def opened(browser: Any, lab: dict, path: str, notebook) -> dict:
    """Open ``path`` alone in JupyterLab and wait until every cell and rendered Markdown cell is there."""
    browser.get(f"{lab['url']}/lab/tree/{path}?reset&token={lab['token']}")
    markdown = sum(cell.cell_type == "markdown" for cell in notebook.cells)
    check = f"const s = (() => {{ {NOTEBOOK_STATE} }})(); " \
            f"return s && s.cells === {len(notebook.cells)} && s.markdown.length === {markdown} " \
            f"&& s.markdown.every(text => text.trim()) ? s : null;"  # every Markdown cell rendered
    return wait_until(browser, check, 120, f"{path} to render its {len(notebook.cells)} cells")


def run_all(browser: Any) -> None:
    """Run → Run All Cells, through the menu bar as a reader does."""
    from selenium.webdriver.common.by import By

    menus = browser.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-itemLabel")
    next(menu for menu in menus if menu.text == "Run").click()
    wait_until(browser, "return document.querySelector('[data-command=\"runmenu:run-all\"]')", 10, "Run menu")
    browser.find_element(By.CSS_SELECTOR, '[data-command="runmenu:run-all"]').click()


# With expose_app_in_browser the page holds the application (window.jupyterapp): the cell models give
# each code cell's execution count, which a Run All on the fresh kernel makes 1, 2, … in order.
EXECUTION = """
const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
if (!panel || !panel.content || !panel.sessionContext) return null;
const counts = panel.content.widgets.filter(c => c.model.type === 'code').map(c => c.model.executionCount);
const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
const done = kernel && kernel.status === 'idle' && counts.every((n, i) => n === i + 1);
return arguments[0] ? {kernel: kernel && kernel.status, counts: counts} : (done ? counts.length : null);
"""


def run_all_and_wait(browser: Any) -> tuple[float, int, dict]:
    """Run all cells once the kernel is idle; returns (seconds until the kernel is idle again with every
    code cell run in order, how many ran, the notebook's state then)."""
    ready = "const p = window.jupyterapp && window.jupyterapp.shell.currentWidget; " \
            "return p && p.sessionContext && p.sessionContext.session?.kernel?.status === 'idle';"
    wait_until(browser, ready, 90, "the kernel to start")
    started = time.perf_counter()
    run_all(browser)
    try:
        executed = wait_until(browser, EXECUTION, RUN_ALL_LIMIT, "Run All to finish", False)
    except AssertionError:
        screenshot(browser, "run-all-failed")
        state = browser.execute_script(EXECUTION, True)
        raise AssertionError(f"Run All did not finish in {RUN_ALL_LIMIT} s: {state}") from None
    return time.perf_counter() - started, executed, browser.execute_script(NOTEBOOK_STATE)


ARM_FIGURE_WATCH = """
const output = arguments[0];
const image = () => Array.from(output.querySelectorAll('img')).map(i => i.src).join('|');
const before = image();
window.__bpFigure = {pressed: null, changed: null};
document.addEventListener('keydown', () => { window.__bpFigure.pressed ??= performance.now(); },
                          {capture: true, once: true});
const observer = new MutationObserver(() => {
  if (window.__bpFigure.pressed !== null && image() !== before) {
    window.__bpFigure.changed = performance.now();
    observer.disconnect();
  }
});
observer.observe(output, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
return before.length > 0;
"""


def slider_to_figure(browser: Any, output: Any) -> float:
    """Press → on the panel's first slider; milliseconds (timed in the page) until its figure changes."""
    from selenium.webdriver.common.keys import Keys

    handle = output.find_element("css selector", ".widget-slider .noUi-handle")
    assert browser.execute_script(ARM_FIGURE_WATCH, output), "the live panel shows no figure"
    handle.send_keys(Keys.ARROW_RIGHT)
    changed = "const f = window.__bpFigure; return f.changed === null ? null : f.changed - f.pressed;"
    return float(wait_until(browser, changed, 30, "the explorer's figure to change after its slider moved"))


def shut_kernels_down(lab: dict) -> None:
    """End every session's kernel (REST API), so notebooks opened earlier do not keep computing."""
    headers = {"Authorization": f"token {lab['token']}"}
    with urllib.request.urlopen(urllib.request.Request(f"{lab['url']}/api/sessions", headers=headers)) as answer:
        sessions = json.load(answer)
    for session in sessions:
        request = urllib.request.Request(f"{lab['url']}/api/sessions/{session['id']}", headers=headers, method="DELETE")
        urllib.request.urlopen(request).close()


def screenshot(browser: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"{name}.png"))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_launch_target_reads_runs_and_responds_in_jupyterlab(lab: dict, chromium: Any, source: Path):
    relative = (Path(EDITION) / source.relative_to(ROOT)).as_posix()
    notebook = nbformat.read(ROOT / relative, as_version=4)
    name = f"{source.parent.name}-{source.stem}"
    started = time.perf_counter()
    first = opened(chromium, lab, relative, notebook)
    timing = TIMINGS.setdefault(name, {"open s": time.perf_counter() - started})
    screenshot(chromium, f"{name}-opened")
    chromium.execute_script(SHOW_FIRST_NUMBER, sorted(glued_values(source).values(), key=len, reverse=True)[:20])
    screenshot(chromium, f"{name}-numbers")
    prose = "\n".join(first["markdown"])
    assert "{glue" not in prose and "```{" not in prose and ":::{" not in prose
    values, chapter = glued_values(source), nbformat.read(source, as_version=4)
    quoted = {name for cell in chapter.cells if cell.cell_type == "markdown" and "remove-cell" not in cell.metadata.get(
        "tags", []) for name in re.findall(r"\{glue:text\}`([^`:]+)`", cell.source)}
    assert [name for name in sorted(quoted) if values[name] not in prose] == [], "glued values missing from the prose"
    assert not [t for t in first["outputs"] for failure in WIDGET_FAILURES if failure in t], "a widget shows as text"
    seconds, executed, after = run_all_and_wait(chromium)
    timing["Run All s"] = seconds
    screenshot(chromium, f"{name}-ran")
    assert after["errors"] == 0, "a cell failed under Run All"
    assert executed == sum(cell.cell_type == "code" for cell in notebook.cells)
    # A failed cell stops Run All: every later prompt would stay empty. Hidden cells' errors still show.
    numbers = [int(p.strip("[]: ")) if p.strip("[]: ").isdigit() else None for p in after["prompts"]]
    assert None not in numbers and numbers == sorted(set(numbers)), f"cells left unrun: {after['prompts']}"
    noted = f".//*[contains(text(), {json.dumps(KERNEL_NOTE[:40])})]"
    panels = chromium.find_elements("xpath", f"//div[contains(@class, 'jp-OutputArea-output')][{noted}]")
    explorers = sum("browser_explorer(" in cell.source for cell in notebook.cells if cell.cell_type == "code")
    # Lesson explorers built on BrowserExplorer carry the note too: at least one panel per loss explorer.
    assert len(panels) >= explorers, f"{explorers} explorer cells but {len(panels)} live panels with their note"
    for index, panel in enumerate(panels):
        chromium.execute_script("arguments[0].scrollIntoView({block: 'center'})", panel)
        timing[f"slider→figure ms #{index + 1}"] = slider_to_figure(chromium, panel)
        screenshot(chromium, f"{name}-explorer-{index + 1}")
    shut_kernels_down(lab)


def explorer_notebook(path: Path) -> None:
    """A chapter-like notebook holding one real loss explorer output, as the kernel displays it."""
    from backproplib.checking.examples import load_example
    from backproplib.views.explore import Settings
    from backproplib.views.explorer import browser_explorer
    from backproplib.views.widgets import slider_range

    example = load_example("tiny_relu")
    ranges = {name: slider_range(value) for name, value in example.params.items()}
    ranges.update({"x": (-2.0, 2.0), "y": (0.0, 1.0), "learning_rate": (0.01, 2.0)})
    bundle = browser_explorer(example.network, Settings.of(example), ranges, "w1", epochs=20)._repr_mimebundle_()
    output = nbformat.v4.new_output("execute_result", data=bundle, execution_count=1)
    cells = [nbformat.v4.new_markdown_cell("# An explorer"),
             nbformat.v4.new_code_cell("browser_explorer(...)", outputs=[output], execution_count=1)]
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": BOOK_KERNEL}), path)


BOOK_KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
SHOWN_OUTPUT = """
const output = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output');
return output ? {mime: output.dataset.mimeType, images: output.querySelectorAll('img').length,
                 text: output.textContent} : null;
"""


def test_an_untrusted_launch_target_shows_each_explorers_picture(lab: dict, chromium: Any, tmp_path: Path):
    """A fresh clone's notebooks are untrusted: JupyterLab then renders only safe outputs. The reader's
    edition leaves an explorer's output its picture (image/png), not the book-only HTML or widget text."""
    explorer_notebook(tmp_path / "chapter.ipynb")
    reader = reader_notebook(tmp_path / "chapter.ipynb", tmp_path)
    nbformat.write(reader, lab["root"] / "untrusted.ipynb")  # written after the trust step: not signed
    chromium.get(f"{lab['url']}/lab/tree/untrusted.ipynb?reset&token={lab['token']}")
    shown = wait_until(chromium, SHOWN_OUTPUT, 60, "the explorer's output to render")
    screenshot(chromium, "untrusted-explorer")
    assert shown["mime"] == "image/png" and shown["images"] == 1, shown
    assert not any(failure in shown["text"] for failure in WIDGET_FAILURES)
    shut_kernels_down(lab)
