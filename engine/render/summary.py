"""The Summary sheet: every KPI, grouped by priority, with direction of travel and comparison."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.layout import Column, apply_widths, band_rules, outcome_rules, page_setup, write_table
from engine.render.names import SHEET_METHODOLOGY, SHEET_TOP, SHEET_TRENDS, internal_link, table_name
from engine.report import SUPPRESSED, Kpi, Report

ARROWS = {"Increase (significant)": "▲ Increase (significant)", "Reduction (significant)": "▼ Reduction (significant)",
          "No significant change": "► No significant change"}
TABLE_FIRST_ROW = 6
BAND_COLUMN = 11  # the "Comparison with" column, last in the table


def ordered_kpis(report: Report) -> list[Kpi]:
    """KPIs grouped by priority (in the spec's order of first appearance), spec order within."""
    rank = {p: i for i, p in enumerate(report.priorities)}
    return sorted(report.kpis, key=lambda k: rank.get(k.priority, len(rank)))


def write_summary(sheet: Worksheet, report: Report, formats: Formats, top_rows: dict[str, int]) -> None:
    sheet.set_row(0, 26)
    sheet.write(0, 0, report.title, formats.title)
    sheet.write(1, 0, f"{report.partner_area}: the 12 months {report.current_window} compared with {report.previous_window}",
                formats.subtitle)
    sheet.write(2, 0, f"Benchmark: {report.benchmark_name}. Produced {report.generated:%d/%m/%Y}.", formats.note)
    sheet.write(3, 0, "Go to:", formats.bold)
    for offset, (label, target) in enumerate((("Top 10 areas", SHEET_TOP), ("Trends", SHEET_TRENDS),
                                              ("Methodology", SHEET_METHODOLOGY))):
        sheet.write_url(3, 1 + offset, internal_link(target), formats.link, string=label)
    sheet.write(5, 0, "Key performance indicators", formats.heading)

    kpis = ordered_kpis(report)
    multipliers = {k.rate_per for k in kpis}
    rate_header = f"Rate per {next(iter(multipliers)):,}" if len(multipliers) == 1 else "Rate"
    bench = report.benchmark_name
    columns = [
        Column("Priority", formats.text), Column("Indicator", formats.text),
        Column("Previous 12 months", formats.count, 11), Column("Current 12 months", formats.count, 11),
        Column("Change", formats.change, 9), Column("% change", formats.percent, 9),
        Column("Direction of travel", formats.text, 25), Column("Better or worse", formats.centre, 9),
        Column(rate_header, formats.rate, 9), Column(f"{bench} {rate_header.lower()}", formats.rate, 13),
        Column(f"Rank among {report.partner_label.lower()}s (1 = lowest rate)", formats.centre, 15),
        Column(f"Comparison with {bench}", formats.text, 26),
    ]
    rows = [[k.priority, k.name, _shown(k.previous), _shown(k.current), _shown(k.change),
             k.percent_change if k.percent_change is not None else (SUPPRESSED if k.change is None else "n/a"),
             ARROWS[k.direction], k.outcome, _shown(k.rate), k.benchmark_rate, k.peer_rank_text, _shown(k.band)]
            for k in kpis]
    widths: dict[int, float] = {}
    placement = write_table(sheet, formats, table_name("summary"), TABLE_FIRST_ROW, 0, columns, rows, widths)
    for offset, kpi in enumerate(kpis):
        if kpi.indicator_id in top_rows:
            sheet.write_url(placement.first_data_row + offset, 1,
                            internal_link(SHEET_TOP, top_rows[kpi.indicator_id]), formats.link, string=kpi.name)
    for first, last, polarity in _polarity_runs(kpis):
        band_rules(sheet, formats, (placement.first_data_row + first, BAND_COLUMN, placement.first_data_row + last,
                                    BAND_COLUMN), polarity)
    outcome_rules(sheet, formats, placement.column_range(6), outcome_col=7)
    sheet.set_row(TABLE_FIRST_ROW, 30)
    apply_widths(sheet, widths)
    sheet.freeze_panes(TABLE_FIRST_ROW + 1, 2)
    sheet.write(placement.last_row + 2, 0, "Indicator names link to their top 10 areas. Direction of travel compares "
                "the current 12 months with the previous 12 and says whether the change is statistically significant; "
                "'Better or worse' applies each indicator's polarity (methods on the Methodology sheet).",
                formats.note)
    if report.suppression_note:
        sheet.write(placement.last_row + 3, 0, report.suppression_note, formats.note)
    page_setup(sheet, formats, f"{report.title} — {report.partner_area}", f"Produced {report.generated:%d/%m/%Y}",
               repeat_rows=(TABLE_FIRST_ROW, TABLE_FIRST_ROW))
    sheet.activate()


def _shown(value):
    """A number, or the suppression symbol where it is hidden."""
    return SUPPRESSED if value is None else value


def _polarity_runs(kpis: list[Kpi]) -> list[tuple[int, int, str]]:
    """Consecutive rows sharing a polarity, so each run gets band colours the right way round."""
    runs: list[tuple[int, int, str]] = []
    for position, kpi in enumerate(kpis):
        if runs and runs[-1][2] == kpi.polarity:
            runs[-1] = (runs[-1][0], position, kpi.polarity)
        else:
            runs.append((position, position, kpi.polarity))
    return runs
