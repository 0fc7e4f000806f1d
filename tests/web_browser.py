"""A real headless Chromium, driven by selenium, with the network shut: for the web-page tests and benchmark.

Chromium is Debian's (``chromium`` and ``chromium-driver``, installed by ``.ci/run``). Every host name
resolves to nothing and every proxy request goes to a closed port, so a page that tried to fetch a
script or a font would fail, and the performance log shows the attempt.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
OFFLINE_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic", "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
                 "--window-size=1280,1600", "--hide-scrollbars", "--force-device-scale-factor=1")


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    if not CHROMIUM or not CHROMEDRIVER:
        return "Chromium and ChromeDriver are not installed (apt-get install chromium chromium-driver)"
    return None


def start_browser():  # -> selenium.webdriver.Chrome
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in OFFLINE_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='saferbook-chromium-')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


def open_page(driver, path: Path, timeout: float = 60.0) -> None:
    """Load a page from disk and wait until its charts are drawn (the page sets ``data-charts-ready``)."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(path.resolve().as_uri())
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return document.body.dataset.chartsReady"))


def requested_urls(driver) -> list[str]:
    """Every URL the page asked for since the last call (from Chromium's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def in_ci() -> bool:
    return bool(os.environ.get("CI"))
