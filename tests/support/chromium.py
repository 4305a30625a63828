"""Debian's headless chromium under selenium, as the browser tests start it."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

__all__ = ["CHROMIUM", "CHROMEDRIVER", "chromium_session"]

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
BASE_ARGUMENTS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--window-size=1280,1000")


def chromium_session(extra: tuple[str, ...] = (), capabilities: dict | None = None,
                     timeout: float = 60) -> Iterator[Any]:
    """Yield a WebDriver on a fresh profile (removed afterwards) with ``BASE_ARGUMENTS`` + ``extra``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), "run `make browser` to install chromium and chromedriver"
    profile = tempfile.mkdtemp(prefix="book-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (*BASE_ARGUMENTS, *extra, f"--user-data-dir={profile}"):
        options.add_argument(argument)
    for name, value in (capabilities or {}).items():
        options.set_capability(name, value)
    browser = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    browser.set_page_load_timeout(timeout)
    browser.set_script_timeout(timeout)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)
