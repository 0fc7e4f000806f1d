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
* a warm refresh, in a process that has refreshed before: what every click after the first costs
  with xlwings' "Use UDF Server" (Windows), which keeps one Python process between clicks;
* a fresh build of the same workbook: ``saferbook build SPEC --area NAME`` as a process, and
  in process (``prepare`` + ``workbook_bytes``).

Targets (issue 16): imports on the Refresh path under 0.5 s; a warm refresh under 1 s.
Prints a plain-text table and always exits 0: targets are reported, not enforced.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
for folder in (REPO_ROOT, REPO_ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

SPEC = REPO_ROOT / "specs" / "community_safety.yaml"
IMPORT_TARGET_S = 0.5
WARM_TARGET_S = 1.0

COLD_CLICK = """
import json, sys, time
started = time.perf_counter()
sys.path.insert(0, {root!r})
import saferbook
saferbook._own_packages_first()
import addin.refresh
imported = time.perf_counter()
sys.path.append({tests!r})
from fake_excel import FakeExcel
from pathlib import Path
book = FakeExcel.from_xlsx(Path({workbook!r}).read_bytes(), Path({workbook!r}))
opened = time.perf_counter()
outcome = saferbook.main(book)
done = time.perf_counter()
assert outcome.status == "refreshed", outcome.message
print(json.dumps({{"imports": imported - started, "refresh": done - opened}}))
"""


def _process(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed:\n{result.stderr[-3000:]}")
    return wall, result.stdout


def _row(name: str, values: list[float], target: float | None = None) -> str:
    median = statistics.median(values)
    verdict = "" if target is None else (f"under {target:g} s: met" if median < target else f"under {target:g} s: MISSED")
    return f"| {name} | {median:.3f} s | {min(values):.3f} s | {verdict} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--area", default="Melton")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", module="openpyxl")  # the fake book reads the workbook with openpyxl

    from addin.config import CONFIG_ENV, AddinConfig, save_config
    from addin.refresh import refresh
    from engine.api import prepare, workbook_bytes
    from engine.project import project_of_spec
    from fake_excel import FakeExcel

    work = Path(tempfile.mkdtemp(prefix="bench_refresh_"))
    config = work / "addin.json"
    project = project_of_spec(SPEC)
    save_config(AddinConfig(projects={project.id: str(project.root)}), config)
    os.environ[CONFIG_ENV] = str(config)
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)

    prepared = prepare(SPEC, [args.area])
    data = workbook_bytes(prepared, prepared.reports[0])
    workbook = work / f"{args.area}.xlsx"
    workbook.write_bytes(data)

    startup, cold_wall, cold_imports, cold_refresh, plain_import, warm, build_process, build_in_process = \
        [], [], [], [], [], [], [], []
    script = COLD_CLICK.format(root=str(REPO_ROOT), tests=str(REPO_ROOT / "tests"), workbook=str(workbook))
    for _ in range(args.repeat):
        startup.append(_process([sys.executable, "-c", "pass"], env)[0])
        wall, out = _process([sys.executable, "-c", script], env)
        times = json.loads(out.splitlines()[-1])
        cold_wall.append(wall)
        cold_imports.append(times["imports"])
        cold_refresh.append(times["refresh"])
        plain_import.append(_process([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r}); "
                                      "import engine.api"], env)[0])
        book = FakeExcel.from_xlsx(data, workbook)
        started = time.perf_counter()
        outcome = refresh(copy.deepcopy(book))
        warm.append(time.perf_counter() - started)
        assert outcome.status == "refreshed", outcome.message
        build_process.append(_process([sys.executable, "-m", "engine.cli", "build", str(SPEC), "--area", args.area,
                                       "--out", str(work / "built"), "--quiet"], env)[0])
        started = time.perf_counter()
        again = prepare(SPEC, [args.area])
        workbook_bytes(again, again.reports[0])
        build_in_process.append(time.perf_counter() - started)

    print(f"Refresh of {args.area}'s workbook ({SPEC.name}), {args.repeat} runs, load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print("| measurement | median | min | target |\n|---|---|---|---|")
    print(_row("Python start-up alone (`python -c pass`)", startup))
    print(_row("cold click: imports on the Refresh path", cold_imports, IMPORT_TARGET_S))
    print(_row("cold click: the refresh itself (settings, compute, render, plan, write)", cold_refresh))
    print(_row("cold click: whole process, wall", cold_wall))
    print(_row("plain `import engine.api`, whole process, wall", plain_import))
    print(_row("warm refresh (a process that refreshed before: Use UDF Server)", warm, WARM_TARGET_S))
    print(_row(f"fresh build: `saferbook build --area {args.area}`, whole process, wall", build_process))
    print(_row("fresh build in process (prepare + workbook_bytes)", build_in_process))


if __name__ == "__main__":
    main()
