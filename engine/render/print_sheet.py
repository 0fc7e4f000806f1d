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

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from engine.contract.names import internal_link
from engine.render.formats import Formats
from engine.render.layout import TABLE_STYLE, Column, produced_words, report_page_setup, table_cell_format
from engine.render.print_pages import printable_points, smallest_scale
from engine.render.wrapping import one_line_points, row_height, wrapped_lines, wrapped_note
from engine.report import Report

FIRST_ROW = 4
PAGE_SHARE = 0.75  # of a page a table's rows may take: the rest is its heading, note and header row
DEFAULT_WIDTH = 10.0  # characters
NOTE_COLUMNS = 6  # a note wraps across the first columns (every print table has at least this many)


@dataclass(frozen=True)
class PrintedCells:
    """Where a table's cells are, for a chart bound to them: its sheet, header row, first and last data rows, and
    the sheet column of each of the table's column offsets."""

    sheet: str
    header_row: int
    first_data_row: int
    last_data_row: int
    column: Callable[[int], int]


@dataclass(frozen=True)
class PrintTable:
    """One table of the printable form: its heading, a note under it, its columns (widths in characters) and rows,
    the leading ``labels`` columns wrapped within their width (the others as one line), ``cell_formats`` a cell's own
    format where its column's does not fit it (a count in a column of rates), and the chart drawn under the table
    on the screen sheet, made for the printed cells (a chart is bound to the cells of its own sheet; Refresh rewrites
    them with the rest)."""

    heading: str
    note: str | None
    columns: list[Column]
    rows: list[list[Any]]
    labels: int = 1
    cell_formats: dict[tuple[int, int], Format] = field(default_factory=dict)  # (row, column) offsets
    chart: Callable[[PrintedCells], Chart] | None = None
    chart_description: str = ""
    name: str = ""  # a charted table's Excel table name: a chart is bound to a table's column, as on every sheet


def print_sheet_name(screen: str) -> str:
    return f"{screen} (print)"


@dataclass(frozen=True)
class _Layout:
    """Where a table's columns go on the sheet: its last label column spans the ``slack`` columns it lacks, so that
    every table ends in the sheet's last column and the sheet's widths serve them all (figures of one table under
    the figures of the next, the significance words in the widest column), the sheet one page wide."""

    labels: int
    slack: int

    def first(self, col: int) -> int:
        return col if col < self.labels else col + self.slack

    def last(self, col: int) -> int:
        return col + self.slack if col == self.labels - 1 or col >= self.labels else col


def _layout(table: PrintTable, columns: int) -> _Layout:
    return _Layout(max(1, table.labels), columns - len(table.columns))


def _width(layout: _Layout, col: int, widths: dict[int, float]) -> float:
    return sum(widths[c] for c in range(layout.first(col), layout.last(col) + 1))


def _widths(tables: Sequence[PrintTable], columns: int) -> dict[int, float]:
    """Each sheet column's width: the widest of the table columns that fall in it alone (a spanning label takes
    what the columns it spans give it)."""
    widths = {col: 0.0 for col in range(columns)}
    for table in tables:
        layout = _layout(table, columns)
        for col, column in enumerate(table.columns):
            if layout.first(col) == layout.last(col):
                at = layout.first(col)
                widths[at] = max(widths[at], column.width or DEFAULT_WIDTH)
    widths = {col: width or DEFAULT_WIDTH for col, width in widths.items()}
    for table in tables:  # a spanning label as wide as it asks: the first column it spans gives the difference
        layout = _layout(table, columns)
        col = layout.labels - 1
        if layout.slack and col < len(table.columns):
            widths[col] += max(0.0, (table.columns[col].width or DEFAULT_WIDTH) - _width(layout, col, widths))
    return widths


def _lines(values: Sequence[Any], layout: _Layout, widths: dict[int, float], formats: Formats) -> int:
    """The lines a row's wrapped label cells take (its other cells print on one line)."""
    return max([1] + [wrapped_lines(v, _width(layout, c, widths), formats.theme)
                      for c, v in enumerate(values[:layout.labels]) if isinstance(v, str)])


