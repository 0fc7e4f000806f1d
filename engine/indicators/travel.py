"""Direction of travel: the spec's change test on two windows' counts, in words, judged by polarity.

The partner workbooks (:mod:`engine.indicators.compute`) and the dashboard
(:mod:`engine.indicators.dashboard.subject`) both call these, so the same counts always get the same
words, whichever workbook shows them.
"""
from __future__ import annotations

import numpy as np

from engine.spec.models import ChangeTest
from engine.stats import change_codes, poisson_change_p_values

#: Direction of travel, by the change test's code (+1 significant increase, −1 significant reduction).
DIRECTIONS = {1: "Increase (significant)", -1: "Reduction (significant)", 0: "No significant change"}


def outcome(code: int, polarity: str) -> str:
    """A significant change judged by the indicator's polarity; anything else is "Similar"."""
    if code == 0:
        return "Similar"
    if polarity == "neither":
        return "Neither"
    return "Worse" if (code > 0) == (polarity == "higher_is_worse") else "Better"


def change_test(change: ChangeTest, current: np.ndarray, previous: np.ndarray,
                population: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Each area's change code and, with the exact test, its two-sided p-value (None with the overlap rule).

    The population is the same for both windows (one population estimate serves both).
    """
    codes = change_codes(current, previous, change.method, change.level, population, population)
    p_values = poisson_change_p_values(current, previous) if change.method == "exact" else None
    return codes, p_values
