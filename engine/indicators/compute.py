"""Spec + tidy inputs -> one Report per partner area. No I/O, no Excel.

Everything is computed for all small areas and all partner areas at once (numpy), then sliced
per partner: nine workbooks cost little more than one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from engine import __version__
from engine.errors import DataError, Problem, SpecError
from engine.indicators.counts import count_matrix, indicator_mask
from engine.indicators.methodology import methodology_notes
from engine.indicators.periods import ReportPeriods, generated_timestamp, report_periods, resolve_period_end
from engine.ingest import Inputs
from engine.months import month_of, month_text, year_of
from engine.report import Kpi, Report, TopAreaRow, TopAreaTable, TrendRow, TrendTable
from engine.spec.models import Indicator, Spec
from engine.stats import BAND_LABELS, band_codes


@dataclass(frozen=True)
class IndicatorCounts:
    """One indicator's counts over the report's months, for every small area."""

    indicator: Indicator
    by_month: np.ndarray  # [small area, month − first_month]


def _data_months(inputs: Inputs) -> tuple[int, int]:
    months = set().union(*(s.months_present for s in inputs.sources.values()))
    months.discard(-1)
    if not months:
        raise DataError("the sources hold no rows with a month")
    return min(months), max(months)


def _check_coverage(inputs: Inputs, periods: ReportPeriods, spec_file: str, first: int, latest: int,
                    overridden: bool) -> None:
    """The windows must lie inside the data, and no month inside them may be missing."""
    where = "--period-end" if overridden else "periods.period_end"
    if periods.end > latest:
        raise SpecError(Problem(f"period end {month_text(periods.end)} is after the latest month in the data "
                                f"({month_text(latest)})", file=spec_file, key_path=where))
    if periods.previous.first < first:
        raise SpecError(Problem(f"period end {month_text(periods.end)} needs data from {month_text(periods.previous.first)} "
                                f"for the previous window, but the data starts in {month_text(first)}",
                                file=spec_file, key_path=where))
    problems = []
    for source in inputs.sources.values():
        present = source.months_present
        gaps = [m for m in range(max(first, periods.first_needed), periods.end + 1) if m not in present]
        if gaps:
            problems.append(Problem(f"no rows for {', '.join(month_text(m) for m in gaps[:12])}: a month is missing "
                                    f"from the data, so the windows would undercount", file=str(source.path)))
    if problems:
        raise DataError(problems)


def _direction(change: int) -> str:
    return "Increase" if change > 0 else "Reduction" if change < 0 else "No change"


def _outcome(change: int, polarity: str) -> str:
    if change == 0:
        return "Same"
    if polarity == "neither":
        return "Neither"
    return "Worse" if (change > 0) == (polarity == "higher_is_worse") else "Better"


def _window_sum(counts: IndicatorCounts, first_month: int, window_first: int, window_last: int) -> np.ndarray:
    lo, hi = max(window_first - first_month, 0), window_last - first_month + 1
    return counts.by_month[:, lo:hi].sum(axis=1)


def _top_tables(spec: Spec, inputs: Inputs, counts: IndicatorCounts, current: np.ndarray,
                benchmark_rate: float) -> list[TopAreaTable]:
    """Each partner area's highest small areas for one indicator, banded against the benchmark."""
    geo = inputs.geography
    indicator = counts.indicator
    population = geo.small_area_population
    rate = current / population * indicator.rate_per
    bands = band_codes(current, population, benchmark_rate, spec.banding_for(indicator).levels, indicator.rate_per)
    if indicator.top.rank_by == "count":
        primary, secondary = current, rate
    else:
        primary, secondary = rate, current
    # lexsort: last key sorts first -> partner, then -primary, then -secondary, then name.
    order = np.lexsort((geo.small_area_names, -secondary, -primary, geo.small_area_partner))
    tables = []
    for partner in range(len(geo.partner_names)):
        picked = [i for i in order if geo.small_area_partner[i] == partner and current[i] > 0][: indicator.top.n]
        rows = [TopAreaRow(rank + 1, str(geo.partner_names[partner]), str(geo.small_area_codes[i]),
                           str(geo.small_area_names[i]), int(current[i]), float(rate[i]), BAND_LABELS[int(bands[i])])
                for rank, i in enumerate(picked)]
        tables.append(TopAreaTable(indicator.id, indicator.name, indicator.unit, indicator.top.rank_by,
                                   indicator.rate_per, benchmark_rate, rows, indicator.polarity))
    return tables


