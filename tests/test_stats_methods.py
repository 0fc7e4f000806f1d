"""engine.stats on hand-checkable cases: bands, SD bands, change tests, peers, suppression, and
what zero, missing and negative inputs give (NA or a clear error, as the reference does).

Expected values are worked out by hand in the comments, or computed independently here with
scipy.stats (never with the code under test).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binomtest, chi2

from engine.stats import (BAND_LABELS, NOT_COMPARED, PEER_LABELS, band_codes, band_labels, byars_limits, change,
                          change_codes, count_limits, derivable, exact_limits, judgement, mean_limits, peer_comparison,
                          peer_ranks, poisson_change_p_values, pooled_rates, primary_suppression, proportion_band_codes,
                          quartiles, rate_limits, rates, reference_mean_sd, sd_band_codes, secondary_suppression,
                          wilson_limits)
from engine.stats.funnels import proportion_significance, rate_significance, ratio_significance
from engine.stats.standardised import dsr, isr

# --- zero, missing and negative inputs -----------------------------------------------------------


def test_zero_events_has_a_zero_lower_limit_and_the_exact_upper_limit():
    lower, upper = count_limits(np.array([0.0]), 0.95)
    assert lower[0] == 0 and upper[0] == pytest.approx(chi2.ppf(0.975, 2) / 2, rel=1e-12)  # 3.6889


def test_small_whole_counts_use_the_exact_limits():
    """Counts 0–9 are looked up from a table: it must equal the χ² formula (scipy.stats, here)."""
    for level in (0.9, 0.95, 0.998):
        alpha = 1 - level
        lower, upper = count_limits(np.arange(10.0), level)
        expected_lower = [0.0] + [chi2.ppf(alpha / 2, 2 * o) / 2 for o in range(1, 10)]
        expected_upper = [chi2.ppf(1 - alpha / 2, 2 * o + 2) / 2 for o in range(10)]
        np.testing.assert_allclose(lower, expected_lower, rtol=1e-12)
        np.testing.assert_allclose(upper, expected_upper, rtol=1e-12)
    # A fractional small count (the reference has 0.445) is computed directly, not looked up.
    lower, upper = count_limits(np.array([0.445, 9.5, 10.0]), 0.95)
    exact_lower, exact_upper = exact_limits(np.array([0.445, 9.5]), 0.95)
    byars_lower, byars_upper = byars_limits(np.array([10.0]), 0.95)
    assert lower.tolist() == [*exact_lower, *byars_lower] and upper.tolist() == [*exact_upper, *byars_upper]


@pytest.mark.parametrize("call", [
    lambda: count_limits(np.array([3.0, -1.0]), 0.95),
    lambda: rate_limits(np.array([-2.0]), np.array([100.0]), 0.95),
    lambda: wilson_limits(np.array([-1.0]), np.array([10.0]), 0.95),
    lambda: poisson_change_p_values(np.array([-1.0]), np.array([4.0])),
    lambda: ratio_significance(np.array([-1.0]), np.array([2.0])),
    lambda: dsr(np.array([[5.0, -1.0]]), np.array([[100.0, 100.0]]), np.array([1.0, 1.0]), 0.95),
], ids=["count", "rate", "proportion", "change", "funnel", "dsr"])
def test_negative_counts_are_errors(call):
    with pytest.raises(ValueError, match="negative"):
        call()


@pytest.mark.parametrize("denominator", [0.0, -5.0])
def test_zero_or_negative_denominators_are_errors(denominator):
    with pytest.raises(ValueError, match="greater than zero"):
        rate_limits(np.array([5.0]), np.array([denominator]), 0.95)
    with pytest.raises(ValueError, match="greater than zero"):
        rates(np.array([5.0]), np.array([denominator]))
    with pytest.raises(ValueError, match="greater than zero"):
        wilson_limits(np.array([0.0]), np.array([denominator]), 0.95)
    with pytest.raises(ValueError, match="greater than zero"):
        isr(np.array([5.0]), np.array([denominator]), 0.95)
    with pytest.raises(ValueError, match="greater than zero"):
        proportion_significance(np.array([0.0, 1.0]), np.array([denominator, 2.0]))


def test_numerator_above_denominator_is_an_error_for_proportions_only():
    with pytest.raises(ValueError, match="exceed"):
        wilson_limits(np.array([11.0]), np.array([10.0]), 0.95)
    lower, upper = rate_limits(np.array([250.0]), np.array([220.0]), 0.95, 100_000)  # allowed for a rate
    assert lower[0] < 250 / 220 * 100_000 < upper[0]


def test_missing_inputs_give_missing_outputs():
    nan = np.nan
    lower, upper = rate_limits(np.array([nan, 10.0, 5.0]), np.array([100.0, nan, 100.0]), 0.95)
    assert np.isnan(lower[:2]).all() and np.isnan(upper[:2]).all() and not np.isnan(lower[2])
    lower, upper = wilson_limits(np.array([nan, 5.0]), np.array([10.0, nan]), 0.95)
    assert np.isnan(lower).all() and np.isnan(upper).all()
    codes = band_codes(np.array([nan, 5.0]), np.array([100.0, 100.0]), 10.0, (0.95, 0.998))
    assert codes.tolist() == [NOT_COMPARED, 2]  # the second is worked out in the next test
    assert BAND_LABELS[NOT_COMPARED] == "Not compared"
    assert np.isnan(poisson_change_p_values(np.array([nan]), np.array([3.0]))).all()
    assert change_codes(np.array([nan]), np.array([3.0])).tolist() == [0]


def test_missing_band_example_is_right():
    # 5 events in 100 residents: 50 per 1,000, 95% interval 16.2–116.7 per 1,000 (exact): above 10 per
    # 1,000 at 95% (code 2); the 99.8% interval 7.4–164.5 includes 10, so not "very".
    assert band_codes(np.array([5.0]), np.array([100.0]), 10.0, (0.95, 0.998)).tolist() == [2]


def test_small_totals_and_groups():
    # A DSR on fewer than 10 events is not published.
    estimate = dsr(np.array([[4.0, 5.0]]), np.array([[100.0, 100.0]]), np.array([1.0, 1.0]), 0.95)
    assert np.isnan(estimate.value).all() and np.isnan(estimate.lower).all()
    # A mean of one value has no interval.
    lower, upper = mean_limits(np.array([3.0]), np.array([np.nan]), np.array([1.0]), 0.95)
    assert np.isnan(lower).all() and np.isnan(upper).all()
    # No events in either period: no evidence of change.
    assert poisson_change_p_values(np.array([0.0]), np.array([0.0])).tolist() == [1.0]
    with pytest.raises(ValueError, match="whole-number"):
        poisson_change_p_values(np.array([1.5]), np.array([3.0]))
    with pytest.raises(ValueError, match="confidence"):
        count_limits(np.array([3.0]), 1.5 * 100)


def test_percent_change_is_missing_when_there_was_nothing_before():
    difference, fraction = change(np.array([5.0, 0.0, 12.0]), np.array([0.0, 0.0, 10.0]))
    assert difference.tolist() == [5.0, 0.0, 2.0]
    assert np.isnan(fraction[:2]).all() and fraction[2] == pytest.approx(0.2)


# --- bands against a benchmark value -------------------------------------------------------------


def test_bands_on_known_cases():
    # 417 crimes among 1,489 residents against 60 per 1,000: far above -> very significantly high.
    # 3 crimes among 1,500 against 2.5 per 1,000: the rate (2.0) is below, but the interval is wide -> below average.
    # 0 crimes among 1,500 against 2.5 per 1,000: the 95% upper limit (2.46 per 1,000) is below -> significantly low.
    codes = band_codes(np.array([417, 3, 0]), np.array([1489, 1500, 1500]), np.array([60.0, 2.5, 2.5]), (0.95, 0.998))
    assert band_labels(codes) == ["Very Significantly High", "Below Average", "Significantly Low"]
    assert band_codes(np.array([20.0]), np.array([2000.0]), 10.0, (0.95, 0.998)).tolist() == [0]  # exactly equal


def test_proportion_bands_use_wilson():
    # 65 of 100 against 50%: the 95% Wilson interval is 55.3%–73.6% (reference case 7), the 99.8% one
    # 49.5%–77.8% (case 10) includes 50% -> significantly high, not very.
    assert proportion_band_codes(np.array([65.0]), np.array([100.0]), 0.5, (0.95, 0.998)).tolist() == [2]
    assert proportion_band_codes(np.array([65.0]), np.array([100.0]), 49.0, (0.95, 0.998), 100).tolist() == [3]


def test_polarity_turns_high_and_low_into_better_and_worse():
    codes = np.array([3, 2, 1, 0, -1, -2, -3, NOT_COMPARED])
    assert judgement(codes, "higher_is_worse").tolist() == [
        "Worse", "Worse", "Similar", "Similar", "Similar", "Better", "Better", "Not compared"]
    assert judgement(codes, "higher_is_better").tolist()[:2] == ["Better", "Better"]
    assert judgement(codes, "neither").tolist()[-2:] == ["Lower", "Not compared"]


# --- standard-deviation bands --------------------------------------------------------------------


def test_sd_bands_reproduce_the_seed_table_cut_points():
    """The NW Leicestershire seed table: 102 per 1,000 is Above Average, 113 Significantly High,
    154 Significantly High and 155 Very Significantly High. Small-area rates with mean 50 and
    (population) SD 52 put the cut-points at 102 and 154, and a rate exactly on a cut-point stays
    in the band below it."""
    reference = np.array([-2.0, 102.0])  # mean 50, SD 52
    assert reference_mean_sd(reference) == (50.0, 52.0)
    codes = sd_band_codes(np.array([102.0, 113.0, 154.0, 155.0, 50.0, 40.0, -10.0]), reference, (1, 2))
    assert band_labels(codes) == ["Above Average", "Significantly High", "Significantly High",
                                  "Very Significantly High", "Average", "Below Average", "Significantly Low"]


def test_sd_band_options():
    reference = np.array([0.0, 0.0, 0.0, 0.0, 10.0, np.nan])  # mean 2; population SD 4; sample SD √20
    assert reference_mean_sd(reference) == (2.0, 4.0)
    assert reference_mean_sd(reference, ddof=1) == (2.0, pytest.approx(math.sqrt(20)))
    rates_ = np.array([2.0, 6.5, 10.0, 10.5, -2.5, 3.0, np.nan])  # z = 0, 1.125, 2, 2.125, −1.125, 0.25
    assert sd_band_codes(rates_, reference, (1, 2)).tolist() == [0, 2, 2, 3, -2, 1, NOT_COMPARED]
    assert sd_band_codes(rates_, reference, (1.5, 3)).tolist() == [0, 1, 2, 2, -1, 1, NOT_COMPARED]
    assert sd_band_codes(rates_, reference, (1,)).tolist() == [0, 2, 2, 2, -2, 1, NOT_COMPARED]
    # No spread at all: every rate is average or to one side of it, none significant.
    assert sd_band_codes(np.array([5.0, 6.0]), np.array([5.0, 5.0]), (1, 2)).tolist() == [0, 0]
    with pytest.raises(ValueError):
        sd_band_codes(rates_, reference, (0, 2))


# --- change between two periods ------------------------------------------------------------------


def test_exact_test_matches_scipy_binomtest():
    rng = np.random.default_rng(7)
    current = rng.integers(0, 80, 400).astype(float)
    previous = rng.integers(0, 80, 400).astype(float)
    exposure_now = rng.uniform(0.5, 2, 400)
    exposure_before = rng.uniform(0.5, 2, 400)
    for e1, e2 in ((1.0, 1.0), (exposure_now, exposure_before)):
        got = poisson_change_p_values(current, previous, e1, e2)
        e1, e2 = np.broadcast_to(e1, current.shape), np.broadcast_to(e2, current.shape)
        expected = [binomtest(int(a), int(a + b), x / (x + y)).pvalue if a + b else 1.0
                    for a, b, x, y in zip(current, previous, e1, e2)]
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-300)


def test_exact_test_and_overlap_rule_on_hand_checked_counts():
    current = np.array([150.0, 135.0, 120.0, 100.0, 65.0])
    previous = np.array([100.0, 100.0, 100.0, 150.0, 100.0])
    # binomtest(150, 250) p = 0.0019; (135, 235) p = 0.026; (120, 220) p = 0.20; (100, 250) p = 0.0019; (65, 165) p = 0.0078
    assert change_codes(current, previous, "exact", 0.95).tolist() == [1, 1, 0, -1, -1]
    assert change_codes(current, previous, "exact", 0.998).tolist() == [1, 0, 0, -1, 0]  # p < 0.002
    # 95% Byar's intervals: 150 -> 127.0–176.0, 135 -> 113.2–159.8, 100 -> 81.4–121.6, 65 -> 50.2–82.8:
    # only 150 and 100 against each other do not overlap. The overlap rule is the conservative one: 135
    # against 100 and 65 against 100 are significant by the exact test, not by overlap.
    assert change_codes(current, previous, "overlap", 0.95).tolist() == [1, 0, 0, -1, 0]
    with pytest.raises(ValueError, match="unknown change test"):
        change_codes(current, previous, "chi2")  # type: ignore[arg-type]


def test_exact_test_uses_the_populations_of_each_period():
    # The same count from a population twice the size is a halving of the rate.
    assert change_codes(np.array([100.0]), np.array([100.0]), "exact", 0.95, 2000.0, 1000.0).tolist() == [-1]
    assert change_codes(np.array([100.0]), np.array([100.0]), "exact", 0.95, 1000.0, 1000.0).tolist() == [0]


# --- peers ---------------------------------------------------------------------------------------


def test_peer_ranks_quartiles_and_ties():
    rates_ = np.array([5.0, 3.0, 9.0, 3.0, 7.0, 1.0, 8.0, 2.0, 4.0, np.nan])
    ranks, sizes = peer_ranks(rates_)
    assert ranks.tolist() == [6, 3, 9, 3, 7, 1, 8, 2, 5, 0]  # ties share the lower rank; missing is unranked
    assert sizes.tolist() == [9] * 9 + [0]
    assert quartiles(ranks, sizes).tolist() == [3, 2, 4, 2, 4, 1, 4, 1, 3, 0]  # ⌈4 × rank / 9⌉


def test_peer_groups_are_ranked_separately():
    ranks, sizes = peer_ranks(np.array([5.0, 1.0, 3.0, 2.0]), groups=np.array(["b", "a", "b", "a"]))
    assert ranks.tolist() == [2, 1, 1, 2] and sizes.tolist() == [2, 2, 2, 2]


def test_peer_comparison_against_the_pooled_rate():
    counts = np.array([400.0, 100.0, 95.0])
    population = np.array([10_000.0, 5_000.0, 4_000.0])
    # Pooled: 595 / 19,000 = 31.3 per 1,000 (the mean of the three rates, 28.6, would be wrong).
    np.testing.assert_allclose(pooled_rates(counts, population), 595 / 19_000 * 1000)
    # 40 per 1,000 (95% 36.2–44.1): above; 20 (16.3–24.3): below; 23.75 (19.2–29.0): below.
    assert peer_comparison(counts, population, 0.95).tolist() == [1, -1, -1]
    assert PEER_LABELS[0] == "In line with the peer average"


# --- suppression ---------------------------------------------------------------------------------


def test_primary_suppression_hides_one_to_four():
    counts = np.array([0, 1, 4, 5, 12, np.nan])
    assert primary_suppression(counts, below=5).tolist() == [False, True, True, False, False, False]
    assert primary_suppression(counts, below=5, zero=True).tolist() == [True, True, True, False, False, False]
    assert primary_suppression(counts, below=10).tolist() == [False, True, True, True, False, False]


def test_secondary_suppression_with_a_grand_total():
    # Column totals published: a lone hidden 3 would be the total minus the rest; the next smallest
    # non-zero count in its column (10, not the 0) is hidden with it; in the second column 50 goes with the 2.
    values = np.array([[3.0, 50.0], [0.0, 60.0], [10.0, 2.0], [20.0, 70.0]])
    hidden = primary_suppression(values)
    result = secondary_suppression(values, hidden)
    assert result.tolist() == [[True, True], [False, False], [True, True], [False, False]]
    assert not derivable(result).any()


def test_secondary_suppression_with_totals_both_ways():
    values = np.array([[2.0, 30.0, 40.0], [25.0, 35.0, 45.0], [50.0, 60.0, 70.0]])
    result = secondary_suppression(values, primary_suppression(values), row_totals=True, column_totals=True)
    # The 2 is protected by the cheapest rectangle through it: 30 and 25 and, closing the cycle, 35.
    assert result.tolist() == [[True, True, False], [True, True, False], [False, False, False]]
    assert not derivable(result, row_totals=True, column_totals=True).any()


def test_a_cell_alone_in_its_line_cannot_be_protected():
    with pytest.raises(ValueError, match="cannot be protected"):
        secondary_suppression(np.array([[3.0]]), np.array([[True]]))


def test_protection_across_groupings_and_changes():
    """Published numbers as sums of unknown atoms (counts of crime types a, b, c): a, b, c, the
    total a + b + c, a group a + b, and a change c − a. Hiding a alone would leave it as
    group − b (and total − b − c, and c − change). The cheapest number in that derivation, b (40),
    is hidden too; the change, which still gives a from c, must go as well."""
    from engine.stats.suppression import derivable_items, protect

    vectors = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [1, 1, 0], [-1, 0, 1]], dtype=float)
    values = np.array([3.0, 40.0, 50.0, 93.0, 43.0, 47.0])
    gram = vectors @ vectors.T
    hidden = np.array([True, False, False, False, False, False])
    assert derivable_items(gram, hidden).tolist() == [True, False, False, False, False, False]
    result = protect(gram, values, hidden, hideable=[True, True, True, False, False, True])
    assert result.tolist() == [True, True, False, False, False, True]
    assert not derivable_items(gram, result).any()


def test_protection_of_independent_groups_together_matches_each_alone():
    """Two problems with no atom in common, given as one (block-diagonal Gram matrix): the first is the example
    above, the second a table a + d = 60 with nothing small. Together they get exactly the first's answer (a, b and
    the change hidden) and the second is left alone; no hidden number lies in the span of the shown ones (numpy rank
    of the atom vectors, not the Gram matrix the engine reads)."""
    from engine.stats.suppression import derivable_items, protect

    first = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [1, 1, 0], [-1, 0, 1]], dtype=float)
    second = np.array([[1, 0], [0, 1], [1, 1]], dtype=float)
    vectors = np.block([[first, np.zeros((6, 2))], [np.zeros((3, 3)), second]])
    values = np.array([3.0, 40.0, 50.0, 93.0, 43.0, 47.0, 25.0, 35.0, 60.0])
    hidden = np.zeros(9, dtype=bool)
    hidden[0] = True
    hideable = [True, True, True, False, False, True, True, True, False]
    result = protect(vectors @ vectors.T, values, hidden, hideable=hideable)
    assert result.tolist() == [True, True, False, False, False, True, False, False, False]
    shown = vectors[~result]
    rank = np.linalg.matrix_rank(shown)
    assert all(np.linalg.matrix_rank(np.vstack([shown, vectors[k]])) > rank for k in np.flatnonzero(result))
    assert derivable_items(vectors @ vectors.T, np.eye(9, dtype=bool)[6]).tolist()[6]  # d shown gives a back


def test_large_arrays_look_their_limits_up_and_get_the_same_values():
    """Arrays of whole counts look limits up in a table of 0 … the largest count: identical values."""
    from engine.stats.intervals import _count_limits_at, count_limits_at

    rng = np.random.default_rng(3)
    counts = rng.poisson(rng.gamma(1.0, 30.0, 5000)).astype(float)
    counts[[3, 70]] = np.nan
    looked_up = count_limits_at(counts, (0.95, 0.998))
    computed = _count_limits_at(counts, (0.95, 0.998))
    for level in (0.95, 0.998):
        for got, expected in zip(looked_up[level], computed[level]):
            np.testing.assert_array_equal(got, expected)
