"""Which of a partner workbook's counted numbers a privacy-protected build hides, partner by partner.

Gathers every count a partner's workbook would show (KPIs, Top 10 rows, the trend table, the series'
months, rolling quarters and peaks, the seasonal grids) and hands them to
:mod:`engine.indicators.disclosure`, which decides what must go so that no small count of a sensitive
indicator can be read, worked out or narrowed down.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from engine.indicators.breakdown_cells import (BASE, BENCHMARK, BENCHMARK_BASE, COUNT, CheckedBreakdown,
                                              earliest_offset, figure_rules, latest_offset, partner_cells)
from engine.indicators.cross_partner import PartnerProblem, SharedTotal, protect_partners
from engine.indicators.counted.results import IndicatorResults
from engine.indicators.counted.seasonality import SeasonalCounts
from engine.indicators.counted.trend import TrendCounts
from engine.indicators.disclosure import (BENCHMARK_GROUP, BENCHMARK_RATE, LINK, Layout, SmallAreaGroups,
                                          area_group_numbers, event_kinds, seasonal_numbers, series_numbers)
from engine.indicators.periods import ReportPeriods
from engine.report import SUPPRESSED, AreaGroupTable, Breakdown, IndicatorSeries
from engine.spec.models import Spec


def suppression_rules(spec: Spec) -> dict[str, tuple[int, bool]]:
    """The sensitive indicators' rules, by indicator id: (hide counts below, hide zeros too)."""
    return {i.id: (rule.below, rule.zero) for i in spec.indicators if (rule := spec.suppression_for(i)) is not None}


def hidden_by_partner(spec: Spec, results: dict[str, IndicatorResults], trend: TrendCounts | None,
                      picks: dict[str, list[list[int]]], masks: dict[str, np.ndarray], periods: ReportPeriods,
                      first_month: int, chosen: Sequence[int], n_partners: int, by_partner: set[str],
                      series: list[list[IndicatorSeries]], seasonal: list[SeasonalCounts], season_years: list[int],
                      first_data: int, group_tables: list[list[AreaGroupTable]] | None = None,
                      small_area_groups: dict[str, np.ndarray] | None = None,
                      partner_of: np.ndarray | None = None, ungrouped: list[dict[tuple[str, str], float]] | None = None,
                      in_benchmark: np.ndarray | None = None, checked: list[CheckedBreakdown] | None = None,
                      breakdowns: list[list[Breakdown]] | None = None, jobs: int | None = 1) -> list[set]:
    """Each partner area's hidden numbers (keys as :mod:`engine.indicators.disclosure` names them); an empty
    set for a spec with no sensitive indicator. ``by_partner``: indicators
    counted by partner area (no Top 10); ``series`` and ``seasonal`` (from ``season_years``, the data starting at
    ``first_data``) are cuts of the same counts, checked with the rest. ``group_tables`` (per partner area), with
    each area group's group of every small area (``small_area_groups``), ``partner_of`` (each small area's partner
    area), ``ungrouped`` (per partner area, (group id, indicator) -> events in small areas in no group) and
    ``in_benchmark`` (per partner area), are checked with them when they cut a sensitive indicator's source, and so
    are the ``checked`` breakdowns (``breakdowns``: each one's table per partner area, in the order of ``checked``).

    Every partner area is checked, whichever are ``chosen``: a workbook shows the other partner areas' counts
    (Comparisons, breakdowns by partner area) with the status their own workbooks give them, and the benchmark's
    counts, which are their sums (:mod:`engine.indicators.cross_partner`). The set returned for a partner holds the
    benchmark's figures hidden too (``(LINK, …)`` keys, alike for every partner). ``jobs``: the worker processes the
    partners' checks run in (:func:`engine.indicators.cross_partner.partners_hidden`)."""
    rules = suppression_rules(spec)
    hidden: list[set] = [set() for _ in range(n_partners)]
    if not rules:
        return hidden
    n_months = periods.end - first_month + 1
    checked = checked or []
    before = max(first_month - first_data if seasonal else 0, earliest_offset(checked, first_month))
    layout = Layout(n_months, range(periods.current.first - first_month, periods.current.last - first_month + 1),
                    range(max(periods.previous.first - first_month, 0), periods.previous.last - first_month + 1),
                    trend.year_months if trend else [], trend.shown if trend else range(0),
                    list(spec.trend_table.rows) if trend and spec.trend_table else [],
                    [range(q.first - first_month, q.last - first_month + 1) for q in periods.quarters],
                    before, latest_offset(checked, periods.end))
    kinds = event_kinds(spec, masks, {name: (b.spec.source, mask) for b in checked for name, mask in b.masks.items()})
    figures = figure_rules(checked, rules, kinds.members)
    sensitive = {spec.indicator(i).source for i in rules}
    problems = []
    for p in range(n_partners):  # every partner: their figures are shown beside each other (Comparisons, breakdowns)
        listed = {i.id: picks[i.id][p] for i in spec.indicators}
        # A Top 10 with fewer rows lists every small area with an event; an indicator counted by partner
        # area has no Top 10 at all (taking its empty one for complete told the check its count was 0).
        complete = {i.id for i in spec.indicators if len(listed[i.id]) < i.top.n and i.id not in by_partner}
        numbers = _published_numbers(spec, results, trend, picks, p)
        for indicator_series in series:
            numbers.update(series_numbers(indicator_series[p], first_month))
        for grid in seasonal:
            numbers.update(seasonal_numbers(grid, p, season_years, first_month))
        areas = None
        for table in group_tables[p] if group_tables else []:
            if spec.indicator(table.indicator_id).source in sensitive:
                numbers.update(area_group_numbers(table, ungrouped[p][(table.group_id, table.indicator_id)]))
                areas = SmallAreaGroups(np.flatnonzero(partner_of == p), {
                    g: of[partner_of == p] for g, of in small_area_groups.items()})
        cells = partner_cells(checked, [tables[p] for tables in breakdowns], figures, first_month, p,
                              n_partners) if checked else None
        problems.append(PartnerProblem(numbers, layout, kinds, listed, complete, rules, areas, cells))
    summed = [q for q in range(n_partners) if in_benchmark is None or bool(in_benchmark[q])]
    own, links = protect_partners(problems, _benchmark_totals(results, group_tables, checked, summed), jobs)
    return [own[p] | links for p in range(n_partners)]


