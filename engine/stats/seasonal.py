"""Peaks in a monthly profile: the run of months a finding may call "a peak" only when it is real.

A sentence such as "with a peak from November to January" is a statistical claim. The run of
``length`` consecutive months with the most events is tested against a flat profile with the
one-sided exact binomial test (under no seasonality each month holds 1/n of the events), and
the p-value is multiplied by the number of runs tried (Bonferroni), because the busiest run was
chosen after looking at the data.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import bdtrc


@dataclass(frozen=True)
class PeakRun:
    start: int  # index of the run's first month
    length: int
    count: int
    expected: float
    p_value: float  # Bonferroni-adjusted, capped at 1


def busiest_run(monthly: np.ndarray, length: int = 3) -> PeakRun | None:
    """The busiest run of ``length`` consecutive months and its adjusted one-sided p-value.

    None when there are fewer months than ``length + 1`` or no events: there is nothing to compare.
    """
    counts = np.asarray(monthly, dtype=np.int64)
    n_months = counts.size
    total = int(counts.sum())
    if n_months <= length or total == 0:
        return None
    sums = np.convolve(counts, np.ones(length, dtype=np.int64), mode="valid")
    start = int(np.argmax(sums))  # the earliest run among equals: stable wording
    observed = int(sums[start])
    share = length / n_months
    # P(X >= observed) for X ~ Binomial(total, share); bdtrc(k, n, p) is P(X > k).
    p_one = float(bdtrc(observed - 1, total, share)) if observed > 0 else 1.0
    runs = sums.size
    return PeakRun(start, length, observed, total * share, min(1.0, p_one * runs))
