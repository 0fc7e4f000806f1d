"""The Trends sheet: category × financial year with a Grand Total, and a monthly line chart."""
from __future__ import annotations

from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from engine.render.formats import PERCENT, RATE, Formats
from engine.render.layout import Column, TablePlacement, apply_widths, report_page_setup, section_heading, write_table
from engine.contract.names import SHEET_TRENDS, table_name
from engine.render.print_pages import columns_spanning
from engine.render.seasonality import write_seasonality
from engine.report import NOT_AVAILABLE, SUPPRESSED, Report, TrendTable
from engine.render.wrapping import wrapped_note

TABLE_FIRST_ROW = 4
CHART_ROWS = 20  # rows the chart covers at the default row height
CHART_WIDTH = 900  # pixels: the monthly chart, and the notes above it
YEAR_WIDTH = 12  # a partial year's label wraps onto a second header line: the count columns stay even
# The label column wraps long names: at the width of the longest one, the sheet printed across two pages wide,
# the second holding a column or two of numbers.
LABEL_WIDTH = 26


def _write_monthly(sheet: Worksheet, formats: Formats, trend: TrendTable, row: int, widths: dict[int, float]) -> TablePlacement:
    """The same categories month by month: the chart's data, and a table analysts can reuse."""
    sheet.write(row, 0, "Monthly counts", formats.heading)
    columns = ([Column("Month", formats.month, 11)] + [Column(r.name, formats.count, YEAR_WIDTH) for r in trend.rows]
               + [Column("Total", formats.count, 10)])
    rows = [[month] + [_shown(r.monthly[i]) for r in trend.rows] + [_shown(trend.monthly_totals[i])]
            for i, month in enumerate(trend.months)]
    placement = write_table(sheet, formats, table_name("trend_monthly"), row + 1, 0, columns, rows, widths)
    return placement


def _shown(value: int | None) -> int | str:
    """A count, or the suppression symbol where it is hidden."""
    return SUPPRESSED if value is None else value


def _monthly_chart(workbook: Workbook, formats: Formats, trend: TrendTable, table: TablePlacement,
                   partner_area: str) -> Chart:
    """A line per category over the months, bound to the monthly table's columns; a category with a hidden month is
    left out (its cell reads 'suppressed', which a line chart draws as 0)."""
    chart = workbook.add_chart({"type": "line"})
    for offset in _drawn(trend):
        col = table.first_col + 1 + offset
        chart.add_series({
            "name": [SHEET_TRENDS, table.first_row, col],
            "categories": [SHEET_TRENDS, table.first_data_row, table.first_col, table.data_last_row, table.first_col],
            "values": [SHEET_TRENDS, table.first_data_row, col, table.data_last_row, col],
            "marker": {"type": "none"},
            "line": {"width": 2.25},
        })
    chart.set_title({"name": f"{trend.title}: monthly counts, {partner_area}", "name_font": formats.chart_font(12, bold=True)})
    chart.set_y_axis({"name": "Count per month", "name_font": formats.chart_font(9, bold=True), "num_format": "#,##0",
                      "num_font": formats.chart_font(8),
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"date_axis": True, "num_format": "mmm yy", "major_unit": 3, "major_unit_type": "months",
                      "num_font": formats.chart_font(8)})
    chart.set_legend({"position": "bottom", "font": formats.chart_font(9)})
    chart.set_size({"width": CHART_WIDTH, "height": CHART_ROWS * 20})
    return chart


def _drawn(trend: TrendTable) -> list[int]:
    """The trend rows the monthly chart draws: those with no hidden month."""
    return [k for k, r in enumerate(trend.rows) if None not in r.monthly]


def _undrawn_note(trend: TrendTable) -> list[str]:
    """Why the monthly chart has no line for some categories (a protected build's hidden months)."""
    gone = [r.name for k, r in enumerate(trend.rows) if k not in _drawn(trend)]
    if not gone:
        return []
    names = ", ".join(gone[:-1]) + (" and " if len(gone) > 1 else "") + gone[-1]
    return [f"{names} {'are' if len(gone) > 1 else 'is'} left out of this protected workbook's chart because some of "
            f"{'their' if len(gone) > 1 else 'its'} months are hidden: the chart would draw them as 0 (the Monthly "
            f"counts table below reads '{SUPPRESSED}')."]


def _chart_description(trend: TrendTable, partner_area: str) -> str:
    return (f"Line chart of monthly counts in {partner_area}, {trend.months[0]:%B %Y} to {trend.months[-1]:%B %Y}, "
            f"one line per category: {', '.join(trend.rows[k].name for k in _drawn(trend))}.")


QuarterRows = dict[str, tuple[int, int, int, int]]  # indicator id -> (first row, first col, last row, last col)


def _write_quarterly(sheet: Worksheet, formats: Formats, report: Report, row: int, widths: dict[int, float]) -> QuarterRows:
    """Every indicator's rolling quarters (and the source's own periods for those compared period on period):
    the data behind the Summary's sparklines."""
    series = [s for s in report.series if s.rolling]
    if not series:
        return _write_own_periods(sheet, formats, report, row, widths)
    what = "counts" if all(s.value_format == "count" for s in series) else "figures"  # proportions show as %
    sheet.write(row, 0, f"Quarterly {what} (rolling quarters to the period end)", formats.heading)
    columns = ([Column("Indicator", formats.wrap, LABEL_WIDTH)]
               + [Column(label, formats.count, YEAR_WIDTH) for label in series[0].quarter_labels])
    rows = [[s.name] + [SUPPRESSED if i in s.hidden_quarters else q if q is not None else NOT_AVAILABLE
                        for i, q in enumerate(s.quarterly)] for s in series]
    placement = write_table(sheet, formats, table_name("trend_quarterly"), row + 1, 0, columns, rows, widths)
    for offset, s in enumerate(series):
        if s.value_format != "count":  # proportions and rates: their own number format, row by row
            for col, value in enumerate(s.quarterly, start=placement.first_col + 1):
                if value is not None:
                    sheet.write_number(placement.first_data_row + offset, col, value, value_format(formats, s.value_format))
    where = {s.indicator_id: (placement.first_data_row + i, placement.first_col + 1, placement.first_data_row + i,
                              placement.last_col) for i, s in enumerate(series) if not s.hidden_quarters}
    return where | _write_own_periods(sheet, formats, report, placement.last_row + 3, widths)


