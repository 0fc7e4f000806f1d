"""The Quarterly trend sheet: every KPI of the subject over its last eight rolling quarters.

The table (``sb_dash_quarterly``) holds the numbers (the Dashboard's sparklines read it); below it
one small line chart per KPI, bound to the KPI's row, so that a refreshed table redraws the
charts. Each KPI gets its own chart and scale: total crime and weapons offences differ a
hundredfold, and a shared axis would flatten the small ones.
"""
from __future__ import annotations

from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from engine.dashboard_report import DashboardKpi, DashboardReport
from engine.render.dashboard_parts import SHEET_DASHBOARD, SHEET_QUARTERLY, value_format
from engine.render.formats import Formats
from engine.render.layout import Column, TablePlacement, apply_widths, report_page_setup, section_heading, write_table
from engine.contract.names import table_name
from engine.render.trends import QuarterRows
from engine.report import NOT_AVAILABLE

TABLE_FIRST_ROW = 4
CHARTS_PER_ROW = 3
CHART_WIDTH, CHART_HEIGHT = 400, 240
CHART_ROWS = 13  # rows one row of charts covers at the default row height, with a gap


def _chart(workbook: Workbook, formats: Formats, item: DashboardKpi, table: TablePlacement, row: int) -> Chart:
    """A line over the KPI's quarters, bound to its row of the table; the axis starts at zero."""
    colours = formats.theme.colours
    chart = workbook.add_chart({"type": "line"})
    first_quarter = table.first_col + 2
    chart.add_series({
        "name": [SHEET_QUARTERLY, row, table.first_col + 1],
        "categories": [SHEET_QUARTERLY, table.first_row, first_quarter, table.first_row, table.last_col],
        "values": [SHEET_QUARTERLY, row, first_quarter, row, table.last_col],
        "line": {"color": colours.get("title", "#1F3864"), "width": 2},
        "marker": {"type": "circle", "size": 4, "fill": {"color": colours.get("title", "#1F3864")},
                   "border": {"color": colours.get("title", "#1F3864")}},
    })
    chart.set_title({"name": item.kpi.name, "name_font": {"size": 10, "bold": True}})
    number_format = value_format(formats, item.quarterly_format).num_format
    chart.set_y_axis({"min": 0, "num_format": number_format, "num_font": {"size": 8},
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"num_font": {"size": 7, "rotation": -45}})
    chart.set_legend({"none": True})
    chart.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
    return chart


def _charted(item: DashboardKpi) -> bool:
    """Whether the KPI has quarters to draw (a measured one's are n/a: no chart, no sparkline)."""
    return any(q is not None for q in item.quarterly)


def _description(dashboard: DashboardReport, item: DashboardKpi) -> str:
    """Alt text: what the line shows, in numbers, for screen-reader users."""
    labels, values = dashboard.quarter_labels, item.quarterly
    known = [(label, value) for label, value in zip(labels, values) if value is not None]
    if not known:
        return (f"Line chart of {item.kpi.name.lower()} in {dashboard.subject}: no quarterly figure (n/a; the "
                f"Methodology sheet says why).")
    (first_label, first), (last_label, last) = known[0], known[-1]
    return (f"Line chart of {item.kpi.name.lower()} in {dashboard.subject} per rolling quarter: {first:,} in "
            f"{first_label}, {last:,} in {last_label}; highest {max(v for _, v in known):,}.")


def write_quarterly(workbook: Workbook, sheet: Worksheet, dashboard: DashboardReport, formats: Formats) -> QuarterRows:
    """Write the sheet; return where each KPI's quarters are (the Dashboard's sparklines draw them)."""
    report = dashboard.report
    section_heading(sheet, formats, f"Quarterly trend — {dashboard.subject}", SHEET_DASHBOARD)
    sheet.write(2, 0, f"{dashboard.subject}: counts in rolling three-month periods to "
                      f"{report.current_window.split('– ')[-1]}, oldest first; a chart per indicator below the table."
                      + (" Percentages and measured rates are n/a here (see the Methodology sheet)."
                         if any(k.kpi.measured for k in dashboard.kpis) else ""), formats.note)
    columns = ([Column("Outcome", formats.text), Column("Indicator", formats.text)]
               + [Column(label, formats.count, 12) for label in dashboard.quarter_labels])
    rows = [[k.outcome_group, k.kpi.name] + [q if q is not None else NOT_AVAILABLE for q in k.quarterly] for k in dashboard.kpis]
    widths: dict[int, float] = {}
    placement = write_table(sheet, formats, table_name("dash", "quarterly"), TABLE_FIRST_ROW, 0, columns, rows, widths)
    for offset, item in enumerate(dashboard.kpis):
        if item.quarterly_format != "count":
            shown = value_format(formats, item.quarterly_format)
            for col, value in enumerate(item.quarterly, start=placement.first_col + 2):
                if value is not None:
                    sheet.write_number(placement.first_data_row + offset, col, value, shown)
    sheet.set_row(TABLE_FIRST_ROW, 30)
    sheet.freeze_panes(TABLE_FIRST_ROW + 1, 2)
    apply_widths(sheet, widths)

    chart_top = placement.last_row + 2
    breaks = []
    charted = [(row, item) for row, item in enumerate(dashboard.kpis) if _charted(item)]
    for position, (table_row, item) in enumerate(charted):
        chart_row, chart_col = divmod(position, CHARTS_PER_ROW)
        if chart_col == 0:
            breaks.append(chart_top + chart_row * CHART_ROWS)
        sheet.insert_chart(chart_top + chart_row * CHART_ROWS, 0,
                           _chart(workbook, formats, item, placement, placement.first_data_row + table_row),
                           {"description": _description(dashboard, item), "object_position": 3,
                            "x_offset": chart_col * (CHART_WIDTH + 12), "y_offset": 6})
    report_page_setup(sheet, formats, report, keep_together=breaks)
    return {k.indicator_id: (placement.first_data_row + i, placement.first_col + 2, placement.first_data_row + i,
                             placement.last_col) for i, k in enumerate(dashboard.kpis) if _charted(k)}
