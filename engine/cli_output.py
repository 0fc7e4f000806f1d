"""What the command line shows a person: a progress bar and a closing summary (rich)."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from engine.api import Prepared

console = Console(stderr=True)


@contextlib.contextmanager
def progress_bar(total: int, quiet: bool) -> Iterator[Callable[[str], None]]:
    """Yield ``advance(label)``; shows a bar only for several areas on an interactive terminal."""
    if quiet or total < 2:
        yield lambda label: None
        return
    with Progress(TextColumn("[bold]Building"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("", total=total)
        yield lambda label: progress.update(task, advance=1, description=label)


def print_build_summary(prepared: Prepared, paths: list[Path], seconds: float) -> None:
    out = Console()
    first = prepared.outputs[0]
    headline = first.kpis[0]
    table = Table(title=f"{len(paths)} workbook(s): {first.current_window}, written to {paths[0].parent}")
    table.add_column("Dashboard" if prepared.dashboard is not None else "Partner area")
    table.add_column(headline.name, justify="right")
    table.add_column("Change", justify="right")
    table.add_column("Workbook")
    for report, path in zip(prepared.outputs, paths):
        kpi = report.kpis[0]
        change = f"{kpi.percent_change:+.1%}" if kpi.percent_change is not None else "n/a"
        table.add_row(report.partner_area, f"{kpi.current:,}", change, path.name)
    out.print(table)
    for line in prepared.reports[0].quality:
        out.print(f"  {line.source}: {line.reason}: {line.rows:,}" + (f" (e.g. {line.example})" if line.example else ""))
    print_quality_totals(prepared, out)
    times = ", ".join(f"{k} {v:.2f} s" for k, v in prepared.timings.items())
    out.print(f"Done in {seconds:.2f} s ({times}).")


def print_quality_totals(prepared: Prepared, out: Console | None = None) -> None:
    """One line: rows rejected, cleaned and excluded, and where the full list is."""
    out = out or Console()
    frame = prepared.inputs.issues.frame()
    if frame.empty:
        out.print("Data quality: no row rejected, cleaned or excluded.")
        return
    counts = frame.groupby("action")["row"].size()
    parts = ", ".join(f"{counts.get(a, 0):,} {a}" for a in ("rejected", "cleaned", "excluded"))
    first = prepared.outputs[0]
    out.print(f"Data quality: {parts}; each row is listed in the <workbook>_data_quality.csv beside each workbook "
              f"(e.g. {first.file_stem}_data_quality.csv) and on its Data Quality sheet.")
