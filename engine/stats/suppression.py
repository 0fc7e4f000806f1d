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


def _costs(values: np.ndarray) -> np.ndarray:
    """What hiding each cell costs: its count, so the smallest go first, but a zero costs more than
    any count (a zero is often known to be zero anyway, so hiding it protects little)."""
    return np.where(values > 0, values, 1 + values.sum())


def _protect_in_line(costs: np.ndarray, h: np.ndarray, row: int, col: int, row_totals: bool) -> None:
    """One total direction: hide the cheapest visible cell of the exposed cell's line."""
    line = np.zeros_like(h)
    if row_totals:
        line[row, :] = True
    else:
        line[:, col] = True
    candidates = np.where(line & ~h, costs, np.inf)
    if np.isinf(candidates).all():
        raise ValueError(f"cell ({row}, {col}) cannot be protected: every other cell of its line is hidden or absent")
    h.flat[int(np.argmin(candidates))] = True


def _protect_with_rectangle(costs: np.ndarray, h: np.ndarray, row: int, col: int) -> None:
    """Totals both ways: hide the cheapest rectangle (row, col), (row, c), (r, c), (r, col), which
    puts the exposed cell on a cycle of hidden cells."""
    n_rows, n_cols = h.shape
    if n_rows < 2 or n_cols < 2:
        raise ValueError(f"cell ({row}, {col}) cannot be protected: a table needs two rows and two columns")
    visible = np.where(h, 0.0, costs)
    # cost[r, c] of completing the rectangle through (r, c); the exposed cell's own row and column excluded.
    total = visible[row, :][None, :] + visible[:, col][:, None] + visible
    total[row, :] = np.inf
    total[:, col] = np.inf
    r, c = np.unravel_index(int(np.argmin(total)), total.shape)
    h[row, c] = h[r, c] = h[r, col] = True


def secondary_suppression(values: ArrayLike, hidden: ArrayLike, row_totals: bool = False,
                          column_totals: bool = True) -> np.ndarray:
    """``hidden`` plus the further cells that must be hidden so that none is derivable.

    With totals one way, each derivable cell gets a partner: the smallest visible count in its
    line. With totals both ways, it gets the cheapest rectangle of cells through it. A non-zero
    count is hidden in preference to a zero, and ties go to the first in reading order. Raises
    ``ValueError`` when a hidden cell cannot be protected (its line has no other cell).
    """
    v = np.atleast_2d(np.asarray(values, dtype=float))
    h = np.atleast_2d(np.asarray(hidden, dtype=bool)).copy()
    if v.shape != h.shape:
        raise ValueError("values and hidden must have the same shape")
    if np.isnan(v).any():
        raise ValueError("a table with totals cannot have missing cells")
    if not (row_totals or column_totals):
        return h
    costs = _costs(v)
    while True:
        exposed = np.argwhere(derivable(h, row_totals, column_totals))
        if exposed.size == 0:
            return h
        row, col = (int(x) for x in exposed[0])
        if row_totals and column_totals:
            _protect_with_rectangle(costs, h, row, col)
        else:
            _protect_in_line(costs, h, row, col, row_totals)
