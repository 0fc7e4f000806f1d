"""Benchmark: building all nine partner workbooks serially and in parallel, and a dry-run send.

    python benchmarks/bench_deliver.py [--repeat N]

Measures, each N times (default 5), reporting the median and the minimum:

* ``engine.deliver.build.build_all`` for the nine demo areas with one worker (in this process)
  and with one worker per CPU (a process pool), from Reports prepared once;
* ``saferbook run pipelines/demo.yaml --dry-run --force --quiet`` as a subprocess into a
  temporary folder: the whole scheduled run (start-up, data, nine workbooks, nine .eml files,
  ledger), everything but the network;
* composing the nine messages alone (template filling, MIME, base64 of each workbook).

Prints a plain-text table and always exits 0.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from checkout import child_environment, use_checkout

REPO_ROOT = Path(__file__).resolve().parents[1]
use_checkout()  # runnable from a checkout even without the editable install; PYTHONPATH still comes first

from engine.api import prepare  # noqa: E402
from engine.deliver.build import build_all  # noqa: E402
from engine.pool import start_method, worker_count  # noqa: E402
from engine.deliver.message import as_bytes, compose  # noqa: E402
from engine.deliver.templates import fill, headline_kpi, template_values  # noqa: E402

SPEC = REPO_ROOT / "specs" / "community_safety.yaml"
PIPELINE = REPO_ROOT / "pipelines" / "demo.yaml"


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), min(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat

    prepared = prepare(SPEC)
    workers = worker_count(0, len(prepared.reports))
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out"
        rows.append(("build 9 workbooks, 1 worker (serial)", *timed(lambda: build_all(prepared, out, 1, False), repeat)))
        rows.append((f"build 9 workbooks, {workers} workers ({start_method()})",
                     *timed(lambda: build_all(prepared, out, workers, False), repeat)))
        built = build_all(prepared, out, 1, False)

        def compose_all() -> None:
            for item in built:
                values = template_values(item.report, item.path.name, headline_kpi(item.report, None))
                as_bytes(compose(sender="a@example.org", to=["b@example.org"], cc=[], reply_to=None,
                                 subject=fill("{title}: {area}", values), body=fill("{headline}", values),
                                 attachments=item.attachments, msg_id="<x@example.org>", headers={}))

        rows.append(("compose 9 messages (MIME, base64)", *timed(compose_all, repeat)))

        pipeline = Path(scratch) / "pipelines" / "demo.yaml"
        pipeline.parent.mkdir()
        shutil.copy(PIPELINE, pipeline)
        text = pipeline.read_text(encoding="utf-8").replace("../specs/community_safety.yaml", SPEC.as_posix())
        pipeline.write_text(text, encoding="utf-8")
        env = child_environment()
        command = [sys.executable, "-m", "engine.cli", "run", str(pipeline), "--dry-run", "--force", "--quiet"]
        rows.append(("saferbook run demo --dry-run (wall, subprocess)",
                     *timed(lambda: subprocess.run(command, env=env, check=False, capture_output=True), repeat)))

    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.system()}; median and minimum of {repeat}")
    print(f"{'stage':<52} {'median':>9} {'min':>9}")
    for name, median, minimum in rows:
        print(f"{name:<52} {median:>8.3f}s {minimum:>8.3f}s")


if __name__ == "__main__":
    main()
