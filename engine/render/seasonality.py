"""The Trends sheet's seasonal profiles: month of year × year, a table and a line per year.

Each indicator in the spec's ``seasonality`` gets an Excel table (``sb_season_<indicator>``: a row
per month of the year, a column per year the data holds) and a line chart bound to it, one line per
year, so a month that is high every year stands out. A month the data does not cover is left blank
(a chart gap, never a zero) and the note under the table says so.
"""
from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.layout import Column, TablePlacement, write_table
from engine.render.wrapping import wrapped_note
from engine.contract.names import SHEET_TRENDS, table_name
from engine.report import SUPPRESSED, Report, SeasonalTable

CHART_ROWS = 18
YEAR_COLUMN_WIDTH = 11


def _year_colours(formats: Formats, n: int) -> list[str]:
    """Older years in greys from light to dark, the latest in the theme's title colour: reads in greyscale too."""
    greys = ["#BFBFBF", "#A6A6A6", "#8C8C8C", "#737373", "#595959", "#404040"]
    older = [greys[round(i * (len(greys) - 1) / max(n - 2, 1))] for i in range(n - 1)]
    return older + [formats.theme.colours.get("title", "#1F3864")]


def _chart(workbook: Workbook, formats: Formats, table: SeasonalTable, placed: TablePlacement, partner_area: str):
    chart = workbook.add_chart({"type": "line"})
    colours = _year_colours(formats, len(table.years))
    dashes = ["dash", "round_dot", "long_dash", "square_dot", "dash_dot", "long_dash_dot"]
    for offset, colour in enumerate(colours):
        col = placed.first_col + 1 + offset
        latest = offset == len(colours) - 1
        chart.add_series({
            "name": [SHEET_TRENDS, placed.first_row, col],
            "categories": [SHEET_TRENDS, placed.first_data_row, placed.first_col, placed.data_last_row, placed.first_col],
            "values": [SHEET_TRENDS, placed.first_data_row, col, placed.data_last_row, col],
            # The cached points previews draw: xlsxwriter would cache a month outside the data as 0.
            "values_data": [values[offset] for values in table.counts],
            "marker": {"type": "circle", "size": 4, "fill": {"color": colour}, "border": {"color": colour}},
            "line": {"color": colour, "width": 2.75 if latest else 1.5,
                     **({} if latest else {"dash_type": dashes[offset % len(dashes)]})},
        })
    chart.set_title({"name": f"{table.name} by month of the year, {partner_area}",
                     "name_font": formats.chart_font(12, bold=True)})
    chart.set_y_axis({"name": f"{table.unit.capitalize()} per month", "name_font": formats.chart_font(9, bold=True),
                      "num_format": "#,##0", "num_font": formats.chart_font(8),
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"num_font": formats.chart_font(8)})
    chart.set_legend({"position": "right", "font": formats.chart_font(9)})
    chart.show_blanks_as("gap")  # a month outside the data is not a zero
    chart.set_size({"width": 900, "height": CHART_ROWS * 20})
    return chart


def write_seasonality(workbook: Workbook, sheet: Worksheet, report: Report, formats: Formats, row: int,
                      widths: dict[int, float]) -> list[int]:
    """Write every seasonal table and chart from ``row`` down; return the rows where each one starts
    (each starts a printed page)."""
    starts = []
    for table in report.seasonal:
        starts.append(row)
        sheet.write(row, 0, f"{table.title}: {table.name}", formats.heading)
        columns = [Column("Month", formats.text, 11)] + [Column(y, formats.count, YEAR_COLUMN_WIDTH) for y in table.years]
        rows = [[month] + [SUPPRESSED if (r, c) in table.hidden else v for c, v in enumerate(values)]
                for r, (month, values) in enumerate(zip(table.months, table.counts))]
        placed = write_table(sheet, formats, table_name("season", table.indicator_id), row + 1, 0, columns, rows,
                             widths)
        note = (f"{table.unit.capitalize()} recorded in each month, {table.first_month} to {table.last_month}. "
                "A blank cell is a month outside the data: not recorded, not zero.")
        if table.hidden:
            note += (f" '{SUPPRESSED}': a small count, or a month from which one could be worked out; the chart is "
                     "left out, as it would draw those months as gaps.")
        if table.hidden or any(v is None for values in table.counts for v in values):
            # wrapped across the table: written in one cell, a note ran off the printed page
            wrapped_note(sheet, formats, placed.last_row + 1, 0, placed.last_col, note, widths)
        if table.hidden:
            row = placed.last_row + 3
            continue
        chart_row = placed.last_row + 3
        sheet.insert_chart(chart_row, 0, _chart(workbook, formats, table, placed, report.partner_area), {
            "object_position": 3,
            "description": (f"Line chart of {table.name.lower()} in {report.partner_area} by month of the year, "
                            f"one line per year ({', '.join(table.years)}); the latest year is the solid dark line.")})
        row = chart_row + CHART_ROWS + 2
    return starts