def _chunks(table: PrintTable, lines: Sequence[int], formats: Formats) -> list[list[int]]:
    """The rows in runs that each fit a page with their header and heading, shared evenly: a table taller than a
    page prints as several, each with its header row (print titles repeat one row for a whole sheet). Row offsets.
    ``lines`` is each row's :func:`_lines`."""
    theme = formats.theme
    room = printable_points(theme)[1] * 100 / smallest_scale(theme) * PAGE_SHARE
    heights = [row_height(n, theme) for n in lines]
    if sum(heights) <= room:
        return [list(range(len(table.rows)))]
    count = -(-int(sum(heights)) // int(room))
    size = -(-len(table.rows) // count)
    return [list(range(i, min(i + size, len(table.rows)))) for i in range(0, len(table.rows), size)]


def _cell(sheet: Worksheet, row: int, layout: _Layout, col: int, value: Any, cell_format: Format) -> None:
    first, last = layout.first(col), layout.last(col)
    if first == last:
        sheet.write(row, first, value, cell_format)
    else:
        sheet.merge_range(row, first, row, last, value, cell_format)


def _as_table(sheet: Worksheet, formats: Formats, row: int, table: PrintTable) -> None:
    """The header and rows as an Excel table named ``table.name`` (each column its own format), for its chart to be
    bound to; the cells are written over it as for any printed table."""
    sheet.add_table(row, 0, row + len(table.rows), len(table.columns) - 1, {
        "name": table.name, "style": TABLE_STYLE, "autofilter": False,
        "columns": [{"header": c.header, "header_format": formats.header, "format": c.format or formats.text}
                    for c in table.columns]})


def _write_table(sheet: Worksheet, formats: Formats, row: int, table: PrintTable, layout: _Layout,
                 chunk: Sequence[int], widths: dict[int, float], lines_of: Sequence[int]) -> int:
    """The header row (its height fitted to its wrapped titles) and the rows ``chunk`` (``lines_of``: each row's
    :func:`_lines`); the row after the table."""
    theme = formats.theme
    lines = max(wrapped_lines(c.header, _width(layout, p, widths), theme, bold=True) for p, c in enumerate(table.columns))
    sheet.set_row(row, row_height(lines, theme))
    if _charted(table, layout, chunk):
        _as_table(sheet, formats, row, table)
    for col, column in enumerate(table.columns):
        _cell(sheet, row, layout, col, column.header, formats.header)
    for offset in chunk:
        row += 1
        values = table.rows[offset]
        for col, (value, column) in enumerate(zip(values, table.columns)):
            cell_format = table.cell_formats.get((offset, col))
            if cell_format is None:  # a label wraps; words in a column of figures take its alignment
                text = value is None or isinstance(value, str)
                cell_format = formats.wrap if text and col < table.labels else column.format or formats.text
            _cell(sheet, row, layout, col, value, table_cell_format(formats, value, cell_format))
        tall = lines_of[offset]
        if tall > 1:
            sheet.set_row(row, row_height(tall, theme))
    return row + 1


def _charted(table: PrintTable, layout: _Layout, chunk: Sequence[int]) -> bool:
    """Whether the table is drawn with its chart: one with a chart and a table name, printed in one run, as wide as
    the sheet (a table's cells cannot be merged, as a label spanning the sheet's spare columns is)."""
    return (table.chart is not None and bool(table.name) and not layout.slack
            and len(chunk) == len(table.rows))


def _chart(sheet: Worksheet, formats: Formats, row: int, table: PrintTable, cells: PrintedCells) -> int:
    """The table's chart from ``row``; the row after it, with a gap."""
    assert table.chart is not None
    chart = table.chart(cells)
    sheet.insert_chart(row, 0, chart, {"description": table.chart_description, "object_position": 3})
    return row + math.ceil(chart.height * 0.75 / one_line_points(formats.theme.font_size)) + 1


def write_print_sheet(sheet: Worksheet, formats: Formats, report: Report, screen: str, title: str,
                      tables: Sequence[PrintTable]) -> None:
    """The printable form of ``screen``: a heading, a link back, then each table under its heading, a page break
    only between tables (the planner shares them out so that pages are filled and each begins with a heading)."""
    sheet.set_default_row(one_line_points(formats.theme.font_size))  # rows as high as a line of body text
    sheet.set_row(0, 26)
    sheet.write(0, 0, title, formats.title)
    sheet.write_url(1, 0, internal_link(screen), formats.link, string=f"‹ Back to {screen}")
    if not tables:
        sheet.write(2, 0, f"The {screen} sheet has no tables to print.", formats.note)
        report_page_setup(sheet, formats, report)
        return
    columns = max(len(t.columns) for t in tables)
    widths = _widths(tables, columns)
    wrapped_note(sheet, formats, 2, 0, NOTE_COLUMNS - 1,
                 f"{produced_words(report)}. The printable form of the {screen} sheet, one page wide: each table with the "
                 f"columns a reader needs; the {screen} sheet has every column.", widths)
    row, starts, glued = FIRST_ROW, [], []
    for table in tables:
        layout = _layout(table, columns)
        lines = [_lines(values, layout, widths, formats) for values in table.rows]  # measured once, used twice
        chunks = _chunks(table, lines, formats)
        for number, chunk in enumerate(chunks):
            starts.append(row)
            sheet.write(row, 0, table.heading + (f" (continued, {number + 1} of {len(chunks)})" if number else ""),
                        formats.heading)
            sheet.set_row(row, one_line_points(formats.theme.heading_size))  # the sheet's rows fit body text
            row += 1
            if table.note and not number:
                wrapped_note(sheet, formats, row, 0, NOTE_COLUMNS - 1, table.note, widths)
                row += 1
            header = row
            row = _write_table(sheet, formats, row, table, layout, chunk, widths, lines) + 1
        # A chart of its own block, glued to its table: it may go to the next page where its table then fills the
        # page before (a table with its chart is most of a page; a short table before them would stand half empty).
        # Not under a table printed in runs: its rows are not one range (:func:`_charted`).
        if _charted(table, layout, chunks[0]):
            starts.append(row)
            glued.append(row)
            row = _chart(sheet, formats, row, table, PrintedCells(sheet.name, header, header + 1, header + len(table.rows),
                                                                 layout.first))
    for col, width in widths.items():
        sheet.set_column(col, col, width)
    report_page_setup(sheet, formats, report, keep_together=starts, glued=glued)
