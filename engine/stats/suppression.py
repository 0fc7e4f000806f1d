"""Small-number suppression: primary (hide small counts) and secondary (so that no hidden number
can be worked out from the numbers left visible).

Every published number is a sum of unknown underlying counts ("atoms": say, the events of one
crime type in one month in one small area). A table's total is the sum of its cells; a 12-month
count is the sum of its months; a group of crime types is the sum of its types; a change is one
count minus another. A hidden number is *derivable* when its vector of atoms is a linear
combination of the visible numbers' vectors: then adding and subtracting visible numbers gives
it exactly. Secondary suppression hides further numbers until no hidden one is derivable.

The test needs only the inner products of the numbers' vectors (their Gram matrix), so it costs
the same however finely the atoms are drawn. Bounds (counts are never negative) can still
narrow a hidden number down; as in published practice, only exact recovery is prevented.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Size below which a coefficient counts as zero.
_TOLERANCE = 1e-9
#: Relative size below which what is left of a number, once the visible numbers are used, is zero.
_RESIDUAL = 1e-8


def primary_suppression(counts: ArrayLike, below: int = 5, zero: bool = False) -> np.ndarray:
    """Cells to hide: counts from 1 up to ``below`` − 1 (and 0 too when ``zero``). A zero is
    usually shown: it discloses nothing about a person. Missing counts are not hidden (there is
    nothing to hide)."""
    c = np.asarray(counts, dtype=float)
    small = (c < below) & (c >= 0)
    return small if zero else small & (c > 0)


def _representation(gram: np.ndarray, visible: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients expressing each target through the visible numbers (non-zero only on a basis
    of them), and whether each target is derivable (nothing left over once they are used).

    A pivoted Cholesky factorisation of the visible numbers' Gram matrix picks the basis: on
    small dense matrices it is hundreds of times faster than an eigen-decomposition.
    """
    from scipy.linalg import cho_solve  # imported here: only suppression needs it, and it is slow to import
    from scipy.linalg.lapack import dpstrf

    coefficients = np.zeros((visible.size, targets.size))
    size = gram[targets, targets]
    if visible.size == 0:
        return coefficients, size <= _TOLERANCE * np.maximum(size, 1.0)
    factor, pivots, rank, _ = dpstrf(gram[np.ix_(visible, visible)], tol=-1.0, lower=1)
    basis = pivots[:rank] - 1  # positions in ``visible`` of a linearly independent subset
    g_bt = gram[np.ix_(visible[basis], targets)]
    if rank:
        coefficients[basis] = cho_solve((np.tril(factor[:rank, :rank]), True), g_bt)
    residual = size - np.einsum("bt,bt->t", g_bt, coefficients[basis])
    return coefficients, residual <= _RESIDUAL * np.maximum(size, 1.0)


def _components(gram: np.ndarray) -> list[np.ndarray]:
    """The numbers in groups that share no atom (zero inner product, directly or through others): a number's
    derivation only ever uses numbers of its own group, so each is factorised apart, and the dense work is
    on one group at a time (cubic in its size, not in the whole problem's)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    count, labels = connected_components(csr_matrix(np.abs(gram) > _TOLERANCE), directed=False)
    if count == 1:
        return [np.arange(gram.shape[0])]
    return [np.flatnonzero(labels == c) for c in range(count)]


def derivable_items(gram: ArrayLike, hidden: ArrayLike) -> np.ndarray:
    """Hidden numbers that the visible numbers determine exactly, from the Gram matrix of all the
    numbers' atom vectors (``gram[i, j]`` = Σ over atoms of coefficient i × coefficient j)."""
    g = np.asarray(gram, dtype=float)
    h = np.asarray(hidden, dtype=bool)
    result = np.zeros(h.shape, dtype=bool)
    for rows in _components(g):
        targets = rows[h[rows]]
        if targets.size:
            result[targets] = _representation(g, rows[~h[rows]], targets)[1]
    return result


def _costs(values: np.ndarray) -> np.ndarray:
    """What hiding each number costs: its value, so the smallest go first, but a zero costs more
    than any count (a zero is often known to be zero anyway, so hiding it protects little)."""
    return np.where(values > 0, values, 1 + np.abs(values).sum())


