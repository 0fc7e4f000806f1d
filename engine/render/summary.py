"""The Summary sheet: every KPI, grouped by priority, with direction of travel and comparison."""
from __future__ import annotations

import math
from collections import Counter

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.layout import Column, apply_widths, band_rules, outcome_rules, produced_words, report_page_setup, write_table
from engine.contract.names import (SHEET_COMPARISONS, SHEET_FINDINGS, SHEET_METHODOLOGY, SHEET_PROFILES, SHEET_TOP,
                                 SHEET_TRENDS, SHEET_WHO, internal_link, table_name)
from engine.render.print_pages import page_wide_columns
from engine.render.peer_columns import RANK_AMONG_PEERS, peer_columns_note, peer_rules
from engine.render.trends import QuarterRows, value_format
from engine.render.wrapping import text_width, wrapped_note
from engine.report import CLOSE_TO_TARGET, MET, NOT_AVAILABLE, NOT_MET, SUPPRESSED, Kpi, Report

ARROWS = {"Increase (significant)": "▲ Increase (significant)", "Reduction (significant)": "▼ Reduction (significant)",
          "No significant change": "► No significant change"}
POINTS = '+0.0" pp";-0.0" pp";0.0" pp"'  # a change in a proportion, in percentage points
RATE_CHANGE = "+#,##0.0;-#,##0.0;0.0"
TABLE_FIRST_ROW = 6
BAND_COLUMN = 11  # the "Comparison with" column
SPARKLINE_COLUMN = 12  # then the sparkline, then the target and its status when the spec sets targets


def ordered_kpis(report: Report) -> list[Kpi]:
    """KPIs grouped by priority (in the spec's order of first appearance), spec order within."""
    rank = {p: i for i, p in enumerate(report.priorities)}
    return sorted(report.kpis, key=lambda k: rank.get(k.priority, len(rank)))


SPARKLINE_HEADER = "Last 8 quarters"
NAVIGATION = (("Key findings", SHEET_FINDINGS), ("Top 10 areas", SHEET_TOP), ("Trends", SHEET_TRENDS),
              ("Comparisons", SHEET_COMPARISONS), ("Profiles", SHEET_PROFILES), ("Who is affected", SHEET_WHO),
              ("Methodology", SHEET_METHODOLOGY))


def quarter_sparklines(sheet: Worksheet, formats: Formats, kpis: list[Kpi], first_data_row: int, col: int,
                       quarter_rows: QuarterRows, source_sheet: str = SHEET_TRENDS) -> None:
    """A line per KPI over its rolling quarters, drawn from the quarterly table on ``source_sheet``."""
    colours = formats.theme.colours
    locations, ranges = [], []
    for offset, kpi in enumerate(kpis):
        where = quarter_rows.get(kpi.indicator_id)
        if where is None:
            continue
        first_row, first_col, last_row, last_col = where  # a row of quarters, or a column of a source's periods
        locations.append(xl_rowcol_to_cell(first_data_row + offset, col))
        ranges.append(f"'{source_sheet}'!{xl_rowcol_to_cell(first_row, first_col)}:"
                      f"{xl_rowcol_to_cell(last_row, last_col)}")
    if locations:  # one group: one style, as Excel groups sparklines that look alike
        sheet.add_sparkline(first_data_row, col, {
            "location": locations, "range": ranges,
            "series_color": colours.get("title", "#1F3864"), "markers": False, "last_point": True,
            "markers_color": colours.get("worse", "#D55E00"), "last_color": colours.get("worse", "#D55E00"),
            "weight": 1.25,
        })


def target_rules(sheet: Worksheet, formats: Formats, cell_range: tuple[int, int, int, int]) -> None:
    """Met / Close to target / Not met in the better / amber / worse colours; the words carry the meaning
    in greyscale."""
    for status, outcome in ((MET, "Better"), (CLOSE_TO_TARGET, "Close"), (NOT_MET, "Worse")):
        sheet.conditional_format(*cell_range, {"type": "cell", "criteria": "equal to", "value": f'"{status}"',
                                               "format": formats.outcome(outcome)})


DEFAULT_WIDTH = 8.43  # Excel's default column width, in digit widths


def column_pixels(width: float) -> int:
    """A column's width on screen in pixels, as Excel turns digit widths into pixels (7 px digit, 5 px padding)."""
    return 0 if width <= 0 else int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5)


