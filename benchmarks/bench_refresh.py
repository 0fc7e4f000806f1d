"""Benchmark: how long an analyst waits after clicking Saferbook → Refresh, and where the time goes.

    python benchmarks/bench_refresh.py [--repeat N] [--area NAME]

Drives the code path the ribbon button runs (``import saferbook; saferbook.main(book)``) against the
in-memory workbook of ``tests/fake_excel.py`` (Excel's part, opening the workbook and applying the
writes, is not Saferbook's and is left out), for one partner workbook of the demo spec, and reports
the median and minimum of N runs (default 3) of:

* Python's own start-up (``python -c pass``), for scale;
* a cold click, as a new process: the imports on the Refresh path (``saferbook`` and what it
  imports before it can refresh) and the refresh itself (read settings, compute, render in memory,
  plan, write), each timed inside the process, and the whole process's wall time;
* a plain ``import engine.api`` in a new process (what every entry point pays);
* a warm click, in a process that has refreshed before: what every click after the first costs
  with xlwings' "Use UDF Server" (Windows), which keeps one Python process between clicks — with
  nothing changed since the last click, and after one source file changed (the latest police.uk
  month rewritten, a hundredth of its rows withdrawn and put back in turn);
* a fresh build of the same workbook: ``saferbook build SPEC --area NAME`` as a process, and
  in process (``prepare`` + ``workbook_bytes``).

The project (spec and data) is copied into a temporary folder, so the changed file is a copy.
Targets (issue 16): imports on the Refresh path under 0.5 s; a warm refresh under 1 s.
Prints a plain-text table and always exits 0: targets are reported, not enforced.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Callable

from checkout import use_checkout

REPO_ROOT = Path(__file__).resolve().parents[1]
use_checkout(REPO_ROOT / "tests")  # PYTHONPATH still comes first

SPEC = REPO_ROOT / "specs" / "community_safety.yaml"
GENERATED = Path("data/synthetic/generated")
IMPORT_TARGET_S = 0.5
WARM_TARGET_S = 1.0

COLD_CLICK = """
import json, sys, time
started, started_cpu = time.perf_counter(), time.process_time()
sys.path.insert(0, {root!r})
import saferbook
saferbook._own_packages_first()
import addin.refresh
imported, imported_cpu = time.perf_counter(), time.process_time()
sys.path.append({tests!r})
from fake_excel import FakeExcel
from pathlib import Path
book = FakeExcel.from_xlsx(Path({workbook!r}).read_bytes(), Path({workbook!r}))
opened, opened_cpu = time.perf_counter(), time.process_time()
outcome = saferbook.main(book)
done, done_cpu = time.perf_counter(), time.process_time()
assert outcome.status == "refreshed", outcome.message
print(json.dumps({{"imports": imported - started, "refresh": done - opened, "imports_cpu": imported_cpu - started_cpu,
                  "refresh_cpu": done_cpu - opened_cpu}}))
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _process(args: list[str], env: dict[str, str], cpu: list[float] | None = None) -> tuple[float, str]:
    started, started_cpu = time.perf_counter(), _children_cpu()
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - started
    if cpu is not None:
        cpu.append(_children_cpu() - started_cpu)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed:\n{result.stderr[-3000:]}")
    return wall, result.stdout


def _row(name: str, values: list[float], cpu: list[float] | None = None, target: float | None = None) -> str:
    """Wall median and minimum, CPU median (the work done, whatever else shares the machine), verdict on CPU."""
    median = statistics.median(values)
    cpu_median = statistics.median(cpu) if cpu else None
    judged = cpu_median if cpu_median is not None else median
    verdict = "" if target is None else (f"under {target:g} s: met" if judged < target else f"under {target:g} s: MISSED")
    cpu_text = f"{cpu_median:.3f} s" if cpu_median is not None else ""
    return f"| {name} | {median:.3f} s | {min(values):.3f} s | {cpu_text} | {verdict} |"


def _copy_project(work: Path) -> Path:
    """The demo project in ``work`` (its SYNTHETIC extracts linked, read only); returns the spec's path there."""
    root = work / "project"
    shutil.copytree(REPO_ROOT / "data", root / "data", ignore=shutil.ignore_patterns("generated", ".generated*"))
    (root / GENERATED).symlink_to(REPO_ROOT / GENERATED, target_is_directory=True)
    shutil.copytree(REPO_ROOT / "specs", root / "specs")
    for name in ("saferbook-project.yaml", "saferbook.schema.json"):
        shutil.copy(REPO_ROOT / name, root / name)
    return root / SPEC.relative_to(REPO_ROOT)


