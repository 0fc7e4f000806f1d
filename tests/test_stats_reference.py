"""engine.stats against every expected value published with PHEindicatormethods (tests/reference).

Expected values are read from the reference CSVs, never computed here. The tests only prepare
inputs (pivoting long tables into one row per area, as the package's own tests do) and apply the
tolerances the reference README gives: relative 1e-9 for intervals; absolute 5e-7 / 5e-9 for the
rounded proportion-funnel tables; relative 1e-4 for Poisson funnel limits computed in closed
form (the tables were made by bisection).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.stats import byars_limits, count_limits, mean_limits, rate_limits, rates, wilson_limits
from engine.stats.funnels import (FUNNEL_LABELS, proportion_funnel, proportion_significance, rate_funnel,
                                  rate_funnel_points, rate_significance, ratio_funnel, ratio_significance)
from engine.stats.intervals import group_mean_sd
from engine.stats.standardised import dsr, expected_counts, isr, reference_rate

REFERENCE = Path(__file__).parent / "reference"
REL = 1e-9  # the reference README: 1e-9 relative is safe (observed agreement 2e-14)
LEVELS = [(0.95, "95_0"), (0.998, "99_8")]
#: The README: the closed-form Poisson limits differ from the published (bisection) tables by up to 4.7e-5.
POISSON_FUNNEL_REL = 1e-4


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / name)


def assert_close(actual, expected, rel=REL, atol=0.0, what=""):
    """Equal within tolerance, and missing exactly where the reference is blank."""
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=f"{what}: missing values differ")
    np.testing.assert_allclose(actual, expected, rtol=rel, atol=atol, equal_nan=True, err_msg=what)


# --- Byar's and Wilson ---------------------------------------------------------------------------


def test_raw_byars_limits():
    table = read("byars_wilson_limits.csv").query("method == 'Byars'")
    assert len(table) == 7
    for row in table.itertuples():
        lower, upper = byars_limits(np.array([row.x]), row.confidence)
        assert_close(lower, [row.expected_lowercl], what=f"case {row.case_id} lower")  # case 13: NA
        assert_close(upper, [row.expected_uppercl], what=f"case {row.case_id} upper")


def test_raw_wilson_limits():
    table = read("byars_wilson_limits.csv").query("method == 'Wilson'")
    assert len(table) == 6
    for row in table.itertuples():
        lower, upper = wilson_limits(np.array([row.x]), np.array([row.n]), row.confidence)
        assert_close(lower, [row.expected_lowercl], what=f"case {row.case_id}")
        assert_close(upper, [row.expected_uppercl], what=f"case {row.case_id}")
        # Confidence may be given as a percentage too.
        assert_close(wilson_limits(np.array([row.x]), np.array([row.n]), row.confidence * 100)[1], upper)


def test_wilson_at_full_confidence_is_zero_to_one():
    lower, upper = wilson_limits(np.array([65.0, 0.445]), np.array([100.0, 1.0]), 1)
    assert lower.tolist() == [0.0, 0.0] and upper.tolist() == [1.0, 1.0]


# --- crude rates and proportions -----------------------------------------------------------------


@pytest.mark.parametrize("level, suffix", LEVELS)
def test_crude_rates(level, suffix):
    table = read("rate.csv")
    assert len(table) == 20
    num, den, per = table["numerator"], table["denominator"], table["multiplier"]
    assert_close(rates(num, den, per), table["expected_value"], what="value")
    lower, upper = rate_limits(num, den, level, per)
    assert_close(lower, table[f"expected_lower{suffix}cl"], what="lower")  # Area09–11: blank in, blank out
    assert_close(upper, table[f"expected_upper{suffix}cl"], what="upper")


def test_crude_rates_grouped():
    table = read("rate_grouped.csv")
    num, den, per = table["numerator_sum"], table["denominator_sum"], table["multiplier"]
    assert_close(rates(num, den, per), table["expected_value"])
    lower, upper = rate_limits(num, den, 0.95, per)
    assert_close(lower, table["expected_lowercl"])
    assert_close(upper, table["expected_uppercl"])


@pytest.mark.parametrize("level, suffix", LEVELS)
def test_proportions(level, suffix):
    table = read("proportion.csv")
    assert len(table) == 19
    num, den, mult = table["numerator"], table["denominator"], table["multiplier"]
    assert_close(num / den * mult, table["expected_value"], what="value")
    lower, upper = wilson_limits(num, den, level, mult)
    assert_close(lower, table[f"expected_lower{suffix}cl"], what="lower")
    assert_close(upper, table[f"expected_upper{suffix}cl"], what="upper")


def test_proportions_grouped():
    table = read("proportion_grouped.csv")
    lower, upper = wilson_limits(table["numerator_sum"], table["denominator_sum"], 0.95, table["multiplier"])
    assert_close(lower, table["expected_lowercl"])
    assert_close(upper, table["expected_uppercl"])


# --- directly standardised rates (Dobson) --------------------------------------------------------


def _wide(frame: pd.DataFrame, column: str) -> np.ndarray:
    """One row per area (in order of first appearance), one column per age band (in file order)."""
    areas = list(dict.fromkeys(frame["area"]))
    return np.vstack([frame.loc[frame["area"] == a, column].to_numpy(dtype=float) for a in areas])


def _dsr_inputs(name: str) -> dict[str, tuple]:
    """area -> (counts, populations, standard, variance counts) for one reference input file."""
    frame = read(name)
    if name == "dsr_nonindependent_input.csv":
        frame = frame.assign(events=frame["eventfreq"] * frame["persons"],
                             squares=frame["eventfreq"] ** 2 * frame["persons"])
        frame = frame.groupby(["area", "ageband"], sort=False, as_index=False).agg(
            count=("events", "sum"), squares=("squares", "sum"), pop=("pop", "first"), esp2013=("esp2013", "first"))
        standard, variance = "esp2013", "squares"
    else:
        standard = "esp2013" if "esp2013" in frame else "esp1976"
        variance = None
    areas = list(dict.fromkeys(frame["area"]))
    counts, pops, std = _wide(frame, "count"), _wide(frame, "pop"), _wide(frame, standard)
    squares = _wide(frame, variance) if variance else None
    return {a: (counts[i:i + 1], pops[i:i + 1], std[i:i + 1], None if squares is None else squares[i:i + 1])
            for i, a in enumerate(areas)}


DSR_INPUTS = ("dsr_input_esp2013.csv", "dsr_input_esp1976.csv", "dsr_nonindependent_input.csv")


def test_dsr():
    expected = read("dsr_expected.csv")
    assert len(expected) == 12 and set(expected["input_file"]) == set(DSR_INPUTS)
    for row in expected.itertuples():
        counts, pops, standard, squares = _dsr_inputs(row.input_file)[row.area]
        assert np.nansum(counts) == row.expected_total_count and pops.sum() == row.expected_total_pop
        for level, suffix in LEVELS:
            estimate = dsr(counts, pops, standard, level, row.multiplier, variance_counts=squares)
            what = f"case {row.case_id} at {level}"
            assert_close(estimate.value, [row.expected_value], atol=5e-9, what=what)
            if row.case_id in (4, 8) and level == 0.998:
                continue  # the reference README: the source's 99.8% values here are wrong (10x), never tested
            assert_close(estimate.lower, [getattr(row, f"expected_lower{suffix}cl")], atol=5e-9, what=what)
            assert_close(estimate.upper, [getattr(row, f"expected_upper{suffix}cl")], atol=5e-9, what=what)


# --- indirectly standardised rates and ratios ----------------------------------------------------


def test_isr_and_isratio():
    expected = read("isr_expected.csv")
    assert len(expected) == 16
    full = read("isr_input.csv")
    reference_area = full[full["area"] == full["area"].iloc[0]]
    zero_pop = read("isr_input_zero_pop.csv")
    for row in expected.itertuples():
        if row.input_file == "isr_input.csv":
            data = full[full["area"] == row.area]
            ref_counts, ref_pops = data["refcount"].to_numpy(float), data["refpop"].to_numpy(float)
        else:  # cases 13–16: reference counts and populations of one area of isr_input.csv, band by band
            data = zero_pop[zero_pop["area"] == row.area]
            ref_counts, ref_pops = reference_area["refcount"].to_numpy(float), reference_area["refpop"].to_numpy(float)
        observed = data["count"].sum()
        expected_events = expected_counts(data["pop"].to_numpy(float)[None, :], ref_counts[None, :], ref_pops[None, :])
        assert observed == row.expected_observed
        assert_close(expected_events, [row.expected_expected], what=f"case {row.case_id} expected")
        if row.function == "ISRate":
            scale = reference_rate(ref_counts, ref_pops, row.multiplier)
            assert_close([scale], [row.expected_ref_rate], what=f"case {row.case_id} reference rate")
        else:
            scale = row.multiplier
        for level, suffix in LEVELS:
            if np.isnan(getattr(row, f"expected_lower{suffix}cl")) and row.case_id >= 13:
                continue  # cases 13–16 give 95% limits only
            estimate = isr([observed], expected_events, level, scale)
            what = f"case {row.case_id} at {level}"
            assert_close(estimate.value, [row.expected_value], what=what)
            assert_close(estimate.lower, [getattr(row, f"expected_lower{suffix}cl")], what=what)
            assert_close(estimate.upper, [getattr(row, f"expected_upper{suffix}cl")], what=what)


# --- means (Student's t) -------------------------------------------------------------------------


def test_means():
    values = read("mean_input.csv")
    expected = read("mean_expected.csv").set_index("area")
    areas = ["Area1", "Area2"]
    groups = values["area"].map({a: i for i, a in enumerate(areas)}).to_numpy()
    mean, sd, n = group_mean_sd(values["value"], groups, 2)
    all_mean, all_sd, all_n = group_mean_sd(values["value"], np.zeros(len(values), dtype=int))
    mean, sd, n = np.append(mean, all_mean), np.append(sd, all_sd), np.append(n, all_n)
    exp = expected.loc[areas + ["No grouping"]]
    assert_close(n, exp["expected_value_count"])
    assert_close(mean * n, exp["expected_value_sum"])
    assert_close(mean, exp["expected_value"])
    assert_close(sd, exp["expected_stdev"])
    for level, suffix in LEVELS:
        lower, upper = mean_limits(mean, sd, n, level)
        assert_close(lower, exp[f"expected_lower{suffix}cl"])
        assert_close(upper, exp[f"expected_upper{suffix}cl"])


# --- funnel plots --------------------------------------------------------------------------------


def _labels(codes: np.ndarray) -> list[str]:
    return [FUNNEL_LABELS[int(c)] for c in codes]


@pytest.mark.parametrize("limits_file, subset, atol", [
    ("funnel_proportion_limits.csv", None, 5e-7),
    ("funnel_proportion_limits_axis_variation.csv", 31000, 5e-9),
])
def test_proportion_funnel_limits(limits_file, subset, atol):
    inputs = read("funnel_proportion_inputs.csv")
    if subset:
        inputs = inputs[inputs["denominator"] < subset]
    expected = read(limits_file)
    table = proportion_funnel(inputs["numerator"], inputs["denominator"], multiplier=100)
    assert table["Population"].tolist() == expected["Population"].tolist()
    for column in expected.columns[1:]:
        assert_close(table[column], expected[column], rel=0, atol=atol, what=column)


def test_proportion_funnel_significance():
    inputs = read("funnel_proportion_inputs.csv")
    assert len(inputs) == 303
    got = _labels(proportion_significance(inputs["numerator"], inputs["denominator"]))
    assert got == inputs["expected_significance"].tolist()


def test_ratio_funnel_significance():
    inputs = read("funnel_ratio_inputs.csv")
    assert len(inputs) == 300
    assert _labels(ratio_significance(inputs["obs"], inputs["expected"])) == inputs["expected_significance"].tolist()


def test_ratio_funnel_limits():
    inputs = read("funnel_ratio_inputs.csv")
    expected = read("funnel_ratio_limits.csv")
    for ratio_type in ("count", "isr"):
        table = ratio_funnel(inputs["obs"], inputs["expected"], ratio_type)
        assert table["Observed_events"].tolist() == expected["Observed_events"].tolist()
        for side in ("lower", "upper"):
            for level in ("2s", "3s"):
                exp_events = f"{side}_{level}_exp_events"
                assert_close(table[exp_events], expected[exp_events], rel=POISSON_FUNNEL_REL, what=exp_events)
                limit = f"{side}_{level}_{ratio_type}"
                # O/E − 1 is near 0 where O/E is near 1: compare it on the ratio's own scale.
                atol = POISSON_FUNNEL_REL if ratio_type == "count" else 0.0
                assert_close(table[limit], expected[limit], rel=POISSON_FUNNEL_REL, atol=atol, what=limit)


SIGNIFICANCE_COLUMNS = [f"{kind}_per_{per}_{zero}_0" for kind in ("dsr", "crude") for per in (100000, 100)
                        for zero in ("with", "without")]


@pytest.mark.parametrize("column", SIGNIFICANCE_COLUMNS)
def test_rate_funnel_significance(column):
    data = read("funnel_rate_significance.csv")
    assert len(data) == 40
    kind, _, per, zero, _ = column.split("_")
    if zero == "without":
        data = data[data["count"] != 0]  # that row's without_0 value is a placeholder
    multiplier = float(per)
    rate = data["rate_dsr"] if kind == "dsr" else data[f"rate_crude_per_{per}"]
    codes = rate_significance(data["count"], rate, multiplier, kind, denominators=data["pop"])
    assert _labels(codes) == data[column].tolist()


def test_rate_funnel_points():
    data = read("funnel_rate_points_input.csv")
    biggest = data["ev"].idxmax()
    dsr_events = data["ev"].where(data.index != biggest, 5)
    rate_chart, population = rate_funnel_points(dsr_events, data["rate"], 1e5, 3, "dsr")
    assert_close(rate_chart, data["rate_chart"], what="dsr rate")
    assert_close(population, data["denominator_derived"], rel=1e-9, atol=5e-5, what="dsr population")
    rate_chart, population = rate_funnel_points(data["ev"], data["rate"], 1e5, 3, "crude")
    assert_close(rate_chart, data["rate_chart_crude"])
    assert_close(population, data["denominator_derived_crude"], atol=5e-5)
    zero_events = data["ev"].where(data.index != biggest, 0)
    rate_chart, population = rate_funnel_points(zero_events, data["rate"], 1e5, 5, "crude", denominators=data["pop"])
    assert_close(rate_chart, data["rate_chart_crude_with_denom"])
    assert_close(population, data["denominator_derived_crude_with_denom"], atol=5e-5)


def _rate_funnel_case(name: str):
    """The reference's three rate funnels: per 100,000, three years of data."""
    if name == "dsr":
        data = read("funnel_rate_points_input.csv")
        return rate_funnel(data["ev"], data["rate"], 1e5, 3, "dsr")
    if name == "crude_lt10":
        data = read("funnel_rate_limits_crude_lt10_input.csv")
        return rate_funnel(data["ev"], data["rate"], 1e5, 3, "crude")
    data = read("funnel_rate_limits_crude_zero_denominator_input.csv")
    return rate_funnel(data["ev"], data["rate"], 1e5, 3, "crude", denominators=data["pop"])


@pytest.mark.parametrize("name", ["dsr", "crude_lt10", "crude_zero_denominator"])
def test_rate_funnel_limits(name):
    expected = read(f"funnel_rate_limits_{name}.csv")
    table = _rate_funnel_case(name)
    assert table["Events"].tolist() == expected["Events"].tolist()
    for column in expected.columns[1:-2]:  # the last two are the package's metadata strings
        assert_close(table[column], expected[column], rel=POISSON_FUNNEL_REL, what=column)


def test_every_reference_file_is_used():
    """Each CSV in tests/reference is read by a test in this file."""
    source = Path(__file__).read_text(encoding="utf-8")
    unused = [p.name for p in REFERENCE.glob("*.csv")
              if p.name not in source and p.stem.removeprefix("funnel_rate_limits_") not in source]
    assert unused == []