def _logo(sheet: Worksheet, formats: Formats, last_col: int, widths: dict[int, float]) -> None:
    """The theme's logo at the top right, its right edge on the table's, so it prints with the page."""
    theme = formats.theme
    if theme.logo is None or theme.logo_size is None:
        return
    table_pixels = sum(column_pixels(widths.get(col, DEFAULT_WIDTH)) for col in range(last_col + 1))
    sheet.insert_image(0, 0, str(theme.logo), {
        "description": f"{theme.name} logo", "object_position": 3, "x_scale": theme.logo_scale,
        "y_scale": theme.logo_scale, "x_offset": max(0, table_pixels - round(theme.logo_size[0])), "y_offset": 2})


def _navigation(sheet: Worksheet, formats: Formats, row: int, widths: dict[int, float]) -> None:
    """'Go to:' and a link per section; each link starts in its own column with room for its words."""
    sheet.write(row, 0, "Go to:", formats.bold)
    col = 1
    for label, target in NAVIGATION:
        sheet.write_url(row, col, internal_link(target), formats.link, string=label)
        needed, room = text_width(label, formats.theme) + 2, 0.0
        while room < needed:
            room += widths.get(col, DEFAULT_WIDTH)
            col += 1


def write_summary(sheet: Worksheet, report: Report, formats: Formats, top_rows: dict[str, int],
                  quarter_rows: QuarterRows) -> None:
    sheet.set_row(0, 26)
    sheet.write(0, 0, report.title, formats.title)
    sheet.write(1, 0, f"{report.partner_area}: the 12 months {report.current_window} compared with {report.previous_window}",
                formats.subtitle)
    sheet.write(2, 0, f"Benchmark: {report.benchmark_name}. {produced_words(report)}.", formats.note)
    sheet.write(5, 0, "Key performance indicators", formats.heading)

    kpis = ordered_kpis(report)
    rate_per = rate_multiplier(kpis)
    rates_only = f"Rate per {rate_per:,}" if rate_per else "Rate"  # the peer average: counted indicators only
    rate_header = rates_only
    if any(k.value_format == "percent" for k in kpis):
        rate_header += " or %" if rate_per else " (%)"  # proportions share the column, shown as 12.3%
    bench = report.benchmark_name
    grouped = any(k.peer_group for k in kpis)  # ranked in peer groups (most similar groups): two more columns
    # KPIs compared over their source's own periods (quarters, years, a snapshot) get a Period column,
    # and the count columns lose "12 months" from their headers.
    own_periods = any(k.current_period is not None for k in kpis)
    window = "" if own_periods else " 12 months"
    shift = 1 if own_periods else 0
    extra = (2 if grouped else 0) + shift
    # A rate whose multiplier differs from the column's is shown as "24.9 per 100,000": room for the words.
    figure_width = 17 if any(k.measured and k.value_format != "percent" and k.rate_per != rate_per for k in kpis) else 11
    columns = [
        Column("Priority", formats.text), Column("Indicator", formats.text),
        *([Column("Period", formats.text, 24)] if own_periods else []),
        Column(f"Previous{window}", formats.count, figure_width), Column(f"Current{window}", formats.count, figure_width),
        Column("Change", formats.change, 9), Column("% change", formats.percent, 9),
        Column("Direction of travel", formats.text, 21), Column("Better or worse", formats.centre, 9),
        Column(rate_header, formats.rate, max(9, figure_width)),
        Column(f"{bench} {rate_header.lower()}", formats.rate, max(13, figure_width)),
        Column(RANK_AMONG_PEERS if grouped else f"Rank among {report.partner_label.lower()}s (1 = lowest rate)",
               formats.centre, 15),
        *([Column(f"Peer average {rates_only.lower()}", formats.rate, 11), Column("Comparison with peers", formats.text, 22)]
          if grouped else []),
        Column(f"Comparison with {bench}", formats.get(align="left", indent=1), 22),
        Column(SPARKLINE_HEADER, formats.text, 14),
    ]
    band_column, sparkline_column = BAND_COLUMN + extra, SPARKLINE_COLUMN + extra
    targets = any(k.target for k in kpis)
    if targets:
        columns += [Column("Target", formats.wrap, 22), Column("Target status", formats.centre, 15)]
    rows = [[k.priority, k.name, *([period_text(k, report)] if own_periods else []),
             _shown(k.previous, k), _shown(k.current, k), _shown(k.change, k),
             k.percent_change if k.percent_change is not None else no_percent_change(k),
             ARROWS.get(k.direction, k.direction), k.outcome, _shown(k.rate, k), _shown(k.benchmark_rate, k), k.peer_rank_text]
            + ([k.peer_average, k.peer_comparison] if grouped else []) + [_shown(k.band, k), None]
            + ([k.target, k.target_status] if targets else [])
            for k in kpis]
    widths: dict[int, float] = {}
    placement = write_table(sheet, formats, table_name("summary"), TABLE_FIRST_ROW, 0, columns, rows, widths)
    for offset, kpi in enumerate(kpis):
        if kpi.indicator_id in top_rows:
            sheet.write_url(placement.first_data_row + offset, 1,
                            internal_link(SHEET_TOP, top_rows[kpi.indicator_id]), formats.link, string=kpi.name)
        _measure_formats(sheet, formats, kpi, placement.first_data_row + offset, 2 + shift, rate_per)
    for first, last, polarity in polarity_runs(kpis):
        band_rules(sheet, formats, (placement.first_data_row + first, band_column, placement.first_data_row + last,
                                    band_column), polarity)
        if grouped:
            peer_rules(sheet, formats, (placement.first_data_row + first, band_column - 1,
                                        placement.first_data_row + last, band_column - 1), polarity)
    outcome_rules(sheet, formats, placement.column_range(6 + shift), outcome_col=7 + shift)
    quarter_sparklines(sheet, formats, kpis, placement.first_data_row, sparkline_column, quarter_rows)
    if targets:
        target_rules(sheet, formats, placement.column_range(sparkline_column + 2))
    apply_widths(sheet, widths)
    _navigation(sheet, formats, 3, widths)
    _logo(sheet, formats, placement.last_col, widths)
    sheet.freeze_panes(TABLE_FIRST_ROW + 1, 2)
    notes = ["Indicator names link to their top 10 areas. Direction of travel compares the current 12 months with "
             "the previous 12 and says whether the change is statistically significant; 'Better or worse' applies "
             "each indicator's polarity (methods on the Methodology sheet).",
             band_method_note(report),
             f"{SPARKLINE_HEADER}: counts in rolling three-month periods to {report.current_window.split('– ')[-1]}, "
             f"the latest marked (data on the Trends sheet)."]
    measure_note = ("Proportions are shown as percentages and their change in percentage points (pp); the Period "
                    "column says which periods each indicator compares (a quarterly or annual source: its latest "
                    "period against the one before; a snapshot: none). n/a: not available in the partner's data, "
                    "or nothing to compare with. Their sparklines show the source's last eight periods.")
    footnotes = [report.suppression_note, peer_columns_note(kpis, report.partner_label) if grouped else None,
                 measure_note if any(k.measured for k in kpis) else None, *missing_notes(kpis), report.synthetic_note]
    missing_comments(sheet, kpis, placement.first_data_row, 3 + shift)
    # Wrapped across the table's width (not overflowing to the right), so the page is scaled to the table; within
    # the columns of the first page wide when the table prints across pages (else cut between the pages).
    last_col = min(placement.last_col, page_wide_columns(widths, formats.theme))
    for offset, note in enumerate(notes + [note for note in footnotes if note]):
        wrapped_note(sheet, formats, placement.last_row + 2 + offset, 0, last_col, note, widths)
    # The table and its notes as one block: the planner shares their rows evenly over the pages (left to the
    # printer, the last band of rows, printed across pages, held a few rows on each of its pages).
    report_page_setup(sheet, formats, report, repeat_rows=(TABLE_FIRST_ROW, TABLE_FIRST_ROW), repeat_cols=(1, 1),
                      keep_together=[TABLE_FIRST_ROW])
    sheet.activate()


