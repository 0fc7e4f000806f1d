"""The members sheet ("Districts"): for each KPI, every member area against the subject, and a bar chart.

Per KPI one Excel table (``sb_dash_areas_<indicator>``): each member area's current 12 months,
its value (rate, or percentage: the data model says which), its band against the subject's
value (conditional formats, in words too), and its own direction of travel; then the subject
and the benchmark for reference. Beside it a bar chart bound to the table's value column, the
subject and the benchmark picked out in colour.
"""
from __future__ import annotations

from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from engine.dashboard_report import DashboardKpi, DashboardReport
from engine.render.dashboard_parts import SHEET_DASHBOARD, percent_change, value_format
from engine.render.formats import Formats
from engine.render.print_pages import page_wide_columns
from engine.render.wrapping import wrapped_note
from engine.render.layout import (Column, TablePlacement, apply_widths, band_rules, outcome_rules, report_page_setup,
                                  section_heading, write_table)
from engine.contract.names import table_name
from engine.render.summary import ARROWS
from engine.report import NOT_AVAILABLE

TABLE_LEFT = 0
CHART_COLUMN = 8  # the chart starts one blank column right of the table
CHART_WIDTH, CHART_HEIGHT = 460, 250
BLOCK_ROWS = 15  # rows one KPI takes: its heading, table and chart, and a gap
VALUE, BAND, DIRECTION, BETTER = 2, 3, 5, 6


def _rows(dashboard: DashboardReport, item: DashboardKpi) -> list[list]:
    kpi, bench = item.kpi, item.benchmark
    number = round(kpi.numerator) if kpi.measured and kpi.numerator is not None else kpi.current  # a numerator
    rows = [[m.name, m.current, m.rate, m.band, percent_change(m.percent_change), ARROWS.get(m.direction, m.direction),
             m.outcome] for m in item.members]
    rows.append([dashboard.subject, number, kpi.rate, None, percent_change(kpi.percent_change),
                 ARROWS.get(kpi.direction, kpi.direction), kpi.outcome])
    rows.append([bench.name, bench.current, bench.rate, None, percent_change(bench.percent_change),
                 ARROWS.get(bench.direction, bench.direction), bench.outcome])
    return [[NOT_AVAILABLE if value is None and col in (1, 2) else value for col, value in enumerate(row)]
            for row in rows]


def _chart(workbook: Workbook, formats: Formats, sheet_name: str, item: DashboardKpi, table: TablePlacement,
           period: str) -> Chart:
    """Horizontal bars in table order: member areas grey, the subject in the link colour, the benchmark darkest."""
    colours = formats.theme.colours
    points = ([{"fill": {"color": "#A6A6A6"}}] * len(item.members)
              + [{"fill": {"color": colours.get("link", "#0B5394")}}, {"fill": {"color": colours.get("neutral", "#404040")}}])
    number_format = value_format(formats, item.value_format).num_format
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series({
        "name": [sheet_name, table.first_row, table.first_col + VALUE],
        "categories": [sheet_name, table.first_data_row, table.first_col, table.data_last_row, table.first_col],
        "values": [sheet_name, table.first_data_row, table.first_col + VALUE, table.data_last_row, table.first_col + VALUE],
        "points": points,
        "data_labels": {"value": True, "num_format": number_format, "font": {"size": 8}},
        "gap": 50,
    })
    chart.set_title({"name": f"{item.kpi.name}: {item.value_label.lower()}, {period}", "name_font": {"size": 10, "bold": True}})
    chart.set_x_axis({"min": 0, "num_format": number_format, "num_font": {"size": 8},
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 8}, "interval_unit": 1})  # the category axis
    chart.set_legend({"none": True})
    chart.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
    return chart


def _description(dashboard: DashboardReport, item: DashboardKpi) -> str:
    """Alt text: the highest and lowest member, the subject and the benchmark, in numbers."""
    pattern = "{:.1%}" if item.value_format == "percent" else "{:,.1f}"

    def shown(value: float | None) -> str:
        return "not available" if value is None else pattern.format(value)

    known = [m for m in item.members if m.rate is not None]
    about = (f"Bar chart of {item.kpi.name.lower()} ({item.value_label.lower()}) in each "
             f"{dashboard.member_label.lower()} of {dashboard.subject}: ")
    if known:
        high, low = max(known, key=lambda m: m.rate), min(known, key=lambda m: m.rate)  # type: ignore[arg-type,return-value]
        about += f"highest {high.name} {shown(high.rate)}, lowest {low.name} {shown(low.rate)}; "
    return about + f"{dashboard.subject} {shown(item.kpi.rate)}; {item.benchmark.name} {shown(item.benchmark.rate)}."


def write_members(workbook: Workbook, sheet: Worksheet, sheet_name: str, dashboard: DashboardReport,
                  formats: Formats) -> dict[str, int]:
    """Write every KPI's block; return the row of each block's heading (the Dashboard links there)."""
    report = dashboard.report
    label = dashboard.member_label
    section_heading(sheet, formats, f"{label}s — {dashboard.subject}", SHEET_DASHBOARD)
    widths: dict[int, float] = {}
    rows_at: dict[str, int] = {}
    breaks = []
    for position, item in enumerate(dashboard.kpis):
        row = 4 + position * BLOCK_ROWS
        breaks.append(row)
        rows_at[item.indicator_id] = row
        sheet.write(row, 0, f"{item.kpi.name} ({item.outcome_group})", formats.heading)
        shown = value_format(formats, item.value_format)
        columns = [Column(label, formats.text), Column(item.count_label, formats.count, 11),
                   Column(item.value_label, shown, 11), Column(f"Comparison with {dashboard.subject}", formats.text, 26),
                   Column("% change", formats.percent, 9), Column("Direction of travel", formats.text, 25),
                   Column("Better or worse", formats.centre, 9)]
        placement = write_table(sheet, formats, table_name("dash", "areas", item.indicator_id), row + 1, TABLE_LEFT,
                                columns, _rows(dashboard, item), widths)
        sheet.set_row(row + 1, 30)
        members_last = placement.first_data_row + len(item.members) - 1
        band_rules(sheet, formats, (placement.first_data_row, TABLE_LEFT + BAND, members_last, TABLE_LEFT + BAND),
                   item.kpi.polarity)
        for coloured in (DIRECTION, BETTER):
            outcome_rules(sheet, formats, placement.column_range(coloured), outcome_col=TABLE_LEFT + BETTER)
        sheet.insert_chart(row, CHART_COLUMN, _chart(workbook, formats, sheet_name, item, placement,
                                                  item.kpi.current_period or report.current_window),
                           {"description": _description(dashboard, item), "object_position": 3})
    wrapped_note(sheet, formats, 2, 0, min(page_wide_columns(widths, formats.theme), CHART_COLUMN - 2),
                 f"{report.current_window}: each {label.lower()}'s value against the {dashboard.subject} value "
                 f"(confidence intervals, in words and colour); {dashboard.subject} and {report.benchmark_name} "
                 f"below for reference. % change and direction of travel compare each area with its own previous "
                 f"12 months (an indicator with its own periods: its previous quarter or year; a percentage's % "
                 f"change is n/a, see the Dashboard's change in points).", widths)
    apply_widths(sheet, widths)
    sheet.set_column(CHART_COLUMN - 1, CHART_COLUMN - 1, 2)
    sheet.freeze_panes(3, 1)
    report_page_setup(sheet, formats, report, keep_together=breaks)
    return rows_at
