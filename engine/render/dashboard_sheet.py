"""The Dashboard sheet: every KPI of the subject, grouped by outcome, the county performance report's page.

One Excel table (``sb_dash_kpis``): previous and current 12 months, change, direction of travel
coloured by polarity, the KPI's value (a rate, or a percentage: its number format comes
from the data model) beside the benchmark's, the subject's band against the benchmark, a
sparkline of the last eight quarters, and the target with its status. Colours come from real
conditional-format rules and every colour is also written in words.
"""
from __future__ import annotations

import textwrap

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from engine.dashboard_report import DashboardReport
from engine.render.formats import Formats
from engine.render.layout import Column, TablePlacement, apply_widths, band_rules, outcome_rules, produced_words, report_page_setup, write_table
from engine.contract.names import SHEET_DATA_QUALITY, SHEET_METHODOLOGY, internal_link, table_name
from engine.render.dashboard_parts import SHEET_QUARTERLY, percent_change, value_format
from engine.render.dashboard_figures import figures, measured_figures, write_figure
from engine.render.summary import (ARROWS, SPARKLINE_HEADER, missing_comments, missing_notes, period_text,
                                   polarity_runs, quarter_sparklines, target_rules)
from engine.render.trends import QuarterRows
from engine.render.print_pages import page_wide_columns
from engine.render.wrapping import wrapped_note
from engine.report import NOT_AVAILABLE

TABLE_FIRST_ROW = 6
OUTCOME_WIDTH = 34  # column width (Arial digits); about 1.2 times as many letters fit
OUTCOME, INDICATOR, DIRECTION, BETTER, SUBJECT_VALUE, BENCHMARK_VALUE, BAND, SPARKLINE, TARGET_STATUS = 0, 1, 6, 7, 9, 10, 11, 12, 14


def _outcome_borders(sheet: Worksheet, formats: Formats, placement: TablePlacement) -> None:
    """A rule above the first KPI of each outcome, and the outcome's name in bold there (a formula rule, so it
    follows the rows when an analyst sorts or filters)."""
    first = placement.first_data_row
    column = xl_col_to_name(placement.first_col + OUTCOME)
    starts = f"${column}{first + 1}<>${column}{first}"
    colour = formats.theme.colours.get("title", "#1F3864")
    sheet.conditional_format(first, placement.first_col, placement.data_last_row, placement.last_col, {
        "type": "formula", "criteria": f"={starts}",
        "format": formats.get(top=2, top_color=colour),
    })
    sheet.conditional_format(first, placement.first_col + OUTCOME, placement.data_last_row, placement.first_col + OUTCOME, {
        "type": "formula", "criteria": f"={starts}", "format": formats.get(bold=True),
    })