def band_method_note(report: Report) -> str:
    """Which method each band on the sheet measures: the same words mean confidence intervals for most indicators
    and standard deviations for those the spec bands the police crime-map way."""
    by_sd = [t.indicator_name for t in report.top_tables if t.band_basis]
    note = (f"Comparison with {report.benchmark_name}: bands by confidence intervals (the rate's 95% and 99.8% "
            f"intervals against the {report.benchmark_name} rate)")
    if by_sd:
        note += (f", except {', '.join(by_sd)}: bands by standard deviations from the mean of the small-area rates "
                 f"(not a significance test)")
    return note + "."


def missing_notes(kpis: list[Kpi]) -> list[str]:
    """One footnote per KPI shown as n/a because its data are missing (not zero), with the reason in words."""
    return [f"n/a — {k.name}: missing, not zero (no band, rank, change or finding). {k.missing_reason}."
            for k in kpis if k.missing_reason]


def missing_comments(sheet: Worksheet, kpis: list[Kpi], first_row: int, current_col: int) -> None:
    """The reason beside each n/a that stands for missing data, as a comment on the KPI's Current cell."""
    for offset, kpi in enumerate(kpis):
        if kpi.missing_reason:
            sheet.write_comment(first_row + offset, current_col, f"n/a: {kpi.missing_reason}",
                                {"x_scale": 2.5, "y_scale": 1.5})


