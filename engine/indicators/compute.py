"""Spec + tidy inputs -> one Report per partner area. No I/O, no Excel.

Everything is computed for all small areas and all partner areas at once (numpy), then sliced
per partner: nine workbooks cost little more than one.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from engine import __version__
from engine.errors import DataError, Problem, SpecError
from engine.indicators.comparators import with_comparators
from engine.indicators.hotspots import with_hotspots
from engine.indicators.findings.area_groups import area_group_findings
from engine.indicators.counted.area_groups import area_group_tables
from engine.indicators.profiles.breakdowns import breakdown_tables, breakdown_window
from engine.indicators.counted.comparison_areas import comparison_positions, shown_areas
from engine.indicators.counted.comparisons import area_comparison
from engine.indicators.counted.counts import count_matrix, indicator_mask
from engine.indicators.disclosure import Layout, event_kinds, hidden_numbers
from engine.indicators.findings.key_findings import GROUP_WHO, key_findings
from engine.indicators.counted.maps import partner_map_sets
from engine.indicators.measured.measures import (counted_spec, measured_indicators, merged_series, period_sources,
                                       withheld_sources)
from engine.indicators.methodology import methodology_notes, synthetic_note
from engine.indicators.counted.peer_groups import peer_group_results, with_peer_averages, with_peer_group
from engine.indicators.counted.seasonality import SeasonalCounts, seasonal_counts, seasonal_table, year_starts
from engine.indicators.periods import ReportPeriods, generated_timestamp, report_periods, resolve_period_end
from engine.indicators.series import partner_series
from engine.indicators.targets import with_target
from engine.indicators.travel import DIRECTIONS, change_test
from engine.indicators.travel import outcome as _outcome
from engine.indicators.measured.missing_cells import missing_figures, missing_share_problems, unplaced_sources
from engine.ingest import PARTNER_AREA, Inputs
from engine.ingest.issues import issue_owners
from engine.months import month_of, month_text, year_of
from engine.quality import QualityNote
from engine.report import SUPPRESSED, AreaComparison, AreaGroupTable, Breakdown, IndicatorSeries, Kpi, Report, TopAreaRow, TopAreaTable, TrendRow, TrendTable
from engine.spec.models import Indicator, Spec
from engine.stats import (BAND_LABELS, PEER_LABELS, band_codes, peer_comparison, peer_ranks, quartiles, rates,
                          reference_mean_sd, sd_band_codes)


@dataclass(frozen=True)
class IndicatorCounts:
    """One indicator's counts over the report's months, for every place its source records.

    Places are small areas, or partner areas for extracts that record only the district
    (``by_partner``); ``partner_of`` and ``population`` are aligned with the places either way,
    so everything downstream sums places into partner areas the same way.
    """

    indicator: Indicator
    by_month: np.ndarray  # [place, month − first_month]
    partner_of: np.ndarray  # each place's partner-area index
    population: np.ndarray  # each place's population
    by_partner: bool = False  # places are the partner areas themselves: no small-area detail (no top 10)


def _indicator_counts(indicator: Indicator, inputs: Inputs, mask: np.ndarray, first_month: int,
                      n_months: int) -> IndicatorCounts:
    """The indicator's place × month counts, at the level its source records (small or partner areas)."""
    geo = inputs.geography
    source = inputs.sources[indicator.source]
    if source.level == PARTNER_AREA:
        n = len(geo.partner_names)
        return IndicatorCounts(indicator, count_matrix(source, mask, first_month, n_months, n), np.arange(n),
                               geo.partner_population, by_partner=True)
    return IndicatorCounts(indicator, count_matrix(source, mask, first_month, n_months, len(geo.small_area_codes)),
                           geo.small_area_partner, geo.small_area_population)


def _data_months(inputs: Inputs, counted: set[str]) -> tuple[int, int]:
    """First and latest month of the sources indicators count (a breakdown's own extract does not move
    the period end; its window is checked where it is used); a quarter or year covers all its months."""
    months = set().union(*(s.months_covered for name, s in inputs.sources.items() if name in counted))
    if not months:
        raise DataError("the sources hold no rows with a month")
    return min(months), max(months)