def write_dashboard_sheet(sheet: Worksheet, dashboard: DashboardReport, formats: Formats, members_sheet: str,
                          member_rows: dict[str, int], quarter_rows: QuarterRows) -> None:
    """Write the sheet; ``member_rows`` are the rows of each KPI's block on the members sheet (the names link there)."""
    report = dashboard.report
    bench = report.benchmark_name
    sheet.set_row(0, 26)
    sheet.write(0, 0, report.title, formats.title)
    sheet.write(1, 0, f"{dashboard.subject}: the 12 months {report.current_window} compared with "
                      f"{report.previous_window}", formats.subtitle)
    about = f"{dashboard.subject_description}. " if dashboard.subject_description else ""
    compared = f"{bench} ({dashboard.benchmark_description})" if dashboard.benchmark_description else bench
    sheet.write(3, 0, "Go to:", formats.bold)
    for offset, target in enumerate((SHEET_QUARTERLY, members_sheet, SHEET_METHODOLOGY, SHEET_DATA_QUALITY)):
        sheet.write_url(3, 1 + offset, internal_link(target), formats.link, string=target)
    sheet.write(5, 0, "Key performance indicators by outcome", formats.heading)

    kpis = [k.kpi for k in dashboard.kpis]
    targets = any(k.target for k in kpis)
    # KPIs compared over their source's own periods (a quarter, a financial year, a snapshot) get a Period
    # column, as on the partner workbook's Summary, and the figures' headers lose "12 months".
    own_periods = any(k.current_period is not None for k in kpis)
    shift = 1 if own_periods else 0
    window = "" if own_periods else " 12 months"
    columns = [
        Column("Outcome", formats.wrap, OUTCOME_WIDTH + 2), Column("Indicator", formats.text),
        *([Column("Period", formats.text, 23)] if own_periods else []),
        Column(f"Previous{window}", formats.count, 11), Column(f"Current{window}", formats.count, 11),
        Column("Change", formats.change, 9), Column("% change", formats.percent, 9),
        Column("Direction of travel", formats.text, 25), Column("Better or worse", formats.centre, 9),
        Column("Measure", formats.text, max(14, max(len(d.value_label) for d in dashboard.kpis) * 0.8 + 1)), Column(dashboard.subject, formats.rate, 13), Column(bench, formats.rate, 13),
        Column(f"Comparison with {bench}", formats.text, 26), Column(SPARKLINE_HEADER, formats.text, 14),
    ]
    if targets:
        columns += [Column("Target", formats.text), Column("Target status", formats.centre, 15)]
    rows = [[k.priority, k.name, *([period_text(k, report)] if own_periods else []), *figures(k),
             ARROWS.get(k.direction, k.direction), k.outcome, d.value_label, None, None, k.band or NOT_AVAILABLE, None]
            + ([k.target, k.target_status] if targets else []) for d, k in zip(dashboard.kpis, kpis)]
    widths: dict[int, float] = {}
    placement = write_table(sheet, formats, table_name("dash", "kpis"), TABLE_FIRST_ROW, 0, columns, rows, widths)
    for offset, (item, kpi) in enumerate(zip(dashboard.kpis, kpis)):
        row = placement.first_data_row + offset
        sheet.set_row(row, 13.5 * max(1, len(textwrap.wrap(kpi.priority, int(OUTCOME_WIDTH * 1.2)))))  # Excel keeps heights
        shown = value_format(formats, item.value_format)
        for col, value in ((SUBJECT_VALUE + shift, kpi.rate), (BENCHMARK_VALUE + shift, kpi.benchmark_rate)):
            write_figure(sheet, formats, row, col, value, shown)
        if kpi.measured:
            measured_figures(sheet, formats, kpi, row, 2 + shift)
        if kpi.percent_change is None:
            write_figure(sheet, formats, row, 5 + shift, None, formats.percent)
        if kpi.indicator_id in member_rows:
            sheet.write_url(row, INDICATOR, internal_link(members_sheet, member_rows[kpi.indicator_id]), formats.link,
                            string=kpi.name)
    missing_comments(sheet, kpis, placement.first_data_row, 3 + shift)
    band = BAND + shift
    for first, last, polarity in polarity_runs(kpis):
        band_rules(sheet, formats, (placement.first_data_row + first, band, placement.first_data_row + last, band), polarity)
    for coloured in (DIRECTION, BETTER):
        outcome_rules(sheet, formats, placement.column_range(coloured + shift), outcome_col=BETTER + shift)
    quarter_sparklines(sheet, formats, kpis, placement.first_data_row, SPARKLINE + shift, quarter_rows, SHEET_QUARTERLY)
    if targets:
        target_rules(sheet, formats, placement.column_range(TARGET_STATUS + shift))
    _outcome_borders(sheet, formats, placement)
    sheet.set_row(TABLE_FIRST_ROW, 45)
    apply_widths(sheet, widths)
    sheet.freeze_panes(TABLE_FIRST_ROW + 1, 2)
    notes = [
        f"Direction of travel compares the current 12 months with the previous 12 and says whether the change is "
        f"statistically significant; 'Better or worse' applies each indicator's polarity. The comparison with {bench} "
        f"uses confidence intervals (methods on the Methodology sheet).",
        f"{SPARKLINE_HEADER}: counts in rolling three-month periods to {report.current_window.split('– ')[-1]}, the "
        f"latest marked (data on the {SHEET_QUARTERLY} sheet). Indicator names link to each {dashboard.member_label.lower()}"
        f"'s figures.",
    ]
    if any(k.measured for k in kpis):
        notes.append("Percentages (12.3%) are shares of the Measure's denominator, pooled over the "
                     f"{dashboard.member_label.lower()}s; their change is in percentage points (pp). The Period column "
                     "says which periods each indicator compares (its source's latest quarter or financial year "
                     "against the one before; a snapshot: none). n/a: not available, or nothing to compare with.")
    notes += missing_notes(kpis)
    if report.synthetic_note:
        notes.append(report.synthetic_note)
    # Wrapped within the columns of the first page wide (the table prints across pages): no note's end on a page alone.
    note_cols = min(page_wide_columns(widths, formats.theme), placement.last_col)
    wrapped_note(sheet, formats, 2, 0, note_cols, f"{about}Compared with {compared}. {produced_words(report)}.", widths)
    for offset, note in enumerate(notes):
        wrapped_note(sheet, formats, placement.last_row + 2 + offset, 0, note_cols, note, widths)
    # The table and its notes as one block: the planner shares their rows evenly over the pages.
    report_page_setup(sheet, formats, report, repeat_rows=(TABLE_FIRST_ROW, TABLE_FIRST_ROW), repeat_cols=(1, 1),
                      keep_together=[TABLE_FIRST_ROW])
    sheet.activate()
