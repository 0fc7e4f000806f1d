"""The Key findings sheet: the Report's sentences, numbered, ready to paste into a board paper."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.layout import report_page_setup, section_heading
from engine.render.wrapping import row_height, wrapped_lines
from engine.report import Report

TEXT_WIDTH = 110  # the sentence column, in column-width units


def write_findings(sheet: Worksheet, report: Report, formats: Formats) -> None:
    section_heading(sheet, formats, f"Key findings — {report.partner_area}")
    sheet.write(2, 0, f"The 12 months {report.current_window} against {report.previous_window}. Changes are called "
                      f"increases or reductions only when significant (method on the Methodology sheet).", formats.note)
    sheet.set_column(0, 0, 4)
    sheet.set_column(1, 1, TEXT_WIDTH)
    wrap = formats.get(text_wrap=True, valign="top")
    number = formats.get(align="right", valign="top", bold=True)
    if not report.findings:
        sheet.write(4, 1, "No findings: the spec has no indicators with data for this period.", formats.note)
    for offset, finding in enumerate(report.findings):
        row = 4 + offset
        sheet.write(row, 0, f"{offset + 1}.", number)
        sheet.write_string(row, 1, finding.text, wrap)
        sheet.set_row(row, row_height(wrapped_lines(finding.text, TEXT_WIDTH, formats.theme), formats.theme) + 4)  # a little air between
    report_page_setup(sheet, formats, report)