def _benchmark_totals(results: dict[str, IndicatorResults], group_tables: list[list[AreaGroupTable]] | None,
                      checked: list[CheckedBreakdown], summed: list[int]) -> list[SharedTotal]:
    """The benchmark's figures every workbook shows, each the sum of the ``summed`` partner areas' own figures of the
    same cut: an indicator's 12-month count (its rate), an area group's count, a breakdown's count and base."""
    totals = [SharedTotal((LINK, BENCHMARK_RATE, i), {q: ("current", i) for q in summed}) for i in results]
    for table in group_tables[summed[0]] if group_tables and summed else []:
        i, gid = table.indicator_id, table.group_id
        totals += [SharedTotal((LINK, BENCHMARK_GROUP, i, gid, g), {q: ("group", i, gid, g) for q in summed})
                   for g in range(len(table.rows))]
    for b in checked:
        for figure in range(len(b.names)):
            for kind, part in ((BENCHMARK, COUNT), (BENCHMARK_BASE, BASE)):
                totals.append(SharedTotal((LINK, kind, b.spec.id, figure), {q: (part, b.spec.id, figure)
                                                                             for q in summed}))
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


def suppression_note(spec: Spec) -> str:
    """The note under a partner's figures when some are hidden: which counts, and why their neighbours go too."""
    rules = [(i.name, spec.suppression_for(i)) for i in spec.indicators if spec.suppression_for(i) is not None]
    described = "; ".join(f"{name}: counts below {rule.below}" + (" (zeros too)" if rule.zero else "")
                          for name, rule in rules)
    return (f"'{SUPPRESSED}' = not shown, to protect privacy: a small count of a sensitive indicator ({described}), "
            f"or a number from which one could be worked out or narrowed down (a change, a rate, a band, another part "
            f"of a total, a month or quarter of a series, a category of a breakdown).")

