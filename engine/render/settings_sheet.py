"""Writes the workbook contract's settings sheet (:mod:`engine.contract.settings_sheet`) into a workbook being built.

Whatever the layout of the other sheets, the list of engine-owned ranges is taken from what was actually written
(the worksheets' own records, just before the file is closed), so layout changes need no change here.
"""
from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import CellBlankTuple, Worksheet

from engine.contract.settings_sheet import (KIND_PARTNER, NOT_PROTECTED, PROTECTED, SHEET_SETTINGS, OwnedLink,
                                           OwnedTable, WorkbookSettings)
from engine.report import Report


# --- capture from the workbook being written --------------------------------------------------
# xlsxwriter keeps what each worksheet holds in ``table`` (cells), ``tables`` and ``hyperlinks``
# until the file is closed; tests/test_settings_sheet.py checks the capture against the file.


def _link_target(url: Any) -> str:
    original = url.get("url", "") if isinstance(url, dict) else getattr(url, "_original_url", "")
    return "#" + original[len("internal:"):] if original.startswith("internal:") else original


def _cells_outside(sheet: Worksheet) -> list[tuple[int, int]]:
    """The (row, col) of every written, non-blank cell of ``sheet`` that no table covers, in the order written.

    xlsxwriter records every cell an Excel table covers in the worksheet's ``table_cells`` (it refuses overlaps
    with it), so a cell is looked up there once instead of being checked against the tables' rectangles."""
    covered = sheet.table_cells
    return [(row, col) for row, columns in sheet.table.items() for col, cell in columns.items()
            if cell.__class__ is not CellBlankTuple and (row, col) not in covered]


def capture(workbook: Workbook, report: Report, kind: str = KIND_PARTNER) -> WorkbookSettings:
    """The settings for ``report`` (a partner's, or a dashboard's: ``kind``) and everything the engine wrote into
    ``workbook`` so far."""
    provenance = report.provenance
    settings = WorkbookSettings(
        project=provenance.project if provenance else "",
        spec=provenance.spec if provenance else "",
        kind=kind,
        partner_area=report.partner_area,
        period_end=provenance.period_end_setting if provenance else report.period_end,
        shows_period_end=report.period_end,
        protected=PROTECTED if provenance and provenance.protected else NOT_PROTECTED,
        engine_version=report.engine_version,
        spec_version=report.spec_version,
        data_locations=list(provenance.data_locations) if provenance else [],
    )
    for sheet in workbook.worksheets():
        if sheet.name == SHEET_SETTINGS:
            continue
        settings.sheets.append(sheet.name)
        tables = [OwnedTable(sheet.name, t["name"], t["range"], bool(t.get("totals_row_shown"))) for t in sheet.tables]
        settings.tables += tables
        cells = _cells_outside(sheet)
        if cells:
            settings.cells[sheet.name] = sorted(cells)
        settings.links += [OwnedLink(sheet.name, xl_rowcol_to_cell(row, col), _link_target(url))
                           for row, columns in sorted(sheet.hyperlinks.items()) for col, url in sorted(columns.items())]
    return settings


def write_settings_sheet(workbook: Workbook, report: Report, kind: str = KIND_PARTNER) -> Worksheet:
    """Add the hidden settings sheet; call it last, after every other sheet is written."""
    settings = capture(workbook, report, kind)
    sheet = workbook.add_worksheet(SHEET_SETTINGS)
    for row, values in enumerate(settings.rows()):
        for col, value in enumerate(values):
            if value:
                sheet.write_string(row, col, value)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 3, 30)
    sheet.hide()
    return sheet
