"""The Data Quality sheet: the rows the engine rejected, cleaned or kept out of the counts, one per line.

The Methodology sheet's ``sb_data_quality`` table gives the counts by reason; this sheet lists the
rows themselves (file, sheet, row, column, value, reason), capped by the spec, and points to the
CSV beside the workbook that lists every one. Partner text is written as text, never a formula.
"""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.layout import Column, apply_widths, report_page_setup, section_heading, write_table
from engine.contract.names import SHEET_SUMMARY, table_name
from engine.quality import MISSING
from engine.report import Report

TABLE_FIRST_ROW = 4


def quality_csv_name(report: Report) -> str:
    return f"{report.file_stem}_data_quality.csv"


def write_data_quality(sheet: Worksheet, report: Report, formats: Formats, home: str = SHEET_SUMMARY) -> None:
    section_heading(sheet, formats, f"Data quality — {report.partner_area}", home)
    missing = sum(1 for i in report.quality_issues if i.action == MISSING)  # figures shown as n/a, listed first
    shown, total = len(report.quality_issues) - missing, report.quality_issue_count - missing
    if total == 0:
        intro = "No row was rejected, cleaned or kept out of the counts."
    elif shown == total:
        intro = f"All {total:,} rows rejected, cleaned or kept out of the counts while reading the data."
    else:
        intro = (f"The first {shown:,} of {total:,} rows rejected, cleaned or kept out of the counts while reading the "
                 f"data; every one is listed in {quality_csv_name(report)} beside this workbook.")
    if missing:
        intro = (f"First, the {missing} figure{'s' if missing > 1 else ''} shown as n/a because the data for a period "
                 f"{'are' if missing > 1 else 'is'} missing (action: missing; missing is not zero). Then: " + intro)
    sheet.write(2, 0, intro, formats.note)
    columns = [Column("Source", formats.text), Column("File", formats.text), Column("Sheet", formats.text),
               Column("Row", formats.count, 9), Column("Column", formats.get(align="left", indent=1)), Column("Value", formats.text, 24),
               Column("Action", formats.text, 10), Column("Reason", formats.wrap, 70), Column("About", formats.text, 18)]
    rows = [[report.source_title(i.source), i.file, i.sheet, i.row, i.column, i.value, i.action, i.reason, i.about]
            for i in report.quality_issues]
    widths: dict[int, float] = {}
    write_table(sheet, formats, table_name("data_quality_rows"), TABLE_FIRST_ROW, 0, columns, rows, widths)
    apply_widths(sheet, widths)
    sheet.freeze_panes(TABLE_FIRST_ROW + 1, 0)
    report_page_setup(sheet, formats, report, repeat_rows=(TABLE_FIRST_ROW, TABLE_FIRST_ROW))
