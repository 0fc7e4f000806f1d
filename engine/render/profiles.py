"""The Profiles sheet: each breakdown as a table of the partner area's percentages against the
benchmark's, with ▲ / ▼ written in the cell (the seeds' offender-profile style), significance in
words coloured by conditional formats, and every partner area's rate with a data bar.

Blocks follow one another down the sheet under section headings; each is one Excel table named
``sb_breakdown_<id>``, with a line saying which rows it counts and how it tests significance.
"""
from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.hotspot_tables import printed_hotspots, write_hotspots
from engine.render.published_tables import printed_published, write_published
from engine.render.layout import TablePlacement, apply_widths, report_page_setup, section_heading, write_table
from engine.contract.names import SHEET_SUMMARY, table_name
from engine.render.print_sheet import PrintTable
from engine.render.profile_tables import TableShape, compact_rows, printed_parts, section_title, table_heading, table_shape
from engine.render.print_pages import page_wide_columns
from engine.render.wrapping import wrapped_note
from engine.report import SIGNIFICANCE_WORDS, SUPPRESSED, Breakdown, Report, benchmark_hidden_words

#: Significance words -> the band whose colours they take (the words carry the meaning in greyscale).
SIGNIFICANCE_BANDS = {SIGNIFICANCE_WORDS[1]: "Significantly High", SIGNIFICANCE_WORDS[-1]: "Significantly Low"}
FIRST_BLOCK_ROW = 4
DATA_BAR, DATA_BAR_BORDER = "#BDD7EE", "#2F5597"  # pale enough for the figure on it to read, in colour or grey


def _significance_rules(sheet: Worksheet, formats: Formats, placement: TablePlacement, shape: TableShape) -> None:
    for offset in shape.significance_columns:
        for words, band in SIGNIFICANCE_BANDS.items():
            sheet.conditional_format(*placement.column_range(offset), {
                "type": "cell", "criteria": "equal to", "value": f'"{words}"', "format": formats.band(band, False)})


def _highlight_rules(sheet: Worksheet, formats: Formats, placement: TablePlacement, shape: TableShape,
                     report: Report) -> None:
    """The partner's own row in bold on a pale fill (a rule on its name, so it follows a refresh), and data bars."""
    for offset in shape.percent_columns:
        sheet.conditional_format(*placement.column_range(offset), {
            "type": "data_bar", "bar_solid": True, "bar_color": DATA_BAR, "bar_border_color": DATA_BAR_BORDER,
            "min_type": "num", "min_value": 0, "max_type": "max"})
    if shape.highlight_row is None:
        return
    first = placement.first_data_row
    name = report.partner_area.replace('"', '""')
    anchor = f"${xl_col_to_name(placement.first_col)}{first + 1}"
    sheet.conditional_format(first, placement.first_col, placement.data_last_row, placement.last_col, {
        "type": "formula", "criteria": f'={anchor}="{name}"', "format": formats.get(bold=True, bg_color="#FFF2CC")})


def _write_spans(sheet: Worksheet, formats: Formats, row: int, shape: TableShape) -> None:
    """Each subset's name over its columns above the header, in a band from its first column to its last (no merged
    cells, so a refresh can rewrite them). The name starts at the band's first column: a wide table prints across
    pages, and a name centred over all its columns would land on the page break, cut in two."""
    fill = formats.theme.colours.get("band_fill", "#D9E1F2")
    edges = {(left, right): formats.get(bold=True, align="left", top=1, bottom=1, left=left, right=right,
                                        bg_color=fill) for left in (0, 1) for right in (0, 1)}
    for subset, first, last in shape.spans:
        for col in range(first, last + 1):
            band = edges[int(col == first), int(col == last)]
            if col == first:
                sheet.write(row, col, subset, band)
            else:
                sheet.write_blank(row, col, None, band)


def _block_note(breakdown: Breakdown, report: Report) -> str:
    window = breakdown.window or report.current_window
    parts = [f"{breakdown.unit.capitalize()}, {window}."]
    parts += [breakdown.note] if breakdown.note else []
    parts += [f"'{SUPPRESSED}': a small count of a sensitive indicator's {breakdown.unit}, or a figure from which one "
              f"could be worked out or narrowed down (another category, a total elsewhere in the workbook); its "
              f"percentage and comparison go with it."] if breakdown.hidden else []
    if any(row.suppressed & {"benchmark_count", "benchmark_base"} for row in breakdown.rows):
        parts.append(benchmark_hidden_words(report.benchmark_name, report.partner_label))
    parts += [breakdown.significance_method] if breakdown.significance_method else []
    return " ".join(parts)


