"""The Profiles sheet: each breakdown as a table of the partner area's shares against the
benchmark's, with ▲ / ▼ written in the cell (the seeds' offender-profile style)."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.layout import Column, apply_widths, report_page_setup, section_heading, write_table
from engine.render.names import table_name
from engine.report import Breakdown, Report

POINTS = "+0.0;-0.0;0.0"


def _fit(name: str, least: float) -> float:
    """A width that keeps a place name on at most two header lines."""
    return max(least, len(name) * 0.6 + 2)


def _columns(breakdown: Breakdown, report: Report, formats: Formats, grouped: bool) -> list[Column]:
    area, bench = report.partner_area, report.benchmark_name
    first = [Column("Characteristic", formats.text), Column("Category", formats.text)] if grouped \
        else [Column(breakdown.title, formats.text)]
    return first + [
        Column(f"{area}: {breakdown.unit}", formats.count, _fit(area, 12)), Column(f"{area} %", formats.percent, _fit(area, 10)),
        Column(f"{bench} %", formats.percent, _fit(bench, 12)), Column("Difference (percentage points)", formats.get(num_format=POINTS), 14),
        Column(f"Against {bench}", formats.centre, 12),
    ]


def _rows(breakdown: Breakdown, grouped: bool) -> list[list]:
    rows = []
    for r in breakdown.rows:
        label = [r.group, r.category] if grouped else [r.category]
        rows.append(label + [r.count, r.percent, r.benchmark_percent, r.difference, r.flag])
    return rows


def write_profiles(sheet: Worksheet, report: Report, formats: Formats) -> None:
    section_heading(sheet, formats, f"Profiles — {report.partner_area}")
    if not report.breakdowns:
        sheet.write(3, 0, "The spec defines no breakdowns.", formats.note)
        report_page_setup(sheet, formats, report)
        return
    sheet.write(2, 0, f"Shares of {report.current_window}. ▲ the share is higher than {report.benchmark_name}'s, "
                      f"▼ lower, = the same to one decimal place.", formats.note)
    widths: dict[int, float] = {}
    row = 4
    for breakdown in report.breakdowns:
        grouped = len({r.group for r in breakdown.rows}) > 1
        sheet.write(row, 0, breakdown.title, formats.heading)
        placement = write_table(sheet, formats, table_name("breakdown", breakdown.breakdown_id), row + 1, 0,
                                _columns(breakdown, report, formats, grouped), _rows(breakdown, grouped), widths)
        row = placement.last_row + 3
    apply_widths(sheet, widths)
    sheet.freeze_panes(4, 0)
    report_page_setup(sheet, formats, report)
