"""Rows split by a key (their file, their Arrow chunk) in one sort, not one pass over all of them per key.

The reader often works on a subset of rows (the anti-social behaviour rows, the repeats, the rows with no
location) that lie in many files and, once read, in many Arrow chunks. Picking each key's rows with a mask
(``keys == key`` for every distinct key) costs rows × keys, and both grow with the size of a build: at
national scale, a million ASB rows over a thousand chunks made the reader's cost grow faster than its rows.
One stable sort of the keys gives every key's rows, in their original order, at rows × log(rows).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np


def grouped(keys: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(key, positions in ``keys`` holding it) for each distinct key, keys ascending and positions ascending within
    one: what ``for key in np.unique(keys): np.flatnonzero(keys == key)`` gives."""
    keys = np.asarray(keys)
    if not len(keys):
        return
    order = np.argsort(keys, kind="stable")  # already ordered keys (ascending rows) cost one linear pass
    ordered = keys[order]
    cuts = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    for start, stop in zip(np.concatenate([[0], cuts]), np.concatenate([cuts, [len(order)]])):
        yield ordered[start].item(), order[start:stop]


def by_chunk(lengths: Sequence[int], positions: np.ndarray) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """For rows at ``positions`` counted across chunks of ``lengths`` rows: (chunk, which of ``positions`` lie in it,
    their positions within it), chunks ascending."""
    positions = np.asarray(positions, dtype=np.int64)
    starts = np.cumsum([0, *lengths])
    chunk = np.searchsorted(starts, positions, side="right") - 1
    for index, here in grouped(chunk):
        yield index, here, positions[here] - starts[index]
