"""engine.stats against the published PHEindicatormethods reference values, and its invariants."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.stats import BAND_LABELS, band_codes, byars_limits, count_limits, rate_limits

REFERENCE = Path(__file__).parent / "reference"
REL = 1e-9  # the reference README: 1e-9 relative is safe for these tables


def test_byars_limits_match_reference():
    table = pd.read_csv(REFERENCE / "byars_wilson_limits.csv")
    byars = table[table["method"] == "Byars"]
    for row in byars.itertuples():
        lower, upper = byars_limits(np.array([row.x]), row.confidence)
        if pd.isna(row.expected_lowercl):
            assert np.isnan(lower[0]), f"case {row.case_id}: lower limit should be NA"
        else:
            assert lower[0] == pytest.approx(row.expected_lowercl, rel=REL), f"case {row.case_id}"
        assert upper[0] == pytest.approx(row.expected_uppercl, rel=REL), f"case {row.case_id}"
    assert len(byars) == 7


@pytest.mark.parametrize("confidence, lower_col, upper_col", [
    (0.95, "expected_lower95_0cl", "expected_upper95_0cl"),
    (0.998, "expected_lower99_8cl", "expected_upper99_8cl"),
])
def test_crude_rate_limits_match_reference(confidence, lower_col, upper_col):
    table = pd.read_csv(REFERENCE / "rate.csv").dropna(subset=["numerator", "denominator"])
    lower, upper = rate_limits(table["numerator"].to_numpy(), table["denominator"].to_numpy(), confidence,
                               per=table["multiplier"].to_numpy())
    np.testing.assert_allclose(lower, table[lower_col].to_numpy(), rtol=REL)
    np.testing.assert_allclose(upper, table[upper_col].to_numpy(), rtol=REL)
    assert len(table) == 17


def test_zero_and_negative_inputs():
    lower, upper = count_limits(np.array([0.0]), 0.95)
    assert lower[0] == 0 and upper[0] == pytest.approx(3.688879454113936, rel=1e-12)  # chi2.ppf(.975, 2)/2
    with pytest.raises(ValueError):
        count_limits(np.array([-1.0]), 0.95)
    with pytest.raises(ValueError):
        rate_limits(np.array([5.0]), np.array([0.0]), 0.95)


def test_band_thresholds_on_known_cases():
    # 417 crimes among 1,489 residents against a benchmark of 60 per 1,000: far above -> very significantly high.
    # 3 crimes among 1,500 against 2.5 per 1,000: the rate (2.0) is below, but the interval is wide -> below average.
    codes = band_codes(np.array([417, 3, 0]), np.array([1489, 1500, 1500]), np.array([60.0, 2.5, 2.5]), (0.95, 0.998))
    assert [BAND_LABELS[int(c)] for c in codes] == ["Very Significantly High", "Below Average", "Significantly Low"]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=1, max_value=100000),
       st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998]))
def test_interval_contains_estimate_and_widens_with_confidence(count, population, confidence):
    lower, upper = rate_limits(np.array([count]), np.array([population]), confidence)
    wider_lower, wider_upper = rate_limits(np.array([count]), np.array([population]), min(0.9999, confidence + 0.001))
    rate = count / population * 1000
    assert lower[0] <= rate <= upper[0]
    assert wider_lower[0] <= lower[0] + 1e-12 and wider_upper[0] >= upper[0] - 1e-12