def _trend_table(spec: Spec, periods: ReportPeriods, all_counts: dict[str, IndicatorCounts],
                 first_month: int, partner_of: np.ndarray, n_partners: int) -> list[TrendTable] | None:
    """Category × financial year per partner area; the Grand Total is the sum of the rows."""
    if spec.trend_table is None or not periods.years:
        return None
    columns = [y.label + ("" if y.covered_months == 12 else f" ({y.covered_months} of 12 months)") for y in periods.years]
    notes = [f"{y.label} covers {y.window.label}; the data holds {y.covered_months} of its 12 months."
             for y in periods.years if y.covered_months < 12]
    first_shown = max(periods.years[0].window.first, first_month)
    months = [dt.date(year_of(m), month_of(m), 1) for m in range(first_shown, periods.end + 1)]
    by_partner: list[list[TrendRow]] = [[] for _ in range(n_partners)]
    for indicator_id in spec.trend_table.rows:
        counts = all_counts[indicator_id]
        per_year = np.stack([_window_sum(counts, first_month, y.window.first, min(y.window.last, periods.end))
                             for y in periods.years], axis=1)
        partner_years = _sum_by_partner(per_year, partner_of, n_partners)
        partner_months = _sum_by_partner(counts.by_month[:, first_shown - first_month:], partner_of, n_partners)
        for p in range(n_partners):
            by_partner[p].append(TrendRow(indicator_id, counts.indicator.name, partner_years[p].tolist(),
                                          partner_months[p].tolist()))
    return [TrendTable(spec.trend_table.title, columns, rows, [int(sum(col)) for col in zip(*(r.values for r in rows))],
                       notes, months)
            for rows in by_partner]


def _sum_by_partner(values: np.ndarray, partner_of: np.ndarray, n_partners: int) -> np.ndarray:
    """Sum small-area rows of ``values`` (counts, any trailing shape) into partner-area rows, as integers."""
    totals = np.zeros((n_partners,) + values.shape[1:], dtype=np.int64)
    np.add.at(totals, partner_of, values)
    return totals


def build_reports(spec: Spec, inputs: Inputs, spec_file: str, period_end: str | None = None) -> list[Report]:
    """Every partner area's Report, in partner-name order."""
    first_data, latest = _data_months(inputs)
    end = resolve_period_end(spec.periods, period_end, latest, spec_file)
    periods = report_periods(spec.periods, end, first_data)
    _check_coverage(inputs, periods, spec_file, first_data, latest, overridden=period_end is not None)

    geo = inputs.geography
    first_month = max(periods.first_needed, first_data)
    n_months = end - first_month + 1
    n_partners = len(geo.partner_names)
    all_counts = {
        indicator.id: IndicatorCounts(indicator, count_matrix(
            inputs.sources[indicator.source], indicator_mask(inputs.sources[indicator.source], indicator),
            first_month, n_months, len(geo.small_area_codes)))
        for indicator in spec.indicators
    }

    partner_population = geo.partner_population
    kpis: list[list[Kpi]] = [[] for _ in range(n_partners)]
    tops: list[list[TopAreaTable]] = [[] for _ in range(n_partners)]
    for indicator in spec.indicators:
        counts = all_counts[indicator.id]
        current = _window_sum(counts, first_month, periods.current.first, periods.current.last)
        previous = _window_sum(counts, first_month, periods.previous.first, periods.previous.last)
        partner_current = _sum_by_partner(current, geo.small_area_partner, n_partners)
        partner_previous = _sum_by_partner(previous, geo.small_area_partner, n_partners)
        benchmark_rate = float(current.sum()) / geo.benchmark_population * indicator.rate_per
        partner_bands = band_codes(partner_current, partner_population, benchmark_rate,
                                   spec.banding_for(indicator).levels, indicator.rate_per)
        for p in range(n_partners):
            change = int(partner_current[p] - partner_previous[p])
            kpis[p].append(Kpi(
                indicator.id, indicator.name, indicator.priority, indicator.unit,
                int(partner_previous[p]), int(partner_current[p]), change,
                float(change / partner_previous[p]) if partner_previous[p] else None,
                _direction(change), _outcome(change, indicator.polarity),
                float(partner_current[p] / partner_population[p] * indicator.rate_per), benchmark_rate,
                BAND_LABELS[int(partner_bands[p])], indicator.rate_per, indicator.polarity))
        for p, table in enumerate(_top_tables(spec, inputs, counts, current, benchmark_rate)):
            tops[p].append(table)

    trends = _trend_table(spec, periods, all_counts, first_month, geo.small_area_partner, n_partners)
    notes = methodology_notes(spec, inputs, periods)
    generated = generated_timestamp(end)
    priorities = list(dict.fromkeys(i.priority for i in spec.indicators))
    issues = inputs.issues.detail(spec.quality.detail_rows)
    issue_count = len(inputs.issues.frame())
    return [
        Report(
            title=spec.title, organisation=spec.organisation, partner_area=str(geo.partner_names[p]),
            partner_label=geo.partner_label, small_area_label=geo.small_area_label, benchmark_name=geo.benchmark_name,
            period_end=month_text(end), current_window=periods.current.label, previous_window=periods.previous.label,
            generated=generated, kpis=kpis[p], top_tables=tops[p], trend=trends[p] if trends else None,
            methodology=notes, quality=list(inputs.quality), attribution=spec.attribution, spec_version=spec.spec_version,
            engine_version=__version__, theme=spec.theme, priorities=priorities,
            quality_issues=issues, quality_issue_count=issue_count,
        )
        for p in range(n_partners)
    ]