def protect(gram: ArrayLike, values: ArrayLike, hidden: ArrayLike, hideable: ArrayLike | None = None,
            costs: ArrayLike | None = None) -> np.ndarray:
    """``hidden`` plus the further numbers that must be hidden so that none is derivable.

    Each derivable hidden number gets a partner: the cheapest hideable visible number its
    derivation uses (by default the smallest non-zero value; ties go to the first). Numbers whose
    derivations share a partner already chosen wait for the next round, so one partner can serve
    several. Rounds repeat until nothing hidden is derivable. Raises ``ValueError`` when a
    derivable number's derivation uses nothing hideable.
    """
    g = np.asarray(gram, dtype=float)
    h = np.asarray(hidden, dtype=bool).copy()
    can_hide = np.ones(h.shape, dtype=bool) if hideable is None else np.asarray(hideable, dtype=bool)
    cost = _costs(np.asarray(values, dtype=float)) if costs is None else np.asarray(costs, dtype=float)
    groups = _components(g)
    if len(groups) > 1:  # independent groups: each protected on its own (see _components)
        for rows in groups:
            if h[rows].any():
                h[rows] = protect(g[np.ix_(rows, rows)], np.asarray(values, dtype=float)[rows], h[rows],
                                  can_hide[rows], cost[rows])
        return h
    while True:
        targets, visible = np.flatnonzero(h), np.flatnonzero(~h)
        if targets.size == 0:
            return h
        coefficients, exposed = _representation(g, visible, targets)
        if not exposed.any():
            return h
        chosen: set[int] = set()
        for column in np.flatnonzero(exposed):
            used = visible[(np.abs(coefficients[:, column]) > _TOLERANCE) & can_hide[visible]]
            if used.size == 0:
                raise ValueError(f"number {targets[column]} cannot be protected: every number that reveals it "
                                 f"must stay visible")
            if chosen.isdisjoint(used.tolist()):
                chosen.add(int(used[np.argmin(cost[used])]))
        h[list(chosen)] = True


# --- tables with totals --------------------------------------------------------------------------


def _table_gram(shape: tuple[int, int], row_totals: bool, column_totals: bool) -> np.ndarray:
    """Gram matrix of a table's cells (one atom each) followed by its published totals."""
    n_rows, n_cols = shape
    vectors = [np.eye(n_rows * n_cols)]
    cells = np.arange(n_rows * n_cols).reshape(shape)
    if column_totals:
        vectors.append(np.array([np.isin(np.arange(cells.size), cells[:, c]) for c in range(n_cols)], dtype=float))
    if row_totals:
        vectors.append(np.array([np.isin(np.arange(cells.size), cells[r, :]) for r in range(n_rows)], dtype=float))
    v = np.vstack(vectors)
    return v @ v.T


def derivable(hidden: ArrayLike, row_totals: bool = False, column_totals: bool = True) -> np.ndarray:
    """Hidden cells of a table that its visible cells and its published totals determine exactly."""
    h = np.atleast_2d(np.asarray(hidden, dtype=bool))
    gram = _table_gram(h.shape, row_totals, column_totals)
    totals = gram.shape[0] - h.size
    return derivable_items(gram, np.concatenate([h.ravel(), np.zeros(totals, dtype=bool)]))[:h.size].reshape(h.shape)


def secondary_suppression(values: ArrayLike, hidden: ArrayLike, row_totals: bool = False,
                          column_totals: bool = True) -> np.ndarray:
    """``hidden`` plus the cells a table must also hide so that no hidden cell can be worked out
    from its published totals (a total for every column, every row, or both) and the cells left
    visible. The totals stay visible; the smallest non-zero cells are hidden first."""
    v = np.atleast_2d(np.asarray(values, dtype=float))
    h = np.atleast_2d(np.asarray(hidden, dtype=bool))
    if v.shape != h.shape:
        raise ValueError("values and hidden must have the same shape")
    if np.isnan(v).any():
        raise ValueError("a table with totals cannot have missing cells")
    gram = _table_gram(v.shape, row_totals, column_totals)
    totals = gram.shape[0] - v.size
    result = protect(gram, np.concatenate([v.ravel(), np.zeros(totals)]),
                     np.concatenate([h.ravel(), np.zeros(totals, dtype=bool)]),
                     hideable=np.arange(gram.shape[0]) < v.size)
    return result[:v.size].reshape(v.shape)
