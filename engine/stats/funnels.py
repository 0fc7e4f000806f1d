"""Funnel plots (Spiegelhalter, Stat Med 2005; doi:10.1002/sim.1970), as Fingertips builds them.

A funnel plot draws each area's value against its size, with control limits around the baseline
(Σ numerators ÷ Σ denominators over all areas, not the mean of the areas' values) that narrow as
size grows: "2s" limits at 95% (p = 0.025 in each tail) and "3s" limits at 99.8% (p = 0.001).
An area outside a limit is significantly high or low at that level.

* Proportions: p₀ ± z √(p₀(1 − p₀)/N), clamped to [0, 1]. (Fingertips writes this as the
  proportion whose Wilson interval just reaches p₀; the two are algebraically the same.)
* Ratios and rates: exact Poisson limits. For O observed events the limit sits where the expected
  count E makes O just significant: E = χ²⁻¹(1 − p; 2O + 2)/2 for the lower limit on O/E,
  E = χ²⁻¹(p; 2O)/2 for the upper. This closed form is exact; Fingertips' published tables were
  made by a numerical search (bisection on a truncated series) and differ from it by up to
  5e-5 relative, far below what a chart can show.

The x-axis points follow Fingertips' rule exactly (100 points, geometric, rounded), so a chart
drawn from them matches theirs.
"""
from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtri

from engine.stats.compare import significance
from engine.stats.intervals import as_counts, as_denominators, chi2_quantile, count_limits

#: One-tailed probabilities of the two funnel levels, named as Fingertips names them.
TAILS = {"2s": 0.025, "3s": 0.001}
FUNNEL_POINTS = 100

#: Significance codes: ±2 outside the 99.8% limits, ±1 outside the 95% limits only.
NOT_APPLICABLE = -9
FUNNEL_LABELS: dict[int, str] = {
    2: "High (0.001)",
    1: "High (0.025)",
    0: "Not significant",
    -1: "Low (0.025)",
    -2: "Low (0.001)",
    NOT_APPLICABLE: "Not applicable for events less than 10 for dsrs",
}

def _digits(value: float) -> int:
    return len(str(int(value)))


def _neat_floor(x: float) -> float:
    """Round 95% of x down to its leading digit (an axis minimum that reads well)."""
    if x == 0:
        return 0.0
    n = _digits(math.floor(x * 0.95)) - 1
    return math.floor(x * 0.95 / 10 ** n) * 10 ** n


def _neat_ceiling(x: float) -> float:
    """Round 105% of x up to its two leading digits (an axis maximum that reads well)."""
    if x == 0:
        return 0.0
    n = _digits(math.ceil(x * 1.05)) - 2
    return math.ceil(x * 1.05 / 10 ** n) * 10 ** n


def axis_points(minimum: float, maximum: float, ratio: bool = False) -> np.ndarray:
    """The 100 x-axis points: geometric from max(1, minimum) towards ``maximum``, rounded (half
    to even, as R), each at least one more than the one before. Ratio funnels step one point
    further each time (Fingertips' offset), so their last point lands on ``maximum``."""
    points = [max(1.0, minimum)]
    for j in range(2, FUNNEL_POINTS + 1):
        remaining = 101 - (j - 1 if ratio else j)
        previous = points[-1]
        points.append(max(float(round((maximum / previous) ** (1 / remaining) * previous)), previous + 1))
    return np.array(points)


def _axis_range(denominators: np.ndarray, years: float = 1.0) -> tuple[float, float]:
    """Axis minimum and maximum from the areas' denominators (per year, for rates)."""
    d = denominators[~np.isnan(denominators)]
    low, high = float(d.min()), float(d.max())
    minimum = 0.0 if high > 2 * low else _neat_floor(low / years) * years
    return minimum, _neat_ceiling(high / years) * years


# --- proportions ---------------------------------------------------------------------------------


