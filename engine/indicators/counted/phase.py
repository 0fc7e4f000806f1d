"""The counted phase: every counted indicator's numbers for all partner areas at once, then each partner's cut.

Counts, rates, bands, ranks, the benchmark, peer groups, the trend and seasonal tables, series,
comparisons, breakdowns, who-is-affected tables and maps are computed over all partner areas in one
pass; :class:`CountedPhase` holds them and hands out one partner's KPIs and tables. A privacy-protected
build decides here which numbers each partner's workbook hides.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from engine.indicators.breakdown_cells import HIDDEN_SOURCE, checked_breakdowns, shown_breakdown
from engine.indicators.counted.area_groups import area_group_tables
from engine.indicators.counted.comparison_areas import comparison_positions, shown_areas
from engine.indicators.counted.comparisons import area_comparison
from engine.indicators.counted.counts import indicator_mask
from engine.indicators.counted.maps import partner_map_sets
from engine.indicators.counted.peer_groups import (PeerGroupResults, peer_group_results, with_peer_averages,
                                                   with_peer_group)
from engine.indicators.counted.results import (IndicatorCounts, IndicatorResults, counted_kpi, indicator_counts,
                                               indicator_results, sum_by_partner)
from engine.indicators.counted.seasonality import SeasonalCounts, seasonal_counts, seasonal_table, year_starts
from engine.indicators.counted.suppression import hidden_by_partner, suppression_note, suppression_rules
from engine.indicators.counted.top_areas import top_picks, top_table
from engine.indicators.counted.trend import TrendCounts, trend_counts, trend_table
from engine.indicators.coverage import Coverage
from engine.indicators.cross_partner import bands_bound_benchmark
from engine.indicators.disclosure import (BENCHMARK_RATE, LINK, shown_area_group, shown_seasonal, shown_series,
                                          touched_indicators)
from engine.indicators.measured.measures import counted_spec, withheld_sources
from engine.indicators.periods import ReportPeriods
from engine.indicators.profiles.breakdowns import breakdown_tables, breakdown_window
from engine.indicators.series import partner_series
from engine.indicators.targets import with_target
from engine.ingest import Inputs
from engine.map_report import MapSet
from engine.report import (SUPPRESSED, AreaComparison, AreaGroupTable, Breakdown, IndicatorSeries, Kpi, SeasonalTable,
                           TopAreaTable, TrendTable, benchmark_hidden_words)
from engine.spec.models import Indicator, Spec
from engine.stats import rates


@dataclass(frozen=True)
class CountedPhase:
    """The counted indicators' numbers for every partner area, and what each partner's workbook hides."""

    spec: Spec  # the spec with its counted indicators only
    inputs: Inputs
    coverage: Coverage
    results: dict[str, IndicatorResults]
    by_partner: set[str]  # indicators whose source records only the partner area: no Top 10
    picks: dict[str, list[list[int]]]  # indicator -> each partner area's Top 10 small areas
    hidden: list[set]  # per partner area: the numbers its workbook hides
    protected: bool  # a privacy-protected build of a spec with sensitive indicators: other cuts left out
    peer_groups: dict[str, PeerGroupResults]  # indicator -> its peer-group ranks and averages
    trend: TrendCounts | None
    series: list[list[IndicatorSeries]]  # per counted indicator, per partner area
    comparisons: list[AreaComparison]
    breakdowns: list[list[Breakdown]]
    group_tables: list[list[AreaGroupTable]]
    map_sets: list[MapSet | None]
    seasonal: list[SeasonalCounts]
    season_years: list[int]
    compared_with: list[np.ndarray] | None  # per partner area: the comparison areas shown beside it (None: all)
    first_month: int  # the first month counted (the disclosure check's month offsets count from it)
    withheld: set[str]  # sources of sensitive indicators in a protected build (their measures are withheld whole)
    ungrouped: list[dict[tuple[str, str], float]]  # per partner: (area group, indicator) -> events in no group
    checked: set[int] = frozenset()  # positions in spec.breakdowns of those the disclosure check covers
    left_out: dict[int, str] = dataclasses.field(default_factory=dict)  # position -> why a protected build drops it

    def kpi(self, indicator: Indicator, p: int, measured: Kpi | None) -> Kpi:
        """Partner ``p``'s KPI for ``indicator`` (``measured``: the measured phase's, for a measured indicator),
        with its target status and peer-group position."""
        kpi = measured if measured is not None else counted_kpi(
            self.results[indicator.id], p, float(self.inputs.geography.partner_population[p]), self.hidden[p])
        if measured is None and self.protected and any(("current", indicator.id) in h for h in self.hidden):
            # A rank among the partner areas orders a hidden count between shown ones, and the comparison with their
            # pooled rate bounds their sum: neither while any is hidden.
            kpi = dataclasses.replace(kpi, peer_rank=None, peer_quartile=None, peer_comparison=None)
        if measured is None and self._benchmark_hidden(indicator.id, p):
            # The benchmark's count is the partner areas' sum: a band against its rate would bound it.
            kpi = dataclasses.replace(kpi, benchmark_rate=None,
                                      band=None if bands_bound_benchmark(kpi.banding_method) else kpi.band)
        return with_peer_group(with_target(kpi, indicator.target), self.peer_groups.get(indicator.id), p)

    def _benchmark_hidden(self, indicator_id: str, p: int) -> bool:
        """Whether the benchmark's 12-month count of the indicator (its rate) is hidden: some partner area's own count
        of it is (:mod:`engine.indicators.cross_partner`)."""
        return (LINK, BENCHMARK_RATE, indicator_id) in self.hidden[p]

    def partner_comparisons(self, p: int) -> list[AreaComparison]:
        """The Comparisons partner ``p`` sees: its comparison areas only, with its peer group's averages. In a protected
        workbook each partner area's count (and its rate and limits, which give it back) is hidden when that area's own
        workbook hides it, and the benchmark's when every workbook does: one status for a figure wherever shown."""
        shown = [self._shown_comparison(c) for c in self.comparisons] if self.protected else self.comparisons
        return shown_areas(with_peer_averages(shown, self.peer_groups, p),
                           None if self.compared_with is None else self.compared_with[p])

    def _shown_comparison(self, c: AreaComparison) -> AreaComparison:
        gone = {q for q in range(len(c.areas)) if ("current", c.indicator_id) in self.hidden[q]}
        benchmark = any(self._benchmark_hidden(c.indicator_id, q) for q in range(len(self.hidden)))
        if not gone and not benchmark:
            return c

        def blank(values: list) -> list:
            return [None if q in gone else v for q, v in enumerate(values)]

        return dataclasses.replace(c, counts=blank(c.counts), rates=blank(c.rates), lowers=blank(c.lowers),
                                   uppers=blank(c.uppers), benchmark_rate=None if benchmark else c.benchmark_rate)

    def _unsafe_sources(self, p: int) -> set[str]:
        """Sources whose breakdowns partner ``p``'s protected workbook leaves out, unless the disclosure check covers
        the breakdown: a sensitive indicator's, or one with a hidden figure."""
        return self.withheld | {self.spec.indicator(i).source for i in touched_indicators(self.hidden[p])}

    def partner_breakdowns(self, p: int) -> list[Breakdown]:
        """Partner ``p``'s breakdowns, their hidden figures marked, less those a protected workbook leaves out (those
        the disclosure check does not cover, of a source it has to protect)."""
        unsafe = self._unsafe_sources(p)
        return [shown_breakdown(b[p], self.hidden[p], self.hidden) if k in self.checked else b[p]
                for k, (b, b_spec) in enumerate(zip(self.breakdowns, self.spec.breakdowns))
                if k in self.checked or b_spec.source not in unsafe]

    def _partner_words(self, text: str, shows: str = "it shows") -> str:
        return text.format(partner=self.inputs.geography.partner_label.lower(), shows=shows)

    def left_out_comparisons(self, p: int) -> list[str]:
        """What partner ``p``'s Comparisons charts do not draw (a protected build's hidden rates: a bar would read 0),
        one sentence per indicator."""
        geo = self.inputs.geography
        out = []
        for c in self.partner_comparisons(p):
            gone = [area for area, rate in zip(c.areas, c.rates) if rate is None]
            if c.benchmark_rate is None:
                gone.append(str(geo.benchmark_name))
            if gone:
                names = ", ".join(gone[:-1]) + (" and " if len(gone) > 1 else "") + gone[-1]
                out.append(f"{c.name}: the {'bars' if len(gone) > 1 else 'bar'} of {names} "
                           f"{'are' if len(gone) > 1 else 'is'} not drawn, to protect privacy (their rates in the "
                           f"chart data under the charts, which is not printed, read '{SUPPRESSED}')."
                           + (" " + benchmark_hidden_words(geo.benchmark_name, geo.partner_label)
                              if c.benchmark_rate is None else ""))
        return out

    def left_out_breakdowns(self, p: int) -> list[tuple[str, str]]:
        """Why partner ``p``'s protected workbook has no table of some breakdowns: (the id of the kept breakdown it
        would have followed, "" for none, one sentence), so the sheet says it where the table would have been."""
        kept = {b.breakdown_id for b in self.partner_breakdowns(p)}
        out, after = [], ""
        for k, b in enumerate(self.spec.breakdowns):
            if b.id in kept:
                after = b.id
                continue
            out.append((after, f"'{b.title}' is left out of this protected workbook because "
                        + self._partner_words(self.left_out.get(k, HIDDEN_SOURCE)) + "."))
        return out

    def partner_group_tables(self, p: int) -> list[AreaGroupTable]:
        """Partner ``p``'s who-is-affected tables, their hidden figures marked (the disclosure check covers them)."""
        return [shown_area_group(t, int(self.ungrouped[p][(t.group_id, t.indicator_id)]), self.hidden[p])
                for t in self.group_tables[p]]

    def shown_series(self, series: IndicatorSeries, p: int) -> IndicatorSeries:
        """Partner ``p``'s series as its workbook shows it: hidden months and quarters, a hidden peak gone."""
        return shown_series(series, self.first_month, self.hidden[p])

    def top_tables(self, p: int) -> list[TopAreaTable]:
        """Partner ``p``'s Top 10 tables, one per indicator with small-area detail, its hidden numbers blanked."""
        return [top_table(self.inputs, self.results[i.id], p, self.picks[i.id][p], self.hidden[p],
                          self._benchmark_hidden(i.id, p))
                for i in self.spec.indicators if i.id not in self.by_partner]

    def trend_table(self, p: int) -> TrendTable | None:
        """Partner ``p``'s trend table (None when the spec has none, or the data no financial year)."""
        return trend_table(self.spec, self.trend, p, self.hidden[p]) if self.trend else None

    def seasonal_tables(self, p: int) -> list[SeasonalTable]:
        """Partner ``p``'s month-of-year tables, its hidden cells marked."""
        if not self.spec.seasonality:
            return []
        return [shown_seasonal(seasonal_table(self.spec.seasonality, self.spec.periods, grid, self.season_years,
                                              self.coverage.first_data, self.coverage.end, p),
                               self.season_years, self.first_month, self.hidden[p]) for grid in self.seasonal]

    def suppression_note(self, p: int) -> str | None:
        """The note under partner ``p``'s figures, when its workbook hides any."""
        return suppression_note(self.spec) if self.hidden[p] else None


