"""Proportion indicators: each row's numerator and denominator, and the partner areas' statistics.

A proportion comes from rows (the share of an indicator's rows meeting further conditions: repeat
referrals of all referrals), from two count columns of an aggregate table, or from a survey's %
agreeing and its number of respondents (the numerator is then percent × respondents ÷ 100, rounded:
the whole number of people the published percentage stands for). Bands put each partner area's
Wilson interval against the benchmark's proportion (Fingertips); a change between periods is
tested with Fisher's exact test, or the overlap of the two Wilson intervals.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from engine.errors import DataError, Problem
from engine.indicators.measured.measure_stats import Judging, MeasureStats, Totals, judged
from engine.ingest import SourceRows
from engine.spec.filters import where_mask
from engine.spec.models import ChangeTest, Indicator
from engine.stats import (pooled_proportion, proportion_band_codes, proportion_change_codes,
                          proportion_change_p_values, proportion_peer_comparison)


def number_column(source: SourceRows, indicator: Indicator, column: str) -> np.ndarray:
    """A number column of the source as floats (NaN where a cell was empty or a missing-value marker)."""
    if column not in source.rows.columns:
        raise DataError(Problem(f"indicator {indicator.id!r} reads column {column!r}, which this source does not have",
                                file=str(source.path), column=column))
    return np.asarray(source.rows[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan))


RowPlace = Callable[[int], str]  # a row's area and period in words, for error messages


def _out_of_range(source: SourceRows, indicator: Indicator, column: str, values: np.ndarray, bad: np.ndarray,
                  why: str, place: RowPlace) -> DataError:
    """Every row whose value cannot be part of a proportion (the first 20), by file, column, value, area and period."""
    return DataError([Problem(f"indicator {indicator.id!r}: {why} ({place(int(i))})", file=str(source.path),
                              column=column, value=float(values[i])) for i in np.flatnonzero(bad)[:20]])


def proportion_rows(source: SourceRows, indicator: Indicator, mask: np.ndarray,
                    place: RowPlace) -> tuple[np.ndarray, np.ndarray]:
    """Each row's numerator and denominator (NaN where unknown; 0 for rows outside the indicator)."""
    measure = indicator.measure
    assert measure is not None
    inside = mask.astype(float)
    if measure.numerator is not None:
        return (mask & where_mask(source.rows, measure.numerator)).astype(float), inside
    if measure.percent_column is not None:
        assert measure.respondents_column is not None
        percent = number_column(source, indicator, measure.percent_column)
        respondents = number_column(source, indicator, measure.respondents_column)
        bad = mask & ((percent < 0) | (percent > 100))
        if bad.any():
            raise _out_of_range(source, indicator, measure.percent_column, percent, bad,
                                "a percentage must lie between 0 and 100", place)
        bad = mask & ((respondents < 0) | (np.floor(respondents) != respondents)) & ~np.isnan(respondents)
        if bad.any():
            raise _out_of_range(source, indicator, measure.respondents_column, respondents, bad,
                                "respondents must be a whole number, 0 or more", place)
        numerator = np.round(percent / 100 * respondents)
        return np.where(mask, numerator, 0.0), np.where(mask, respondents, 0.0)
    assert measure.value is not None and measure.denominator is not None
    numerator = number_column(source, indicator, measure.value)
    denominator = number_column(source, indicator, measure.denominator)
    bad = mask & ((numerator < 0) | (numerator > denominator))
    if bad.any():
        raise _out_of_range(source, indicator, measure.value, numerator, bad,
                            f"a numerator must lie between 0 and its denominator ({measure.denominator})", place)
    return np.where(mask, numerator, 0.0), np.where(mask, denominator, 0.0)


def proportion_judging(levels: tuple[float, float], change: ChangeTest, peer_level: float) -> Judging:
    """Proportions: bands by Wilson intervals against the benchmark proportion, change by Fisher's exact test
    (or the overlap of the two Wilson intervals), peers against the pooled proportion."""
    return Judging(
        "percent", 1.0,
        pooled=pooled_proportion,
        bands=lambda x, n, benchmark: proportion_band_codes(x, n, benchmark, levels),
        peers=lambda x, n: proportion_peer_comparison(x, n, peer_level),
        change=lambda *a: proportion_change_codes(*a, method=change.method, level=change.level),
        p_values=proportion_change_p_values if change.method == "exact" else None,
    )


def proportion_stats(current: Totals, previous: Totals | None, levels: tuple[float, float], change: ChangeTest,
                     peer_level: float, benchmark: float | None = None) -> MeasureStats:
    """Proportions (fractions) of every partner area, banded against the pooled benchmark proportion (or
    ``benchmark``, a fraction, when given: a dashboard subject against all areas, its members against it)."""
    return judged(current, previous, proportion_judging(levels, change, peer_level), "percent", benchmark)
