"""The Profiles sheet's published tables: each area's figures by period as published, the partner's own rows first.

Every column is headed by its period, and every row says where its figures come from ("Youth Justice
Statistics (published)", "Saferbook, from Youth offending"), so no figure is read without its period or its
maker. A figure not published, or not computed, is an empty cell (never 0); the note under the heading says why.
"""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from engine.contract.names import table_name
from engine.render.formats import Formats
from engine.render.layout import Column, write_table
from engine.render.print_sheet import PrintTable
from engine.render.profile_tables import headed_table
from engine.render.wrapping import row_height, wrapped_lines, wrapped_note
from engine.report import SUPPRESSED, PublishedRow, PublishedTableView, Report


LABEL_WIDTH = 40  # the first column: area, then figure and source, wrapped
PRINT_LABEL_WIDTH = 22  # the same, in the printable form (as wide as the breakdowns' first column there)


def _number_format(formats: Formats, decimals: int):
    return formats.get(num_format="#,##0" + ("." + "0" * decimals if decimals else ""))


def _label(row: PublishedRow) -> str:
    """The first cell: the area on its own line, then what the figures are and who made them."""
    return f"{row.area}\n{row.what}: {row.source}"


def _shown_rows(table: PublishedTableView) -> list[list]:
    """Each row's label and figures, a hidden figure as its word."""
    return [[_label(r), *(SUPPRESSED if c in r.suppressed else v for c, v in enumerate(r.values))] for r in table.rows]


def printed_published(report: Report, formats: Formats) -> list[PrintTable]:
    """The published tables' printable form (:mod:`engine.render.print_sheet`): the same columns (the periods), the
    label column narrower; counts without decimals and hidden figures in words, as on the screen sheet."""
    found = []
    for table in report.published:
        number = _number_format(formats, table.decimals)
        columns = [Column("Area: figure, source", formats.wrap, PRINT_LABEL_WIDTH)] + [Column(p, number, 10)
                                                                                          for p in table.periods]
        rows = _shown_rows(table)
        cells = {(i, 0): formats.get(bold=True, text_wrap=True) for i, r in enumerate(table.rows) if r.own}
        cells |= {(i, 1 + c): formats.count for i, r in enumerate(table.rows) if r.count and table.decimals
                  for c in range(len(r.values))}
        cells |= {(i, 1 + c): formats.get(align="right") for i, r in enumerate(table.rows) for c in r.suppressed}
        found.append(PrintTable(table.title, table.note, columns, rows, cell_formats=cells))
    return found


def write_published(sheet: Worksheet, formats: Formats, report: Report, row: int, widths: dict[int, float],
                    last_col: int, section: str = "") -> tuple[list[int], list[int]]:
    """Every published table from ``row`` down; the rows each starts at (to keep it on one printed page) and each
    one's header row (a sheet holding one table repeats it on every printed page)."""
    starts, headers = [], []
    for table in report.published:
        starts.append(row)
        row, section = headed_table(sheet, formats, row, table.title, table.section, section)
        row, header = _table(sheet, formats, table, row + 1, widths, last_col)
        headers.append(header)
    return starts, headers


def _table(sheet: Worksheet, formats: Formats, table: PublishedTableView, row: int, widths: dict[int, float],
           last_col: int) -> tuple[int, int]:
    number = _number_format(formats, table.decimals)
    own = formats.get(bold=True, text_wrap=True)
    columns = [Column("Area: figure, source", formats.wrap, LABEL_WIDTH)] + [Column(period, number, 10) for period in table.periods]
    placement = write_table(sheet, formats, table_name("published", table.table_id), row + 1, 0, columns,
                            _shown_rows(table), widths)  # the figures' columns have a fixed width: the word fits
    for offset, r in enumerate(table.rows):
        at = placement.first_data_row + offset
        # Its height set from its wrapped label, so the page plan measures the rows as they print.
        sheet.set_row(at, row_height(wrapped_lines(_label(r), LABEL_WIDTH, formats.theme, bold=r.own), formats.theme))
        if r.own:
            sheet.write_string(at, 0, _label(r), own)
        if r.count and table.decimals:
            for col, value in enumerate(r.values, 1):
                if value is not None:
                    sheet.write_number(at, col, value, formats.count)
    wrapped_note(sheet, formats, row, 0, max(last_col, len(table.periods)), table.note, widths)
    return placement.last_row + 3, placement.first_data_row - 1
