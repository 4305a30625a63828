"""Every lesson explorer in headless Chromium, no kernel, no network: each control from the keyboard.

Each chapter's lesson panel is written with :func:`~backproplib.views.explorer.standalone_page` into
a temporary folder laid out like the built book (explorer.js, lesson.js, uPlot). On each page every
slider gets Right, End and Home and the dropdown (if any) Down; after every key the chart data must
change and every readout must equal numpy's number at the slider's exact value (Python's .4g).
"""
from __future__ import annotations

import functools
import http.server
import threading
from typing import Any, Iterator

import pytest
from test_browser import _QuietHandler, is_local, requested_urls
from test_browser import driver as driver  # the book's offline Chromium (a fixture)

from support.lesson_pages import WAIT, expected_readouts, open_page, press, write_site
from support.lesson_panels import LESSONS


@pytest.fixture(scope="module")
def lesson_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    folder = tmp_path_factory.mktemp("lessons")
    explorers = write_site(folder)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", explorers
    httpd.shutdown()
    httpd.server_close()


def check(explorer: Any, state: dict) -> None:
    expected = expected_readouts(explorer, state)
    assert state["readouts"][: len(expected)] == expected
    assert state["alerts"] == []


@pytest.mark.parametrize("name", list(LESSONS))
def test_every_control_redraws_its_charts_with_numpys_numbers(driver: Any, lesson_site, name: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url, explorers = lesson_site
    explorer = explorers[name]
    state = open_page(driver, url + f"{name}.html")
    labels = [c["label"] for g in explorer.view.panel["groups"] for c in g["controls"]]
    assert [s["label"] for s in state["sliders"]] == labels  # whole labels, page order
    assert state["live"] == "polite" and state["smallest"] >= 12
    check(explorer, state)
    start = state
    for element in driver.find_elements(By.CSS_SELECTOR, ".bp-explorer input[type=range]"):
        for key in (Keys.ARROW_RIGHT, Keys.END, Keys.HOME):
            after = press(driver, element, key, state)
            assert after["data"] != state["data"], (element.accessible_name, key)
            check(explorer, after)
            state = after
    selects = driver.find_elements(By.CSS_SELECTOR, ".bp-explorer select")
    for select in selects:
        after = press(driver, select, Keys.ARROW_DOWN, state)
        assert after["choice"] != state["choice"] and after["data"] != state["data"]
        check(explorer, after)
    assert start["data"] != state["data"]
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    assert all(is_local(u) for u in requested_urls(driver))


def test_a_page_without_lesson_js_says_so_instead_of_a_blank_panel(driver: Any, lesson_site) -> None:
    url, _ = lesson_site
    driver.get(url + "sigmoid.html")
    assert driver.execute_async_script(WAIT) is True
    # Remove the lesson front end and mount again: the container must carry a readable alert.
    message = driver.execute_script(
        "delete window.BackpropLesson;"
        "const entry = {container: 'x', panel: 'y', model: () => ({})};"
        "const div = document.createElement('div'); div.id = 'x'; document.body.append(div);"
        "const json = document.createElement('script'); json.type = 'application/json'; json.id = 'y';"
        "json.textContent = document.querySelector('script[type=\"application/json\"]').textContent;"
        "document.body.append(json); window.backpropExplorers.push(entry); return div.textContent;"
    )
    assert "lesson.js is not loaded" in message


def test_the_dataset_panel_names_its_runs_and_marks_a_diverged_one(driver: Any, lesson_site) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from backproplib import train
    from backproplib.lessons.many_examples import batch_label
    from support.lesson_panels import dataset_of, networks_of

    url, explorers = lesson_site
    explorer = explorers["many_examples"]
    panel = explorer.view.panel
    network = networks_of(explorer)["network"]
    training = dataset_of(network, panel["dataset"])
    legend = "return Array.from(document.querySelectorAll('.u-legend .u-series .u-label')).map(e => e.textContent)"
    state = open_page(driver, url + "many_examples.html")
    assert driver.execute_script(legend) == [batch_label(4, 24), batch_label(24, 24)]
    rate, batch, _ = driver.find_elements(By.CSS_SELECTOR, ".bp-explorer input[type=range]")
    state = press(driver, rate, Keys.END, state)  # η = 10^0.5: numpy's runs diverge
    top = panel["groups"][0]["controls"][0]["stops"][-1]
    for size in (4, None):
        assert train(network, panel["base"]["parameters"], training.x, training.y, top, 100, batch_size=size,
                     seed=panel["dataset"]["seed"]).diverged
    assert driver.execute_script(legend) == [batch_label(4, 24) + " (diverged)", batch_label(24, 24) + " (diverged)"]
    assert "diverged" in state["readouts"][-1]
    press(driver, batch, Keys.HOME, state)
    assert driver.execute_script(legend)[0] == batch_label(1, 24) + " (diverged)"
