"""Benchmark: where the test suite's time goes, file by file and test by test.

    python benchmarks/bench_suite.py [--workers N] [--top N] [PYTEST ARGS...]

Runs pytest once (``-n 0`` by default: one process, so each test's time is its own work; ``--workers 2`` runs
as the suite's own settings do) with a JUnit report, then prints:

* the wall time and the CPU time (user and system, pytest and every process it waited for: LibreOffice, the
  Open XML validator, the CLI subprocesses) of the whole run;
* each test file's seconds (its tests' setup, call and teardown added up), slowest first: what
  ``tests/conftest.py``'s ``SLOWEST_FILES`` should list, longest first;
* the ``--top`` slowest tests.

A session fixture (the demo build, the dashboard build, the LibreOffice runs) is charged to the first test that
asks for it. On a machine shared with other jobs the wall time includes waiting for a core; the CPU time is the
work done. Any arguments after the options go to pytest (test files, ``-k``...). Prints a plain-text table and
exits with pytest's exit code.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_times(report: Path) -> list[tuple[str, str, float]]:
    """(file stem, test name, seconds) for every test case of a JUnit report."""
    found = []
    for case in ET.parse(report).getroot().iter("testcase"):
        module = case.get("classname", "").split(".")
        stem = next((part for part in module if part.startswith("test_")), module[-1])
        found.append((stem, case.get("name", ""), float(case.get("time", "0"))))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=0, help="pytest-xdist workers (default 0: one process)")
    parser.add_argument("--top", type=int, default=10, help="how many of the slowest tests to list")
    options, pytest_args = parser.parse_known_args(argv)
    with tempfile.TemporaryDirectory() as work:
        report = Path(work) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", str(options.workers),
                   f"--junitxml={report}", "-o", "junit_duration_report=total", *pytest_args]
        before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        result = subprocess.run(command, cwd=REPO, env=dict(os.environ), capture_output=True, text=True)
        wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
        times = test_times(report) if report.is_file() else []
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "(no output)"
    per_file: dict[str, float] = defaultdict(float)
    for stem, _, seconds in times:
        per_file[stem] += seconds
    print(f"pytest {' '.join(pytest_args) or '(whole suite)'} -n {options.workers}: {summary}")
    print(f"wall {wall:8.1f} s   CPU user {after.ru_utime - before.ru_utime:8.1f} s   "
          f"system {after.ru_stime - before.ru_stime:6.1f} s   load {os.getloadavg()[0]:.2f}")
    print()
    print(f"{'test file':<44}{'seconds':>10}")
    for stem, seconds in sorted(per_file.items(), key=lambda item: -item[1]):
        print(f"{stem:<44}{seconds:>10.1f}")
    print()
    print(f"the {options.top} slowest tests (setup, call and teardown)")
    for stem, name, seconds in sorted(times, key=lambda item: -item[2])[:options.top]:
        print(f"{seconds:8.1f}  {stem}::{name}")
    if result.returncode not in (0, 5):
        print(result.stdout[-3000:], result.stderr[-2000:], sep="\n")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
