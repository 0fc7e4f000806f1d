"""A measured indicator's statistics for every partner area: its level, band, change and peer position.

The inputs are two periods' partner-area totals (numerators and denominators); the outputs are
arrays in partner order, NaN or "not compared" where a partner's total is unknown (a source cell
suppressed or missing). Rates of summed values use the same methods as counts (Byar's / exact
Poisson limits, the exact conditional test with each period's denominator as its exposure);
proportions are in :mod:`engine.indicators.measured.proportions`.
"""
from __future__ import annotations

from dataclasses import dataclass

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


def rate_stats(current: Totals, previous: Totals | None, levels: tuple[float, float], change: ChangeTest,
               peer_level: float, per: float, as_rate: bool, benchmark: float | None = None) -> MeasureStats:
    """Counts or summed values against their denominators: bands by Byar's / exact Poisson limits, change by
    the exact conditional test (or interval overlap), peers against the pooled rate.

    ``as_rate``: the KPI's Previous / Current are rates (the denominator changes between periods, as a
    population column does from year to year), else the sums themselves. ``benchmark``: the rate to band
    against (per ``per``), when it is not these areas' pooled rate (a dashboard subject against all areas).
    """
    ok = current.usable
    num, den = current.numerator, current.denominator
    rate = figures(current, "rate", per)
    total = den[ok].sum()
    if benchmark is None:
        benchmark = float(rates(num[ok].sum(), total, per)) if total > 0 else float("nan")
    bands = on_usable(ok, NOT_COMPARED, lambda x, n: band_codes(x, n, benchmark, levels, per), num, den).astype(np.int8)
    peers = on_usable(ok, 0, lambda x, n: peer_comparison(x, n, peer_level, per=per), num, den).astype(np.int8)
    shown = "rate" if as_rate else "count"
    shown_current = figures(current, shown, per)
    if previous is None:
        return MeasureStats(shown_current, None, rate, benchmark, bands, np.zeros(ok.shape, np.int8), None,
                            np.zeros(ok.shape, bool), peers)
    both = ok & previous.usable
    arrays = (num, previous.numerator, den, previous.denominator)
    codes = on_usable(both, 0, lambda x1, x2, n1, n2: change_codes(x1, x2, change.method, change.level, n1, n2),
                      *arrays).astype(np.int8)
    p_values = (on_usable(both, np.nan, poisson_change_p_values, *arrays) if change.method == "exact" else None)
    return MeasureStats(shown_current, figures(previous, shown, per), rate, benchmark, bands, codes, p_values, both,
                        peers)
