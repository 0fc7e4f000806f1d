"""The "Who is affected" sheet: each indicator's rate by deprivation decile, area type and the like.

A sheet of its own, after Profiles, rather than a section of Profiles: Profiles shows how the
area's *events* divide between categories (shares, ▲/▼ against the benchmark's shares), while
this shows how *residents'* risk differs between kinds of neighbourhood (rates per 1,000 with
confidence intervals, a rate ratio, a chart per indicator). Keeping the two apart keeps each
sheet's tables one kind, gives the analysts' question "who is affected?" its own place in the
Summary's navigation, and leaves Profiles as the partner-level offender and youth profiles the
seeds use it for.

Per area group: the rate-ratio table (``sb_group_<group>_ratio``) when the spec compares two
groups, then per indicator a table with a row per group (``sb_group_<group>_<indicator>``) and a
column chart of the area's rates beside the benchmark's, bound to that table so that Refresh in
Excel redraws it.
"""
from __future__ import annotations

from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.layout import (Column, TablePlacement, apply_widths, empty_section, report_page_setup, section_heading,
                                  write_table)
from engine.contract.names import SHEET_WHO, table_name
from engine.render.print_pages import page_wide_columns
from engine.render.print_sheet import PrintedCells, PrintTable
from engine.render.wrapping import wrapped_note
from engine.report import SUPPRESSED, AreaGroupRow, AreaGroupTable, GroupRatio, Report, benchmark_hidden_words

CHART_WIDTH, CHART_HEIGHT = 720, 300
CHART_ROWS = 16  # rows a chart covers at the default height, with a gap


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _columns(table: AreaGroupTable, report: Report, formats: Formats) -> list[Column]:
    area, bench, small = report.partner_area, report.benchmark_name, report.small_area_label
    per = f"rate per {table.rate_per:,}"
    level = f"{table.level:.0%}"
    numeric = all(isinstance(r.value, (int, float)) for r in table.rows)
    unit = _capital(table.unit)
    columns = [Column(table.label, formats.count if numeric else formats.text, 22)]
    for place in (area, bench):
        columns += [Column(f"{small}s in {place}", formats.count, 11), Column(f"Residents in {place}", formats.count, 12),
                    Column(f"{unit} in {place}", formats.count, 12), Column(f"{place} {per}", formats.rate, 13),
                    Column(f"{place}: lower {level} limit", formats.rate, 12),
                    Column(f"{place}: upper {level} limit", formats.rate, 12)]
    return columns


def _rows(table: AreaGroupTable) -> list[list]:
    """A row per group; a figure hidden by small-number suppression reads as the workbook's word for it."""
    def area(r: AreaGroupRow) -> list:
        return [SUPPRESSED] * 4 if r.hidden else [r.count, r.rate, r.lower, r.upper]

    def benchmark(r: AreaGroupRow) -> list:
        return [SUPPRESSED] * 4 if r.benchmark_hidden else [r.benchmark_count, r.benchmark_rate, r.benchmark_lower,
                                                            r.benchmark_upper]

    return [[r.value, r.small_areas, r.population, *area(r), r.benchmark_small_areas, r.benchmark_population,
             *benchmark(r)] for r in table.rows]


def _verdict(ratio: GroupRatio) -> str:
    if ratio.ratio is None or ratio.lower is None:
        return "Cannot be compared"
    if not ratio.significant:
        return "Not significantly different"
    return "Significantly higher" if ratio.ratio > 1 else "Significantly lower"


def _ratio_reading(table: AreaGroupTable) -> str:
    """How to read the rate ratios, under their table (printed across pages, its verdict column is on the page to
    the right of the ratios: the rule for reading them is on the same page as the figures)."""
    high, low = table.ratios[0].high, table.ratios[0].low
    return (f"Rate ratio: the rate per {table.rate_per:,} residents in group {high} divided by the rate in group {low} (2.00: twice "
            f"as high; 1.00: the same). Where its {table.level:.0%} interval includes 1.00 the two groups' rates are not "
            f"significantly different: the difference may be chance.")


def _ratio_table(sheet: Worksheet, formats: Formats, tables: list[AreaGroupTable], row: int,
                 widths: dict[int, float]) -> tuple[TablePlacement, list[Column], list[list]]:
    """One row per indicator and area: the compared groups' rates, their ratio and its interval, in words too; with
    the table's columns and rows."""
    first = tables[0]
    high, low = first.ratios[0].high, first.ratios[0].low
    level = f"{first.level:.0%}"
    columns = [Column("Indicator", formats.text, 30), Column("Area", formats.text, 22),
               Column(f"Rate in group {high} (per {first.rate_per:,})", formats.rate, 14),
               Column(f"Rate in group {low} (per {first.rate_per:,})", formats.rate, 14),
               Column(f"Rate ratio ({high} ÷ {low})", formats.get(num_format="0.00"), 12),
               Column(f"Lower {level} limit", formats.get(num_format="0.00"), 12),
               Column(f"Upper {level} limit", formats.get(num_format="0.00"), 12),
               Column(f"Group {high} against group {low}", formats.text, 24)]
    rows = [[t.indicator_name, r.area, *([SUPPRESSED] * 6 if r.hidden else
                                        [r.high_rate, r.low_rate, r.ratio, r.lower, r.upper, _verdict(r)])]
            for t in tables for r in t.ratios]
    placement = write_table(sheet, formats, table_name("group", first.group_id, "ratio"), row, 0, columns, rows, widths)
    sheet.set_row(row, 30)
    return placement, columns, rows