def _check_coverage(inputs: Inputs, periods: ReportPeriods, spec_file: str, first: int, latest: int,
                    overridden: bool, counted: set[str]) -> None:
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
    for name, source in inputs.sources.items():
        if not source.dated or name not in counted:
            continue
        gaps = source.missing_periods(max(first, periods.windows_first), periods.end)
        if gaps:
            word = source.period_word
            which = "" if source.period_months == 1 else f"the {word}s ending "
            problems.append(Problem(f"no rows for {which}{', '.join(month_text(m) for m in gaps[:12])}: a {word} the "
                                    f"windows need is missing from the data, so they would undercount (the windows "
                                    f"end {month_text(periods.end)}: choose another period end, or supply the missing "
                                    f"files)", file=str(source.path), key_path=where))
    if problems:
        raise DataError(problems)


def _trend_only_gaps(inputs: Inputs, periods: ReportPeriods, first: int, counted: set[str]) -> set[int]:
    """Months needed only by the financial-year trend that some counted source lacks (a quarter or year
    lacking counts all its months): those years are shown as partial, never as if complete."""
    gaps: set[int] = set()
    for name, source in inputs.sources.items():
        if source.dated and name in counted and max(first, periods.first_needed) < periods.windows_first:
            for last in source.missing_periods(max(first, periods.first_needed), periods.windows_first - 1):
                gaps.update(range(max(last - source.period_months + 1, first), last + 1))
    return gaps


def _window_sum(counts: IndicatorCounts, first_month: int, window_first: int, window_last: int) -> np.ndarray:
    lo, hi = max(window_first - first_month, 0), window_last - first_month + 1
    return counts.by_month[:, lo:hi].sum(axis=1)


@dataclass(frozen=True)
class IndicatorResults:
    """One indicator for every small area and every partner area (arrays, partner order)."""

    indicator: Indicator
    current: np.ndarray  # per small area
    previous: np.ndarray
    partner_current: np.ndarray
    partner_previous: np.ndarray
    benchmark_rate: float
    small_bands: np.ndarray  # band codes (engine.stats.BAND_LABELS)
    partner_bands: np.ndarray
    change_codes: np.ndarray  # +1 significant increase, −1 significant reduction, 0 neither
    change_p_values: np.ndarray | None  # the exact test's; None with the overlap rule
    peer_ranks: np.ndarray
    peer_sizes: np.ndarray
    peer_quartiles: np.ndarray
    peer_codes: np.ndarray
    band_basis: str | None  # standard-deviation bands: what they are measured from, in words
    banding_method: str  # "ci" or "sd": the spec's banding for this indicator


def _band_codes(spec: Spec, indicator: Indicator, counts: np.ndarray, population: np.ndarray,
                benchmark_rate: float, reference_rates: np.ndarray) -> np.ndarray:
    """Band codes by the indicator's method: its interval against the benchmark rate (ci), or its
    rate's z-score among all small areas' rates (sd)."""
    banding = spec.banding_for(indicator)
    if banding.method == "ci":
        return band_codes(counts, population, benchmark_rate, banding.levels, indicator.rate_per)
    return sd_band_codes(rates(counts, population, indicator.rate_per), reference_rates, banding.cut_points)


def _indicator_results(spec: Spec, inputs: Inputs, counts: IndicatorCounts, first_month: int,
                       periods: ReportPeriods) -> IndicatorResults:
    geo = inputs.geography
    indicator = counts.indicator
    n_partners = len(geo.partner_names)
    current = _window_sum(counts, first_month, periods.current.first, periods.current.last)
    previous = _window_sum(counts, first_month, periods.previous.first, periods.previous.last)
    partner_current = _sum_by_partner(current, counts.partner_of, n_partners)
    partner_previous = _sum_by_partner(previous, counts.partner_of, n_partners)
    partner_population = geo.partner_population
    benchmark_rate = float(rates(current.sum(), geo.benchmark_population, indicator.rate_per))
    # (sd banding of a source without small areas is refused when the spec is loaded: engine.spec.method_checks)
    small_rates = rates(current, counts.population, indicator.rate_per) if not counts.by_partner else np.empty(0)
    ranks, sizes = peer_ranks(rates(partner_current, partner_population, indicator.rate_per))
    codes, p_values = change_test(spec.change_for(indicator), partner_current, partner_previous, partner_population)
    return IndicatorResults(
        indicator, current, previous, partner_current, partner_previous, benchmark_rate,
        _band_codes(spec, indicator, current, counts.population, benchmark_rate, small_rates),
        _band_codes(spec, indicator, partner_current, partner_population, benchmark_rate, small_rates),
        codes, p_values,
        ranks, sizes, quartiles(ranks, sizes),
        peer_comparison(partner_current, partner_population, spec.peers.level, per=indicator.rate_per),
        _band_basis(spec, indicator, small_rates, geo.small_area_label, geo.benchmark_name),
        spec.banding_for(indicator).method,
    )


