"""The Top 10 sheet: each indicator's highest small areas in the partner area, banded."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.layout import Column, apply_widths, band_rules, report_page_setup, write_table
from engine.contract.names import SHEET_SUMMARY, internal_link, table_name
from engine.render.print_pages import page_wide_columns
from engine.render.wrapping import wrapped_note
from engine.report import SUPPRESSED, Report, TopAreaTable, benchmark_hidden_words


def _benchmark_words(table: TopAreaTable, report: Report) -> str:
    """The benchmark rate under a Top 10, or why it is hidden (a protected build hides it, and the bands against it,
    when a partner area's own count of the indicator is hidden)."""
    if table.benchmark_rate is None:
        return f"{SUPPRESSED}. {benchmark_hidden_words(report.benchmark_name, report.partner_label)}"
    return f"{table.benchmark_rate:,.1f} per {table.rate_per:,} population."


def band_method_words(band_basis: str | None) -> str:
    """What the band words measure, for a column title: the same words mean different things by method."""
    return "standard deviations" if band_basis else "confidence intervals"


def write_top_areas(sheet: Worksheet, report: Report, formats: Formats) -> dict[str, int]:
    """Write every indicator's table; return the row of each table's heading (for links)."""
    sheet.set_row(0, 26)
    sheet.write(0, 0, f"Top 10 highest areas in {report.partner_area}", formats.title)
    sheet.write(1, 0, f"The {report.small_area_label}s with the highest counts in {report.current_window}: a busy area "
                      f"can still have a low rate, and its band says so.", formats.note)
    sheet.write_url(2, 0, internal_link(SHEET_SUMMARY), formats.link, string="‹ Back to Summary")
    widths: dict[int, float] = {0: 7}
    heading_rows: dict[str, int] = {}
    breaks = []
    band_ranges: dict[str, list[tuple[int, int, int, int]]] = {}  # polarity -> band columns: one set of rules each
    row = 4
    for number, table in enumerate(report.top_tables, start=1):
        breaks.append(row)
        heading_rows[table.indicator_id] = row
        measure = "counts" if table.rank_by == "count" else "rates"
        # The area is in the page header and the sheet's title: a long indicator name with it ran past the printed
        # width, and its last word printed alone on a page to the right.
        sheet.write(row, 0, f"Table {number}: {table.indicator_name}, the {len(table.rows) or ''} "
                            f"{report.small_area_label}s with the highest {measure}"
                            .replace("the  ", "the "), formats.heading)
        unit = table.unit.capitalize()
        singular = unit[:-1] if unit.endswith("s") else unit
        columns = [
            Column("Rank", formats.centre, 7), Column(report.partner_label, formats.text),
            Column(f"{report.small_area_label} code", formats.text), Column(f"{report.small_area_label} name", formats.text),
            Column(f"Total {table.unit}", formats.count, 11),
            Column(f"{singular} rate (per {table.rate_per:,} population)", formats.rate, 15),
            Column(f"Comparison against {report.benchmark_name} ({band_method_words(table.band_basis)})",
                   formats.get(align="left", indent=1), 22),
        ]
        rows = [[r.rank, r.partner_area, r.code, r.name, *(SUPPRESSED if v is None else v for v in (r.count, r.rate, r.band))]
                for r in table.rows]
        if not rows:
            rows = [[None, report.partner_area, None, f"No {table.unit} recorded in {report.current_window}", 0, None, None]]
        placement = write_table(sheet, formats, table_name("top10", table.indicator_id), row + 1, 0, columns, rows, widths)
        band_ranges.setdefault(table.polarity, []).append(placement.column_range(6))
        wrapped_note(sheet, formats, placement.last_row + 1, placement.first_col, placement.last_col,
                     f"{report.benchmark_name} rate: {_benchmark_words(table, report)} "
                     f"{table.band_basis or ''}".strip(), widths)
        row = placement.last_row + 3
    for polarity, ranges in band_ranges.items():
        band_rules(sheet, formats, ranges, polarity)
    if report.suppression_note:  # wrapped across the tables' width: written in one cell, it ran off the page
        last_col = placement.last_col if report.top_tables else page_wide_columns(widths, formats.theme)
        wrapped_note(sheet, formats, row, 0, last_col, report.suppression_note, widths)
    apply_widths(sheet, widths)
    sheet.freeze_panes(3, 0)
    report_page_setup(sheet, formats, report, keep_together=breaks)
    return heading_rows
