"""Benchmark: the statistics for 1,000,000 areas at once.

    python benchmarks/bench_stats.py [--areas N] [--repeat R]

Synthetic small areas shaped like LSOAs (about 1,500 residents; event counts from a skewed
distribution, so about a quarter are under 10 and use the exact method). Times each step R times
(default 7) and prints the median and the minimum:

* count limits (Byar's / exact) at 95% and 99.8%;
* Wilson limits of a proportion at 95%;
* band codes against the benchmark rate at two levels (both intervals included);
* SD band codes (z-scores among all areas, cut-points 1 and 2);
* the exact conditional change test (two periods, p-values and codes at 95%).

The target is the total (intervals, bands and the exact change test; the overlap rule is an
alternative, shown but not counted) under 0.5 s. Reported, never enforced: exits 0.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

from checkout import use_checkout

REPO_ROOT = Path(__file__).resolve().parents[1]
use_checkout()  # runnable from a checkout even without the editable install; PYTHONPATH still comes first

import numpy as np  # noqa: E402

from engine.stats import band_codes, change_codes, sd_band_codes, wilson_limits  # noqa: E402
from engine.stats.intervals import count_limits_at  # noqa: E402

TARGET_S = 0.5


def synthetic_areas(n: int, seed: int = 20221031) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    population = rng.integers(1000, 3000, n).astype(float)
    expected = rng.gamma(1.0, 30.0, n)  # skewed, as crime across LSOAs is
    return {
        "population": population,
        "current": rng.poisson(expected).astype(float),
        "previous": rng.poisson(expected).astype(float),
        "share": rng.binomial(population.astype(np.int64), 0.2).astype(float),
    }


def timed(step: Callable[[], object], repeat: int) -> tuple[float, float]:
    step()  # warm caches and lazy imports
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    d = synthetic_areas(args.areas)
    current, population = d["current"], d["population"]
    rate = current / population * 1000
    benchmark = current.sum() / population.sum() * 1000
    steps: list[tuple[str, Callable[[], object], bool]] = [
        ("count limits, 95% and 99.8% (Byar's / exact)", lambda: count_limits_at(current, (0.95, 0.998)), True),
        ("Wilson limits, 95%", lambda: wilson_limits(d["share"], population, 0.95), True),
        ("band codes, 95% and 99.8% (rates, both intervals)",
         lambda: band_codes(current, population, benchmark, (0.95, 0.998)), True),
        ("SD band codes (z-scores, cut-points 1 and 2)", lambda: sd_band_codes(rate, rate, (1, 2)), True),
        ("change test, exact conditional binomial, 95%",
         lambda: change_codes(current, d["previous"], "exact", 0.95), True),
        ("change test, interval overlap, 95%",
         lambda: change_codes(current, d["previous"], "overlap", 0.95), False),
    ]
    print(f"engine.stats, {args.areas:,} areas, median (min) of {args.repeat} runs; "
          f"Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"{(current < 10).mean():.0%} of the counts are under 10 (exact limits)\n")
    width = max(len(name) for name, _, _ in steps) + 2
    print(f"{'step':<{width}}{'median':>10}{'min':>10}")
    total_median = total_min = 0.0
    for name, step, in_total in steps:
        median, fastest = timed(step, args.repeat)
        print(f"{name:<{width}}{median:>9.3f}s{fastest:>9.3f}s{'' if in_total else '   (not in total)'}")
        if in_total:
            total_median += median
            total_min += fastest
    verdict = "met" if total_median < TARGET_S else "NOT met"
    print(f"{'total (intervals, bands, exact change test)':<{width}}{total_median:>9.3f}s{total_min:>9.3f}s   "
          f"target < {TARGET_S} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
