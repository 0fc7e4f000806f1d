"""Benchmark: what the disclosure check of a protected build costs, its breakdowns included.

    python benchmarks/bench_protection.py [--spec PATH] [--repeat N] [--areas NAME ...] [--jobs N ...]

Runs ``engine.api.prepare(spec, suppress=True)`` (spec, ingest, compute: every partner area's Report; default spec
specs/community_safety.yaml, the demo: run ``saferbook demo`` first for its partner data) in a fresh child Python,
N times (default 1) for each ``--jobs`` count (the worker processes the partner areas' checks run in; default 1: in
the building process), each after the ingest cache is warm, and prints one row per run: the partner areas protected,
the numbers in their disclosure problems (keys: every published count the check writes as a sum of events, the
breakdowns' figures and the benchmark's figures, sums of the partner areas', among them), how many are hidden (the
benchmark's once), how many partner checks were solved (one per partner area, each on its own: the benchmark's figures
follow from them, engine.indicators.cross_partner; counted only when they run in the building process, "-" otherwise),
wall seconds of ``prepare`` and of the disclosure check alone (worker start-up included), and the child's peak resident
memory (its own: the workers' are not in it). Which Saferbook is measured follows benchmarks/checkout.py (PYTHONPATH
first, then this checkout), so putting another checkout on PYTHONPATH measures that one with the same script.

Prints a plain-text table and always exits 0: targets are reported, not enforced.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from checkout import child_environment, use_checkout

REPO_ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
import engine.indicators.disclosure as disclosure
import engine.indicators.counted.suppression as suppression
from engine.api import prepare

spec, areas, jobs = sys.argv[1], json.loads(sys.argv[2]) or None, int(sys.argv[3])
prepare(spec, suppress=False, areas=areas)  # warm the ingest cache and the imports
tally = {"partners": 0, "keys": 0, "hidden": 0, "check": 0.0, "solves": 0}
inner = disclosure.hidden_numbers


def solved(*args, **kwargs):
    tally["solves"] += 1
    return inner(*args, **kwargs)


disclosure.hidden_numbers = solved
if hasattr(suppression, "protect_partners"):  # every partner area checked, the benchmark decided from them
    import engine.indicators.cross_partner as cross_partner

    cross_partner.hidden_numbers = solved
    together = suppression.protect_partners

    def checked(problems, totals, *rest):
        started = time.perf_counter()
        own, links = together(problems, totals, *rest)
        tally["check"] += time.perf_counter() - started
        tally["partners"] += len(problems)
        tally["keys"] += sum(len(p.values) + (len(p.breakdowns.values) if p.breakdowns else 0) for p in problems)
        tally["keys"] += len({t.key for t in totals})
        tally["hidden"] += sum(len(h) for h in own) + len(links)
        return own, links

    suppression.protect_partners = checked
else:  # one partner at a time
    def counted(values, *args, **kwargs):
        cells = kwargs.get("breakdowns", args[6] if len(args) > 6 else None)
        started = time.perf_counter()
        hidden = solved(values, *args, **kwargs)
        tally["check"] += time.perf_counter() - started
        tally["partners"] += 1
        tally["keys"] += len(values) + (len(cells.values) if cells is not None else 0)
        tally["hidden"] += len(hidden)
        return hidden

    suppression.hidden_numbers = counted  # the name the build calls it by
started = time.perf_counter()
prepare(spec, suppress=True, areas=areas, **({"jobs": jobs} if jobs != 1 else {}))  # a checkout before jobs: 1 only
if jobs != 1:
    tally["solves"] = None  # solved in the workers, which count for themselves
tally["seconds"] = time.perf_counter() - started
import resource
tally["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
print(json.dumps(tally))
"""


def _run(spec: Path, areas: list[str], jobs: int) -> dict:
    done = subprocess.run([sys.executable, "-P", "-c", CHILD, str(spec), json.dumps(areas), str(jobs)],
                          env=child_environment(), capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    return {"jobs": jobs, **json.loads(done.stdout.strip().splitlines()[-1])}


def main() -> None:
    use_checkout()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=REPO_ROOT / "specs" / "community_safety.yaml")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--areas", nargs="*", default=[], help="partner areas to build (default: all)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1],
                        help="worker processes for the partner areas' checks, one set of runs each (default: 1)")
    args = parser.parse_args()
    # each repeat runs every jobs count in turn, so a spell of load on a shared machine falls on all of them
    rows = [_run(args.spec.resolve(), args.areas, jobs) for _ in range(args.repeat) for jobs in args.jobs]
    print(f"prepare(suppress=True) of {args.spec.name}; each run in a fresh process")
    print(f"{'run':<5}{'jobs':>5}{'partners':>10}{'keys':>8}{'hidden':>8}{'solves':>8}{'seconds':>10}{'check s':>10}"
          f"{'peak RSS MB':>13}")
    for k, r in enumerate(rows, 1):
        solves = "-" if r["solves"] is None else r["solves"]
        print(f"{k:<5}{r['jobs']:>5}{r['partners']:>10}{r['keys']:>8}{r['hidden']:>8}{solves:>8}{r['seconds']:>10.2f}"
              f"{r['check']:>10.2f}{r['rss_mb']:>13.0f}")


if __name__ == "__main__":
    main()
