"""Standard-deviation banding: how far a rate sits from the mean of all small-area rates.

Police crime maps (and, by their cut-points, the seed assessments' tables) band each small area
by its z-score among all small areas of the benchmark: z = (rate − mean) ÷ SD of the small-area
rates. With cut-points [1, 2], more than 2 SD above the mean is "Very Significantly High", more
than 1 SD "Significantly High", otherwise "Above Average" (and the same below). Unlike the
interval method it ignores how many events a rate rests on, so it is only as good as the rates:
use it where the analysts' maps use it, and say so (the Methodology sheet does).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from engine.stats.compare import NOT_COMPARED


def reference_mean_sd(reference_rates: ArrayLike, ddof: int = 0) -> tuple[float, float]:
    """Mean and standard deviation of the reference rates (missing ones left out).

    ``ddof=0`` (the default) is the population SD: the small areas are all the areas there are,
    not a sample of them. ``ddof=1`` matches a spreadsheet's STDEV.S.
    """
    r = np.asarray(reference_rates, dtype=float)
    r = r[~np.isnan(r)]
    if r.size <= ddof:
        raise ValueError("need more reference rates to measure their spread")
    return float(r.mean()), float(r.std(ddof=ddof))


def z_scores(rates: ArrayLike, mean: float, sd: float) -> np.ndarray:
    """(rate − mean) ÷ sd; all zero when every reference rate is the same (no spread to measure)."""
    r = np.asarray(rates, dtype=float)
    if sd == 0:
        return np.where(np.isnan(r), np.nan, 0.0)
    return (r - mean) / sd


def sd_band_codes_from_z(z: ArrayLike, cut_points: Sequence[float] = (1.0, 2.0)) -> np.ndarray:
    """Band code (−3..3) of each z-score: beyond the higher cut-point ±3, beyond the lower ±2,
    otherwise ±1 by its sign (0 at the mean); ``NOT_COMPARED`` where missing. Strictly beyond:
    a rate exactly 1 SD above the mean is still "Above Average"."""
    if not 1 <= len(cut_points) <= 2 or any(c <= 0 for c in cut_points):
        raise ValueError("give one or two positive cut-points (in standard deviations)")
    z = np.asarray(z, dtype=float)
    codes = np.sign(z)
    size = np.abs(z)
    for code, cut in enumerate(sorted(cut_points), start=2):
        codes = np.where(size > cut, np.sign(z) * code, codes)
    return np.where(np.isnan(z), NOT_COMPARED, codes).astype(np.int8)


def sd_band_codes(rates: ArrayLike, reference_rates: ArrayLike, cut_points: Sequence[float] = (1.0, 2.0),
                  ddof: int = 0) -> np.ndarray:
    """Band code of each rate by its z-score among ``reference_rates`` (all small areas of the benchmark)."""
    mean, sd = reference_mean_sd(reference_rates, ddof)
    return sd_band_codes_from_z(z_scores(rates, mean, sd), cut_points)