def counted_phase(full_spec: Spec, inputs: Inputs, coverage: Coverage, spec_file: str, suppress: bool,
                  chosen: Sequence[int], jobs: int | None = 1) -> CountedPhase:
    """Every counted indicator's numbers for all partner areas; ``suppress`` hides, for the ``chosen`` partner
    areas, the small counts of sensitive indicators and every number that would reveal one (every partner area's
    check, in ``jobs`` worker processes)."""
    spec = counted_spec(full_spec)
    periods, first_data, end = coverage.periods, coverage.first_data, coverage.end
    geo = inputs.geography
    first_month = max(periods.first_needed, first_data)
    n_months = end - first_month + 1
    n_partners = len(geo.partner_names)
    masks = {indicator.id: indicator_mask(inputs.sources[indicator.source], indicator) for indicator in spec.indicators}
    all_counts = {i.id: indicator_counts(i, inputs, masks[i.id], first_month, n_months) for i in spec.indicators}
    results = {i.id: indicator_results(spec, inputs, all_counts[i.id], first_month, periods) for i in spec.indicators}
    peer_groups = {} if inputs.peer_table is None else peer_group_results(
        spec, inputs.peer_table, {i: r.partner_current for i, r in results.items()}, geo.partner_population, end,
        spec_file)
    picks = {i.id: top_picks(inputs, results[i.id], all_counts[i.id].by_partner) for i in spec.indicators}
    trend = trend_counts(spec, periods, all_counts, first_month, n_partners)
    season_start = 1 if spec.seasonality is None or spec.seasonality.years == "calendar" else \
        spec.periods.financial_year.start_month
    season_years = year_starts(first_data, end, season_start)
    seasonal = _seasonal_grids(spec, inputs, masks, first_data, end, season_years)
    series, comparisons = _series_and_comparisons(spec, inputs, periods, all_counts, results, first_month)
    by_partner = {i for i, c in all_counts.items() if c.by_partner}
    group_tables = area_group_tables(
        spec, inputs, {i: r.current for i, r in results.items()},
        {i: rates(r.partner_current, geo.partner_population, r.indicator.rate_per) for i, r in results.items()},
        {i: r.benchmark_rate for i, r in results.items()})
    groups_of = {g.id: inputs.area_groups[g.id].of_small_area for g in spec.area_groups}
    ungrouped = _ungrouped_counts(spec, results, groups_of, geo.small_area_partner, n_partners)
    # The series, seasonal grids, area groups and breakdowns repeat the counts month by month, quarter by quarter,
    # group by group and category by category: the disclosure check covers them with the KPIs, Top 10 and trend
    # table. Comparisons of a sensitive source, and breakdowns it cannot write as sums of counted events, are left
    # out partner by partner (CountedPhase.partner_breakdowns …).
    windows = [breakdown_window(b, spec.periods, periods.current) for b in spec.breakdowns]
    breakdowns = [breakdown_tables(b, inputs.sources[b.source], geo.small_area_partner, n_partners, window,
                                   partner_names=[str(n) for n in geo.partner_names],
                                   partner_label=geo.partner_label, benchmark_name=geo.benchmark_name,
                                   in_benchmark=geo.in_benchmark)
                  for b, window in zip(spec.breakdowns, windows)]
    protected = suppress and bool(suppression_rules(spec))
    checked, left_out = checked_breakdowns(spec, inputs.sources, geo.small_area_partner, windows, end) \
        if protected else ([], {})
    hidden = hidden_by_partner(spec, results, trend, picks, masks, periods, first_month, chosen, n_partners,
                               by_partner, series, seasonal, season_years, first_data, group_tables, groups_of,
                               geo.small_area_partner, ungrouped, geo.in_benchmark, checked,
                               [breakdowns[b.position] for b in checked], jobs) \
        if suppress else [set() for _ in range(n_partners)]
    # A map shades every small area: none of a sensitive indicator, nor of one with a hidden Top 10 row.
    map_sets = partner_map_sets(
        spec, geo, inputs.boundaries, results, picks,
        withheld=set(suppression_rules(spec)) | {key[1] for keys in hidden for key in keys if key[0] == "top"}
        if protected else set(),
    ) if spec.maps is not None and inputs.boundaries is not None else [None] * n_partners
    return CountedPhase(spec, inputs, coverage, results, by_partner, picks, hidden, protected, peer_groups, trend,
                        series, comparisons, breakdowns, group_tables, map_sets, seasonal, season_years,
                        comparison_positions(spec.comparison_areas, geo, inputs.peer_table), first_month,
                        withheld_sources(full_spec) if protected else set(), ungrouped, {b.position for b in checked},
                        left_out)