def _shown(value, kpi: Kpi):
    """A number, or where there is none: the suppression symbol (hidden for privacy), or "n/a" for a measured
    KPI (the source withheld or lacks the figure, or a snapshot has no previous period)."""
    if value is not None:
        return value
    return NOT_AVAILABLE if kpi.measured and kpi.direction != SUPPRESSED else SUPPRESSED


def no_percent_change(kpi: Kpi) -> str:
    """What a KPI without a % change shows in its place: the suppression word where the change itself is hidden (or
    missing, :func:`_shown`), else "n/a" (a change there is no percentage of, as from none)."""
    return _shown(None, kpi) if kpi.change is None else NOT_AVAILABLE


def rate_multiplier(kpis: list[Kpi]) -> int | None:
    """The rate column's multiplier: the one most rate KPIs share (proportions aside), None if there are none."""
    multipliers = Counter(k.rate_per for k in kpis if k.value_format != "percent")
    return multipliers.most_common(1)[0][0] if multipliers else None


def period_text(kpi: Kpi, report: Report) -> str:
    """"12 months to Oct 2022", "Q1 2022-23 vs Q4 2021-22", or "Snapshot": the periods a KPI compares."""
    if kpi.current_period is None:
        return f"12 months to {report.current_window.split('– ')[-1]}"
    if kpi.previous_period is None:
        return kpi.current_period
    return f"{kpi.current_period} vs {kpi.previous_period}"


def _measure_formats(sheet: Worksheet, formats: Formats, kpi: Kpi, row: int, first_col: int, rate_per: int | None) -> None:
    """Rewrite a measured KPI's figures in its own number formats: 45.0% and +4.8 pp for a proportion, a rate
    with "per 100,000" where its multiplier differs from the column's."""
    if not kpi.measured:
        return
    figure = value_format(formats, kpi.value_format, kpi.rate_per if kpi.rate_per != rate_per else None)
    rate = value_format(formats, "percent" if kpi.value_format == "percent" else "rate",
                        kpi.rate_per if kpi.rate_per != rate_per else None)
    cells = {first_col: (kpi.previous, figure), first_col + 1: (kpi.current, figure),
             first_col + 6: (kpi.rate, rate), first_col + 7: (kpi.benchmark_rate, rate)}
    if kpi.value_format == "percent" and kpi.change is not None:
        cells[first_col + 2] = (kpi.change * 100, formats.get(num_format=POINTS))  # percentage points
    elif kpi.value_format == "rate" and kpi.change is not None:
        cells[first_col + 2] = (kpi.change, formats.get(num_format=RATE_CHANGE))
    for col, (value, cell_format) in cells.items():
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            sheet.write_number(row, col, value, cell_format)


def polarity_runs(kpis: list[Kpi]) -> list[tuple[int, int, str]]:
    """Consecutive rows sharing a polarity, so each run gets band colours the right way round."""
    runs: list[tuple[int, int, str]] = []
    for position, kpi in enumerate(kpis):
        if runs and runs[-1][2] == kpi.polarity:
            runs[-1] = (runs[-1][0], position, kpi.polarity)
        else:
            runs.append((position, position, kpi.polarity))
    return runs
