"""The Methodology sheet: sources, vintages, definitions, methods and data quality, in words."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.layout import Column, apply_widths, report_page_setup, section_heading, write_table
from engine.contract.names import SHEET_SUMMARY, table_name
from engine.report import Report

# Both tables print one page wide at a readable scale (at 100 characters the data-quality table's last two
# columns printed on pages of their own); 66 characters is also a comfortable line to read.
DETAIL_WIDTH = 66
TOPIC_WIDTH = 26
EXAMPLES_WIDTH = 26


def write_methodology(sheet: Worksheet, report: Report, formats: Formats, home: str = SHEET_SUMMARY) -> None:
    section_heading(sheet, formats, f"Methodology — {report.partner_area}", home)
    about = [
        ("Report", f"{report.title}: {report.partner_area} ({report.partner_label.lower()}), benchmark {report.benchmark_name}."),
        ("Produced", f"{report.generated:%d/%m/%Y} by Saferbook {report.engine_version}, spec version {report.spec_version}."),
    ]
    rows = [[topic, text] for topic, text in about] + [[n.topic, n.text] for n in report.methodology]
    widths: dict[int, float] = {}
    columns = [Column("Topic", formats.get(bold=True, text_wrap=True), TOPIC_WIDTH), Column("Detail", formats.wrap, DETAIL_WIDTH)]
    placement = write_table(sheet, formats, table_name("methodology"), 3, 0, columns, rows, widths)  # rows fit their text

    row = placement.last_row + 2
    sheet.write(row, 0, "Data quality", formats.heading)
    quality_columns = [Column("Source", formats.text, TOPIC_WIDTH), Column("What happened", formats.wrap, DETAIL_WIDTH),
                       Column("Rows", formats.count, 10), Column("Examples", formats.wrap, EXAMPLES_WIDTH)]
    quality_rows = [[report.source_title(q.source), q.reason, q.rows, q.example] for q in report.quality]
    write_table(sheet, formats, table_name("data_quality"), row + 1, 0, quality_columns, quality_rows, widths)
    apply_widths(sheet, widths)
    sheet.freeze_panes(4, 0)
    report_page_setup(sheet, formats, report, repeat_rows=(3, 3), keep_together=[row])  # the planner splits the
    # notes evenly over their pages (left to the printer, the last could hold a line or two)
