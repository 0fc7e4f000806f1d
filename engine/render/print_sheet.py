"""A wide sheet's printable form: its tables with the columns a reader needs, one printed page wide.

The Profiles and Who-is-affected tables are up to thirteen columns wide (a breakdown's subsets side by
side, each place's counts, rates and limits); at the smallest readable print scale they print two or
three pages across, and a reader holding one page has a vertical strip of a table. As the Front page
does for the Summary, a sheet of its own holds the printable form: each table with its label columns and
the figures read from it (count, rate or percentage, the comparator's, the band or significance), the
columns side by side on the screen (one subset, one flag) taken one at a time, each under its own
heading. The screen sheet keeps every column. Cells, not Excel tables: the sheet is a copy for print,
rewritten with the rest by Refresh, and no second table of the same name can exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from xlsxwriter.worksheet import Worksheet

from engine.contract.names import internal_link
from engine.render.formats import Formats
from engine.render.layout import Column, produced_words, report_page_setup
from engine.render.print_pages import printable_points, smallest_scale
from engine.render.wrapping import one_line_points, row_height, wrapped_lines, wrapped_note
from engine.report import Report

FIRST_ROW = 4
PAGE_SHARE = 0.75  # of a page a table's rows may take: the rest is its heading, note and header row
NOTE_COLUMNS = 6  # a note wraps across the first columns (every print table has at least this many)


@dataclass(frozen=True)
class PrintTable:
    """One table of the printable form: its heading, a note under it, its columns (widths in characters) and rows."""

    heading: str
    note: str | None
    columns: list[Column]
    rows: list[list[Any]]


def print_sheet_name(screen: str) -> str:
    return f"{screen} (print)"


def _lines(values: Sequence[Any], widths: dict[int, float], formats: Formats) -> int:
    return max([1] + [wrapped_lines(v, widths[c], formats.theme) for c, v in enumerate(values) if isinstance(v, str)])


def _chunks(table: PrintTable, widths: dict[int, float], formats: Formats) -> list[list[list[Any]]]:
    """The rows in runs that each fit a page with their header and heading, shared evenly: a table taller than a
    page prints as several, each with its header row (print titles repeat one row for a whole sheet)."""
    theme = formats.theme
    room = printable_points(theme)[1] * 100 / smallest_scale(theme) * PAGE_SHARE
    heights = [row_height(_lines(r, widths, formats), theme) for r in table.rows]
    if sum(heights) <= room:
        return [table.rows]
    count = -(-int(sum(heights)) // int(room))
    size = -(-len(table.rows) // count)
    return [table.rows[i:i + size] for i in range(0, len(table.rows), size)]


def _write_table(sheet: Worksheet, formats: Formats, row: int, table: PrintTable, rows: Sequence[Sequence[Any]],
                 widths: dict[int, float]) -> int:
    """The header row (its height fitted to its wrapped titles) and ``rows``; the row after the table."""
    theme = formats.theme
    lines = max(wrapped_lines(c.header, widths[p], theme, bold=True) for p, c in enumerate(table.columns))
    sheet.set_row(row, row_height(lines, theme))
    for col, column in enumerate(table.columns):
        sheet.write(row, col, column.header, formats.header)
    for values in rows:
        row += 1
        for col, (value, column) in enumerate(zip(values, table.columns)):
            cell_format = column.format if value is not None and not isinstance(value, str) else formats.wrap
            sheet.write(row, col, value, cell_format)
        tall = _lines(values, widths, formats)
        sheet.set_row(row, row_height(tall, theme) if tall > 1 else one_line_points(theme.font_size))
    return row + 1


def write_print_sheet(sheet: Worksheet, formats: Formats, report: Report, screen: str, title: str,
                      tables: Sequence[PrintTable]) -> None:
    """The printable form of ``screen``: a heading, a link back, then each table under its heading, a page break
    only between tables (the planner shares them out so that pages are filled and each begins with a heading)."""
    sheet.set_default_row(one_line_points(formats.theme.font_size))  # rows as high as a line of body text
    sheet.set_row(0, 26)
    sheet.write(0, 0, title, formats.title)
    sheet.write_url(1, 0, internal_link(screen), formats.link, string=f"‹ Back to {screen}")
    widths: dict[int, float] = {}
    for table in tables:
        for col, column in enumerate(table.columns):
            widths[col] = max(widths.get(col, 0.0), column.width or 10.0)
    wrapped_note(sheet, formats, 2, 0, NOTE_COLUMNS - 1,
                 f"{produced_words(report)}. The printable form of the {screen} sheet, one page wide: each table with the "
                 f"columns a reader needs; the {screen} sheet has every column.", widths)
    row, starts = FIRST_ROW, []
    for table in tables:
        chunks = _chunks(table, widths, formats)
        for number, rows in enumerate(chunks):
            starts.append(row)
            sheet.write(row, 0, table.heading + (f" (continued, {number + 1} of {len(chunks)})" if number else ""),
                        formats.heading)
            row += 1
            if table.note and not number:
                wrapped_note(sheet, formats, row, 0, NOTE_COLUMNS - 1, table.note, widths)
                row += 1
            row = _write_table(sheet, formats, row, table, rows, widths) + 1
    for col, width in widths.items():
        sheet.set_column(col, col, width)
    report_page_setup(sheet, formats, report, keep_together=starts)