def _band_basis(spec: Spec, indicator: Indicator, small_rates: np.ndarray, small_area_label: str,
                benchmark: str) -> str | None:
    banding = spec.banding_for(indicator)
    if banding.method != "sd":
        return None
    mean, sd = reference_mean_sd(small_rates)
    low, high = (f"{c:g}" for c in banding.cut_points)
    return (f"Bands: standard deviations (SD) from the mean rate of the {small_rates.size:,} {small_area_label}s in "
            f"{benchmark} (mean {mean:,.1f}, SD {sd:,.1f} per {indicator.rate_per:,}): more than {low} SD above the "
            f"mean is Significantly High, more than {high} SD Very Significantly High.")


def _kpi(results: IndicatorResults, p: int, population: float, hidden: set) -> Kpi:
    """The partner area's KPI; numbers in ``hidden`` (and what they would give away) become None."""
    indicator = results.indicator
    key = indicator.id
    current = None if ("current", key) in hidden else int(results.partner_current[p])
    previous = None if ("previous", key) in hidden else int(results.partner_previous[p])
    change = None if ("change", key) in hidden or current is None or previous is None else current - previous
    code = int(results.change_codes[p])
    return Kpi(
        key, indicator.name, indicator.priority, indicator.unit, previous, current, change,
        float(change / previous) if change is not None and previous else None,
        DIRECTIONS[code], _outcome(code, indicator.polarity),
        None if current is None else float(rates(current, population, indicator.rate_per)), results.benchmark_rate,
        None if current is None else BAND_LABELS[int(results.partner_bands[p])], indicator.rate_per,
        indicator.polarity, code,
        None if results.change_p_values is None else float(results.change_p_values[p]),
        int(results.peer_ranks[p]) or None, int(results.peer_sizes[p]), int(results.peer_quartiles[p]) or None,
        PEER_LABELS[int(results.peer_codes[p])], banding_method=results.banding_method,
    )


def _top_picks(inputs: Inputs, results: IndicatorResults, by_partner: bool) -> list[list[int]]:
    """Each partner area's highest small areas (indices) for one indicator, at most ``top.n``; none when the
    indicator is counted by partner area (``by_partner``: there is no small-area detail)."""
    geo = inputs.geography
    indicator = results.indicator
    current = results.current
    picks: list[list[int]] = [[] for _ in geo.partner_names]
    if by_partner:
        return picks
    rate = rates(current, geo.small_area_population, indicator.rate_per)
    if indicator.top.rank_by == "count":
        primary, secondary = current, rate
    else:
        primary, secondary = rate, current
    # lexsort: last key sorts first -> partner, then -primary, then -secondary, then name.
    order = np.lexsort((geo.small_area_names, -secondary, -primary, geo.small_area_partner))
    for i in order:
        chosen = picks[geo.small_area_partner[i]]
        if current[i] > 0 and len(chosen) < indicator.top.n:
            chosen.append(int(i))
    return picks


def _top_table(inputs: Inputs, results: IndicatorResults, p: int, picked: list[int], hidden: set) -> TopAreaTable:
    """One partner area's highest small areas for one indicator, banded against the benchmark."""
    geo = inputs.geography
    indicator = results.indicator
    rows = []
    for rank, i in enumerate(picked, start=1):
        shown = ("top", indicator.id, i) not in hidden
        count = int(results.current[i])
        rows.append(TopAreaRow(rank, str(geo.partner_names[p]), str(geo.small_area_codes[i]), str(geo.small_area_names[i]),
                               count if shown else None,
                               float(rates(count, geo.small_area_population[i], indicator.rate_per)) if shown else None,
                               BAND_LABELS[int(results.small_bands[i])] if shown else None))
    return TopAreaTable(indicator.id, indicator.name, indicator.unit, indicator.top.rank_by, indicator.rate_per,
                        results.benchmark_rate, rows, indicator.polarity, results.band_basis)


