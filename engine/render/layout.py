"""Shared sheet mechanics: Excel tables sized to their content, band rules, print setup."""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name, xl_range, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.contract.names import SHEET_SUMMARY, internal_link
from engine.render.print_pages import plan_pages
from engine.render.theme import BAND_NAMES, Theme
from engine.render.wrapping import font_scale, row_height, text_width, units_per_char, wrapped_lines
from engine.contract.figure_words import FIGURE_WORDS
from engine.report import Report

MAX_WIDTH = 60
SUBTOTAL_CODES = {"sum": 109, "average": 101, "count": 103, "max": 104, "min": 105}
TABLE_STYLE = "Table Style Light 1"  # Excel draws it; our explicit header format carries the look elsewhere


@dataclass(frozen=True)
class Column:
    header: str
    format: Format | None = None
    width: float | None = None  # characters; None fits to content
    total: str | None = None  # Excel total-row function, e.g. "sum"


@dataclass(frozen=True)
class TablePlacement:
    """Where a written table sits (0-based, inclusive), so rules and charts can refer to it."""

    name: str
    first_row: int  # the header row
    last_row: int
    first_col: int
    last_col: int
    data_last_row: int  # last_row, less the total row if there is one

    @property
    def first_data_row(self) -> int:
        return self.first_row + 1

    def column_range(self, offset: int) -> tuple[int, int, int, int]:
        """(first row, col, last row, col) of one column's data cells, for rules and charts."""
        col = self.first_col + offset
        return self.first_data_row, col, self.data_last_row, col


def display_width(value: Any) -> int:
    """Characters a value shows as (for fitting column widths)."""
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.1f}")
    if isinstance(value, int):
        return len(f"{value:,}") + 1
    return max((len(line) for line in str(value).splitlines()), default=0)


def _widest(values: list[Any], theme: Theme) -> float:
    """The largest :func:`fitted_width` of ``values``, without measuring every value (a column of a national build's
    tables holds thousands of cells, and the render's own time is mostly here).

    Texts: each distinct text once, longest first, until no text left can hold a longer line than the longest found.
    Numbers: :func:`display_width` grows with a number's size and a minus sign adds one, so the widest float is the
    largest or the most negative (or a negative zero), and likewise for integers; a column with a NaN or an infinity
    (their words are shorter than their size says) is measured value by value."""
    texts, floats, ints, others = [], [], [], []
    for value in values:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, float):
            floats.append(value)
        elif isinstance(value, int):
            ints.append(value)
        else:
            others.append(value)
    longest = 0
    for text in sorted(set(texts), key=len, reverse=True):
        if len(text) <= longest:
            break
        longest = max(longest, max((len(line) for line in text.splitlines()), default=0))
    widths = [longest * units_per_char(theme)] + [display_width(v) for v in others]
    if floats:
        extremes = [max(floats), min(floats)] if math.isfinite(sum(floats)) else floats
        if extremes[-1] == 0.0 and any(math.copysign(1.0, v) < 0 for v in floats if v == 0.0):
            extremes.append(-0.0)  # shown as "-0.0", and as small as 0.0 to min()
        widths += [display_width(v) for v in extremes]
    if ints:
        widths += [display_width(max(ints)), display_width(min(ints))]
    return max(widths)


def fitted_width(value: Any, theme: Theme) -> float:
    """Column-width units a value needs: numbers as :func:`display_width`, text by the theme's font."""
    return text_width(value, theme) if isinstance(value, str) else display_width(value)


