"""Property: with breakdowns in the disclosure problem, no small count is shown or can be pinned down.

Random small count tables: events by category and month (the underlying counts), a sensitive indicator counting
every category and a second one counting some, each shown for the whole window and month by month, and a breakdown
by category with its percentages' base. The engine (``hidden_numbers``) chooses what to hide. An independent
attacker then knows every shown number and that every count is non-negative, and for each hidden small count
minimises and maximises it with scipy's linprog: the interval must be at least the threshold wide. The last tests do the
same with several partner areas, the attacker holding every workbook (each shows the others' figures and the
benchmark's counts, their sums, unless a summand is hidden), and check that a benchmark shown whatever its summands'
statuses is caught.
"""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from engine.indicators.disclosure import BreakdownCells, Layout, Signatures, hidden_numbers


@st.composite
def tables(draw):
    n_categories = draw(st.integers(2, 4))
    n_months = draw(st.integers(2, 4))
    counts = np.array(draw(st.lists(st.integers(0, 9), min_size=n_categories * n_months,
                                    max_size=n_categories * n_months))).reshape(n_categories, n_months)
    some = draw(st.lists(st.booleans(), min_size=n_categories, max_size=n_categories))
    threshold = draw(st.integers(3, 6))
    return counts, np.array(some, dtype=bool), threshold


def published(counts: np.ndarray, some: np.ndarray) -> dict[tuple, np.ndarray]:
    """Every shown number of the partner area's own as a vector over the unknowns: counts[c, m] (row-major)."""
    n_categories, n_months = counts.shape
    width = counts.size

    def over(categories, months) -> np.ndarray:
        v = np.zeros(width)
        for c in categories:
            for m in months:
                v[c * n_months + m] = 1
        return v

    every, selected, months = range(n_categories), np.flatnonzero(some).tolist(), range(n_months)
    vectors = {("current", "x"): over(every, months), ("current", "y"): over(selected, months)}
    for m in months:
        vectors[("month", "x", m)] = over(every, [m])
        vectors[("month", "y", m)] = over(selected, [m])
    for c in every:
        vectors[("breakdown", "b", c)] = over([c], months)
        vectors[("breakdown_base", "b", c)] = over(every, months)
    return {k: v for k, v in vectors.items() if v.any()}


def engine_hidden(counts, some, threshold) -> tuple[set, dict]:
    n_categories, n_months = counts.shape
    vectors = published(counts, some)
    unknowns = counts.ravel().astype(float)
    values = {k: float(v @ unknowns) for k, v in vectors.items()}
    members = {"x": np.arange(n_categories), "y": np.flatnonzero(some), "base": np.arange(n_categories)}
    members.update({f"cell {c}": np.array([c]) for c in range(n_categories)})
    kinds = Signatures(n_categories, members)
    layout = Layout(n_months, range(n_months), range(0), [], range(n_months), [])
    breakdown_keys = {k: v for k, v in values.items() if k[0].startswith("breakdown")}
    names = {k: "base" if k[0].endswith("base") else f"cell {k[2]}" for k in breakdown_keys}
    rules = {k: (threshold, False) for k in breakdown_keys}
    cells = BreakdownCells(breakdown_keys, names, {"b": range(n_months)}, rules)
    plain = {k: v for k, v in values.items() if k not in breakdown_keys}
    hidden = hidden_numbers(plain, layout, kinds, {"x": [], "y": []}, set(), {"x": (threshold, False)}, None, cells)
    return hidden, values


