"""Small-number suppression: primary (hide small counts) and secondary (so that no hidden count
can be worked out from the published totals and the counts left visible).

Tables are 2-D arrays of counts. A table may publish a total for every column (a "Grand Total"
row), for every row, or both. A hidden cell is *derivable* when the visible cells and the
totals fix its value exactly: alone among the hidden cells of a line with a total, or, with
totals both ways, a hidden cell on no cycle of hidden cells (in the graph whose vertices are
rows and columns and whose edges are the hidden cells, a bridge). Secondary suppression hides
further cells, the smallest first, until no hidden cell is derivable.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def primary_suppression(counts: ArrayLike, below: int = 5, zero: bool = False) -> np.ndarray:
    """Cells to hide: counts from 1 up to ``below`` − 1 (and 0 too when ``zero``). A zero is
    usually shown: it discloses nothing about a person. Missing counts are not hidden (there is
    nothing to hide)."""
    c = np.asarray(counts, dtype=float)
    small = (c < below) & (c >= 0)
    return small if zero else small & (c > 0)


def _bridges(hidden: np.ndarray) -> np.ndarray:
    """Hidden cells whose edge is a bridge of the row–column graph of hidden cells."""
    rows, cols = np.nonzero(hidden)
    n_rows = hidden.shape[0]
    edges = [(int(r), n_rows + int(c)) for r, c in zip(rows, cols)]
    result = np.zeros_like(hidden)
    for skip, (start, goal) in enumerate(edges):
        adjacency: dict[int, list[int]] = {}
        for index, (a, b) in enumerate(edges):
            if index != skip:
                adjacency.setdefault(a, []).append(b)
                adjacency.setdefault(b, []).append(a)
        seen, frontier = {start}, [start]
        while frontier and goal not in seen:
            node = frontier.pop()
            for neighbour in adjacency.get(node, ()):
                if neighbour not in seen:
                    seen.add(neighbour)
                    frontier.append(neighbour)
        if goal not in seen:
            result[rows[skip], cols[skip]] = True
    return result


def derivable(hidden: ArrayLike, row_totals: bool = False, column_totals: bool = True) -> np.ndarray:
    """Hidden cells whose value the visible cells and the published totals determine exactly."""
    h = np.atleast_2d(np.asarray(hidden, dtype=bool))
    if row_totals and column_totals:
        return _bridges(h)
    result = np.zeros_like(h)
    if column_totals:
        result |= h & (h.sum(axis=0, keepdims=True) == 1)
    if row_totals:
        result |= h & (h.sum(axis=1, keepdims=True) == 1)
    return result


def secondary_suppression(values: ArrayLike, hidden: ArrayLike, row_totals: bool = False,
                          column_totals: bool = True) -> np.ndarray:
    """``hidden`` plus the further cells that must be hidden so that none is derivable.

    For each derivable cell, the smallest visible count in a line through it that has a total is
    hidden too (a non-zero count in preference to a zero, which is often known to be zero anyway;
    ties go to the first in reading order), until no hidden cell is derivable. Raises
    ``ValueError`` when a hidden cell cannot be protected (its line has no other cell).
    """
    v = np.atleast_2d(np.asarray(values, dtype=float))
    h = np.atleast_2d(np.asarray(hidden, dtype=bool)).copy()
    if v.shape != h.shape:
        raise ValueError("values and hidden must have the same shape")
    while True:
        exposed = np.argwhere(derivable(h, row_totals, column_totals))
        if exposed.size == 0:
            return h
        row, col = exposed[0]
        candidates = np.zeros_like(h)
        if column_totals:
            candidates[:, col] = True
        if row_totals:
            candidates[row, :] = True
        candidates &= ~h & ~np.isnan(v)
        if not candidates.any():
            raise ValueError(f"cell ({row}, {col}) cannot be protected: no other cell of its row or column can be hidden")
        # Smallest non-zero count first, then zeros; ties in reading order (argmin takes the first).
        cost = np.where(candidates, np.where(v > 0, v, np.inf), np.nan)
        if np.all(np.isnan(cost) | np.isinf(cost)):
            cost = np.where(candidates, 0.0, np.nan)
        h.flat[int(np.nanargmin(cost))] = True