def _chart(workbook: Workbook, formats: Formats, report: Report, table: AreaGroupTable, cells: PrintedCells) -> Chart:
    """Columns per group: the partner area in the theme's link colour, the benchmark in its neutral grey; bound to
    the table's cells on the sheet the chart is on (``cells``: the screen table's or its printable form's)."""
    colours = formats.theme.colours
    chart = workbook.add_chart({"type": "column"})
    name = cells.sheet
    label = cells.column(0)
    categories = [name, cells.first_data_row, label, cells.last_data_row, label]
    series = ((RATE_COLUMN, colours.get("link", "#0B5394"), [r.rate for r in table.rows]),
              (BENCHMARK_RATE_COLUMN, colours.get("neutral", "#404040"), [r.benchmark_rate for r in table.rows]))
    for offset, colour, cached in series:
        column = cells.column(offset)
        chart.add_series({
            "name": [name, cells.header_row, column],
            "categories": categories,
            "values": [name, cells.first_data_row, column, cells.last_data_row, column],
            # The cached points previews draw: xlsxwriter would cache a blank cell (no residents) as 0.
            "values_data": cached,
            "fill": {"color": colour},
            "gap": 80,
        })
    chart.set_title({"name": f"{table.indicator_name}: rate per {table.rate_per:,} by {table.label[:1].lower()}"
                             f"{table.label[1:]}", "name_font": {"size": 11, "bold": True}})
    chart.set_x_axis({"name": table.label, "name_font": {"size": 9, "bold": False}, "num_font": {"size": 8}})
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"position": "top"})
    chart.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
    return chart


def _description(report: Report, table: AreaGroupTable) -> str:
    """Alt text: what the chart shows, with every group's two rates."""
    def shown(rate: float | None, hidden: bool) -> str:
        return SUPPRESSED if hidden else "no residents" if rate is None else f"{rate:,.1f}"

    pairs = "; ".join(f"{r.value}: {shown(r.rate, r.hidden)} and {shown(r.benchmark_rate, r.benchmark_hidden)}"
                      for r in table.rows)
    return (f"Column chart of {table.indicator_name.lower()} per {table.rate_per:,} residents by "
            f"{table.label[:1].lower()}{table.label[1:]}, {report.partner_area} beside {report.benchmark_name} "
            f"({report.current_window}): {pairs}.")


def _group_blocks(report: Report) -> list[list[AreaGroupTable]]:
    """The report's tables gathered by area group, in spec order."""
    blocks: dict[str, list[AreaGroupTable]] = {}
    for table in report.area_groups:
        blocks.setdefault(table.group_id, []).append(table)
    return list(blocks.values())


RATE_COLUMN, BENCHMARK_RATE_COLUMN = 4, 10  # offsets in the table of each place's rate
PRINTED_COLUMNS = (0, 3, 4, 5, 6, 9, 10, 11, 12)  # label, then each place's count, rate and limits (not LSOAs, residents)
PRINTED_RATIO_WIDTHS = (22, 18, 10, 10, 8, 8, 8, 18)


def _printed(workbook: Workbook, table: AreaGroupTable, report: Report, formats: Formats, charted: bool) -> PrintTable:
    """The indicator's table in its printable form (:mod:`engine.render.print_sheet`): the groups' counts, rates and
    limits in both places, without the small areas and residents behind them; its chart drawn again there from the
    printed cells (``charted``: the screen table has one)."""
    columns, rows = _columns(table, report, formats), _rows(table)

    def chart(cells: PrintedCells) -> Chart:
        printed = PrintedCells(cells.sheet, cells.header_row, cells.first_data_row, cells.last_data_row,
                               lambda offset: cells.column(PRINTED_COLUMNS.index(offset)))
        return _chart(workbook, formats, report, table, printed)

    note = " ".join(filter(None, [table.ungrouped, _hidden_note(table, report) if _hides_figures(table) else None]))
    return PrintTable(_heading(table), note or None,
                      [Column(columns[c].header, columns[c].format, 20 if c == 0 else 10) for c in PRINTED_COLUMNS],
                      [[r[c] for c in PRINTED_COLUMNS] for r in rows], chart=chart if charted else None,
                      chart_description=_description(report, table) if charted else "",
                      name=table_name("print", table.group_id, table.indicator_id) if charted else "")


HIDDEN_NOTE = (f"'{SUPPRESSED}': a small count, or one from which a small count could be worked out, with its rate "
               f"and limits; the chart is left out.")


