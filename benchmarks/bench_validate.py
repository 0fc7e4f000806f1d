"""Benchmark: a spec mistake is reported before any data is read.

    python benchmarks/bench_validate.py [--repeat N]

Times ``saferbook validate`` on the demo spec (``specs/community_safety.yaml``) as a subprocess — what
an analyst waits for, Python start-up and imports included — N times each (default 3):

* **full**: the spec as it is: every source read, every figure computed;
* **spec mistake** (each a copy of the spec beside the same data): a misspelt key, a misspelt crime
  type, sd banding of a measured indicator, an unknown placeholder in a label, and (with the spec
  unchanged) a malformed ``--period-end`` and an unknown ``--area`` (``build``: ``validate`` takes no
  ``--area``). Each must exit 2 with its problem found before the data is read.

Reports the median wall and CPU time (``getrusage`` of the child) and the ratios full / mistake of each
(CPU is the steadier one on a busy machine).
Target: a spec mistake in under 1 s. Prints a plain-text table and always exits 0.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from checkout import child_environment

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC = REPO_ROOT / "specs" / "community_safety.yaml"
TARGET_SECONDS = 1.0

#: name -> (replacements in the spec text, extra arguments)
CASES: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    "misspelt key": ([("  window_months: 12", "  window_month: 12")], []),
    "misspelt crime type": ([("crime_type: {equals: Burglary}", "crime_type: {equals: Burglery}")], []),
    "sd banding, measured": ([('    measure: {kind: proportion, numerator: {repeat: {equals: "Yes"}}}\n',
                               '    measure: {kind: proportion, numerator: {repeat: {equals: "Yes"}}}\n'
                               '    banding: {method: sd, cut_points: [1, 2]}\n')], []),
    "label placeholder": ([('label: "FY {end_year}"', 'label: "FY {startyear}"')], []),
    "--period-end Oct 2022": ([], ["--period-end", "Oct 2022"]),
    "--area Rutlnd (build)": ([], ["--area", "Rutlnd"]),
}


def run(command: str, spec: Path, extra: list[str], expect: int) -> tuple[float, float]:
    """(wall, CPU) seconds of one ``saferbook COMMAND SPEC EXTRA`` subprocess; its exit status must be ``expect``."""
    env = child_environment()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        args = [sys.executable, "-m", "engine.cli", command, str(spec), *extra]
        if command == "build":
            args += ["--out", out, "--quiet"]
        result = subprocess.run(args, capture_output=True, text=True, env=env, cwd=REPO_ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != expect:
        raise SystemExit(f"saferbook {command} {spec.name} {' '.join(extra)} exited {result.returncode}, "
                         f"expected {expect}:\n{result.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def mistaken_spec(folder: Path, replacements: list[tuple[str, str]]) -> Path:
    """The demo spec with the replacements made, beside it in specs/ (so its relative data paths still resolve)."""
    if not replacements:
        return SPEC
    text = SPEC.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = folder / "_bench_validate_mistake.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat

    rows: list[tuple[str, float, float]] = []  # (case, median wall s, median CPU s)
    full = [run("validate", SPEC, [], 0) for _ in range(repeat)]
    full_wall = statistics.median(w for w, _ in full)
    rows.append(("full validate", full_wall, statistics.median(c for _, c in full)))
    for name, (replacements, extra) in CASES.items():
        path = mistaken_spec(SPEC.parent, replacements)
        try:
            command = "build" if "--area" in extra else "validate"
            times = [run(command, path, extra, 2) for _ in range(repeat)]
        finally:
            if path != SPEC:
                path.unlink()
        rows.append((name, statistics.median(w for w, _ in times), statistics.median(c for _, c in times)))

    load = os.getloadavg()
    print(f"saferbook validate on {SPEC.relative_to(REPO_ROOT)}: median of {repeat} runs "
          f"(Python {platform.python_version()}, {os.cpu_count()} cores, load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})")
    print(f"{'case':<26}{'wall s':>9}{'CPU s':>9}{'full / this wall':>18}{'full / this CPU':>17}{'< 1 s':>8}")
    full_cpu = rows[0][2]
    for name, wall, cpu in rows:
        first = name == "full validate"
        wall_ratio = "" if first else f"{full_wall / wall:.1f}x"
        cpu_ratio = "" if first else f"{full_cpu / cpu:.1f}x"
        met = "" if first else ("yes" if wall < TARGET_SECONDS else "no")
        print(f"{name:<26}{wall:>9.2f}{cpu:>9.2f}{wall_ratio:>18}{cpu_ratio:>17}{met:>8}")


if __name__ == "__main__":
    main()