def _change(month_file: Path, original: bytes, turn: int) -> None:
    """The month's file as published (odd turns) or with its last hundredth of rows withdrawn (even turns)."""
    if turn % 2:
        month_file.write_bytes(original)
        return
    lines = gzip.decompress(original).splitlines(keepends=True)
    month_file.write_bytes(gzip.compress(b"".join(lines[: len(lines) - max(1, len(lines) // 100)]), mtime=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--area", default="Melton")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", module="openpyxl")  # the fake book reads the workbook with openpyxl

    from addin.config import CONFIG_ENV, AddinConfig, save_config
    from addin.refresh import refresh
    from addin.warm import Warm
    from engine.api import prepare, workbook_bytes
    from engine.project import project_of_spec
    from fake_excel import FakeExcel

    work = Path(tempfile.mkdtemp(prefix="bench_refresh_"))
    spec = _copy_project(work)
    config = work / "addin.json"
    project = project_of_spec(spec)
    save_config(AddinConfig(projects={project.id: str(project.root)}), config)
    os.environ[CONFIG_ENV] = str(config)
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)

    prepared = prepare(spec, [args.area])
    data = workbook_bytes(prepared, prepared.reports[0])
    workbook = work / f"{args.area}.xlsx"
    workbook.write_bytes(data)
    month_file = max((spec.parent / prepared.spec.sources["street_crime"].path).glob("*-street.csv.gz"))
    original = month_file.read_bytes()

    rows: dict[str, list[float]] = {k: [] for k in ("startup", "cold", "imports", "refresh", "plain", "warm",
                                                    "changed", "build", "build_in")}
    cpu: dict[str, list[float]] = {k: [] for k in rows}

    def in_process(key: str, run) -> None:
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        rows[key].append(time.perf_counter() - started)
        cpu[key].append(time.process_time() - started_cpu)

    def click(warm: Warm) -> Callable[[], None]:
        """A click on a freshly opened copy of the workbook (opening it is Excel's part: not timed)."""
        book = FakeExcel.from_xlsx(data, workbook)

        def run() -> None:
            outcome = refresh(book, warm=warm)
            assert outcome.status == "refreshed", outcome.message
        return run

    warm = Warm()
    click(warm)()  # the process's first click: the warm rows are the clicks after it
    script = COLD_CLICK.format(root=str(REPO_ROOT), tests=str(REPO_ROOT / "tests"), workbook=str(workbook))
    for turn in range(args.repeat):
        rows["startup"].append(_process([sys.executable, "-c", "pass"], env, cpu["startup"])[0])
        wall, out = _process([sys.executable, "-c", script], env, cpu["cold"])
        times = json.loads(out.splitlines()[-1])
        rows["cold"].append(wall)
        rows["imports"].append(times["imports"])
        rows["refresh"].append(times["refresh"])
        cpu["imports"].append(times["imports_cpu"])
        cpu["refresh"].append(times["refresh_cpu"])
        rows["plain"].append(_process([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r}); "
                                       "import engine.api"], env, cpu["plain"])[0])
        in_process("warm", click(warm))
        _change(month_file, original, turn)
        in_process("changed", click(warm))
        rows["build"].append(_process([sys.executable, "-m", "engine.cli", "build", str(spec), "--area", args.area,
                                       "--out", str(work / "built"), "--quiet"], env, cpu["build"])[0])

        def build_in_process() -> None:
            again = prepare(spec, [args.area])
            workbook_bytes(again, again.reports[0])

        in_process("build_in", build_in_process)
    month_file.write_bytes(original)

    print(f"Refresh of {args.area}'s workbook ({SPEC.name}), {args.repeat} runs, load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print("| measurement | wall median | wall min | CPU median | target (on CPU) |\n|---|---|---|---|---|")
    print(_row("Python start-up alone (`python -c pass`)", rows["startup"], cpu["startup"]))
    print(_row("cold click: imports on the Refresh path", rows["imports"], cpu["imports"], IMPORT_TARGET_S))
    print(_row("cold click: the refresh itself (settings, compute, render, plan, write)", rows["refresh"],
               cpu["refresh"]))
    print(_row("cold click: whole process", rows["cold"], cpu["cold"]))
    print(_row("plain `import engine.api`, whole process", rows["plain"], cpu["plain"]))
    print(_row("warm click, nothing changed (Use UDF Server)", rows["warm"], cpu["warm"], WARM_TARGET_S))
    print(_row(f"warm click after one file changed ({month_file.name})", rows["changed"], cpu["changed"],
               WARM_TARGET_S))
    print(_row(f"fresh build: `saferbook build --area {args.area}`, whole process", rows["build"], cpu["build"]))
    print(_row("fresh build in process (prepare + workbook_bytes)", rows["build_in"], cpu["build_in"]))


if __name__ == "__main__":
    main()