def write_table(sheet: Worksheet, formats: Formats, name: str, row: int, col: int,
                columns: Sequence[Column], rows: Sequence[Sequence[Any]], widths: dict[int, float],
                totals: Sequence[Any] | None = None) -> TablePlacement:
    """An Excel table with a stable name; values are written as values (never formulas).

    ``totals`` gives the total row's cached values, so that viewers that do not recalculate
    (mail previews, LibreOffice by default) show the right numbers, not 0; a column without a total function
    shows its total as a value (a number stays a number). A word standing for a figure in a number column (hidden,
    :data:`engine.report.SUPPRESSED`, or missing, :data:`engine.report.NOT_AVAILABLE`) is right-aligned, where the
    number would sit (:func:`_right_align_figure_words`): here, so that no table can forget it.
    """
    data = [list(r) for r in rows] or [[None] * len(columns)]
    last_row = row + len(data) + (1 if totals is not None else 0)
    options: dict[str, Any] = {
        "name": name,
        "style": TABLE_STYLE,
        "data": data,
        "autofilter": False,
        "columns": [],
    }
    for position, column in enumerate(columns):
        spec: dict[str, Any] = {"header": column.header, "header_format": formats.header}
        if column.format is not None:
            spec["format"] = column.format
        if totals is not None:
            value = totals[position]
            if column.total:
                # A1 references, not [Column] ones: LibreOffice shows Err:507 for the structured form.
                first = xl_rowcol_to_cell(row + 1, col + position)
                last = xl_rowcol_to_cell(row + len(data), col + position)
                spec["total_function"] = f"SUBTOTAL({SUBTOTAL_CODES[column.total]},{first}:{last})"
                spec["total_value"] = value
                spec["format"] = column.format
            elif value is not None and not _is_number(value):  # a number is written below, as a number
                spec["total_string"] = str(value)
        spec.setdefault("format", formats.text)
        options["columns"].append(spec)
    if totals is not None:
        options["total_row"] = True
    sheet.add_table(row, col, last_row, col + len(columns) - 1, options)
    for position, column in enumerate(columns if totals is not None else []):
        value = totals[position]
        if not column.total and _is_number(value):
            # a total without a function (the column hides a figure, which SUBTOTAL would leave out): still a number
            sheet.write_number(last_row, col + position, value, column.format or formats.text)
    written = data + ([list(totals)] if totals is not None else [])  # the total row follows the data
    _right_align_figure_words(sheet, formats, row + 1, col, columns, written)
    theme = formats.theme
    for position, column in enumerate(columns):
        fitted = max(text_width(column.header, theme, bold=True) * 0.9,
                     _widest([r[position] for r in data] + ([totals[position]] if totals else []), theme))
        fixed = column.width * font_scale(theme) if column.width else None
        widths[col + position] = max(widths.get(col + position, 0), fixed or min(MAX_WIDTH, fitted + 2))
    header_lines = max(wrapped_lines(c.header, widths[col + p], theme, bold=True) for p, c in enumerate(columns))
    sheet.set_row(row, row_height(header_lines, theme))
    wrapped = [p for p, c in enumerate(columns) if c.format is not None and c.format.text_wrap]
    for offset, values in enumerate(data if wrapped else []):  # LibreOffice keeps the stored height of a row
        lines = max([wrapped_lines(values[p], widths[col + p], theme, bold=bool(columns[p].format.bold))
                     for p in wrapped if values[p] is not None], default=1)
        if lines > 1:
            sheet.set_row(row + 1 + offset, row_height(lines, theme))
    return TablePlacement(name, row, last_row, col, col + len(columns) - 1, data_last_row=row + len(data))


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _right_align_figure_words(sheet: Worksheet, formats: Formats, first_row: int, first_col: int,
                              columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> None:
    """Every word standing for a figure in a number column, written again in :func:`table_cell_format` (Excel's table
    gives each cell its column's format). Only number columns are looked through, for the word itself: the
    cells of the others keep their column's format whatever they hold."""
    for position, column in enumerate(columns):
        if not _is_number_format(column.format):
            continue
        for offset, values in enumerate(rows):
            value = values[position]
            if _is_figure_word(value):
                sheet.write_string(first_row + offset, first_col + position, value,
                                   table_cell_format(formats, value, column.format))


def table_cell_format(formats: Formats, value: Any, column_format: Format | None) -> Format | None:
    """The format a table's cell is written in: its column's, but a word standing for a figure
    (:data:`FIGURE_WORDS`: hidden or missing) in a number column aligned right, where the number would sit (a text
    cell in a number format is otherwise left-aligned); words in text columns (▲/▼, significance, bands) keep their
    column's alignment. :func:`write_table` and the printable tables (:mod:`engine.render.print_sheet`) both use it."""
    if _is_figure_word(value) and _is_number_format(column_format):
        return formats.right_aligned(column_format)
    return column_format


def _is_figure_word(value: Any) -> bool:
    return isinstance(value, str) and value in FIGURE_WORDS


def _is_number_format(column_format: Format | None) -> bool:
    return column_format is not None and column_format.num_format not in (0, "", "General", "@")


def apply_widths(sheet: Worksheet, widths: dict[int, float]) -> None:
    for col, width in widths.items():
        sheet.set_column(col, col, width)


CellRange = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based)


def band_rules(sheet: Worksheet, formats: Formats, cell_range: CellRange | Sequence[CellRange], polarity: str) -> None:
    """Real conditional formats: one rule per band, matching the band's words in the cell.

    ``polarity`` is the indicator's: where higher is better the colour scale flips. Several ranges
    of one polarity share the seven rules (one sqref), which keeps the file small and quick to write.
    """
    ranges: list[CellRange] = [cell_range] if isinstance(cell_range[0], int) else list(cell_range)  # type: ignore[list-item]
    if not ranges:
        return
    higher_is_better = polarity == "higher_is_better"
    multi = " ".join(xl_range(*r) for r in ranges)
    for band in BAND_NAMES:
        rule = {"type": "cell", "criteria": "equal to", "value": f'"{band}"', "format": formats.band(band, higher_is_better)}
        if len(ranges) > 1:
            rule["multi_range"] = multi
        sheet.conditional_format(*ranges[0], rule)


