"""The Comparisons sheet: each charted indicator's rate in every partner area beside the benchmark,
and the partner area's monthly profile with its peak named (only when the peak is significant).

Charts are bound to the two data tables below them, so an in-Excel refresh that rewrites the
tables redraws the charts.
"""
from __future__ import annotations

from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from engine.render.comparator_chart import comparator_bars, comparator_description, comparator_table, comparator_words
from engine.render.formats import Formats
from engine.render.layout import Column, TablePlacement, apply_widths, report_page_setup, section_heading, write_table
from engine.contract.names import SHEET_COMPARISONS, table_name
from engine.render.print_pages import columns_spanning
from engine.render.wrapping import wrapped_note
from engine.report import SUPPRESSED, AreaComparison, IndicatorSeries, Report

CHART_WIDTH = 420  # two side by side print on one A4 landscape page wide at a readable scale
# A chart row is tall enough for every bar's label (up to three lines of 8 points: "Leicestershire / County /
# (benchmark)"; LibreOffice skips every other label when they do not fit), and no taller: for a few partner areas
# two rows of charts share a printed page (at a fixed 400 pixels each had a page of its own, half of it empty).
MIN_CHART_HEIGHT, BAR_PIXELS, CHART_FRAME_PIXELS = 240, 32, 80  # the frame: title, axis and their margins
ROW_PIXELS = 20  # the default row height the charts are laid over
# The published comparators' chart (one, below the district charts): main's fixed size, its rows with a gap.
PUBLISHED_CHART_HEIGHT, PUBLISHED_ROWS = 400, 21
CHART_TOP_PIXELS = 4  # a chart whose frame starts exactly on a page break prints its top edge on the page before
PEER_AVERAGE = "Peer average"


def _rate_header(comparison: AreaComparison) -> str:
    return f"{comparison.name}: rate per {comparison.rate_per:,}"


def has_peer_average(report: Report) -> bool:
    return any(c.peer_average is not None for c in report.comparisons)


def chart_height(report: Report) -> int:
    """Pixels for the bar chart's bars (each area, the benchmark, the peer average) and its frame; the profile
    chart beside it matches."""
    bars = max((len(c.areas) for c in report.comparisons), default=0) + 1 + has_peer_average(report)
    return max(MIN_CHART_HEIGHT, bars * BAR_PIXELS + CHART_FRAME_PIXELS)