def write_profiles(sheet: Worksheet, report: Report, formats: Formats, home: str = SHEET_SUMMARY) -> list[PrintTable]:
    """The breakdowns, hotspot tables and published tables, by section (a dashboard has only published tables, each
    under its outcome; ``home`` is the sheet its link leads back to). Returns the breakdowns' printable form
    (:mod:`engine.render.print_sheet`)."""
    section_heading(sheet, formats, f"Profiles — {report.partner_area}", home=home)
    if not report.breakdowns and not report.hotspots and not report.published:
        if report.left_out_breakdowns:
            wrapped_note(sheet, formats, 3, 0, page_wide_columns({}, formats.theme),
                         " ".join(text for _, text in report.left_out_breakdowns), {})
        else:
            sheet.write(3, 0, "The spec defines no breakdowns.", formats.note)
        report_page_setup(sheet, formats, report)
        return []
    printed: list[PrintTable] = []
    widths: dict[int, float] = {}
    row = FIRST_BLOCK_ROW
    section = ""
    breaks: list[int] = []
    notes: list[tuple[int, str]] = []  # wrapped once the tables have set the columns' widths

    def left_out(after: str, row: int) -> int:
        """A protected build's note, where the tables it leaves out would have been (after ``after``)."""
        words = " ".join(text for follows, text in report.left_out_breakdowns if follows == after)
        if not words:
            return row
        notes.append((row, words))
        return row + 2

    row = left_out("", row)
    for breakdown in report.breakdowns:
        if breakdown.section and breakdown.section != section:
            section = breakdown.section
            breaks.append(row)
            row = section_title(sheet, formats, row, section)
        shape = table_shape(breakdown, report, formats)
        printed += [PrintTable(f"{breakdown.title}: {part}" if part else breakdown.title, _block_note(breakdown, report),
                               columns, rows, labels=shape.labels) for part, columns, rows in printed_parts(shape)]
        if breaks[-1:] != [row - 2]:  # a section heading keeps its first table with it
            breaks.append(row)
        table_heading(sheet, formats, row, breakdown.title)
        notes.append((row + 1, _block_note(breakdown, report)))
        if shape.spans:
            _write_spans(sheet, formats, row + 2, shape)
            row += 1
        placement = write_table(sheet, formats, table_name("breakdown", breakdown.breakdown_id), row + 2, 0,
                                shape.columns, shape.rows, widths)
        sheet.set_row(row + 2, 60 if breakdown.subsets else 45)
        _significance_rules(sheet, formats, placement, shape)
        _highlight_rules(sheet, formats, placement, shape, report)
        row = left_out(breakdown.breakdown_id, placement.last_row + 3)
    printed += printed_hotspots(report, formats) + printed_published(report, formats)
    starts, row = write_hotspots(sheet, formats, report, row, widths, notes)
    breaks += starts
    section = next((t.section for t in reversed(report.hotspots) if t.section), section)
    starts, headers = write_published(sheet, formats, report, row, widths, page_wide_columns(widths, formats.theme),
                                      section)
    breaks += starts
    # A sheet holding one table (a dashboard's one published table) repeats its header on the pages it runs onto.
    only = headers[0] if len(headers) == 1 and not report.breakdowns and not report.hotspots else None
    for note_row, text in notes:
        wrapped_note(sheet, formats, note_row, 0, page_wide_columns(widths, formats.theme), text, widths)
    if report.breakdowns:
        wrapped_note(sheet, formats, 2, 0, page_wide_columns(widths, formats.theme),
                     f"▲ the percentage is significantly higher than {report.benchmark_name}'s, ▼ significantly lower "
                     f"(where a table tests it: its Significance column); 'higher' or 'lower' in words where the "
                     f"difference is not significant or not tested; = the same to one decimal place.", widths)
    apply_widths(sheet, widths)
    compact_rows(sheet, formats)
    sheet.freeze_panes(FIRST_BLOCK_ROW - 1, 0)
    report_page_setup(sheet, formats, report, keep_together=breaks, repeat_cols=(0, 0),
                      repeat_rows=None if only is None else (only, only))
    return printed
