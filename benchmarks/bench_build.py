"""Benchmark: how long building the nine demo workbooks takes, and where the time goes.

    python benchmarks/bench_build.py [--repeat N]

Measures, each N times (default 5), reporting the median and the minimum:

* the in-process build of all nine partner areas from the bundled data, split into the
  stages ``engine.api.prepare`` and ``engine.api.render_all`` time themselves
  (spec / ingest / compute / render), plus their sum;
* the whole ``saferbook demo --quiet --out TMP`` as a subprocess: wall time, Python start-up
  and imports included (what a person or a scheduler actually waits for);
* rendering ONE partner workbook (``engine.render.render_workbook``, bytes in memory, no disk),
  next to a plain pandas ``DataFrame.to_excel`` (xlsxwriter, to a BytesIO) of the same
  tables, as a yardstick for what the formatting, tables, rules and chart cost.

Prints a plain-text table and always exits 0: targets are reported, not enforced.
"""
from __future__ import annotations

import argparse
import dataclasses
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # runnable from a checkout even without the editable install
    sys.path.insert(0, str(REPO_ROOT))

import pandas as pd  # noqa: E402

from engine.api import prepare, render_all  # noqa: E402
from engine.render import load_theme, render_workbook  # noqa: E402
from engine.report import Report  # noqa: E402

SPEC = REPO_ROOT / "specs" / "community_safety.yaml"
STAGES = ("spec", "ingest", "compute", "render")
DEMO_TARGET_S = 3.0
ONE_WORKBOOK_TARGET_S = 0.150
ONE_AREA = "Leicester"  # the largest partner area; every workbook has the same tables


def report_frames(report: Report) -> dict[str, list[pd.DataFrame]]:
    """The workbook's tables as plain DataFrames, per sheet, built from the Report dataclasses."""
    summary = pd.DataFrame([dataclasses.asdict(k) for k in report.kpis])
    tops = [pd.DataFrame([dataclasses.asdict(r) for r in t.rows],
                         columns=[f.name for f in dataclasses.fields(t.rows[0])] if t.rows else None)
            for t in report.top_tables]
    frames = {"Summary": [summary], "Top 10": tops}
    if report.trend is not None:
        trend = pd.DataFrame([[r.name, *r.values] for r in report.trend.rows],
                             columns=["Category", *report.trend.columns])
        trend.loc[len(trend)] = ["Grand Total", *report.trend.grand_total]
        frames["Trends"] = [trend]
        months = getattr(report.trend, "months", None)
        if months:  # the monthly table the chart is drawn from
            monthly = pd.DataFrame({"Month": months, **{r.name: r.monthly for r in report.trend.rows}})
            monthly["Total"] = monthly.drop(columns="Month").sum(axis=1)
            frames["Trends"].append(monthly)
    return frames


def pandas_to_excel(frames: dict[str, list[pd.DataFrame]]) -> bytes:
    """The same tables with ``DataFrame.to_excel``: no formats, tables, rules or chart."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        for sheet, sheet_frames in frames.items():
            row = 0
            for frame in sheet_frames:
                frame.to_excel(writer, sheet_name=sheet, startrow=row, index=False)
                row += len(frame) + 3
    return buffer.getvalue()


def time_calls(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def bench_in_process(repeat: int) -> dict[str, list[float]]:
    """prepare + render_all of all nine areas, N times; each stage as the API timed it."""
    runs: dict[str, list[float]] = {stage: [] for stage in (*STAGES, "total")}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="sb_bench_") as tmp:
            prepared = prepare(SPEC)
            paths = render_all(prepared, Path(tmp))
            assert len(paths) == 9, f"expected 9 workbooks, got {len(paths)}"
        for stage in STAGES:
            runs[stage].append(prepared.timings[stage])
        runs["total"].append(sum(prepared.timings[stage] for stage in STAGES))
    return runs


def bench_demo_subprocess(repeat: int) -> list[float]:
    """Wall time of ``python -m engine.cli demo --quiet --out TMP``; a failure is reported, not hidden."""
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="sb_bench_demo_") as tmp:
            command = [sys.executable, "-m", "engine.cli", "demo", "--quiet", "--out", tmp]
            started = time.perf_counter()
            result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
            elapsed = time.perf_counter() - started
            if result.returncode != 0:
                raise SystemExit(f"demo failed (exit {result.returncode}):\n{result.stderr}")
            written = sorted(Path(tmp).glob("*.xlsx"))
            if len(written) != 9:
                raise SystemExit(f"demo wrote {len(written)} workbooks, expected 9")
        times.append(elapsed)
    return times


def fmt_row(cells: list[str], widths: list[int]) -> str:
    return " | ".join(c.ljust(w) if i == 0 else c.rjust(w) if i < 3 else c.ljust(w)
                      for i, (c, w) in enumerate(zip(cells, widths))).rstrip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, metavar="N", help="repetitions per measurement (default 5)")
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)

    # Warm up once: imports, the first pandas/numpy calls and the OS file cache are not what we measure.
    warm = prepare(SPEC)
    theme = load_theme(warm.spec.theme, warm.spec_dir)
    report = next((r for r in warm.reports if r.partner_area == ONE_AREA), warm.reports[0])
    render_workbook(report, theme)
    frames = report_frames(report)
    pandas_to_excel(frames)

    in_process = bench_in_process(repeat)
    demo = bench_demo_subprocess(repeat)
    one = time_calls(lambda: render_workbook(report, theme), repeat)
    plain = time_calls(lambda: pandas_to_excel(frames), repeat)

    rows: list[tuple[str, list[float], str]] = [
        *((f"build 9 areas: {stage}", in_process[stage], "") for stage in STAGES),
        ("build 9 areas: total (in-process)", in_process["total"], ""),
        ("saferbook demo --quiet (subprocess wall)", demo, f"< {DEMO_TARGET_S:.3f} s"),
        (f"render one workbook ({report.partner_area})", one, f"< {ONE_WORKBOOK_TARGET_S:.3f} s"),
        ("  pandas to_excel, same tables (yardstick)", plain, ""),
    ]
    headers = ["stage", "median s", "min s", "target"]
    body = []
    for name, times, target in rows:
        median = statistics.median(times)
        verdict = ""
        if target:
            limit = float(target.split()[1])
            verdict = "  met" if median < limit else "  MISSED"
        body.append([name, f"{median:.3f}", f"{min(times):.3f}", target + verdict])
    widths = [max(len(r[i]) for r in [headers, *body]) for i in range(4)]

    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    n_tables = sum(len(v) for v in frames.values())
    print(f"Saferbook build benchmark: {SPEC.relative_to(REPO_ROOT)}, {len(warm.reports)} partner areas, "
          f"repeat {repeat} (median and min)")
    print(f"Machine: {cores} CPU cores ({usable} usable by this process), {platform.machine()}, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    print()
    print(fmt_row(headers, widths))
    print("-+-".join("-" * w for w in widths))
    for cells in body:
        print(fmt_row(cells, widths))
    print()
    print(f"pandas yardstick: {n_tables} DataFrames (summary KPIs, {len(report.top_tables)} top-10 tables, "
          f"{len(frames.get('Trends', []))} trend tables) "
          f"via DataFrame.to_excel(engine='xlsxwriter') to a BytesIO; the workbook render is bytes in memory too.")
    ratio = statistics.median(one) / statistics.median(plain)
    print(f"render_workbook / pandas to_excel: {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