@dataclass(frozen=True)
class TrendCounts:
    """The trend table's counts for every partner area, and the months each cell sums."""

    columns: list[str]
    notes: list[str]
    months: list[dt.date]
    year_months: list[range]  # offsets from the first month counted, per financial-year column
    shown: range  # offsets of the monthly table's months
    years: dict[str, np.ndarray]  # indicator id -> [partner, financial year]
    monthly: dict[str, np.ndarray]  # indicator id -> [partner, month shown]


def _trend_counts(spec: Spec, periods: ReportPeriods, all_counts: dict[str, IndicatorCounts],
                  first_month: int, n_partners: int) -> TrendCounts | None:
    """Category × financial year (and × month) for every partner area."""
    if spec.trend_table is None or not periods.years:
        return None
    columns = [y.label + ("" if y.covered_months == 12 else f" ({y.covered_months} of 12 months)") for y in periods.years]
    notes = [f"{y.label} covers {y.window.label}; the data holds {y.covered_months} of its 12 months."
             for y in periods.years if y.covered_months < 12]
    first_shown = max(periods.years[0].window.first, first_month)
    months = [dt.date(year_of(m), month_of(m), 1) for m in range(first_shown, periods.end + 1)]
    year_months = [range(max(y.window.first, first_month) - first_month, min(y.window.last, periods.end) - first_month + 1)
                   for y in periods.years]
    years, monthly = {}, {}
    for indicator_id in spec.trend_table.rows:
        counts = all_counts[indicator_id]
        per_year = np.stack([_window_sum(counts, first_month, y.window.first, min(y.window.last, periods.end))
                             for y in periods.years], axis=1)
        years[indicator_id] = _sum_by_partner(per_year, counts.partner_of, n_partners)
        monthly[indicator_id] = _sum_by_partner(counts.by_month[:, first_shown - first_month:], counts.partner_of,
                                                n_partners)
    return TrendCounts(columns, notes, months, year_months, range(first_shown - first_month, periods.end - first_month + 1),
                       years, monthly)


def partner_safe_notes(notes: Sequence[QualityNote]) -> list[QualityNote]:
    """The build's data-quality counts as every partner's Methodology sheet states them: without their example
    value, which is one record of whichever partner area it came from (each partner's own rows are on its Data
    Quality sheet and in its CSV)."""
    return [replace(note, example="") for note in notes]