def outcome_rules(sheet: Worksheet, formats: Formats, target: tuple[int, int, int, int], outcome_col: int) -> None:
    """Colour the direction-of-travel arrows by the row's Better/Worse outcome (polarity-aware)."""
    first_row, _, _, _ = target
    anchor = f"${xl_col_to_name(outcome_col)}{first_row + 1}"
    for outcome in ("Better", "Worse"):
        sheet.conditional_format(*target, {
            "type": "formula", "criteria": f'={anchor}="{outcome}"', "format": formats.outcome(outcome),
        })


def page_setup(sheet: Worksheet, formats: Formats, title: str, footer_date: str, repeat_rows: tuple[int, int] | None = None,
               keep_together: Sequence[int] = (), repeat_cols: tuple[int, int] | None = None,
               right: str = "Saferbook", print_area: tuple[int, int, int, int] | None = None,
               glued: Sequence[int] = ()) -> None:
    """A4 landscape at a readable scale, page breaks between blocks, repeated headers, page numbers and the date.

    Call it last, when the sheet's content is written: the scale and the breaks are measured from it
    (:mod:`engine.render.print_pages`). ``keep_together`` are the rows where blocks (a heading, its table
    and notes, a chart) begin, ``glued`` those that would rather share the page of the block before (a chart under
    its table); ``repeat_cols`` the label columns repeated when the sheet prints across pages.
    """
    theme = formats.theme
    sheet.set_paper(theme.paper)
    if theme.landscape:
        sheet.set_landscape()
    m = theme.margin_inches
    sheet.set_margins(left=m * 0.8, right=m * 0.8, top=m, bottom=m)
    if print_area:
        sheet.print_area(*print_area)
    plan = plan_pages(sheet, theme, keep_together, last_col=print_area[3] if print_area else None,
                      last_row=print_area[2] if print_area else None, glued=glued)
    sheet.set_print_scale(plan.scale)
    if plan.across:
        sheet.print_across()  # a wide table's columns follow each other before the next rows
        if repeat_cols:
            sheet.repeat_columns(*repeat_cols)
    if plan.breaks:
        sheet.set_h_pagebreaks(plan.breaks)
    if repeat_rows:
        sheet.repeat_rows(*repeat_rows)
    safe_title = title.replace("&", "&&")
    sheet.set_header(f"&L&8{safe_title}")
    sheet.set_footer(f"&L&8{footer_date}&C&8Page &P of &N&R&8{right.replace('&', '&&')}")
    sheet.hide_gridlines(2)


def section_heading(sheet: Worksheet, formats: Formats, title: str, home: str = SHEET_SUMMARY) -> None:
    """A section sheet's title (row 1) and its link back to the first sheet, ``home`` (row 2), the same on every sheet."""
    sheet.set_row(0, 26)
    sheet.write(0, 0, title, formats.title)
    sheet.write_url(1, 0, internal_link(home), formats.link, string=f"‹ Back to {home}")


def empty_section(sheet: Worksheet, formats: Formats, report: Report, text: str) -> None:
    """A section sheet with nothing to show says why, under its heading, and prints like the others."""
    sheet.write(3, 0, text, formats.note)
    report_page_setup(sheet, formats, report)


def report_page_setup(sheet: Worksheet, formats: Formats, report: Report, repeat_rows: tuple[int, int] | None = None,
                      keep_together: Sequence[int] = (), repeat_cols: tuple[int, int] | None = None,
                      print_area: tuple[int, int, int, int] | None = None, glued: Sequence[int] = ()) -> None:
    """:func:`page_setup` with the header (the sheet's chapter and the area) and footer (the data's period, the day
    it was produced, the page, the report's title) every sheet of a workbook shares."""
    page_setup(sheet, formats, f"{sheet.name} — {report.partner_area}", produced_words(report),
               repeat_rows=repeat_rows, keep_together=keep_together, repeat_cols=repeat_cols, right=report.title,
               print_area=print_area, glued=glued)


def produced_words(report: Report) -> str:
    """"Data to Oct 2022. Produced 04/12/2026": the data's period beside the day the workbook was made."""
    return f"Data to {report.current_window.split('– ')[-1]}. Produced {report.generated:%d/%m/%Y}"


def cell(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col)
