"""The lesson explorers as standalone pages in a folder laid out like the built book, and the
headless-Chromium scripts that read them (used by tests/test_lesson_browser.py, tests/test_browser.py
and benchmarks/run.py).

The scripts read the page's first explorer, or the explorer whose container is passed as the
first script argument (a built chapter page holds several).
"""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

from backproplib import backward
from backproplib.views.explorer import ASSET_DIR, standalone_page
from support.lesson_panels import LESSONS, dataset_final, lesson, networks_of, quantity, run_of, setting_of

__all__ = ["UPLOT", "write_site", "key_press_latency", "open_page", "press", "SNAPSHOT", "WAIT", "AFTER_RENDER",
           "MEASURE", "MEASURED", "shown", "expected_readouts"]

ROOT = Path(__file__).resolve().parents[2]
# uPlot as `make vendor` leaves it: in this tree, or in the main checkout this worktree came from.
_PLACES = (ROOT / "_static_vendor/_vendor/uplot", Path("/work/main/_static_vendor/_vendor/uplot"),
           ROOT / "vendor/node_modules/uplot/dist")
UPLOT = next((p for p in _PLACES if (p / "uPlot.iife.min.js").is_file()), None)
MINUS = "\u2212"


def write_site(folder: Path) -> dict[str, Any]:
    """One page per lesson explorer (``<name>.html``) with the book's assets; returns the explorers."""
    if UPLOT is None:
        raise FileNotFoundError("uPlot is not vendored: run `make vendor`")
    (folder / "_static").mkdir(parents=True, exist_ok=True)
    (folder / "_vendor" / "uplot").mkdir(parents=True, exist_ok=True)
    for name in ("explorer.js", "lesson.js", "explorer.css"):
        shutil.copy(ASSET_DIR / name, folder / "_static" / name)
    for name in ("uPlot.iife.min.js", "uPlot.min.css"):
        shutil.copy(UPLOT / name, folder / "_vendor" / "uplot" / name)
    (folder / "favicon.ico").write_bytes(b"")
    explorers = {name: lesson(name) for name in LESSONS}
    for name, explorer in explorers.items():
        (folder / f"{name}.html").write_text(standalone_page([explorer.view], "", name))
    return explorers


WAIT = """
const done = arguments[arguments.length - 1];
const given = arguments.length > 1 ? arguments[0] : null;
(function wait() {
  const root = given || document.querySelector('.bp-explorer');
  const alert = root && root.querySelector('[role=alert]:not([hidden])');
  if (alert) done(alert.textContent);
  else if (root && root.backpropExplorer
           && root.backpropExplorer.stats.draws >= (root.backpropExplorer.views || [0, 0]).length)
    requestAnimationFrame(() => done(true));
  else setTimeout(wait, 20);
})();
"""

SNAPSHOT = """
const root = arguments[0] || document.querySelector('.bp-explorer');
const ex = root.backpropExplorer;
const digest = (text) => { let h = 2166136261; for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i);
  h = Math.imul(h, 16777619); } return (h >>> 0).toString(16); };
return {
  renders: ex.stats.renders,
  data: ex.views.map(v => digest(JSON.stringify(v.data))),
  readouts: Array.from(root.querySelectorAll('[data-readout]')).map(e => e.textContent),
  sliders: Array.from(root.querySelectorAll('input[type=range]')).map(i => ({index: Number(i.value),
    text: i.getAttribute('aria-valuetext'), label: root.querySelector('label[for="' + i.id + '"]').textContent})),
  choice: root.querySelector('select') ? root.querySelector('select').value : null,
  alerts: Array.from(root.querySelectorAll('[role=alert]')).filter(n => !n.hidden).map(n => n.textContent),
  live: root.querySelector('[data-readout]').closest('[aria-live]').getAttribute('aria-live'),
  smallest: Math.min(...Array.from(root.querySelectorAll('label, legend, output, p, .u-legend, .u-label, figcaption'))
    .map(e => parseFloat(getComputedStyle(e).fontSize))),
};
"""

AFTER_RENDER = """
const renders = arguments[0], done = arguments[arguments.length - 1];
const ex = (arguments.length > 2 ? arguments[1] : document.querySelector('.bp-explorer')).backpropExplorer;
const deadline = performance.now() + 5000;
(function wait() {
  if (ex.stats.renders > renders || performance.now() > deadline) requestAnimationFrame(() => done(ex.stats.renders));
  else requestAnimationFrame(wait);
})();
"""

MEASURE = """
const done = arguments[0];
const ex = document.querySelector('.bp-explorer').backpropExplorer;
window.__pressed = null;
document.addEventListener('keydown', () => { window.__pressed = {at: performance.now(), renders: ex.stats.renders}; },
                          {capture: true, once: true});
done(true);
"""