def proportion_limits(baseline: float, denominators: ArrayLike, p: float, multiplier: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper funnel limits at one-tailed probability ``p``, clamped to [0, multiplier]."""
    n = as_denominators(denominators)
    z = float(ndtri(1 - p))
    half = z * np.sqrt(baseline * (1 - baseline) / n)
    return np.clip(baseline - half, 0, 1) * multiplier, np.clip(baseline + half, 0, 1) * multiplier


def proportion_funnel(numerators: ArrayLike, denominators: ArrayLike, multiplier: float = 100.0) -> dict[str, np.ndarray]:
    """The 100-point limit table of a proportion funnel (columns as Fingertips names them)."""
    x, n = as_counts(numerators), as_denominators(denominators)
    baseline = float(np.nansum(x) / np.nansum(n))
    population = axis_points(*_axis_range(n))
    table = {"Population": population}
    for name, p in TAILS.items():
        table[f"lower_{name}_limit"], table[f"upper_{name}_limit"] = proportion_limits(baseline, population, p, multiplier)
    table["baseline"] = np.full(population.size, baseline * multiplier)
    return table


def proportion_significance(numerators: ArrayLike, denominators: ArrayLike) -> np.ndarray:
    """Funnel significance code (±2, ±1, 0) of each area's proportion against the baseline."""
    x, n = as_counts(numerators), as_denominators(denominators)
    if np.any(x > n):
        raise ValueError("numerators must not exceed denominators for a proportion")
    value = x / n
    baseline = float(np.nansum(x) / np.nansum(n))
    codes = np.zeros(value.shape, dtype=np.int8)
    for code, p in ((1, TAILS["2s"]), (2, TAILS["3s"])):
        lower, upper = proportion_limits(baseline, n, p)
        codes = np.where(value > upper, code, np.where(value < lower, -code, codes)).astype(np.int8)
    return codes


# --- Poisson limits for ratios and rates ---------------------------------------------------------


def expected_on_limit(observed: ArrayLike, p: float, for_lower_limit: bool) -> np.ndarray:
    """The expected count E at which O observed events sit exactly on a funnel limit.

    The lower limit of O/E uses the larger E (O is just significantly *low* there); the upper
    limit the smaller E.
    """
    o = as_counts(observed)
    if for_lower_limit:
        return chi2_quantile(1 - p, 2 * o + 2) / 2
    return np.where(o > 0, chi2_quantile(p, 2 * o) / 2, 0.0)


def ratio_funnel(observed: ArrayLike, expected: ArrayLike, ratio_type: Literal["count", "isr"] = "isr") -> dict[str, np.ndarray]:
    """The 100-point limit table of a ratio funnel (O/E), on an axis of observed events.

    ``ratio_type="isr"`` gives 100 × O/E (an SMR, 100 = as expected); ``"count"`` gives
    O/E − 1 (the relative excess, 0 = as expected).
    """
    as_counts(observed)
    events = axis_points(*_axis_range(as_denominators(expected)), ratio=True)
    table = {"Observed_events": events}
    for name, p in TAILS.items():
        for side, lower in (("lower", True), ("upper", False)):
            e = expected_on_limit(events, p, lower)
            ratio = events / e
            table[f"{side}_{name}_exp_events"] = e
            table[f"{side}_{name}_{ratio_type}"] = ratio - 1 if ratio_type == "count" else ratio * 100
    return table


def ratio_significance(observed: ArrayLike, expected: ArrayLike, reference: float = 1.0) -> np.ndarray:
    """Funnel significance code of each O/E against ``reference`` (1 = as expected), using the
    count's limits on O (Byar's from 10 events, exact below) divided by E."""
    o = as_counts(observed)
    e = as_denominators(expected)
    codes = np.zeros(o.shape, dtype=np.int8)
    for code, level in ((1, 0.95), (2, 0.998)):
        lower, upper = count_limits(o, level)
        side = significance(lower / e, upper / e, reference)
        codes = np.where(side != 0, side * code, codes).astype(np.int8)
    return codes


def derived_denominators(events: ArrayLike, rates: ArrayLike, multiplier: float, rate_type: Literal["dsr", "crude"],
                         denominators: ArrayLike | None = None) -> np.ndarray:
    """The population a rate implies, multiplier × events ÷ rate. With no events the rate says
    nothing: a DSR's is missing, a crude rate's is the given denominator (required then)."""
    o = as_counts(events)
    r = np.asarray(rates, dtype=float)
    zero = o == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        derived = multiplier * o / r
    if not zero.any():
        return derived
    if rate_type == "dsr":
        return np.where(zero, np.nan, derived)
    if denominators is None:
        raise ValueError("an area with no events needs its denominator: its rate implies no population")
    return np.where(zero, np.asarray(denominators, dtype=float), derived)


def rate_funnel(events: ArrayLike, rates: ArrayLike, multiplier: float, years: float,
                rate_type: Literal["dsr", "crude"], denominators: ArrayLike | None = None) -> dict[str, np.ndarray]:
    """The 100-point limit table of a rate funnel, on an axis of events.

    Each limit is given as a rate (× multiplier) and as the one-year population at which that
    many events sit on it.
    """
    o = as_counts(events)
    derived = derived_denominators(o, rates, multiplier, rate_type, denominators)
    average = float(np.nansum(o) / np.nansum(derived))
    minimum, maximum = _axis_range(derived, years)
    axis = axis_points(math.floor(minimum * average), math.ceil(maximum * average))
    table = {"Events": axis}
    for name, p in TAILS.items():
        for side, lower in (("lower", True), ("upper", False)):
            population = expected_on_limit(axis, p, lower) / average
            table[f"{side}_{name}_population_1_year"] = population / years
            table[f"{side}_{name}_limit"] = axis / population * multiplier
    table["baseline"] = np.full(axis.size, average * multiplier)
    return table


def rate_significance(events: ArrayLike, rates: ArrayLike, multiplier: float, rate_type: Literal["dsr", "crude"],
                      denominators: ArrayLike | None = None) -> np.ndarray:
    """Funnel significance code of each area's rate against the weighted average rate.

    A DSR on fewer than 10 events is not assessed (``NOT_APPLICABLE``).
    """
    o = as_counts(events)
    derived = derived_denominators(o, rates, multiplier, rate_type, denominators)
    average = float(np.nansum(o) / np.nansum(derived))
    codes = np.zeros(o.shape, dtype=np.int8)
    for code, level in ((1, 0.95), (2, 0.998)):
        lower, upper = count_limits(o, level)
        with np.errstate(invalid="ignore"):
            side = significance(lower / derived, upper / derived, average)
        codes = np.where(side != 0, side * code, codes).astype(np.int8)
    if rate_type == "dsr":
        codes = np.where(o < 10, NOT_APPLICABLE, codes).astype(np.int8)
    return codes


def rate_funnel_points(events: ArrayLike, rates: ArrayLike, multiplier: float, years: float,
                       rate_type: Literal["dsr", "crude"], denominators: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each area's point on a rate funnel: (rate to chart, one-year population). DSRs on fewer
    than 10 events are not charted (NaN)."""
    o = as_counts(events)
    r = np.asarray(rates, dtype=float)
    population = derived_denominators(o, r, multiplier, rate_type, denominators) / years
    if rate_type == "dsr":
        small = o < 10
        return np.where(small, np.nan, r), np.where(small, np.nan, population)
    return r, population
