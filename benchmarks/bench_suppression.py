"""Benchmark: what small-number suppression adds to computing the demo's Reports.

    python benchmarks/bench_suppression.py [--repeat N] [--spec PATH] [--only plain|protected]

Times ``engine.api.prepare`` (spec, ingest, compute: every partner area's Report) of the spec
(default: specs/community_safety.yaml, the demo; run ``saferbook demo`` first for its partner
data) without and with ``suppress=True``, each N times (default 3) after one warm-up, and prints
the median and minimum CPU seconds (``time.process_time``) and wall seconds, the protected build's
extra CPU, and how many figures the protected Reports hide. ``--only`` times one of the two (for
timing each from outside, process start included).

Prints a plain-text table and always exits 0: targets are reported, not enforced.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from checkout import use_checkout

REPO_ROOT = Path(__file__).resolve().parents[1]
use_checkout()  # runnable from a checkout even without the editable install; PYTHONPATH still comes first

from engine.api import prepare  # noqa: E402


def _hidden(prepared) -> int:
    """Figures shown as "suppressed": KPI counts, Top 10 rows, trend cells, months, quarters, seasonal cells, and the
    area-group counts (the partner area's and the benchmark's)."""
    total = 0
    for r in prepared.reports:
        total += sum(v is None for k in r.kpis if not k.measured for v in (k.previous, k.current))
        total += sum(row.count is None for t in r.top_tables for row in t.rows)
        if r.trend:
            total += sum(v is None for row in r.trend.rows for v in row.values + row.monthly)
        total += sum(v is None for s in r.series for v in s.monthly) + sum(len(s.hidden_quarters) for s in r.series)
        total += sum(len(t.hidden) for t in r.seasonal)
        total += sum(row.hidden + row.benchmark_hidden for t in r.area_groups for row in t.rows)
    return total


def _time(spec: Path, suppress: bool, repeat: int) -> tuple[list[float], list[float], int]:
    prepare(spec, suppress=suppress)  # warm-up: imports, the ingest cache
    cpu, wall, hidden = [], [], 0
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        prepared = prepare(spec, suppress=suppress)
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
        hidden = _hidden(prepared)
    return cpu, wall, hidden


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spec", type=Path, default=REPO_ROOT / "specs" / "community_safety.yaml")
    parser.add_argument("--only", choices=["plain", "protected"])
    args = parser.parse_args()
    modes = [m for m in ("plain", "protected") if args.only in (None, m)]
    results = {m: _time(args.spec, m == "protected", args.repeat) for m in modes}
    print(f"prepare() of {args.spec.name}, {args.repeat} runs each (seconds; median / min)")
    print(f"{'build':<12}{'CPU median':>12}{'CPU min':>10}{'wall median':>13}{'hidden figures':>16}")
    for mode, (cpu, wall, hidden) in results.items():
        print(f"{mode:<12}{statistics.median(cpu):>12.2f}{min(cpu):>10.2f}{statistics.median(wall):>13.2f}{hidden:>16}")
    if len(results) == 2:
        extra = statistics.median(results["protected"][0]) - statistics.median(results["plain"][0])
        print(f"suppression adds {extra:.2f} s CPU (median against median)")


if __name__ == "__main__":
    main()