def _hidden_note(table: AreaGroupTable, report: Report) -> str:
    """What the word means under this table, and why a benchmark row is hidden when one is."""
    if any(r.benchmark_hidden for r in table.rows):
        return f"{HIDDEN_NOTE} {benchmark_hidden_words(report.benchmark_name, report.partner_label)}"
    return HIDDEN_NOTE


def _hides_figures(table: AreaGroupTable) -> bool:
    """Whether small-number suppression hides any of the table's figures (its note says so; it has no chart)."""
    return any(r.hidden or r.benchmark_hidden for r in table.rows)


def _heading(table: AreaGroupTable) -> str:
    return f"{table.indicator_name}: rate per {table.rate_per:,} by {table.label[:1].lower()}{table.label[1:]}"


def _printed_ratios(tables: list[AreaGroupTable], columns: list[Column], rows: list[list],
                    formats: Formats) -> PrintTable:
    """The rate-ratio table in its printable form: every column, the labels as wide as their longest (up to a cap),
    the verdict set off from the limit beside it."""
    widths = [min(26, max(w, max((len(str(r[c])) for r in rows), default=0) + 2)) if c < 2 else w
              for c, w in enumerate(PRINTED_RATIO_WIDTHS)]
    columns = [*columns[:-1], Column(columns[-1].header, formats.get(align="left", indent=1))]
    return PrintTable(f"{tables[0].title}: rate ratios", " ".join(filter(None, [tables[0].note, _ratio_reading(tables[0])])),
                      [Column(c.header, c.format, w) for c, w in zip(columns, widths)], rows, labels=2)


def write_who_is_affected(workbook: Workbook, sheet: Worksheet, report: Report, formats: Formats) -> list[PrintTable]:
    """The sheet, and its tables' printable form (:mod:`engine.render.print_sheet`)."""
    section_heading(sheet, formats, f"Who is affected — {report.partner_area}")
    if not report.area_groups:
        empty_section(sheet, formats, report, "The spec defines no area groups.")
        return []
    printed: list[PrintTable] = []
    widths: dict[int, float] = {}
    breaks: list[int] = []
    row = 4
    notes: list[tuple[int, str]] = []  # wrapped once the tables have set the columns' widths
    for number, tables in enumerate(_group_blocks(report)):
        if number:  # the first group starts under the sheet's heading, not on a page of its own
            breaks.append(row)
        sheet.write(row, 0, tables[0].title, formats.heading)
        row += 1
        if tables[0].note:
            notes.append((row, tables[0].note))
            row += 1
        if tables[0].ratios:
            placed, ratio_columns, ratio_rows = _ratio_table(sheet, formats, tables, row + 1, widths)
            printed.append(_printed_ratios(tables, ratio_columns, ratio_rows, formats))
            notes.append((placed.last_row + 1, _ratio_reading(tables[0])))
            row = placed.last_row + 3
        for position, table in enumerate(tables):
            if position or tables[0].ratios:  # each table with its chart; the first shares the group's heading
                breaks.append(row)
            sheet.write(row, 0, _heading(table), formats.bold)
            placed = write_table(sheet, formats, table_name("group", table.group_id, table.indicator_id), row + 1, 0,
                                 _columns(table, report, formats), _rows(table), widths)
            row = placed.last_row + 1
            if table.ungrouped:
                notes.append((row, table.ungrouped))
                row += 1
            if _hides_figures(table):
                # A chart would draw a hidden rate as nothing (or 0) beside the shown ones: the table alone.
                notes.append((row, _hidden_note(table, report)))
                row += 2
                printed.append(_printed(workbook, table, report, formats, charted=False))
                continue
            printed.append(_printed(workbook, table, report, formats, charted=True))
            screen = PrintedCells(SHEET_WHO, placed.first_row, placed.first_data_row, placed.data_last_row,
                                  lambda offset, first=placed.first_col: first + offset)
            sheet.insert_chart(row + 1, 0, _chart(workbook, formats, report, table, screen),
                               {"description": _description(report, table), "object_position": 3})
            row += CHART_ROWS + 2
    # Wrapped within the columns of the first page wide (the sheet prints across pages): merged across the
    # table's width, a note's lines were cut between the pages side by side.
    for note_row, text in notes:
        wrapped_note(sheet, formats, note_row, 0, page_wide_columns(widths, formats.theme), text, widths)
    wrapped_note(sheet, formats, 2, 0, page_wide_columns(widths, formats.theme),
                 f"Rates for {report.current_window}, per 1,000 residents of each kind of neighbourhood, with "
                 f"confidence intervals, in {report.partner_area} and in {report.benchmark_name}. A group with no "
                 f"{report.small_area_label}s in {report.partner_area} has no rate.", widths)
    apply_widths(sheet, widths)
    sheet.freeze_panes(3, 0)
    report_page_setup(sheet, formats, report, keep_together=breaks, repeat_cols=(0, 0))
    return printed
