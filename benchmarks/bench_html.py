"""Web pages (``--format html``): bytes, time to write, and time to first render in headless Chromium.

Builds the demo's North West Leicestershire page and the county dashboard page once, then opens each
page five times in a fresh headless Chromium tab with the network shut and reads how long after
navigation start the browser first painted the page's text (first contentful paint: the KPI table is
plain HTML) and when it had drawn every chart (the page records ``performance.now()`` then).
Targets (issue: the interactive dashboard): a partner page under 4 MB, rendered in under 1.5 s.

    python benchmarks/bench_html.py [--screenshots DIR]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from checkout import use_checkout

REPO = Path(__file__).resolve().parents[1]
use_checkout()  # PYTHONPATH still comes first

from engine.api import prepare, write_pages  # noqa: E402
from tests.web_browser import missing_browser, open_page, start_browser  # noqa: E402

RUNS = 5
TARGET_BYTES = 4_000_000
TARGET_SECONDS = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshots", type=Path, help="save a screenshot of each page here")
    args = parser.parse_args()
    reason = missing_browser()
    if reason:
        print(f"cannot run: {reason}")
        return 2
    out = Path(tempfile.mkdtemp(prefix="saferbook-html-"))
    pages = []
    for spec, areas in ((REPO / "specs" / "community_safety.yaml", ["North West Leicestershire"]),
                        (REPO / "specs" / "dashboard.yaml", None)):
        prepared = prepare(spec, areas)
        started = time.perf_counter()
        path = write_pages(prepared, out)[0]
        pages.append((path, time.perf_counter() - started))
    driver = start_browser()
    rows = []
    try:
        for path, write_seconds in pages:
            times, paints = [], []
            for _ in range(RUNS):
                driver.get("about:blank")
                open_page(driver, path)
                times.append(float(driver.execute_script("return document.body.dataset.renderedMs")) / 1000)
                paints.append(float(driver.execute_script(
                    "return performance.getEntriesByName('first-contentful-paint')[0].startTime")) / 1000)
            if args.screenshots:
                args.screenshots.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(args.screenshots / f"{path.stem}.png"))
            rows.append((path.name, path.stat().st_size, write_seconds, statistics.median(paints), min(times),
                         statistics.median(times), max(times)))
    finally:
        driver.quit()
    print(f"{'page':<42} {'bytes':>11} {'write s':>8} {'first paint':>12} {'all charts min':>15} {'median':>8} {'max':>8}")
    for name, size, write_seconds, paint, low, mid, high in rows:
        print(f"{name:<42} {size:>11,} {write_seconds:>8.3f} {paint:>12.3f} {low:>15.3f} {mid:>8.3f} {high:>8.3f}")
    print(f"targets: under {TARGET_BYTES:,} bytes and {TARGET_SECONDS} s to first render (median of {RUNS})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