MEASURED = """
const done = arguments[0];
const ex = document.querySelector('.bp-explorer').backpropExplorer;
(function wait() {
  const p = window.__pressed;
  if (p && ex.stats.renders > p.renders && ex.stats.drawnAt > p.at) {
    const drawn = ex.stats.drawnAt;
    requestAnimationFrame(() => done([drawn - p.at, performance.now() - p.at]));
  } else requestAnimationFrame(wait);
})();
"""


def shown(value: float, digits: int = 4) -> str:
    """How a panel prints a number: Python's .4g (``digits``), U+2212 for minus, never −0, words for NaN."""
    if value != value:
        return "not a number"
    text = format(value, f".{digits}g")
    if text in ("inf", "-inf"):
        return ("" if value > 0 else MINUS) + "\u221e"
    return "0" if float(text) == 0 else text.replace("-", MINUS)


def control_values(panel: dict, sliders: list[dict]) -> dict[str, float]:
    """Each control's value at the page's slider positions, in exact decimal arithmetic."""
    controls = [c for g in panel["groups"] for c in g["controls"]]
    return {c["name"]: float(c["stops"][s["index"]]) if "stops" in c else
            float(Decimal(repr(c["min"])) + s["index"] * Decimal(repr(c["step"]))) for c, s in zip(controls, sliders)}


def expected_readouts(explorer: Any, state: dict, panel: dict | None = None) -> list[str]:
    """Every readout line from numpy at the page's control values (and the dropdown's model).

    ``panel`` is the description the page shows (default: the explorer's own); the networks are
    the explorer's models.
    """
    panel = explorer.view.panel if panel is None else panel
    values = control_values(panel, state["sliders"])
    networks = networks_of(explorer)
    lines, runs = [], {}
    for r in panel["readouts"]:
        key = r["model"] or state["choice"] or panel["models"][0]["key"]
        params, x, y, rate, epochs = setting_of(panel, networks[key], values)
        if r["quantity"] == "mean_loss":
            size = len(panel["dataset"]["X"])
            size = min(int(values.get("batch", panel["base"]["batch"])), size) if r["batch"] == "control" else size
            _, value = dataset_final(networks[key], panel, params, rate, epochs, size, r["on"])
            lines.append(f"{r['label'].replace('{batch}', str(size))} = {shown(value, r['digits'])}")
            continue
        if r["at"] == "final":
            if (key, r["sign"]) not in runs:
                names = ["loss", *(q["quantity"] for q in panel["readouts"] if q["quantity"] != "loss")]
                runs[key, r["sign"]] = run_of(networks[key], params, x, y, rate, epochs, r["sign"], names)
            value = float(runs[key, r["sign"]][r["quantity"]][-1])
        else:
            value = quantity(backward(networks[key], params, x, y), params, r["quantity"])
        lines.append(f"{r['label']} = {shown(value)}")
    return lines


def key_press_latency(browser: Any, url: str, presses: int = 52, warm_up: int = 2) -> list[float]:
    """Milliseconds from keydown to the last chart drawn for it, Right and Left in turn on the page's
    first slider (for a training panel: the learning rate, which retrains every run)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(url)
    assert browser.execute_async_script(WAIT) is True
    slider = browser.find_elements(By.CSS_SELECTOR, ".bp-explorer input[type=range]")[0]
    times = []
    for i in range(presses):
        browser.execute_async_script(MEASURE)
        slider.send_keys(Keys.ARROW_RIGHT if i % 2 == 0 else Keys.ARROW_LEFT)
        if i >= warm_up:  # the first presses warm up the JIT
            times.append(browser.execute_async_script(MEASURED)[0])  # to the figure drawn
        else:
            browser.execute_async_script(MEASURED)
    return times


def open_page(browser: Any, url: str, wait: str = WAIT, snapshot: str = "") -> dict:
    """Load ``url`` afresh (console and request logs emptied), wait for its first explorer, return ``snapshot``."""
    from test_browser import requested_urls

    browser.get("about:blank")
    requested_urls(browser)
    browser.get_log("browser")
    browser.get(url)
    assert browser.execute_async_script(wait) is True
    return browser.execute_script(snapshot or SNAPSHOT)


def press(browser: Any, element: Any, key: str, before: dict, snapshot: str = "", root: Any = None) -> dict:
    """Send ``key`` to ``element``; the explorer (the page's first, or the one in container ``root``)
    must redraw; returns the new ``snapshot``."""
    element.send_keys(key)
    scoped = () if root is None else (root,)
    renders = browser.execute_async_script(AFTER_RENDER, before["renders"], *scoped)
    assert renders > before["renders"], f"no redraw after {key!r}"
    return browser.execute_script(snapshot or SNAPSHOT, *scoped)
