"""A counted indicator's numbers for every small area and partner area at once: counts, rates, bands,
change and peer ranks, and a partner area's KPI from them.

Everything is computed over all places in one pass (numpy) and sliced per partner later, so nine
workbooks cost little more than one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.indicators.counted.counts import count_matrix
from engine.indicators.periods import ReportPeriods
from engine.indicators.travel import DIRECTIONS, change_test
from engine.indicators.travel import outcome as _outcome
from engine.ingest import PARTNER_AREA, Inputs
from engine.report import Kpi
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


def indicator_counts(indicator: Indicator, inputs: Inputs, mask: np.ndarray, first_month: int,
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


def window_sum(counts: IndicatorCounts, first_month: int, window_first: int, window_last: int) -> np.ndarray:
    """Each place's count over one window (months before the first month counted add nothing)."""
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


def indicator_results(spec: Spec, inputs: Inputs, counts: IndicatorCounts, first_month: int,
                      periods: ReportPeriods) -> IndicatorResults:
    """The indicator's windows, benchmark rate, bands, change test and peer positions for every place."""
    geo = inputs.geography
    indicator = counts.indicator
    n_partners = len(geo.partner_names)
    current = window_sum(counts, first_month, periods.current.first, periods.current.last)
    previous = window_sum(counts, first_month, periods.previous.first, periods.previous.last)
    partner_current = sum_by_partner(current, counts.partner_of, n_partners)
    partner_previous = sum_by_partner(previous, counts.partner_of, n_partners)
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


def counted_kpi(results: IndicatorResults, p: int, population: float, hidden: set) -> Kpi:
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


def sum_by_partner(values: np.ndarray, partner_of: np.ndarray, n_partners: int) -> np.ndarray:
    """Sum small-area rows of ``values`` (counts, any trailing shape) into partner-area rows, as integers."""
    totals = np.zeros((n_partners,) + values.shape[1:], dtype=np.int64)
    np.add.at(totals, partner_of, values)
    return totals

