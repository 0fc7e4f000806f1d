"""Compare areas with a benchmark value at two confidence levels: the seeds' seven bands.

The Fingertips rule compares the area's interval with the benchmark's *value*: lower limit above
it -> significantly higher; upper limit below -> significantly lower. Run at two levels it gives
"Very Significantly" (the higher level) and "Significantly" (the lower level); otherwise the
rate is simply above or below average.
"""
from __future__ import annotations

import numpy as np

from engine.stats.intervals import rate_limits

#: Band codes, from lowest to highest. Code 0 is a rate exactly equal to the benchmark.
BAND_LABELS: dict[int, str] = {
    -3: "Very Significantly Low",
    -2: "Significantly Low",
    -1: "Below Average",
    0: "Average",
    1: "Above Average",
    2: "Significantly High",
    3: "Very Significantly High",
}


def band_codes(counts: np.ndarray, denominators: np.ndarray, benchmark_rate: float | np.ndarray,
               levels: tuple[float, float], per: float = 1000.0) -> np.ndarray:
    """Band code (−3..3) of each area's crude rate against ``benchmark_rate``."""
    counts = np.asarray(counts, dtype=float)
    denominators = np.asarray(denominators, dtype=float)
    benchmark = np.broadcast_to(np.asarray(benchmark_rate, dtype=float), counts.shape)
    rate = counts / denominators * per
    codes = np.sign(rate - benchmark).astype(np.int64)
    for level, code in zip(sorted(levels), (2, 3)):
        lower, upper = rate_limits(counts, denominators, level, per)
        codes = np.where(lower > benchmark, code, codes)
        codes = np.where(upper < benchmark, -code, codes)
    return codes


def band_labels(codes: np.ndarray) -> list[str]:
    return [BAND_LABELS[int(c)] for c in codes]