def _own_rows(inputs: Inputs, owners: np.ndarray, partner: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The data-quality rows partner ``partner`` may see (its own and those about a file as a whole), labelled."""
    return inputs.issues.for_partner(owners, partner, name)


def _trend_table(spec: Spec, trend: TrendCounts, p: int, hidden: set) -> TrendTable:
    """One partner area's trend table; the Grand Total and monthly totals are the sums of the rows."""
    def shown(key: tuple, value: int) -> int | None:
        return None if key in hidden else int(value)

    assert spec.trend_table is not None
    ids = spec.trend_table.rows
    rows = [TrendRow(i, spec.indicator(i).name,
                     [shown(("year", i, j), v) for j, v in enumerate(trend.years[i][p])],
                     [shown(("month", i, m), v) for m, v in zip(trend.shown, trend.monthly[i][p])]) for i in ids]
    grand_total = [shown(("year_total", j), sum(trend.years[i][p][j] for i in ids)) for j in range(len(trend.columns))]
    monthly_totals = [shown(("month_total", m), sum(trend.monthly[i][p][k] for i in ids)) for k, m in enumerate(trend.shown)]
    return TrendTable(spec.trend_table.title, trend.columns, rows, grand_total, trend.notes, trend.months, monthly_totals)


def _sum_by_partner(values: np.ndarray, partner_of: np.ndarray, n_partners: int) -> np.ndarray:
    """Sum small-area rows of ``values`` (counts, any trailing shape) into partner-area rows, as integers."""
    totals = np.zeros((n_partners,) + values.shape[1:], dtype=np.int64)
    np.add.at(totals, partner_of, values)
    return totals


def _published_numbers(spec: Spec, results: dict[str, IndicatorResults], trend: TrendCounts | None,
                       picks: dict[str, list[list[int]]], p: int) -> dict[tuple, float]:
    """Every count one partner's workbook shows, keyed as :mod:`engine.indicators.disclosure` reads them."""
    values: dict[tuple, float] = {}
    for indicator_id, r in results.items():
        values[("current", indicator_id)] = float(r.partner_current[p])
        values[("previous", indicator_id)] = float(r.partner_previous[p])
        values[("change", indicator_id)] = float(r.partner_current[p] - r.partner_previous[p])
        for i in picks[indicator_id][p]:
            values[("top", indicator_id, i)] = float(r.current[i])
    if trend is not None and spec.trend_table is not None:
        ids = spec.trend_table.rows
        for j in range(len(trend.columns)):
            for i in ids:
                values[("year", i, j)] = float(trend.years[i][p][j])
            values[("year_total", j)] = float(sum(trend.years[i][p][j] for i in ids))
        for k, m in enumerate(trend.shown):
            for i in ids:
                values[("month", i, m)] = float(trend.monthly[i][p][k])
            values[("month_total", m)] = float(sum(trend.monthly[i][p][k] for i in ids))
    return values


def _suppression_note(spec: Spec) -> str:
    rules = [(i.name, spec.suppression_for(i)) for i in spec.indicators if spec.suppression_for(i) is not None]
    described = "; ".join(f"{name}: counts below {rule.below}" + (" (zeros too)" if rule.zero else "")
                          for name, rule in rules)
    return (f"{SUPPRESSED} = not shown, to protect privacy. Hidden: small counts of sensitive indicators ({described}), "
            f"and any number from which one could be worked out (a change, a rate, a band, another part of a total).")


def _series_and_comparisons(spec: Spec, inputs: Inputs, periods: ReportPeriods, all_counts: dict[str, IndicatorCounts],
                             results: dict[str, IndicatorResults], first_month: int
                             ) -> tuple[list[list[IndicatorSeries]], list[AreaComparison]]:
    """Per indicator: each partner's quarters and monthly profile, and all partners' rates side by side."""
    geo = inputs.geography
    n_partners = len(geo.partner_names)
    significance = 1 - spec.banding.levels[0]
    charted = set(spec.comparisons) if spec.comparisons is not None else {i.id for i in spec.indicators}
    series, comparisons = [], []
    for indicator in spec.indicators:
        counts = all_counts[indicator.id]
        partner_by_month = _sum_by_partner(counts.by_month, counts.partner_of, n_partners)
        series.append(partner_series(indicator, partner_by_month, first_month, periods, significance))
        if indicator.id in charted:
            r = results[indicator.id]
            comparisons.append(area_comparison(indicator, [str(n) for n in geo.partner_names], r.partner_current,
                                               geo.partner_population, r.benchmark_rate))
    return series, comparisons


def _seasonal_grids(spec: Spec, inputs: Inputs, masks: dict[str, np.ndarray], first: int, end: int,
                    starts: list[int]) -> list[SeasonalCounts]:
    """The spec's seasonality indicators, month of year × year, over every month the data holds."""
    if spec.seasonality is None:
        return []
    n_partners = len(inputs.geography.partner_names)
    grids = []
    for position, indicator_id in enumerate(spec.seasonality.indicators):
        indicator = spec.indicator(indicator_id)
        source = inputs.sources[indicator.source]
        if source.period_months != 1:
            raise SpecError(Problem(f"indicator {indicator_id!r} reads source {indicator.source!r}, whose rows are "
                                    f"{source.period_word}s, so it has no month of the year to show: leave it out of "
                                    "seasonality", key_path=f"seasonality.indicators[{position}]"))
        counts = _indicator_counts(indicator, inputs, masks[indicator_id], first, end - first + 1)
        grids.append(seasonal_counts(indicator, _sum_by_partner(counts.by_month, counts.partner_of, n_partners),
                                     first, end, source.months_present, starts))
    return grids


def build_reports(spec: Spec, inputs: Inputs, spec_file: str, period_end: str | None = None,
                  suppress: bool = False, partners: Sequence[int] | None = None) -> list[Report]:
    """Every partner area's Report, in partner-name order (or only those at the positions ``partners``).

    What every area needs (counts, rates, bands, ranks, the benchmark and the comparisons) is computed over all
    partner areas at once; ``partners`` limits the per-area work (top tables, findings, the Report) to the
    areas a ``--area`` build writes.

    ``suppress=True`` (partner deliveries) hides the small counts of the spec's sensitive
    indicators, and every number that would reveal one, as ``None`` (shown as ``[c]``).
    """
    # Indicators with a measure block (proportions, value columns, period-on-period) are computed apart;
    # what follows counts the others, and the two meet in each partner's KPIs, series and findings.
    full_spec, spec = spec, counted_spec(spec)
    counted = period_sources(full_spec)
    first_data, latest = _data_months(inputs, counted)
    end = resolve_period_end(spec.periods, period_end, latest, spec_file)
    periods = report_periods(spec.periods, end, first_data)
    _check_coverage(inputs, periods, spec_file, first_data, latest, overridden=period_end is not None, counted=counted)
    periods = periods.without_months(_trend_only_gaps(inputs, periods, first_data, counted))
    unplaced = unplaced_sources(full_spec, inputs, spec_file)
    if unplaced:
        raise SpecError(unplaced)
    measures = measured_indicators(full_spec, inputs, periods)
    gappy = missing_share_problems(full_spec, inputs, {key: m.missing_cells for key, m in measures.items()}, spec_file)
    if gappy:
        raise SpecError(gappy)

    geo = inputs.geography
    first_month = max(periods.first_needed, first_data)
    n_months = end - first_month + 1
    n_partners = len(geo.partner_names)
    masks = {indicator.id: indicator_mask(inputs.sources[indicator.source], indicator) for indicator in spec.indicators}
    all_counts = {i.id: _indicator_counts(i, inputs, masks[i.id], first_month, n_months) for i in spec.indicators}
    results = {i.id: _indicator_results(spec, inputs, all_counts[i.id], first_month, periods) for i in spec.indicators}
    peer_groups = {} if inputs.peer_table is None else peer_group_results(
        spec, inputs.peer_table, {i: r.partner_current for i, r in results.items()}, geo.partner_population, end,
        spec_file)
    picks = {i.id: _top_picks(inputs, results[i.id], all_counts[i.id].by_partner) for i in spec.indicators}
    trend = _trend_counts(spec, periods, all_counts, first_month, n_partners)
    season_start = 1 if spec.seasonality is None or spec.seasonality.years == "calendar" else \
        spec.periods.financial_year.start_month
    season_years = year_starts(first_data, end, season_start)
    seasonal = _seasonal_grids(spec, inputs, masks, first_data, end, season_years)

    rules = {i.id: (rule.below, rule.zero) for i in spec.indicators if (rule := spec.suppression_for(i)) is not None}
    hidden: list[set] = [set() for _ in range(n_partners)]
    chosen = range(n_partners) if partners is None else sorted(set(partners))
    if suppress and rules:
        layout = Layout(n_months, range(periods.current.first - first_month, periods.current.last - first_month + 1),
                        range(max(periods.previous.first - first_month, 0), periods.previous.last - first_month + 1),
                        trend.year_months if trend else [], trend.shown if trend else range(0),
                        list(spec.trend_table.rows) if trend and spec.trend_table else [])
        kinds = event_kinds(spec, masks)
        for p in chosen:
            listed = {i.id: picks[i.id][p] for i in spec.indicators}
            complete = {i.id for i in spec.indicators if len(listed[i.id]) < i.top.n}
            hidden[p] = hidden_numbers(_published_numbers(spec, results, trend, picks, p), layout, kinds, listed,
                                       complete, rules)

    # Series, comparisons and breakdowns repeat counts in other cuts (months, quarters, categories) from
    # which a hidden count could be worked out; the disclosure check does not cover them yet, so a
    # privacy-protected build of a spec with sensitive indicators leaves them out altogether.
    protected = suppress and bool(rules)
    withheld = withheld_sources(full_spec) if protected else set()  # measures that could reveal a hidden count
    if protected:
        seasonal = []  # month by month counts, like the series
        series: list[list[IndicatorSeries]] = []
        comparisons: list[AreaComparison] = []
        breakdowns: list[list[Breakdown]] = []
        group_tables: list[list[AreaGroupTable]] = [[] for _ in range(n_partners)]
    else:
        series, comparisons = _series_and_comparisons(spec, inputs, periods, all_counts, results, first_month)
        series = merged_series(full_spec, series, measures, n_partners)
        breakdowns = [breakdown_tables(b, inputs.sources[b.source], geo.small_area_partner, n_partners,
                                       breakdown_window(b, spec.periods, periods.current),
                                       partner_names=[str(n) for n in geo.partner_names],
                                       partner_label=geo.partner_label, benchmark_name=geo.benchmark_name)
                      for b in spec.breakdowns]
        group_tables = area_group_tables(
            spec, inputs, {i: r.current for i, r in results.items()},
            {i: rates(r.partner_current, geo.partner_population, r.indicator.rate_per) for i, r in results.items()},
            {i: r.benchmark_rate for i, r in results.items()})
    map_sets = partner_map_sets(
        spec, geo, inputs.boundaries, results, picks, {i for i, c in all_counts.items() if c.by_partner},
        withheld=set(rules) if protected else set(),
    ) if spec.maps is not None and inputs.boundaries is not None else [None] * n_partners
    notes = methodology_notes(full_spec, inputs, periods, suppress)
    generated = generated_timestamp(end)
    priorities = list(dict.fromkeys(i.priority for i in full_spec.indicators))
    owners = issue_owners(inputs.issues.frame(), geo.partner_codes, geo.partner_names, geo.small_area_codes,
                          geo.small_area_partner)
    partner_population = geo.partner_population
    compared_with = comparison_positions(spec.comparison_areas, geo, inputs.peer_table)
    reports = []
    for p in chosen:
        partner_area = str(geo.partner_names[p])
        kpis = [with_peer_group(with_target(measures[i.id].kpi(p, withheld=i.source in withheld) if i.id in measures
                                            else _kpi(results[i.id], p, float(partner_population[p]), hidden[p]),
                                            i.target), peer_groups.get(i.id), p) for i in full_spec.indicators]
        partner_comparisons = shown_areas(with_peer_averages(comparisons, peer_groups, p),
                                          None if compared_with is None else compared_with[p])
        top_tables = [_top_table(inputs, results[i.id], p, picks[i.id][p], hidden[p]) for i in spec.indicators
                      if not all_counts[i.id].by_partner]
        partner_series_list = [s[p] for s in series]
        partner_breakdowns = [b[p] for b in breakdowns]
        findings = key_findings(kpis, partner_series_list, top_tables, partner_comparisons, partner_breakdowns,
                                partner_area=partner_area, partner_label=geo.partner_label,
                                small_area_label=geo.small_area_label, benchmark=geo.benchmark_name,
                                period_end=month_text(end))
        findings += [dataclasses.replace(f, group=GROUP_WHO) for f in area_group_findings(
            spec.area_groups, group_tables[p], partner_area=partner_area, benchmark=geo.benchmark_name,
            small_area_label=geo.small_area_label, period_end=month_text(end))]
        reports.append(Report(
            title=spec.title, organisation=spec.organisation, partner_area=partner_area,
            partner_code=str(geo.partner_codes[p]), partner_label=geo.partner_label, small_area_label=geo.small_area_label, benchmark_name=geo.benchmark_name,
            period_end=month_text(end), current_window=periods.current.label, previous_window=periods.previous.label,
            generated=generated, kpis=kpis, top_tables=top_tables,
            trend=_trend_table(spec, trend, p, hidden[p]) if trend else None,
            methodology=notes, quality=partner_safe_notes(inputs.quality), attribution=spec.attribution, spec_version=spec.spec_version,
            engine_version=__version__, theme=spec.theme, priorities=priorities,
            series=partner_series_list, comparisons=partner_comparisons, breakdowns=partner_breakdowns, findings=findings,
            area_groups=group_tables[p],
            suppression_note=_suppression_note(spec) if hidden[p] else None,
            quality_issues=(missing := missing_figures(kpis, inputs, full_spec, partner_area))
            + inputs.issues.detail(spec.quality.detail_rows, *_own_rows(inputs, owners, p, partner_area)),
            quality_issue_count=int(_own_rows(inputs, owners, p, partner_area)[0].sum()) + len(missing),
            synthetic_note=synthetic_note(full_spec), maps=map_sets[p],
            seasonal=[seasonal_table(spec.seasonality, spec.periods, grid, season_years, first_data, end, p)
                      for grid in seasonal] if spec.seasonality else [],
        ))
    reports = with_hotspots(reports, full_spec, inputs, periods.current, suppress)
    return with_comparators(reports, full_spec.comparators, inputs.comparators)