def _ungrouped_counts(spec: Spec, results: dict[str, IndicatorResults], groups_of: dict[str, np.ndarray],
                      partner_of: np.ndarray, n_partners: int) -> list[dict[tuple[str, str], float]]:
    """Per partner area: (area group, indicator) -> the current window's events in small areas in no group (the
    count the area-group table's note quotes)."""
    out: list[dict[tuple[str, str], float]] = [{} for _ in range(n_partners)]
    for group in spec.area_groups:
        outside = groups_of[group.id] < 0
        for indicator_id in group.indicators:
            sums = np.bincount(partner_of[outside], weights=results[indicator_id].current[outside],
                               minlength=n_partners)
            for p in range(n_partners):
                out[p][(group.id, indicator_id)] = float(sums[p])
    return out


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
        partner_by_month = sum_by_partner(counts.by_month, counts.partner_of, n_partners)
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
    for indicator_id in spec.seasonality.indicators:  # each monthly: engine.spec.method_checks
        indicator = spec.indicator(indicator_id)
        source = inputs.sources[indicator.source]
        counts = indicator_counts(indicator, inputs, masks[indicator_id], first, end - first + 1)
        grids.append(seasonal_counts(indicator, sum_by_partner(counts.by_month, counts.partner_of, n_partners),
                                     first, end, source.months_present, starts))
    return grids

