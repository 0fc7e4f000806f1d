"""A measured indicator's statistics for every partner area: its level, band, change and peer position.

The inputs are two periods' partner-area totals (numerators and denominators); the outputs are
arrays in partner order, NaN or "not compared" where a partner's total is unknown (a source cell
suppressed or missing). One pipeline, :func:`judged`, takes every measure through the same steps
(benchmark, band, peer position, change and its p-value, each only where the figures are known);
what differs between kinds of measure is only which published methods it calls (a :class:`Judging`):
rates of summed values use the same methods as counts (Byar's / exact Poisson limits, the exact
conditional test with each period's denominator as its exposure), proportions theirs
(:mod:`engine.indicators.measured.proportions`: Wilson intervals, Fisher's exact test).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from engine.spec.models import ChangeTest
from engine.stats import NOT_COMPARED, band_codes, change_codes, peer_comparison, poisson_change_p_values, rates


@dataclass(frozen=True)
class Totals:
    """One period's partner-area sums: numerator, denominator (residents, or a summed column) and
    whether any row behind them was missing."""

    numerator: np.ndarray
    denominator: np.ndarray
    unknown: np.ndarray  # bool
    reasons: tuple[str | None, ...] | None = None  # per partner area: why its figure is missing (no row, rejected)

    @property
    def usable(self) -> np.ndarray:
        """Partner areas whose figure is known and has a denominator to divide by."""
        return ~self.unknown & (self.denominator > 0)


@dataclass(frozen=True)
class MeasureStats:
    """One measured indicator for every partner area (partner order; NaN or NOT_COMPARED where unknown)."""

    current: np.ndarray  # in the KPI's value_format units (a count, a rate per rate_per, or a fraction)
    previous: np.ndarray | None  # None: a snapshot, nothing to compare with
    rate: np.ndarray  # the Summary's rate column: per rate_per, or a fraction for proportions
    benchmark: float  # the same measure over every partner area with a known figure
    bands: np.ndarray
    change_codes: np.ndarray  # +1 significant increase, −1 significant reduction, 0 neither or not comparable
    p_values: np.ndarray | None  # the exact test's, NaN where not comparable; None with the overlap rule
    comparable: np.ndarray  # bool: both periods known
    peer_codes: np.ndarray  # +1 above, 0 in line with, −1 below the pooled peer figure


def on_usable(usable: np.ndarray, fill: float, compute, *arrays: np.ndarray) -> np.ndarray:
    """``compute`` applied to the usable partner areas' entries of ``arrays``; ``fill`` elsewhere."""
    out = np.full(usable.shape, fill, dtype=float)
    if usable.any():
        out[usable] = compute(*(a[usable] for a in arrays))
    return out


def figures(totals: Totals, fmt: str, per: float = 1.0) -> np.ndarray:
    """The partner areas' figures in a KPI's units: ``percent`` a fraction, ``rate`` per ``per``, ``count``
    the sum itself; NaN where unknown (or, for a fraction or rate, nothing to divide by)."""
    ok = totals.usable
    if fmt in ("percent", "rate"):  # engine.stats.rates: NaN where not usable, so nothing divides by zero
        return rates(np.where(ok, totals.numerator, np.nan), np.where(ok, totals.denominator, np.nan),
                     1.0 if fmt == "percent" else per)
    return np.where(totals.unknown, np.nan, totals.numerator)


Pair = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (numerators, denominators) -> one code per area
Change = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]  # (x1, n1, x2, n2) -> per area


@dataclass(frozen=True)
class Judging:
    """How one kind of measure is judged: the published methods from :mod:`engine.stats` for its level, its
    benchmark, its band, its peer position and its change. Rates and proportions differ only here."""

    scale: str  # the figure's units (:func:`figures`): "rate" (per ``per``) or "percent" (a fraction)
    per: float
    pooled: Callable[[np.ndarray, np.ndarray], float]  # the benchmark: all usable areas' figure pooled
    bands: Callable[[np.ndarray, np.ndarray, float], np.ndarray]  # (numerators, denominators, benchmark)
    peers: Pair
    change: Change
    p_values: Change | None  # the exact test's p-values; None with the overlap rule


def judged(current: Totals, previous: Totals | None, judging: Judging, shown: str,
           benchmark: float | None = None) -> MeasureStats:
    """Every partner area's figure, band against the benchmark, peer position and change, by ``judging``'s
    methods, each computed only where the partner's figures are known.

    ``shown``: the units of the KPI's Previous / Current (:func:`figures`). ``benchmark``: what to band against,
    when it is not these areas' pooled figure (a dashboard subject against all areas, its members against it).
    """
    ok = current.usable
    num, den = current.numerator, current.denominator
    if benchmark is None:
        benchmark = judging.pooled(num[ok], den[ok]) if ok.any() else float("nan")
    bands = on_usable(ok, NOT_COMPARED, lambda x, n: judging.bands(x, n, benchmark), num, den).astype(np.int8)
    peers = on_usable(ok, 0, judging.peers, num, den).astype(np.int8)
    rate, shown_current = figures(current, judging.scale, judging.per), figures(current, shown, judging.per)
    if previous is None:
        return MeasureStats(shown_current, None, rate, benchmark, bands, np.zeros(ok.shape, np.int8), None,
                            np.zeros(ok.shape, bool), peers)
    both = ok & previous.usable
    arrays = (num, den, previous.numerator, previous.denominator)
    codes = on_usable(both, 0, judging.change, *arrays).astype(np.int8)
    p_values = None if judging.p_values is None else on_usable(both, np.nan, judging.p_values, *arrays)
    return MeasureStats(shown_current, figures(previous, shown, judging.per), rate, benchmark, bands, codes, p_values,
                        both, peers)


def rate_judging(levels: tuple[float, float], change: ChangeTest, peer_level: float, per: float) -> Judging:
    """Counts or summed values against their denominators: bands by Byar's / exact Poisson limits, change by
    the exact conditional test with each period's denominator as its exposure (or interval overlap), peers
    against the pooled rate."""
    return Judging(
        "rate", per,
        pooled=lambda x, n: float(rates(x.sum(), n.sum(), per)),
        bands=lambda x, n, benchmark: band_codes(x, n, benchmark, levels, per),
        peers=lambda x, n: peer_comparison(x, n, peer_level, per=per),
        change=lambda x1, n1, x2, n2: change_codes(x1, x2, change.method, change.level, n1, n2),
        p_values=(lambda x1, n1, x2, n2: poisson_change_p_values(x1, x2, n1, n2)) if change.method == "exact" else None,
    )


def rate_stats(current: Totals, previous: Totals | None, levels: tuple[float, float], change: ChangeTest,
               peer_level: float, per: float, as_rate: bool, benchmark: float | None = None) -> MeasureStats:
    """Rates of counts or summed values (:func:`rate_judging`) for every partner area.

    ``as_rate``: the KPI's Previous / Current are rates (the denominator changes between periods, as a
    population column does from year to year), else the sums themselves. ``benchmark``: the rate to band
    against (per ``per``), when it is not these areas' pooled rate.
    """
    return judged(current, previous, rate_judging(levels, change, peer_level, per), "rate" if as_rate else "count",
                  benchmark)
