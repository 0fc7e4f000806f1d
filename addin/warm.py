"""What the add-in keeps between clicks, so that a Refresh with nothing changed recomputes nothing.

With xlwings' "Use UDF Server" (which ``saferbook addin install`` sets on Windows) one Python process
serves every click. It keeps, for as long as it lives:

* the sources read and the Reports computed (:class:`engine.api.ComputeMemo`): a source is read again
  only when a file behind it changed (:mod:`engine.ingest.stamps`), and the Reports are computed again
  only when something they are computed from did;
* the workbook the engine would build now, rendered in memory (:class:`addin.fresh.FreshWorkbook`),
  for as long as its Report is the very same object and the theme (and its logo file) is unchanged.

Nothing here is trusted across a change: each check is made on every click.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.api import ComputeMemo, Prepared, theme, workbook_cells
from addin.fresh import FreshWorkbook

if TYPE_CHECKING:  # the engine's phases (pandas, xlsxwriter …) are imported when a click first uses them
    from engine.ingest.stamps import FileStamp
    from engine.render.theme import Theme
    from engine.report import Report

FRESH_ENTRIES = 8  # as many workbooks as the compute memo keeps Reports for


@dataclass
class _Rendered:
    report: Report  # held, so its identity cannot be taken by another object
    theme: Theme
    logo: tuple[FileStamp, ...]
    fresh: FreshWorkbook


@dataclass
class Warm:
    """The add-in process's memory of earlier clicks."""

    memo: ComputeMemo = field(default_factory=ComputeMemo)
    _rendered: OrderedDict[int, _Rendered] = field(default_factory=OrderedDict)
    renders: int = 0

    def fresh_workbook(self, prepared: Prepared, report: Report) -> FreshWorkbook:
        """``report``'s workbook as Refresh reads it (its as-built sheets left empty), rendered only when the Report
        or the theme is not the one last rendered."""
        from engine.ingest.stamps import stamp, unchanged

        now = theme(prepared)
        logo = [now.logo] if now.logo is not None else []
        known = self._rendered.get(id(report))
        if known is not None and known.report is report and known.theme == now and unchanged(known.logo, logo):
            self._rendered.move_to_end(id(report))
            return known.fresh
        stamps = stamp(logo)
        fresh = FreshWorkbook(workbook_cells(prepared, report, now))
        self.renders += 1
        self._rendered[id(report)] = _Rendered(report, now, stamps, fresh)
        while len(self._rendered) > FRESH_ENTRIES:
            self._rendered.popitem(last=False)
        return fresh
