"""Each partner area's highest small areas for an indicator (the Top 10 sheet), banded against the benchmark.

Picked for every partner area at once (one sort), so the disclosure check can see which small areas
a partner's table lists before any number is shown.
"""
from __future__ import annotations

import numpy as np

from engine.indicators.counted.results import IndicatorResults
from engine.indicators.cross_partner import bands_bound_benchmark
from engine.ingest import Inputs
from engine.report import TopAreaRow, TopAreaTable
from engine.stats import BAND_LABELS, rates


def top_picks(inputs: Inputs, results: IndicatorResults, by_partner: bool) -> list[list[int]]:
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


def top_table(inputs: Inputs, results: IndicatorResults, p: int, picked: list[int], hidden: set,
              benchmark_hidden: bool = False) -> TopAreaTable:
    """One partner area's highest small areas for one indicator, banded against the benchmark. ``benchmark_hidden``:
    a protected build hides the benchmark's count (a partner area's own count of it is hidden), so its rate and every
    band against it (confidence-interval bands would bound it) read as hidden."""
    geo = inputs.geography
    indicator = results.indicator
    banded = not (benchmark_hidden and bands_bound_benchmark(results.banding_method))
    rows = []
    for rank, i in enumerate(picked, start=1):
        shown = ("top", indicator.id, i) not in hidden
        count = int(results.current[i])
        rows.append(TopAreaRow(rank, str(geo.partner_names[p]), str(geo.small_area_codes[i]), str(geo.small_area_names[i]),
                               count if shown else None,
                               float(rates(count, geo.small_area_population[i], indicator.rate_per)) if shown else None,
                               BAND_LABELS[int(results.small_bands[i])] if shown and banded else None))
    return TopAreaTable(indicator.id, indicator.name, indicator.unit, indicator.top.rank_by, indicator.rate_per,
                        None if benchmark_hidden else results.benchmark_rate, rows, indicator.polarity,
                        results.band_basis)

