"""Peer groups ("Most Similar Groups"): rank, quartile and comparison with the peer average.

Each area is ranked among its peers by rate, 1 = lowest (reported "x/N"); tied rates share the
best rank (as Excel's RANK.EQ). Quartile 1 holds the lowest rates. The comparison uses the same
interval-versus-value rule as the bands, against the *pooled* peer rate, Σ events ÷ Σ population
(not the mean of the peers' rates, which would weigh a small area as much as a large one).
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from engine.stats.compare import significance
from engine.stats.intervals import as_counts, as_denominators, rate_limits

#: Words for the peer comparison codes.
PEER_LABELS: dict[int, str] = {
    1: "Above the peer average",
    0: "In line with the peer average",
    -1: "Below the peer average",
}


def _groups(groups: ArrayLike | None, size: int) -> np.ndarray:
    if groups is None:
        return np.zeros(size, dtype=np.intp)
    _, index = np.unique(np.asarray(groups), return_inverse=True)
    return index.reshape(-1)


def peer_ranks(rates: ArrayLike, groups: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rank of each rate within its peer group (1 = lowest; ties share the lowest rank) and the
    number of ranked peers in its group. A missing rate has rank 0 and is not counted."""
    r = np.asarray(rates, dtype=float).reshape(-1)
    g = _groups(groups, r.size)
    present = ~np.isnan(r)
    n_groups = int(g.max()) + 1 if g.size else 0
    sizes = np.bincount(g[present], minlength=n_groups)
    order = np.lexsort((r, g))  # by group, then rate; missing rates sort last within a group
    sorted_groups, sorted_rates = g[order], r[order]
    first_of_group = np.searchsorted(sorted_groups, np.arange(n_groups), side="left")
    ranks = np.zeros(r.size, dtype=np.int64)
    # The first position holding each (group, rate) value gives the shared rank of its ties.
    new_value = np.ones(r.size, dtype=bool)
    new_value[1:] = (sorted_groups[1:] != sorted_groups[:-1]) | (sorted_rates[1:] != sorted_rates[:-1])
    first_position = np.maximum.accumulate(np.where(new_value, np.arange(r.size), 0))
    ranks[order] = first_position - first_of_group[sorted_groups] + 1
    ranks[~present] = 0
    return ranks, np.where(present, sizes[g], 0)


def quartiles(ranks: ArrayLike, sizes: ArrayLike) -> np.ndarray:
    """Quartile of a rank among N peers: ⌈4 × rank ÷ N⌉, so 1 = the lowest quarter; 0 if unranked."""
    rank = np.asarray(ranks, dtype=float)
    n = np.asarray(sizes, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((rank > 0) & (n > 0), np.ceil(4 * rank / n), 0).astype(np.int8)


def pooled_rates(counts: ArrayLike, denominators: ArrayLike, groups: ArrayLike | None = None,
                 per: float = 1000.0) -> np.ndarray:
    """Each area's peer-group rate, Σ counts ÷ Σ denominators × per (missing areas left out)."""
    o = as_counts(counts).reshape(-1)
    n = as_denominators(denominators).reshape(-1)
    g = _groups(groups, o.size)
    present = ~(np.isnan(o) | np.isnan(n))
    total_o = np.bincount(g[present], weights=o[present], minlength=int(g.max()) + 1 if g.size else 0)
    total_n = np.bincount(g[present], weights=n[present], minlength=total_o.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (total_o / total_n * per)[g]


def peer_comparison(counts: ArrayLike, denominators: ArrayLike, level: float = 0.95,
                    groups: ArrayLike | None = None, per: float = 1000.0) -> np.ndarray:
    """+1 above, 0 in line with, −1 below the pooled peer rate: the area's rate interval at
    ``level`` against the pooled rate's value."""
    lower, upper = rate_limits(counts, denominators, level, per)
    return significance(lower, upper, pooled_rates(counts, denominators, groups, per))
