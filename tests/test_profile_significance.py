"""The profiles' significance tests against scipy and the published Wilson formula.

``fisher_p_values`` must give scipy.stats.fisher_exact's two-sided p-value for every table
(including empty margins and mirror-image ties); ``rest_codes`` must test the area against the
rest of the benchmark, not against a benchmark that contains it; ``interval_codes`` must follow
the Wilson score interval written out here from its formula.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.stats import fisher_exact, norm

from engine.stats.compare import NOT_COMPARED
from engine.stats.proportions import fisher_p_values, interval_codes, rest_codes


def scipy_p(x: int, n: int, y: int, m: int) -> float:
    return float(fisher_exact([[x, n - x], [y, m - y]]).pvalue)


def test_fisher_agrees_with_scipy_on_random_tables():
    rng = np.random.default_rng(20121)
    size = 400
    n = np.concatenate([rng.integers(1, 8, size), rng.integers(1, 500, size)])
    m = np.concatenate([rng.integers(1, 9, size), rng.integers(1, 4000, size)])
    x = rng.binomial(n, rng.random(2 * size))
    y = rng.binomial(m, rng.random(2 * size))
    got = fisher_p_values(x, n, y, m)
    expected = np.array([scipy_p(*t) for t in zip(x.tolist(), n.tolist(), y.tolist(), m.tolist())])
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    assert (expected < 0.05).sum() > 50 and (expected > 0.5).sum() > 50  # both sides of the threshold are exercised


@pytest.mark.parametrize("table", [(0, 5, 0, 7), (5, 5, 7, 7), (3, 5, 1, 4), (1, 4, 3, 5), (2, 4, 2, 4), (0, 1, 1, 1),
                                   (10, 10, 0, 10), (0, 30, 30, 30), (1, 179, 0, 1496)])
def test_fisher_edge_tables(table):
    """Empty and full columns, mirror-image tables (ties), certainty, a single row against a large rest."""
    assert fisher_p_values(*table)[()] == pytest.approx(scipy_p(*table), rel=1e-9, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 60), st.integers(1, 60), st.data())
def test_fisher_property(n, m, data):
    x = data.draw(st.integers(0, n))
    y = data.draw(st.integers(0, m))
    assert fisher_p_values(x, n, y, m)[()] == pytest.approx(scipy_p(x, n, y, m), rel=1e-9, abs=1e-12)


def test_no_rows_is_not_compared():
    p = fisher_p_values([0, 3, 0], [0, 5, 4], [2, 0, 1], [6, 0, 3])
    assert np.isnan(p[0]) and np.isnan(p[1]) and not np.isnan(p[2])
    codes, _ = rest_codes([0, 3], [0, 5], [2, 3], [6, 5])
    assert codes.tolist() == [NOT_COMPARED, NOT_COMPARED]  # no rows in the area; nothing outside it


def test_rest_codes_test_the_area_against_the_rest():
    """40 of 100 against a county of 100 of 1,000 (the rest: 60 of 900): compared with the rest, not the county."""
    codes, p = rest_codes([40, 2, 10], [100, 100, 100], [100, 100, 100], [1000, 1000, 1000])
    for (x, n), got_p in zip([(40, 100), (2, 100), (10, 100)], p):
        assert got_p == pytest.approx(scipy_p(x, n, 100 - x, 900), rel=1e-9)
    assert codes.tolist() == [1, -1, 0]


def test_rest_codes_level():
    """p ≈ 0.02: significant at 95%, not at 99.8%."""
    x, n, bx, bn = 20, 100, 110, 1000
    p = scipy_p(x, n, bx - x, bn - n)
    assert 0.002 < p < 0.05
    assert rest_codes(x, n, bx, bn, 0.95)[0][()] == 1
    assert rest_codes(x, n, bx, bn, 0.998)[0][()] == 0


def test_rest_codes_refuse_a_benchmark_without_the_area():
    with pytest.raises(ValueError):
        rest_codes([30], [100], [20], [1000])


def wilson(x: int, n: int, level: float) -> tuple[float, float]:
    """Wilson's score interval, written out from Wilson (1927) / Newcombe (1998) method 3."""
    z = norm.ppf(1 - (1 - level) / 2)
    p = x / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n), (centre + spread) / (1 + z * z / n)


def test_interval_codes_follow_the_wilson_interval():
    rng = np.random.default_rng(7)
    n = rng.integers(5, 300, 300)
    x = rng.binomial(n, 0.3)
    bn = n + rng.integers(200, 3000, 300)
    bx = x + rng.binomial(bn - n, 0.3)
    codes = interval_codes(x, n, bx, bn, 0.95)
    expected = []
    for xi, ni, bxi, bni in zip(x.tolist(), n.tolist(), bx.tolist(), bn.tolist()):
        low, high = wilson(xi, ni, 0.95)
        benchmark = bxi / bni
        expected.append(1 if low > benchmark else -1 if high < benchmark else 0)
    assert codes.tolist() == expected
    assert {1, -1, 0} <= set(expected)
    assert interval_codes([3], [0], [5], [10]).tolist() == [NOT_COMPARED]