def attacker_width(vectors: dict, values: dict, hidden: set, target: tuple) -> float:
    shown = [k for k in vectors if k not in hidden]
    a = np.array([vectors[k] for k in shown]) if shown else None
    b = np.array([values[k] for k in shown]) if shown else None
    objective = vectors[target]
    low = linprog(objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    high = linprog(-objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    assert low.status == 0, "the shown numbers must be consistent with the true counts"
    return np.inf if high.status == 3 else -high.fun - low.fun


@settings(max_examples=30, deadline=None)
@given(tables())
def test_no_small_count_in_a_breakdown_or_its_totals_is_shown_or_pinned_down(case):
    counts, some, threshold = case
    hidden, values = engine_hidden(counts, some, threshold)
    vectors = published(counts, some)
    small = {k for k, v in values.items() if 1 <= v < threshold
             and (k[0] in ("breakdown", "breakdown_base") or (k[0] in ("current", "month") and k[1] == "x"))}
    assert small <= hidden, small - hidden
    for key in small:
        assert attacker_width(vectors, values, hidden, key) >= threshold - 1e-6, key


@settings(max_examples=30, deadline=None)
@given(tables())
def test_a_hidden_figure_is_never_exactly_derivable(case):
    """Every hidden figure, small or hidden to protect one, is not a combination of shown ones (numpy rank)."""
    counts, some, threshold = case
    hidden, values = engine_hidden(counts, some, threshold)
    vectors = published(counts, some)
    shown = np.array([vectors[k] for k in vectors if k not in hidden]).reshape(-1, counts.size)
    rank = np.linalg.matrix_rank(shown) if shown.size else 0
    for key in hidden:
        assert np.linalg.matrix_rank(np.vstack([shown, vectors[key]])) > rank, key


# --- every partner area's workbook together -----------------------------------------------------------------------
# Several partner areas, each with the same published numbers as above (a count per category and month); every
# workbook also shows the other partner areas' figures (a comparison chart, a breakdown by partner area: the same
# keys, with their own workbook's status) and the benchmark's counts, the sums over the partner areas. The attacker
# holds every workbook.


@st.composite
def partner_tables(draw):
    n_partners = draw(st.integers(2, 3))
    n_categories = draw(st.integers(2, 3))
    n_months = draw(st.integers(2, 3))
    size = n_partners * n_categories * n_months
    counts = np.array(draw(st.lists(st.integers(0, 12), min_size=size, max_size=size))).reshape(
        n_partners, n_categories, n_months)
    threshold = draw(st.integers(3, 6))
    return counts, threshold


def _own_vectors(n_categories: int, n_months: int) -> dict[tuple, np.ndarray]:
    """One partner's numbers over its own counts (category × month, row-major)."""
    def over(categories, months) -> np.ndarray:
        v = np.zeros(n_categories * n_months)
        for c in categories:
            for m in months:
                v[c * n_months + m] = 1
        return v

    every, months = range(n_categories), range(n_months)
    vectors = {("current", "x"): over(every, months)}
    vectors.update({("month", "x", m): over(every, [m]) for m in months})
    for c in every:
        vectors[("breakdown", "b", c)] = over([c], months)
        vectors[("breakdown_base", "b", c)] = over(every, months)
    return vectors


def _totals(n_partners: int, n_categories: int):
    from engine.indicators.cross_partner import SharedTotal

    everyone = range(n_partners)
    totals = [SharedTotal(("link", "benchmark", "x"), {q: ("current", "x") for q in everyone})]
    for c in range(n_categories):
        totals.append(SharedTotal(("link", "breakdown_benchmark", "b", c), {q: ("breakdown", "b", c) for q in everyone}))
        totals.append(SharedTotal(("link", "breakdown_benchmark_base", "b", c),
                                  {q: ("breakdown_base", "b", c) for q in everyone}))
    return totals


def partners_hidden(counts: np.ndarray, threshold: int, together: bool = True) -> tuple[list[set], set]:
    from engine.indicators.cross_partner import PartnerProblem, protect_partners

    n_partners, n_categories, n_months = counts.shape
    vectors = _own_vectors(n_categories, n_months)
    members = {"x": np.arange(n_categories), "base": np.arange(n_categories)}
    members.update({f"cell {c}": np.array([c]) for c in range(n_categories)})
    kinds = Signatures(n_categories, members)
    layout = Layout(n_months, range(n_months), range(0), [], range(n_months), [])
    problems = []
    for p in range(n_partners):
        values = {k: float(v @ counts[p].ravel()) for k, v in vectors.items()}
        figures = {k: v for k, v in values.items() if k[0].startswith("breakdown")}
        names = {k: "base" if k[0].endswith("base") else f"cell {k[2]}" for k in figures}
        cells = BreakdownCells(figures, names, {"b": range(n_months)}, {k: (threshold, False) for k in figures})
        plain = {k: v for k, v in values.items() if k not in figures}
        problems.append(PartnerProblem(plain, layout, kinds, {"x": []}, set(), {"x": (threshold, False)}, None, cells))
    if not together:  # each partner area on its own, the benchmark's counts shown whatever its summands' statuses
        return [p.hidden() for p in problems], set()
    return protect_partners(problems, _totals(n_partners, n_categories))


def joint_attacker_widths(counts: np.ndarray, threshold: int, hidden: list[set], links: set) -> dict[tuple, float]:
    """Each small count's interval for an attacker with every workbook: each partner's shown numbers and the
    benchmark's shown totals, over every partner's counts (>= 0), with scipy's linprog."""
    n_partners, n_categories, n_months = counts.shape
    own = _own_vectors(n_categories, n_months)
    width = counts[0].size

    def placed(p: int, v: np.ndarray) -> np.ndarray:
        out = np.zeros(n_partners * width)
        out[p * width:(p + 1) * width] = v
        return out

    rows, values = [], []
    truth = counts.reshape(n_partners, -1).astype(float)
    for p in range(n_partners):
        for k, v in own.items():
            if k not in hidden[p]:
                rows.append(placed(p, v)), values.append(float(v @ truth[p]))
    for t in _totals(n_partners, n_categories):
        if t.key not in links:
            v = sum(placed(q, own[k]) for q, k in t.summands.items())
            rows.append(v), values.append(float(v @ truth.ravel()))
    out = {}
    for p in range(n_partners):
        for k, v in own.items():
            value = float(v @ truth[p])
            if 1 <= value < threshold:
                assert k in hidden[p], (p, k, value)
                target = placed(p, v)
                low = linprog(target, A_eq=np.array(rows), b_eq=values, bounds=(0, None), method="highs")
                high = linprog(-target, A_eq=np.array(rows), b_eq=values, bounds=(0, None), method="highs")
                assert low.status == 0
                out[(p, k)] = np.inf if high.status == 3 else -high.fun - low.fun
    return out


@settings(max_examples=80, deadline=None)
@given(partner_tables())
def test_no_small_count_is_pinned_by_every_workbook_together(case):
    counts, threshold = case
    hidden, links = partners_hidden(counts, threshold)
    for key, width in joint_attacker_widths(counts, threshold, hidden, links).items():
        assert width >= threshold - 1e-6, (key, width)


def test_partners_checked_apart_are_caught_by_the_joint_attacker():
    """Two partner areas, one with a small category: with the benchmark's counts shown whatever the partner areas'
    own checks hide, the benchmark's count less the other area's shown count gives it away; with a benchmark count
    hidden whenever a summand is, it does not."""
    counts = np.array([[[2, 1], [20, 30]], [[15, 25], [40, 35]]])
    apart = joint_attacker_widths(counts, 5, *partners_hidden(counts, 5, together=False))
    assert min(apart.values()) < 5
    together = joint_attacker_widths(counts, 5, *partners_hidden(counts, 5))
    assert min(together.values()) >= 5 - 1e-6
