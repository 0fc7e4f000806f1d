"""What ``saferbook run`` prints: a table a person reads in the morning, or only the failures.

The table goes to standard output; progress, warnings and failure lines to standard error, so
a scheduler's log keeps both and ``--quiet`` leaves only what needs attention.
"""
from __future__ import annotations

import collections
import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from engine.deliver.runner import PartnerResult, RunResult

STYLES = {"sent": "green", "already sent": "dim", "dry run": "cyan", "failed": "bold red",
          "in doubt": "bold yellow", "build failed": "bold red"}


def report_console() -> Console:
    """Standard output; wide when it is a log file rather than a terminal, so rows stay on one line."""
    return Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def failure_lines(result: RunResult) -> list[str]:
    """One line per partner that needs attention: ``failed: Blaby: 421 … (after 4 attempt(s))``."""
    return [f"{p.status}: {p.area}: {p.detail}" for p in result.partners if not p.ok]


def counts_line(result: RunResult) -> str:
    counts = collections.Counter(p.status for p in result.partners)
    order = ["sent", "already sent", "dry run", "failed", "in doubt", "build failed"]
    parts = ", ".join(f"{counts[s]} {s}" for s in order if counts[s])
    return f"Run {result.run_id}: {len(result.partners)} partner(s): {parts} ({result.seconds:.1f} s). Ledger: {result.ledger}"


def _recipients(partner: PartnerResult) -> str:
    return "\n".join(f"{address} ({state})" if state != partner.status else address
                     for address, state in partner.recipients.items())


def print_run_summary(result: RunResult, quiet: bool) -> None:
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if not quiet:  # quiet output is only what needs attention; every partner that does has its line below
        for warning in result.warnings:
            err.print(f"warning: {warning}", markup=False)
        table = Table(title=f"saferbook run {result.pipeline}", title_justify="left")
        for column in ("Partner area", "Workbook", "Recipients", "Result", "Detail"):
            table.add_column(column, overflow="fold")
        for partner in result.partners:
            table.add_row(Text(partner.area), Text(partner.workbook or ""), Text(_recipients(partner)),
                          Text(partner.status, style=STYLES.get(partner.status, "")), Text(partner.detail))
        out = report_console()
        out.print(table)
        out.print(counts_line(result), markup=False)
        if result.outbox:
            out.print(f"Dry run: nothing was sent; the messages are in {result.outbox}", markup=False)
    for line in failure_lines(result):
        err.print(line, markup=False)
