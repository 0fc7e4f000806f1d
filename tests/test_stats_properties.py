"""Invariants of engine.stats, checked on many generated inputs (hypothesis).

* every interval contains its estimate;
* a higher confidence level gives a wider (or equal) interval;
* mirroring an area around the benchmark mirrors its band (and swaps better and worse);
* suppression never leaves a hidden cell derivable from the visible cells and the totals,
  checked here by linear algebra, independently of the graph rule the code uses.
"""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine.stats import (band_codes_from_limits, count_limits, judgement, mean_limits, rate_limits, sd_band_codes,
                          sd_band_codes_from_z, secondary_suppression, wilson_limits)
from engine.stats.standardised import dsr, isr

FAST = settings(max_examples=150, deadline=None)
LEVELS = st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998, 0.9999])
COUNTS = st.integers(min_value=0, max_value=100_000)
TINY = 1e-9


def le(a: float, b: float) -> bool:
    """a ≤ b, allowing for rounding in the last few digits."""
    return a <= b + TINY * max(abs(a), abs(b), 1.0)


def _ordered(a: float, b: float) -> tuple[float, float]:
    return (a, b) if a <= b else (b, a)


# --- every interval contains its estimate; higher confidence is wider -----------------------------


@FAST
@given(COUNTS, st.integers(min_value=1, max_value=10_000_000), LEVELS, LEVELS)
def test_rate_intervals(count, population, level_a, level_b):
    low_level, high_level = _ordered(level_a, level_b)
    rate = count / population * 1000
    lower, upper = rate_limits(np.array([count]), np.array([population]), low_level)
    wider_lower, wider_upper = rate_limits(np.array([count]), np.array([population]), high_level)
    assert lower[0] <= rate <= upper[0]
    assert le(wider_lower[0], lower[0]) and le(upper[0], wider_upper[0])


@FAST
@given(st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_subnormal=False), LEVELS, LEVELS)
def test_count_intervals_for_any_count(count, level_a, level_b):
    """Fractional counts too (the reference has one), across the switch from exact to Byar's."""
    low_level, high_level = _ordered(level_a, level_b)
    lower, upper = count_limits(np.array([count]), low_level)
    wider_lower, wider_upper = count_limits(np.array([count]), high_level)
    assert le(lower[0], count) and le(count, upper[0])
    assert le(wider_lower[0], lower[0]) and le(upper[0], wider_upper[0])


@FAST
@given(st.integers(min_value=1, max_value=1_000_000), st.floats(min_value=0, max_value=1), LEVELS, LEVELS)
def test_wilson_intervals(denominator, share, level_a, level_b):
    low_level, high_level = _ordered(level_a, level_b)
    numerator = round(share * denominator)
    proportion = numerator / denominator
    lower, upper = wilson_limits(np.array([numerator]), np.array([denominator]), low_level)
    wider_lower, wider_upper = wilson_limits(np.array([numerator]), np.array([denominator]), high_level)
    assert le(0, lower[0]) and le(lower[0], proportion) and le(proportion, upper[0]) and le(upper[0], 1)
    assert le(wider_lower[0], lower[0]) and le(upper[0], wider_upper[0])


@FAST
@given(hnp.arrays(np.int64, st.integers(2, 30), elements=st.integers(-1000, 1000)), LEVELS, LEVELS)
def test_mean_intervals(values, level_a, level_b):
    low_level, high_level = _ordered(level_a, level_b)
    mean, sd, n = np.array([values.mean()]), np.array([values.std(ddof=1)]), np.array([values.size])
    lower, upper = mean_limits(mean, sd, n, low_level)
    wider_lower, wider_upper = mean_limits(mean, sd, n, high_level)
    assert lower[0] <= mean[0] <= upper[0]
    assert wider_lower[0] <= lower[0] and wider_upper[0] >= upper[0]


@FAST
@given(hnp.arrays(np.int64, 5, elements=st.integers(0, 500)), hnp.arrays(np.int64, 5, elements=st.integers(1, 5000)),
       LEVELS, LEVELS)
def test_standardised_intervals(counts, populations, level_a, level_b):
    low_level, high_level = _ordered(level_a, level_b)
    standard = np.array([5000.0, 5500.0, 6000.0, 7000.0, 2500.0])
    narrow = dsr(counts[None, :], populations[None, :], standard, low_level)
    wide = dsr(counts[None, :], populations[None, :], standard, high_level)
    if counts.sum() >= 10:
        assert le(narrow.lower[0], narrow.value[0]) and le(narrow.value[0], narrow.upper[0])
        assert le(wide.lower[0], narrow.lower[0]) and le(narrow.upper[0], wide.upper[0])
    else:
        assert np.isnan(narrow.value[0])
    ratio = isr(np.array([counts.sum()]), np.array([populations.sum() / 100]), low_level, 100)
    assert le(ratio.lower[0], ratio.value[0]) and le(ratio.value[0], ratio.upper[0])


