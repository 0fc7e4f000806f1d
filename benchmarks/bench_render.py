"""Render one workbook against the writer's floor: a bare xlsxwriter write of the same cells.

The yardstick writes every value the workbook holds (read back from the rendered file), sheet by
sheet, with ``write_row`` and no formats, tables, charts or conditional formats: what any
program must pay to put those cells in an .xlsx with xlsxwriter. The ratio is what Saferbook's
presentation (formats, Excel tables, charts, sparklines, print setup, the settings sheet) and its
own Python cost on top. Target: within 2×.

    python benchmarks/bench_render.py [--area Leicester] [--repeat 7] [--profile]

Prints CPU seconds (process time: robust on a shared machine) and wall seconds, medians.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
import xlsxwriter  # noqa: E402

from engine.api import prepare  # noqa: E402
from engine.render import load_theme, render_workbook  # noqa: E402
from engine.render.xlsx_writer import WORKBOOK_OPTIONS  # noqa: E402


def cells_of(data: bytes) -> list[tuple[str, list[list]]]:
    """Every sheet's values, row by row, as openpyxl reads them back."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return [(sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]) for sheet in book.worksheets]


def bare_write(sheets: list[tuple[str, list[list]]]) -> bytes:
    """The same cells with xlsxwriter and nothing else."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    for title, rows in sheets:
        sheet = workbook.add_worksheet(title)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, [None if v is None else v for v in row])
    workbook.close()
    return buffer.getvalue()


def timed(fn, repeat: int) -> tuple[float, float]:
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default=str(ROOT / "specs" / "community_safety.yaml"))
    parser.add_argument("--area", default="Leicester")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print the render's cProfile, by own time")
    args = parser.parse_args()
    prepared = prepare(args.spec, areas=[args.area])
    report = prepared.reports[0]
    theme = load_theme(prepared.spec.theme, prepared.spec_dir)
    data = render_workbook(report, theme)
    sheets = cells_of(data)
    n_cells = sum(1 for _, rows in sheets for row in rows for v in row if v is not None)
    render = timed(lambda: render_workbook(report, theme), args.repeat)
    bare = timed(lambda: bare_write(sheets), args.repeat)
    print(f"| one workbook ({args.area}: {len(sheets)} sheets, {n_cells:,} cells, {len(data):,} bytes) | CPU s | wall s |")
    print("|---|---|---|")
    print(f"| Saferbook render | {render[0]:.3f} | {render[1]:.3f} |")
    print(f"| bare xlsxwriter write_row of the same cells | {bare[0]:.3f} | {bare[1]:.3f} |")
    print(f"| ratio (target within 2×) | {render[0] / bare[0]:.2f}× | {render[1] / bare[1]:.2f}× |")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        render_workbook(report, theme)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
