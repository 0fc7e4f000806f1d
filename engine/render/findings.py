"""The Key findings sheet: the Report's sentences, numbered under their priority's heading, ready to paste into a
board paper."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.layout import report_page_setup, section_heading
from engine.contract.names import SHEET_SUMMARY
from engine.render.wrapping import row_height, wrapped_lines, wrapped_note
from engine.report import Report

TEXT_WIDTH = 110  # the sentence column, in column-width units


def write_findings(sheet: Worksheet, report: Report, formats: Formats, home: str = SHEET_SUMMARY) -> None:
    section_heading(sheet, formats, f"Key findings — {report.partner_area}", home=home)
    wrapped_note(sheet, formats, 2, 0, 1,
                 f"The 12 months {report.current_window} against {report.previous_window}. Changes are called "
                 f"increases or reductions only when significant (method on the Methodology sheet). Listed by the "
                 f"priorities in the spec's order; within each, its lead indicator, then every significant change, "
                 f"largest first.", {0: 4, 1: TEXT_WIDTH})
    sheet.set_column(0, 0, 4)
    sheet.set_column(1, 1, TEXT_WIDTH)
    wrap = formats.get(text_wrap=True, valign="top")
    number_format = formats.get(align="right", valign="top", bold=True)
    if not report.findings:
        sheet.write(4, 1, "No findings: the spec has no indicators with data for this period.", formats.note)
    row, group, keep_together = 4, None, []
    for number, finding in enumerate(report.findings, start=1):
        if finding.group and finding.group != group:  # the priority (or section) heading above its sentences
            group = finding.group
            keep_together.append(row)
            sheet.write(row, 0, group, formats.heading)
            row += 1
        sheet.write(row, 0, f"{number}.", number_format)
        sheet.write_string(row, 1, finding.text, wrap)
        sheet.set_row(row, row_height(wrapped_lines(finding.text, TEXT_WIDTH, formats.theme), formats.theme) + 4)  # a little air between
        row += 1
    report_page_setup(sheet, formats, report, keep_together=keep_together)