# --- mirroring around the benchmark mirrors the band ----------------------------------------------

INTEGER = st.integers(min_value=-10_000, max_value=10_000)


@FAST
@given(INTEGER, st.integers(0, 5000), st.integers(0, 5000), st.integers(0, 5000), st.integers(0, 5000), INTEGER)
def test_mirroring_an_interval_mirrors_the_band(offset, below_95, above_95, extra_below, extra_above, benchmark):
    """An area at benchmark + d with limits (b + d − l, b + d + u) against its mirror image at
    benchmark − d with limits (b − d − u, b − d + l): the bands are opposite (whole numbers, so the
    mirror is exact). The 99.8% interval contains the 95% one."""
    value = benchmark + offset
    limits = {0.95: (value - below_95, value + above_95),
              0.998: (value - below_95 - extra_below, value + above_95 + extra_above)}
    mirrored = {level: (2 * benchmark - high, 2 * benchmark - low) for level, (low, high) in limits.items()}

    def code(v, table):
        return int(band_codes_from_limits(np.array([v], float), benchmark,
                                          lambda level: tuple(np.array([x], float) for x in table[level]),
                                          (0.95, 0.998))[0])

    original, mirror = code(value, limits), code(2 * benchmark - value, mirrored)
    assert mirror == -original
    assert judgement(np.array([original]), "higher_is_worse")[0] == judgement(np.array([mirror]), "higher_is_better")[0]


@FAST
@given(hnp.arrays(np.int64, st.integers(2, 40), elements=st.integers(0, 1000)), st.integers(-2000, 2000),
       st.sampled_from([(1.0, 2.0), (1.5, 3.0), (0.5,)]))
def test_mirroring_around_the_mean_mirrors_the_sd_band(reference, offset, cuts):
    """A rate d above the mean of the small-area rates and one d below get opposite SD bands."""
    mean, sd = float(reference.mean()), float(reference.std())
    z_above, z_below = offset / sd if sd else 0.0, -offset / sd if sd else 0.0
    above = int(sd_band_codes_from_z(np.array([z_above]), cuts)[0])
    below = int(sd_band_codes_from_z(np.array([z_below]), cuts)[0])
    assert above == -below
    # The same through the rates themselves, mirroring every small area around their mean (scaled so
    # that the mean is a whole number and the mirror image exact).
    scaled = reference * reference.size
    mirrored = 2 * (scaled.sum() // reference.size) - scaled
    codes = sd_band_codes(scaled.astype(float), scaled.astype(float), cuts)
    assert (sd_band_codes(mirrored.astype(float), mirrored.astype(float), cuts) == -codes).all()


# --- suppression leaves nothing derivable --------------------------------------------------------


def _determined(hidden: np.ndarray, row_totals: bool, column_totals: bool) -> np.ndarray:
    """Hidden cells fixed by the published totals: e_i lies in the row space of the constraints
    (each total's line, restricted to the hidden cells), tested by matrix rank."""
    cells = list(zip(*np.nonzero(hidden)))
    if not cells:
        return np.zeros_like(hidden)
    lines = []
    if column_totals:
        lines += [[1.0 if c == col else 0.0 for _, c in cells] for col in range(hidden.shape[1])]
    if row_totals:
        lines += [[1.0 if r == row else 0.0 for r, _ in cells] for row in range(hidden.shape[0])]
    constraints = np.array(lines)
    rank = np.linalg.matrix_rank(constraints)
    result = np.zeros_like(hidden)
    for index, (r, c) in enumerate(cells):
        unit = np.zeros(len(cells))
        unit[index] = 1
        result[r, c] = np.linalg.matrix_rank(np.vstack([constraints, unit])) == rank
    return result


TABLES = hnp.arrays(np.int64, st.tuples(st.integers(2, 6), st.integers(2, 6)), elements=st.integers(0, 40))


@settings(max_examples=150, deadline=None)
@given(TABLES, st.sampled_from([(False, True), (True, False), (True, True)]), st.integers(2, 12))
def test_suppression_leaves_no_hidden_cell_derivable(table, totals, below):
    row_totals, column_totals = totals
    values = table.astype(float)
    primary = (values > 0) & (values < below)
    hidden = secondary_suppression(values, primary, row_totals=row_totals, column_totals=column_totals)
    assert (hidden | ~primary).all(), "every primary cell stays hidden"
    assert not _determined(hidden, row_totals, column_totals).any()
