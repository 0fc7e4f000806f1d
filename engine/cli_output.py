"""What the command line shows a person: progress bars while it works, then a short summary (rich).

Quiet by default: one line per source, one per workbook, the data quality in one line (every row in
the data-quality CSV beside each workbook), the time taken; ``--verbose`` adds each data-quality note
and the stages' times. Progress bars appear only on an interactive terminal and vanish when done.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from engine.api import Prepared

console = Console(stderr=True)


@contextlib.contextmanager
def progress_bar(total: int | None, quiet: bool, label: str = "Building") -> Iterator[Callable[[str], None]]:
    """Yield ``advance(item)``: a bar of ``total`` steps (a spinner and the time when the total is unknown) on an
    interactive terminal while a stage runs, gone when it ends; nothing when quiet or when output is not a terminal."""
    if quiet or not console.is_terminal:
        yield lambda item="": None
        return
    columns = [SpinnerColumn(), TextColumn(f"[bold]{label}")]
    columns += [BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}")] if total else []
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("", total=total)
        yield lambda item="": progress.update(task, advance=1, description=item)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def source_lines(prepared: Prepared) -> list[str]:
    """One line per source read: its rows and files, and how many rows were rejected, cleaned or excluded."""
    frame = prepared.inputs.issues.frame()
    counts = frame.groupby(["source", "action"])["row"].size() if not frame.empty else None
    lines = []
    for name, source in prepared.inputs.sources.items():
        title = prepared.spec.sources[name].title or name
        actions = [f"{counts.get((name, a), 0):,} {a}" for a in ("rejected", "cleaned", "excluded")
                   if counts is not None and counts.get((name, a), 0)]
        lines.append(f"Read {title}: {_plural(len(source.rows), 'row')} from {_plural(len(source.files), 'file')}"
                     + (f" ({', '.join(actions)})" if actions else ""))
    return lines


def print_build_summary(prepared: Prepared, paths: list[Path], seconds: float, *, verbose: bool = False,
                        sources: bool = True) -> None:
    """One line per source (``sources``: the demo's second build reads the same ones), one per workbook, the data
    quality in one line (details in each workbook's CSV; ``verbose`` lists them here too) and the time taken."""
    out = Console(soft_wrap=True)  # a long file name is printed whole, never cut
    for line in source_lines(prepared) if sources else []:
        out.print(line, highlight=False)
    for report, path in zip(prepared.outputs, paths):
        kpi = report.kpis[0]
        change = f", {kpi.percent_change:+.1%}" if kpi.percent_change is not None else ""
        figure = f"{kpi.current:,}" if kpi.current is not None else "n/a"
        out.print(f"Wrote {path}: {kpi.name} {figure} in {report.current_window}{change}", highlight=False)
    if verbose:
        for line in prepared.inputs.quality:  # the builder's console: with examples (partners' sheets have none)
            out.print(f"  {line.source}: {line.reason}: {line.rows:,}" + (f" (e.g. {line.example})" if line.example else ""),
                      highlight=False)
    if sources:
        print_quality_totals(prepared, out)
    times = f" ({', '.join(f'{k} {v:.2f} s' for k, v in prepared.timings.items())})" if verbose else ""
    out.print(f"Done in {seconds:.1f} s{times}.", highlight=False)


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
              f"(e.g. {first.file_stem}_data_quality.csv) and on its Data Quality sheet.", highlight=False)
