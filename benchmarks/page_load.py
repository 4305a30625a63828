"""Page weight and time to interactive of the built book, cold, in headless Chromium (issue 13, "Performance").

Every page of ``_toc.yml`` is loaded ``loads`` times from a built book served on 127.0.0.1, the pages
taking turns (one load of each, then the next round) so that a shared machine's drift hits all of
them alike; the plain ``intro`` page is the baseline printed beside the chapters.

Cold means the browser's cache is off (DevTools ``Network.setCacheDisabled``) in a fresh profile: every
file is fetched again on every load, which :func:`visit` checks (a cache hit has a transfer size of 0).
One browser serves every load; starting Chromium anew for each would add seconds of start-up that a
reader's already-open browser does not pay, and the cache, not the process, is what makes a visit cold.

Time to interactive runs from navigation start (the page's ``performance`` time origin) to the latest of:
the load event; MathJax's typesetting, when the page loads MathJax; every explorer (a
``[data-backprop-explorer]`` container) having drawn every chart, read from its own
``backpropExplorer.stats`` (``draws`` at least its charts, the mark the browser tests wait for; ``drawnAt`` is
when); and every ipywidgets view having rendered, for the pages that still carry them. A script that
DevTools adds before any of the page's own records these moments as they happen, so polling by the
benchmark does not inflate them (the widget views are polled every 10 ms in the page).

Weight is the uncompressed size (``decodedBodySize``) of every file the page loaded, each URL once; the
server sends files as they are on disk, so this is also the bytes moved.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import statistics
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
BASELINE = "intro"
TARGETS = {"first_visit_mb": 4.5, "own_html_kb": 400.0, "interactive_s": 1.5}
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
    "--window-size=1280,1000",
    # Any host but 127.0.0.1 fails to resolve: nothing outside the machine is timed.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)

# Added by DevTools before any script of the page: records when MathJax finished and when every
# explorer and widget view was ready, on the page's own clock (ms since navigation start).
MARKS = """
window.__bpMarks = {typeset: null, explorers: null, views: null};
(function watch() {
  const marks = window.__bpMarks;
  if (marks.typeset === null && window.MathJax && MathJax.startup && MathJax.startup.promise) {
    marks.typeset = -1;
    MathJax.startup.promise.then(() => { marks.typeset = performance.now(); });
  }
  if (document.readyState !== 'loading') {
    const explorers = Array.from(document.querySelectorAll('[data-backprop-explorer]'));
    const drawn = explorers.map(e => e.backpropExplorer &&
      e.backpropExplorer.stats.draws >= (e.backpropExplorer.views ? e.backpropExplorer.views.length : 2));
    if (marks.explorers === null && drawn.every(Boolean))
      marks.explorers = Math.max(0, ...explorers.map(e => e.backpropExplorer.stats.drawnAt));
    const views = Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'));
    const rendered = s => { const p = s.previousElementSibling; return p && p.querySelector('.jupyter-widgets'); };
    if (marks.views === null && views.every(rendered)) marks.views = views.length ? performance.now() : 0;
  }
  const mathjaxPending = marks.typeset === null
    && (document.readyState !== 'complete' || document.querySelector('script[src*="mathjax"]'));
  if (marks.explorers === null || marks.views === null || mathjaxPending) setTimeout(watch, 10);
})();
"""

READY = """
const done = arguments[arguments.length - 1];
(async () => {
  const deadline = performance.now() + 30000;
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const marks = () => window.__bpMarks;
  const nav = () => performance.getEntriesByType('navigation')[0];
  const mathjax = () => !!document.querySelector('script[src*="mathjax"]');
  const waiting = () => !nav() || !nav().loadEventEnd || marks().explorers === null || marks().views === null
    || (mathjax() && !(marks().typeset > 0));
  while (waiting()) {
    if (performance.now() > deadline) return done({error: 'not interactive within 30 s', marks: marks()});
    await sleep(20);
  }
  await sleep(300);  // let late files (fonts, lazy images) arrive so they are weighed
  const files = performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
    .map(e => ({name: e.name, bytes: e.decodedBodySize || 0, transfer: e.transferSize || 0}));
  const m = marks();
  const readyAt = Math.max(nav().loadEventEnd, m.typeset || 0, m.explorers, m.views);
  const explorers = document.querySelectorAll('[data-backprop-explorer]').length;
  done({readyAt: readyAt, files: files, explorersAt: explorers ? m.explorers : null});
})().catch(e => done({error: String(e)}));
"""


@dataclass(frozen=True)
class Visit:
    """One cold load: seconds to interactive, bytes and number of files loaded, and when the page's
    explorers had all drawn (``None`` on a page without any)."""

    seconds: float
    bytes: int
    files: int
    explorers_seconds: float | None = None


def toc_pages(root: Path) -> list[str]:
    """Every page of the book's ``_toc.yml``, root first, as paths without an extension.

    >>> toc_pages(Path(__file__).resolve().parents[1])[:2]
    ['intro', 'chapters/ideas']
    """
    import sys

    sys.path.insert(0, str(root))
    from tests.support.toc import listed_files

    return [f.rsplit(".", 1)[0] if f.endswith((".md", ".ipynb")) else f
            for f in listed_files(yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8")))]


def median_p95(values: list[float]) -> tuple[float, float]:
    """The median and the 95th percentile (nearest rank: a value that was measured).

    >>> median_p95([5.0, 1.0, 3.0, 2.0, 4.0])
    (3.0, 5.0)
    """
    if not values:
        raise ValueError("median_p95 needs at least one value")
    ordered = sorted(values)
    rank = -(-95 * len(ordered) // 100)  # ceil(0.95 n), at least 1
    return float(statistics.median(ordered)), float(ordered[max(rank, 1) - 1])


def table(rows: dict[str, tuple[int, list[Visit]]], baseline: str = BASELINE) -> list[str]:
    """Markdown lines: one row per page from ``rows`` (page -> (own HTML bytes, visits)), with the targets.

    A page meets the targets when its p95 first-visit weight, its own HTML and its p95 time to interactive
    are all within them; the last column is the median time over the baseline page's median.
    """
    if baseline not in rows:
        raise ValueError(f"the baseline page {baseline!r} is not among the pages measured: {', '.join(rows)}")
    base = median_p95([v.seconds for v in rows[baseline][1]])[0]
    lines = [
        "| page | own HTML, KB | first visit median, MB | p95, MB | files | interactive median, s | p95, s "
        "| ÷ baseline | explorers drawn, median s | meets targets |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page, (own, visits) in rows.items():
        mb50, mb95 = median_p95([v.bytes / 1e6 for v in visits])
        s50, s95 = median_p95([v.seconds for v in visits])
        files = int(statistics.median(v.files for v in visits))
        ok = mb95 <= TARGETS["first_visit_mb"] and own / 1e3 <= TARGETS["own_html_kb"]
        ok = ok and s95 <= TARGETS["interactive_s"]
        name = f"{page} (baseline)" if page == baseline else page
        drawn = [v.explorers_seconds for v in visits if v.explorers_seconds is not None]
        drawn_text = f"{median_p95(drawn)[0]:.2f}" if drawn else "—"
        lines.append(
            f"| {name} | {own / 1e3:,.0f} | {mb50:.2f} | {mb95:.2f} | {files} "
            f"| {s50:.2f} | {s95:.2f} | {s50 / base:.1f}× | {drawn_text} | {'yes' if ok else 'NO'} |"
        )
    return lines


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature is fixed
        pass


@contextlib.contextmanager
def served(directory: Path) -> Iterator[str]:
    """``directory`` on 127.0.0.1 (a free port), as a base URL ending in ``/``."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def cold_browser() -> Iterator[Any]:
    """Headless Chromium in a fresh profile with its cache disabled and :data:`MARKS` on every page."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        raise FileNotFoundError(f"{CHROMIUM} and {CHROMEDRIVER} are needed (`make browser` installs them)")
    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        browser.set_page_load_timeout(60)
        browser.set_script_timeout(60)
        browser.execute_cdp_cmd("Network.enable", {})
        browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": MARKS})
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def visit(browser: Any, url: str) -> Visit:
    """Load ``url`` cold and wait until it is interactive."""
    browser.get("about:blank")
    browser.get(url)
    outcome = browser.execute_async_script(READY)
    if "error" in outcome:
        raise RuntimeError(f"{url}: {outcome}")
    files = {f["name"]: f for f in outcome["files"] if f["name"].startswith("http://127.0.0.1")}
    cached = [name for name, f in files.items() if f["bytes"] and not f["transfer"]]
    if cached:
        raise RuntimeError(f"{url}: not a cold load, served from the cache: {cached[:3]}")
    explorers = None if outcome["explorersAt"] is None else outcome["explorersAt"] / 1e3
    return Visit(outcome["readyAt"] / 1e3, sum(f["bytes"] for f in files.values()), len(files), explorers)


def measure(html: Path, pages: list[str], loads: int) -> dict[str, tuple[int, list[Visit]]]:
    """``loads`` cold visits of every page, the pages taking turns; page -> (own HTML bytes, visits)."""
    missing = [page for page in pages if not (html / f"{page}.html").is_file()]
    if missing:
        raise FileNotFoundError(f"{html} holds no built page for {', '.join(missing)}: build the book first")
    rows = {page: ((html / f"{page}.html").stat().st_size, []) for page in pages}
    with served(html) as base, cold_browser() as browser:
        visit(browser, base + pages[0] + ".html")  # warm up Chromium itself (not timed)
        for _ in range(loads):
            for page in pages:
                rows[page][1].append(visit(browser, base + page + ".html"))
    return rows
