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
  tables (every sheet's: summary, findings, top-10s, trends, comparisons, profiles,
  methodology, data quality), as a yardstick for what the formatting, tables, rules and charts cost.

Wall and CPU time are both reported: on a machine shared with other jobs the wall time includes
waiting for a core, and the CPU time (``time.process_time``; ``getrusage`` for the subprocess)
is the work done.

Prints a plain-text table and always exits 0: targets are reported, not enforced.
"""
from __future__ import annotations

import argparse
import dataclasses
import io
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from checkout import use_checkout

REPO_ROOT = Path(__file__).resolve().parents[1]
use_checkout()  # runnable from a checkout even without the editable install; PYTHONPATH still comes first

import pandas as pd  # noqa: E402

from engine.api import prepare, render_all  # noqa: E402
from engine.render import load_theme, render_workbook  # noqa: E402
from engine.report import (BreakdownRow, Finding, Kpi, MethodNote, QualityIssue, QualityNote, Report,  # noqa: E402
                           TopAreaRow)

SPEC = REPO_ROOT / "specs" / "community_safety.yaml"
STAGES = ("spec", "ingest", "compute", "render")
DEMO_TARGET_S = 3.0
ONE_WORKBOOK_TARGET_S = 0.150
ONE_AREA = "Leicester"  # the largest partner area; every workbook has the same tables


def _records(items: list, cls: type) -> pd.DataFrame:
    """Dataclass instances as a DataFrame (the right columns even when there are none)."""
    return pd.DataFrame([dataclasses.asdict(i) for i in items], columns=[f.name for f in dataclasses.fields(cls)])


def report_frames(report: Report) -> dict[str, list[pd.DataFrame]]:
    """Every table of the workbook's sheets as a plain DataFrame, per sheet, built from the Report dataclasses."""
    summary = _records(report.kpis, Kpi)
    tops = [_records(t.rows, TopAreaRow) for t in report.top_tables]
    frames = {"Summary": [summary], "Key findings": [_records(report.findings, Finding)], "Top 10": tops}
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
    if report.series:
        frames.setdefault("Trends", []).append(pd.DataFrame(
            [[x.name, *x.quarterly] for x in report.series], columns=["Indicator", *report.series[0].quarter_labels]))
    if report.comparisons:
        first = report.comparisons[0]
        rates = pd.DataFrame({"Area": [*first.areas, "Benchmark"],
                              **{c.name: [*c.rates, c.benchmark_rate] for c in report.comparisons}})
        by_id = {x.indicator_id: x for x in report.series}
        charted = [by_id[c.indicator_id] for c in report.comparisons]
        monthly = pd.DataFrame({"Month": charted[0].months, **{x.name: x.monthly for x in charted}})
        frames["Comparisons"] = [rates, monthly]
    if report.breakdowns:
        frames["Profiles"] = [_records(b.rows, BreakdownRow) for b in report.breakdowns]
    frames["Methodology"] = [_records(report.methodology, MethodNote), _records(report.quality, QualityNote)]
    frames["Data Quality"] = [_records(report.quality_issues, QualityIssue)]
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


def cpu_calls(fn: Callable[[], object], repeat: int) -> list[float]:
    """CPU seconds of this process per call: on a machine shared with other jobs, wall time also
    counts the time spent waiting for a core; CPU time is the work the call itself does."""
    times = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    return times


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


def bench_demo_subprocess(repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of ``python -m engine.cli demo --quiet --out TMP``;
    a failure is reported, not hidden."""
    times, cpu = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="sb_bench_demo_") as tmp:
            command = [sys.executable, "-m", "engine.cli", "demo", "--quiet", "--out", tmp]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
            elapsed = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if result.returncode != 0:
                raise SystemExit(f"demo failed (exit {result.returncode}):\n{result.stderr}")
            written = sorted(Path(tmp).glob("*.xlsx"))
            if len(written) < 9:  # the nine partner workbooks, and the county dashboard since it joined the demo
                raise SystemExit(f"demo wrote {len(written)} workbooks, expected at least 9")
        times.append(elapsed)
    return times, cpu


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
    demo, demo_cpu = bench_demo_subprocess(repeat)
    one = time_calls(lambda: render_workbook(report, theme), repeat)
    one_cpu = cpu_calls(lambda: render_workbook(report, theme), repeat)
    plain = time_calls(lambda: pandas_to_excel(frames), repeat)
    plain_cpu = cpu_calls(lambda: pandas_to_excel(frames), repeat)

    rows: list[tuple[str, list[float], str]] = [
        *((f"build 9 areas: {stage}", in_process[stage], "") for stage in STAGES),
        ("build 9 areas: total (in-process)", in_process["total"], ""),
        ("saferbook demo --quiet (subprocess wall)", demo, f"< {DEMO_TARGET_S:.3f} s"),
        ("saferbook demo --quiet (subprocess CPU)", demo_cpu, f"< {DEMO_TARGET_S:.3f} s"),
        (f"render one workbook ({report.partner_area}, wall)", one, f"< {ONE_WORKBOOK_TARGET_S:.3f} s"),
        (f"render one workbook ({report.partner_area}, CPU)", one_cpu, f"< {ONE_WORKBOOK_TARGET_S:.3f} s"),
        ("  pandas to_excel, same tables (wall)", plain, ""),
        ("  pandas to_excel, same tables (CPU)", plain_cpu, ""),
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
    per_sheet = ", ".join(f"{sheet} {len(tables)}" for sheet, tables in frames.items())
    print(f"pandas yardstick: {n_tables} DataFrames ({per_sheet}) "
          f"via DataFrame.to_excel(engine='xlsxwriter') to a BytesIO; the workbook render is bytes in memory too.")
    ratio = statistics.median(one_cpu) / statistics.median(plain_cpu)
    print(f"render_workbook / pandas to_excel (CPU): {ratio:.1f}x")
    if os.getloadavg()[0] > usable:
        print(f"Load average {os.getloadavg()[0]:.1f} on {usable} cores: other jobs share the machine, so the wall "
              f"times include waiting for a core; the CPU rows are the work itself.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
