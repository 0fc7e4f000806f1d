"""Property tests for suppression across cuts (engine.indicators.protected_cuts).

Published figures are random sums of random non-negative counts: cells, and totals over random
sets of them (a table's margins, a quarter over its months, a group over its areas). Whatever the
draw, after protection an attacker who knows every shown figure, and that counts are never
negative, must not be able to pin a hidden small count into an interval narrower than the
threshold. The attacker here is written independently of the engine: one scipy linprog per hidden
figure per bound, on the dense unmerged system; a figure hidden only to protect a small one must not
be derivable exactly (numpy rank).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from engine.indicators.protected_cuts import independent_groups, interval_widths, protect_cuts


def attacker_interval(vectors: np.ndarray, values: np.ndarray, shown: np.ndarray, target: int) -> tuple[float, float]:
    """The least and greatest value figure ``target`` can take given the shown figures (counts ≥ 0)."""
    a, b = vectors[shown], values[shown]
    bounds = [(0, None)] * vectors.shape[1]
    low = linprog(vectors[target], A_eq=a if len(b) else None, b_eq=b if len(b) else None, bounds=bounds)
    high = linprog(-vectors[target], A_eq=a if len(b) else None, b_eq=b if len(b) else None, bounds=bounds)
    assert low.status in (0, 3) and high.status in (0, 3)
    return (low.fun if low.status == 0 else -np.inf), (-high.fun if high.status == 0 else np.inf)


@st.composite
def published(draw):
    """(vectors, values, below): every count on its own, then 1–5 sums over random subsets of them."""
    n = draw(st.integers(2, 7))
    counts = np.array(draw(st.lists(st.integers(0, 15), min_size=n, max_size=n)), dtype=float)
    sums = draw(st.lists(st.lists(st.booleans(), min_size=n, max_size=n).filter(lambda s: sum(s) >= 2),
                         min_size=1, max_size=5))
    vectors = np.vstack([np.eye(n), np.array(sums, dtype=float)])
    return vectors, vectors @ counts, n, draw(st.integers(2, 6))


def _rules(values: np.ndarray, n_cells: int, below: int) -> tuple[np.ndarray, np.ndarray]:
    primary = (np.arange(values.size) < n_cells) & (values >= 1) & (values < below)
    return primary, np.where(primary, float(below), 1.0)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(published())
def test_no_hidden_small_count_can_be_pinned_down(case):
    vectors, values, n_cells, below = case
    primary, required = _rules(values, n_cells, below)
    try:
        hidden = protect_cuts(vectors, values, primary, required)
    except ValueError:
        # Only when hiding everything would still not do (the figures alone pin a small count).
        everything = np.ones(values.size, dtype=bool)
        widths = [np.diff(attacker_interval(vectors, values, ~everything, t))[0] for t in np.flatnonzero(primary)]
        assert min(widths) < below
        return
    assert (hidden >= primary).all()
    for t in np.flatnonzero(primary):
        low, high = attacker_interval(vectors, values, ~hidden, t)
        assert low - 1e-6 <= values[t] <= high + 1e-6
        assert high - low >= below - 1e-6, (t, low, high, values[t])
    shown_rank = np.linalg.matrix_rank(vectors[~hidden]) if (~hidden).any() else 0
    for t in np.flatnonzero(hidden & ~primary):  # a figure hidden to protect one is not derivable exactly either
        assert np.linalg.matrix_rank(np.vstack([vectors[~hidden], vectors[t]])) > shown_rank


@settings(max_examples=100, deadline=None)
@given(published(), st.data())
def test_engine_widths_match_an_independent_attacker(case, data):
    vectors, values, _, _ = case
    hidden = np.array(data.draw(st.lists(st.booleans(), min_size=values.size, max_size=values.size)))
    widths = interval_widths(vectors, values, hidden)
    for width, t in zip(widths, np.flatnonzero(hidden)):
        low, high = attacker_interval(vectors, values, ~hidden, t)
        assert width == pytest.approx(high - low, abs=1e-6) or (np.isinf(width) and np.isinf(high))


@settings(max_examples=100, deadline=None)
@given(published())
def test_figures_without_a_small_count_are_left_alone(case):
    """Protection hides only in groups of figures that hold a small count: others share no count with one."""
    vectors, values, n_cells, below = case
    primary, required = _rules(values, n_cells, below)
    try:
        hidden = protect_cuts(vectors, values, primary, required)
    except ValueError:
        return
    touched = np.isin(independent_groups(vectors), independent_groups(vectors)[primary])
    assert not hidden[~touched].any()
    shares = (np.abs(vectors[~touched]) @ np.abs(vectors[touched]).T) if touched.any() else np.zeros((0, 0))
    assert not shares.any()


def test_a_table_with_margins_hides_a_rectangle():
    """The textbook case: one small cell in a 3 × 3 table with row, column and grand totals. No row or
    column may be left with a single hidden cell (its total would give it away), so at least a
    rectangle of four cells is hidden, and the small one can no longer be told to within 5."""
    table = np.array([[2.0, 9, 11], [8, 7, 12], [10, 14, 6]])
    n = table.size
    rows = [np.eye(n)]
    rows += [np.isin(np.arange(n), np.arange(n).reshape(3, 3)[r]).astype(float)[None] for r in range(3)]
    rows += [np.isin(np.arange(n), np.arange(n).reshape(3, 3)[:, c]).astype(float)[None] for c in range(3)]
    rows.append(np.ones((1, n)))
    vectors = np.vstack(rows)
    values = vectors @ table.ravel()
    primary = np.zeros(values.size, dtype=bool)
    primary[0] = True
    hidden = protect_cuts(vectors, values, primary, np.where(primary, 5.0, 1.0), hideable=np.arange(values.size) < n)
    cells = hidden[:n].reshape(3, 3)
    assert cells.sum() >= 4 and 1 not in cells.sum(axis=0) and 1 not in cells.sum(axis=1)
    assert not hidden[n:].any()
    low, high = attacker_interval(vectors, values, ~hidden, 0)
    assert high - low >= 5


def test_a_threshold_above_every_count_together_is_met_by_hiding_them_all():
    """Two counts, their total and a known relation (the counts add up to the total, a fixed row the reader
    knows). A threshold of 1,000 is more than all the numbers together; with all three hidden nothing bounds
    the small count, so the rule is met. The widths solved once capped every count at the numbers' sum, so
    no width could reach the threshold and the build raised "cannot be protected"."""
    vectors = np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, -1]])
    values = np.array([3.0, 4.0, 7.0, 0.0])
    primary = np.array([True, False, False, False])
    hidden = protect_cuts(vectors, values, primary, np.array([1000.0, 1, 1, 1]),
                          hideable=np.array([True, True, True, False]))
    assert hidden[:3].all() and not hidden[3]
    low, high = attacker_interval(vectors, values, ~hidden, 0)
    assert high - low >= 1000


# --- a workbook's cuts of one partner area's counts (engine.indicators.disclosure) ----------------------------

@st.composite
def workbooks(draw):
    """Event kinds × months of counts, indicators as sets of kinds, and the cuts a workbook shows of them: the
    12-month style windows, their change, financial-year columns and the trend table's totals, months,
    rolling quarters."""
    n_kinds, n_months = draw(st.integers(1, 3)), draw(st.integers(6, 12))
    counts = np.array(draw(st.lists(st.integers(0, 9), min_size=n_kinds * n_months, max_size=n_kinds * n_months)),
                      dtype=float).reshape(n_kinds, n_months)
    n_indicators = draw(st.integers(1, 3))
    members = {f"i{k}": np.array(sorted(draw(st.sets(st.integers(0, n_kinds - 1), min_size=1))))
               for k in range(n_indicators)}
    sensitive = draw(st.sets(st.sampled_from(sorted(members)), min_size=1))
    return counts, members, sensitive, draw(st.integers(2, 6))


def _cut_vectors(counts: np.ndarray, members: dict, layout) -> dict:
    """Every key the workbook shows, as a 0/±1 vector over (kind, month), written out independently."""
    n_kinds, n_months = counts.shape

    def v(indicators, months, sign=1.0):
        out = np.zeros((n_kinds, n_months))
        for i in indicators:
            for m in months:
                out[members[i], m] += sign
        return out.ravel()

    keys = {}
    for i in members:
        keys[("current", i)] = v([i], layout.current)
        keys[("previous", i)] = v([i], layout.previous)
        keys[("change", i)] = v([i], layout.current) + v([i], layout.previous, -1.0)
        for j, span in enumerate(layout.years):
            keys[("year", i, j)] = v([i], span)
        for m in layout.shown:
            keys[("month", i, m)] = v([i], [m])
        for q, span in enumerate(layout.quarters):
            keys[("quarter", i, q)] = v([i], span)
    for j, span in enumerate(layout.years):
        keys[("year_total", j)] = v(layout.trend_rows, span)
    for m in layout.shown:
        keys[("month_total", m)] = v(layout.trend_rows, [m])
    return keys


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks())
def test_no_small_count_in_any_cut_can_be_pinned_down(case):
    from engine.indicators.disclosure import Layout, Signatures, hidden_numbers

    counts, members, sensitive, below = case
    n = counts.shape[1]
    layout = Layout(n, range(n - 3, n), range(n - 6, n - 3), [range(0, n - 6), range(n - 6, n)], range(n),
                    sorted(members), [range(n - 6, n - 3), range(n - 3, n)])
    vectors = _cut_vectors(counts, members, layout)
    values = {k: float(vec @ counts.ravel()) for k, vec in vectors.items()}
    hidden = hidden_numbers(values, layout, Signatures(counts.shape[0], members), {i: [] for i in members}, set(),
                            {i: (below, False) for i in sensitive})
    keys = list(vectors)
    matrix = np.array([vectors[k] for k in keys])
    value = np.array([values[k] for k in keys])
    shown = np.array([k not in hidden for k in keys])
    for t, key in enumerate(keys):
        small = key[0] not in ("change", "year_total", "month_total") and key[1] in sensitive and 1 <= value[t] < below
        if small:
            assert not shown[t], key
            low, high = attacker_interval(matrix, value, shown, t)
            assert high - low >= below - 1e-6, (key, value[t], low, high)


# --- area groups beside the Top 10 and the months (small areas in the current window) -------------------------

@st.composite
def grouped_workbooks(draw):
    """Counts by event kind × small area × month; indicators as sets of kinds; an area group placing each small
    area in a group (or none); a Top 10 listing some small areas per indicator, complete or not."""
    n_kinds, n_areas, n_months = draw(st.integers(1, 2)), draw(st.integers(2, 5)), draw(st.integers(6, 8))
    counts = np.array(draw(st.lists(st.integers(0, 6), min_size=n_kinds * n_areas * n_months,
                                    max_size=n_kinds * n_areas * n_months)), dtype=float).reshape(n_kinds, n_areas,
                                                                                                    n_months)
    n_indicators = draw(st.integers(1, 2))
    members = {f"i{k}": np.array(sorted(draw(st.sets(st.integers(0, n_kinds - 1), min_size=1))))
               for k in range(n_indicators)}
    sensitive = draw(st.sets(st.sampled_from(sorted(members)), min_size=1))
    group_of = np.array(draw(st.lists(st.integers(-1, 2), min_size=n_areas, max_size=n_areas)))
    picks = {i: sorted(draw(st.sets(st.integers(0, n_areas - 1), max_size=n_areas))) for i in members}
    return counts, members, sensitive, group_of, picks, draw(st.integers(2, 6))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grouped_workbooks())
def test_no_small_count_in_an_area_group_can_be_pinned_down(case):
    """The attacker's unknowns are the events of each kind in each small area and month (written out here, not
    the engine's merged atoms); every shown number, including each group's count and a complete table's zero
    for the small areas it leaves out, is one equation. Every small count hidden stays at least its threshold
    wide; every figure hidden to protect one stays underivable. (The benchmark's count of a group is the sum of every
    partner area's, hidden when any is: tests/test_suppression_breakdown_properties.py holds every workbook.)"""
    from engine.indicators.disclosure import Layout, Signatures, SmallAreaGroups, hidden_numbers

    counts, members, sensitive, group_of, picks, below = case
    n_kinds, n_areas, n = counts.shape
    groups = sorted(set(group_of.tolist()))
    everything = counts.ravel()  # the attacker's unknowns
    current, previous = range(n - 3, n), range(n - 6, n - 3)
    layout = Layout(n, current, previous, [range(0, n - 6), range(n - 6, n)], range(n), sorted(members),
                    [range(n - 6, n - 3), range(n - 3, n)])
    totals = {i: counts[members[i]].sum(axis=0) for i in members}  # [area, month]

    def v(i, areas, months_, sign=1.0):
        out = np.zeros(counts.shape)
        for a in areas:
            for m in months_:
                out[members[i], a, m] += sign
        return out.ravel()

    everywhere = range(n_areas)
    vectors = {}
    for i in members:
        vectors[("current", i)] = v(i, everywhere, current)
        vectors[("previous", i)] = v(i, everywhere, previous)
        vectors[("change", i)] = v(i, everywhere, current) + v(i, everywhere, previous, -1.0)
        for m in range(n):
            vectors[("month", i, m)] = v(i, everywhere, [m])
        for a in picks[i]:
            vectors[("top", i, a)] = v(i, [a], current)
        for g in groups:
            vectors[("group", i, "g", g)] = v(i, np.flatnonzero(group_of == g), current)
    # Fewer rows than the limit (here: every small area with an event is listed) makes a table complete.
    complete = {i for i in members if all(totals[i][a, current].sum() == 0 for a in everywhere if a not in picks[i])
                and len(picks[i]) < n_areas}
    values = {k: float(vec @ everything) for k, vec in vectors.items()}
    hidden = hidden_numbers(values, layout, Signatures(n_kinds, members), picks, complete,
                            {i: (below, False) for i in sensitive},
                            SmallAreaGroups(np.arange(n_areas), {"g": group_of}))
    keys = list(vectors)
    facts = [v(i, [a for a in everywhere if a not in picks[i]], current) for i in sorted(complete)]
    matrix = np.array([vectors[k] for k in keys] + facts)
    value = np.array([values[k] for k in keys] + [0.0] * len(facts))
    shown = np.array([k not in hidden for k in keys] + [True] * len(facts))
    shown_rank = np.linalg.matrix_rank(matrix[shown])
    for t, key in enumerate(keys):
        small = key[0] != "change" and key[1] in sensitive and 1 <= value[t] < below
        if small:
            assert not shown[t], key
            low, high = attacker_interval(matrix, value, shown, t)
            assert high - low >= below - 1e-6, (key, value[t], low, high)
        elif not shown[t]:
            assert np.linalg.matrix_rank(np.vstack([matrix[shown], matrix[t]])) > shown_rank, key