def value_format(formats: Formats, kind: str, per: int | None = None) -> Format:
    """A KPI figure's number format: 12.3% for proportions, 24.9 for rates (with "per 100,000" when ``per``
    is given, for a rate whose multiplier differs from its column's), 1,234 for counts."""
    if kind == "percent":
        return formats.get(num_format=PERCENT)
    if kind == "rate":
        return formats.get(num_format=f'{RATE}" per {per:,}"') if per else formats.rate
    return formats.count


def _write_own_periods(sheet: Worksheet, formats: Formats, report: Report, row: int,
                       widths: dict[int, float]) -> QuarterRows:
    """Indicators compared period on period: each one's last periods (quarters, financial years), one row each."""
    series = [s for s in report.series if not s.rolling and s.quarterly]  # a snapshot has no periods to show
    if not series:
        return {}
    sheet.write(row, 0, "Latest periods of indicators compared period on period (the source's own quarters or years)",
                formats.heading)
    rows = [[s.name, label, value if value is not None else NOT_AVAILABLE]
            for s in series for label, value in zip(s.quarter_labels, s.quarterly)]
    columns = [Column("Indicator", formats.wrap, LABEL_WIDTH), Column("Period", formats.text, 14),
               Column("Value", formats.count, 12)]
    placement = write_table(sheet, formats, table_name("trend_periods"), row + 1, 0, columns, rows, widths)
    where: QuarterRows = {}
    first = placement.first_data_row
    for s in series:
        last = first + len(s.quarterly) - 1
        for offset, value in enumerate(s.quarterly):
            if value is not None:
                sheet.write_number(first + offset, placement.first_col + 2, value, value_format(formats, s.value_format))
        where[s.indicator_id] = (first, placement.first_col + 2, last, placement.first_col + 2)
        first = last + 1
    return where


def write_trends(workbook: Workbook, sheet: Worksheet, report: Report, formats: Formats) -> QuarterRows:
    """Write the sheet; return where each indicator's quarterly counts are (for the Summary's sparklines)."""
    trend = report.trend
    section_heading(sheet, formats, f"{trend.title if trend else 'Trends'} — {report.partner_area}")
    widths: dict[int, float] = {}
    if trend is None:
        sheet.write(3, 0, "The spec defines no trend table.", formats.note)
        quarters = _write_quarterly(sheet, formats, report, 5, widths) if report.series else {}
        sheet.set_h_pagebreaks(write_seasonality(workbook, sheet, report, formats, sheet.dim_rowmax + 3, widths))
        apply_widths(sheet, widths)
        report_page_setup(sheet, formats, report)
        return quarters
    sheet.write(2, 0, "Counts by financial year; the Grand Total is the sum of the categories.", formats.note)
    # With a hidden cell an Excel SUBTOTAL would add up only what is shown: write the totals as values then.
    hidden = any(v is None for r in trend.rows for v in r.values)
    columns = [Column("Category", formats.wrap, LABEL_WIDTH)] + [Column(label, formats.count, YEAR_WIDTH,
                                                           total=None if hidden else "sum")
                                                    for label in trend.columns]
    rows = [[r.name] + [_shown(v) for v in r.values] for r in trend.rows]
    placement = write_table(sheet, formats, table_name("trend"), TABLE_FIRST_ROW, 0, columns, rows, widths,
                            totals=["Grand Total"] + [_shown(v) for v in trend.grand_total])
    sheet.freeze_panes(TABLE_FIRST_ROW + 1, 1)
    note_row = placement.last_row + 2
    notes = trend.notes + ([report.suppression_note] if report.suppression_note else []) + _undrawn_note(trend)

    chart_row = note_row + len(notes) + 1
    monthly_row = chart_row + (CHART_ROWS + 1 if _drawn(trend) else 0)  # no line to draw: no chart, no gap
    monthly = _write_monthly(sheet, formats, trend, monthly_row, widths)
    quarterly_row = monthly.last_row + 3
    quarters = _write_quarterly(sheet, formats, report, quarterly_row, widths) if report.series else {}
    seasonal_rows = write_seasonality(workbook, sheet, report, formats, sheet.dim_rowmax + 3, widths)
    apply_widths(sheet, widths)
    for offset, note in enumerate(notes):  # wrapped as wide as the chart, once every column has its width
        wrapped_note(sheet, formats, note_row + offset, 0, columns_spanning(sheet, CHART_WIDTH), note, widths)
    if _drawn(trend):
        sheet.insert_chart(chart_row, 0, _monthly_chart(workbook, formats, trend, monthly, report.partner_area),
                           {"description": _chart_description(trend, report.partner_area), "object_position": 3})
    report_page_setup(sheet, formats, report, keep_together=[chart_row, monthly_row, quarterly_row, *seasonal_rows])
    return quarters
