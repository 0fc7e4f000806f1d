"""The Comparisons sheet's published comparators: grouped bars of the force, region and England rates,
the words beside them, and the table the chart is bound to.

Each area's bars carry their own fill pattern (solid, hatched, dotted …) as well as colour, and a
legend names them, so the chart reads on a greyscale printout; the words beside say in plain
language how the first area compares, so nobody has to read it off the bars at all.
"""
from __future__ import annotations

from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from engine.contract.names import SHEET_COMPARISONS, table_name
from engine.render.formats import Formats
from engine.render.layout import Column, TablePlacement, write_table
from engine.render.wrapping import wrapped_note
from engine.report import ComparatorChart

#: Fills by area position: the subject solid, then hatching and dots that differ without colour.
PATTERNS = (None, "wide_upward_diagonal", "small_grid", "dotted_grid", "dark_vertical", "large_check")
TABLE = table_name("comparators")


def comparator_table(sheet: Worksheet, formats: Formats, chart: ComparatorChart, row: int,
                     widths: dict[int, float]) -> TablePlacement:
    """Measure × area rates as published (an unpublished rate is an empty cell: no bar, never 0), and the words."""
    columns = ([Column("Measure", formats.text)] + [Column(area, formats.rate, 14) for area in chart.areas]
               + [Column(f"{chart.areas[0]} compared", formats.text, 14)])  # the words print beside the chart
    rows = [[measure] + [chart.rates[a][m] for a in range(len(chart.areas))] + [chart.words[m]]
            for m, measure in enumerate(chart.measures)]
    return write_table(sheet, formats, TABLE, row, 0, columns, rows, widths)


def _fill(formats: Formats, position: int) -> dict:
    colours = formats.theme.colours
    if position == 0:
        return {"fill": {"color": colours["link"]}}
    pattern = PATTERNS[position % len(PATTERNS)] or PATTERNS[1]
    return {"pattern": {"pattern": pattern, "fg_color": colours["neutral"], "bg_color": "#FFFFFF"}}


def comparator_bars(workbook: Workbook, formats: Formats, chart: ComparatorChart, table: TablePlacement,
                    width: int, height: int) -> Chart:
    """One series per area, bound to the table's columns, each with a pattern and a data label."""
    bars = workbook.add_chart({"type": "bar"})
    for position, area in enumerate(chart.areas):
        column = table.first_col + 1 + position
        bars.add_series({
            "name": area,
            "categories": [SHEET_COMPARISONS, table.first_data_row, table.first_col, table.data_last_row, table.first_col],
            "values": [SHEET_COMPARISONS, table.first_data_row, column, table.data_last_row, column],
            "values_data": chart.rates[position],  # cached for previews; None stays a gap, never 0
            "border": {"color": formats.theme.colours["neutral"], "width": 0.75},
            "data_labels": {"value": True, "num_format": "#,##0.0", "font": formats.chart_font(8)},
            "gap": 50,
            **_fill(formats, position),
        })
    bars.set_title({"name": f"{chart.title}: rate per {chart.rate_per:,} population, {chart.period}",
                    "name_font": formats.chart_font(11, bold=True)})
    bars.set_x_axis({"num_format": "#,##0", "num_font": formats.chart_font(8),
                     "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    bars.set_y_axis({"reverse": True, "num_font": formats.chart_font(8)})  # measures top to bottom in spec order
    bars.set_legend({"position": "bottom", "font": formats.chart_font(9)})
    bars.set_size({"width": width, "height": height})
    return bars


def comparator_description(chart: ComparatorChart, area: str) -> str:
    """Alt text: every measure's sentence, for screen-reader users, naming the workbook's own area."""
    return (f"Bar chart in {area}'s workbook of published rates per {chart.rate_per:,} population, {chart.period}, for "
            f"{', '.join(chart.areas)}. " + " ".join(f"{m}: {chart.areas[0]} {w}." for m, w in zip(chart.measures, chart.words)))


def comparator_words(sheet: Worksheet, formats: Formats, chart: ComparatorChart, row: int, first_col: int,
                     last_col: int, widths: dict[int, float]) -> None:
    """The sentences beside the chart: one per measure, the subject's published rate against the others'."""
    sheet.write_string(row, first_col, f"{chart.areas[0]}, {chart.period}", formats.heading)
    for m, measure in enumerate(chart.measures):
        rate = chart.rates[0][m]
        figure = "not published" if rate is None else f"{rate:,.1f} per {chart.rate_per:,}"
        wrapped_note(sheet, formats, row + 1 + 2 * m, first_col, last_col, f"{measure}: {figure}, {chart.words[m]}.",
                     widths)
    if chart.note:
        wrapped_note(sheet, formats, row + 1 + 2 * len(chart.measures), first_col, last_col, chart.note, widths)