def chart_rows(report: Report) -> int:
    """Rows one row of charts covers, with a one-row gap below."""
    return -(-(chart_height(report) + CHART_TOP_PIXELS) // ROW_PIXELS) + 1


def _rates_table(sheet: Worksheet, formats: Formats, report: Report, row: int, widths: dict[int, float]) -> TablePlacement:
    """Partner areas, then the benchmark and (where the Report has one) the peer average × charted indicators' rates."""
    comparisons = report.comparisons
    columns = [Column(report.partner_label, formats.text)] + [Column(_rate_header(c), formats.rate, 14) for c in comparisons]
    areas = comparisons[0].areas
    # A protected build's hidden rate (None) reads the word (right-aligned by the table writer in a number column); its
    # bar is not drawn (see _bar_chart).
    rows = [[area] + [_shown(c.rates[i]) for c in comparisons] for i, area in enumerate(areas)]
    rows.append([f"{report.benchmark_name} (benchmark)"] + [_shown(c.benchmark_rate) for c in comparisons])
    if has_peer_average(report):  # an indicator without one leaves its cell empty: no bar, never a 0
        rows.append([PEER_AVERAGE] + [c.peer_average for c in comparisons])
    placement = write_table(sheet, formats, table_name("comparison_rates"), row, 0, columns, rows, widths)
    return placement


def _shown(rate: float | None) -> float | str:
    return SUPPRESSED if rate is None else rate


def _monthly_table(sheet: Worksheet, formats: Formats, series: list[IndicatorSeries], row: int,
                   widths: dict[int, float]) -> TablePlacement:
    """The partner area's monthly counts in the current window, one column per charted indicator."""
    columns = [Column("Month", formats.month, 11)] + [Column(s.name, formats.count, 14) for s in series]
    rows = [[month] + [SUPPRESSED if s.monthly[i] is None else s.monthly[i] for s in series]
            for i, month in enumerate(series[0].months)]
    placement = write_table(sheet, formats, table_name("monthly_profile"), row, 0, columns, rows, widths)
    return placement


def _bar_chart(workbook: Workbook, formats: Formats, report: Report, comparison: AreaComparison, table: TablePlacement,
               column: int) -> Chart:
    """Horizontal bars, the partner area picked out in the theme's link colour, the benchmark in dark grey,
    the peer average (when the table has it) in the theme's peer-average colour."""
    colours = formats.theme.colours
    highlight, other, benchmark = colours["link"], colours["chart_other"], colours["neutral"]
    points = [{"fill": {"color": highlight if area == report.partner_area else other}} for area in comparison.areas]
    points.append({"fill": {"color": benchmark}})
    cached = [*comparison.rates, comparison.benchmark_rate]
    if has_peer_average(report):
        points.append({"fill": {"color": colours["peer_average"]}})
        cached.append(comparison.peer_average)
    # A hidden rate's cell holds the word, which a chart reads as 0: its bar has no fill, no border and no label, so
    # nothing is drawn (the note above the charts names it).
    hidden = [k for k, value in enumerate(cached) if value is None and k < len(comparison.areas) + 1]
    for k in hidden:
        points[k] = {"fill": {"none": True}, "border": {"none": True}}
    labels = {"value": True, "num_format": "#,##0.0", "font": formats.chart_font(8)}
    if hidden:
        labels["custom"] = [{"delete": True} if k in hidden else None for k in range(len(cached))]
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series({
        "name": _rate_header(comparison),
        "categories": [SHEET_COMPARISONS, table.first_data_row, table.first_col, table.data_last_row, table.first_col],
        "values": [SHEET_COMPARISONS, table.first_data_row, column, table.data_last_row, column],
        "points": points,
        # The cached points previews draw: xlsxwriter would cache an empty peer-average cell as 0.
        "values_data": cached,
        "data_labels": labels,
        "gap": 60,
    })
    chart.set_title({"name": f"{comparison.name}: rate per {comparison.rate_per:,}", "name_font": formats.chart_font(11, bold=True)})
    chart.set_x_axis({"num_format": "#,##0", "num_font": formats.chart_font(8), "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_y_axis({"reverse": True, "num_font": formats.chart_font(8), "interval_unit": 1})  # the category axis
    chart.set_legend({"none": True})
    chart.set_size({"width": CHART_WIDTH, "height": chart_height(report)})
    return chart


def _profile_title(series: IndicatorSeries) -> str:
    peak = f"peak {series.peak.label}" if series.peak else "no significant peak"
    return f"{series.name}: monthly counts ({peak})"


def _profile_chart(workbook: Workbook, formats: Formats, series: IndicatorSeries, table: TablePlacement, column: int,
                   height: int) -> Chart:
    """Columns per month; the peak months, when significant, in the 'worse' colour with a label."""
    colours = formats.theme.colours
    base, peak_colour = "#7F9FBF", colours.get("worse", "#D55E00")
    points = None
    if series.peak:
        points = [{"fill": {"color": peak_colour if series.peak.first <= month <= series.peak.last else base}}
                  for month in series.months]
    chart = workbook.add_chart({"type": "column"})
    chart.add_series({
        "name": series.name,
        "categories": [SHEET_COMPARISONS, table.first_data_row, table.first_col, table.data_last_row, table.first_col],
        "values": [SHEET_COMPARISONS, table.first_data_row, column, table.data_last_row, column],
        "fill": {"color": base},
        "points": points,
        "gap": 40,
    })
    chart.set_title({"name": _profile_title(series), "name_font": formats.chart_font(11, bold=True)})
    chart.set_x_axis({"date_axis": False, "num_format": "mmm yy", "num_font": formats.chart_font(8)})
    chart.set_y_axis({"num_format": "#,##0", "num_font": formats.chart_font(8), "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"none": True})
    chart.set_size({"width": CHART_WIDTH, "height": height})
    return chart


def _descriptions(report: Report, comparison: AreaComparison, series: IndicatorSeries) -> tuple[str, str]:
    """Alt text that says what the chart shows, in numbers, for screen-reader users."""
    own = comparison.areas.index(report.partner_area) if report.partner_area in comparison.areas else None
    own_rate = comparison.rates[own] if own is not None else None
    own_text = f"{report.partner_area} {own_rate:,.1f}, " if own_rate is not None else ""
    benchmark_text = f" {comparison.benchmark_rate:,.1f}" if comparison.benchmark_rate is not None else " (suppressed)"
    peers = f", peer average {comparison.peer_average:,.1f}" if comparison.peer_average is not None else ""
    bar = (f"Bar chart of {comparison.name.lower()} per {comparison.rate_per:,} residents in each "
           f"{report.partner_label.lower()}: {own_text}{report.benchmark_name}{benchmark_text}{peers}.")
    # Only a shown month can be the busiest: a hidden one (None) tied with shown zeros was picked and printed.
    busiest = max((i for i, v in enumerate(series.monthly) if v is not None), key=lambda i: series.monthly[i],
                  default=None)
    highest = "" if busiest is None else f"highest {series.monthly[busiest]:,} in {series.months[busiest]:%B %Y}; "
    profile = (f"Column chart of monthly {series.unit} in {report.partner_area}, {series.months[0]:%B %Y} to "
               f"{series.months[-1]:%B %Y}; {highest}"
               + (f"significant peak {series.peak.label}." if series.peak else "no significant peak."))
    return bar, profile


def _published(workbook: Workbook, sheet: Worksheet, formats: Formats, report: Report, top: int,
               table: TablePlacement, last_col: int, widths: dict[int, float]) -> None:
    """The spec's published comparators at ``top``: the bars, bound to ``table``, and the words beside them up to
    ``last_col`` (the printed width)."""
    chart = report.comparators
    sheet.write(top, 0, chart.title, formats.heading)
    sheet.insert_chart(top + 1, 0, comparator_bars(workbook, formats, chart, table, CHART_WIDTH, PUBLISHED_CHART_HEIGHT),
                       {"description": comparator_description(chart, report.partner_area), "object_position": 3})
    words_first = min(columns_spanning(sheet, CHART_WIDTH + 20) + 1, last_col)
    comparator_words(sheet, formats, chart, top + 1, words_first, last_col, widths)


def _undrawn_profiles(report: Report, charted: list[IndicatorSeries]) -> str:
    """Why a protected build draws no monthly profile of an indicator with a hidden month (a chart would draw it as
    0), and what the word in the tables means, when any figure on the sheet is hidden."""
    names = [s.name for s in charted if s.suppressed]
    words = (f"The monthly {'profiles' if len(names) > 1 else 'profile'} of {', '.join(names)} "
             f"{'are' if len(names) > 1 else 'is'} not drawn: a hidden month would read as 0 (the monthly counts "
             f"in the chart data under the charts, which is not printed, read '{SUPPRESSED}').") if names else ""
    if names or report.left_out_comparisons:
        words = " ".join(filter(None, [words, report.suppression_note]))
    return words


def write_comparisons(workbook: Workbook, sheet: Worksheet, report: Report, formats: Formats) -> None:
    section_heading(sheet, formats, f"Comparisons — {report.partner_area}")
    left_out = " ".join(report.left_out_comparisons)
    if not report.comparisons and report.comparators is None:
        if left_out:
            wrapped_note(sheet, formats, 3, 0, columns_spanning(sheet, 2 * CHART_WIDTH + 20), left_out, {})
        else:
            sheet.write(3, 0, "The spec charts no indicators.", formats.note)
        report_page_setup(sheet, formats, report)
        return
    by_id = {s.indicator_id: s for s in report.series}
    charted = [by_id[c.indicator_id] for c in report.comparisons]
    chart_top = 4
    rows_each = chart_rows(report)
    published_top = chart_top + rows_each * len(report.comparisons)
    data_row = published_top + (PUBLISHED_ROWS + 1 if report.comparators is not None else 0) + 1
    widths: dict[int, float] = {}
    sheet.write(data_row, 0, "Chart data", formats.heading)
    next_row = data_row + 2
    if report.comparisons:
        rates = _rates_table(sheet, formats, report, data_row + 1, widths)
        monthly_row = rates.last_row + 3
        sheet.write(monthly_row - 1, 0, f"Monthly counts, {report.partner_area}", formats.heading)
        monthly = _monthly_table(sheet, formats, charted, monthly_row, widths)
        next_row = monthly.last_row + 3
    if report.comparators is not None:
        sheet.write(next_row - 1, 0, f"{report.comparators.title}, {report.comparators.period}", formats.heading)
        published = comparator_table(sheet, formats, report.comparators, next_row, widths)
    apply_widths(sheet, widths)
    charts_last_col = columns_spanning(sheet, 2 * CHART_WIDTH + 20)  # what prints: the charts (the data stay on screen)
    breaks = []
    if report.comparisons:
        peers = ", the peer average the last bar" if has_peer_average(report) else ""
        wrapped_note(sheet, formats, 2, 0, charts_last_col,
                     f"Rates for {report.current_window}: {report.partner_area} is highlighted, {report.benchmark_name} is "
                     f"the darkest bar{peers}. A peak is named only when its three months are significantly busier than "
                     f"a flat year (exact binomial test).", widths)
    undrawn = _undrawn_profiles(report, charted)
    if left_out or undrawn:  # between the sheet's note and the first chart, where the missing charts would have been
        wrapped_note(sheet, formats, 3, 0, charts_last_col, " ".join(filter(None, [left_out, undrawn])), widths)
    for position, (comparison, series) in enumerate(zip(report.comparisons, charted)):
        row = chart_top + rows_each * position
        breaks.append(row)
        bar_text, profile_text = _descriptions(report, comparison, series)
        if any(r is not None for r in (*comparison.rates, comparison.benchmark_rate)):  # all hidden: no empty frame
            sheet.insert_chart(row, 0, _bar_chart(workbook, formats, report, comparison, rates,
                                                  rates.first_col + 1 + position),
                               {"description": bar_text, "object_position": 3, "y_offset": CHART_TOP_PIXELS})
        if not series.suppressed:  # a chart would draw a hidden month as 0: its table says "suppressed" instead
            sheet.insert_chart(row, 0, _profile_chart(workbook, formats, series, monthly, monthly.first_col + 1 + position,
                                                      chart_height(report)),
                               {"description": profile_text, "object_position": 3, "x_offset": CHART_WIDTH + 20,
                                "y_offset": CHART_TOP_PIXELS})
    if report.comparators is not None:
        breaks.append(published_top)
        _published(workbook, sheet, formats, report, published_top, published, charts_last_col, widths)
    report_page_setup(sheet, formats, report, keep_together=breaks, print_area=(0, 0, data_row - 1, charts_last_col))
