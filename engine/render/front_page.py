"""The front page: the few columns a board reads, on one printed page wide at a readable size.

The Summary and the Dashboard keep their full width for the screen (18 columns, ranks, peers,
sparklines); printed whole they would need several pages across. The front page shows each KPI
under its priority (or outcome) heading: the current figure, its change, the direction of travel,
the band against the benchmark, the trend of the last eight quarters and the target's status. The
trend is written as a row of bar characters, a printed stand-in for the Summary's sparkline (which
LibreOffice and mail previews do not draw), with the words rising / falling beside it left to the
direction column, which alone says whether a change is significant.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.layout import apply_widths, band_rules, outcome_rules, produced_words, report_page_setup
from engine.contract.names import internal_link
from engine.render.summary import ARROWS, POINTS, _shown, band_method_note, no_percent_change
from engine.render.trends import value_format
from engine.render.wrapping import row_height, wrapped_lines
from engine.report import NOT_AVAILABLE, Kpi, Report

SHEET_FRONT = "Front page"
BARS = "▁▂▃▄▅▆▇█"
TREND_HEADER = "Last 8 quarters (oldest first)"
FIRST_ROW = 5
WIDTHS = (34, 11, 9, 23, 24, 11, 9)  # indicator, current, change, direction, band, trend, target (digit widths)
INDICATOR, CURRENT, CHANGE, DIRECTION, BAND, TREND, TARGET = range(7)


@dataclass(frozen=True)
class FrontRow:
    group: str  # the priority or outcome it is shown under
    kpi: Kpi
    trend: Sequence[float | int | None]  # the last quarters (or periods), oldest first


def bar_text(values: Sequence[float | int | None]) -> str:
    """Eight quarters as eight bar characters, lowest to highest of their own range; a gap is a space.

    A text sparkline: it prints wherever the font has the characters, where a real sparkline may not.
    """
    shown = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not shown:
        return ""
    low, high = min(shown), max(shown)
    span = (high - low) or 1
    return "".join(" " if v is None or (isinstance(v, float) and math.isnan(v))
                   else BARS[round((v - low) / span * (len(BARS) - 1))] if high > low else BARS[3] for v in values)


def _change(sheet: Worksheet, formats: Formats, row: int, kpi: Kpi) -> None:
    """% change for counts and rates, the change in percentage points for a proportion; n/a or "suppressed" otherwise."""
    if kpi.value_format == "percent" and kpi.change is not None:
        sheet.write_number(row, CHANGE, kpi.change * 100, formats.get(num_format=POINTS))
    elif kpi.percent_change is not None:
        sheet.write_number(row, CHANGE, kpi.percent_change, formats.percent)
    else:
        sheet.write(row, CHANGE, no_percent_change(kpi), formats.centre)


def write_front_page(sheet: Worksheet, formats: Formats, report: Report, rows: Sequence[FrontRow], *, title: str,
                     subject: str, home: str, home_label: str) -> None:
    """One row per KPI under its group's heading; band and direction coloured by rules and written in words."""
    bench = report.benchmark_name
    sheet.set_row(0, 26)
    sheet.write(0, 0, title, formats.title)
    sheet.write(1, 0, f"{subject}: the 12 months {report.current_window} compared with {report.previous_window}",
                formats.subtitle)
    sheet.write(2, 0, f"{produced_words(report)}. The printable front page of the {home_label} sheet, which has every "
                      f"column.", formats.note)
    sheet.write_url(3, 0, internal_link(home), formats.link, string=f"‹ Back to {home_label}")
    headers = ["Indicator", "Current", "Change", "Direction of travel (significance test)",
               f"Compared with {bench} (method in the notes)", TREND_HEADER, "Target status"]
    header_lines = max(wrapped_lines(h, w, formats.theme, bold=True) for h, w in zip(headers, WIDTHS))
    sheet.set_row(FIRST_ROW, row_height(header_lines, formats.theme))
    for col, header in enumerate(headers):
        sheet.write(FIRST_ROW, col, header, formats.header)
    trend_format = formats.get(font_name="DejaVu Sans", font_color=formats.theme.colours.get("title", "#1F3864"))
    row, group = FIRST_ROW + 1, None
    band_ranges: dict[str, list[tuple[int, int, int, int]]] = {}
    directions: list[int] = []
    for item in rows:
        kpi = item.kpi
        if item.group != group:
            group = item.group
            sheet.merge_range(row, 0, row, len(headers) - 1, group, formats.get(bold=True, top=1))
            row += 1
        sheet.write(row, INDICATOR, kpi.name, formats.wrap)
        lines = wrapped_lines(kpi.name, WIDTHS[INDICATOR], formats.theme)
        if lines > 1:
            sheet.set_row(row, row_height(lines, formats.theme))
        current = value_format(formats, kpi.value_format, kpi.rate_per if kpi.value_format == "rate" else None)
        sheet.write(row, CURRENT, _shown(kpi.current, kpi), current if kpi.current is not None else formats.centre)
        _change(sheet, formats, row, kpi)
        sheet.write(row, DIRECTION, ARROWS.get(kpi.direction, kpi.direction), formats.text)
        sheet.write(row, len(headers), kpi.outcome)  # the rule's anchor, hidden, outside the print area
        sheet.write(row, BAND, _shown(kpi.band, kpi) or NOT_AVAILABLE, formats.get(align="left", indent=1))
        sheet.write(row, TREND, bar_text(item.trend), trend_format)
        sheet.write(row, TARGET, kpi.target_status or "", formats.centre)
        band_ranges.setdefault(kpi.polarity, []).append((row, BAND, row, BAND))
        directions.append(row)
        row += 1
    for polarity, ranges in band_ranges.items():
        band_rules(sheet, formats, ranges, polarity)
    outcome_col = len(headers)
    for first in directions:
        outcome_rules(sheet, formats, (first, DIRECTION, first, DIRECTION), outcome_col=outcome_col)
    sheet.set_column(outcome_col, outcome_col, None, None, {"hidden": True})
    notes = [f"Current: the 12 months to {report.current_window.split('– ')[-1]}, or the period the Summary names for "
             f"an indicator with its own periods; change: against the previous period (proportions in percentage "
             f"points). A change is called an increase or reduction only when the test says it is significant.",
             band_method_note(report),
             f"{TREND_HEADER}: each bar is a quarter's figure against the lowest and highest of the eight.",
             *(n for n in (report.suppression_note, report.synthetic_note) if n)]
    width = sum(WIDTHS)
    note_format = formats.get(italic=True, text_wrap=True, font_color=formats.theme.colours.get("muted_text", "#404040"))
    for note in notes:
        row += 1
        sheet.merge_range(row, 0, row, len(headers) - 1, note, note_format)
        sheet.set_row(row, row_height(wrapped_lines(note, width, formats.theme), formats.theme))
    apply_widths(sheet, dict(enumerate(WIDTHS)))
    sheet.print_area(0, 0, row, len(headers) - 1)
    sheet.freeze_panes(FIRST_ROW + 1, 0)
    report_page_setup(sheet, formats, report, repeat_rows=(FIRST_ROW, FIRST_ROW))


def partner_front_rows(report: Report, kpis: Sequence[Kpi]) -> list[FrontRow]:
    """A partner workbook's rows: its KPIs in the Summary's order, each with its series' last quarters."""
    series = {s.indicator_id: [] if s.hidden_quarters else s.quarterly for s in report.series}  # no sparkline of hidden figures
    return [FrontRow(k.priority, k, series.get(k.indicator_id, [])) for k in kpis]
