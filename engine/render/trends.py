"""The Trends sheet: category × financial year with a Grand Total, and a line chart of it."""
from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.layout import Column, apply_widths, page_setup, write_table
from engine.render.names import SHEET_SUMMARY, SHEET_TRENDS, internal_link, table_name
from engine.report import Report

TABLE_FIRST_ROW = 4


def write_trends(workbook: Workbook, sheet: Worksheet, report: Report, formats: Formats) -> None:
    sheet.set_row(0, 26)
    trend = report.trend
    sheet.write(0, 0, f"{trend.title if trend else 'Trends'} — {report.partner_area}", formats.title)
    sheet.write_url(1, 0, internal_link(SHEET_SUMMARY), formats.link, string="‹ Back to Summary")
    if trend is None:
        sheet.write(3, 0, "The spec defines no trend table.", formats.note)
        return
    sheet.write(2, 0, "Counts by financial year; the Grand Total is the sum of the categories.", formats.note)
    columns = [Column("Category", formats.text)] + [Column(label, formats.count, max(11, len(label) * 0.9), total="sum")
                                                    for label in trend.columns]
    rows = [[r.name] + r.values for r in trend.rows]
    widths: dict[int, float] = {}
    placement = write_table(sheet, formats, table_name("trend"), TABLE_FIRST_ROW, 0, columns, rows, widths,
                            totals=["Grand Total"] + trend.grand_total)
    sheet.set_row(TABLE_FIRST_ROW, 30)
    apply_widths(sheet, widths)
    sheet.freeze_panes(TABLE_FIRST_ROW + 1, 1)
    note_row = placement.last_row + 2
    for offset, note in enumerate(trend.notes):
        sheet.write(note_row + offset, 0, note, formats.note)

    chart = workbook.add_chart({"type": "line"})
    last_col = placement.last_col
    for data_row in range(placement.first_data_row, placement.data_last_row + 1):
        chart.add_series({
            "name": [SHEET_TRENDS, data_row, 0],
            "categories": [SHEET_TRENDS, placement.first_row, 1, placement.first_row, last_col],
            "values": [SHEET_TRENDS, data_row, 1, data_row, last_col],
            "marker": {"type": "circle", "size": 6},
            "line": {"width": 2.25},
        })
    chart.set_title({"name": f"{trend.title}, {report.partner_area}", "name_font": {"size": 12, "bold": True}})
    chart.set_y_axis({"name": "Count", "num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"name": "Financial year"})
    chart.set_legend({"position": "right"})
    chart.set_size({"width": 760, "height": 360})
    description = (f"Line chart of {trend.title.lower()} in {report.partner_area}: one line per category "
                   f"({', '.join(r.name for r in trend.rows)}) across {', '.join(trend.columns)}.")
    sheet.insert_chart(note_row + len(trend.notes) + 1, 0, chart, {"description": description, "object_position": 3})
    page_setup(sheet, formats, f"{report.title} — {report.partner_area}", f"Produced {report.generated:%d/%m/%Y}")
